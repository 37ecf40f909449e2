"""Defects a review of the merged session found, each pinned on small notes written
here: a swapped-subject flag built on what the notes deny of the other subject, a
table ruler of single dashes, and a plural modifier cut from a "do" question's
subject."""

from __future__ import annotations

import pytest

from interviewer.grading import Grader
from interviewer.subjects import subject_label
from tests.notes_grading import grade, grader_over

NOTES = """\
# Workshop notes

## What is the difference between a rental bike and an owned bike?

A rental bike is serviced by the shop before every ride, so nothing needs checking.
An owned bike is serviced by its rider, and the rider checks the brakes and tyres.

## Which glue suits which material?

| Glue | Good on |
|-|-|
| epoxy | metal and stone |
| wood glue | timber joints |
| superglue | small plastic parts |
"""


@pytest.fixture(scope="module")
def grader(tmp_path_factory: pytest.TempPathFactory) -> Grader:
    return grader_over(tmp_path_factory, NOTES, "mends-s19")


def test_a_real_swap_is_still_flagged(grader: Grader) -> None:
    fb = grade(
        grader,
        "What is the difference between a rental bike and an owned bike?",
        "An owned bike is serviced by the shop before every ride.",
    )
    assert [c.rule for c in fb.incorrect] == ["swapped-subject"], fb.incorrect


def test_a_table_ruler_of_single_dashes_is_a_ruler(grader: Grader) -> None:
    q = grader.find_question("Which glue suits which material?")
    assert q is not None
    texts = [kp.text for kp in q.key_points]
    assert len(texts) == 3, texts
    assert not any(t.startswith("Glue") or "-|" in t for t in texts), texts
    assert any(t.startswith("epoxy") for t in texts), texts


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("How do systems design interviews work?", "systems design interviews"),
        ("How do threads share memory?", "threads"),
        ("When does a process leave zombies?", "process"),
    ],
)
def test_do_question_subject(question: str, label: str) -> None:
    assert subject_label(question) == label
