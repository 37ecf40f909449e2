"""Junk detection: gibberish, and text addressed to the grader."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from interviewer import lexicon
from interviewer.errors import ConfigError
from interviewer.lexicon import WORDS_FILE
from interviewer.text import stem, words

if TYPE_CHECKING:
    from collections.abc import Iterable


# ---- junk and instructions ---------------------------------------------------------------


@lru_cache(maxsize=1)
def word_ranks() -> dict[str, int]:
    """The whole English words of the MiniLM tokenizer vocabulary (shipped with the
    embedder package) with their ids, which run roughly by frequency; empty when the
    vocabulary cannot be read."""
    try:
        from interviewer.embeddings import minilm_paths

        _, tok = minilm_paths()
        vocab = json.loads(tok.read_text(encoding="utf-8"))["model"]["vocab"]
        return {w: int(i) for w, i in vocab.items() if w.isalpha()}
    except (ConfigError, OSError, KeyError, ValueError):
        return {}


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """English word list, used to tell words from gibberish."""
    return frozenset(word_ranks())


def is_gibberish(text: str, extra_known: Iterable[str] = ()) -> bool:
    """True when most tokens are not words (keyboard mashing, random strings).
    ``extra_known``: more words (lower case) or stems that count as words, e.g. the
    notes' own vocabulary, so a terse answer of real terms from the notes is no junk."""
    toks = [w.lower() for w in words(text) if not w.isdigit()]
    if not toks:
        return not re.search(r"[A-Za-zÀ-ÿ]", text)
    from interviewer.language import ENGLISH, UNKNOWN, detect_language

    if detect_language(text) not in (ENGLISH, UNKNOWN):
        return False  # prose in another language (its stop words), not mashing
    vocab = known_words()
    extra = set(extra_known)
    if not vocab:  # no word list: fall back to a vowel heuristic
        vowelless = sum(1 for w in toks if len(w) > 3 and not re.search(r"[aeiouyáéíóú]", w))
        return vowelless / len(toks) > 0.5
    known = 0
    for w in toks:
        base = w.strip("'")
        if (
            base in vocab
            or base in extra
            or (extra and stem(base) in extra)
            or strip_accents(base) in vocab
            or (len(base) <= 2)
            or any(base.endswith(s) and base[: -len(s)] in vocab for s in ("s", "es", "ed", "ing"))
            or all(p in vocab for p in base.split("-") if p)
        ):
            known += 1
    return known / len(toks) < 0.5


# Text addressed to the grader: patterns in interviewer/words.txt.
INSTRUCTION = lexicon.regex("instructions", path=WORDS_FILE)


def is_instruction(text: str) -> bool:
    """Text addressed to the grader rather than an answer to the question."""
    return bool(INSTRUCTION.search(text))


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
