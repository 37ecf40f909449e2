"""The wrong-claim rules by name. Each rule finds one kind of evidence that an answer's
statement contradicts a note statement; a rule's name travels with what it finds
(``IncorrectClaim.rule``) so that evals can measure each rule's precision and
``GradingParams.advisory_rules`` can turn a rule into a "check this" remark."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from interviewer.text import clip

if TYPE_CHECKING:
    from collections.abc import Set as AbstractSet

    from interviewer.grading.models import KeyPoint

    # (subject stems, verb, predicate) of a simple "S is P" sentence (``subject._subject``).
    Parsed = tuple[AbstractSet[str], str, str]
    # What the rules compare a claim with: each note sentence, its point, its parse.
    NoteSentence = tuple[KeyPoint, str, Parsed | None]


@dataclass(frozen=True)
class Rule:
    name: str
    family: str  # the module of interviewer.grading.claims that holds it
    summary: str
    # The strong kind of evidence: the claim aligns with one note statement and
    # inverts it. Other rules infer more (a definition worded differently, a
    # family, a scope) and are advisory by default.
    inversion: bool
    # A swap (what the notes say of one subject, said of another) makes neither
    # subject's point, even where the rule only advises a check.
    voids_credit: bool = False
    # Found in a whole sentence of several clauses, none wrong alone ("increases in
    # sequence and decreases in parallel").
    whole: bool = False


class Finding(NamedTuple):
    """A claim's contradiction: the note point, the correction shown, the rule."""

    point: KeyPoint
    correction: str
    rule: str


def quoting(point: KeyPoint, lead: str, sent: str, rule: str, n: int = 200) -> Finding:
    """A finding whose correction quotes the note sentence ("Your notes say: “…”")."""
    return Finding(point, f"{lead}: “{clip(sent, n)}”", rule)


RULES: dict[str, Rule] = {
    r.name: r
    for r in [
        Rule("negation", "inversion", "restates a note sentence with the negation flipped", True),
        Rule("not-only", "inversion", "says 'only X' where the notes say 'not only X'", False),
        Rule("opposite-words", "inversion", "pairs the note's subject with the opposite word "
             "(high/low, more/less)", True),
        Rule("opposite-direction", "inversion", "says a thing goes up where a note sentence "
             "about it says down (or back)", True, whole=True),
        Rule("negated-phrase", "polarity", "denies a phrase a note sentence states, or states "
             "one it denies", True),
        Rule("denied-change", "unchanged", "says an act changes nothing where a note "
             "sentence says it changes something", True),
        Rule("negated-predicate", "predicate", "says 'S is P' where a note sentence says 'S is "
             "not P' (or the reverse)", True),
        Rule("cause-as-fix", "inversion", "offers what the notes call a cause as a fix", False),
        Rule("instead-of", "inversion", "says Y where the notes say X instead of Y", True),
        Rule("swapped-operation", "inversion", "a sum where the notes say a product", True),
        Rule("other-subject", "swap", "says of one subject what the notes say of another", False),
        Rule("swapped-subject", "swap", "of two subjects the question contrasts, says of one "
             "what the notes say of the other", True, voids_credit=True),
        Rule("crossed-pairs", "crossed", "pairs two things with a word and its opposite the "
             "other way round from the notes", True, voids_credit=True, whole=True),
        Rule("sibling-swap", "sibling", "says of this subject what a neighbouring section of "
             "the notes says of its own", True, voids_credit=True),
        Rule("crossed-subjects", "crossed_subjects", "of two subjects one sentence contrasts, "
             "says of each what the notes say of the other", True, voids_credit=True,
             whole=True),
        Rule("exchanged-words", "exchange", "restates a note sentence with two of its words "
             "exchanged (read/write, master/slave)", True, whole=True),
        Rule("conflicting-definition", "swap", "defines a subject in words no note sentence "
             "about it shares", False),
        Rule("reversed-correlation", "correlation", "says 'the smaller X, the less Y' where "
             "the notes tie a small X to more Y", True, whole=True),
        Rule("opposite-frequency", "frequency", "says 'never' of what a note clause says "
             "happens usually or sometimes (or the reverse)", True),
        Rule("overclaim", "overclaim", "says always/only where the notes limit it", False),
        Rule("opposite-label", "membership", "says a listed thing is L where the notes list "
             "it under L's opposite", True),
        Rule("wrong-family", "membership", "files a thing under another group", False),
    ]
}  # fmt: skip


_NO_RULE = Rule("", "", "", inversion=False)


def voids_credit(rule: str | None) -> bool:
    """Whether a claim flagged by this rule earns nothing, advisory or not."""
    return RULES.get(rule or "", _NO_RULE).voids_credit


def earns_nothing(rule: str | None) -> bool:
    """Whether a claim flagged by this rule earns no credit even where the rule is only
    advisory. Two tiers: a rule precise on held-out corpora flags (the claim is shown as
    wrong and costs points); a weaker one only asks for a check, without penalty
    (``GradingParams.advisory_rules``), but an inversion it finds still makes no point:
    the claim says the opposite of the note. Rules that infer more (another subject's
    words, a scope, a family) leave the claim its credit."""
    r = RULES.get(rule or "", _NO_RULE)
    return r.voids_credit or r.inversion


def whole_sentence(rule: str | None) -> bool:
    """Whether the rule judges a sentence as a whole (its clauses alone are fine)."""
    return RULES.get(rule or "", _NO_RULE).whole
