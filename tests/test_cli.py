"""The CLI wiring: help text as people read it."""

from __future__ import annotations

from typer.testing import CliRunner

from interviewer.cli import app


def test_help_has_no_line_breaks_from_docstrings() -> None:
    """Hard-wrapped docstrings must not break the help table mid-sentence."""
    runner = CliRunner()
    top = runner.invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert top.exit_code == 0
    line = next(x for x in top.stdout.splitlines() if "fetch-references" in x)
    assert "so that search and grading can use them. Failed links" in line
    sub = runner.invoke(app, ["eval", "--help"], env={"COLUMNS": "200"})
    line = next(x for x in sub.stdout.splitlines() if x.lstrip("│ ").startswith("score "))
    assert "(matched by case id), without grading again." in line
