"""The eval harness: fixture loading errors, each scorer, metrics math, re-scoring,
comparison, the hand-labelled meta-evaluation, reports, and the CLI end to end
(grounded core and the Ollama test server)."""

from __future__ import annotations

import json
import os
import signal
import textwrap
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from interviewer.evals import (
    IDEA_THRESHOLD,
    Attempt,
    Case,
    CaseResult,
    Check,
    CorpusGraders,
    EvalInterrupted,
    Expect,
    FixtureError,
    FixtureSet,
    IdeaMatcher,
    Item,
    LoadedCase,
    Metrics,
    Results,
    RuleStats,
    RunInfo,
    ScoreContext,
    cited_notes,
    compare_results,
    compute_metrics,
    corpus_dir_for,
    corpus_label,
    find_heading,
    load_fixtures,
    load_meta,
    load_results,
    metrics_by_corpus,
    normalise,
    percentile,
    phrase_in,
    prompts_hash,
    rescore,
    run_cases,
    save_results,
    score_attempt,
    score_feedback,
    select_corpora,
)
from interviewer.evals_report import render_comparison, render_results
from interviewer.feedback import Citation, Feedback, IncorrectClaim, Point

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "evals" / "fixtures"
META = REPO / "evals" / "meta"
NOTE = "notes/ml-interview-notes.md"
OVERFIT = "How to check overfitting? How to deal with it?"


@pytest.fixture(scope="module")
def embedder() -> Any:
    from interviewer.embeddings import get_embedder
    from interviewer.settings import Settings

    return get_embedder(Settings())


@pytest.fixture
def ctx(embedder: Any) -> ScoreContext:
    return ScoreContext(lambda: embedder)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def fb(**kw: Any) -> Feedback:
    data: dict[str, Any] = {"question": OVERFIT, "score": 5.0}
    data.update(kw)
    return Feedback(**data)


def cit(heading: str, kind: str = "note") -> Citation:
    return Citation(source=NOTE, heading=heading, kind=kind)  # type: ignore[arg-type]


def case(**expect: Any) -> Case:
    return Case(id="c", question=OVERFIT, answer="a", expect=Expect(**expect))


GOOD_CASE = """
    id: good-one
    question: "Q?"
    answer: "A"
    expect:
      score: [0, 4]
      missing:
        - any: ["validation"]
"""


# ---- fixture loading ----------------------------------------------------------------


def test_unknown_key_is_reported_with_file_and_line(tmp_path: Path) -> None:
    write(
        tmp_path / "a.yaml",
        """
        - id: first
          question: "Q?"
          expect:
            score: [0, 4]
        - id: second
          question: "Q?"
          expect:
            missing:
              - any: ["x"]
              - anyy: ["typo"]
        """,
    )
    loaded = load_fixtures(tmp_path)
    assert [c.case.id for c in loaded.cases] == ["first"]
    (problem,) = loaded.problems
    assert problem.file == "a.yaml" and problem.line == 10
    assert str(problem).startswith("a.yaml:10: ")
    assert "unknown key 'anyy'" in str(problem)
    assert problem.case_id == "second"


def test_unknown_top_level_key_points_at_the_key(tmp_path: Path) -> None:
    write(
        tmp_path / "one.yml",
        """
        id: solo
        question: "Q?"
        expected:
          score: [1, 2]
        """,
    )
    (problem,) = load_fixtures(tmp_path).problems
    assert (problem.line, problem.case_id) == (3, "solo")
    assert "unknown key 'expected'" in problem.message


def test_malformed_yaml_does_not_stop_other_files(tmp_path: Path) -> None:
    write(tmp_path / "a_bad.yaml", "id: x\nquestion: [unclosed\nexpect: {}\n")
    write(tmp_path / "b_good.yaml", GOOD_CASE)
    loaded = load_fixtures(tmp_path)
    assert [c.case.id for c in loaded.cases] == ["good-one"]
    (problem,) = loaded.problems
    assert problem.file == "a_bad.yaml" and problem.line is not None
    assert "invalid YAML" in problem.message


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("id: a\nquestion: Q\nexpect:\n  score: [5, 2]\n", 4, "low <= high"),
        ("id: a\nquestion: Q\nexpect:\n  missing:\n    - {any: [x], idea: y}\n", 5, "exactly one"),
        ("id: a\nquestion: Q\nexpect: {}\n", 1, "no checks"),
        ("id: a\nexpect:\n  score: [0, 1]\n", 1, "missing key 'question'"),
        ("id: a\nquestion: Q\nquestion: R\nexpect:\n  score: [0, 1]\n", 3, "duplicate key"),
        ("- just a string\n", 1, "must be a mapping"),
        ("", 1, "empty"),
    ],
)
def test_invalid_cases_are_problems_with_lines(
    tmp_path: Path, body: str, line: int, words: str
) -> None:
    write(tmp_path / "f.yaml", body)
    write(tmp_path / "g.yaml", GOOD_CASE)
    loaded = load_fixtures(tmp_path)
    assert [c.case.id for c in loaded.cases] == ["good-one"]
    (problem,) = loaded.problems
    assert problem.line == line, problem
    assert words in problem.message


def test_duplicate_ids_keep_the_first(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", GOOD_CASE)
    write(tmp_path / "b.yaml", GOOD_CASE)
    loaded = load_fixtures(tmp_path)
    assert len(loaded.cases) == 1 and loaded.cases[0].file == "a.yaml"
    assert "duplicate id 'good-one' (first at a.yaml:1)" in str(loaded.problems[0])


def test_bare_string_item_is_a_one_phrase_any() -> None:
    item = Item.model_validate("early stopping")
    assert item.any == ["early stopping"] and item.label() == "any: early stopping"


def test_missing_fixtures_dir_is_an_error(tmp_path: Path) -> None:
    from interviewer.errors import InterviewerError

    with pytest.raises(InterviewerError, match="not found"):
        load_fixtures(tmp_path / "nope")
    with pytest.raises(InterviewerError, match=r"no \*\.yaml"):
        load_fixtures(tmp_path)


# ---- matching and scorers -----------------------------------------------------------


def test_normalisation_and_phrase_boundaries() -> None:
    assert normalise("K-Fold  Cross-Validation!") == "k fold cross validation"
    assert normalise("Pérdida") == "perdida"
    assert phrase_in("cross-validation", "Use k-fold Cross Validation.")
    assert phrase_in("early stop", "Early stopping helps")  # the end may run on
    assert not phrase_in("stop", "a nonstop run")  # the start may not
    assert not phrase_in("  ", "anything")


def test_score_scorer_is_inclusive(ctx: ScoreContext) -> None:
    c = case(score=(2, 4))
    for score, ok in [(2.0, True), (4.0, True), (4.5, False), (1.9, False)]:
        (check,) = score_feedback(c, fb(score=score), ctx)
        assert (check.kind, check.passed) == ("score", ok)
        assert check.item == "[2, 4]"


def test_missing_scorer_reads_missed_only(ctx: ScoreContext) -> None:
    c = case(missing=[Item(any=["early stopping"]), Item(any=["validation", "k-fold"])])
    feedback = fb(
        missed=[Point(text="Use K-fold cross-validation to check it.")],
        covered=[Point(text="Early stopping")],  # covered is not "reported missing"
    )
    checks = score_feedback(c, feedback, ctx)
    assert [(ch.kind, ch.passed) for ch in checks] == [("missing", False), ("missing", True)]
    assert "missed[0]" in checks[1].detail


def test_incorrect_scorer_accepts_claim_or_correction(ctx: ScoreContext) -> None:
    c = case(incorrect=[Item(any=["small dataset"]), Item(any=["too big"])])
    feedback = fb(
        incorrect=[
            IncorrectClaim(
                text="Overfitting is when the model is too big.",
                correction="A small dataset or too many epochs also cause it.",
            )
        ]
    )
    checks = score_feedback(c, feedback, ctx)
    assert [ch.passed for ch in checks] == [True, True]
    assert "correction" in checks[0].detail and "correction" not in checks[1].detail
    # Reported only as missed: not flagged as wrong.
    (check,) = score_feedback(
        c.model_copy(update={"expect": Expect(incorrect=[Item(any=["too big"])])}),
        fb(missed=[Point(text="model too big")]),
        ctx,
    )
    assert not check.passed


def test_not_flagged_scorer(ctx: ScoreContext) -> None:
    c = case(not_flagged=[Item(any=["smaller network"])])
    clean = fb(incorrect=[IncorrectClaim(text="too big", correction="not only a smaller network")])
    assert score_feedback(c, clean, ctx)[0].passed  # naming it in a correction is fine
    flagged_missed = fb(missed=[Point(text="Use a smaller network")])
    flagged_wrong = fb(incorrect=[IncorrectClaim(text="make the smaller network", correction="")])
    for bad in (flagged_missed, flagged_wrong):
        (check,) = score_feedback(c, bad, ctx)
        assert not check.passed and check.detail.startswith("wrongly reported")


def test_cite_scorer_uses_note_citations_of_feedback_and_points(ctx: ScoreContext) -> None:
    c = case(cite=["How to check overfitting", "My final answer"])
    feedback = fb(
        citations=[cit(f"{OVERFIT} > My initial answer")],
        missed=[Point(text="x", citation=cit(f"{OVERFIT} > My final answer"))],
    )
    assert [ch.passed for ch in score_feedback(c, feedback, ctx)] == [True, True]
    only_reference = fb(citations=[cit(f"{OVERFIT} > My final answer", kind="reference")])
    assert [ch.passed for ch in score_feedback(c, only_reference, ctx)] == [False, False]


def test_grounded_scorer(ctx: ScoreContext) -> None:
    c = case(grounded=False)
    assert score_feedback(c, fb(grounded=False, notes_status="stub"), ctx)[0].passed
    (check,) = score_feedback(c, fb(grounded=True), ctx)
    assert not check.passed and "notes_status=ok" in check.detail


def test_idea_items_match_by_embedding(ctx: ScoreContext) -> None:
    c = case(
        missing=[Item(idea="Stop training when the validation loss starts rising.")],
        not_flagged=[Item(idea="Adam adapts a separate learning rate for each parameter.")],
    )
    good = fb(missed=[Point(text="Early stopping: stop before the network overfits. It helps.")])
    checks = score_feedback(c, good, ctx)
    assert [ch.passed for ch in checks] == [True, True]
    assert f">= {IDEA_THRESHOLD}" in checks[0].detail
    bad = fb(missed=[Point(text="Adam gives each parameter its own adaptive learning rate.")])
    assert [ch.passed for ch in score_feedback(c, bad, ctx)] == [False, False]


def test_idea_threshold_separates_calibration_pairs(embedder: Any) -> None:
    pairs = yaml.safe_load((META / "idea_pairs.yaml").read_text(encoding="utf-8"))
    matcher = IdeaMatcher(embedder)
    same = [matcher.best(a, [b])[0] >= IDEA_THRESHOLD for a, b in pairs["same"]]
    different = [matcher.best(a, [b])[0] >= IDEA_THRESHOLD for a, b in pairs["different"]]
    assert len(same) >= 15 and len(different) >= 15
    assert sum(same) / len(same) >= 0.85
    assert sum(different) / len(different) <= 0.2


def test_idea_without_embedder_is_a_clear_error() -> None:
    from interviewer.errors import InterviewerError

    c = case(missing=[Item(idea="anything")])
    with pytest.raises(InterviewerError, match="needs an embedder"):
        score_feedback(c, fb(missed=[Point(text="x")]), ScoreContext(None))


# ---- metrics ------------------------------------------------------------------------


def _chk(kind: str, passed: bool) -> Check:
    return Check(kind=kind, item=f"{kind}-item", passed=passed)  # type: ignore[arg-type]


def hand_built() -> list[CaseResult]:
    """Three cases: one passing, one failing, one with two attempts; an error case."""
    heading_ok = f"{OVERFIT} > My final answer"
    a = CaseResult(
        id="a",
        feedback=fb(score=3, citations=[cit(heading_ok), cit("Explain the Chain-rule")]),
        checks=[_chk("score", True), _chk("missing", True), _chk("missing", True)],
        passed=True,
        latency_ms=100.0,
    )
    b = CaseResult(
        id="b",
        feedback=fb(score=9, engine="ollama:m", model_error="invalid JSON"),
        checks=[_chk("missing", False), _chk("not_flagged", False), _chk("incorrect", True)],
        passed=False,
        latency_ms=300.0,
    )
    att1 = Attempt(
        feedback=fb(score=2, engine="ollama:m", citations=[cit(heading_ok)]),
        checks=[_chk("not_flagged", True), _chk("incorrect", False)],
        passed=False,
        latency_ms=200.0,
    )
    att2 = Attempt(
        feedback=fb(score=4, engine="ollama:m", citations=[cit(heading_ok)]),
        checks=[_chk("not_flagged", True), _chk("incorrect", True)],
        passed=True,
        latency_ms=400.0,
    )
    c = CaseResult.from_attempts({"id": "c"}, [att1, att2])
    err = CaseResult(id="d", error="fixture: d.yaml:3: unknown key 'x'")
    return [a, b, c, err]


def test_metrics_math_on_hand_built_results() -> None:
    cases = hand_built()
    c = cases[2]
    assert (c.passed, c.pass_fraction, c.score_mean, c.score_variance) == (False, 0.5, 3.0, 1.0)
    m = compute_metrics(cases, {"a": ["How to check overfitting"], "c": ["overfitting"]})
    assert m.missing_recall == round(2 / 3, 4)
    assert m.incorrect_recall == round(2 / 3, 4)
    assert m.false_flag_rate == round(1 / 3, 4)
    assert m.score_in_range == 1.0
    # a cites 2 notes (1 right), c's attempts cite 1 right note each: 3 of 4.
    assert m.citation_precision == 0.75
    assert m.cite_recall is None and m.grounded_accuracy is None
    assert m.pass_rate == round((1 + 0 + 0.5 + 0) / 4, 4)
    # latencies 100, 300, 200, 400 -> p50 250, p95 = 300 + 0.85 * 100
    assert (m.latency_p50_ms, m.latency_p95_ms) == (250.0, 385.0)
    # three model-graded attempts (b, c1, c2), one invalid
    assert m.invalid_model_output_rate == round(1 / 3, 4)
    assert (m.cases, m.errors, m.attempts) == (4, 1, 5)


def test_percentile_and_empty_metrics() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 95) == 5.0
    assert percentile([1, 2, 3, 4], 50) == 2.5
    empty = compute_metrics([], {})
    assert empty.pass_rate is None and empty.missing_recall is None and empty.cases == 0


# ---- run_cases with an injected grader ----------------------------------------------


class ScriptedGrader:
    """Returns a fixed feedback per answer; raises for answers starting with 'boom'."""

    def __init__(self, by_answer: dict[str, Feedback]) -> None:
        self.by_answer = by_answer
        self.calls = 0
        self._lock = threading.Lock()

    def grade(self, question: str, answer: str) -> Feedback:
        with self._lock:
            self.calls += 1
        if answer.startswith("boom"):
            raise RuntimeError("grader exploded\nsecond line")
        return self.by_answer[answer]


def loaded(cid: str, answer: str, **expect: Any) -> LoadedCase:
    return LoadedCase(
        case=Case(id=cid, question=OVERFIT, answer=answer, expect=Expect(**expect)),
        file="f.yaml",
        line=len(cid),
    )


def test_run_cases_isolates_errors_and_repeats(ctx: ScoreContext) -> None:
    fixtures = FixtureSet(
        cases=[
            loaded("ok", "fine", score=(0, 5)),
            loaded("kaboom", "boom!", score=(0, 5)),
        ]
    )
    grader = ScriptedGrader({"fine": fb(score=3)})
    seen: list[int] = []
    results = run_cases(
        fixtures, grader, ctx, jobs=3, repeat=2, on_progress=lambda d, t, _: seen.append(t)
    )
    assert grader.calls == 4 and seen == [4, 4, 4, 4]
    ok, boom = results
    assert ok.passed and ok.pass_fraction == 1.0 and ok.attempts and len(ok.attempts) == 2
    assert not boom.passed and boom.error == "RuntimeError: grader exploded"
    m = compute_metrics(results, {})
    assert (m.errors, m.pass_rate, m.score_in_range) == (1, 0.5, 1.0)


class InterruptingGrader(ScriptedGrader):
    """Sends this process a real SIGINT (Ctrl-C) when asked to grade 'stop' (once
    ``ready`` is set), then hangs like a model call that never returns, until released."""

    def __init__(self, by_answer: dict[str, Feedback]) -> None:
        super().__init__(by_answer)
        self.ready = threading.Event()
        self.release = threading.Event()

    def grade(self, question: str, answer: str) -> Feedback:
        if answer == "stop":
            self.ready.wait(10)
            os.kill(os.getpid(), signal.SIGINT)
            self.release.wait(30)
            raise RuntimeError("released")
        return super().grade(question, answer)


def test_ctrl_c_keeps_finished_cases_and_abandons_the_rest(ctx: ScoreContext) -> None:
    fixtures = FixtureSet(
        cases=[
            loaded("a", "fine", score=(0, 5)),
            loaded("bb", "fine", score=(4, 5)),
            loaded("ccc", "stop", score=(0, 5)),
            loaded("dddd", "fine", score=(0, 5)),
        ]
    )
    grader = InterruptingGrader({"fine": fb(score=3)})
    saved: list[list[str]] = []

    def on_case(cases: list[CaseResult]) -> None:
        saved.append([c.id for c in cases])
        if len(saved) == 2:
            grader.ready.set()

    try:
        with pytest.raises(EvalInterrupted) as stopped:
            run_cases(fixtures, grader, ctx, jobs=1, on_case=on_case)
    finally:
        grader.release.set()
    # Cases finish in order on one worker; the one in flight and the one after it are
    # not waited for, and nothing new was graded after Ctrl-C.
    assert [c.id for c in stopped.value.cases] == ["a", "bb"]
    assert saved == [["a"], ["a", "bb"]]
    assert [c.passed for c in stopped.value.cases] == [True, False]
    assert grader.calls == 2


def test_ctrl_c_keeps_grades_finished_but_not_yet_collected(ctx: ScoreContext) -> None:
    """The worker may finish cases faster than the caller collects them: a Ctrl-C
    right then still keeps them."""
    fixtures = FixtureSet(
        cases=[loaded("a", "fine", score=(0, 5)), loaded("bb", "stop", score=(0, 5))]
    )
    grader = InterruptingGrader({"fine": fb(score=3)})
    grader.ready.set()
    try:
        with pytest.raises(EvalInterrupted) as stopped:
            run_cases(fixtures, grader, ctx, jobs=1)
    finally:
        grader.release.set()
    assert [c.id for c in stopped.value.cases] == ["a"]


# ---- re-scoring, files, comparison --------------------------------------------------


def results_for(cases: list[CaseResult], engine: str = "grounded") -> Results:
    return Results(run=RunInfo(engine=engine), cases=cases, metrics=compute_metrics(cases, {}))


def test_rescore_uses_stored_feedback_and_new_expectations(
    tmp_path: Path, ctx: ScoreContext
) -> None:
    fixtures = FixtureSet(
        cases=[loaded("ok", "fine", score=(0, 5)), loaded("x", "y", score=(0, 1))]
    )
    grader = ScriptedGrader({"fine": fb(score=3), "y": fb(score=0.5)})
    stored = results_for(run_cases(fixtures, grader, ctx))
    path = save_results(stored, tmp_path / "r.json")
    again = rescore(load_results(path), fixtures, embedder=None)
    assert again.metrics == stored.metrics
    stricter = FixtureSet(
        cases=[loaded("ok", "fine", score=(4, 5)), loaded("new", "z", score=(0, 1))]
    )
    changed = rescore(stored, stricter)
    by_id = {c.id: c for c in changed.cases}
    assert not by_id["ok"].passed and by_id["ok"].checks[0].detail == "score 3"
    assert by_id["x"].error == "no fixture with id 'x'"
    assert changed.unscored == ["new"]
    assert grader.calls == 2  # nothing graded again


def test_load_results_errors(tmp_path: Path) -> None:
    from interviewer.evals import ResultsError

    with pytest.raises(ResultsError, match="not found"):
        load_results(tmp_path / "none.json")
    (tmp_path / "bad.json").write_text("{nope", encoding="utf-8")
    with pytest.raises(ResultsError, match=r"bad\.json:1: not JSON"):
        load_results(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text('{"cases": [{"no_id": 1}]}', encoding="utf-8")
    with pytest.raises(ResultsError, match="not an eval results file"):
        load_results(tmp_path / "other.json")


def test_compare_pairs_cases_by_id() -> None:
    def cr(cid: str, passed: bool, score: float, checks: list[Check]) -> CaseResult:
        return CaseResult(id=cid, feedback=fb(score=score), checks=checks, passed=passed)

    a = results_for(
        [
            cr("x", True, 2, [_chk("score", True), _chk("missing", True)]),
            cr("y", False, 8, [_chk("score", False)]),
            cr("z", True, 1, [_chk("score", True)]),
            cr("gone", True, 1, [_chk("score", True)]),
        ]
    )
    b = results_for(  # different order, one new case, one case dropped
        [
            cr("new", False, 5, [_chk("score", False)]),
            cr("z", True, 1.5, [_chk("score", True)]),
            cr("y", True, 3, [_chk("score", True)]),
            cr("x", False, 2, [_chk("score", True), _chk("missing", False)]),
        ],
        engine="ollama:m",
    )
    cmp = compare_results(a, b)
    by_id = {c.id: c for c in cmp.cases}
    assert by_id["x"].change == "regression" and by_id["x"].broke == ["missing: missing-item"]
    assert by_id["y"].change == "improvement" and by_id["y"].fixed == ["score: score-item"]
    assert (by_id["y"].score_a, by_id["y"].score_b) == (8, 3)
    assert by_id["z"].change == "same"
    assert by_id["gone"].change == "only_a" and by_id["new"].change == "only_b"
    assert (cmp.regressions, cmp.improvements) == (1, 1)
    deltas = {d.name: d for d in cmp.metrics}
    # A: score 3/4, B: 3/4 -> unchanged; missing recall 1.0 -> 0.0 is worse
    assert deltas["score_in_range"].delta == 0.0 and deltas["score_in_range"].better is None
    assert deltas["missing_recall"].delta == -1.0 and deltas["missing_recall"].better is False
    assert deltas["pass_rate"].a == 0.75 and deltas["pass_rate"].b == 0.5


def test_reports_escape_everything() -> None:
    evil = "<script>alert(1)</script>"
    cases = [
        CaseResult(
            id="x",
            answer=evil,
            feedback=fb(missed=[Point(text=evil)], critique=evil),
            checks=[Check(kind="missing", item=f"any: {evil}", passed=False, detail="a|b")],
        )
    ]
    results = results_for(cases)
    page = render_results(results, "html")
    assert evil not in page and "&lt;script&gt;" in page
    assert page.startswith("<!DOCTYPE html>") and "http" not in page  # self-contained
    md = render_results(results, "md")
    assert "| x | FAIL |" in md and "a\\|b" in md
    cmp = compare_results(results, results_for(cases))
    assert evil not in render_comparison(cmp, "html")
    assert "No case changed." in render_comparison(cmp, "md")


def test_prompts_hash_tracks_content(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("one", encoding="utf-8")
    first = prompts_hash(tmp_path)
    assert first == prompts_hash(tmp_path)
    (tmp_path / "a.md").write_text("two", encoding="utf-8")
    assert prompts_hash(tmp_path) != first


# ---- meta-evaluation ----------------------------------------------------------------


def test_meta_labelled_feedback(ctx: ScoreContext) -> None:
    """The harness passes every feedback labelled good and fails every feedback
    labelled bad, for the reasons written next to it."""
    examples = load_meta(META)
    fixtures = load_fixtures(FIXTURES).by_id()
    assert sum(e.label == "good" for e in examples) >= 4
    assert sum(e.label == "bad" for e in examples) >= 4
    wrong = []
    for ex in examples:
        checks = score_feedback(fixtures[ex.fixture].case, ex.feedback, ctx)
        failed = {c.kind for c in checks if not c.passed}
        expected = set(ex.fails)
        if failed != expected:
            wrong.append(
                f"{ex.fixture} ({ex.label}): failed {sorted(failed)}, want {sorted(expected)}"
            )
    assert not wrong, wrong


# ---- CLI ----------------------------------------------------------------------------

SUBSET = {"ml-interview-notes/overfitting.yaml": 3, "ml-interview-notes/stubs.yaml": 2}


@pytest.fixture
def subset(tmp_path: Path) -> Path:
    """A few real fixtures: a well-covered question and two stub questions."""
    dest = tmp_path / "fixtures"
    dest.mkdir()
    for name, n in SUBSET.items():
        cases = yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))[:n]
        for c in cases:  # graded against --corpus (a smaller copy of the notes)
            c.pop("corpus", None)
        target = dest / Path(name).name
        target.write_text(yaml.safe_dump(cases, allow_unicode=True), encoding="utf-8")
    (dest / "zz_broken.yaml").write_text("id: broken\nquestion: Q\nexpect: {scor: 1}\n")
    return dest


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """The bundled notes up to the subset's last question (the vanishing-gradients
    stub): the same text, fewer sections to embed, a faster test."""
    notes = (REPO / "corpus" / NOTE).read_text(encoding="utf-8")
    cut = notes.index("# Ensemble algorithm?")
    dest = tmp_path / "corpus" / NOTE
    dest.parent.mkdir(parents=True)
    dest.write_text(notes[:cut], encoding="utf-8")
    return tmp_path / "corpus"


def cli(*args: str) -> Any:
    from interviewer._cli.eval import app

    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result


def test_cli_run_no_llm_then_score_reproduces_metrics(
    subset: Path, tmp_path: Path, small_corpus: Path
) -> None:
    out = tmp_path / "grounded.json"
    run = cli("run", "--fixtures", str(subset), "--no-llm", "--out", str(out), "-j", "2",
              "--corpus", str(small_corpus), "--format", "html")  # fmt: skip
    # The subset holds a broken fixture file: the good cases are saved, the run fails.
    assert run.exit_code == 1, run.output
    assert "zz_broken.yaml" in run.output.strip().splitlines()[-1]
    results = load_results(out)
    assert results.run.engine == "grounded" and results.run.model is None
    assert len(results.run.prompts_hash) == 64
    assert results.metrics.cases == 6 and results.metrics.errors == 1
    broken = next(c for c in results.cases if c.error)
    assert (
        broken.error and "zz_broken.yaml:3" in broken.error and "unknown key 'scor'" in broken.error
    )
    graded = [c for c in results.cases if not c.error]
    assert all(c.feedback is not None and c.checks for c in graded)
    assert all(c.feedback.engine == "grounded" for c in graded if c.feedback)
    assert out.with_suffix(".html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    raw = json.loads(out.read_text(encoding="utf-8"))
    assert set(raw["run"]) >= {"model", "engine", "prompts_hash", "settings", "started", "duration"}
    assert set(raw["cases"][0]) >= {"id", "question", "answer", "feedback", "checks", "passed"}

    scored = cli("score", "--fixtures", str(subset), "--feedback", str(out), "--json")
    assert scored.exit_code == 0, scored.output
    again = json.loads(scored.stdout)
    assert again["metrics"] == raw["metrics"]
    assert [c["passed"] for c in again["cases"]] == [c["passed"] for c in raw["cases"]]


def test_cli_run_against_ollama_server_cache_and_compare(
    subset: Path, tmp_path: Path, small_corpus: Path, ollama_server: Any
) -> None:
    grounded, model, cached = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    base = ["--fixtures", str(subset), "--corpus", str(small_corpus)]

    def responder(body: dict[str, Any]) -> Any:
        """A model that wrongly calls a correct remedy wrong (overfitting-complete) and
        answers one case with invalid JSON (the bias misconception)."""
        prompt = " ".join(" ".join(m["content"].split()) for m in body["messages"])
        if "early stopping on the validation loss" in prompt:
            return {
                "critique": "Early stopping is not a remedy for overfitting.",
                "incorrect": [
                    {
                        "claim": "early stopping on the validation loss",
                        "correction": "Stopping early causes underfitting.",
                        "source_id": "S1",
                    }
                ],
            }
        if "high bias and low variance" in prompt:
            return "this is not JSON {"
        return None

    ollama_server.responder = responder
    first = cli("run", *base, "--no-llm", "--out", str(grounded))
    assert first.exit_code == 1, first.output
    assert not ollama_server.chat_requests()  # --no-llm never contacts the model

    second = cli("run", *base, "--model", "qwen2.5:7b-instruct", "--out", str(model))
    assert second.exit_code == 1, second.output
    b = load_results(model)
    assert b.run.engine == "ollama:qwen2.5:7b-instruct" and b.run.cache
    calls = len(ollama_server.chat_requests())
    assert calls > 0, "the model was never called"
    assert all(r["model"] == "qwen2.5:7b-instruct" for r in ollama_server.chat_requests())
    assert any(c.feedback and c.feedback.engine != "grounded" for c in b.cases)
    graded_b = [c for c in b.cases if c.feedback]
    broken_reply = next(c for c in graded_b if c.id == "overfitting-bias-misconception")
    assert broken_reply.feedback and broken_reply.feedback.model_error
    assert b.metrics.invalid_model_output_rate == round(1 / len(graded_b), 4)

    # Unchanged cases come from the response cache (an invalid reply is never cached,
    # so only that case asks again); --no-cache asks the model for every case.
    third = cli("run", *base, "--model", "qwen2.5:7b-instruct", "--out", str(cached))
    assert third.exit_code == 1, third.output
    again = ollama_server.chat_requests()[calls:]
    assert again and all("high bias and low variance" in json.dumps(r) for r in again)
    c = load_results(cached)

    def graded(r: Results) -> list[tuple[float, list[str]]]:
        return [(x.feedback.score, [p.text for p in x.feedback.missed]) for x in r.cases
                if x.feedback]  # fmt: skip

    assert graded(c) == graded(b) and c.metrics.pass_rate == b.metrics.pass_rate
    fourth = cli("run", *base, "--model", "qwen2.5:7b-instruct", "--no-cache",
                 "--out", str(tmp_path / "d.json"))  # fmt: skip
    assert fourth.exit_code == 1, fourth.output
    assert len(ollama_server.chat_requests()) == 2 * calls + len(again)

    shown = cli("compare", str(grounded), str(model), "--json")
    assert shown.exit_code == 0, shown.output
    cmp = json.loads(shown.stdout)
    assert cmp["a"]["engine"] == "grounded" and cmp["b"]["engine"].startswith("ollama:")
    by_id = {c["id"]: c for c in cmp["cases"]}
    assert set(by_id) == {c.id for c in b.cases}
    assert all(c["change"] in {"regression", "improvement", "same"} for c in cmp["cases"])
    # The scripted model's false flag shows up as this case's regression (its claim is
    # not the notes' own words, so the notes do not overrule the model).
    hurt = by_id["overfitting-complete"]
    a = load_results(grounded)
    if next(c for c in a.cases if c.id == "overfitting-complete").passed:
        assert hurt["change"] == "regression"
    assert "not_flagged: any: early stopping" in hurt["broke"] or not hurt["passed_a"]
    assert not hurt["passed_b"]
    assert {m["name"] for m in cmp["metrics"]} >= {"missing_recall", "pass_rate"}
    table = cli("compare", str(grounded), str(model))
    assert table.exit_code == 0 and "regression(s)" in table.stdout
    page = cli("compare", str(grounded), str(model), "--format", "md")
    assert page.stdout.startswith("# Eval comparison")


def test_unwritable_results_file_is_one_error_after_the_results(
    subset: Path, tmp_path: Path, small_corpus: Path
) -> None:
    """A results path that cannot be written (a read-only data dir, a file where a dir
    should be) is a one-line error, and the run's results are still shown."""
    from interviewer.evals import ResultsError

    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(ResultsError, match="cannot write the results file"):
        save_results(results_for([]), blocker / "r.json")

    from interviewer._cli.eval import app

    run = CliRunner().invoke(
        app, ["run", "--fixtures", str(subset), "--no-llm", "--json", "--corpus",
              str(small_corpus), "--out", str(blocker / "r.json")],
    )  # fmt: skip
    assert isinstance(run.exception, ResultsError), run.output
    assert "\n" not in str(run.exception) and str(blocker / "r.json") in str(run.exception)
    assert len(json.loads(run.stdout)["cases"]) == 6


def test_cli_run_without_a_served_model_is_recorded_as_grounded(
    subset: Path, tmp_path: Path, small_corpus: Path
) -> None:
    """No --no-llm and nothing serves the model (OLLAMA_HOST is a closed port here):
    the run is grounded and must say so, not carry an "ollama:<model>" label."""
    out = tmp_path / "r.json"
    run = cli("run", "--fixtures", str(subset), "--out", str(out), "--corpus", str(small_corpus))
    assert run.exit_code == 1, run.output
    results = load_results(out)
    assert results.run.engine == "grounded" and results.run.model is None
    assert all(c.feedback.model_error is None for c in results.cases if c.feedback)
    assert "recorded as grounded" in run.stderr


def test_cli_run_interrupted_leaves_a_partial_file_that_rescores_and_compares(
    subset: Path, tmp_path: Path, small_corpus: Path, ollama_server: Any
) -> None:
    """Ctrl-C (a real SIGINT) while the model is answering the third request: the
    results file already holds the finished cases while the run goes, and after the
    interrupt it is a valid partial results file (exit 130) that `eval score`
    reproduces and `eval compare` pairs by id, unfinished cases as missing."""
    base = ["--fixtures", str(subset), "--corpus", str(small_corpus)]
    full, part = tmp_path / "full.json", tmp_path / "part.json"
    assert cli("run", *base, "--no-llm", "--out", str(full)).exit_code == 1
    during: list[Results] = []

    def responder(body: dict[str, Any]) -> Any:
        if len(ollama_server.chat_requests()) != 3:
            return None
        during.append(load_results(part))  # written as the run goes
        os.kill(os.getpid(), signal.SIGINT)
        from tests.ollama_server import Reply

        return Reply(content={"critique": "late"}, delay_s=5)

    ollama_server.responder = responder
    run = cli("run", *base, "--model", "qwen2.5:7b-instruct", "-j", "1", "--out", str(part))
    assert run.exit_code == 130, run.output
    assert "interrupted: partial results" in run.stderr and str(part) in run.stderr
    assert during and during[0].run.partial and during[0].run.completed
    stored = load_results(part)
    info = stored.run
    graded = [c for c in stored.cases if c.file and not c.error]
    assert info.partial and info.total == 5 and 0 < info.completed < 5  # type: ignore[operator]
    assert len(graded) == info.completed >= during[0].run.completed  # type: ignore[operator]
    assert stored.metrics.cases == info.completed + 1  # plus the broken fixture
    assert not list(tmp_path.glob(".part.json.*.tmp"))

    scored = cli("score", "--fixtures", str(subset), "--feedback", str(part), "--json")
    assert scored.exit_code == 0, scored.output
    again = json.loads(scored.stdout)
    assert again["metrics"] == stored.metrics.model_dump(mode="json")
    assert [(c["id"], c["passed"], c["checks"]) for c in again["cases"]] == [
        (c.id, c.passed, [x.model_dump(mode="json") for x in c.checks]) for c in stored.cases
    ]
    assert again["run"]["partial"] and len(again["unscored"]) == 5 - info.completed  # type: ignore[operator]
    assert "partial run" in scored.stderr

    shown = cli("compare", str(full), str(part), "--json")
    assert shown.exit_code == 0, shown.output
    changes = {c["id"]: c["change"] for c in json.loads(shown.stdout)["cases"]}
    missing = {c.id for c in load_results(full).cases} - {c.id for c in stored.cases}
    assert missing and {i for i, ch in changes.items() if ch == "only_a"} == missing
    for t in threading.enumerate():  # the abandoned grade ends with the server's reply
        if t.name.startswith("eval-"):
            t.join(timeout=15)


# ---- corpora, kinds of answers, per-corpus metrics, rule precision ------------------


def test_corpus_and_kind_fields(tmp_path: Path) -> None:
    path = write(
        tmp_path / "f.yaml",
        """
        - id: a
          corpus: ../shared/corpora/mlquestions-65.md
          kind: reversed
          heading: "Load balancer"
          question: "Q?"
          expect: {score: [0, 5]}
        - id: b
          corpus: "  "
          question: "Q?"
          expect: {score: [0, 5]}
        - id: c
          kind: backwards
          question: "Q?"
          expect: {score: [0, 5]}
        """,
    )
    fs = load_fixtures(path)
    (a,) = [c.case for c in fs.cases]
    assert (a.corpus_label(), a.kind, a.heading) == ("mlquestions-65", "reversed", "Load balancer")
    problems = {p.case_id: p.message for p in fs.problems}
    assert set(problems) == {"b", "c"}
    assert "corpus" in problems["b"] and "kind" in problems["c"]
    assert corpus_label(None) == "default" and corpus_label("evals/corpora") == "corpora"


def _claim(text: str) -> IncorrectClaim:
    return IncorrectClaim(text=text, correction="")


def kinds_built() -> list[CaseResult]:
    """Correct answers (one falsely flagged, one scoring low), reversed answers (one
    scoring high), and the checks that judge each flag."""
    return [
        CaseResult(
            id="ok", corpus="a.md", kind="correct",
            feedback=fb(score=8), checks=[_chk("not_flagged", True)], passed=True,
        ),
        CaseResult(
            id="flagged", corpus="a.md", kind="correct",
            feedback=fb(score=6, incorrect=[_claim("inner join keeps matches")]),
            checks=[Check(kind="not_flagged", item="any: inner", passed=False,
                          detail="wrongly reported: 'inner' in incorrect[0]")],
        ),
        CaseResult(
            id="low", corpus="b.md", kind="correct", feedback=fb(score=5.5), passed=True,
        ),
        CaseResult(
            id="rev-caught", corpus="b.md", kind="reversed",
            feedback=fb(score=2, incorrect=[_claim("left join keeps only"), _claim("other")]),
            checks=[Check(kind="incorrect", item="any: left join keeps only", passed=True,
                          detail="'left join keeps only' in incorrect[0]")],
            passed=True,
        ),
        CaseResult(id="rev-missed", corpus="b.md", kind="reversed", feedback=fb(score=9)),
    ]  # fmt: skip


def test_kind_metrics_and_rule_precision() -> None:
    m = compute_metrics(kinds_built(), {})
    assert m.correct_false_flag_rate == round(1 / 3, 4)
    assert m.correct_score_ok == round(2 / 3, 4)  # 8 and 6 pass, 5.5 does not
    assert m.reversed_score_ok == 0.5
    # A grader that names no rules: one bucket. Right: the caught reversal; wrong: the
    # flag on a correct answer; "other" on the reversed answer is not judged.
    rule = m.rules["unknown"]
    assert (rule.flags, rule.right, rule.wrong, rule.precision) == (3, 1, 1, 0.5)
    assert m.claim_precision == 0.5


def test_metrics_by_corpus_split_the_cases() -> None:
    cases = kinds_built()
    by = metrics_by_corpus(cases, {})
    assert list(by) == ["a", "b"]
    assert (by["a"].cases, by["b"].cases) == (2, 3)
    assert by["a"].correct_false_flag_rate == 0.5 and by["a"].reversed_score_ok is None
    assert by["b"].correct_false_flag_rate == 0.0 and by["b"].reversed_score_ok == 0.5
    assert by["b"].rules["unknown"].precision == 1.0
    results = Results(run=RunInfo(), cases=cases, metrics=compute_metrics(cases, {}),
                      by_corpus=by)  # fmt: skip
    md = render_results(results, "md")
    assert "## Per corpus" in md and "| metric | a | b | all |" in md
    assert "| false flags on correct answers | 50.0% | 0.0% | 33.3% |" in md
    assert "| unknown | 3 | 1 | 1 | 0 | 50.0% |" in md
    page = render_results(results, "html")
    assert "<h2>Per corpus</h2>" in page and "<td>unknown</td>" in page


def test_rescore_keeps_the_per_corpus_split(ctx: ScoreContext) -> None:
    fixtures = FixtureSet(
        cases=[
            LoadedCase(case=Case(id=c, question=OVERFIT, answer=c, corpus=corpus,
                                 kind="correct", expect=Expect(score=(6, 10))),
                       file="f.yaml", line=i)
            for i, (c, corpus) in enumerate([("x", "one.md"), ("y", "two.md")], 1)
        ]
    )  # fmt: skip
    grader = ScriptedGrader({"x": fb(score=7), "y": fb(score=3)})
    stored = results_for(run_cases(fixtures, grader, ctx))
    again = rescore(stored, fixtures)
    assert again.by_corpus["one"].correct_score_ok == 1.0
    assert again.by_corpus["two"].correct_score_ok == 0.0
    assert again.metrics.correct_score_ok == 0.5


def test_corpus_graders_route_cases_and_stage_single_files(
    tmp_path: Path, ctx: ScoreContext
) -> None:
    from interviewer.settings import load_settings

    root = tmp_path / "repo"
    write(root / "notes" / "sql.md", "# What is a join?\nIt combines rows.\n")
    write(root / "notes" / "os.md", "# What is a thread?\nA unit of execution.\n")
    write(root / "dir-corpus" / "x.md", "# What is X?\nX.\n")
    settings = load_settings(use_llm=False)
    opened: list[Path] = []

    def opener(s: Any) -> ScriptedGrader:
        opened.append(s.corpus_dir)
        files = sorted(p.name for p in s.corpus_dir.iterdir())
        return ScriptedGrader({"a": fb(score=len(files), question=",".join(files))})

    graders = CorpusGraders(settings, root, opener, default=ScriptedGrader({"a": fb(score=9)}))
    fixtures = FixtureSet(
        cases=[
            LoadedCase(case=Case(id=f"c{i}", question="Q?", answer="a", corpus=corpus,
                                 expect=Expect(score=(0, 10))),
                       file="f.yaml", line=i)
            for i, corpus in enumerate(
                ["notes/sql.md", "notes/os.md", "notes/sql.md", None, "dir-corpus",
                 "notes/missing.md"]
            )
        ]
    )  # fmt: skip
    results = {r.id: r for r in run_cases(fixtures, graders, ctx, jobs=2)}
    # A single file is graded alone (never with its neighbour); one grader per corpus.
    assert results["c0"].feedback and results["c0"].feedback.question == "sql.md"
    assert results["c1"].feedback and results["c1"].feedback.question == "os.md"
    assert results["c3"].feedback and results["c3"].feedback.score == 9
    assert results["c4"].feedback and results["c4"].feedback.question == "x.md"
    assert len(opened) == 3 and root / "dir-corpus" in opened
    staged = next(p for p in opened if p.name.startswith("sql-"))
    assert staged.is_relative_to(settings.home)
    # Staged once: an unchanged file is not rewritten (its index stays valid).
    before = (staged / "sql.md").stat().st_mtime_ns
    assert corpus_dir_for(settings, root, "notes/sql.md") == staged
    assert (staged / "sql.md").stat().st_mtime_ns == before
    missing = results["c5"]
    assert missing.feedback is None and missing.error
    assert "corpus not found: notes/missing.md" in missing.error


def test_select_corpora_and_headings() -> None:
    fixtures = FixtureSet(
        cases=[
            LoadedCase(case=Case(id=c, question="Q?", corpus=corpus, expect=Expect(score=(0, 1))),
                       file="f.yaml", line=1)
            for c, corpus in [("a", "evals/corpora/sql.md"), ("b", "../shared/x/os.md")]
        ]
    )  # fmt: skip
    assert [c.case.id for c in select_corpora(fixtures, ["SQL"]).cases] == ["a"]
    with pytest.raises(FixtureError, match="corpora: os, sql"):
        select_corpora(fixtures, ["statistics"])

    class Q:
        def __init__(self, heading: str) -> None:
            self.heading = heading

    qs = [Q("Primer > Load balancer vs reverse proxy"), Q("Primer > Load balancer")]
    assert find_heading(qs, "load balancer") is qs[1]
    assert find_heading(qs, "Primer > Load balancer vs reverse proxy") is qs[0]
    assert find_heading(qs, "Cache") is None


def test_cli_run_grades_each_corpus_and_reports_it(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    write(root / "pyproject.toml", "[project]\nname = 'x'\n")
    write(
        root / "notes" / "joins.md",
        """
        # What does an inner join return?
        An inner join returns only the rows that match the join condition in both tables.
        """,
    )
    write(
        root / "notes" / "threads.md",
        """
        # What do the threads of a process share?
        The threads of one process share its address space, but each has its own stack.
        """,
    )
    fixtures = write(
        root / "fixtures" / "f.yaml",
        """
        - id: join-ok
          corpus: notes/joins.md
          kind: correct
          question: "What does an inner join return?"
          answer: "Only the rows that match the join condition in both tables."
          expect: {score: [6, 10]}
        - id: thread-idk
          corpus: notes/threads.md
          kind: idk
          question: "What do the threads of a process share?"
          answer: "I don't know."
          expect: {score: [0, 1]}
        """,
    )
    out = tmp_path / "r.json"
    missing = cli("run", "--fixtures", str(fixtures.parent), "--no-llm", "--out", str(out),
                  "--calibration", str(tmp_path / "nope.json"))  # fmt: skip
    assert missing.exit_code == 2 and "calibration file not found" in missing.output
    assert not out.exists()
    calibration = write(tmp_path / "cal.json", '{"params": {"max_missed": 1}, "data_hash": "x"}')
    run = cli("run", "--fixtures", str(fixtures.parent), "--no-llm", "--out", str(out),
              "--only-corpus", "joins", "--only-corpus", "threads",
              "--calibration", str(calibration))  # fmt: skip
    assert run.exit_code == 0, run.output
    assert "per corpus" in run.output
    results = load_results(out)
    assert set(results.by_corpus) == {"joins", "threads"}
    by_id = {c.id: c for c in results.cases}
    join_fb, thread_fb = by_id["join-ok"].feedback, by_id["thread-idk"].feedback
    assert join_fb and thread_fb and join_fb.notes_status == "ok"
    # Each graded against its own notes: the citations name only that file.
    assert {c.source for c in cited_notes(join_fb)} == {"joins.md"}
    assert {c.source for c in cited_notes(thread_fb)} <= {"threads.md"}
    assert results.by_corpus["threads"].cases == 1
    assert results.run.params and results.run.params["max_missed"] == 1
    with pytest.raises(FixtureError, match="corpora: joins, threads"):
        cli("run", "--fixtures", str(fixtures.parent), "--no-llm", "--out", str(out),
            "--only-corpus", "nothing")  # fmt: skip


# ---- calibration (benchmarks/calibrate_grader.py) -----------------------------------


def _calibration_module() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "calibrate_grader", REPO / "benchmarks" / "calibrate_grader.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_calibration_leaves_one_corpus_out() -> None:
    cal = _calibration_module()
    # Corpora a and b grade well only with t=2; c is indifferent to t but does best
    # with w=0, which a and b do not care about.
    calls: list[tuple[str, str]] = []

    def evaluate(values: dict[str, Any], corpus: str) -> list[CaseResult]:
        calls.append((cal.key_of(values), corpus))
        good = values["t"] == 2 if corpus in ("a", "b") else values["w"] == 0
        return [
            CaseResult(id=f"{corpus}{i}", corpus=f"{corpus}.md", kind="correct",
                       feedback=fb(score=8 if good else 3))
            for i in range(3)
        ]  # fmt: skip

    search = cal.Search(evaluate, ["a", "b", "c"], {"t": 1, "w": 1}, {"t": [0, 1, 2], "w": [0, 1]})
    report = cal.calibrate(search)
    loo = report["loo"]
    assert loo["c"]["fitted_on"] == ["a", "b"] and loo["c"]["values"] == {"t": 2, "w": 1}
    # Fitted without c, the values miss what c needs: the held-out number shows it.
    assert loo["c"]["metrics"]["correct_score_ok"] == 0.0
    assert loo["a"]["values"]["t"] == 2 and loo["a"]["metrics"]["correct_score_ok"] == 1.0
    assert report["values"] == {"t": 2, "w": 0}
    assert report["in_sample"]["c"]["correct_score_ok"] == 1.0
    assert loo["c"]["targets_met"]["correct_score_ok"] is False
    # Every (values, corpus) pair is graded once, however many folds need it.
    assert len(calls) == len(set(calls)) == search.evaluations


def test_calibration_objective_and_advisory_rules() -> None:
    cal = _calibration_module()
    good = Metrics(score_in_range=1, missing_recall=1, correct_score_ok=1, reversed_score_ok=1,
                   correct_false_flag_rate=0)  # fmt: skip
    flaggy = good.model_copy(update={"correct_false_flag_rate": 0.1})
    assert cal.objective(good) == 4.0
    assert cal.objective(flaggy) < cal.objective(good) - 0.6  # a false flag costs dearly
    pooled = cal.pool_rules(
        [
            {"swap": RuleStats(flags=3, right=2, wrong=1), "negation": RuleStats(flags=9, right=9)},
            {"swap": RuleStats(flags=1, right=1), "unknown": RuleStats(flags=5, wrong=5)},
            {"rare": RuleStats(flags=1)},
        ]
    )
    assert pooled["swap"].precision == 0.75 and pooled["negation"].precision == 1.0
    assert pooled["rare"].precision is None
    assert cal.advisory_from(pooled) == ["swap"]
    # A precise rule with enough evidence penalises again; one with little keeps its way.
    assert cal.advisory_from(pooled, ["negation", "rare", "gone"]) == ["gone", "rare", "swap"]


def test_calibration_data_hash_follows_fixtures_and_corpora(tmp_path: Path) -> None:
    cal = _calibration_module()
    root = tmp_path / "repo"
    notes = write(root / "notes" / "n.md", "# Q?\nA.\n")
    fixture = write(
        root / "fx" / "f.yaml",
        "- id: a\n  corpus: notes/n.md\n  question: Q?\n  expect: {score: [0, 1]}\n",
    )
    first = cal.data_hash(fixture.parent, load_fixtures(fixture.parent), root)
    notes.write_text("# Q?\nB.\n", encoding="utf-8")
    second = cal.data_hash(fixture.parent, load_fixtures(fixture.parent), root)
    assert len(first) == 64 and first != second
    assert cal.data_hash(fixture.parent, load_fixtures(fixture.parent), root) == second


def test_flags_are_judged_when_scored(ctx: ScoreContext) -> None:
    flagged = fb(score=3, incorrect=[_claim("a left join keeps only matching rows"),
                                     _claim("joins are slow")])  # fmt: skip
    reversed_case = Case(id="r", question=OVERFIT, kind="reversed",
                         expect=Expect(incorrect=[Item(any=["left join keeps only"])]))  # fmt: skip
    verdicts = [c.verdict for c in score_attempt(reversed_case, flagged, ctx, None).claims or []]
    assert verdicts == [True, None]
    correct_case = reversed_case.model_copy(update={"kind": "correct"})
    verdicts = [c.verdict for c in score_attempt(correct_case, flagged, ctx, None).claims or []]
    assert verdicts == [False, False]
    partial = Case(id="p", question=OVERFIT, kind="partial",
                   expect=Expect(not_flagged=[Item(any=["slow"])]))  # fmt: skip
    attempt = score_attempt(partial, flagged, ctx, None)
    assert [c.verdict for c in attempt.claims or []] == [None, False]
    result = CaseResult.from_attempts({"id": "p", "kind": "partial"}, [attempt])
    stats = compute_metrics([result], {}).rules["unknown"]
    assert (stats.flags, stats.right, stats.wrong, stats.precision) == (2, 0, 1, 0.0)


def test_calibration_file_keeps_only_fitted_values(tmp_path: Path) -> None:
    import types

    from pydantic import BaseModel

    cal = _calibration_module()

    class Params(BaseModel):
        sim: float = 0.5
        lex: float = 0.4
        advisory_rules: list[str] = []

    module = types.SimpleNamespace(GradingParams=Params)
    out = tmp_path / "calibration.json"
    report = {"values": {"sim": 0.6, "lex": 0.4, "advisory_rules": ["swap"]},
              "data_sha256": "sha256:abc", "loo": {"sql": {"metrics": {"cases": 3}}}}  # fmt: skip
    cal.write(module, report, out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["params"] == {"sim": 0.6, "advisory_rules": ["swap"]}
    assert data["data_hash"] == "sha256:abc" and data["loo"]["sql"]["metrics"]["cases"] == 3


def test_named_and_advisory_rules_are_counted_apart(ctx: ScoreContext) -> None:
    checked = IncorrectClaim(text="precision is always high", rule="overclaim", advisory=True)
    penalised = IncorrectClaim(text="left join keeps only matches", rule="swapped-subject")
    correct = Case(id="ok", question=OVERFIT, kind="correct", expect=Expect(score=(6, 10)))
    swapped = Case(id="rev", question=OVERFIT, kind="reversed",
                   expect=Expect(incorrect=[Item(any=["left join keeps only"])]))  # fmt: skip
    results = [
        CaseResult.from_attempts(
            {"id": c.id, "kind": c.kind},
            [score_attempt(c, fb(score=7, incorrect=inc, to_check=chk), ctx, None)],
        )
        for c, inc, chk in [(correct, [], [checked]), (swapped, [penalised], [])]
    ]
    m = compute_metrics(results, {})
    # A "check this" remark on a correct answer is no false flag, but it is counted.
    assert (m.correct_false_flag_rate, m.correct_advisory_rate) == (0.0, 1.0)
    over, swap = m.rules["overclaim"], m.rules["swapped-subject"]
    assert (over.flags, over.advisory, over.wrong, over.precision) == (1, 1, 1, 0.0)
    assert (swap.flags, swap.advisory, swap.right, swap.precision) == (1, 0, 1, 1.0)
    table = render_results(Results(run=RunInfo(), cases=results, metrics=m), "md")
    assert "| overclaim | 1 | 0 | 1 | 1 | 0.0% |" in table


def test_calibration_keeps_only_changes_that_help_together() -> None:
    cal = _calibration_module()

    def evaluate(values: dict[str, Any], corpus: str) -> list[CaseResult]:
        t, w = values["t"] == 2, values["w"] == 0
        good = 0 if (t and w) else 3 if t else 2 if w else 1
        return [
            CaseResult(id=f"{corpus}{i}", corpus=f"{corpus}.md", kind="correct",
                       feedback=fb(score=8 if i < good else 3))
            for i in range(3)
        ]  # fmt: skip

    search = cal.Search(evaluate, ["a", "b"], {"t": 1, "w": 1}, {"t": [1, 2], "w": [0, 1]})
    # Each change helps alone; together they hurt: the larger one is kept.
    assert search.fit(["a", "b"]) == {"t": 2, "w": 1}
