"""Text typed at the terminal (or piped in) as the user wrote it, whatever bytes their
terminal sends. stdin is read with ``surrogateescape``, so a byte that is not UTF-8 (a
Latin-1 terminal's "é") reaches us as a lone surrogate instead of being replaced or
dropped; :func:`typed_text` then decodes the line's bytes by the locale's encoding, or
as Latin-1 (cp1252) with a one-line warning when the locale says UTF-8."""

from __future__ import annotations

import codecs
import io
import locale
import re
import sys

_ESCAPED = re.compile("[\udc80-\udcff]")
# Where the locale claims UTF-8 (or names no encoding), the bytes of a terminal that does
# not send UTF-8 are most often Latin-1, or its Windows superset.
FALLBACK = "cp1252"


def keep_bytes() -> None:
    """Read stdin so that bytes that are not UTF-8 come through (see the module doc)."""
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="surrogateescape")


def _locale_encoding() -> str | None:
    """The locale's own encoding when it is one that can decode any line (not UTF-8,
    not ASCII): a Latin-1 locale's terminal sends Latin-1."""
    try:
        name = locale.getencoding()
    except (AttributeError, ValueError):  # pragma: no cover - Python < 3.11
        name = locale.getpreferredencoding(False)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return None if codec in ("utf-8", "ascii") else codec


def stdin_source() -> str:
    """What stdin's text is, for a warning: typed at a terminal or piped in."""
    try:
        return "the text your terminal sends" if sys.stdin.isatty() else "the piped text"
    except (AttributeError, ValueError):  # closed or replaced stdin
        return "the piped text"


def typed_text(line: str, source: str = "the text") -> tuple[str, str | None]:
    """``line`` with the bytes that were not UTF-8 decoded, and a warning to show once
    (None when the line was UTF-8, or the locale's own encoding read it). ``source``
    names where the line came from ("the piped text", "an argument")."""
    if not _ESCAPED.search(line):
        return line, None
    raw = line.encode("utf-8", "surrogateescape")
    own = _locale_encoding()
    if own is not None:
        try:
            return raw.decode(own), None
        except UnicodeDecodeError:
            pass
    # Valid UTF-8 runs stay UTF-8; only the stray bytes are read as Latin-1.
    text = raw.decode("utf-8", "surrogateescape")
    fixed = _ESCAPED.sub(lambda m: _one_byte(ord(m.group(0)) - 0xDC00), text)
    return fixed, (
        f"{source} is not UTF-8: read as Latin-1 ({FALLBACK}); if accented letters look "
        "wrong, send it as UTF-8"
    )


def _one_byte(byte: int) -> str:
    try:
        return bytes([byte]).decode(FALLBACK)
    except UnicodeDecodeError:
        return bytes([byte]).decode("latin-1")
