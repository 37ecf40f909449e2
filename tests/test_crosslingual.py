"""A Spanish answer gets credit for English key points (no glossary: the words of
this answer are in no word list of the project), and a Spanish answer about
something else gets none."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

NOTES = """# Operating systems

## What is a deadlock?
A deadlock happens when two or more processes each hold a resource and wait for a
resource that another one holds, so none of them can continue.
Prevent it by always acquiring locks in the same global order.
Detect it by looking for a cycle in the wait-for graph, and break it by killing one
of the processes.

## What is virtual memory?
Each process sees a large private address space. The page table maps virtual pages
to physical frames, and pages are swapped out to disk when memory runs short.
"""


def test_point_claim_similarity_is_on_the_english_scale() -> None:
    from interviewer.crosslingual import needs_crosslingual, point_claim_similarity

    points = [
        "Prevent it by always acquiring locks in the same global order.",
        "The page table maps virtual pages to physical frames.",
    ]
    claims = ["Se previene adquiriendo los cerrojos siempre en el mismo orden global."]
    sims = point_claim_similarity(points, claims)
    assert sims.shape == (2, 1)
    # A translation reads like a close paraphrase; another topic like unrelated text.
    assert sims[0, 0] > 0.7 and sims[1, 0] < 0.4
    assert needs_crosslingual(claims[0]) and not needs_crosslingual(points[0])
    assert np.all(point_claim_similarity(points, []).shape == (2, 0))


def _grade(corpus: Path, home: Path, answer: str) -> dict:
    env = dict(os.environ, INTERVIEWER_HOME=str(home))
    proc = subprocess.run(
        [sys.executable, "-m", "interviewer", "grade", "--corpus", str(corpus), "--no-llm",
         "--question", "What is a deadlock?", "--answer", answer, "--json"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return dict(json.loads(proc.stdout))


@pytest.fixture(scope="module")
def os_notes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("xl")
    (root / "notes").mkdir()
    (root / "notes" / "os.md").write_text(NOTES, encoding="utf-8")
    return root / "notes", root / "home"


def test_spanish_answer_is_credited_for_english_points(os_notes: tuple[Path, Path]) -> None:
    corpus, home = os_notes
    answer = (
        "Un interbloqueo ocurre cuando varios procesos retienen cada uno un recurso y "
        "esperan otro recurso que retiene otro proceso, así que ninguno avanza. Se "
        "previene adquiriendo los cerrojos siempre en el mismo orden global."
    )
    result = _grade(corpus, home, answer)
    credited = [p["text"] for p in result["covered"] + result["partial"]]
    assert any("same global order" in t for t in credited)
    assert any("each hold a resource" in t for t in credited)
    assert result["score"] >= 5


def test_spanish_answer_about_something_else_gets_nothing(os_notes: tuple[Path, Path]) -> None:
    corpus, home = os_notes
    result = _grade(corpus, home, "La memoria virtual da a cada proceso su propio espacio.")
    assert not result["covered"] and result["score"] < 2
