"""Which key points an answer covers: the evidence one claim gives one point."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from interviewer.grading.cues import (
    ANTONYMS,
    adj_pairs,
    aligned_part,
    alternation,
    cue_list,
    cue_regex,
    negation_over,
)
from interviewer.text import (
    ANAPHOR_WORDS,
    DEFINITIONAL,
    NEGATIONS,
    split_clauses,
    split_sentences,
    stem_set,
    text_terms,
    words,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from collections.abc import Set as AbstractSet

    from interviewer.feedback import IncorrectClaim
    from interviewer.grading.answer import Claim
    from interviewer.grading.models import KeyPoint, Question


Status = Literal["missed", "partial", "covered"]
STATUSES: tuple[Status, Status, Status] = ("missed", "partial", "covered")
RANK = {"missed": 0, "partial": 1, "covered": 2}


@dataclass
class Assessment:
    status: Status
    sim: float
    lex: float
    evidence: str | None
    credit: float | None = None  # share of a compound point's clauses made, when partial



def gradable_points(q: Question) -> list[KeyPoint]:
    """The points an answer is graded on: not the ones the notes hedge ("as I
    understand it, precision is how confident the model is"), which earn nothing and
    are never reported missing (unless the notes hedge everything they say)."""
    points = [kp for kp in q.key_points if kp.text.strip()]
    # A point that only names what the question asks about ("Cache-aside" for "How
    # does the cache-aside pattern work?") says nothing an answer owes.
    asked = stem_set(q.text)
    points = [kp for kp in points if not stem_set(kp.text) <= asked] or points
    firm = [kp for kp in points if not kp.doubtful]
    return [_weighed(kp) for kp in firm or points]


def own_points(q: Question, points: Sequence[KeyPoint]) -> tuple[int, int] | None:
    """How many points come from the question's own section, and how many sections
    directly under it hold two or more of the others (one alone is a detail: a link
    under "Further reading"). A heading with no text of its own over one section is
    that section; over several ("My first answer", "My final answer") it has no own
    material to set apart: None then, as when no section holds others, or for a
    question the notes do not ask."""
    if not q.section_id or not q.heading:
        return None
    depth = q.heading.count(" > ")
    paths = [kp.citation.heading.split(" > ") for kp in points if kp.citation.kind == "note"]
    while True:
        own = sum(1 for path in paths if len(path) <= depth + 1)
        parts = Counter(" > ".join(path[: depth + 2]) for path in paths if len(path) > depth + 1)
        if own or len(parts) != 1:
            break
        depth += 1
    n_parts = sum(1 for k in parts.values() if k >= 2)
    return (own, n_parts) if own and n_parts else None


# A point that only pictures an idea ("A clever way to think about it is ...", "For
# example, ...") weighs this much of its importance: the answer owes the idea, not the
# notes' illustration of it.
ILLUSTRATION_WEIGHT = 0.5
_ILLUSTRATION = cue_regex("illustration")


def _weighed(kp: KeyPoint) -> KeyPoint:
    if _ILLUSTRATION.search(kp.text[:120]):
        return kp.model_copy(update={"importance": round(kp.importance * ILLUSTRATION_WEIGHT, 3)})
    return kp


def topic_matches(topic: str, q: Question) -> bool:
    hay = " ".join([q.text, q.heading, q.topic, *q.tags])
    if topic.lower().strip() in hay.lower():
        return True
    want = text_terms(topic).unigrams
    return bool(want) and set(want) <= text_terms(hay).all


def by_importance(points: Sequence[KeyPoint]) -> list[KeyPoint]:
    return sorted(points, key=lambda k: -k.importance)


# Derivational endings the stemmer keeps apart from their root ('sparsiti' / 'spars',
# 'ownership' / 'own', 'faster' / 'fast'): a claim's 'sparse activations' uses the
# word of a point's 'Sparsity'.
_DERIVED = ("ership", "ship", "ness", "ment", "iti", "er")


def _variant(a: str, b: str) -> bool:
    short, long_ = sorted((a, b), key=len)
    if len(short) < 3 or not long_.startswith(short):
        return False
    rest = long_[len(short) :]
    # (A three-letter root only before a long ending: 'own' / 'ownership'.)
    return rest in _DERIVED and (len(short) >= 4 or len(rest) >= 4)


def has_term(term: str, terms: AbstractSet[str]) -> bool:
    """The term is among ``terms``, as it is or as a derived form of one of them
    (one-word terms only)."""
    if term in terms:
        return True
    if " " in term or len(term) < 3:
        return False
    head = term[:3]
    return any(t[:3] == head and " " not in t and _variant(term, t) for t in terms)


def label_in(label: set[str], terms: set[str]) -> bool:
    """The label is named: all its words, or all but one of three or more
    ('Feature selection / Pruning' is named by 'feature selection')."""
    found = sum(1 for w in label if has_term(w, terms))
    return found == len(label) or (len(label) >= 3 and found >= len(label) - 1)


# "X rather than Y" denies Y as "not Y" does ("judged by what it does rather than by
# its class" against "not by its class").
_DENIAL = re.compile(r"\b(?:rather than|instead of)\b", re.I)


def opposes(claim: str, point: str, qterms: AbstractSet[str] = frozenset()) -> bool:
    """``_opposition``, unless it is gone once "rather than" and "instead of" read as
    "not" (which only clears an opposition: the claim may name the side the point
    judges without a negation, "accuracy misleads")."""
    if not _opposition(claim, point, qterms):
        return False
    denied = _DENIAL.sub("not", claim), _DENIAL.sub("not", point)
    return denied == (claim, point) or _opposition(*denied, qterms)


def _opposition(claim: str, point: str, qterms: AbstractSet[str] = frozenset()) -> bool:
    """The claim pairs the point's nouns with opposite modifiers ('low variance'
    against 'high variance'), or negates what the point states (the whole claim, or
    one of its clauses: see ``_clause_negates``). A claim that names both sides
    ("supervised ..., while unsupervised ...") contrasts, not opposes."""
    if _clause_negates(claim, point, qterms):
        return True
    c_pairs, p_pairs = adj_pairs(claim), adj_pairs(point)
    if (
        c_pairs
        and p_pairs
        and any(
            (ANTONYMS[a], n) in p_pairs
            and (a, n) not in p_pairs
            and (ANTONYMS[a], n) not in c_pairs
            for a, n in c_pairs
        )
    ):
        return True
    p_stems = stem_set(point)
    part = aligned_part(claim, p_stems)
    shared = stem_set(part) & p_stems
    return (
        len(shared) >= 3
        and len(shared) >= 0.7 * len(p_stems)
        and negation_over(part, shared) != negation_over(point, shared)
    )


# "non-null" negates "null"; a clause with a condition in it is left alone.
_NON = re.compile(r"\bnon-(?=\w)", re.I)
_CONDITIONAL = re.compile(r"\b(?:if|when|whenever|where|unless|until|once)\b", re.I)


@lru_cache(maxsize=20_000)
def _plain_clauses(claim: str) -> tuple[str, ...]:
    """The claim's clauses ("non-" read as "not"), without those holding a condition
    ("NULLs where the right side has no match": a condition's polarity is not what
    the clause states)."""
    return tuple(
        c for c in split_clauses(_NON.sub("not ", claim)) if not _CONDITIONAL.search(c)
    )


def _clause_negates(claim: str, point: str, qterms: AbstractSet[str]) -> bool:
    """A clause of the claim that is about the point's own words (two or more of
    them besides the question's, most of the clause's) and negates them where the
    point does not, or the reverse: "it never switches to kernel mode" against "the
    program ... switches the CPU from user mode to kernel mode". (The question's words
    are left out: "UNION ALL doesn't remove duplicates" shares only "duplicates" with
    "UNION ALL keeps every row, duplicates included".)"""
    point = _NON.sub("not ", point)
    p_stems = stem_set(point) - qterms
    p_words = frozenset(w.lower() for w in words(point))
    for clause in _plain_clauses(claim):
        c_stems = stem_set(clause) - qterms
        shared = c_stems & p_stems
        if (
            len(shared) >= 2
            and len(shared) >= 0.7 * len(c_stems)
            and negation_over(clause, shared) != negation_over(point, shared)
        ):
            return True
        # Two of the same things (the question's subject may be one) with the
        # opposite word and no negation to turn it back: "gear changes are simpler"
        # against "Changing gears on a hub is more complex". (Not against a
        # comparison: "cheaper than a new frame" states "... than a new frame of
        # dearer alloy" from its other side.)
        both = stem_set(clause) & stem_set(point)
        if (
            len(both) >= 2
            and "than" not in p_words
            and negation_over(clause, both) == negation_over(point, both)
            and graded_opposite(clause, p_words)
        ):
            return True
    return False


def graded_opposite(clause: str, p_words: AbstractSet[str]) -> bool:
    """The clause uses the opposite of a graded word of the point, not negated ("not
    simpler" says what "more complex" does), and not the point's word too (naming
    both sides is a contrast: "simple X underfit, complex X overfit")."""
    toks = [w.lower() for w in words(clause)]
    if p_words & set(toks) & _GRADED.keys():
        return False
    return any(
        _GRADED.get(t, frozenset()) & p_words and not NEGATIONS & set(toks[max(0, i - 3) : i])
        for i, t in enumerate(toks)
    )


def _graded() -> dict[str, frozenset[str]]:
    """Each degree of the graded opposites, to every degree of its partner ("slower"
    -> fast, faster, fastest): predicates, unlike the modifier pairs ("more", "high")
    that ``adj_pairs`` checks with their noun."""
    from interviewer.grading.claims.degree import forms

    out: dict[str, set[str]] = {}
    for line in cue_list("graded_antonyms"):
        a, b = line.split()
        for x, y in ((a, b), (b, a)):
            for fx in forms(x):
                out.setdefault(fx, set()).update(forms(y))
    return {k: frozenset(v) for k, v in out.items()}


_GRADED = _graded()


_ALTERNATIVES = re.compile(r"\s*(?:,|/|\bor\b|\band\b)\s*", re.I)
_LABEL_GENERIC = {"method", "techniqu", "approach", "strategi", "type", "kind", "other"}
NAMED_NOT_MADE = {"definition", "formula", "property"}
_EXAMPLES = re.compile(
    r"\b(?:e\.\s?g\.?|such as|for example|for instance|like)\s*,?\s*(?P<ex>[^.;:]{2,120})", re.I
)


def name_item(kp: KeyPoint) -> bool:
    return not kp.label and kp.kind == "method" and len(kp.text.split()) <= 6 and bool(kp.subject)


# A clause that opens by pointing back (a relative word or a pronoun: "..., which ...",
# "...; they ...") is about what its sentence names.
_RELATIVE = re.compile(rf"^\W*(?:where|which|who|whose|when|whereby|{ANAPHOR_WORDS})\b", re.I)
DASH_NAME = re.compile(r"^([^-–—:;,.]{2,40}?)\s[-–—]\s+\S")


def label_sets(kp: KeyPoint, qterms: AbstractSet[str] = frozenset()) -> list[set[str]]:
    """The ways a claim can name the point: its label ('Regularization') and the
    examples the note gives right after it ('e.g. Dropout or other methods (lasso
    regularization, ridge regression)'). Of a point that is only a name, the
    question's own words are understood ("green" names "Green tea" in answer to
    "Which teas are there?"), unless they are all the name has."""
    sets = _label_sets(kp)
    bare = kp.label is not None and kp.text.strip(" .:") == kp.label.strip(" .:")
    if not (bare or name_item(kp)):
        return sets
    # (Added ways, none taken away: a name of three words still needs only two.)
    return sets + [ls - qterms for ls in sets if ls - qterms and ls & qterms]


def _label_sets(kp: KeyPoint) -> list[set[str]]:
    if not kp.label:
        # A short item that is only a name ("Ridge (L2 norm)", "Multidimensional
        # Scaling") is named by its words, like a label.
        if name_item(kp):
            stems = set(text_terms(kp.text).unigrams) - _LABEL_GENERIC
            out_ = [stems] if stems else []
            # Its name outside the brackets and a short alias inside name it too:
            # "PCA" names "Principal Component Analysis (PCA)", "feature selection"
            # names "Feature Selection(manual or via statistical methods)". Only short
            # ones (all their words needed): "component analysis" names no PCA.
            main = re.sub(r"\([^()]*\)", " ", kp.text)
            for piece in [main, *re.findall(r"\(([^()]*)\)", kp.text)]:
                part = set(text_terms(piece).unigrams) - _LABEL_GENERIC
                if part and part != stems and len(part) <= 2:
                    out_.append(part)
            return out_
        # "Oversampling or undersampling. Instead of sampling ...": a point that opens
        # with a bare name is named by it (each alternative on its own).
        sents = split_sentences(kp.text)
        head = sents[0].rstrip(". ") if len(sents) > 1 else ""
        if dash := DASH_NAME.match(kp.text):
            head = dash.group(1)  # "Reefing - shortening sail ...": a name too
        if head and len(head.split()) <= 4 and not DEFINITIONAL.search(head):
            alts = [set(text_terms(a).unigrams) - _LABEL_GENERIC for a in _ALTERNATIVES.split(head)]
            return [a for a in alts if a]
        return []
    out = [
        set(text_terms(kp.label).unigrams) - _LABEL_GENERIC or set(text_terms(kp.label).unigrams)
    ]
    # A label's name outside its brackets names it too, and so does an acronym
    # inside them: "FIR" names "FIR (finite impulse response)", "PSU" names "Power
    # Supply Unit (PSU)".
    for piece in [re.sub(r"\([^()]*\)", " ", kp.label),
                  *re.findall(r"\((\w*[A-Z]\w*[A-Z]\w*)\)", kp.label)]:  # fmt: skip
        part = set(text_terms(piece).unigrams) - _LABEL_GENERIC
        if part and part != out[0]:
            out.append(part)
    rest = kp.text[len(kp.label) :][:200].lstrip(" :=–—")
    m = _EXAMPLES.search(rest)
    listed = None
    if m:
        listed = m.group("ex")
    elif len(rest.split()) <= 8 and re.search(r"[,?/]|\bor\b", rest):
        # "A metric to measure: Accuracy? Recall? Precision?": the names are the point.
        listed = rest
    if listed:
        for piece in re.split(r"[,?/()]|\bor\b|\band\b", listed):
            stems = set(text_terms(piece).unigrams) - _LABEL_GENERIC
            if 1 <= len(stems) <= 3:
                out.append(stems)
    return [x for x in out if x]


_MATH = re.compile(
    r"[\w'’]*\((?:[^()]|\([^()]*\))*\)(?:[*+/^=·-]+[\w'’]*(?:\((?:[^()]|\([^()]*\))*\))?)*"
)


def formula_in(claim: str, point: str) -> bool:
    """The claim writes a formula of the point (spaces and escapes aside):
    "f'(g(x)) * g'(x)" in "... f'(g(x))\\*g'(x)"."""
    if "(" not in claim or "(" not in point:
        return False
    compact_point = _compact_math(point)
    for m in _MATH.finditer(_compact_math(claim)):
        span = m.group(0)
        if len(span) >= 7 and re.search(r"[*+/^=·-]", span) and span in compact_point:
            return True
    return False


@lru_cache(maxsize=20_000)
def _compact_math(text: str) -> str:
    return re.sub(r"\s*([*+/^=·()-])\s*", r"\1", text.replace("\\", ""))


def lexical(
    terms: Sequence[str],
    claim_terms: set[str],
    weights: dict[str, float],
    default: float,
    qterms: set[str],
) -> float:
    """Weighted share of the point's key terms used by one claim. Terms of the
    question itself weigh little: every answer about overfitting says 'overfitting'."""
    total = 0.0
    hit = 0.0
    for t in terms:
        w = weights.get(t, default)
        if t in qterms:
            w *= 0.2
        total += w
        if has_term(t, claim_terms):
            hit += w
        elif " " in t:
            # A paraphrase keeps the telling word of a two-word term ("discourage
            # complex models" for "discourages learning a more complex ... model"):
            # half of it. Its common word alone ("validation" of "cross-validation")
            # is the topic, not the point.
            a, b = t.split(" ", 1)
            rare = a if weights.get(a, default) >= weights.get(b, default) else b
            if rare in claim_terms:
                hit += 0.5 * w
    return hit / total if total else 0.0


# ---- swapped subjects lose their credit ------------------------------------------------

_QUOTED = re.compile(r"“([^”]+)”")


def void_swapped(
    assessments: dict[str, Assessment],
    flagged: Sequence[IncorrectClaim],
    points: Sequence[KeyPoint],
    names: AbstractSet[str],
) -> list[str]:
    """A claim that says of one subject what the notes say of another (a swap rule's
    flag, advisory or not) makes neither point: the point whose statement it took and
    the points about its own subject are set missed, whatever other claims (a list of
    the names alone) earned them. Returns the ids set missed."""
    from interviewer.grading.claims.registry import voids_credit
    from interviewer.grading.contrast import subject_names

    voided: list[str] = []
    for claim in flagged:
        if not voids_credit(claim.rule):
            continue
        quoted = [q.rstrip("…").strip() for q in _QUOTED.findall(claim.correction)]
        taken = [
            kp for kp in points
            if kp.citation == claim.citation and any(q and q in kp.text for q in quoted[:1])
        ]  # fmt: skip
        # Every point about either subject (its statement, its name in a list).
        subjects = set(subject_names(claim.text, names)) if names else set()
        if subjects and quoted:
            subjects |= subject_names(quoted[0], names)
        own = [
            kp for kp in points
            if subjects and (got := subject_names(kp.text, names)) and got <= subjects
        ]  # fmt: skip
        for kp in taken + own:
            a = assessments.get(kp.id)
            if a is not None and a.status != "missed":
                assessments[kp.id] = Assessment("missed", a.sim, a.lex, None)
                voided.append(kp.id)
    return voided


# ---- labelled siblings -------------------------------------------------------------------

# A label that names no subject, only a kind of point ("Problems:", "Pros and cons").
GENERIC_LABEL = re.compile(r"(?:" + alternation("generic_labels") + r")$", re.I)


def sibling_named(points: Sequence[KeyPoint], claims: Sequence[Claim]) -> list[tuple[int, int]]:
    """(point, claim) pairs where the claim names another labelled point of the question
    and not this labelled one ("Circular wait, where each process waits for a lock
    held by the next" is about circular wait, not "Hold and wait", whatever words they
    share). A clause that names none is about what its sentence names; a claim that
    names several lists them and may still make any."""
    # A label names a subject unless it is a generic heading ("Problems:"); the claim
    # must use all its words.
    sets = [
        label_sets(kp) if kp.label and not GENERIC_LABEL.match(kp.label.strip()) else []
        for kp in points
    ]
    keys = [
        (kp.label or "").strip().lower() if ls else ""
        for kp, ls in zip(points, sets, strict=True)
    ]
    if len({k for k in keys if k}) < 2:
        return []
    named: dict[int, set[str]] = {}
    for c in claims:
        named[id(c)] = {
            keys[i] for i, ls in enumerate(sets) if any(x <= c.terms for x in ls)
        }  # fmt: skip
    out: list[tuple[int, int]] = []
    for j, c in enumerate(claims):
        mine = named[id(c)]
        if not mine and c.parent is not None:
            mine = named.get(id(c.parent), set())
            if not _RELATIVE.match(c.text):
                # An item of a list ("..: bowline for loops, cleat hitch for
                # mooring") is not about what another item names.
                mine = mine - set().union(*(
                    named[id(o)] for o in claims if o is not c and o.parent is c.parent
                ))  # fmt: skip
        if len(mine) != 1:
            continue  # (a list of names is no statement about one of them)
        out.extend((i, j) for i, k in enumerate(keys) if k and k not in mine)
    return out
