"""Degrees of comparison for the opposite-word rules: "weakest" is the opposite of
"strongest", "cheaper" of "more expensive"; "less expensive" means "cheaper". The base
pairs come from the [antonyms] and [graded_antonyms] lists of ``cues.txt``; the -er and
-est forms are derived here (general English spelling, no word list of their own)."""

from __future__ import annotations

from collections.abc import Iterable

from interviewer.grading.cues import lower_tokens
from interviewer.text import stem

# Adjectives this long, or with these endings, compare with "more" / "most".
_LONG = 7
_PERIPHRASTIC = ("ive", "ous", "ful", "ed", "ing", "al", "ic", "ent", "ant", "ible", "able")
# Words before an adjective that turn its degree round ("less expensive" = cheaper).
LESSENING = frozenset({"less", "least", "fewer"})


def forms(word: str) -> set[str]:
    """The word and, for a short adjective, its comparative and superlative ("big" ->
    "bigger", "biggest"; "easy" -> "easier"; "large" -> "larger")."""
    out = {word}
    if len(word) > _LONG or word.endswith(_PERIPHRASTIC) or not word.isalpha():
        return out
    if word.endswith("e"):
        out |= {word + "r", word + "st"}
    elif word.endswith("y") and len(word) > 3:
        out |= {word[:-1] + "ier", word[:-1] + "iest"}
    elif (
        len(word) >= 3
        and word[-1] not in "aeiouwxy"
        and word[-2] in "aeiou"
        and word[-3] not in "aeiou"
        and len(word) <= 4
    ):
        out |= {word + word[-1] + "er", word + word[-1] + "est"}
    else:
        out |= {word + "er", word + "est"}
    return out


def expanded(pairs: dict[str, set[str]], surface: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Stem-level opposites (``pairs``) with every degree of each listed pair added:
    ``surface`` holds the word pairs (each way round; a word may have several)."""
    out = {k: set(v) for k, v in pairs.items()}
    for a, b in surface:
        if " " in a or " " in b:
            continue
        for fa in forms(a):
            for fb in forms(b):
                out.setdefault(stem(fa), set()).add(stem(fb))
    return out


def lessened(text: str, word: str) -> bool:
    """The word comes right after "less" / "least" (one word may stand between)."""
    toks = lower_tokens(text)
    return any(
        t == word and any(x in LESSENING for x in toks[max(0, i - 2) : i])
        for i, t in enumerate(toks)
    )
