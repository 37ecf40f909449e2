"""Reversed and swapped answers caught by the wrong-claim rules, and correct paraphrases
left alone: on small notes written here (SQL, operating systems, networking, ML), not
on any bundled notes."""

from __future__ import annotations

import pytest

from interviewer.feedback import Feedback
from interviewer.grading import Grader, GradingParams
from interviewer.grading.claims.degree import forms, lessened
from interviewer.grading.claims.registry import RULES, earns_nothing, voids_credit
from tests.notes_grading import grade, grader_over

DEFAULTS = GradingParams()

NOTES = """\
# Interview notes

## Metrics

### What is Precision?

Precision is the share of predicted positives that really are positive.
Precision = true positives / (true positives + false positives)

### What is Recall?

Recall is the share of actual positives that the model finds.
Recall = true positives / (true positives + false negatives)

## Replication

### Synchronous replication

The primary waits until every replica has confirmed a write before it answers the
client, so an acknowledged write survives the loss of the primary. Writes are slower.

### Asynchronous replication

The primary answers the client as soon as the write is stored locally and ships it to
the replicas later, so writes are fast but the newest writes can be lost in a crash.

## Penalties

### What do weight penalties do in a linear model?

An L1 penalty drives some weights to exactly zero, so it also selects features.
An L2 penalty shrinks every weight towards zero without making any of them zero, so
all features stay in the model.

## Kernels

### What is a system call?

A system call is how a user program asks the kernel for a service such as reading a
file. A trap instruction switches the processor from user mode to kernel mode, and the
kernel returns to user mode when it is done. The mode switch makes a system call much
more expensive than a plain function call.

### What are the four conditions for a deadlock?

A deadlock needs mutual exclusion, hold and wait, no preemption and a circular wait,
all four at once. Breaking any one condition prevents deadlock.

## Transactions

### What are the isolation levels?

From weakest to strongest: read uncommitted, read committed, repeatable read and
serializable.

- **Serializable**: no anomalies at all. The strongest level is also the slowest one.
- **Read uncommitted**: dirty reads are possible.

### What does denormalisation do to reads and writes?

Denormalisation copies data into several tables to speed up reads at the expense of
slower writes.
"""

PRECISION = "What is Precision?"
RECALL = "What is Recall?"
SYNC = "Synchronous replication"
PENALTY = "What do weight penalties do in a linear model?"
SYSCALL = "What is a system call?"
DEADLOCK = "What are the four conditions for a deadlock?"
LEVELS = "What are the isolation levels?"
DENORM = "What does denormalisation do to reads and writes?"


@pytest.fixture(scope="module")
def grader(tmp_path_factory: pytest.TempPathFactory) -> Grader:
    return grader_over(tmp_path_factory, NOTES, "claims")


def rules(fb: Feedback) -> list[str]:
    return [c.rule or "" for c in fb.incorrect]


def clean(fb: Feedback) -> bool:
    return not fb.incorrect and not fb.to_check



# ---- the sibling section's statement -------------------------------------------------------


def test_the_formula_of_the_sibling_heading_is_a_swap(grader: Grader) -> None:
    fb = grade(grader, PRECISION, "Precision is true positives divided by true positives plus "
               "false negatives.")  # fmt: skip
    assert rules(fb) == ["sibling-swap"] and fb.score <= 3
    assert "Recall" in fb.incorrect[0].correction
    other = grade(grader, RECALL, "Recall is true positives over true positives plus false "
                  "positives.")  # fmt: skip
    assert rules(other) == ["sibling-swap"] and other.score <= 3


def test_the_right_formula_in_other_words_is_not_flagged(grader: Grader) -> None:
    for answer in (
        "Precision is true positives over true positives plus false positives.",
        "Precision = TP / (TP + FP): of everything predicted positive, the share that is.",
        "Of the items the model calls positive, the fraction that really are positive.",
    ):
        fb = grade(grader, PRECISION, answer)
        assert clean(fb), (answer, fb.incorrect)
        # (The definition alone, without the formula, is half the notes.)
        assert fb.score >= (6 if "positives" in answer or "TP" in answer else 4), answer
    # Naming the sibling compares the two: no swap.
    fb = grade(grader, PRECISION, "Precision divides by predicted positives, while recall "
               "divides by true positives plus false negatives.")  # fmt: skip
    assert "sibling-swap" not in rules(fb)


def test_the_predicate_of_the_sibling_section_is_a_swap(grader: Grader) -> None:
    wrong = grade(
        grader, SYNC, "In synchronous replication the primary answers the client as soon as "
        "the write is stored locally and ships it to the replicas later."
    )  # fmt: skip
    assert rules(wrong) == ["sibling-swap"] and wrong.score <= 3
    right = grade(grader, SYNC, "With synchronous replication the primary only answers the "
                  "client once every replica has confirmed the write, so an acknowledged write "
                  "is never lost; writes get slower.")  # fmt: skip
    assert clean(right) and right.score >= 6


# ---- two subjects of one sentence swapped --------------------------------------------------


def test_two_subjects_crossed_in_one_sentence(grader: Grader) -> None:
    wrong = grade(grader, PENALTY, "L2 drives some weights to exactly zero and selects features, "
                  "while L1 shrinks every weight towards zero and keeps all features.")  # fmt: skip
    assert "crossed-subjects" in rules(wrong) and wrong.score <= 4
    right = grade(
        grader, PENALTY, "L1 pushes some weights all the way to zero, which selects features, "
        "while L2 only shrinks every weight and keeps all features."
    )  # fmt: skip
    assert clean(right) and right.score >= 6


# ---- negation of a note statement, opposite comparisons --------------------------------------


def test_a_denied_phrase_and_an_opposite_comparative(grader: Grader) -> None:
    wrong = grade(grader, SYSCALL, "A system call is a plain library function; it never switches "
                  "to kernel mode, so it is cheaper than a plain function call.")  # fmt: skip
    assert {"negated-phrase", "opposite-words"} <= set(rules(wrong))
    assert wrong.score <= 5
    right = grade(grader, SYSCALL, "A user program asks the kernel for a service: a trap switches "
                  "the CPU from user mode to kernel mode and back, which makes it costlier than "
                  "a plain function call.")  # fmt: skip
    assert clean(right) and right.score >= 6
    # "less expensive" is "cheaper": no opposite of "cheaper" either.
    assert not lessened("it is cheaper", "cheaper") and lessened(
        "it is less expensive", "expensive"
    )


def test_not_enough_to_prevent_denies_prevents(grader: Grader) -> None:
    wrong = grade(grader, DEADLOCK, "All four must hold: mutual exclusion, hold and wait, no "
                  "preemption and circular wait. Breaking a single condition is not enough to "
                  "prevent it.")  # fmt: skip
    assert "negation" in rules(wrong)
    right = grade(grader, DEADLOCK, "Mutual exclusion, hold and wait, no preemption and circular "
                  "wait must all hold; breaking any one of them prevents a deadlock.")  # fmt: skip
    assert clean(right) and right.score >= 6


def test_opposite_superlatives(grader: Grader) -> None:
    wrong = grade(grader, LEVELS, "Serializable is the weakest and fastest level.")
    assert "opposite-words" in rules(wrong)
    right = grade(grader, LEVELS, "Read uncommitted, read committed, repeatable read and "
                  "serializable, from weakest to strongest; serializable is the strongest and "
                  "the slowest.")  # fmt: skip
    assert clean(right) and right.score >= 6


def test_two_words_of_a_note_sentence_exchanged(grader: Grader) -> None:
    wrong = grade(grader, DENORM, "Denormalisation copies data into several tables to speed up "
                  "writes at the expense of slower reads.")  # fmt: skip
    assert rules(wrong) == ["exchanged-words"] and wrong.score <= 3
    for answer in (
        "It copies data into several tables: reads get faster and writes get slower.",
        "Writes become slower, because copies of the data sit in several tables, but reads "
        "speed up.",
    ):
        fb = grade(grader, DENORM, answer)
        assert clean(fb) and fb.score >= 6, (answer, fb.incorrect)


def test_degrees_of_comparison() -> None:
    assert forms("big") >= {"bigger", "biggest"}
    assert forms("easy") >= {"easier", "easiest"}
    assert forms("large") >= {"larger", "largest"}
    assert forms("expensive") == {"expensive"}  # (compared with "more")


# ---- the two tiers ---------------------------------------------------------------------------


def test_an_advisory_inversion_still_earns_nothing(grader: Grader) -> None:
    params = DEFAULTS.model_copy(update={"advisory_rules": ["sibling-swap"]})
    fb = grade(grader.with_params(params), PRECISION, "Precision is true positives divided by "
               "true positives plus false negatives.")  # fmt: skip
    assert [c.rule for c in fb.to_check] == ["sibling-swap"] and not fb.incorrect
    assert fb.score <= 3
    assert earns_nothing("negated-phrase") and not earns_nothing("wrong-family")
    assert voids_credit("sibling-swap") and not voids_credit("negated-phrase")
    assert {"sibling-swap", "crossed-subjects", "negated-phrase"} <= set(RULES)
