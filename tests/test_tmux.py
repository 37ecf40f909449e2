"""The real interactive session in a real terminal (tmux): type answers, interrupt
with Ctrl-C mid-answer, resume, get the unfinished answer offered back, and find every
answered turn in the history."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, free_port

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(
    TMUX is None, reason="tmux is not installed (CI installs it: apt-get install tmux)"
)
WAIT_S = 180.0
SAVED = "session saved; `interviewer resume` to continue"


class Pane:
    """One tmux server of our own (its socket in the test's tmp dir) with one shell."""

    def __init__(self, socket: str, env: dict[str, str]) -> None:
        self.socket = socket
        self.env = env

    def tmux(self, *args: str) -> str:
        assert TMUX is not None
        proc = subprocess.run(
            [TMUX, "-S", self.socket, *args],
            capture_output=True, text=True, env=self.env, timeout=30, check=True,
        )  # fmt: skip
        return proc.stdout

    def start(self, width: int = 160, height: int = 50) -> None:
        self.tmux(
            "new-session", "-d", "-s", "t", "-x", str(width), "-y", str(height),
            "bash --noprofile --norc",
        )  # fmt: skip
        self.tmux("set-option", "-t", "t", "history-limit", "20000")

    def type(self, text: str, enter: bool = True) -> None:
        self.tmux("send-keys", "-t", "t", "-l", text)
        if enter:
            self.tmux("send-keys", "-t", "t", "Enter")

    def key(self, name: str) -> None:
        self.tmux("send-keys", "-t", "t", name)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-t", "t", "-S", "-20000")

    def visible(self) -> str:
        """What the terminal shows now, row by row (no scrollback, no joining)."""
        return self.tmux("capture-pane", "-p", "-t", "t")

    def wait_for(self, text: str, count: int = 1, timeout: float = WAIT_S) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if screen.count(text) >= count:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} (x{count}) never appeared; screen:\n{screen[-3000:]}")

    def answer(self, *lines: str) -> None:
        for line in lines:
            self.type(line)
        self.type(".")


@pytest.fixture
def pane(tmp_path: Path) -> Iterator[Pane]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "INTERVIEWER_HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "OLLAMA_HOST": f"http://127.0.0.1:{free_port()}",
        "PYTHONPATH": str(REPO),
        "PS1": "$ ",
    }
    p = Pane(str(tmp_path / "tmux.sock"), env)
    p.start()
    try:
        yield p
    finally:
        # Ends only our own tmux server (its private socket), and its shell.
        subprocess.run([TMUX or "tmux", "-S", p.socket, "kill-server"], capture_output=True)


def test_type_interrupt_resume_and_find_every_turn(pane: Pane, tmp_path: Path) -> None:
    py = sys.executable
    pane.type(f"cd {REPO}")
    pane.type(
        f"{py} -m interviewer interview --no-llm --questions 3 --follow-ups 0 --seed 4; "
        "echo EXIT=$?"
    )
    screen = pane.wait_for("Question 1/3")
    # A first session starts with how to answer and leave.
    assert "How it works" in screen and "/quit" in screen
    pane.answer("Overfitting shows as a gap between training and validation loss.",
                "",  # a paragraph break inside the answer
                "Use more data, regularization and early stopping.")  # fmt: skip
    pane.wait_for("Question 2/3")
    pane.type("/hint")
    pane.wait_for("hint 1")
    pane.answer("A second answer about the concept, typed in the terminal.")
    pane.wait_for("Question 3/3")
    # Ctrl-C flushes keys the program has not read yet: wait for each to be echoed.
    pane.type("this answer is being typed when", enter=True)
    pane.wait_for("> this answer is being typed when")
    pane.type("the user hits", enter=False)
    pane.wait_for("  the user hits")
    pane.key("C-c")
    pane.wait_for(SAVED)
    pane.wait_for("EXIT=130")

    screen = pane.wait_for("offers it back")

    pane.type(f"{py} -m interviewer resume --no-llm; echo EXIT=$?")
    screen = pane.wait_for("Keep it (k), edit it (e) or start over (s)?")
    assert screen.count("Question 3/3") == 2
    assert "resuming session" in screen and str(REPO / "corpus") in screen
    # The draft offered back: the full line and the one being typed at Ctrl-C.
    offered = screen[screen.rindex("You had started:") :]
    assert "this answer is being typed when" in offered and "the user hits" in offered
    pane.type("k")
    pane.wait_for("go on typing after it")
    pane.answer("The last answer, after resuming.")
    pane.wait_for("EXIT=0")

    env = {**pane.env}
    proc = subprocess.run(
        [py, "-m", "interviewer", "history", "--json"],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    sessions = json.loads(proc.stdout)["sessions"]
    assert len(sessions) == 1
    session = sessions[0]
    assert session["session"]["status"] == "finished"
    turns = session["turns"]
    assert [t["index"] for t in turns] == [0, 1, 2]
    answers = [t["answer"] for t in turns]
    assert answers[0] == (
        "Overfitting shows as a gap between training and validation loss.\n\n"
        "Use more data, regularization and early stopping."
    )
    assert answers[1] == "A second answer about the concept, typed in the terminal."
    assert answers[2] == (
        "this answer is being typed when\nthe user hits\nThe last answer, after resuming."
    )
    assert turns[1]["hints_used"] == 1
    assert all(t["feedback"] is not None for t in turns)
    # The draft has done its job: nothing is left to offer.
    assert not list((tmp_path / "home" / "drafts").glob("*.jsonl"))


def test_80_columns_feedback_fits_and_a_draft_is_edited(tmp_path: Path) -> None:
    """On an 80x40 terminal the question stays on screen with its compact feedback;
    an interrupted answer comes back line by line to be edited."""
    py = sys.executable
    pane = Pane(str(tmp_path / "tmux80.sock"), {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
        "TERM": "xterm-256color", "LANG": "C.UTF-8", "PS1": "$ ",
        "INTERVIEWER_HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "OLLAMA_HOST": f"http://127.0.0.1:{free_port()}", "PYTHONPATH": str(REPO),
    })  # fmt: skip
    pane.start(80, 40)
    try:
        pane.type(f"cd {REPO}; clear")
        pane.type(
            f"{py} -m interviewer interview --no-llm -n 2 -f 0 --seed 7; echo EXIT=$?"
        )
        pane.wait_for("Question 1/2")
        question = pane.screen()
        # Pasted (bracketed paste: one string with its newlines and a Tab).
        pane.tmux("set-buffer", "I would say\tit depends on the data\nand the model.\n.")
        pane.tmux("paste-buffer", "-p", "-t", "t")
        pane.wait_for("  .")
        pane.key("Enter")
        pane.wait_for("Question 2/2")
        shown = pane.visible()
        # Title, question, feedback and the next question, all on one 40-line screen.
        assert "Question 1/2" in shown and "Score" in shown, shown
        lines = shown.splitlines()
        assert all(len(line) <= 80 for line in lines)
        top = next(i for i, line in enumerate(lines) if "Score" in line)
        bottom = next(i for i in range(top, len(lines)) if lines[i].startswith("╰"))
        assert bottom - top + 1 <= 16, shown
        assert "How it works" in question

        pane.type("the first line of my second answer")
        pane.wait_for("> the first line of my second answer")
        pane.type("a second line", enter=False)
        pane.wait_for("  a second line")
        pane.key("C-c")
        pane.wait_for("EXIT=130")
        pane.type(f"clear; {py} -m interviewer resume; echo EXIT=$?")
        pane.wait_for("Keep it (k), edit it (e) or start over (s)?")
        pane.type("e")
        pane.wait_for("> the first line of my second answer")
        pane.key("End")
        pane.type(", edited")  # the first line, edited in place
        pane.wait_for("  a second line", count=2)
        pane.key("Enter")  # the second line, kept as it was
        pane.answer()
        pane.wait_for("EXIT=0")
    finally:
        subprocess.run([TMUX or "tmux", "-S", pane.socket, "kill-server"], capture_output=True)
    proc = subprocess.run(
        [py, "-m", "interviewer", "history", "--json"],
        capture_output=True, text=True, env=pane.env, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    [session] = json.loads(proc.stdout)["sessions"]
    assert session["turns"][0]["answer"] == "I would say\tit depends on the data\nand the model."
    assert session["turns"][1]["answer"] == (
        "the first line of my second answer, edited\na second line"
    )
