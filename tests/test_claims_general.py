"""General inversion cues of the wrong-claim rules, on small notes written here in
subjects of their own (bicycles, sailing, woodwork): opposites made by a negative
affix, a bare predication with the other polarity, a short denied phrase said of a
list item's label. Each wrong claim is caught; correct paraphrases are left alone."""

from __future__ import annotations

import pytest

from interviewer.feedback import Feedback
from interviewer.grading import Grader
from interviewer.grading.cues import affix_opposites, antonym_stems
from interviewer.text import stem
from tests.notes_grading import grade, grader_over

NOTES = """\
# Workshop notes

## Bicycles

### What does a bicycle chain do?

A bicycle chain is a flexible loop of links that carries the pedalling force from the
chainring to the rear sprocket. It needs oil, or it wears quickly.

## Sailing

### Why do sailors reef early?

Strong gusts can knock a small boat over, so sailors shorten the sail before the wind
rises. *Forecasts aren't reliable, so reef when in doubt.

## Woodwork

### Which woods suit outdoor furniture?

- Teak: heavy and oily, and it resists rot for decades without any finish.
- Pine: cheap and light; it rots outdoors unless it is treated.
"""

CHAIN = "What does a bicycle chain do?"
REEF = "Why do sailors reef early?"
WOODS = "Which woods suit outdoor furniture?"


@pytest.fixture(scope="module")
def grader(tmp_path_factory: pytest.TempPathFactory) -> Grader:
    return grader_over(tmp_path_factory, NOTES, "general")



def rules(fb: Feedback) -> set[str]:
    return {c.rule or "" for c in [*fb.incorrect, *fb.to_check]}


def clean(fb: Feedback) -> bool:
    return not fb.incorrect and not fb.to_check


def test_affix_opposites() -> None:
    for a, b in [
        ("synchronously", "asynchronously"),
        ("flexible", "inflexible"),
        ("supervised", "unsupervised"),
        ("connectionless", "connection-oriented"),
        ("stateless", "stateful"),
        ("blocking", "nonblocking"),
    ]:
        assert affix_opposites(a, b) and affix_opposites(b, a), (a, b)
    for a, b in [
        ("side", "inside"),  # too short a base
        ("repeatable", "non-repeatable"),  # a term of its own
        ("part", "apart"),
        ("count", "discount"),
        ("cache", "cache"),
    ]:
        assert not affix_opposites(a, b), (a, b)


def test_a_word_keeps_every_listed_opposite() -> None:
    table = antonym_stems()
    assert {stem("minimise"), stem("minimize")} <= table[stem("maximise")]


def test_an_affixed_opposite_said_of_the_same_subject(grader: Grader) -> None:
    wrong = grade(grader, CHAIN, "A bicycle chain is inflexible, a solid bar that pushes "
                  "the rear sprocket.")  # fmt: skip
    assert "opposite-words" in rules(wrong) and wrong.score <= 5
    for answer in (
        "The chain is a flexible loop of links; it carries the force of pedalling from the "
        "chainring to the rear sprocket, and it wears fast without oil.",
        "It transfers pedalling force to the back wheel.",
    ):
        assert clean(grade(grader, CHAIN, answer)), answer


def test_a_bare_predication_with_the_other_polarity(grader: Grader) -> None:
    wrong = grade(grader, REEF, "You can wait for the forecast, because forecasts are "
                  "reliable.")  # fmt: skip
    assert "negated-predicate" in rules(wrong)
    for answer in (
        "Gusts can capsize a small boat, and forecasts are not reliable, so they shorten "
        "sail before the wind gets up.",
        "Because a strong gust can knock the boat over; reef while the wind is still light.",
    ):
        assert clean(grade(grader, REEF, answer)), answer


def test_a_short_denial_said_of_a_list_items_label(grader: Grader) -> None:
    wrong = grade(grader, WOODS, "Teak never resists rot, so it must be varnished.")
    assert "negated-phrase" in rules(wrong)
    right = grade(
        grader, WOODS, "Teak is heavy and oily and resists rot for decades even unfinished; "
        "pine is cheap and light but rots outdoors unless treated."
    )
    assert clean(right), right.incorrect
