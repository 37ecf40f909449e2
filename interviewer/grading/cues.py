"""General language cues (hedging, discourse lead-ins, remarks about the writing,
limitation and replacement phrases) read from ``cues.txt``: lists of regular
expression fragments, one per line, under ``[section]`` headers. They describe how
people write, never what any notes say."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

CUES_FILE = Path(__file__).with_name("cues.txt")


@lru_cache(maxsize=1)
def _sections() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in CUES_FILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = out.setdefault(line[1:-1], [])
        elif current is not None:
            current.append(line)
    return {k: tuple(v) for k, v in out.items()}


def cue_list(name: str) -> tuple[str, ...]:
    """The fragments of one section (KeyError for an unknown one: a packaging bug)."""
    return _sections()[name]


def alternation(name: str) -> str:
    """The section's fragments as one regex alternation, each kept as a group."""
    return "|".join(f"(?:{x})" for x in cue_list(name))


def cue_regex(name: str, flags: int = re.I) -> re.Pattern[str]:
    return re.compile(alternation(name), flags)


POINTER = cue_regex("pointer")
STRONG_DOUBT = cue_regex("strong_doubt")
MILD_DOUBT = cue_regex("mild_doubt")
DONT_KNOW = cue_regex("dont_know")
