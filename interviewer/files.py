"""Safe text and file I/O shared across modules (stdlib only: the CLI imports it at
start-up)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def clean_text(text: str) -> str:
    """Undecodable bytes that reached us as lone surrogates (Python's view of invalid
    UTF-8 in argv) become U+FFFD: tokenizers and JSON output cannot take surrogates."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def write_atomic(path: Path, data: bytes) -> None:
    """Write through a temp file in the same dir and rename: readers never see a
    half-written file, and an interruption (Ctrl-C included) leaves no temp file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
