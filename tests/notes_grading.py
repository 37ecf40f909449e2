"""A grader over notes a test writes inline, with the default (unfitted) parameters, so
a new calibration does not move what the test checks."""

from __future__ import annotations

import pytest

from interviewer.evals import find_heading
from interviewer.feedback import Feedback
from interviewer.grading import Grader, GradingParams
from interviewer.settings import Settings


def grader_over(
    factory: pytest.TempPathFactory, notes: str, name: str, file: str = "notes.md"
) -> Grader:
    corpus = factory.mktemp(f"{name}-corpus")
    (corpus / file).write_text(notes, encoding="utf-8")
    home = factory.mktemp(f"{name}-home")
    settings = Settings(home=home, corpus=corpus, use_llm=False)
    return Grader.open(settings, use_llm=False, params=GradingParams())


def grade(grader: Grader, question: str, answer: str) -> Feedback:
    """Grade ``answer`` to the notes' question (or heading) ``question``."""
    q = grader.find_question(question) or find_heading(grader.bank.questions, question)
    assert q is not None, question
    return grader.grade(q, answer)


def flagged(fb: Feedback) -> list[str]:
    """The rules of the claims shown as wrong (advisory ones left out)."""
    return [c.rule or "" for c in fb.incorrect if not c.advisory]
