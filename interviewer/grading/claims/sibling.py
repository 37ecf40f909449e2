"""Rule family: what a neighbouring section of the notes says of its own subject, said
of this question's subject ("Precision is TP / (TP + FN)", the formula under the
recall heading; "a pull CDN suits sites with little traffic", what the notes say of
push CDNs).

Sibling sections are headings of the same notes file and parent heading, close by, whose names
differ in a word or two ("Push CDNs" / "Pull CDNs", "What is Precision?" / "What is
Recall?"): the words that differ name each side. Two kinds of evidence:

- a minimal pair: a sentence of this section and one of the sibling say the same thing
  but for a slot ("false positive" / "false negative", "heavy traffic" / "a small
  amount of traffic"); the claim, about this subject, fills the slot the sibling's way
  and never this section's way;
- a predicate: the claim shares with one sibling sentence more words than with any
  sentence of its own section, two of them words its own section never uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from interviewer.grading.claims.registry import Finding
from interviewer.grading.cues import cue_list, negated
from interviewer.text import ANAPHOR_START as _ANAPHOR
from interviewer.text import STOPWORDS, stem, words
from interviewer.text import clip as _short

if TYPE_CHECKING:
    from collections.abc import Sequence
    from collections.abc import Set as AbstractSet

    from interviewer.grading.models import Bank, KeyPoint, Question

# How far apart (in questions of one notes file) two sections may be to be siblings.
NEIGHBOURHOOD = 4
# Words of an operation or formula that carry no slot of their own.
_OPERATORS = frozenset(cue_list("formula_words"))
# Words of a question that name no subject ("What is ...", "How do ... work?").
_QUESTION_WORDS = frozenset(cue_list("question_words"))


@lru_cache(maxsize=100_000)
def _st(word: str) -> str:
    return stem(word.lower().strip("'"))


@lru_cache(maxsize=20_000)
def sequence(text: str) -> tuple[str, ...]:
    """The stems of a text's words in order, stop words and formula operators left
    out (generic words such as 'small' or 'heavy' kept: they fill slots)."""
    out: list[str] = []
    for token in words(text):
        for part in token.split("-"):
            low = part.lower()
            if not part or low in STOPWORDS or low in _OPERATORS or low in _QUESTION_WORDS:
                continue
            out.append(_st(low))
    return tuple(out)


def _bigrams(seq: Sequence[str], drop: AbstractSet[str]) -> set[tuple[str, str]]:
    kept = [s for s in seq if s not in drop]
    return set(zip(kept, kept[1:], strict=False))


@dataclass(frozen=True)
class Sibling:
    """A neighbouring section: the stems naming its subject and this question's, and
    its note sentences."""

    own_name: frozenset[str]
    name: frozenset[str]
    sentences: tuple[tuple[KeyPoint, str], ...]
    phrase: tuple[str, ...] = ()  # the sibling's heading, as stems in order
    own_phrase: tuple[str, ...] = ()  # this question's

    def named_in(self, seq: Sequence[str]) -> bool:
        """The text names the sibling: its words that this heading lacks, or its
        whole heading ("active-active" beside "active-passive")."""
        n = len(self.phrase)
        whole = n > 0 and any(tuple(seq[i : i + n]) == self.phrase for i in range(len(seq)))
        own = set(self.own_phrase)
        alone = self.name - own  # (its words that this heading does not also use)
        return whole or bool(alone) and alone <= set(seq)


def _section_name(heading: str) -> str:
    """A heading's last part, its numbering left out ("36) What is X?")."""
    return re.sub(r"^\s*[\d.]+[.)]?\s+", "", heading.rsplit(">", 1)[-1])


def _name_seq(heading: str) -> tuple[str, ...]:
    return sequence(_section_name(heading))


def _differing(mine: tuple[str, ...], theirs: tuple[str, ...]) -> tuple[set[str], set[str]]:
    """The words in which two headings differ, in order ("active passive" / "active
    active": passive / active)."""
    from difflib import SequenceMatcher

    a: set[str] = set()
    b: set[str] = set()
    for op, i1, i2, j1, j2 in SequenceMatcher(a=mine, b=theirs, autojunk=False).get_opcodes():
        if op != "equal":
            a.update(mine[i1:i2])
            b.update(theirs[j1:j2])
    return a, b


def _parent(heading: str) -> str:
    return heading.rsplit(">", 1)[0].strip() if ">" in heading else ""


def siblings(bank: Bank, q: Question) -> list[Sibling]:
    """The sections near ``q`` in its notes file, under the same parent, whose headings
    differ from its heading in a few words on each side."""
    # (A bank rebuilt from edited notes has another corpus key: no stale entry.)
    return list(_siblings((id(bank), bank.corpus_key, len(bank.questions)), bank, q.id))


_Key = tuple[int, str, int]
_CACHE: dict[tuple[_Key, str], tuple[Sibling, ...]] = {}


def _siblings(key: _Key, bank: Bank, qid: str) -> tuple[Sibling, ...]:
    got = _CACHE.get((key, qid))
    if got is not None:
        return got
    from interviewer.grading.claims.subject import _note_sentences

    qs = bank.questions
    at = next((i for i, x in enumerate(qs) if x.id == qid), None)
    out: list[Sibling] = []
    if at is not None:
        q = qs[at]
        mine = _name_seq(q.heading or q.text)
        for other in qs[max(0, at - NEIGHBOURHOOD) : at + NEIGHBOURHOOD + 1]:
            if (
                other.id == q.id
                or other.source != q.source
                or _parent(other.heading) != _parent(q.heading)
            ):
                continue
            theirs = _name_seq(other.heading or other.text)
            own, name = _differing(mine, theirs)
            if not own or not (1 <= len(name) <= 3) or len(own) > 3:
                continue
            pts = [kp for kp in other.key_points if kp.source_kind == "note" and not kp.doubtful]
            sents = tuple((kp, s) for kp, s, _ in _note_sentences(pts))
            if sents:
                out.append(Sibling(frozenset(own), frozenset(name), sents, theirs, mine))
    if len(_CACHE) > 5000:
        _CACHE.clear()
    _CACHE[(key, qid)] = tuple(out)
    return _CACHE[(key, qid)]


def sibling_swap(
    claim: str, context: str | None, own: Sequence[tuple[KeyPoint, str]], sibs: Sequence[Sibling]
) -> Finding | None:
    """The claim (or the sentence it is a clause of, ``context``) is about this
    question's subject and says what a sibling section says of its own (see the module
    docstring). A claim that names the sibling compares the two: never a swap."""
    c_seq = sequence(claim)
    if len(c_seq) < 3 or not own:
        return None
    # A clause that opens with a pronoun is about what its sentence (or the one before)
    # names; a clause naming nothing else is not taken to be about it.
    ctx_seq = sequence(context or "") if _ANAPHOR.match(claim) else ()
    c_neg = negated(claim)
    for sib in sibs:
        if sib.named_in(c_seq):
            continue
        if not sib.own_name & set(c_seq) and (
            not sib.own_name & set(ctx_seq) or sib.named_in(ctx_seq)
        ):
            continue
        # (The headings' words name the subjects: they are no part of what is said.)
        drop = sib.own_name | sib.name | set(sib.phrase) | set(sib.own_phrase)
        found = _minimal_pair(c_seq, c_neg, drop, own, sib) or _predicate(
            c_seq, c_neg, drop, own, sib
        )
        if found is not None:
            kp, sent = found
            said = f"Your notes say that of {_label(sib)}: “{_short(sent, 200)}”"
            return Finding(kp, said, "sibling-swap")
    return None


def _label(sib: Sibling) -> str:
    last = _section_name(sib.sentences[0][0].citation.heading or "").strip()
    return f"“{last}”" if last else "another section"


def _minimal_pair(
    c_seq: tuple[str, ...],
    c_neg: bool,
    drop: AbstractSet[str],
    own: Sequence[tuple[KeyPoint, str]],
    sib: Sibling,
) -> tuple[KeyPoint, str] | None:
    """Parallel sentences compared as word pairs in order: "true positive / (true
    positive + false positive)" and "... + false negative)" share three pairs and
    differ in one; the claim must hold the sibling's pair and none of this section's."""
    c_big = _bigrams(c_seq, drop)
    c_set = set(c_seq) - drop
    for _, o in own:
        o_seq = sequence(o)
        o_big = _bigrams(o_seq, drop)
        for kp, s in sib.sentences:
            if negated(s) != negated(o) or negated(s) != c_neg:
                continue
            s_seq = sequence(s)
            s_big = _bigrams(s_seq, drop)
            common = o_big & s_big
            d_o, d_s = o_big - s_big, s_big - o_big
            if len(common) < 2 or not d_o or not d_s or len(d_o) > 3 or len(d_s) > 3:
                continue
            only_o = (set(o_seq) - set(s_seq)) - drop
            shared = {w for b in common for w in b}
            if c_big & d_s and not c_big & d_o and not c_set & only_o and len(c_set & shared) >= 2:
                return kp, s
    return None


def _predicate(
    c_seq: tuple[str, ...],
    c_neg: bool,
    drop: AbstractSet[str],
    own: Sequence[tuple[KeyPoint, str]],
    sib: Sibling,
) -> tuple[KeyPoint, str] | None:
    pred = set(c_seq) - drop
    if len(pred) < 3:
        return None
    own_sets = [set(sequence(o)) - drop for _, o in own]
    own_words = set().union(*own_sets)
    own_best = max(len(pred & o) for o in own_sets)
    best: tuple[int, KeyPoint, str] | None = None
    for kp, s in sib.sentences:
        if negated(s) != c_neg:
            continue
        hit = pred & (set(sequence(s)) - drop)
        new = hit - own_words
        if (
            len(hit) >= 3
            and len(new) >= 2
            and len(hit) > own_best
            and 2 * len(hit) >= len(pred)
            and (best is None or len(hit) > best[0])
        ):
            best = (len(hit), kp, s)
    return (best[1], best[2]) if best else None
