"""The CLI wiring: help text as people read it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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


def test_invalid_utf8_in_arguments_is_graded_and_printed_as_json(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 in argv reach Python as lone surrogates; the CLI decodes
    them (as Latin-1, with a note) once, so grading and the JSON output both work."""
    env = dict(os.environ, INTERVIEWER_HOME=str(tmp_path / "home"))
    answer = b"caf\xe9: stop training early when the validation loss rises"
    proc = subprocess.run(
        [sys.executable, "-m", "interviewer", "grade", "--no-llm", "--json",
         "--question", "How to check overfitting?", "--answer", answer],
        capture_output=True, env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    feedback = json.loads(proc.stdout.decode("utf-8"))
    assert feedback["answer"].startswith("café:")
    assert feedback["grounded"] is True
