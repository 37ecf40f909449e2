"""Counts in words: "1 document", "2 documents"."""

from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and the noun in the number that agrees with it (``plural`` for nouns whose
    plural is not the noun with an "s": "1 match", "2 matches")."""
    return f"{n} {noun if n == 1 else (plural or noun + 's')}"
