"""The bundled eval fixtures: they load cleanly, ask the notes' own questions, and
cover the kinds of answers the harness is meant to test."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from interviewer.corpus import Section, load_corpus, question_text
from interviewer.evals import FixtureSet, load_fixtures, load_meta

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "evals" / "fixtures"


@pytest.fixture(scope="module")
def fixtures() -> FixtureSet:
    return load_fixtures(FIXTURES)


@pytest.fixture(scope="module")
def questions() -> dict[str, list[Section]]:
    """Question text -> the section and its descendants."""
    docs = load_corpus(REPO / "corpus").documents
    out: dict[str, list[Section]] = {}
    for doc in docs:
        for s in doc.sections:
            if s.is_question:
                out[question_text(s.heading_path[-1])] = [
                    d
                    for d in doc.sections
                    if d.heading_path[: len(s.heading_path)] == s.heading_path
                ]
    return out


def test_fixtures_load_without_problems(fixtures: FixtureSet) -> None:
    assert not fixtures.problems, [str(p) for p in fixtures.problems]
    assert len(fixtures.cases) >= 40


def test_questions_are_the_notes_questions(
    fixtures: FixtureSet, questions: dict[str, list[Section]]
) -> None:
    unknown = {c.case.question for c in fixtures.cases} - set(questions)
    assert not unknown, unknown
    per_question = Counter(c.case.question for c in fixtures.cases)
    assert len(per_question) >= 15
    assert max(per_question.values()) <= 8  # spread, not one question overfitted


def test_grounded_false_only_on_stub_questions(
    fixtures: FixtureSet, questions: dict[str, list[Section]]
) -> None:
    stubs = [c for c in fixtures.cases if c.case.expect.grounded is False]
    assert len(stubs) >= 5
    for c in stubs:
        assert all(s.is_stub for s in questions[c.case.question]), c.case.id
    for c in fixtures.cases:
        if c.case.expect.grounded is not False:
            assert not all(s.is_stub for s in questions[c.case.question]), c.case.id


def test_every_kind_of_answer_is_covered(fixtures: FixtureSet) -> None:
    tags = Counter(t for c in fixtures.cases for t in c.case.tags)
    for needed in ("omission", "misconception", "complete", "partial", "empty", "off-topic",
                   "gibberish", "spanish", "injection", "stub"):  # fmt: skip
        assert tags[needed] >= 1, needed
    by_tag = {t: [c.case for c in fixtures.cases if t in c.case.tags] for t in tags}
    # A correct answer is there to catch invented faults.
    assert all(c.expect.not_flagged for c in by_tag["complete"])
    assert all(c.expect.incorrect for c in by_tag["misconception"])
    assert all(c.expect.missing for c in by_tag["omission"])
    for t in ("empty", "gibberish", "off-topic", "injection"):
        assert all(c.expect.score is not None and c.expect.score[1] <= 1 for c in by_tag[t])
    assert any("ignore" in c.answer.lower() for c in by_tag["injection"])
    assert any(not c.answer.strip() for c in by_tag["empty"])


def test_meta_examples_point_at_fixtures(fixtures: FixtureSet) -> None:
    ids = {c.case.id for c in fixtures.cases}
    examples = load_meta(REPO / "evals" / "meta")
    assert len(examples) >= 8
    assert {e.fixture for e in examples} <= ids
