"""Found by trying the product on notes nobody had seen: a bold question whose answer
starts on its own line, warnings that must stay one line in pipes, and the one-line
message of an interrupted session."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from interviewer.corpus import load_document
from interviewer.grading.material import material_units
from interviewer.units import answer_line, units_of

NOTES = """# Web notes

## Browser storage

**How do cookies differ from session storage?** Cookies travel with every request
to their domain and may be marked HttpOnly; session storage stays in one tab and
is cleared when the tab closes.

**What does the async attribute do?**

The script downloads in parallel and runs as soon as it arrives, in no fixed order.
"""


def _doc(tmp_path: Path, text: str, name: str = "notes.md"):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_document(tmp_path, path, 1_000_000)


def test_bold_question_keeps_the_answer_words_on_its_own_line(tmp_path: Path) -> None:
    doc = _doc(tmp_path, NOTES)
    units = {u.question: u for u in units_of(doc)}
    inline = units["How do cookies differ from session storage?"]
    assert inline.kind == "bold"
    assert (inline.line_start, inline.line_end) == (5, 7)
    sec = next(s for s in doc.sections if s.id == inline.id)
    # The answer's first words are on the question's line: they are the answer's start,
    # one paragraph with the lines below (no break in the middle of the sentence).
    assert sec.text.startswith("Cookies travel with every request\nto their domain")
    # The grader reads the same words, without the question.
    lines = NOTES.split("\n")
    points = [u.text for u in material_units(lines, [sec])]
    assert points and points[0].startswith("Cookies travel with every request to their domain")
    assert not any("?" in p for p in points)
    # A bold question alone on its line is unchanged: its answer is below.
    alone = units["What does the async attribute do?"]
    assert (alone.line_start, alone.line_end) == (9, 11)
    sec2 = next(s for s in doc.sections if s.id == alone.id)
    assert sec2.text.strip().startswith("The script downloads in parallel")


def test_answer_line_drops_a_leading_bold_question_but_not_a_source() -> None:
    assert answer_line("**Why use it?** Because it is cheap.") == "Because it is cheap."
    assert answer_line("  __Why use it?__ Because it is cheap.") == "  Because it is cheap."
    # A link after the question is its source, not an answer: the line stays as it is.
    line = "**Why use it?** [docs](https://example.org)"
    assert answer_line(line) == line
    # Bold words inside a sentence that does not ask are untouched.
    assert answer_line("**Note** it is cheap.") == "**Note** it is cheap."


def test_unreadable_file_warning_is_one_line_in_a_pipe(tmp_path: Path) -> None:
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "latin.md").write_bytes(
        b"# Notes\n\n## What is a caf\xe9 queue?\n\nOrders served first in, first out.\n"
    )
    env = dict(os.environ, COLUMNS="60")
    proc = subprocess.run(
        [sys.executable, "-m", "interviewer", "questions", "--corpus", str(corpus)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    warnings = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert warnings == [
        "warning: latin.md: not valid UTF-8 (byte 0xe9 at line 3); re-save the file as UTF-8"
    ]


def test_interrupted_session_says_so_in_one_line_and_keeps_the_answer(tmp_path: Path) -> None:
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "queues.md").write_text(
        "# Queues\n\n## What is back-pressure in a message queue?\n\n"
        "Producers are slowed down when consumers cannot keep up, so that the queue does "
        "not grow without bound.\n",
        encoding="utf-8",
    )
    env = dict(os.environ, COLUMNS="60")
    proc = subprocess.Popen(
        [sys.executable, "-m", "interviewer", "interview", "--no-llm", "-n", "1",
         "--corpus", str(corpus)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("producers get slowed down\n")  # no "." yet: still being typed
    proc.stdin.flush()
    seen = ""
    deadline = time.monotonic() + 240
    while "Question 1/1" not in seen and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen += line
    assert "Question 1/1" in seen
    time.sleep(2)  # let the typed line reach the draft store
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    said = [ln for ln in err.splitlines() if ln.strip() and "loading" not in ln]
    assert len(said) == 1, err
    assert said[0].startswith("session saved; `interviewer resume` to continue")
    assert "answer you were typing" in said[0]
    drafts = list((Path(os.environ["INTERVIEWER_HOME"]) / "drafts").rglob("*"))
    assert any(p.is_file() and "producers get slowed down" in p.read_text() for p in drafts)


def test_search_says_which_note_file_it_left_out(tmp_path: Path) -> None:
    """A file the index could not read is left out of search and sessions: say so
    (stderr, one line a file), not only in the audit."""
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "good.md").write_text(
        "# Queues\n\n## What is back-pressure?\n\nProducers are slowed down when consumers "
        "cannot keep up.\n",
        encoding="utf-8",
    )
    (corpus / "latin.md").write_bytes(b"# Caf\xe9\n\nOrders served first in, first out.\n")
    for _ in range(2):  # when it indexes, and when the index is already current
        proc = subprocess.run(
            [sys.executable, "-m", "interviewer", "search", "back-pressure", "--json",
             "--corpus", str(corpus)],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert '"good.md"' in proc.stdout
        warnings = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning:")]
        assert warnings == [
            "warning: latin.md: not valid UTF-8 (byte 0xe9 at line 1); re-save the file as UTF-8"
        ]


def test_word_topics_without_ollama_names_the_flag_not_no_llm(tmp_path: Path) -> None:
    """`questions` has no --no-llm: with Ollama down, the error says that --word-topics
    needs it and what leaving the flag out gives, in one line."""
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "q.md").write_text(
        "# Queues\n\n## Back-pressure\n\nProducers are slowed down when consumers cannot "
        "keep up, so that the queue does not grow without bound.\n",
        encoding="utf-8",
    )
    proc = subprocess.run(
        [sys.executable, "-m", "interviewer", "questions", "--corpus", str(corpus),
         "--word-topics"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 1
    said = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(said) == 1 and said[0].startswith("error: Ollama is not reachable")
    assert "--word-topics needs it" in said[0] and "--no-llm" not in said[0]


LIST_NOTES = """# Concurrency

1. What is a mutex?
   A lock that lets one thread at a time into a critical section; the others
   block until it is released.

   - owned by the thread that locked it

2. What is a semaphore?
   A counter of permits: acquire takes one and blocks at zero, release gives one back.

Deadlock needs four conditions at once: mutual exclusion, hold and wait, no
preemption and a circular wait.
"""


def test_an_indented_list_answer_ends_where_a_paragraph_comes_back_to_the_margin(
    tmp_path: Path,
) -> None:
    doc = _doc(tmp_path, LIST_NOTES)
    units = {u.question: u for u in units_of(doc)}
    mutex = units["What is a mutex?"]
    # The indented answer and its nested item, up to the next question.
    assert (mutex.kind, mutex.line_start, mutex.line_end) == ("list", 3, 7)
    sem = units["What is a semaphore?"]
    # The paragraph at the margin after a blank line is no part of this answer.
    assert (sem.kind, sem.line_start, sem.line_end) == ("list", 9, 10)
    rest = [s for s in doc.sections if s.line_start == 12]
    assert len(rest) == 1 and rest[0].text.startswith("Deadlock needs four conditions")
    assert rest[0].unit_kind is None and rest[0].unit_id is None


PARAGRAPH_NOTES = """# Stream processing

1. What is a watermark?
   The point in event time up to which the system expects no more late events.

Why is a tumbling window cheaper than a sliding one? Each event falls in exactly
one tumbling window, while a sliding window copies it into several.

**What is exactly-once processing?**

Each event changes the result once even after a failure and a replay.

Why does it matter? Because a replayed event would otherwise be counted twice in
every aggregate.
"""


def test_a_paragraph_that_opens_with_its_question_is_a_unit_outside_answers(
    tmp_path: Path,
) -> None:
    doc = _doc(tmp_path, PARAGRAPH_NOTES)
    units = {u.question: u for u in units_of(doc)}
    assert set(units) == {
        "What is a watermark?",
        "Why is a tumbling window cheaper than a sliding one?",
        "What is exactly-once processing?",
    }
    para = units["Why is a tumbling window cheaper than a sliding one?"]
    assert (para.kind, para.line_start, para.line_end) == ("qa", 6, 7)
    sec = next(s for s in doc.sections if s.id == para.id)
    assert sec.text.startswith("Each event falls in exactly\none tumbling window")
    # The grader reads the answer without the question.
    lines = PARAGRAPH_NOTES.split("\n")
    points = [u.text for u in material_units(lines, [sec])]
    assert points[0].startswith("Each event falls in exactly one tumbling window")
    # Inside an answer, a paragraph that opens with a question is rhetorical: it stays.
    bold = units["What is exactly-once processing?"]
    assert (bold.line_start, bold.line_end) == (9, 14)
