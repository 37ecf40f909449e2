"""Safe text and file I/O shared across modules (stdlib only: the CLI imports it at
start-up)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3


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


def read_only_dir(path: Path) -> bool:
    """True when ``path`` exists but nothing can be created in it (a read-only data dir
    or mount): readers then open files without writing beside them."""
    return path.is_dir() and not os.access(path, os.W_OK)


def open_sqlite_read_only(path: Path) -> sqlite3.Connection:
    """A connection that never writes: no journal, no -wal or -shm file, no lock file.
    ``immutable`` because in a read-only dir nobody can be changing the database."""
    import sqlite3

    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True, isolation_level=None)
