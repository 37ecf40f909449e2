"""Feedback on notes other than the bundled ones: an "I don't know" gets the points to
learn, a far longer answer than the notes gets a remark on length, and the follow-up
asks about the most important missed point by its name, in a grammatical sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.grading import Grader, GradingParams
from interviewer.settings import Settings
from interviewer.text import text_terms

CORPORA = {
    "os": Path("evals/corpora/operating-systems.md"),
    "sql": Path("evals/corpora/sql.md"),
    "mlq": Path("../shared/corpora/mlquestions-65.md"),
    "sdp": Path("../shared/corpora/system-design-primer.md"),
}
QUESTIONS = {
    "os": ["What is virtual memory?", "How does paging work?", "What is the TLB?"],
    "sql": ["What is the difference between UNION and UNION ALL?",
            "What is an index and what does it cost?"],
    "mlq": ["Why is ReLU better and more often used than Sigmoid in Neural Networks?",
            "What is gradient descent?"],
    "sdp": ["Availability vs consistency", "Reverse proxy (web server)"],
}  # fmt: skip
FILLER = "Computers run many programs and store a great deal of data for people. " * 60


@pytest.fixture(scope="module", params=sorted(CORPORA))
def corpus(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Grader]:
    name = request.param
    root = tmp_path_factory.mktemp(name)
    (root / "notes").mkdir()
    (root / "notes" / CORPORA[name].name).write_bytes(CORPORA[name].read_bytes())
    settings = Settings(home=root / "home", corpus=root / "notes", use_llm=False)
    return name, Grader.open(settings, use_llm=False, params=GradingParams())


def test_dont_know_and_follow_up_name_the_missed_point(corpus: tuple[str, Grader]) -> None:
    name, grader = corpus
    for question in QUESTIONS[name]:
        fb = grader.grade(question, "I don't know.")
        assert fb.score == 0 and fb.missed, question
        assert "to learn" in fb.critique and fb.missed[0].text[:30] in fb.critique
        # No follow-up after "I don't know" (the interview goes on); a vague answer gets one.
        assert fb.follow_up is None
        up = grader.grade(question, "It depends.").follow_up
        assert up and up.endswith("?") and "What else would you add" not in up, (question, up)
        # By name: the follow-up shares a content word with one of the top missed points.
        named = set(text_terms(up).unigrams) - {"help", "trade", "defin", "precis", "matter"}
        top = set().union(*(text_terms(p.text).unigrams for p in fb.missed[:3]))
        assert named & top, (question, up)
        # Never a statement dropped into a noun's place ("How would memory is ...").
        assert not any(f"would {w}" in up.lower() for w in ("is ", "are ")), up


def test_a_far_longer_answer_than_the_notes_gets_a_remark(corpus: tuple[str, Grader]) -> None:
    name, grader = corpus
    question = QUESTIONS[name][0]
    long = grader.grade(question, "Here is my answer. " + FILLER)
    assert "times your notes" in long.critique, long.critique
    short = grader.grade(question, "I would start from the definition.")
    assert "times your notes" not in short.critique


def test_follow_ups_read_as_english() -> None:
    from interviewer.grading.feedback_text import follow_up_question

    memory = follow_up_question(
        "Memory is divided into fixed-size blocks.", "How does paging work?",
        subject="Memory is divided into fixed-size blocks", kind="method",
    )  # fmt: skip
    assert memory.startswith("Can you explain how memory is divided"), memory
    benefits = follow_up_question(
        "Benefits: isolation.", "What is virtual memory?", subject="Benefits", kind="property",
        common=lambda w: w == "benefits",
    )  # fmt: skip
    assert benefits == "Which benefits can you name?"
    dash = follow_up_question(
        "Partition Tolerance - The system continues to operate.", "Availability vs consistency",
        subject="Partition Tolerance - The system", kind="fact", common=lambda w: True,
    )  # fmt: skip
    assert "partition tolerance" in dash and " - " not in dash, dash
