"""The general language cues of the notes reader, read once from ``units_cues.txt``
(package data): word lists, regular expression fragments and question templates.
Keeping them in a data file keeps phrases out of the code and lets them be read and
extended without touching it."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

CUES_FILE = Path(__file__).with_name("units_cues.txt")
# The word lists of the text helpers and the grader.
WORDS_FILE = Path(__file__).with_name("words.txt")


@lru_cache(maxsize=8)
def read_sections(path: Path) -> dict[str, tuple[str, ...]]:
    """A cue file: entries one a line under ``[section]`` headers; blank lines and
    ``#`` comments skipped."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = out.setdefault(line[1:-1], [])
        elif current is not None:
            current.append(line)
    return {k: tuple(v) for k, v in out.items()}


def lines(name: str, path: Path = CUES_FILE) -> tuple[str, ...]:
    """The entries of one section, one a line (KeyError for an unknown section: the
    package data is missing or broken)."""
    return read_sections(path)[name]


def words(name: str, path: Path = CUES_FILE) -> frozenset[str]:
    """A word section: every space-separated word of its lines, lower-cased."""
    return frozenset(w.lower() for line in lines(name, path) for w in line.split())


def alternation(name: str, path: Path = CUES_FILE) -> str:
    """A regex section as one alternation, each fragment kept as a group."""
    return "|".join(f"(?:{x})" for x in lines(name, path))


def regex(name: str, flags: int = re.IGNORECASE, path: Path = CUES_FILE) -> re.Pattern[str]:
    return re.compile(alternation(name, path), flags)


def templates(name: str, path: Path = CUES_FILE) -> dict[str, str]:
    """A template section: ``key = text`` lines."""
    out: dict[str, str] = {}
    for line in lines(name, path):
        key, sep, text = line.partition("=")
        if sep:
            out[key.strip()] = text.strip()
    return out
