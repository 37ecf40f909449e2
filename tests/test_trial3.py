"""General language facts found in a blind trial of the grader on notes nobody tuned on
(containers, computer architecture), checked here on small notes of other subjects
(bakery, hotels): "not ... until" defers, it does not deny; a note sentence of
two clauses speaks of a subject in each; a hyphenated name ("check-in") is one name;
labelled items that share a head word ("light roast", "dark roast") go by their own
words."""

from __future__ import annotations

import pytest

from interviewer.feedback import Feedback
from interviewer.grading import Grader
from tests.notes_grading import grade, grader_over

NOTES = """\
# Kitchen notes

## Bakery

### When is a sourdough loaf scored?

Cold retard: the dough rests in the fridge overnight. The loaf is scored later, when
the dough comes out of the fridge. Scoring lets the steam escape in one place.

### Why is a loaf slashed?

Before the loaf goes into the oven, the top is slashed with a blade. The cut lets the
steam escape in one place instead of tearing the crust.

### What is the difference between a levain and a poolish?

A levain carries the wild yeast that always sours the bread; a poolish gives a mild
flavour (or a nutty one if there's no levain). Whole wheat flour feeds a levain but
slows a poolish. A poolish is made with commercial yeast.

### What is the difference between proofing and baking?

Proofing lets the yeast raise the dough at room temperature. Baking sets the shape and
browns the crust. When baking, the steam inside turns the crumb soft and airy.

## Coffee

### What are the two kinds of coffee roast?

- **Light roast**: keeps the acidity and the fruity notes of the bean.
- **Dark roast**: brings out bitterness and smoky, chocolate notes.

Either is best within two weeks of roasting.

### Which teas are there?

Teas differ by how far the leaves oxidise.

- **Green tea**: the leaves are steamed or pan-fired right after picking, so they
  hardly oxidise.
- **Black tea**: the leaves are rolled and left to oxidise fully before drying.
- **Oolong tea**: partly oxidised, between the two.

## Hotel

### Check-in vs check-out?

Check-in: the guest shows an ID and receives the room key at the front desk.

Check-out: the guest returns the room key and pays the bill before noon.
"""

SCORED = "When is a sourdough loaf scored?"
STARTERS = "What is the difference between a levain and a poolish?"
HOTEL = "Check-in vs check-out?"
ROASTS = "What are the two kinds of coffee roast?"
SLASHED = "Why is a loaf slashed?"
TEAS = "Which teas are there?"
STAGES = "What is the difference between proofing and baking?"


@pytest.fixture(scope="module")
def grader(tmp_path_factory: pytest.TempPathFactory) -> Grader:
    return grader_over(tmp_path_factory, NOTES, "trial3")


def flagged(fb: Feedback) -> list[str]:
    """The rules of the claims shown as wrong (advisory ones left out)."""
    return [c.rule or "" for c in fb.incorrect if not c.advisory]


def test_not_until_is_no_denial(grader: Grader) -> None:
    # "not scored until it comes out" says when it is scored: what the notes say.
    fb = grade(
        grader,
        SCORED,
        "The dough rests in the fridge overnight, and the loaf is not scored until the "
        "dough comes out of the fridge, so the steam escapes in one place.",
    )
    assert flagged(fb) == [], [(c.rule, c.text) for c in fb.incorrect]


def test_a_plain_denial_is_still_caught(grader: Grader) -> None:
    fb = grade(grader, SCORED, "The loaf is never scored when the dough comes out of the fridge.")
    assert fb.incorrect, "a denial of the note's statement went unflagged"


def test_each_clause_of_a_note_sentence_has_its_subject(grader: Grader) -> None:
    # The note's sentence opens with the levain, but its second clause is about the
    # poolish: saying that of the poolish is no swap.
    fb = grade(
        grader,
        STARTERS,
        "A levain carries the wild yeast that always sours the bread, a poolish just gives "
        "a mild flavour.",
    )
    assert "swapped-subject" not in flagged(fb), [(c.rule, c.text) for c in fb.incorrect]


def test_a_swap_between_clauses_is_caught(grader: Grader) -> None:
    fb = grade(
        grader,
        STARTERS,
        "A poolish carries the wild yeast that sours the bread, and a levain only gives a "
        "mild flavour.",
    )
    assert "swapped-subject" in flagged(fb), [(c.rule, c.text) for c in fb.incorrect]


def test_hyphenated_names_are_told_apart(grader: Grader) -> None:
    # "in" and "out" are stop words: the names are the hyphenated words whole.
    swapped = grade(grader, HOTEL, "At check-out the guest shows an ID and receives the room key.")
    assert "swapped-subject" in flagged(swapped), [(c.rule, c.text) for c in swapped.incorrect]
    assert swapped.score <= 5
    right = grade(
        grader,
        HOTEL,
        "Check-out means the guest returns the room key and pays the bill before noon; "
        "check-in means the guest shows an ID and receives the room key.",
    )
    assert flagged(right) == [] and right.score >= 6, (right.score, right.incorrect)


def test_labels_that_share_a_head_word_are_told_apart(grader: Grader) -> None:
    # "roast" opens both items: it is their shared head, "light" and "dark" the names.
    swapped = grade(grader, ROASTS, "Dark roast keeps the acidity and the fruity notes.")
    assert "swapped-subject" in flagged(swapped), [(c.rule, c.text) for c in swapped.incorrect]
    right = grade(
        grader,
        ROASTS,
        "A light roast keeps the acidity and fruity notes, a dark roast brings out bitterness "
        "and smoky, chocolate notes.",
    )
    assert flagged(right) == [] and right.score >= 6, (right.score, right.incorrect)


def test_an_opening_clause_without_a_subject_is_not_the_subject(grader: Grader) -> None:
    # "When baking, the steam ... turns the crumb airy" is about the steam and the
    # crumb: a claim that says so makes the point without the word "baking".
    fb = grade(grader, STAGES, "The steam inside the loaf turns the crumb soft and airy.")
    made = [p.text for p in [*fb.covered, *fb.partial]]
    assert any("steam inside" in t for t in made), (made, [p.text for p in fb.missed])


def test_a_name_needs_no_word_of_the_question(grader: Grader) -> None:
    # "green" names "Green tea" in an answer to a question about teas.
    fb = grade(grader, TEAS, "Green, black and oolong.")
    missed = [p.text for p in fb.missed]
    assert not any(t.startswith(("Green tea", "Black tea")) for t in missed), missed
    assert fb.score >= 8, fb.score
    # Naming one of them is not naming the others.
    one = grade(grader, TEAS, "Green.")
    assert any(t.startswith("Black tea") for t in [p.text for p in one.missed])


def test_before_and_after_oppose_only_the_same_event(grader: Grader) -> None:
    # "after the loaf goes into the oven" places the steam escaping, not the slashing:
    # no opposite of "before the loaf goes into the oven, the top is slashed".
    fb = grade(
        grader,
        SLASHED,
        "The top is slashed with a blade so that the steam escapes in one place after "
        "the loaf goes into the oven, instead of tearing the crust.",
    )
    assert flagged(fb) == [], [(c.rule, c.text) for c in fb.incorrect]
    wrong = grade(grader, SLASHED, "The top is slashed after the loaf goes into the oven.")
    assert "opposite-words" in flagged(wrong), [(c.rule, c.text) for c in wrong.incorrect]
