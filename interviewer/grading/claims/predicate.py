"""Rule family: a bare predication with the other polarity. A note sentence says "S is
P" or "S isn't P" of its own subject, in so many words ("Networks aren't reliable,
so ..."); the claim says the same of the same S with the other polarity ("... because
networks are reliable"). The phrase is too short for the phrase-level rule, but a
subject and a one-word predicate that both agree leave no room for another reading."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer.grading.claims.registry import Finding, quoting
from interviewer.grading.cues import cue_list, lower_tokens
from interviewer.text import _content, stem, stem_set, words

if TYPE_CHECKING:
    from collections.abc import Sequence

    from interviewer.grading.claims.registry import NoteSentence

_COPULA = (
    r"(?P<v>is not|are not|isn't|aren't|isn’t|aren’t|cannot be|can't be|can’t be|can not be|"
    r"must not be|can be|may be|must be|is|are)"
)
_PRED = r"(?:(?P<adv>[a-z]+ly)\s+)?(?P<p>[a-z][a-z-]+)"
# The note's own statement: the sentence opens with it and the predicate ends there.
_NOTE = re.compile(
    r"^(?:the\s+|a\s+|an\s+)?(?P<s>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)\s+" + _COPULA
    + r"\s+" + _PRED + r"\s*(?:[,;.:]|$|\s+(?:so|because|but|and|since)\b)",
    re.I,
)
# The claim may say it inside a longer sentence ("..., because networks are reliable");
# not one bound to a time or a condition ("is not valid until it is signed").
_CLAIM = re.compile(
    r"(?:^|\b)(?P<s>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)\s+" + _COPULA + r"\s+" + _PRED
    + r"\b(?!\s+(?:than|as|to|for|of|in|on|at|by|with|from|until|till|unless)\b)",
    re.I,
)
# Sentences of a note sentence the splitter left joined (markup after the stop), each
# without its leading markup; a semicolon opens the part a pronoun may start.
_PARTS = re.compile(r"(?:^|(?<=[.!?;]))\s*[*_\"“(•-]*\s*")
# A second part that opens with a pronoun of the same number says it of what the
# sentence opened with ("A primary key identifies a row; it cannot be NULL"); "they"
# after "A tuple holds references to objects" is about the objects.
_PRONOUN_NUMBER = {"it": False, "they": True}
_IT = frozenset({"<pronoun>"})
# A claim said inside a report, supposition or rejection is not the answer's own claim.
_FRAMING = frozenset(cue_list("framing"))
# Words before a statement that make it hold only some of the time.
_HEDGES = frozenset(cue_list("hedged_frequency"))
_NOT_PREDICATES = frozenset(
    "only always never also just still often usually generally mostly not no".split()
)
# (polarity, mode) of each copula: "is" states, "must be" requires, "can be" allows.
_FACT, _POSSIBLE, _NECESSARY = "fact", "possible", "necessary"


def _modality(v: str) -> tuple[bool, str]:
    """(negated, mode): "cannot be" -> (True, necessary), "can be" -> (False, possible)."""
    v = v.lower().replace("’", "'")
    neg = "not" in v or "n't" in v
    if v.startswith(("cannot", "can't", "can not", "must")):
        return neg, _NECESSARY
    if v.startswith(("can", "may")):
        return neg, _POSSIBLE
    return neg, _FACT


def contradicts(a: tuple[bool, str], b: tuple[bool, str]) -> bool:
    """Whether two modalities of one predication exclude each other: a possibility
    ("can be") or a hedged one ("usually is not") contradicts only a requirement of the
    other polarity ("cannot be", "must be"), never a plain statement."""
    if a[0] == b[0]:
        return False
    return not any(x[1] == _POSSIBLE and y[1] != _NECESSARY for x, y in ((a, b), (b, a)))


def _plural_opening(sent: str) -> bool | None:
    """Whether the sentence opens with a plural noun phrase (None: cannot tell)."""
    toks = lower_tokens(sent)[:3]
    if not toks:
        return None
    if toks[0] in ("a", "an", "each", "every"):
        return False
    head = toks[1] if toks[0] == "the" and len(toks) > 1 else toks[0]
    return head.endswith("s") and not head.endswith("ss")


Statement = tuple[frozenset[str], str, tuple[bool, str]]


def _statements(text: str, pattern: re.Pattern[str]) -> list[tuple[frozenset[str], str, bool]]:
    """(subject stems, predicate stem, negated) of each bare predication."""
    return [(subj, pred, mod[0]) for subj, pred, mod in _predications(text, pattern)]


def _predications(text: str, pattern: re.Pattern[str]) -> list[Statement]:
    """(subject stems, predicate stem, modality) of each bare predication; a note's
    pronoun subject is ``_IT``."""
    out = []
    finder = pattern.finditer if pattern is _CLAIM else lambda t: filter(None, [pattern.match(t)])
    for m in finder(text):
        before = set(re.findall(r"[a-z]+", text[: m.start("s")].lower()))
        if pattern is _CLAIM and before & _FRAMING:
            continue
        p = m.group("p").lower()
        if p in _NOT_PREDICATES or not _content(p):
            continue
        subj = frozenset(stem_set(m.group("s")))
        if not subj and pattern is _NOTE and m.group("s").lower() in _PRONOUN_NUMBER:
            subj = _IT
        if not subj:
            continue
        neg, mode = _modality(m.group("v"))
        adv = (m.group("adv") or "").lower()
        if mode == _FACT and (adv in _HEDGES or before & _HEDGES):
            mode = _POSSIBLE
        out.append((subj, stem(p), (neg, mode)))
    return out


def _note_statements(sent: str) -> tuple[list[Statement], frozenset[str]]:
    """The note sentence's statements, and the subject stems its pronoun stands for."""
    parts = [p for p in _PARTS.split(sent) if p.strip()]
    stated = []
    it: frozenset[str] = frozenset()
    for n, part in enumerate(parts):
        for st in _predications(part, _NOTE):
            if st[0] is _IT:
                pronoun = part.split(None, 1)[0].lower()
                # only the part right after the opening one, in the opening's number
                if n != 1 or _plural_opening(sent) is not _PRONOUN_NUMBER[pronoun]:
                    continue
                it = stem_set(" ".join(words(parts[0])[:_OPENING]))
            stated.append(st)
    return stated, it


# How many words of the sentence's opening the pronoun's subject may stand in.
_OPENING = 4


def negated_predicate(claim: str, sentences: Sequence[NoteSentence]) -> Finding | None:
    """The claim says "S is P" where a note sentence says "S isn't P", or the other way
    round, and no note sentence says it the claim's way."""
    said = _predications(claim, _CLAIM)
    if not said:
        return None
    notes = [(kp, sent, *_note_statements(sent)) for kp, sent, _ in sentences]
    for subj, pred, mod in said:
        hits = [
            (kp, sent, n_mod)
            for kp, sent, stated, it in notes
            for n_subj, n_pred, n_mod in stated
            if n_pred == pred and (subj <= it if n_subj is _IT else n_subj == subj)
        ]
        if hits and all(contradicts(n_mod, mod) for _, _, n_mod in hits):
            kp, sent, _ = hits[0]
            return quoting(kp, "Your notes say", sent, "negated-predicate", 220)
    return None
