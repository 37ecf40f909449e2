"""A guard for the opposite-word rules: a statement about the other case. "A model
with many parameters has high variance" does not contradict "a model with few
parameters has low variance": the subject (or the condition) is flipped as well as
what is said of it, so the two statements agree. Only a flip in what is said, with
the same subject, is an inversion."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer.grading.cues import ANTONYMS, adj_pairs, cue_list, lower_words, negated
from interviewer.text import stem_set, words

if TYPE_CHECKING:
    from collections.abc import Sequence

_VERBS = frozenset(cue_list("statement_verbs"))
_VERB_STEMS = stem_set(" ".join(_VERBS))
_CONDITION = re.compile(r"^\s*(?:if|when|whenever)\b(?P<c>.*?)(?:\bthen\b|,)", re.I)
_LABEL = re.compile(r"^\s*(?P<c>[^:]{1,40}):")
# A subject longer than this is no subject but a clause the verb list missed (a
# condition may be longer: "if the model is too simple and has few parameters").
_MAX_SUBJECT = 8
_MAX_CONDITION = 14


def split_case(text: str) -> tuple[str, str]:
    """(what the statement is about, what it says of it): the condition of "If X then
    Y", the label of "X: Y", or the words before the first statement verb."""
    for pat, most in ((_CONDITION, _MAX_CONDITION), (_LABEL, _MAX_SUBJECT)):
        m = pat.match(text)
        if m and len(words(m.group("c"))) <= most:
            return m.group("c"), text[m.end() :]
    toks = words(text)
    for i, w in enumerate(toks[: _MAX_SUBJECT + 1]):
        if w.lower() in _VERBS and i > 0:
            m = re.search(rf"\b{re.escape(w)}\b", text)
            if m is not None:
                return text[: m.start()], text[m.start() :]
    return "", text


def other_case(claim: str, sent: str, flips: Sequence[tuple[str, str]]) -> bool:
    """The claim's subject is the opposite of the sentence's (a flipped pair stands in
    both subjects) and what each says is flipped too (another flipped pair, or one
    side negated) or differs: a statement about the other case, which the note does
    not contradict."""
    c_case, c_said = split_case(claim)
    s_case, s_said = split_case(sent)
    c_about, s_about = lower_words(c_case), lower_words(s_case)
    in_case = [(a, b) for a, b in flips if a.lower() in c_about and b.lower() in s_about]
    if not in_case:
        return False
    said = [f for f in flips if f not in in_case]
    # Modifiers flipped on the same noun count too ("high variance" / "low variance"),
    # even when each side also names the other one elsewhere.
    s_pairs = adj_pairs(s_said)
    said_pairs = [(a, n) for a, n in adj_pairs(c_said) if (ANTONYMS[a], n) in s_pairs]
    # (What the claim says that the note does not say of its case is no evidence either:
    # only the same outcome said of the opposite subject is a swap.)
    new = stem_set(c_said) - stem_set(s_said) - _VERB_STEMS
    return bool(said or said_pairs or new) or negated(c_said) != negated(s_said)
