"""Wrong claims: each answer sentence, and each of its clauses, checked by the rule
families of ``claims/`` against the notes' sentences (``find_wrong_claims``)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from interviewer.feedback import IncorrectClaim
from interviewer.grading.answer import Claim
from interviewer.grading.claims.correlation import reversed_correlation
from interviewer.grading.claims.crossed_subjects import crossed_subjects
from interviewer.grading.claims.detect import find_contradiction
from interviewer.grading.claims.exchange import exchanged_words
from interviewer.grading.claims.frequency import opposite_frequency
from interviewer.grading.claims.inversion import opposite_direction
from interviewer.grading.claims.membership import opposite_label, wrong_membership
from interviewer.grading.claims.overclaim import overclaim
from interviewer.grading.claims.polarity import polarity_flip
from interviewer.grading.claims.predicate import negated_predicate
from interviewer.grading.claims.registry import RULES, whole_sentence
from interviewer.grading.claims.sibling import sibling_swap
from interviewer.grading.claims.subject import _note_sentences
from interviewer.grading.claims.swap import contrast_swap, name_heads
from interviewer.grading.contrast import sentence_subjects, subject_names
from interviewer.grading.cues import cue_list, lower_words
from interviewer.text import ANAPHOR_START, text_terms, words

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from interviewer.grading.claims.registry import Finding
    from interviewer.grading.claims.sibling import Sibling
    from interviewer.grading.models import KeyPoint
    from interviewer.grading.params import GradingParams


# A clause that opens with one of these words leans on the clause before it.
_ATTACHED = re.compile(rf"^\s*(?:{'|'.join(cue_list('attached_openers'))})\b", re.I)

_VERBS = frozenset(cue_list("statement_verbs"))
# The verb list is short, so only a short clause is taken as having no verb of its own.
_ATTACHED_MAX_WORDS = 6


# The rules that judge a clause (not a whole sentence of several).
_CLAUSE_RULES = frozenset(name for name, rule in RULES.items() if not rule.whole)


def find_wrong_claims(
    claims: list[Claim], points: list[KeyPoint], question: str, names: frozenset[str],
    params: GradingParams, siblings: Sequence[Sibling] = (),
) -> list[IncorrectClaim]:  # fmt: skip
    """Claims the notes contradict, found only with explicit evidence (see
    ``find_contradiction``). Hedged notes ('I think', '??') are never evidence.
    ``siblings``: neighbouring sections of the notes (``claims.sibling.siblings``)."""
    evidence = [kp for kp in points if not kp.doubtful and kp.source_kind == "note"]
    qterms = set(text_terms(question).unigrams)
    out: list[IncorrectClaim] = []
    sentences = _note_sentences(evidence)

    skip = frozenset(params.disabled_rules)
    subjects = sentence_subjects([(kp.id, sent) for kp, sent, _ in sentences], names)
    own_sents = [(kp, sent) for kp, sent, _ in sentences]
    heads = name_heads(question, names)

    def check(c: Claim, ref: str | None, skip: frozenset[str] = skip) -> Finding | None:
        found = None
        mine = subject_names(c.text, names)
        if names and "swapped-subject" not in skip:
            found = contrast_swap(c.text, names, sentences, subjects, heads)
        # A claim about one of the subjects the question contrasts is compared
        # with the notes about that subject (WHERE "before", HAVING "after" are
        # no opposites), and judged by the contrast above, not by the subject
        # parser's guesses.
        own, about = skip, sentences
        if mine:
            own = skip | {"other-subject"}
            about = [
                x for x, subj in zip(sentences, subjects, strict=True)
                if not subj or subj & mine
            ]  # fmt: skip
        found = found or find_contradiction(
            c.text, evidence, qterms, about, own,
            c.parent.text if c.parent else ref if ANAPHOR_START.match(c.text) else None,
        )
        parent = c.parent.text if c.parent is not None else None
        context = parent if parent is not None else ref
        alone = c.parent is None
        # The other rule families in turn, each by its registry name (a sentence's
        # correlation or crossed subjects are read in the sentence, not its clauses).
        rules: list[tuple[str, bool, Callable[[], Finding | None]]] = [
            ("opposite-direction", True, lambda: opposite_direction(c.text, about, qterms)),
            ("reversed-correlation", alone, lambda: reversed_correlation(c.text, about, qterms)),
            ("crossed-subjects", alone, lambda: crossed_subjects(c.text, sentences)),
            ("exchanged-words", True, lambda: exchanged_words(c.text, sentences, question)),
            ("negated-phrase", True, lambda: polarity_flip(c.text, about, qterms, context)),
            ("negated-predicate", True, lambda: negated_predicate(c.text, about)),
            ("opposite-frequency", True, lambda: opposite_frequency(c.text, about, parent)),
            ("overclaim", True, lambda: overclaim(c, ref, sentences, qterms)),
            ("opposite-label", True, lambda: opposite_label(c.text, sentences)),
            ("wrong-family", True, lambda: wrong_membership(c.text, sentences)),
            ("sibling-swap", bool(siblings),
             lambda: sibling_swap(c.text, context, own_sents, siblings)),
        ]  # fmt: skip
        for name, applies, rule in rules:
            if found is None and applies and name not in skip:
                found = rule()
        return found

    clauses: dict[int, list[Claim]] = {}
    for c in claims:
        if c.parent is not None:
            clauses.setdefault(id(c.parent), []).append(c)
    hits: list[tuple[Claim, Finding]] = []
    antecedent: str | None = None  # what a leading pronoun refers to
    for sent in (c for c in claims if c.parent is None):
        found = check(sent, antecedent)
        # The smallest wrong unit is reported: in "Duplicate the minority samples;
        # this has no downside" only the second clause is wrong.
        part_hits = []
        ref = antecedent
        prev: Claim | None = None
        for cl in clauses.get(id(sent), []):
            if (
                prev is not None
                and _ATTACHED.match(cl.text)
                and len(words(cl.text)) <= _ATTACHED_MAX_WORDS
                and not _VERBS & lower_words(cl.text)
            ):
                # A clause that opens with a preposition, with no verb of its own
                # ("HAVING is applied first, to the individual rows"), completes the one
                # before it.
                cl = replace(cl, text=f"{prev.text} {cl.text}")
            got = check(cl, ref)
            prev = cl
            if got is not None:
                part_hits.append((cl, got))
            if not ANAPHOR_START.match(cl.text):
                ref = cl.text
        whole = found is not None and whole_sentence(found.rule)
        n_parts = len(clauses.get(id(sent), []))
        if found is not None and not whole and not part_hits and n_parts >= 2:
            # A clause-level finding on the whole sentence is no evidence (see below),
            # but a rule that judges whole sentences may still find one.
            found = check(sent, antecedent, skip | _CLAUSE_RULES)
            whole = found is not None
        if found is not None and not part_hits and (n_parts < 2 or whole):
            hits.append((sent, found))
        else:
            # A sentence of several clauses, none wrong alone, is two statements
            # side by side ("A too simple model has high bias ...; a model with
            # many parameters has high variance ..."), not one wrong statement.
            # (Directions are the exception: "reduces the bias, at the cost of
            # more variance" is wrong only as a whole.)
            hits.extend(part_hits)
        if not ANAPHOR_START.match(sent.text):
            antecedent = sent.text
    for c, (kp, correction, rule) in hits:
        if any(c.text in o.text or o.text in c.text for o in out):
            continue
        out.append(
            IncorrectClaim(
                text=c.text, correction=correction, citation=kp.citation, source="grounded",
                rule=rule, advisory=params.advisory(rule),
            )
        )
    return out
