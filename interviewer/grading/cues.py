"""General language cues (hedging, discourse lead-ins, remarks about the writing,
limitation and replacement phrases) read from ``cues.txt``: lists of regular
expression fragments, one per line, under ``[section]`` headers. They describe how
people write, never what any notes say."""

from __future__ import annotations

import re
from pathlib import Path

from interviewer import lexicon

CUES_FILE = Path(__file__).with_name("cues.txt")


def cue_list(name: str) -> tuple[str, ...]:
    return lexicon.lines(name, CUES_FILE)


def alternation(name: str) -> str:
    return lexicon.alternation(name, CUES_FILE)


def cue_regex(name: str) -> re.Pattern[str]:
    return lexicon.regex(name, path=CUES_FILE)


POINTER = cue_regex("pointer")
STRONG_DOUBT = cue_regex("strong_doubt")
MILD_DOUBT = cue_regex("mild_doubt")
DONT_KNOW = cue_regex("dont_know")


class _Antonyms(dict[str, str]):
    """Opposite words: the listed pairs, plus prefixed opposites a dictionary needs no
    entry for: over-/under- ("overestimate" / "underestimate") and un-...-ed
    ("labeled" / "unlabeled")."""

    def _derived(self, word: str) -> str | None:
        if over_under := opposite_stem(word):
            return over_under
        if word.startswith("un") and word.endswith("ed") and len(word) > 6:
            return word[2:]
        if word.endswith("ed") and len(word) > 4 and not word.startswith("un"):
            return "un" + word
        return None

    def __contains__(self, word: object) -> bool:
        return dict.__contains__(self, word) or (
            isinstance(word, str) and self._derived(word) is not None
        )

    def __missing__(self, word: str) -> str:
        got = self._derived(word)
        if got is None:
            raise KeyError(word)
        return got

    def get(self, word: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return self[word] if word in self else default  # noqa: SIM401 (recursion)


ANTONYMS = _Antonyms()
for _a, _b in (line.split() for line in cue_list("antonyms")):
    ANTONYMS.setdefault(_a, _b)
    ANTONYMS.setdefault(_b, _a)


def antonym_stems() -> dict[str, set[str]]:
    """The listed pairs as stems (the derived ones: see ``opposite_stem``)."""
    from interviewer.text import stem

    out: dict[str, set[str]] = {}
    # (From the lines, not the word map: a word may have several opposites, as
    # "maximise" has "minimise" and "minimize".)
    for a, b in (line.split() for line in cue_list("antonyms")):
        out.setdefault(stem(a), set()).add(stem(b))
        out.setdefault(stem(b), set()).add(stem(a))
    return out


def opposite_stem(st: str) -> str | None:
    """The prefixed opposite of a stem ("overfit" / "underfit"), or None."""
    for a, b in (("over", "under"), ("under", "over")):
        if st.startswith(a) and len(st) > len(a) + 2:
            return b + st[len(a) :]
    return None


def _affixes() -> tuple[list[tuple[str, int]], list[tuple[str, str, int]]]:
    pre, suf = [], []
    for line in cue_list("negative_affixes"):
        parts = line.split()
        if len(parts) == 2:
            pre.append((parts[0].rstrip("-"), int(parts[1])))
        else:
            suf.append((parts[0].lstrip("-"), parts[1].lstrip("-"), int(parts[2])))
    return pre, suf


_PREFIXES, _SUFFIXES = _affixes()


def affix_opposites(a: str, b: str) -> bool:
    """Two words that are opposites by a negative affix ("synchronously" /
    "asynchronously", "connectionless" / "connection-oriented"), lower case."""
    if a == b:
        return False
    for x, y in ((a, b), (b, a)):
        # (A hyphenated "non-X" is mostly a term of its own, "a non-repeatable
        # read", not a statement that X does not hold.)
        for p, n in _PREFIXES:
            if y.startswith(p) and y[len(p) :] == x and len(x) >= n:
                return True
        for s1, s2, n in _SUFFIXES:
            if x.endswith(s1) and y.endswith(s2):
                bx, by = x[: -len(s1)], y[: -len(s2)].rstrip("-")
                if bx == by and len(bx) >= n:
                    return True
    return False


def affix_opposed_texts(a: str, b: str) -> bool:
    """One text uses a word the other uses with a negative affix, and neither uses the
    other's form ("Asynchronously write ..." / "Cache synchronously writes ..."): the
    two say opposite things. (Key points use it to keep such points apart.)"""
    from interviewer.text import words

    wa = {w.lower() for w in words(a)}
    wb = {w.lower() for w in words(b)}
    return any(affix_opposites(x, y) for x in wa - wb for y in wb - wa)
