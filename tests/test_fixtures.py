"""The bundled eval fixtures: they load cleanly, ask their own notes' questions (or
name their headings), spread over several corpora, and cover the kinds of answers
the harness is meant to test, in every corpus."""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest

from interviewer.corpus import Section, load_corpus, question_text
from interviewer.evals import FixtureSet, LoadedCase, load_fixtures, load_meta, normalise

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "evals" / "fixtures"
BUNDLED = "corpus/notes/ml-interview-notes.md"
STYLES = ("textbook", "terse", "paraphrase", "names", "long")


@pytest.fixture(scope="module")
def fixtures() -> FixtureSet:
    return load_fixtures(FIXTURES)


@pytest.fixture(scope="module")
def by_corpus(fixtures: FixtureSet) -> dict[str, list[LoadedCase]]:
    out: dict[str, list[LoadedCase]] = defaultdict(list)
    for c in fixtures.cases:
        assert c.case.corpus, f"{c.case.id} names no corpus"
        out[c.case.corpus].append(c)
    return dict(out)


def sections_of(corpus: str) -> list[Section]:
    """The sections of one notes file (or of every file of a dir), relative to the
    repo root like the fixtures' corpus field."""
    path = (REPO / corpus).resolve()
    if path.is_dir():
        return [s for d in load_corpus(path).documents for s in d.sections]
    docs = load_corpus(path.parent).documents
    return [s for d in docs if d.source == path.name for s in d.sections]


def questions_of(sections: list[Section]) -> dict[str, list[Section]]:
    """Question text -> the section and its descendants."""
    out: dict[str, list[Section]] = {}
    for s in sections:
        if s.is_question:
            out[question_text(s.heading_path[-1])] = [
                d for d in sections if d.heading_path[: len(s.heading_path)] == s.heading_path
            ]
    return out


def test_fixtures_load_without_problems(fixtures: FixtureSet) -> None:
    assert not fixtures.problems, [str(p) for p in fixtures.problems]
    assert len(fixtures.cases) >= 250


def test_four_corpora_of_forty_each(by_corpus: dict[str, list[LoadedCase]]) -> None:
    assert len(by_corpus) >= 4
    assert BUNDLED in by_corpus
    assert any(c.startswith("../shared/corpora/") for c in by_corpus)
    small = {c: len(v) for c, v in by_corpus.items() if len(v) < 40}
    assert not small, small


def test_questions_are_their_notes_questions(by_corpus: dict[str, list[LoadedCase]]) -> None:
    for corpus, cases in by_corpus.items():
        sections = sections_of(corpus)
        assert sections, f"{corpus}: no notes there"
        questions = questions_of(sections)
        headings = {normalise(s.heading_path[-1]) for s in sections}
        for c in cases:
            if c.case.heading is not None:
                # Topic headings: the heading must exist in those notes.
                assert normalise(c.case.heading) in headings, (corpus, c.case.id)
            else:
                assert c.case.question in questions, (corpus, c.case.id)
        per_question = Counter(c.case.heading or c.case.question for c in cases)
        assert len(per_question) >= 12, corpus
        assert max(per_question.values()) <= 8, corpus  # spread, not one question overfitted


def test_grounded_false_only_on_stub_questions(by_corpus: dict[str, list[LoadedCase]]) -> None:
    questions = questions_of(sections_of(BUNDLED))
    cases = [c.case for c in by_corpus[BUNDLED]]
    stubs = [c for c in cases if c.expect.grounded is False]
    assert len(stubs) >= 5
    for c in stubs:
        assert all(s.is_stub for s in questions[c.question]), c.id
    for c in cases:
        if c.expect.grounded is not False:
            assert not all(s.is_stub for s in questions[c.question]), c.id


def test_every_corpus_has_every_kind_of_answer(by_corpus: dict[str, list[LoadedCase]]) -> None:
    for corpus, loaded in by_corpus.items():
        cases = [c.case for c in loaded]
        kinds = Counter(c.kind for c in cases)
        for needed in ("correct", "partial", "idk", "padded"):
            assert kinds[needed] >= 1, (corpus, needed)
        assert kinds["reversed"] >= 3, corpus
        assert kinds["wrong"] >= 1, corpus
        assert kinds["offtopic"] + kinds["empty"] >= 1, corpus
        # False flags are the costlier error: more correct answers than wrong ones.
        assert kinds["correct"] > kinds["wrong"] + kinds["reversed"], corpus
        styles = {t for c in cases if c.kind == "correct" for t in c.tags if t in STYLES}
        assert len(styles) >= 3, (corpus, styles)


def test_expectations_fit_the_kind_of_answer(fixtures: FixtureSet) -> None:
    for loaded in fixtures.cases:
        c = loaded.case
        lo, hi = c.expect.score if c.expect.score else (0.0, 10.0)
        if c.kind == "correct":
            assert c.expect.score is not None and lo >= 3 and hi == 10, c.id
            assert not c.expect.incorrect, c.id
        elif c.kind == "reversed":
            assert hi <= 5 and c.expect.incorrect, c.id
        elif c.kind == "wrong":
            assert hi <= 7 and (c.expect.incorrect or hi <= 4), c.id
        elif c.kind in ("idk", "empty", "offtopic"):
            assert hi <= 2 and not c.expect.not_flagged and not c.expect.incorrect, c.id
        elif c.kind in ("partial", "padded"):
            assert lo < 6 and hi <= 9 and (c.expect.missing or hi <= 5), c.id
        if c.kind == "idk":
            assert c.answer.strip(), c.id


def test_every_kind_of_answer_is_covered(fixtures: FixtureSet) -> None:
    tags = Counter(t for c in fixtures.cases for t in c.case.tags)
    needed = ("omission", "misconception", "complete", "partial", "empty", "off-topic",
              "gibberish", "spanish", "injection", "stub", "swap", "padding", "idk")  # fmt: skip
    for tag in needed:
        assert tags[tag] >= 1, tag
    by_tag = {t: [c.case for c in fixtures.cases if t in c.case.tags] for t in tags}
    # A correct answer is there to catch invented faults.
    assert all(c.expect.not_flagged for c in by_tag["complete"])
    assert all(
        c.expect.incorrect
        for c in by_tag["misconception"]
        if c.kind != "wrong" or c.corpus == BUNDLED
    )
    assert all(c.expect.missing for c in by_tag["omission"] if c.kind != "idk" or c.expect.missing)
    for t in ("empty", "gibberish", "off-topic", "injection"):
        assert all(c.expect.score is not None and c.expect.score[1] <= 2 for c in by_tag[t])
    assert any("ignore" in c.answer.lower() for c in by_tag["injection"])
    assert any(not c.answer.strip() for c in by_tag["empty"])


def test_meta_examples_point_at_fixtures(fixtures: FixtureSet) -> None:
    ids = {c.case.id for c in fixtures.cases}
    examples = load_meta(REPO / "evals" / "meta")
    assert len(examples) >= 8
    assert {e.fixture for e in examples} <= ids
