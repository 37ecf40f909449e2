"""A sealed (blind) fixture set: graded by `eval run`, never read by calibration."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from interviewer.evals import load_fixtures, sealed_dirs

REPO = Path(__file__).resolve().parent.parent

CASE = "- id: {id}\n  corpus: notes/{c}.md\n  question: Q?\n  expect: {{score: [0, 1]}}\n"


def _calibration() -> Any:
    spec = importlib.util.spec_from_file_location(
        "calibrate_grader", REPO / "benchmarks" / "calibrate_grader.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tree(tmp_path: Path) -> Path:
    fx = tmp_path / "fx"
    for corpus in ("open", "blind"):
        (fx / corpus).mkdir(parents=True)
        (fx / corpus / "a.yaml").write_text(CASE.format(id=corpus, c=corpus), encoding="utf-8")
        notes = tmp_path / "notes" / f"{corpus}.md"
        notes.parent.mkdir(exist_ok=True)
        notes.write_text("# Q?\nA.\n", encoding="utf-8")
    return fx


def test_sealed_dirs_are_listed_and_skipped(tmp_path: Path) -> None:
    fx = _tree(tmp_path)
    assert sealed_dirs(fx) == set()
    (fx / "SEALED").write_text("# blind sets\nblind/\n\n", encoding="utf-8")
    assert sealed_dirs(fx) == {"blind"}
    # eval run still sees every case; calibration loads without the sealed dir.
    assert {c.case.id for c in load_fixtures(fx).cases} == {"open", "blind"}
    assert {c.case.id for c in load_fixtures(fx, skip_dirs={"blind"}).cases} == {"open"}


def test_calibration_hash_ignores_sealed_fixtures(tmp_path: Path) -> None:
    cal = _calibration()
    fx = _tree(tmp_path)
    (fx / "SEALED").write_text("blind\n", encoding="utf-8")
    loaded = load_fixtures(fx, skip_dirs=sealed_dirs(fx))
    first = cal.data_hash(fx, loaded, tmp_path)
    (fx / "blind" / "a.yaml").write_text(CASE.format(id="changed", c="blind"), encoding="utf-8")
    assert cal.data_hash(fx, loaded, tmp_path) == first
    (fx / "open" / "a.yaml").write_text(CASE.format(id="changed", c="open"), encoding="utf-8")
    assert cal.data_hash(fx, load_fixtures(fx, skip_dirs={"blind"}), tmp_path) != first
