"""Missed-point recall: the parts of a point an answer left out are reported missed,
the question's own words and a padded subject earn no point, and a label's short name
names it."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.grading import Grader, GradingParams
from interviewer.grading.remainder import parts_of
from interviewer.settings import Settings

OS_NOTES = Path("evals/corpora/operating-systems.md")
SQL_NOTES = Path("evals/corpora/sql.md")
MLQ_NOTES = Path("../shared/corpora/mlquestions-65.md")


def _grader(tmp: Path, notes: Path) -> Grader:
    (tmp / "notes").mkdir()
    (tmp / "notes" / notes.name).write_bytes(notes.read_bytes())
    settings = Settings(home=tmp / "home", corpus=tmp / "notes", use_llm=False)
    return Grader.open(settings, use_llm=False, params=GradingParams())


@pytest.fixture(scope="module")
def os_grader(tmp_path_factory: pytest.TempPathFactory) -> Grader:
    return _grader(tmp_path_factory.mktemp("os"), OS_NOTES)


@pytest.fixture(scope="module")
def sql_grader(tmp_path_factory: pytest.TempPathFactory) -> Grader:
    return _grader(tmp_path_factory.mktemp("sql"), SQL_NOTES)


def test_parts_of_a_point() -> None:
    contrast = "Type I error is a false positive, while Type II error is a false negative."
    assert parts_of(contrast) == [
        "Type I error is a false positive",
        "while Type II error is a false negative",
    ]
    # A comma inside one statement ("X, is Y") does not cut it; asides are no parts.
    assert parts_of("The obvious disadvantage of ridge regression, is model interpretability.") == [
        "The obvious disadvantage of ridge regression, is model interpretability"
    ]
    assert parts_of("Briefly stated, a cache keeps hot data close; misses go to the store.") == [
        "a cache keeps hot data close",
        "misses go to the store",
    ]
    assert parts_of("A lock with an owner.") == ["A lock with an owner"]
    # A clause that leans on the next one ("If X, Y") is one statement with it.
    assert parts_of("A log is appended, and if the node fails, the log is replayed.") == [
        "A log is appended",
        "if the node fails, the log is replayed",
    ]


def _missed(fb: object) -> str:
    return " | ".join(p.text.lower() for p in fb.missed)  # type: ignore[attr-defined]


def test_left_out_steps_of_a_point_are_reported_missed(os_grader: Grader) -> None:
    fb = os_grader.grade("What happens on a page fault?", "The OS loads the page from disk.")
    missed = _missed(fb)
    assert "legal" in missed and "victim" in missed, missed
    # The step it made is not reported missed as a part.
    assert not any(p.text.lower().startswith("reads the page") for p in fb.missed), missed


def test_half_of_a_contrast_the_question_asks_is_not_the_point(sql_grader: Grader) -> None:
    q = "What are window functions, and how do they differ from GROUP BY?"
    half = sql_grader.grade(
        q, "A window function computes a value over rows related to the current row, "
        "written with OVER (PARTITION BY ... ORDER BY ...).",
    )  # fmt: skip
    assert "group by" in _missed(half), _missed(half)
    assert not any("window function computes" in p.text for p in half.covered)
    whole = sql_grader.grade(
        q, "A window function computes a value over rows related to the current row, "
        "written with OVER (PARTITION BY ... ORDER BY ...); unlike GROUP BY it does not "
        "collapse the rows: every input row stays in the output with its value.",
    )  # fmt: skip
    assert "collapse" not in _missed(whole), _missed(whole)
    assert whole.score > half.score


def test_the_questions_words_alone_earn_no_point(os_grader: Grader) -> None:
    fb = os_grader.grade(
        "How does a CPU scheduler decide what runs next?",
        "Scheduling is one of the most fascinating parts of any operating system, and "
        "modern kernels have sophisticated schedulers. There is round robin.",
    )
    assert any(p.text.startswith("Round robin") for p in fb.covered)
    assert "priority scheduling" in _missed(fb), _missed(fb)
    assert not fb.partial, [p.text for p in fb.partial]


def test_a_labels_short_name_names_it(os_grader: Grader) -> None:
    fb = os_grader.grade(
        "Which page replacement policies do you know?",
        "FIFO, LRU, clock (second chance), and Belady's optimal as the theoretical bound.",
    )
    assert "lru" not in _missed(fb), _missed(fb)


@pytest.mark.skipif(not MLQ_NOTES.is_file(), reason="shared corpora not beside the clone")
def test_a_subject_naming_both_sides_makes_neither_sides_point(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    g = _grader(tmp_path_factory.mktemp("mlq"), MLQ_NOTES)
    q = "What's the difference between boosting and bagging?"
    padded = g.grade(
        q, "Boosting and bagging are both very popular ensemble techniques that data "
        "scientists use all the time. Both of them combine models.",
    )  # fmt: skip
    assert not any("bootstrap" in p.text for p in padded.covered)
    assert not any("misclassified" in p.text for p in padded.covered)
    right = g.grade(
        q, "Bagging trains each learner on a bootstrap sample drawn with replacement; "
        "boosting trains learners in sequence on all the data, weighting the instances "
        "the previous learners misclassified.",
    )  # fmt: skip
    assert right.score > padded.score
