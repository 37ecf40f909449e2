"""The claim rules of this round, each pinned on small notes written here (gardening,
cycling, libraries, weather): the wrong claim is caught and a correct answer in the
same words is left alone."""

from __future__ import annotations

import pytest

from interviewer.grading import Grader
from interviewer.grading.claims.case import other_case, split_case
from interviewer.grading.cues import both_ways
from tests.notes_grading import grade, grader_over

NOTES = """\
# Notes

## Plants

### How much water does a cactus need?

If a pot holds very few drainage holes then the roots stay wet and rot quickly.
On the other hand if a pot has many drainage holes then the roots stay dry and healthy.

### How do you check the soil?

Press a finger into it: damp soil or not damp soil tells you whether to water.

## Bikes

### How do the brakes of a bicycle work?

Pulling the lever squeezes the pads against the rim. In the rain the pads usually
slip on the wet rim, so braking takes longer.

### What keeps a chain running?

A chain runs smoothly only when all three of its parts are clean: the links, the
cogs and the rings. Cleaning any one part alone does not help.

## Libraries

### What is a reference book?

A reference book stays in the reading room; it cannot be borrowed, and there is one
copy per library.

### What do the library cards allow?

1. Junior card: no late fees, but only five books at a time.
2. Senior card: late fees apply (charged per day).

### What is the difference between seeds and bulbs?

Seeds are sown indoors on warm windowsills in early spring. Bulbs are buried outdoors
in cold soil in late autumn.

## Weather

### What does a barometer show?

On a rising barometer the weather usually clears; on a falling barometer rain
usually follows.
"""


@pytest.fixture(scope="module")
def grader(tmp_path_factory: pytest.TempPathFactory) -> Grader:
    return grader_over(tmp_path_factory, NOTES, "claims-new")


def flagged(grader: Grader, question: str, answer: str) -> list[str]:
    fb = grade(grader, question, answer)
    return [c.rule or "" for c in fb.incorrect if not c.advisory]


# ---- the other case: a flipped subject with a flipped outcome agrees ----


def test_split_case_reads_conditions_labels_and_subjects() -> None:
    assert split_case("If it rains then the road is wet.")[0].split() == ["it", "rains"]
    assert split_case("Junior card: no late fees.")[0] == "Junior card"
    assert split_case("A pot with many holes keeps the roots dry.")[0].split()[-1] == "holes"


def test_other_case_needs_both_the_subject_and_the_outcome_flipped() -> None:
    note = "If a pot holds very few holes then the roots stay wet."
    assert other_case(
        "A pot with many holes keeps the roots dry.", note, [("many", "few"), ("dry", "wet")]
    )
    # Only the subject flipped: the note's outcome said of the other case, a swap.
    assert not other_case("A pot with many holes keeps the roots wet.", note, [("many", "few")])


def test_other_case_outcome_correct_is_not_flagged(grader: Grader) -> None:
    answer = "A pot with many drainage holes keeps the roots dry and healthy."
    assert flagged(grader, "How much water does a cactus need?", answer) == []


def test_labelled_item_of_another_card_with_opposite_outcome(grader: Grader) -> None:
    answer = "A senior card has late fees, while a junior card has no late fees."
    assert flagged(grader, "What do the library cards allow?", answer) == []


# ---- both polarities named: no negation evidence ----


def test_both_ways_in_one_clause_only() -> None:
    assert both_ways("Test with IS EMPTY / IS NOT EMPTY.")
    assert both_ways("damp soil or not damp soil")
    assert not both_ways("A is not B, but C is B")
    assert not both_ways("It cannot be borrowed.")


def test_note_with_both_polarities_is_no_evidence(grader: Grader) -> None:
    answer = "You press a finger in and feel whether it is damp soil."
    assert flagged(grader, "How do you check the soil?", answer) == []


def test_sentence_in_its_own_order_is_not_flagged(grader: Grader) -> None:
    answer = (
        "On a rising barometer the weather usually clears, and on a "
        "falling barometer rain usually follows."
    )
    assert flagged(grader, "What does a barometer show?", answer) == []


def test_affix_opposed_texts() -> None:
    from interviewer.grading.cues import affix_opposites, lower_words

    def affix_opposed_texts(a: str, b: str) -> bool:
        """One text uses a word the other uses with a negative affix, and neither uses
        the other's form: the two say opposite things."""
        wa, wb = lower_words(a), lower_words(b)
        return any(affix_opposites(x, y) for x in wa - wb for y in wb - wa)

    assert affix_opposed_texts("Replicas copy asynchronously", "replicas copy synchronously")
    assert affix_opposed_texts("a stateless server", "a stateful server")
    # Both forms on one side is a contrast, not an opposite statement; short bases
    # make false pairs ("side" / "inside").
    assert not affix_opposed_texts("synchronous or asynchronous", "asynchronous calls")
    assert not affix_opposed_texts("the inside of the box", "the side of the box")


# ---- a clause that opens with a preposition completes the one before it ----


def test_attached_clause_is_read_with_its_clause(grader: Grader) -> None:
    q = "What is the difference between seeds and bulbs?"
    wrong = (
        "Bulbs are sown first, on warm windowsills in early spring, and seeds are buried "
        "outdoors in late autumn."
    )
    texts = [c.text for c in grade(grader, q, wrong).incorrect]
    assert any(x.startswith("Bulbs are sown first on warm windowsills") for x in texts), texts
    right = (
        "Seeds are sown first, on warm windowsills in early spring, and bulbs are buried "
        "outdoors in late autumn."
    )
    assert flagged(grader, q, right) == []
