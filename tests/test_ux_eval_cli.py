"""`eval run` with a broken fixture file: the good fixtures are graded and saved, the
broken file is named in one line, and the run fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_a_broken_fixture_file_fails_the_run_and_keeps_the_good_results(
    tmp_path: Path,
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(
        "# Git\n\n## What is a branch?\n\nA branch is a movable pointer to a commit. "
        "Creating one is cheap because only the pointer is written.\n",
        encoding="utf-8",
    )
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    (fixtures / "good.yaml").write_text(
        f"- id: git-branch\n  corpus: {notes}\n  kind: correct\n"
        '  question: "What is a branch?"\n'
        '  answer: "A movable pointer to a commit; cheap to create."\n'
        "  expect:\n    score: [0, 10]\n",
        encoding="utf-8",
    )
    (fixtures / "broken.yaml").write_text("- id: [unclosed\n  kind: correct\n", encoding="utf-8")
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, "-m", "interviewer", "eval", "run", "--no-llm",
         "--fixtures", str(fixtures), "--out", str(out)],
        capture_output=True, text=True, timeout=600, cwd=REPO,
        env={**os.environ, "INTERVIEWER_HOME": str(tmp_path / "home")},
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert "broken.yaml" in last and "good.yaml" not in last
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert any(c["id"] == "git-branch" and c["feedback"] for c in saved["cases"])
