"""General language facts found in a blind trial of the grader on notes nobody tuned on
(containers, computer architecture), checked here on small notes of other subjects
(bakery, hotels): "not ... until" defers, it does not deny; a note sentence of
two clauses speaks of a subject in each; a hyphenated name ("check-in") is one name;
labelled items that share a head word ("light roast", "dark roast") go by their own
words."""

from __future__ import annotations

import pytest

from interviewer.grading import Grader
from tests.notes_grading import flagged, grade, grader_over

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


# Notes of another kitchen for the mends below: a hand-off between two stages, a note
# that defers ("not ... until"), and a contrast whose opening clause names a side.
MORE_NOTES = """\
# Pantry notes

## Dough

### Kneading vs resting?

Kneading: the gluten strands stretch with every fold; resting takes over once the dough
turns smooth. Resting lets the gluten relax for twenty minutes under a cloth.

### Poaching vs frying?

Poaching keeps the egg whole in simmering water and adds no fat; frying cooks the egg
in hot oil on top of the pan. Frying browns the edges of the white.

### What happens after mixing?

A loaf is not shaped until the dough has risen twice in the bowl. The shaped loaf then
proofs in a basket.

### Braising vs roasting?

Braising cooks the meat slowly in a covered pot. When braising, the liquid keeps the
meat moist for hours. Roasting browns the meat in dry heat in an open tray.

### What does a proving basket do?

A proving basket holds the shape of a soft dough. If dusted with rice flour, a basket
releases the dough cleanly onto the peel.
"""

STAGES2 = "Kneading vs resting?"
EGGS = "Poaching vs frying?"
MIXED = "What happens after mixing?"
MEAT = "Braising vs roasting?"
BASKET = "What does a proving basket do?"


@pytest.fixture(scope="module")
def pantry(tmp_path_factory: pytest.TempPathFactory) -> Grader:
    return grader_over(tmp_path_factory, MORE_NOTES, "trial3-pantry")


def test_a_hand_off_clause_also_speaks_of_the_subject_before_it(pantry: Grader) -> None:
    # "resting takes over once the dough turns smooth" says when kneading stops: an
    # answer that says so of kneading swaps nothing.
    for answer in (
        "Kneading goes on until the dough turns smooth.",
        "Kneading stops once the dough turns smooth, then the gluten relaxes under a cloth.",
    ):
        fb = grade(pantry, STAGES2, answer)
        assert flagged(fb) == [] and fb.score > 0, (answer, fb.score, fb.incorrect)


def test_what_a_claim_sets_apart_with_instead_of_is_no_swap(pantry: Grader) -> None:
    fb = grade(
        pantry,
        EGGS,
        "Poaching keeps the egg whole instead of cooking it in hot oil on top of the pan.",
    )
    assert flagged(fb) == [], [(c.rule, c.text) for c in fb.incorrect]
    swapped = grade(pantry, EGGS, "Poaching cooks the egg in hot oil on top of the pan.")
    assert "swapped-subject" in flagged(swapped), [(c.rule, c.text) for c in swapped.incorrect]


def test_hyphenated_names_written_apart_or_joined(grader: Grader) -> None:
    # "check in" / "checkout" are the names "check-in" / "check-out" all the same.
    for answer in (
        "Check out means the guest returns the room key and pays the bill before noon; "
        "check in means the guest shows an ID and receives the room key.",
        "At checkin the guest shows an ID and receives the room key.",
    ):
        fb = grade(grader, HOTEL, answer)
        made = [p.text for p in [*fb.covered, *fb.partial]]
        assert flagged(fb) == [] and any("shows an ID" in t for t in made), (answer, made)
    swapped = grade(grader, HOTEL, "At check out the guest shows an ID and receives the room key.")
    assert "swapped-subject" in flagged(swapped), [(c.rule, c.text) for c in swapped.incorrect]


def test_a_note_that_defers_is_denied_by_before_or_even_if(pantry: Grader) -> None:
    # "not shaped until it has risen" is denied by shaping it anyway, not by shaping it
    # once it has risen.
    for answer in (
        "A loaf is shaped even if the dough has not risen twice in the bowl.",
        "A loaf is shaped before the dough has risen twice in the bowl.",
    ):
        fb = grade(pantry, MIXED, answer)
        assert flagged(fb), (answer, fb.score)
    for answer in (
        "A loaf is shaped after the dough has risen twice in the bowl.",
        "A loaf is not shaped until the dough has risen twice, then it proofs in a basket.",
    ):
        fb = grade(pantry, MIXED, answer)
        assert flagged(fb) == [], (answer, [(c.rule, c.text) for c in fb.incorrect])


def test_an_opening_clause_that_names_a_side_is_its_subject(pantry: Grader) -> None:
    # "When braising, the liquid keeps the meat moist" is said of braising: said of
    # roasting it earns nothing.
    fb = grade(pantry, MEAT, "When roasting, the liquid keeps the meat moist for hours.")
    made = [p.text for p in [*fb.covered, *fb.partial]]
    assert not any("liquid keeps" in t for t in made), (made, fb.score)
    right = grade(pantry, MEAT, "When braising, the liquid keeps the meat moist for hours.")
    made = [p.text for p in [*right.covered, *right.partial]]
    assert any("liquid keeps" in t for t in made), made


def test_an_opening_clause_of_several_words_without_a_subject() -> None:
    from interviewer.grading.contrast import subject_names

    names = frozenset({"basket", "dough"})
    # The subject follows an opening participle clause of any length up to its comma.
    assert subject_names("If dusted with rice flour, a basket releases the dough", names) == {
        "basket"
    }
    # An auxiliary makes the participle the clause's own subject: nothing is stripped.
    assert subject_names("When dusting is done, the dough rests in a basket", names) == set()


def test_a_participle_of_one_word_of_a_longer_name_is_an_activity() -> None:
    from interviewer.grading.contrast import SubjectNames, subject_names

    # "Braising vs roasting?": "When braising, ..." is about braising.
    whole = SubjectNames({"brais", "roast"})
    assert subject_names("When braising, the liquid keeps the meat moist", whole) == {"brais"}
    # "the proof basket and the mixing bowl": "proof" is one word of a longer name, and
    # "When proofing, ..." only says when; the subject follows the comma.
    part = SubjectNames({"proof", "bowl"}, partial={"proof"})
    assert subject_names("When proofing, a bowl keeps the dough warm", part) == {"bowl"}
