"""Small things people see: counts in words, a relative corpus path, compact
citations that say where, case ids that stay whole, and one count of key points
everywhere it is given."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from interviewer.feedback import Citation
from interviewer.plurals import counted

NOTES = """\
# Databases

## What does an index give a query?

- An index lets the database find rows without scanning the whole table.
- It speeds up reads on selective columns but slows down every write.
- It costs disk space for the extra structure it keeps.
- Composite indexes help only when the query uses their leading columns.
"""


def test_counts_in_words() -> None:
    assert counted(1, "document") == "1 document"
    assert counted(0, "document") == "0 documents"
    assert counted(2, "match", "matches") == "2 matches"


def test_the_audit_counts_in_words(tmp_path: Path) -> None:
    from interviewer.audit import render_markdown, run_audit
    from interviewer.settings import load_settings

    (tmp_path / "db.md").write_text(NOTES, encoding="utf-8")
    report = run_audit(load_settings(corpus=tmp_path, use_llm=False), use_embeddings=False)
    text = render_markdown(report)
    assert "1 document, 1 question" in text
    assert "1 documents" not in text and "1 questions" not in text


def test_a_relative_corpus_is_resolved_where_the_command_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from interviewer.settings import load_settings

    (tmp_path / "notes").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INTERVIEWER_CORPUS", "notes")
    settings = load_settings()
    assert settings.corpus == tmp_path / "notes"
    assert settings.corpus_dir.is_absolute()
    monkeypatch.chdir(tmp_path.parent)  # a later cwd changes nothing
    assert settings.corpus_dir == tmp_path / "notes"
    assert load_settings(corpus=Path("../x")).corpus == tmp_path.parent.parent / "x"


def test_a_compact_citation_shows_the_end_of_the_heading_path_first() -> None:
    from interviewer.render import _where

    cit = Citation(
        source="ml.md",
        heading="65 Machine Learning Interview Questions 2025 > Basics > "
        "What is the bias-variance trade-off?",
        line_start=40,
        line_end=44,
    )
    narrow = _where(cit, "Explain overfitting", 50)
    assert narrow == "ml.md:40-44 § What is the bias-variance trade-off?"
    wider = _where(cit, "Explain overfitting", 80)
    assert wider == "ml.md:40-44 § Basics > What is the bias-variance trade-off?"
    # The heading that only repeats the question asked is left out.
    assert _where(cit, "What is the bias-variance trade-off?", 80) == "ml.md:40-44"


def test_case_ids_are_never_wrapped_at_80_columns() -> None:
    from rich.console import Console
    from rich.table import Table

    from interviewer._cli.eval import _id_column

    ids = ["activations-stub-logistic", "mixed-precision-stub-empty", "a"]
    table = Table()
    _id_column(table, ids)
    for col in ("status", "failed checks"):
        table.add_column(col, overflow="fold")
    for i in ids:
        table.add_row(i, "fail", "missed: a long list of points " * 4)
    console = Console(width=80, record=True, color_system=None)
    console.print(table)
    out = console.export_text()
    for i in ids:
        assert re.search(rf"\b{re.escape(i)}\b", out), i


def test_one_count_of_key_points_in_questions_title_and_critique(tmp_path: Path) -> None:
    from rich.console import Console

    from interviewer.grading import Grader
    from interviewer.question_bank import bank_rows
    from interviewer.render import compact_feedback
    from interviewer.settings import load_settings

    (tmp_path / "db.md").write_text(NOTES, encoding="utf-8")
    settings = load_settings(corpus=tmp_path, use_llm=False)
    grader = Grader.open(settings, use_llm=False)
    [row] = bank_rows(settings, grader=grader)
    assert row.key_points >= 3
    fb = grader.grade_grounded(
        row.question, "It lets the database find rows without scanning the whole table."
    )
    assert fb.points_total == row.key_points
    said = re.search(r"of the (\d+) points", fb.critique)
    assert said and int(said.group(1)) == row.key_points
    console = Console(width=100, record=True, color_system=None)
    console.print(compact_feedback(fb, 100))
    title = re.search(r"(\d+) of (\d+) key points?", console.export_text())
    assert title and int(title.group(2)) == row.key_points
    # A second listing reads the counts kept beside the index: the same numbers.
    assert [r.key_points for r in bank_rows(settings, grader=grader)] == [row.key_points]


def test_stub_excerpts_in_the_audit_are_plain_text(tmp_path: Path) -> None:
    from interviewer.audit import run_audit
    from interviewer.settings import load_settings

    (tmp_path / "design.md").write_text(
        "# Design\n\n## Design a web crawler\n\n[View the solution](solutions/crawler.md)\n\n"
        "![diagram](images/crawler.png)\n",
        encoding="utf-8",
    )
    report = run_audit(load_settings(corpus=tmp_path, use_llm=False), use_embeddings=False)
    [stub] = report.stub_questions
    assert stub.excerpt == "View the solution"
