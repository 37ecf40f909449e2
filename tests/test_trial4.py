"""General language facts found in a second blind trial of the grader (notes on version
control and linear algebra nobody tuned on), checked here on small notes of other
subjects (coffee, drawing, weather, geometry, baking, cooking): names that open with
the same words go by the words that differ; a clause that opens with a verb ("... but
keeps it") has no subject of its own; ", a soft one ..." opens a parallel clause;
the ends of an order (first/last, earliest/latest) and of an operation pair (sum/
product) are crossed as opposites; "X, not Y" rules Y out; "does not change Y"
denies a change the notes state."""

from __future__ import annotations

import pytest

from interviewer.feedback import Feedback
from interviewer.grading import Grader
from tests.notes_grading import flagged, grade, grader_over

NOTES = """\
# Hobby notes

## Coffee

### What are cold brew and cold drip?

Both make coffee without hot water. cold brew steeps the grounds in water for twelve
hours; cold drip lets water fall drop by drop through the grounds but needs a tower.

## Drawing

### Soft vs hard pencils?

A soft pencil leaves a dark line and smudges easily, a hard one keeps a fine grey line.
Artists sketch with the hard ones first.

## Weather

### Where does frost come first?

The earliest frost of the year comes in the valleys, the latest on the hilltops. Cold
air sinks at night and pools in the low ground.

## Geometry

### What are the perimeter and the area of a rectangle?

The perimeter is twice the sum of the two sides and the area is their product.
Scaling both sides by three multiplies the perimeter by three and the area by nine.

## Baking

### What is a sourdough starter?

A sourdough starter is a live culture of wild yeast and bacteria, not a packet of dried
yeast. It is fed with flour and water every day.

## Cooking

### What does salt do to boiling water?

Adding salt to the water raises its boiling point a little. It mostly seasons the food.

## Photography

### What does the aperture ring do?

Opening the aperture wider raises the exposure but does not change the shutter speed.
A wide aperture also makes the depth of field shallow.

### How are leftovers warmed?

Reheating the stew raises its temperature and keeps its thickness.

## Kitchen

### How are the pantry and the wine rack used?

From the pantry the oldest tins are eaten first, from the wine rack the newest bottles
are drunk first.

## Shop

### How do the two shelves work?

On the returns shelf the oldest book is sold first, on the sale shelf the newest book is
sold first.
"""

BREWS = "What are cold brew and cold drip?"
PENCILS = "Soft vs hard pencils?"
FROST = "Where does frost come first?"
RECTANGLE = "What are the perimeter and the area of a rectangle?"
STARTER = "What is a sourdough starter?"
SALT = "What does salt do to boiling water?"
APERTURE = "What does the aperture ring do?"
STEW = "How are leftovers warmed?"
PANTRY = "How are the pantry and the wine rack used?"
SHELVES = "How do the two shelves work?"


@pytest.fixture(scope="module")
def grader(tmp_path_factory: pytest.TempPathFactory) -> Grader:
    return grader_over(tmp_path_factory, NOTES, "trial4")


def shown(fb: Feedback) -> list[tuple[str | None, str]]:
    return [(c.rule, c.text) for c in fb.incorrect]


def test_names_that_open_alike_are_told_apart(grader: Grader) -> None:
    # "cold" opens both names: "brew" and "drip" tell them apart. The second clause of
    # each side opens with a verb ("but needs"): it is said of the same subject. And the
    # note's sentence that starts in lower case is a sentence of its own.
    swapped = grade(
        grader,
        BREWS,
        "Both make coffee without hot water. cold drip steeps the grounds in water for "
        "twelve hours, while cold brew lets water fall drop by drop through the grounds but "
        "needs a tower.",
    )
    # Either swap rule: with the note's hard-wrapped line read as one statement, the
    # whole-sentence swap rule sees the two names before the clause rule does.
    assert {"crossed-subjects", "swapped-subject"} & set(flagged(swapped)), shown(swapped)
    right = grade(
        grader,
        BREWS,
        "Cold brew steeps the grounds in water for twelve hours, while cold drip lets water "
        "fall drop by drop through the grounds but needs a tower.",
    )
    assert flagged(right) == [], shown(right)


def test_a_comma_before_a_one_opens_a_parallel_clause(grader: Grader) -> None:
    # "a hard one keeps a fine grey line" is said of hard pencils, not soft ones.
    swapped = grade(
        grader,
        PENCILS,
        "A hard pencil leaves a dark line and smudges easily, but a soft one keeps a fine "
        "grey line.",
    )
    assert "crossed-subjects" in flagged(swapped), shown(swapped)
    right = grade(
        grader,
        PENCILS,
        "A soft pencil gives a dark line that smudges easily, whereas a hard one keeps a "
        "fine grey line.",
    )
    assert flagged(right) == [], shown(right)


def test_ends_of_an_order_crossed(grader: Grader) -> None:
    swapped = grade(
        grader, FROST, "The earliest frost comes on the hilltops and the latest in the valleys."
    )
    assert "crossed-pairs" in flagged(swapped), shown(swapped)
    right = grade(
        grader,
        FROST,
        "The valleys get the earliest frost and the hilltops the latest, because cold air "
        "sinks and pools in low ground.",
    )
    assert flagged(right) == [], shown(right)


def test_sum_and_product_crossed(grader: Grader) -> None:
    swapped = grade(
        grader,
        RECTANGLE,
        "The perimeter is twice the product of the two sides and the area is their sum.",
    )
    assert "crossed-pairs" in flagged(swapped), shown(swapped)
    right = grade(
        grader,
        RECTANGLE,
        "The area is the product of the two sides, and the perimeter is twice their sum.",
    )
    assert flagged(right) == [], shown(right)


def test_x_not_y_rules_y_out(grader: Grader) -> None:
    wrong = grade(grader, STARTER, "A sourdough starter is a packet of dried yeast from the shop.")
    assert "instead-of" in flagged(wrong), shown(wrong)
    right = grade(
        grader,
        STARTER,
        "It is a living culture of wild yeast and bacteria that you feed with flour and "
        "water every day, not dried yeast from a packet.",
    )
    assert flagged(right) == [], shown(right)
    # Y said of something else is not ruled out: the note rules it out for the starter.
    other = grade(
        grader,
        STARTER,
        "A sourdough starter is a live culture of wild yeast. The baker keeps a packet of "
        "dried yeast for quick loaves.",
    )
    assert flagged(other) == [], shown(other)


def test_a_denied_change_against_a_stated_one(grader: Grader) -> None:
    wrong = grade(grader, RECTANGLE, "Scaling both sides by three does not change the area.")
    assert "denied-change" in flagged(wrong), shown(wrong)
    # What the notes say nothing about, or a change granted after all, is no denial.
    for answer in (
        "Scaling both sides by three does not change the angles.",
        "Scaling both sides by three does not change the area only by three.",
    ):
        fb = grade(grader, RECTANGLE, answer)
        assert "denied-change" not in flagged(fb), shown(fb)


def test_a_change_the_notes_deny_too_is_no_denied_change(grader: Grader) -> None:
    # The note sentence itself says the act does not change the shutter speed (or keeps
    # the thickness): a claim saying so restates it, even though the same sentence
    # names a change of something else ("raises the exposure").
    for question, answer in (
        (APERTURE, "Opening the aperture wider does not change the shutter speed."),
        (
            APERTURE,
            "I think opening the aperture wider lets in more light but has no effect "
            "on the shutter speed.",
        ),
        (
            APERTURE,
            "Opening the aperture wider doesn't change the shutter speed, while the "
            "depth of field gets shallow.",
        ),
        (STEW, "Reheating the stew leaves its thickness as it was."),
    ):
        fb = grade(grader, question, answer)
        assert "denied-change" not in flagged(fb), (answer, shown(fb))
    # What the same sentence says does change is still caught (by this rule or another).
    for question, answer in (
        (APERTURE, "Opening the aperture wider does not change the exposure."),
        (STEW, "Reheating the stew does not change its temperature."),
    ):
        fb = grade(grader, question, answer)
        assert flagged(fb), (answer, shown(fb))


def test_both_ends_of_an_order_swapped_is_the_same_statement(grader: Grader) -> None:
    # "the newest last" is "the oldest first": the order word and the end it names both
    # swapped say what the notes say, no crossing.
    same = grade(
        grader,
        PANTRY,
        "From the pantry the newest tins are eaten last, and from the wine rack the oldest "
        "bottles are drunk last.",
    )
    assert "crossed-pairs" not in flagged(same), shown(same)
    swapped = grade(
        grader,
        PANTRY,
        "From the pantry the newest tins are eaten first, and from the wine rack the oldest "
        "bottles are drunk first.",
    )
    assert flagged(swapped), shown(swapped)


def test_both_ends_swapped_is_no_exchange_of_words(grader: Grader) -> None:
    # The note sentence word for word with "oldest"/"newest" exchanged, but "first"
    # turned to "last" as well: the same statement (no rule flags it).
    for answer in (
        "On the returns shelf the newest book is sold last, on the sale shelf the oldest "
        "book is sold last.",
        "The returns shelf sells the newest book last, and the sale shelf sells the oldest "
        "book last.",
    ):
        fb = grade(grader, SHELVES, answer)
        assert flagged(fb) == [], (answer, shown(fb))
    swapped = grade(
        grader,
        SHELVES,
        "On the returns shelf the newest book is sold first, on the sale shelf the oldest "
        "book is sold first.",
    )
    assert flagged(swapped), shown(swapped)
