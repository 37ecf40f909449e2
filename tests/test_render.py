"""What a session looks like at 80 and 100 columns: a long question and a long pasted
answer never cut a title inside a word, never shift a border, and the compact
feedback stays short."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from interviewer.feedback import Citation, Feedback, IncorrectClaim, Point
from interviewer.grading import Grader
from interviewer.render import (
    clean,
    compact_feedback,
    fit_title,
    full_feedback,
    model_feedback,
    question_panel,
    shorten,
)
from interviewer.session import AskedQuestion
from interviewer.settings import load_settings
from tests.conftest import BUNDLED_CORPUS

LONG_QUESTION = (
    "How would you check whether a gradient boosted model overfits its training data, "
    "and which regularisation knobs (learning rate, depth, subsampling, early stopping) "
    "would you turn first, and why, when the validation loss starts to rise?"
)
LONG_TOPIC = "What is the difference between WHERE and HAVING in grouped aggregate queries"
PASTED = (
    "Overfitting\tshows as a gap between\ttraining and validation loss. "
    + "Regularisation, more data and early stopping help. " * 12
    + "\x1b]0;pwned\x07\x1b[2J see https://example.org/"
    + "a" * 180
    + " 过拟合 is the Chinese word; emojis 🙂🙂 are wide."
)


@pytest.fixture(scope="module")
def feedback(tmp_path_factory: pytest.TempPathFactory) -> Feedback:
    home = tmp_path_factory.mktemp("render-home")
    grader = Grader.open(load_settings(home=home, corpus=BUNDLED_CORPUS, use_llm=False))
    graded = [q for q in grader.questions() if q.notes_status == "ok" and len(q.key_points) >= 4]
    question = max(graded, key=lambda q: len(q.key_points))
    fb = grader.grade_grounded(question, PASTED)
    assert len(fb.missed) > 3, "the test needs an answer that misses points"
    # A wrong claim quoting the pasted answer (with its tab and escape sequence).
    cite = fb.missed[0].citation
    claim = IncorrectClaim(text=PASTED[:300], correction="It does not. " * 30, citation=cite)
    return fb.model_copy(update={"incorrect": [claim, claim], "follow_up": LONG_QUESTION})


def record(renderable: object, width: int) -> list[str]:
    console = Console(
        width=width, record=True, file=io.StringIO(), color_system=None, legacy_windows=False
    )
    console.print(renderable)
    return console.export_text(styles=False).rstrip("\n").split("\n")


def assert_box(lines: list[str], width: int) -> str:
    """One panel, every border where it belongs; returns the title."""
    assert all(cell_len(line) == width for line in lines), [
        (cell_len(line), line) for line in lines if cell_len(line) != width
    ]
    top, bottom, middle = lines[0], lines[-1], lines[1:-1]
    assert top[0] == "╭" and top[-1] == "╮", top
    assert bottom[0] == "╰" and bottom[-1] == "╯", bottom
    for line in middle:
        assert line[0] == "│" and line[-1] == "│", line
    for line in lines:
        assert "\x1b" not in line and "\t" not in line and "\x07" not in line
    return top.strip("╭╮─ ")


def assert_whole_words(shown: str, full: str) -> None:
    """``shown`` is ``full``, or a cut of it after a whole word, ending with "…"."""
    full = " ".join(full.split())
    if shown == full:
        return
    assert shown.endswith("…"), f"cut without an ellipsis: {shown!r}"
    kept = shown[:-1].rstrip()
    assert full.startswith(kept), (shown, full)
    assert full[len(kept)] in " ,;:", f"cut inside a word: {shown!r} of {full!r}"


@pytest.mark.parametrize("width", [80, 100])
def test_long_question_panel(width: int) -> None:
    asked = AskedQuestion(
        number=3, total=12, text=LONG_QUESTION, topic=LONG_TOPIC,
        heading="Boosting > " + LONG_QUESTION, source="notes/trees-and-boosting.md",
    )  # fmt: skip
    lines = record(question_panel(asked, width), width)
    title = assert_box(lines, width)
    assert_whole_words(title, f"Question 3/12 · {LONG_TOPIC}")
    body = " ".join(line.strip("│ ") for line in lines[1:-1])
    # The question itself is never shortened: it wraps, its question mark included.
    assert " ".join(LONG_QUESTION.split()) in " ".join(body.split())
    assert "notes/trees-and-boosting.md" in body

    follow = asked.model_copy(update={"kind": "follow_up", "follow_up": 1})
    title = assert_box(record(question_panel(follow, width), width), width)
    assert_whole_words(title, f"Follow-up 1 on question 3 · {LONG_TOPIC}")


@pytest.mark.parametrize("width", [80, 100])
def test_compact_feedback_is_short_and_whole(feedback: Feedback, width: int) -> None:
    lines = record(compact_feedback(feedback, width), width)
    title = assert_box(lines, width)
    assert len(lines) <= 16, "\n".join(lines)
    text = "\n".join(lines)
    assert re.match(r"Score \d+\.\d/10 · \d+ of \d+ key points", title), title
    # A few missed points by name, each with its citation, and how many there are.
    shown = [p for p in feedback.missed if p.text[:25] in text]
    assert 1 <= len(shown) <= 3
    assert f"Missed ({len(feedback.missed)}, {len(shown)} shown)" in text
    assert feedback.missed[0].citation is not None
    assert text.count(feedback.missed[0].citation.source) >= len(shown)
    assert "Wrong or imprecise (2)" in text and "→ It does not." in text
    assert "Follow-up: How would you check" in text
    assert "pwned" not in text  # the escape sequence's payload is dropped with it
    # Without wrong claims, three missed points.
    plain = feedback.model_copy(update={"incorrect": []})
    lines = record(compact_feedback(plain, width, follow_up=False), width)
    assert_box(lines, width)
    assert f"Missed ({len(feedback.missed)}, 3 shown)" in "\n".join(lines)
    assert len(lines) <= 12


@pytest.mark.parametrize("width", [80, 100])
def test_full_and_model_feedback_keep_their_borders(feedback: Feedback, width: int) -> None:
    lines = record(full_feedback(feedback, width), width)
    title = assert_box(lines, width)
    assert title.startswith("Score")
    text = "\n".join(lines)
    for p in feedback.missed:
        assert shorten(p.text, 30)[:20] in " ".join(text.split()) or p.text[:10] in text
    model = feedback.model_copy(
        update={"engine": "ollama:" + "a-very-long-model-name" * 5,
                "incorrect": [c.model_copy(update={"source": "model"})
                              for c in feedback.incorrect]}
    )  # fmt: skip
    assert_box(record(model_feedback(model, width), width), width)


def test_ungraded_feedback_panel() -> None:
    fb = Feedback(question=LONG_QUESTION, score=0, grounded=False, notes_status="stub")
    for width in (80, 100):
        lines = record(compact_feedback(fb, width), width)
        assert_box(lines, width)
        assert "Not graded" in "\n".join(lines)


def test_ungraded_panel_says_why_and_counts_one_point_in_the_singular() -> None:
    """A question the notes lack is not called a heading without notes."""
    lacking = Feedback(question="What is Kubernetes?", score=0, grounded=False, notes_status="none")
    text = " ".join("\n".join(record(compact_feedback(lacking, 80), 80)).split())
    assert "hold no question like this one" in text and "heading" not in text
    one = Feedback(
        question="What is X?", score=0.0,
        missed=[Point(text="X is a thing", importance=1.0)],
    )  # fmt: skip
    title = assert_box(record(compact_feedback(one, 80), 80), 80)
    assert "0 of 1 key point" in title and "key points" not in title


def test_shorten_and_fit_title_cut_at_words() -> None:
    assert shorten("short", 20) == "short"
    assert shorten("How to check overfitting? How to deal with it?", 30) == (
        "How to check overfitting? How…"
    )
    assert shorten("one two three", 9) == "one two…"
    assert shorten("x" * 50, 10) == "x" * 9 + "…"  # one overlong word: the only cut inside
    assert fit_title(LONG_TOPIC, 40).endswith("…")
    assert cell_len(fit_title("过拟合 " * 30, 40)) <= 32
    assert clean("a\tb\x1b[31mc\x07") == "a    bc"


def test_compact_feedback_of_a_complete_answer(tmp_path: Path) -> None:
    cite = Citation(source="n.md", heading="Q")
    fb = Feedback(question="Q?", score=10, covered=[Point(text="p", citation=cite)])
    lines = record(compact_feedback(fb, 80), 80)
    assert_box(lines, 80)
    assert "Score 10.0/10 · 1 of 1 key point" in lines[0]
    assert "Every key point covered." in lines[1]


def test_report_markdown_prints_no_escape_sequence_of_the_notes() -> None:
    from datetime import UTC, datetime

    from interviewer.session_report import build_report, report_markdown
    from interviewer.store import PlannedQuestion, SessionRecord, Transcript, TurnRecord

    hostile = "What is \x1b]0;title\x07\x1b[2Jbagging | boosting?"
    now = datetime(2026, 1, 1, tzinfo=UTC)
    cite = Citation(source="n.md", heading="Trees > \x1b[31mBagging")
    fb = Feedback(question=hostile, score=3, missed=[Point(text="a \x07point", citation=cite)])
    transcript = Transcript(
        session=SessionRecord(
            id="s1", corpus="c", corpus_dir="/notes", created_at=now, updated_at=now,
            plan=[PlannedQuestion(id="q", text=hostile, topic="trees\x1b[0m")],
        ),
        turns=[TurnRecord(index=0, question_id="q", question=hostile, topic="trees\x1b[0m",
                          answer="x", feedback=fb)],
    )  # fmt: skip
    md = report_markdown(build_report(transcript))
    assert "\x1b" not in md and "\x07" not in md
    assert "What is bagging \\| boosting?" in md and "n.md § Trees > Bagging" in md


NARROW_ANSWER = "Overfitting is when the model is too big. Make it smaller."


@pytest.mark.parametrize("width", [80, 100])
def test_claims_to_check_are_shown_as_such_at_no_cost(
    tmp_path_factory: pytest.TempPathFactory, width: int
) -> None:
    """An advisory rule's claim ("not-only": the notes say size is not the only cause)
    is listed as one to check, with the notes' words and citation, in the compact and
    the full view and in `grade --verbose`, never as a wrong claim, and the score is
    the one the grader gives with that rule switched off."""
    from interviewer._cli.grade import render as render_verbose
    from interviewer.grading import GradingParams

    home = tmp_path_factory.mktemp("check-home")
    settings = load_settings(home=home, corpus=BUNDLED_CORPUS, use_llm=False)
    grader = Grader.open(settings, use_llm=False, params=GradingParams())
    question = "How to check overfitting? How to deal with it?"
    fb = grader.grade(question, NARROW_ANSWER)
    assert fb.incorrect == [] and [c.rule for c in fb.to_check] == ["not-only"]
    claim = fb.to_check[0]
    assert claim.advisory and claim.citation is not None and claim.correction
    silent = grader.with_params(GradingParams(disabled_rules=["not-only"]))
    assert silent.grade(question, NARROW_ANSWER).score == fb.score
    # --json prints the Feedback model, claims to check included.
    dumped = fb.model_dump(mode="json")
    assert dumped["incorrect"] == [] and dumped["to_check"][0]["rule"] == "not-only"

    lines = record(compact_feedback(fb, width), width)
    assert_box(lines, width)
    text = "\n".join(lines)
    assert "Differs from your notes, check (1; no effect on the score):" in text
    assert "too big" in text and "notes: " in text
    assert claim.citation.source in text
    assert "Wrong or imprecise" not in text
    assert len(lines) <= 16

    full = " ".join(" ".join(record(full_feedback(fb, width), width)).split())
    assert "Differs from your notes, check (no effect on the score)" in full
    assert "too big" in full and "Wrong or imprecise" not in full
    assert "notes: " + " ".join(claim.correction.split())[:30] in full

    console = Console(
        width=width, record=True, file=io.StringIO(), color_system=None, legacy_windows=False
    )
    render_verbose(console, fb)
    verbose = " ".join(console.export_text(styles=False).split())
    assert "Differs from your notes, check" in verbose and "too big" in verbose
    assert "Wrong claims" not in verbose
    # Without the claim, none of it.
    plain = fb.model_copy(update={"to_check": []})
    assert "Differs from your notes" not in "\n".join(record(compact_feedback(plain, width), width))
