"""What to ask next: hints (the next point to reveal), the follow-up question on the
most important missed point, and the names of the points an answer missed."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer.grading.coverage import _by_importance
from interviewer.grading.feedback_text import _adhoc_point, _case, describe, follow_up_question
from interviewer.grading.naming import bare_subject
from interviewer.grading.points import iter_points
from interviewer.text import stem, text_terms, words

if TYPE_CHECKING:
    from collections.abc import Sequence

    from interviewer.feedback import Feedback
    from interviewer.grading.grader import Grader
    from interviewer.grading.models import KeyPoint, Question


def next_hint(g: Grader, question: Question, already_given: int) -> KeyPoint | None:
    """The next key point to reveal: most important first, one point per distinct
    idea. None when the notes have no (more) points."""
    ordered = top_missed(g, list(question.key_points)) + [
        kp for kp in _by_importance(question.key_points)
    ]
    seen: set[str] = set()
    unique = []
    for kp in ordered:
        if kp.id not in seen:
            seen.add(kp.id)
            unique.append(kp)
    return unique[already_given] if 0 <= already_given < len(unique) else None



def follow_up_for(g: Grader, feedback: Feedback) -> str | None:
    """A natural question aimed at the most important missed point (or, failing
    that, a partly covered one). None for ungrounded feedback, or when the answer
    already scores ``params.follow_up_below`` or more."""
    if not feedback.grounded or feedback.score >= g.params.follow_up_below:
        return None
    # The most important missed point that can be named (an interviewer asks about
    # "early stopping", not about "the note's sentence 3"); then a partly covered
    # one; then the first missed point, asked about in general terms.
    candidates = [(p, True) for p in feedback.missed[:3]] + [
        (p, False) for p in feedback.partial[:3]
    ]
    if not candidates:
        return None
    described = []
    for target, missed in candidates:
        kp = point_of(g, feedback.question_id, target.text) or _adhoc_point(target)
        described.append((target, missed, kp, *describe(kp)))
    # (An aside — "See also: Rotation forest" — only when nothing else has a name; the
    # definition of the question's own subject — "define Paxos" after "What is Paxos?"
    # — only when nothing else is missed: it would ask the question again.)
    from interviewer.subjects import subject_label

    asked = set(text_terms(feedback.question).unigrams)
    # What the question is about as a whole ("XSS"; both sides of "A vs B"): a point
    # about one side of a comparison is no restatement.
    topic = set(text_terms(subject_label(feedback.question)).unigrams)

    def restates(d: tuple) -> bool:
        own = set(text_terms(d[3] or "").unigrams)
        return bool(own) and own <= asked and topic <= own

    target, missed, kp, subject, kind = next(
        (d for d in described if d[3] is not None and d[4] != "aside" and not restates(d)),
        next(
            (d for d in described if d[3] is not None and d[4] != "aside"),
            next((d for d in described if d[3] is not None), described[0]),
        ),
    )
    terms = names_first(target.text, kp.terms)
    if subject is not None and not _names_something(subject):
        subject = None  # a clause or a list, not a name to ask about
    elif subject is not None and kind != "definition" and restates(
        (target, missed, kp, subject, kind)
    ):
        # Every missed point is about the question's own subject ("How would XSS help
        # here?" after "What is XSS?"): ask about another of its key terms instead.
        others = [t for t in names_first(target.text, kp.terms, strict=True)
                  if not set(t.split()) <= asked]  # fmt: skip
        if others:
            subject, kind, terms = None, "fact", others
    return follow_up_question(
        target.text,
        feedback.question,
        missed=missed,
        terms=terms,
        label=kp.label,
        subject=subject,
        kind=kind,
        common=lambda w: is_common_word(g, w),
    )


def _names_something(subject: str) -> bool:
    """A subject short enough to be a name, with no clause punctuation in it
    ("Browsers trust a set of root CAs; intermediates" is a sentence cut short), that
    does not open with a quantifier or a possessive ("every operation", "its stack")."""
    from interviewer.subjects import DETERMINERS

    first = subject.split()[0].lower() if subject.split() else ""
    if first in DETERMINERS and first not in ("the", "a", "an"):
        return False
    return not re.search(r"[;:()]", subject) and len(subject.split()) <= 6


def names_first(point: str, terms: Sequence[str], *, strict: bool = False) -> list[str]:
    """The point's key terms, those that read as names in it first: a term that
    follows a determiner or a preposition ("the TLB"), and whose last word is not a
    verb before its object ("pollutes caches", "the system spends most ..."), nor an
    adverb ("parts recursively"), nor a verb after a singular noun ("an attacker
    injects"). ``strict``: only those."""
    from interviewer.subjects import ADVERBS, DETERMINERS, HOLLOW, PREPOSITIONS

    def verb_like(found: list[str], prev: str) -> bool:
        last = found[-1].lower()
        if last.endswith("ly") or last in ADVERBS:
            return True
        # "an attacker injects": a singular noun, then a word in -s is its verb.
        return (
            len(found) > 1 and prev in ("a", "an") and last.endswith("s")
            and not last.endswith("ss") and not found[-2].lower().endswith("s")
        )  # fmt: skip

    toks = words(point)
    stems_ = [stem(t.lower()) for t in toks]
    before_ok = DETERMINERS | PREPOSITIONS | {"of"}
    after_bad = DETERMINERS | HOLLOW | {"most", "more", "less"}
    good: list[str] = []
    rest: list[str] = []
    for term in terms:
        parts = term.split()
        ok = False
        for i in range(len(stems_) - len(parts) + 1):
            if stems_[i : i + len(parts)] != parts:
                continue
            prev = toks[i - 1].lower() if i else ""
            nxt = toks[i + len(parts)].lower() if i + len(parts) < len(toks) else ""
            acronym = all(t.isupper() and len(t) > 1 for t in toks[i : i + len(parts)])
            found = toks[i : i + len(parts)]
            if (acronym or prev in before_ok) and nxt not in after_bad \
                    and not verb_like(found, prev):  # fmt: skip
                ok = True
                break
        (good if ok else rest).append(term)
    return good if strict else good + rest



def missed_names(g: Grader, points: Sequence[KeyPoint]) -> list[str]:
    """The points' subjects as a list reads them: 'early stopping', 'disadvantage of
    ridge regression' (no article); a point without one is left out."""
    out: list[str] = []
    top = max((kp.importance for kp in points), default=0.0)
    for kp in points:
        subject, kind = describe(kp)
        # An aside or a minor point is not "most important", even when the points
        # above it have no name to give.
        if not subject or kind == "aside" or kp.importance < 0.6 * top:
            continue
        common = lambda w: is_common_word(g, w)  # noqa: E731
        name = _case(bare_subject(_case(subject, common)), common)
        if name.lower() not in (n.lower() for n in out):
            out.append(name)
    return out



# Endings of English nouns made from verbs and adjectives ("hashing", "encryption",
# "consistency"): such a word capitalised only where it opens a sentence is no name.
_DERIVED = ("ing", "tion", "sion", "ness", "ity", "ment", "ance", "ence", "ency", "ism")
_MID_SENTENCE_CAPITAL = re.compile(r"(?<=[a-z,;] )([A-Z][a-z]+)\b")


def is_common_word(g: Grader, word: str) -> bool:
    """The notes write this word in lower case somewhere: an ordinary word, not a
    name ('bagging' yes, 'Adam' and 'Hamming' no). A derived noun ('Hashing') that
    the notes capitalise only where it opens a sentence is ordinary too."""
    if g._common_words is None:
        seen: set[str] = set()
        named: set[str] = set()
        for kp in iter_points(g.bank):
            seen.update(w for w in words(kp.text) if w.islower())
            named.update(m.group(1).lower() for m in _MID_SENTENCE_CAPITAL.finditer(kp.text))
        derived = {
            w.lower() for kp in iter_points(g.bank) for w in words(kp.text)
            if w[:1].isupper() and w[1:].islower() and len(w) > 5 and w.lower().endswith(_DERIVED)
        }  # fmt: skip
        g._common_words = frozenset(seen | (derived - named))
    return word in g._common_words



def point_of(g: Grader, question_id: str | None, text: str) -> KeyPoint | None:
    """A key point of the bank, by its text."""
    for q in g.bank.questions:
        if question_id is None or q.id == question_id:
            for kp in q.key_points:
                if kp.text == text:
                    return kp
    return None



def top_missed(g: Grader, missed: list[KeyPoint]) -> list[KeyPoint]:
    """At most ``params.max_missed``, most important first, restatements merged."""
    out: list[KeyPoint] = []
    # A point the notes hedge ("I think", "as I understand it") is not one an answer
    # must make: it may earn credit, but it is never reported missing.
    for kp in _by_importance([k for k in missed if not k.doubtful] or missed):
        v = g._vector(kp)
        if any(
            float(v @ g._vector(o)) >= g.params.missed_dup_cosine
            or (kp.label and o.label and kp.label.lower() == o.label.lower())
            for o in out
        ):
            continue
        out.append(kp)
        if len(out) >= g.params.max_missed:
            break
    return out
