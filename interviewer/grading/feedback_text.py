"""Feedback prose: describing a point, the critique, the length remark, and what to
ask next (hints, the follow-up on the most important missed point, the names of
the points an answer missed)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from interviewer import lexicon
from interviewer.feedback import Citation
from interviewer.grading.coverage import by_importance as _by_importance
from interviewer.grading.models import KeyPoint
from interviewer.grading.naming import _VERBS_S, choice_parts, name_point, plural_phrase
from interviewer.grading.points import iter_points
from interviewer.grading.remainder import REST
from interviewer.grading.terms import known_words
from interviewer.language import detect_language, is_foreign
from interviewer.subjects import (
    ADVERBS,
    AUXILIARIES,
    DETERMINERS,
    HOLLOW,
    OBJECT_PRONOUNS,
    OF_WORDS,
    PARTICLES,
    PREPOSITIONS,
    bare_subject,
    subject_label,
)
from interviewer.text import NEGATIONS, STOPWORDS, WORD, stem, text_terms, words
from interviewer.text import clip as _short

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from interviewer.feedback import Feedback, Point
    from interviewer.grading.grader import Grader
    from interviewer.grading.models import Bank, Question
    from interviewer.grading.params import GradingParams


def describe(kp: KeyPoint) -> tuple[str | None, str]:
    """How feedback names a point and what kind of point it is: the subject found at
    extraction (``KeyPoint.subject``), else one found now (a rubric or ad-hoc point);
    None when the point has no nameable subject (its key words alone read badly:
    "You didn't mention indicative")."""
    subject, kind = kp.subject, kp.kind
    if subject is None:
        subject, found = name_point(kp.text, kp.label)
        if kind == "fact":
            kind = found
    return subject, kind


def _adhoc_point(p: Point) -> KeyPoint:
    """A feedback point that is not in the bank (a follow-up's own point) as a KeyPoint."""
    subject, kind = name_point(p.text)
    return KeyPoint(
        id="-", text=p.text, subject=subject, kind=kind, importance=p.importance,
        citation=p.citation or Citation(source="", heading=""),
    )  # fmt: skip


def _case(phrase: str, common: Callable[[str], bool] | None) -> str:
    """Lower the first word when it is an ordinary word capitalised only because it
    opened a sentence ('Early stopping' -> 'early stopping'); names and acronyms
    ('Adam', 'SMOTE', 'Hamming distance') keep their case."""
    head, *rest = phrase.split(" ")
    if rest and all(
        not any(c.isupper() for c in w)
        or (w[:1].isupper() and w[1:].islower() and w.lower() in known_words())
        for w in (head, *rest)
    ):
        # Title Case of ordinary words, a heading's habit ("Reduced Likelihood of
        # Vanishing Gradient"): the phrase reads in lower case.
        return phrase.lower()
    plain = head.replace("-", "")
    if not head[:1].isupper() or re.search(r"[A-Z]", plain[1:]) or not plain.isalpha():
        return phrase
    low = head.lower()
    ordinary = common(low) if common is not None else low in known_words()
    return low + phrase[len(head) :] if ordinary else phrase


def _is_clause(phrase: str) -> bool:
    """A subject that reads as a statement ('index speeds up reads'): a verb after its
    first word."""
    toks = phrase.lower().split()
    if len(toks) < 3:
        return False
    for i in range(1, len(toks) - 1):
        t, before, after = toks[i], toks[i - 1], toks[i + 1]
        if t in _VERBS_S or t in _BE:
            return True
        # "index speeds up reads": an -s verb after a noun, followed by its object.
        if (
            _plural_word(t) and before not in _NOT_BEFORE_VERB and not before.endswith("s")
            and after not in _NOT_AFTER_VERB
        ):  # fmt: skip
            return True
    return False


_BE = frozenset("is are was were".split())
_NOT_BEFORE_VERB = frozenset("the a an of for in on to with and or by as at from its their".split())
_NOT_AFTER_VERB = frozenset("of and or for in with , that which".split())


def _places(toks: list[str], term: str) -> Iterator[int]:
    """Where the (stemmed, maybe two-word) term stands in the point's words."""
    parts = term.split()
    stems_ = [stem(t.lower()) for t in toks]
    return (i for i in range(len(toks) - len(parts) + 1) if stems_[i : i + len(parts)] == parts)


def key_phrase(point: str, terms: Sequence[str]) -> str | None:
    """The point's first key term that reads as a noun phrase where the note writes it
    ('inner join', 'forty hex characters'); None when none does. A term is a window of
    the note's words, cut anywhere: see :func:`_noun_phrase`."""
    spans = [(m.group().replace("’", "'"), m.start(), m.end()) for m in WORD.finditer(point)]
    toks = [t for t, _a, _b in spans]
    for term in terms:
        for i in _places(toks, term):
            found = _noun_phrase(point, spans, i, len(term.split()))
            if found and not _indefinite(found):
                return found
    return None


_DATA = Path(__file__).with_name("feedback_text.txt")
_INDEFINITE = lexicon.words("indefinite_pronouns", _DATA)


def _indefinite(phrase: str) -> bool:
    """A phrase led by a pronoun that names nothing ("anything security", "something
    else"): no subject for a question."""
    toks = phrase.split(maxsplit=1)
    return bool(toks) and toks[0].lower() in _INDEFINITE


def _other_language_follow_up(point: str, question: str) -> str:
    """The general follow-up in the language of the notes: the point's, else (a short
    point may read as a neighbour language) that of the point and its question
    together; English where we have no wording for it."""
    wordings = lexicon.templates("follow_up_other", _DATA)
    code = "es" if question.lstrip().startswith("¿") else detect_language(point)
    if code not in wordings:
        code = detect_language(f"{question} {point}")
    return wordings.get(code, wordings["en"])


_RELATIVES = lexicon.words("phrase_relatives")
_NUMBERS = lexicon.words("phrase_numbers")
_FUNCTION = NEGATIONS | STOPWORDS | _RELATIVES
_OBJECT_OPENERS = DETERMINERS | OBJECT_PRONOUNS
_VERB_NEXT = DETERMINERS | PARTICLES | {"for"}
# Words that join clauses: a subject holding one is a sentence cut short.
_CLAUSE_JOINS = frozenset("when if so while because whenever unless although".split())
_DEFINITE = frozenset("the a an its their his her our your whose this that".split())
_NOUN_END = ("tion", "sion", "ance", "ence", "ment", "ness", "ity", "ing", "ism", "ure")
# Words after which a word in -s is a noun ("the posts", "of threads").
_NOUN_BEFORE = DETERMINERS | PREPOSITIONS | OF_WORDS | {"and", "or"}
_MODALS = frozenset("to can could will would should shall may might must".split())
# Endings of adjectives: a phrase that ends in one lacks the noun it qualifies.
_ADJECTIVE_END = ("ous", "ful", "able", "ible", "less", "ical", "tive", "sive")


def _s_verb(word: str) -> bool:
    return word.islower() and _plural_word(word) and not word.endswith("ys")


def _noun_phrase(point: str, spans: list[tuple[str, int, int]], i: int, n: int) -> str | None:
    """The words ``spans[i:i+n]`` of ``point`` as a noun phrase, or None: without the
    function words and relative pronouns at either end ('whose parent' -> 'parent'),
    cut before a verb ('init adopts and' -> 'init', 'the client acts as' -> 'client'),
    run on to the noun that a number or an adjective qualifies ('forty hex' -> 'forty
    hex characters'); none when a verb or an adverb opens it ('to rescale values',
    'loosely coupled') or an adverb or an adjective still ends it."""
    toks = [t for t, _a, _b in spans]
    low = [t.lower() for t in toks]

    def joined(k: int) -> bool:
        """Word k runs on into word k + 1, no punctuation between them."""
        gap = point[spans[k][2] : spans[k + 1][1]] if k + 1 < len(toks) else "."
        return not re.search(r"[^\w\s'’-]", gap)

    def verb_s(k: int) -> bool:
        """A word in -s after a singular word is its verb unless a pause, an auxiliary
        or a conjunction follows it ('hash collisions are', 'blog posts,')."""
        before = low[k - 1] if k else ""
        if not _s_verb(toks[k]) or not before or before in _NOUN_BEFORE or (
            before not in _FUNCTION and _plural_word(toks[k - 1])
        ):
            return False
        if not joined(k):
            return False
        nxt = low[k + 1]
        if not toks[k + 1].isalpha() or not toks[k + 1].islower() or nxt.endswith("ed"):
            return False  # "RNN cells designed to", "issues (https...": a noun
        if nxt in ("and", "or"):
            return k + 2 < len(toks) and _s_verb(toks[k + 2])
        return nxt not in AUXILIARIES and nxt not in _FUNCTION or nxt in _OBJECT_OPENERS

    start, end = i, i + n
    while start < end and low[start] in _FUNCTION:
        start += 1
    while end > start and low[end - 1] in _FUNCTION:
        end -= 1
    if start >= end:
        return None
    prev = low[start - 1] if start else ""
    if prev in _INDEFINITE or _indefinite(toks[start]):
        return None  # "anything security related": what it qualifies names nothing
    first = low[start]
    infinitive = prev in _MODALS and not (
        prev == "to"
        and (first.endswith(_NOUN_END) or _plural_word(first) or not toks[start].islower())
    )  # "to rescale" is a verb, "to performance issues" a noun
    if infinitive or first.endswith("ly") or verb_s(start):
        return None  # a verb or an adverb opens it: "to rescale values", "loosely coupled"
    for k in range(start + 1, end):
        # A verb after its subject ends the phrase ("init adopts", "FIFO evict the"),
        # and so does a participle ("the minimum located").
        if verb_s(k) or (joined(k) and low[k + 1] in _OBJECT_OPENERS) or (
            low[k].endswith("ed") and len(low[k]) > 4 and k == end - 1
        ):
            end = k
            break

    def open_ended(j: int) -> bool:
        last = low[j - 1]
        return (
            (low[start] in _NUMBERS and not _plural_word(toks[j - 1])) or last in _NUMBERS
            or (last.endswith(_ADJECTIVE_END) and len(last) > 4)
        )

    extra = 0
    while end < len(toks) and extra < 2 and open_ended(end) and joined(end - 1):
        nxt = low[end]
        if nxt in _FUNCTION or nxt.endswith("ly") or not nxt.isalpha() or len(nxt) < 3:
            break
        end += 1
        extra += 1
    if end - start == 1 and not _plural_word(toks[start]) and joined(start):
        # A lone singular word is often a modifier ("neural network", "eventual
        # consistency"): run on to a following noun, unless that reads as a verb or a
        # participle ("the parent called", "the pool keeps").
        nxt = toks[end]
        if (
            nxt.isalpha() and nxt.islower() and len(nxt) > 2 and nxt not in _FUNCTION
            and not nxt.endswith(("ly", "ed", "s"))
        ):  # fmt: skip
            end += 1
    lone_participle = end - start == 1 and low[start].endswith("ed") and len(low[start]) > 5
    if low[end - 1].endswith("ly") or open_ended(end) or lone_participle:
        return None  # "replicated asynchronously", a lone "expensive" or "unsupervised"
    phrase = " ".join(toks[start:end])
    if prev in _DEFINITE and toks[start].islower() and not _plural_word(toks[end - 1]):
        # "whose parent", "the last checkpoint": a singular noun the note counts keeps
        # an article ("about the parent"), as a bare one would not read.
        return "the " + phrase
    return phrase


def _plural_word(word: str) -> bool:
    low = word.lower()
    return len(low) > 3 and low.endswith("s") and not low.endswith(("ss", "us", "is"))


_LEADING_PREPOSITION = re.compile(
    r"^(?:on|in|at|for|with|without|under|during|before|after|when|while)\s+\S", re.IGNORECASE
)


def _is_are(subject: str) -> str:
    return "are" if plural_phrase(subject) else "is"


def follow_up_question(
    point: str,
    question: str,
    *,
    missed: bool = True,
    terms: Sequence[str] = (),
    label: str | None = None,
    subject: str | None = None,
    kind: str | None = None,
    common: Callable[[str], bool] | None = None,
) -> str:
    """A question an interviewer would ask about one key point: about its subject
    (never quoting the note's explanation, which would give the answer away), phrased
    by the kind of point: a method ("How would X help here, and what is its
    trade-off?"), a definition ("What is X?"), a cause ("Why does X matter here?"), a
    step, a formula, a property, an aside."""
    if is_foreign(point):
        # A point in another language has no English name to ask about, and quoting
        # it would give the answer away: ask in the notes' language where we can.
        return _other_language_follow_up(point, question)
    if subject is None and kind is None:
        subject, kind = name_point(point, label)
    if subject is not None and _indefinite(subject):
        subject = None  # "anything security related" names nothing to ask about
    kind = kind or "fact"
    if subject is None:
        # No noun phrase to name: ask about the point's most telling words instead.
        phrase = key_phrase(point, terms)
        if phrase is None:
            return "Which points of your notes did your answer leave out, and why do they matter?"
        if kind == "property":
            return f"What can go wrong with {phrase}, and how would you notice it?"
        return f"What can you tell me about {phrase}, and why does it matter here?"
    # "Partition Tolerance - The system continues ...": the name is before the dash.
    x = _case(re.split(r"\s[-–—]\s", subject.strip(" .,;:"), maxsplit=1)[0], common)
    if missed and _LEADING_PREPOSITION.match(x):
        # "on imbalanced data" is a circumstance, not a name: no template that puts a
        # noun in its place reads as English, so ask what to do in it.
        return f"What would you do {x}, and why?"
    if _is_clause(x):
        # "index speeds up reads": a statement, not a name; ask how it comes about.
        return f"Can you explain how {x}, and why does it matter here?"

    plural = plural_phrase(x)
    q_terms = set(text_terms(question).unigrams)
    own_topic = bool(text_terms(x).unigrams) and set(text_terms(x).unigrams) <= q_terms
    if not missed:
        if kind == "method":
            return (
                f"You mentioned {x} only briefly: how does it work, and when would you use "
                f"{'them' if plural else 'it'}?"
            )
        if kind in ("definition", "property", "formula"):
            return f"You touched on {x}. Can you state it more precisely?"
        if kind == "cause":
            return f"You touched on {x}. Why {'do they' if plural else 'does it'} matter here?"
        return (
            f"You touched on {x}. Can you go deeper: how does it work, and why does it matter here?"
        )
    if kind == "step":
        verb_phrase = x[:1].lower() + x[1:] if not re.match(r"^[A-Z]{2}", x) else x
        return (
            f"Your answer skipped a step: how would you {verb_phrase}, and why does it matter here?"
        )
    choice = choice_parts(x)
    if choice is not None:
        noun, prep, rest = choice
        return f"Which {noun} would you choose {prep} {rest}, and why?"
    if kind == "method":
        their = "are their trade-offs" if plural else "is its trade-off"
        return f"How would {x} help here, and what {their}?"
    if kind == "definition":
        if own_topic:
            return f"How would you define {x} precisely, in your own words?"
        return f"What {_is_are(x)} {x}?"
    if kind == "property":
        if " " not in x and plural_phrase(x):
            return f"Which {x.lower()} can you name?"  # "Which benefits can you name?"
        return f"What {_is_are(x)} {x}?"
    if kind == "formula":
        return f"How would you compute {bare_subject(x)}?"
    if kind == "cause":
        return f"Why {'do' if plural else 'does'} {x} matter here?"
    if kind == "aside":
        return f"Do you know {bare_subject(x)}, and how does it relate to this question?"
    return f"What can you tell me about {x}?"


def _critique(
    fb: Feedback,
    *,
    n_points: int,
    empty: bool,
    junk: bool,
    off_topic: bool,
    notes: list[str],
    missing: list[str],
    dont_know: bool = False,
    central: int = 0,
) -> str:
    parts: list[str] = []
    if dont_know:
        learn = [p.text for p in fb.missed[:3]]
        parts.append(
            "No problem: here is what your notes say to learn for this question: "
            + " ".join(f"({i}) {_short(t, 160)}" for i, t in enumerate(learn, 1))
            if learn
            else "No problem: your notes have no points to learn for this question yet."
        )
        parts.extend(notes)
        return " ".join(parts)
    if empty:
        parts.append("No answer given.")
    elif junk:
        parts.append(
            "The answer doesn't read as words making sentences, so nothing in it could be "
            "graded."
        )
    elif off_topic:
        parts.append(
            "The answer doesn't address this question: it matches none of your notes' points."
        )
    else:
        parts.append(
            f"You covered {len(fb.covered)} of the {n_points} points in your notes"
            + (f" and touched on {len(fb.partial)} more" if fb.partial else "")
            + "."
        )
        if fb.score >= 8 and len(fb.covered) < n_points and central and central < n_points:
            # Say why a high score leaves points uncovered.
            parts.append(
                f"The score counts the {central} most important points: a complete "
                "answer makes those, not every detail of the notes."
            )
    for claims, lead in (
        (fb.incorrect, f"{len(fb.incorrect)} claim(s) contradict your notes: "),
        (fb.to_check, "Differs from your notes, check: "),
    ):
        if claims:
            parts.append(lead + "; ".join(f"“{_short(c.text, 80)}”" for c in claims[:2]) + ".")
    if fb.missed and missing:
        parts.append("Most important missing: " + "; ".join(missing) + ".")
    parts.extend(notes)
    return " ".join(parts)


def junk_remark(junk: Sequence[str]) -> str:
    """A remark on the parts of an answer left ungraded because they read as no
    sentence (gibberish, words strung together)."""
    return (
        "Parts of your answer don't read as sentences and earned nothing: "
        + "; ".join(f"“{_short(c, 60)}”" for c in junk[:2])
        + "."
    )


def length_remark(answer: str, points: Sequence[KeyPoint], p: GradingParams) -> str | None:
    """A remark when the answer is far longer than the notes' own answer."""
    n_answer = len(answer.split())
    n_notes = sum(len(kp.text.split()) for kp in points)
    if n_answer < p.long_answer_min_words or n_answer < p.long_answer_ratio * n_notes:
        return None
    return (
        f"Your answer runs to {n_answer} words, about {round(n_answer / max(1, n_notes))} "
        f"times your notes' own ({n_notes} words): in an interview, make the main points "
        "briefly; length adds nothing they do not say."
    )


def next_hint(g: Grader, question: Question, already_given: int) -> KeyPoint | None:
    """The next key point to reveal: most important first, one point per distinct
    idea. None when the notes have no (more) points."""
    unique: dict[str, KeyPoint] = {}
    for kp in top_missed(g, list(question.key_points)) + _by_importance(question.key_points):
        unique.setdefault(kp.id, kp)
    ordered = list(unique.values())
    return ordered[already_given] if 0 <= already_given < len(ordered) else None


def follow_up_for(g: Grader, feedback: Feedback) -> str | None:
    """A natural question aimed at the most important missed point (or, failing
    that, a partly covered one). None for ungrounded feedback, after "I don't know",
    or when the answer already scores ``params.follow_up_below`` or more."""
    if not feedback.grounded or feedback.dont_know or feedback.score >= g.params.follow_up_below:
        # (After "I don't know" the critique gives the points to learn: asking about
        # one of them would only ask the question again.)
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
    asked = set(text_terms(feedback.question).unigrams)
    # What the question is about as a whole ("XSS"; both sides of "A vs B"): a point
    # about one side of a comparison is no restatement.
    topic = set(text_terms(subject_label(feedback.question)).unigrams)

    def restates(subject: str | None) -> bool:
        own = set(text_terms(subject or "").unigrams)
        return bool(own) and own <= asked and topic <= own

    def rank(d: tuple) -> int:
        return 3 if d[3] is None else 2 if d[4] == "aside" else int(restates(d[3]))

    target, missed, kp, subject, kind = min(described, key=rank)
    terms = names_first(target.text, kp.terms)
    if subject is not None and not _names_something(subject):
        subject = None  # a clause or a list, not a name to ask about
    elif subject is not None and kind != "definition" and restates(subject):
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
    toks = subject.split()
    first = toks[0].lower() if toks else ""
    if first in DETERMINERS and first not in ("the", "a", "an"):
        return False
    # "is checks identity", "allows for ...", "yet a machine", "scattered throughout
    # the web on", "use wraps so the wrapper": a clause, not a name.
    low = [t.lower().strip(".,") for t in toks]
    # A word in -s before a determiner, a particle or "for" is a verb ("allows for",
    # "keeps the"); before "of" or "such" a plural noun ("contents of", "solutions such").
    opens_verb = len(low) > 1 and _s_verb(first) and low[1] in _VERB_NEXT
    if first in STOPWORDS - {"the", "a", "an"} or opens_verb:
        return False
    if low and low[-1] in _FUNCTION or (len(low) > 2 and low[1] in PARTICLES):
        return False  # "... the web on", "tighten up the schema"
    if any(t in _CLAUSE_JOINS for t in low[1:]):
        return False
    return not re.search(r"[;:()]", subject) and len(toks) <= 6


def names_first(point: str, terms: Sequence[str], *, strict: bool = False) -> list[str]:
    """The point's key terms, those that read as names in it first: a term that
    follows a determiner or a preposition ("the TLB"), and whose last word is not a
    verb before its object ("pollutes caches", "the system spends most ..."), nor an
    adverb ("parts recursively"), nor a verb after a singular noun ("an attacker
    injects"). ``strict``: only those."""
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
    before_ok = DETERMINERS | PREPOSITIONS | {"of"}
    after_bad = DETERMINERS | HOLLOW | {"most", "more", "less"}

    def reads_as_name(i: int, n: int) -> bool:
        found = toks[i : i + n]
        prev = toks[i - 1].lower() if i else ""
        nxt = toks[i + n].lower() if i + n < len(toks) else ""
        named = prev in before_ok or all(t.isupper() and len(t) > 1 for t in found)
        return named and nxt not in after_bad and not verb_like(found, prev)

    good: list[str] = []
    rest: list[str] = []
    for term in terms:
        ok = any(reads_as_name(i, len(term.split())) for i in _places(toks, term))
        (good if ok else rest).append(term)
    return good if strict else good + rest


def missed_names(g: Grader, points: Sequence[KeyPoint]) -> list[str]:
    """The points' subjects as a list reads them: 'early stopping', 'disadvantage of
    ridge regression' (no article); a point without one is left out."""
    out: list[str] = []
    top = max((kp.importance for kp in points), default=0.0)
    for kp in points:
        if kp.id.endswith(REST):
            continue  # the left-out part of a point, not a point to name
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
    return word in g.derived("common words", None, lambda: _common_words(g.bank))


def _common_words(bank: Bank) -> frozenset[str]:
    seen: set[str] = set()
    named: set[str] = set()
    derived: set[str] = set()
    for kp in iter_points(bank):
        seen.update(w for w in words(kp.text) if w.islower())
        named.update(m.group(1).lower() for m in _MID_SENTENCE_CAPITAL.finditer(kp.text))
        derived.update(
            w.lower() for w in words(kp.text)
            if w[:1].isupper() and w[1:].islower() and len(w) > 5 and w.lower().endswith(_DERIVED)
        )  # fmt: skip
    return frozenset(seen | (derived - named))


def point_of(g: Grader, question_id: str | None, text: str) -> KeyPoint | None:
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
