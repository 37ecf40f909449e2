"""The claim rules of this round, each pinned on small notes written here (gardening,
cycling, libraries, weather): the wrong claim is caught and a correct answer in the
same words is left alone."""

from __future__ import annotations

import pytest

from interviewer.grading import Grader
from interviewer.grading.claims.case import other_case, split_case
from interviewer.grading.claims.cues import both_ways
from interviewer.grading.claims.exchange import exchanged_words
from interviewer.grading.claims.quantifier import opposite_quantifier, quantifier_class
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


# ---- opposite quantifier ----


def test_quantifier_classes() -> None:
    assert quantifier_class("cleaning any one part") == {"one"}
    assert quantifier_class("all three parts are clean") == {"all"}
    assert quantifier_class("the pads never slip") == {"none"}
    assert quantifier_class("the pads usually slip") == {"some"}
    assert quantifier_class("") == frozenset()


def test_never_against_usually(grader: Grader) -> None:
    answer = "In the rain the pads never slip on the wet rim."
    # (the negation rule may find it first: either way it is flagged)
    assert flagged(grader, "How do the brakes of a bicycle work?", answer)
    note = [
        (None, "In the rain the pads usually slip on the wet rim, so braking takes longer.", None)
    ]
    found = opposite_quantifier("the pads never slip on the wet rim", note, frozenset())  # type: ignore[arg-type]
    assert found is not None and found.rule == "opposite-quantifier"
    assert opposite_quantifier("the pads usually slip on a wet rim", note, frozenset()) is None  # type: ignore[arg-type]


def test_usually_restated_is_not_flagged(grader: Grader) -> None:
    answer = (
        "The lever squeezes the pads on the rim; in the rain the pads usually slip, "
        "so braking takes longer."
    )
    assert flagged(grader, "How do the brakes of a bicycle work?", answer) == []


def test_any_one_against_all(grader: Grader) -> None:
    answer = "A chain runs smoothly as soon as any one of its parts is clean."
    assert "opposite-quantifier" in flagged(grader, "What keeps a chain running?", answer)


def test_all_restated_is_not_flagged(grader: Grader) -> None:
    answer = (
        "All three parts must be clean for the chain to run "
        "smoothly; cleaning one alone does not help."
    )
    assert flagged(grader, "What keeps a chain running?", answer) == []


# ---- a pronoun subject in the note ----


def test_pronoun_subject_negated_predicate(grader: Grader) -> None:
    answer = "A reference book can be borrowed like any other book."
    assert flagged(grader, "What is a reference book?", answer)


def test_pronoun_subject_same_polarity_is_not_flagged(grader: Grader) -> None:
    answer = "A reference book cannot be borrowed; it stays in the reading room."
    assert flagged(grader, "What is a reference book?", answer) == []


# ---- exchanged words set side by side in one sentence ----


def test_words_exchanged_within_their_sentence(grader: Grader) -> None:
    answer = (
        "On a falling barometer the weather usually clears, while on "
        "a rising barometer rain usually follows."
    )
    assert flagged(grader, "What does a barometer show?", answer)
    note = (
        "On a rising barometer the weather usually clears; on a "
        "falling barometer rain usually follows."
    )
    found = exchanged_words(answer, [(None, note, None)])  # type: ignore[list-item]
    assert found is not None and found.rule == "exchanged-words"
    assert exchanged_words(note, [(None, note, None)]) is None  # type: ignore[list-item]


def test_sentence_in_its_own_order_is_not_flagged(grader: Grader) -> None:
    answer = (
        "On a rising barometer the weather usually clears, and on a "
        "falling barometer rain usually follows."
    )
    assert flagged(grader, "What does a barometer show?", answer) == []


def test_quantifier_about_another_thing_is_no_evidence() -> None:
    note = [(None, "With rim brakes the pads usually slip on a wet rim.", None)]
    claim = "Disc calipers grip well, and they never slip on a wet rim"
    got = opposite_quantifier("they never slip on a wet rim", note, frozenset(), claim)  # type: ignore[arg-type]
    assert got is None
    own = "With rim brakes the pads never slip on a wet rim"
    assert opposite_quantifier(own, note, frozenset(), own) is not None  # type: ignore[arg-type]


def test_affix_opposed_texts() -> None:
    from interviewer.grading.cues import affix_opposed_texts

    assert affix_opposed_texts("Replicas copy asynchronously", "replicas copy synchronously")
    assert affix_opposed_texts("a stateless server", "a stateful server")
    # Both forms on one side is a contrast, not an opposite statement; short bases
    # make false pairs ("side" / "inside").
    assert not affix_opposed_texts("synchronous or asynchronous", "asynchronous calls")
    assert not affix_opposed_texts("the inside of the box", "the side of the box")


# ---- a correlation reversed ----

TREND = [
    (None, "A very small pot dries out the soil within a day.", None),
    (None, "The larger the garden and the more sun it gets, the more water it needs.", None),
]


def test_reversed_correlation_against_a_plain_sentence() -> None:
    from interviewer.grading.claims.correlation import reversed_correlation

    wrong = "The smaller the pot, the less the soil dries out."
    right = "The smaller the pot, the more the soil dries out."
    got = reversed_correlation(wrong, TREND, frozenset())  # type: ignore[arg-type]
    assert got is not None and got.rule == "reversed-correlation"
    assert reversed_correlation(right, TREND, frozenset()) is None  # type: ignore[arg-type]


def test_reversed_correlation_against_a_correlative() -> None:
    from interviewer.grading.claims.correlation import reversed_correlation

    wrong = "The smaller the garden, the more water it needs."
    right = "The larger the garden and the more sun it gets, the more water it should get."
    unnamed = "The smaller the garden, the less it matters."  # no outcome of the note's
    assert reversed_correlation(wrong, TREND, frozenset()) is not None  # type: ignore[arg-type]
    assert reversed_correlation(right, TREND, frozenset()) is None  # type: ignore[arg-type]
    assert reversed_correlation(unnamed, TREND, frozenset()) is None  # type: ignore[arg-type]


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
