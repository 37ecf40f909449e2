"""Markdown tables in the notes: each body row is a key point of its own, labelled by
its first cell, with every other cell said under its column's name (the header row
above the ruler). On small notes written here, not on any bundled notes."""

from __future__ import annotations

import pytest

from interviewer.grading import Grader
from interviewer.grading.material import _cells, _row_text
from tests.notes_grading import grade, grader_over

NOTES = """\
# Kitchen notes

## How should each fruit be stored?

| | where | keeps for |
|---|---|---|
| apples | in the fridge drawer | several weeks |
| bananas | on the counter, away from other fruit | a few days |
| berries | in the fridge, unwashed | two or three days |

## What is a sourdough starter?

A starter is flour and water fermented by wild yeast and bacteria; it leavens the \
bread instead of commercial yeast.
"""

QUESTION = "How should each fruit be stored?"


@pytest.fixture(scope="module")
def grader(tmp_path_factory: pytest.TempPathFactory) -> Grader:
    return grader_over(tmp_path_factory, NOTES, "tables")


def test_row_text_says_each_cell_under_its_column() -> None:
    head = _cells("| | good for | fast? |")
    assert _row_text(_cells("| rowboats | lakes, calm rivers | no |"), head) == (
        "rowboats: good for: lakes, calm rivers; fast? no"
    )
    # No header: the cells as they stand, the first one the label.
    assert _row_text(_cells("| rowboats | lakes |"), None) == "rowboats: lakes"


def test_each_row_is_a_point_and_the_header_is_none(grader: Grader) -> None:
    q = grader.find_question(QUESTION)
    assert q is not None
    texts = [kp.text for kp in q.key_points]
    assert len(texts) == 3, texts
    assert all("|" not in t for t in texts), texts
    bananas = next(t for t in texts if t.startswith("bananas"))
    assert "where: on the counter" in bananas and "keeps for: a few days" in bananas


def test_an_answer_about_one_row_makes_that_point_only(grader: Grader) -> None:
    fb = grade(grader, QUESTION, "Bananas belong on the counter, away from the other fruit.")
    covered = [p.text for p in fb.covered + fb.partial]
    missed = [p.text for p in fb.missed]
    assert any(t.startswith("bananas") for t in covered), (covered, missed)
    assert any(t.startswith("apples") for t in missed), (covered, missed)
    assert any(t.startswith("berries") for t in missed), (covered, missed)


def test_a_clause_pointing_back_is_about_its_sentences_row(grader: Grader) -> None:
    # "they keep a few days" is said of bananas: no evidence for the berries' row,
    # whose cell is alike ("two or three days").
    fb = grade(grader, QUESTION, "Bananas belong on the counter; they keep a few days.")
    missed = [p.text for p in fb.missed]
    assert any(t.startswith("berries") for t in missed), (missed, [p.text for p in fb.partial])
