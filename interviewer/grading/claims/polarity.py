"""Rule family: a phrase of the notes stated with the other polarity. The claim denies
what a note sentence states ("it never switches to kernel mode" against "... switches
the CPU from user mode to kernel mode"), or states what a note sentence denies
("paging suffers from external fragmentation" against "paging has no external
fragmentation"). Unlike the sentence-level negation rule, only the phrase in the scope
of the negation must match, in order and close together, and the words before it (what
the phrase is said of) must agree."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from interviewer.grading.claims.inversion import denies_deferral
from interviewer.grading.claims.registry import Finding, quoting
from interviewer.grading.claims.unchanged import denied_change
from interviewer.grading.cues import DIRECTION, NEGATIVE_VERBS, SUBJECT_PRONOUNS, cue_list
from interviewer.text import ANAPHOR_START as _ANAPHOR
from interviewer.text import NEGATIONS, _content, stem, words

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from collections.abc import Set as AbstractSet

    from interviewer.grading.claims.registry import NoteSentence, Parsed
    from interviewer.grading.models import KeyPoint

# Words after a negation that belong to its scope (content words counted).
SCOPE = 4
# How many note words the phrase may be spread over.
WINDOW = 8
# Verbs that make less of what follows ("reduces the risk"), from the direction cues.
_LESSENING = frozenset(w for w, d in DIRECTION.items() if d == "down")
# Words that set a thing against what the statement is about ("unlike X, it ...").
_UNLIKE = frozenset(cue_list("contrast_words"))
# A scope ends at punctuation or where a new statement starts.
_STOP = frozenset({",", ";", ":", ".", "but", "while", "whereas", "so", "because", "and"})


@lru_cache(maxsize=20_000)
def _tokens(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for raw in text.replace(",", " , ").replace(";", " ; ").replace(":", " : ").split():
        if raw in {",", ";", ":"}:
            out.append(raw)
            continue
        out.extend(w.lower() for w in words(raw))
        if raw.endswith("."):
            out.append(".")
    return tuple(out)


@lru_cache(maxsize=20_000)
def _denials_of(
    text: str, keep_deferred: bool = False
) -> tuple[tuple[tuple[str, ...], tuple[str, ...], bool], ...]:
    """(the content stems a negation denies, the content stems before it, whether a
    pronoun stands for what it is said of) for each negation of a text: "it never
    switches to kernel mode" -> ([switch, kernel, mode], [], True)."""
    toks = _tokens(text)
    out = []
    for i, t in enumerate(toks):
        if t not in NEGATIONS or (not keep_deferred and _defers(toks[i + 1 :])):
            continue
        scope: list[str] = []
        for u in toks[i + 1 :]:
            if u in _STOP or u in NEGATIONS:
                break
            if _content(u) and u.isalpha():
                scope.append(stem(u))
            if len(scope) >= SCOPE:
                break
        before: list[str] = []
        pronoun = False
        for u in reversed(toks[max(0, i - 6) : i]):
            if u in _STOP:
                break
            if u in _UNLIKE:
                # "unlike GROUP BY it does not ...": what follows "unlike" is the
                # thing the statement is not about.
                before = []
                continue
            # ("that" is no pronoun here: "indexes that are rarely used do not ...")
            pronoun = pronoun or u in SUBJECT_PRONOUNS
            if _content(u) and u.isalpha():
                before.append(stem(u))
        out.append((tuple(scope), tuple(before), pronoun))
    return tuple(out)


# "Not X until Y" / "not X unless Y": X does happen, at Y or on Y; nothing is denied.
_DEFERRING = frozenset({"until", "till", "unless"})


def _defers(rest: Sequence[str]) -> bool:
    """The clause after a negation goes on with "until" or "unless" (see
    ``inversion.deferred``)."""
    for u in rest[:10]:
        if u in _STOP:
            return False
        if u in _DEFERRING:
            return True
    return False


@lru_cache(maxsize=20_000)
def _positions(toks: tuple[str, ...]) -> tuple[tuple[int, str, bool | None], ...]:
    """(position, stem, negated) of each content word: True when a negation stands
    within the four words before it, in the same clause; None (neither way) after a
    verb of absence or of lessening ("avoid shared state", "reduce the risk": they
    agree with "not sharing state"); else False."""
    out: list[tuple[int, str, bool | None]] = []
    for i, u in enumerate(toks):
        if u in _STOP or not u.isalpha() or not _content(u):
            continue
        prev = []
        for v in reversed(toks[max(0, i - 4) : i]):
            if v in _STOP:
                break
            prev.append(v)
        neg: bool | None = any(v in NEGATIONS for v in prev)
        if not neg and any(v in NEGATIVE_VERBS or v in _LESSENING for v in prev):
            neg = None
        out.append((i, stem(u), neg))
    return tuple(out)


def _find(phrase: Sequence[str], toks: tuple[str, ...]) -> tuple[bool | None, list[str]] | None:
    """Where the stems of ``phrase`` occur in order within a window of the text:
    (whether the first of them is negated there, the stems before it), or None."""
    pos = _positions(toks)
    for a, (i, st, neg) in enumerate(pos):
        if st != phrase[0]:
            continue
        k, last = 1, i
        for j, st2, _ in pos[a + 1 :]:
            if j - i > WINDOW:
                break
            if k < len(phrase) and st2 == phrase[k]:
                k, last = k + 1, j
        if k == len(phrase) and last - i <= WINDOW:
            before = [s for p, s, _ in pos if i - 8 <= p < i]
            return neg, before
    return None


def polarity_flip(
    claim: str,
    sentences: Sequence[NoteSentence],
    qterms: AbstractSet[str],
    antecedent: str | None = None,
) -> Finding | None:
    """The claim denies a phrase a note sentence states, or states one it denies, of
    the same thing (see ``_same_subject``); and no note sentence says it the claim's
    way, or with a verb of absence or lessening."""
    c_toks = _tokens(claim)
    pronoun = bool(_ANAPHOR.match(claim))
    head_words = [stem(w.lower()) for w in words(antecedent or "") if _content(w)]
    c_head = set(head_words) if pronoun else set()
    first = head_words[0] if pronoun and head_words else None

    def same(claim_before: AbstractSet[str], note_before: AbstractSet[str]) -> bool:
        return _same_subject(claim_before, c_head, first, note_before, qterms)

    # 1. The claim denies: its negated phrase, stated in a note.
    for scope, before, _ in _denials_of(claim):
        phrase = [s for s in scope if s not in qterms] or scope
        if len(phrase) < 2:
            continue
        # A two-word phrase ("never flushes the TLB") is evidence only when it is said
        # of the very thing a note sentence is about (its label or parsed subject).
        hit = _judge(phrase, True, set(before), same, sentences, strict=len(phrase) < 3)
        if hit is not None:
            return hit
    # 2. The claim states what a note denies.
    undeferred = denies_deferral(claim)
    referent: tuple[int, KeyPoint | None, AbstractSet[str]] = (-2, None, frozenset())
    for n, (kp, sent, parsed) in enumerate(sentences):
        # (A note's "not X until Y" is denied only by a claim that X happens anyway.)
        for scope, before, pronoun in _denials_of(sent, undeferred):
            if pronoun:
                # "A window function computes ..., but unlike GROUP BY it does not
                # collapse the rows": what is denied is said of what the pronoun stands
                # for, the subject of this sentence or of the one before it in the same
                # section (none known: no evidence).
                r_n, r_kp, r_subj = referent
                near = r_kp is kp or (r_n == n - 1 and _same_section(r_kp, kp))
                before = tuple(_parsed_subject(parsed) or (r_subj if near else ()))
            phrase = [s for s in scope if s not in qterms]
            if len(phrase) < 2 or len(scope) < 2:
                continue
            got = _find(scope, c_toks)
            if got is None or got[0] is not False:
                continue
            if not same(set(got[1]) - set(scope), set(before) - set(scope)):
                continue
            if any(_states(scope, s2, (False, None)) for _, s2, _ in sentences):
                continue  # the notes also state it (or say it both ways)
            return quoting(kp, "Your notes say", sent, "negated-phrase", 220)
        if _parsed_subject(parsed):
            referent = (n, kp, _parsed_subject(parsed))
    # 3. The claim denies a change the notes state ("does not change X": "X flips").
    return denied_change(claim, sentences, qterms)


def _same_section(a: KeyPoint | None, b: KeyPoint) -> bool:
    return a is not None and a.citation.source == b.citation.source and (
        a.citation.heading == b.citation.heading
    )


def _parsed_subject(parsed: Parsed | None) -> AbstractSet[str]:
    """The subject stems of a parsed note sentence (``subject._subject``), if any."""
    return parsed[0] if parsed else frozenset()


def _same_subject(
    claim_before: AbstractSet[str],
    c_head: AbstractSet[str],
    first: str | None,
    note_before: AbstractSet[str],
    qterms: AbstractSet[str],
) -> bool:
    """The claim's phrase and the note's are said of the same thing: the words before
    them share one ("paging suffers from ..." / "paging has no ..."). A claim that
    opens with a pronoun is about its antecedent: it shares a word with the note's, or
    opens with the question's subject while the note names no other subject of the
    question ("It never switches to kernel mode" after "A system call is ...")."""
    if claim_before:
        return bool(claim_before & note_before)
    if not c_head:
        return False
    if c_head & note_before:
        return True
    return first is not None and first in qterms and not (note_before & qterms) - c_head


def _states(phrase: Sequence[str], sent: str, polarity: tuple[bool | None, ...]) -> bool:
    got = _find(phrase, _tokens(sent))
    return got is not None and got[0] in polarity


def _judge(
    phrase: Sequence[str],
    claim_negated: bool,
    claim_before: AbstractSet[str],
    same: Callable[[AbstractSet[str], AbstractSet[str]], bool],
    sentences: Sequence[NoteSentence],
    strict: bool = False,
) -> Finding | None:
    found = None
    for kp, sent, parsed in sentences:
        got = _find(phrase, _tokens(sent))
        if got is None:
            continue
        if got[0] is None or got[0] == claim_negated:
            return None  # a note sentence says it the claim's way (or neither way)
        # What the note says it of: the words just before, or the item's label
        # ("FIFO: ..., and it suffers from ...") or the sentence's parsed subject.
        named = set(_parsed_subject(parsed))
        if kp.label:
            named |= {stem(w.lower()) for w in words(kp.label) if _content(w)}
        if strict and not (claim_before & named):
            continue
        named |= set(got[1])
        if found is None and same(claim_before, named):
            found = quoting(kp, "Your notes say", sent, "negated-phrase", 220)
    return found
