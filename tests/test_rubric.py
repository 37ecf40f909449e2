"""Rubric export / import: key points as YAML a person edits; imported edits override
extraction for the questions they cover and survive re-indexing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from interviewer.errors import InterviewerError
from interviewer.grading import Grader, export_rubric, import_rubric
from interviewer.settings import Settings
from tests.conftest import BUNDLED_CORPUS

OVERFIT = "How to check overfitting? How to deal with it?"
WEIGHT_DECAY = "Weight decay: add the squared norm of the weights to the loss to keep them small."


@pytest.fixture(scope="module")
def extracted_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir whose key-point cache is built once for the module."""
    home = tmp_path_factory.mktemp("rubric-home")
    Grader.open(Settings(home=home, corpus=BUNDLED_CORPUS, use_llm=False), use_llm=False)
    return home


@pytest.fixture
def settings(tmp_path: Path, extracted_home: Path) -> Settings:
    home = tmp_path / "home"
    shutil.copytree(extracted_home / "indexes", home / "indexes")
    return Settings(home=home, corpus=BUNDLED_CORPUS, use_llm=False)


def open_grader(settings: Settings) -> Grader:
    return Grader.open(settings, use_llm=False)


def overfit_entry(data: dict) -> dict:  # type: ignore[type-arg]
    return next(q for q in data["questions"] if q["question"] == OVERFIT)


def test_export_lists_questions_with_editable_points(settings: Settings) -> None:
    text = export_rubric(open_grader(settings))
    assert text.startswith("# interviewer rubric")
    data = yaml.safe_load(text)
    entry = overfit_entry(data)
    assert entry["id"] and entry["source"] == "notes/ml-interview-notes.md"
    point = entry["key_points"][0]
    assert {"text", "importance", "terms", "lines"} <= set(point)
    stubs = [q for q in data["questions"] if q["notes_status"] != "ok"]
    assert stubs and all(q["key_points"] == [] for q in stubs)
    only = yaml.safe_load(export_rubric(open_grader(settings), ["overfitting"]))
    assert [q["question"] for q in only["questions"]] == [OVERFIT]


def test_round_trip_changes_nothing(settings: Settings) -> None:
    grader = open_grader(settings)
    before = grader.grade(OVERFIT, "Use early stopping.").model_dump(exclude={"latency_ms"})
    report = import_rubric(grader, export_rubric(grader), "rubric.yaml")
    assert report.overridden == [] and report.unknown == []
    assert report.unchanged == len(grader.questions())
    after = open_grader(settings).grade(OVERFIT, "Use early stopping.")
    assert after.model_dump(exclude={"latency_ms"}) == before


def test_an_edited_point_changes_grading_and_survives_reindex(settings: Settings) -> None:
    grader = open_grader(settings)
    answer = "I would add weight decay to the loss."
    before = grader.grade(OVERFIT, answer)
    assert not any("Weight decay" in p.text for p in before.covered + before.partial)

    data = yaml.safe_load(export_rubric(grader, ["overfitting"]))
    entry = overfit_entry(data)
    # Drop the notes' doubtful aside, add a point of one's own (terms recomputed).
    entry["key_points"] = [p for p in entry["key_points"] if "Double Descent" not in p["text"]]
    entry["key_points"].append({"text": WEIGHT_DECAY, "importance": 1.0})
    report = import_rubric(grader, yaml.safe_dump(data), "edited.yaml")
    assert report.overridden == [OVERFIT]

    after = grader.grade(OVERFIT, answer)
    assert any("Weight decay" in p.text for p in after.covered)
    assert after.score > before.score
    q = grader.find_question(OVERFIT)
    assert q is not None and q.overridden
    assert not any("Double Descent" in kp.text for kp in q.key_points)
    new = next(kp for kp in q.key_points if kp.text == WEIGHT_DECAY)
    assert "weight" in new.terms or "weight decay" in new.terms
    assert new.citation.heading == OVERFIT  # a point of one's own cites the question

    # Rebuilding the index (or losing the key-point cache) keeps the edit.
    shutil.rmtree(settings.index_dir, ignore_errors=True)
    fresh = open_grader(settings)
    assert any("Weight decay" in p.text for p in fresh.grade(OVERFIT, answer).covered)


def test_importing_the_notes_points_again_reverts(settings: Settings) -> None:
    grader = open_grader(settings)
    original = export_rubric(grader, ["overfitting"])
    data = yaml.safe_load(original)
    overfit_entry(data)["key_points"][0]["importance"] = 0.1
    assert import_rubric(grader, yaml.safe_dump(data), "a.yaml").overridden == [OVERFIT]
    report = import_rubric(grader, original, "b.yaml")
    assert report.reverted == [OVERFIT]
    q = open_grader(settings).find_question(OVERFIT)
    assert q is not None and not q.overridden


def test_unknown_questions_are_reported_not_stored(settings: Settings) -> None:
    grader = open_grader(settings)
    text = yaml.safe_dump(
        {"questions": [{"id": "nope", "question": "What is a monad?",
                        "key_points": [{"text": "A monoid in the category of endofunctors."}]}]}
    )  # fmt: skip
    report = import_rubric(grader, text, "x.yaml")
    assert report.unknown == ["What is a monad?"] and report.overridden == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("questions: [unclosed", "not valid YAML"),
        ("- just a list", "expected a mapping"),
        ("questions:\n  - id: x\n    key_points: []\n", "question"),
        (
            "questions:\n  - id: x\n    question: q\n    key_points:\n"
            "      - text: t\n        importance: 7\n",
            "importance",
        ),
    ],
)
def test_bad_rubric_files_give_one_line_errors(settings: Settings, text: str, message: str) -> None:
    with pytest.raises(InterviewerError) as err:
        import_rubric(open_grader(settings), text, "bad.yaml")
    assert message in str(err.value) and "\n" not in str(err.value)
    assert str(err.value).startswith("bad.yaml")


def test_rubric_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    from typer.testing import CliRunner

    from interviewer.cli import app

    monkeypatch.setenv("INTERVIEWER_HOME", str(settings.home))
    out = tmp_path / "rubric.yaml"
    runner = CliRunner()
    corpus = ["--corpus", str(BUNDLED_CORPUS)]
    exported = runner.invoke(app, ["rubric", "export", "--out", str(out), "-t", "trees", *corpus])
    assert exported.exit_code == 0, exported.output
    data = yaml.safe_load(out.read_text())
    assert data["questions"] and all("tree" in q["question"].lower() for q in data["questions"])
    data["questions"][0]["key_points"] = data["questions"][0]["key_points"][:1]
    out.write_text(yaml.safe_dump(data))
    imported = runner.invoke(app, ["rubric", "import", str(out), "--json", *corpus])
    assert imported.exit_code == 0, imported.output
    assert len(yaml.safe_load(imported.stdout)["overridden"]) == 1
    stdout = runner.invoke(app, ["rubric", "export", "-t", "trees", *corpus])
    assert stdout.stdout.startswith("# interviewer rubric")
    missing = runner.invoke(app, ["rubric", "import", str(tmp_path / "nope.yaml"), *corpus])
    assert missing.exit_code != 0


def test_a_point_of_ones_own_is_named_and_asked_about(settings: Settings) -> None:
    """Feedback names an imported point by its subject, as it does the notes' points."""
    grader = open_grader(settings)
    data = yaml.safe_load(export_rubric(grader, ["overfitting"]))
    entry = overfit_entry(data)
    for p in entry["key_points"]:
        p["importance"] = min(p["importance"], 0.3)
    entry["key_points"].append({"text": WEIGHT_DECAY, "importance": 1.0})
    import_rubric(grader, yaml.safe_dump(data), "edited.yaml")
    q = grader.find_question(OVERFIT)
    assert q is not None
    new = next(kp for kp in q.key_points if kp.text == WEIGHT_DECAY)
    assert (new.subject, new.kind) == ("Weight decay", "method")
    fb = grader.grade(OVERFIT, "Make the network smaller.")
    assert fb.missed[0].text == WEIGHT_DECAY
    assert fb.follow_up == "How would weight decay help here, and what is its trade-off?"
    assert "Most important missing: weight decay" in fb.critique


def test_key_point_cache_key_follows_the_index_schema(tmp_path: Path) -> None:
    # The corpus reader may change headings and section ids (index schema) while the
    # files' hashes stay the same: a bank extracted under another schema is stale.
    from interviewer.grading.bank import corpus_key
    from interviewer.index import SCHEMA_VERSION
    settings = Settings(home=tmp_path / "home", corpus=BUNDLED_CORPUS, use_llm=False)
    now = corpus_key(settings, "emb", [])
    assert now == corpus_key(settings, "emb", [], schema_version=SCHEMA_VERSION)
    assert now != corpus_key(settings, "emb", [], schema_version=SCHEMA_VERSION - 1)


@pytest.mark.parametrize(
    ("text", "parent", "expected"),
    [
        ("(From Amazon: https://www.amazon.jobs/x/y) Consider revising common algorithms "
         "such as traversals.", None, "algorithms"),
        ("3) Explain over-fitting and how to combat it? [src](http://a.b/c)", "Questions",
         "over-fitting"),
        ("What is gradient descent?", "Interview Questions 2025", "gradient descent"),
        ("What is the difference between bagging and boosting?", None, "bagging boosting"),
        ("What is a decision tree?", "Trees", "Trees"),
    ],
)  # fmt: skip
def test_topics_are_subjects_never_links_or_container_headings(
    text: str, parent: str | None, expected: str
) -> None:
    from interviewer.grading.bank import question_topic

    assert question_topic(text, parent) == expected


def test_questions_under_a_container_heading_get_their_own_topics(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "q.md").write_text(
        "# ML questions\n## Questions\n"
        "### 1) What is overfitting? [[src](http://x.y/z)]\nA model that overfits learns the "
        "noise of its training data and fails on new data. [[src](http://x.y/z)]\n"
        "### 2) What is gradient descent? [[src](http://x.y/z)]\nIt follows the gradient.\n"
        "### 3) What are decision trees?\nThey split on features. I could keep going, but "
        "https://example.org/trees already has a very complete table of split criteria.\n",
        encoding="utf-8",
    )
    grader = Grader.open(Settings(home=tmp_path / "h", corpus=corpus, use_llm=False))
    topics = [q.topic for q in grader.questions()]
    assert topics == ["overfitting", "gradient descent", "decision trees"]
    assert [q.topic for q in grader.questions(["gradient descent"])] == ["gradient descent"]
    # Link debris and remarks about the notes are no key points.
    points = [kp for q in grader.questions() for kp in q.key_points]
    assert points and not any("src" in kp.text or "src" in kp.terms for kp in points)
    assert not any("keep going" in kp.text for kp in points)
