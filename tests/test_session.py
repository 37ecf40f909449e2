"""Interview sessions end to end on the bundled corpus: scripted stdin through the
real CLI (grounded core, then the Ollama test server), and the session library
driven in-process for the in-session commands and resume."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest

from interviewer.drafts import Draft, DraftStore
from interviewer.feedback import Feedback
from interviewer.grading import Grader, KeyPoint, Question
from interviewer.scheduling import corpus_key, plan_questions
from interviewer.session import (
    AnswerDraft,
    AnswerReader,
    AskedQuestion,
    DraftChoice,
    EngineStatus,
    Interview,
    parse_command,
    resumable_session,
    start_session,
)
from interviewer.settings import Settings, load_settings
from interviewer.store import SessionOptions, SessionStore
from tests.conftest import REPO, free_port
from tests.ollama_server import OllamaServer

WEAK_ANSWER = "I think it depends on the data, you try things and see."
NOTICE = "grounded core"


# ---- answers --------------------------------------------------------------------------
def lines_reader(lines: list[str], interactive: bool) -> AnswerReader:
    feed = iter(lines)
    return AnswerReader(lambda _prompt, _prefill: next(feed, None), interactive=interactive)


def test_answer_ends_with_a_dot_line_or_two_empty_lines() -> None:
    r = lines_reader(["first", "", "second", ".", "next answer", "", "", "x"], True)
    assert r.read() == "first\n\nsecond"
    assert r.read() == "next answer"
    assert r.read() == "x"  # unterminated at end of input: kept
    assert r.read() is None


def test_piped_answers_end_only_with_a_dot_line() -> None:
    r = lines_reader(["a", "", "", "b", ".", " . ", "/skip", "tail"], False)
    assert r.read() == "a\n\n\nb"
    assert r.read() == ""  # an empty answer: the session asks again
    assert r.read() == "/skip"  # a command acts at once, no '.' needed
    assert r.read() == "tail"
    assert r.read() is None


def test_reader_reports_each_line_keeps_or_edits_a_draft_and_saves_a_partial_line() -> None:
    seen: list[list[str]] = []
    r = lines_reader(["one", "two", "."], True)
    assert r.read(AnswerDraft(on_change=lambda lines: seen.append(list(lines)))) == "one\ntwo"
    assert seen == [["one"], ["one", "two"]]

    # Kept: the answer goes on after the draft; a command is still a command.
    r = lines_reader(["/hint", "more", "."], True)
    assert r.read(AnswerDraft(["draft"])) == "/hint"
    assert r.read(AnswerDraft(["draft"])) == "draft\nmore"

    # Edited: each draft line is offered to the terminal to edit in place.
    offered: list[str | None] = []
    feed = iter(["draft one, edited", "draft two", "three", "."])

    def readline(_prompt: str, prefill: str | None) -> str | None:
        offered.append(prefill)
        return next(feed, None)

    seen.clear()
    r = AnswerReader(readline, interactive=True)
    text = r.read(AnswerDraft(["draft one", "draft two"], edit=True, on_change=seen.append))
    assert text == "draft one, edited\ndraft two\nthree"
    assert offered == ["draft one", "draft two", None, None]
    assert seen[0] == ["draft one, edited", "draft two"]  # the unedited rest stays saved

    # Sent early: the draft lines not gone through are kept as they were.
    offered.clear()
    feed = iter(["draft one, edited", "."])
    r = AnswerReader(readline, interactive=True)
    text = r.read(AnswerDraft(["draft one", "draft two", "draft three"], edit=True))
    assert text == "draft one, edited\ndraft two\ndraft three"

    # Ctrl-C mid-line: the line being typed reaches the draft before the interrupt.
    class Interrupt(KeyboardInterrupt):
        partial = "half a li"

    def interrupted(_prompt: str, _prefill: str | None) -> str | None:
        if len(seen) == 1:
            raise Interrupt
        return "a full line"

    seen.clear()
    with pytest.raises(KeyboardInterrupt):
        AnswerReader(interrupted, interactive=True).read(AnswerDraft(on_change=seen.append))
    assert seen == [["a full line"], ["a full line", "half a li"]]


def test_commands_are_whole_answers_only() -> None:
    assert parse_command(" /HINT ") == "hint"
    assert parse_command("/quit") == "quit"
    assert parse_command("/nope") == "unknown"
    assert parse_command("/usr/bin is a path and this is an answer") is None
    assert parse_command("skip") is None


# ---- shared engine for in-process tests -----------------------------------------------
def complete_answer(q: Question) -> str:
    """An answer that states every key point of the notes, in the notes' words."""
    return "\n".join(kp.text for kp in q.key_points)


def cli_env(home: Path, ollama_host: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["INTERVIEWER_HOME"] = str(home)
    env["OLLAMA_HOST"] = ollama_host or f"http://127.0.0.1:{free_port()}"
    env["PYTHONPATH"] = str(REPO)
    env.pop("INTERVIEWER_CORPUS", None)
    return env


def run_cli(
    args: list[str], env: dict[str, str], stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "interviewer", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
    )


def piped(*answers: str) -> str:
    return "".join(f"{a}\n.\n" for a in answers)


# ---- scripted sessions through the CLI ------------------------------------------------
def test_scripted_session_without_ollama(settings: Settings, grader: Grader) -> None:
    with SessionStore(settings.sessions_db) as store:
        cards = store.cards(corpus_key(settings))
    plan = plan_questions(grader.questions(), cards, 3, seed=11)
    assert len(plan) == 3 and all(q.notes_status == "ok" and q.key_points for q in plan)
    # First a complete answer (no follow-up expected), then two weak ones, each
    # followed by the answer to its follow-up.
    stdin = piped(complete_answer(plan[0]), WEAK_ANSWER, "no idea", WEAK_ANSWER, "no idea")
    env = cli_env(settings.home)
    proc = run_cli(
        ["interview", "--no-llm", "--questions", "3", "--follow-ups", "1", "--seed", "11",
         "--json"],
        env, stdin,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)  # stdout holds only the transcript
    assert data["session"]["status"] == "finished"
    assert data["session"]["engine"] == "grounded"
    turns = data["turns"]
    assert [t["question"] for t in turns] == [q.text for q in plan]
    for turn in turns:
        fb = Feedback.model_validate(turn["feedback"])
        assert fb.engine == "grounded"
        assert fb.citations, f"no citations for {turn['question']!r}"
        assert all(c.source.endswith(".md") and c.heading for c in fb.citations)
    first = Feedback.model_validate(turns[0]["feedback"])
    assert first.missed == [] and turns[0]["follow_ups"] == []
    assert first.score >= 8.5
    for turn in turns[1:]:
        fb = Feedback.model_validate(turn["feedback"])
        assert fb.missed, "a weak answer should miss key points"
        assert len(turn["follow_ups"]) == 1
        follow = turn["follow_ups"][0]
        assert follow["answer"] == "no idea" and follow["question"]
        fu_fb = Feedback.model_validate(follow["feedback"])
        assert fu_fb.citations and fu_fb.score < 5
        # The follow-up is graded against the point the answer missed.
        missed_sources = {p.citation.heading for p in fb.missed if p.citation}
        assert {c.heading for c in fu_fb.citations} & missed_sources
    # The grounded-core notice, once, on stderr with the rest of the conversation.
    assert proc.stderr.count(NOTICE) == 1
    assert "--no-llm" in proc.stderr

    history = run_cli(["history", "--json"], env)
    assert history.returncode == 0, history.stderr
    sessions = json.loads(history.stdout)["sessions"]
    saved = next(s for s in sessions if s["session"]["id"] == data["session"]["id"])
    assert [t["answer"] for t in saved["turns"]] == [t["answer"] for t in turns]
    assert [len(t["follow_ups"]) for t in saved["turns"]] == [0, 1, 1]

    report = run_cli(["report", data["session"]["id"], "--format", "json"], env)
    assert report.returncode == 0, report.stderr
    rep = json.loads(report.stdout)
    assert [q["score"] for q in rep["questions"]] == [t["feedback"]["score"] for t in turns]
    assert rep["reread"] and all(r["citation"]["source"] for r in rep["reread"])
    md = run_cli(["report", "--format", "md"], env)
    assert "## What to reread" in md.stdout and plan[1].text.split()[0] in md.stdout


WRONG_CLAIM = "The learning rate is measured in kelvin."
MODEL_PROSE = "MODEL-PROSE: the answer stays vague."


def test_scripted_session_with_the_ollama_test_server(
    settings: Settings, ollama_server: OllamaServer
) -> None:
    # The model flags a claim of the answer, citing a section id it was never shown.
    ollama_server.responder = lambda _body: {
        "critique": MODEL_PROSE,
        "incorrect": [
            {"claim": WRONG_CLAIM, "correction": "It does not.", "source_id": "S99"}
        ],
        "agree_missed": [],
        "disputed_missed": [],
        "follow_up": None,
    }
    env = cli_env(settings.home, ollama_server.url)
    proc = run_cli(
        ["interview", "--questions", "2", "--follow-ups", "0", "--seed", "5", "--json"],
        env,
        piped(f"{WEAK_ANSWER} {WRONG_CLAIM}", f"Regularization and more data. {WRONG_CLAIM}"),
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    model = load_settings().model
    assert data["session"]["engine"] == f"ollama:{model}"
    assert NOTICE not in proc.stderr
    assert proc.stderr.count(MODEL_PROSE) >= 2  # streamed once per answer
    chats = ollama_server.chat_requests()
    prompts = [" ".join(m["content"] for m in c["messages"]) for c in chats]
    assert len(data["turns"]) == 2
    for turn in data["turns"]:
        assert any(turn["question"] in p and turn["answer"] in p for p in prompts)
        fb = Feedback.model_validate(turn["feedback"])
        assert fb.engine == f"ollama:{model}", fb.model_error
        assert fb.citations
        assert fb.critique == MODEL_PROSE
        flagged = [c for c in fb.incorrect if c.source == "model"]
        assert [c.text for c in flagged] == [WRONG_CLAIM], (turn["question"], fb.incorrect)
        # The fabricated citation is not shown as evidence from the notes.
        assert flagged[0].citation is None and flagged[0].in_notes is False


# ---- the library in-process: commands, quit and resume --------------------------------
class ScriptedIO:
    """A ``SessionIO`` that answers from a list and records what it was shown."""

    def __init__(self, answers: list[str], draft_choice: DraftChoice = "keep") -> None:
        self.answers: Iterator[str] = iter(answers)
        self.events: list[tuple[str, Any]] = []
        self.draft_choice: DraftChoice = draft_choice

    def notice(self, message: str) -> None:
        self.events.append(("notice", message))

    def info(self, message: str) -> None:
        self.events.append(("info", message))

    def ask(self, question: AskedQuestion) -> None:
        self.events.append(("ask", question))

    def read_answer(self, draft: AnswerDraft | None = None) -> str | None:
        answer = next(self.answers, None)
        if draft is not None and answer is not None and parse_command(answer) is None:
            # As a terminal would: a kept draft is the start of the answer.
            kept = [] if draft.edit else draft.lines
            if draft.on_change is not None:
                draft.on_change([*kept, *answer.splitlines()])
            answer = "\n".join([*kept, answer]).strip()
        return answer

    def offer_draft(self, draft: Draft) -> DraftChoice:
        self.events.append(("draft", draft))
        return self.draft_choice

    def more(self, feedback: Feedback | None) -> None:
        self.events.append(("more", feedback))

    def hint(self, point: KeyPoint, number: int) -> None:
        self.events.append(("hint", point))

    def feedback(self, feedback: Feedback, stage: Literal["grounded", "model"]) -> None:
        self.events.append(("feedback", feedback))

    def critique_start(self) -> None:
        self.events.append(("critique", None))

    def token(self, text: str) -> None:
        self.events.append(("token", text))

    def of(self, kind: str) -> list[Any]:
        return [e for k, e in self.events if k == kind]


def test_hint_skip_repeat_quit_and_resume(
    tmp_path: Path, settings: Settings, grader: Grader
) -> None:
    local = settings.model_copy(update={"home": tmp_path})
    with SessionStore(local.sessions_db) as store:
        record = start_session(
            grader, store, local, SessionOptions(questions=3, follow_ups=0, seed=2)
        )
        q0 = record.plan[0]
        io = ScriptedIO(["/repeat", "/hint", "/bogus", "", WEAK_ANSWER, "/skip", "/quit"])
        engine = EngineStatus(notice="grounded only")
        outcome = Interview(grader, store, io, record, engine=engine).run()
        assert outcome.ended == "quit"
        asked = io.of("ask")
        assert [a.text for a in asked[:2]] == [q0.text, q0.text] and asked[1].repeated
        assert len(io.of("hint")) == 1
        assert any("unknown command" in m for m in io.of("info"))
        assert any("empty answer" in m for m in io.of("info"))
        t = outcome.transcript
        assert t.session.status == "stopped"
        assert [(x.index, x.skipped) for x in t.turns] == [(0, False), (1, True)]
        assert t.turns[0].hints_used == 1
        assert t.turns[0].feedback is not None and t.turns[0].feedback.hints_used == 1
        assert io.of("notice") == ["grounded only"]
        # The answered question got a card; the skipped one did not.
        cards = store.cards(corpus_key(local))
        assert set(cards) == {q0.id}

        again = resumable_session(store)
        assert again.id == record.id
        io2 = ScriptedIO([WEAK_ANSWER])
        done = Interview(grader, store, io2, again).run()
        assert [a.text for a in io2.of("ask")] == [record.plan[2].text]
        assert done.ended == "finished" and done.transcript.session.status == "finished"
        assert [x.index for x in done.transcript.turns] == [0, 1, 2]


def test_stub_question_answer_does_not_schedule_a_card(
    tmp_path: Path, settings: Settings, grader: Grader
) -> None:
    """A question whose notes are a stub cannot be graded: its 0 must not count as a
    failed review in the FSRS memory of weak spots."""
    local = settings.model_copy(update={"home": tmp_path})
    with SessionStore(local.sessions_db) as store:
        record = start_session(
            grader, store, local, SessionOptions(topics=["PCA"], questions=1, follow_ups=1)
        )
        [planned] = record.plan
        io = ScriptedIO(["PCA projects the data onto the directions of largest variance."])
        outcome = Interview(grader, store, io, record).run()
        [turn] = outcome.transcript.turns
        assert turn.feedback is not None and not turn.feedback.grounded
        assert turn.feedback.follow_up is None and turn.follow_ups == []
        assert planned.id not in store.cards(corpus_key(local))


def test_brackets_in_notes_are_printed_not_parsed_as_markup(tmp_path: Path) -> None:
    """Headings are user data: "arr[i]" or a regex "[/]" must print as written, never
    be taken for rich markup (a stray "[/]" used to crash the session)."""
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "n.md").write_text(
        "# What does arr[i] return for a [bold] numpy array?\n"
        "It returns the element at index i, or a view when i is a slice, and raises "
        "IndexError when out of range.\n\n"
        "# What does the regex [/] match?\n"
        "A character class holding only a slash, so it matches one forward slash "
        "character in the text.\n",
        "utf-8",
    )
    env = cli_env(tmp_path / "home")
    args = ["interview", "--corpus", str(corpus), "--no-llm", "-n", "2", "-f", "0"]
    proc = run_cli(args, env, stdin=piped("the element at index i", "a slash"))
    assert proc.returncode == 0, proc.stderr
    flat = " ".join(proc.stdout.split())
    assert "arr[i] return for a [bold] numpy array?" in flat
    assert "the regex [/] match?" in flat
    assert "Traceback" not in proc.stderr


def test_resume_keeps_no_llm(tmp_path: Path, ollama_server: OllamaServer) -> None:
    """A session started with --no-llm is resumed without the model, even when Ollama
    now serves it; --model on resume still turns the model on."""
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "n.md").write_text(
        "# What is dropout?\nDropout zeroes random activations during training so that "
        "units cannot co-adapt, which regularises the network.\n\n"
        "# What is weight decay?\nWeight decay adds an L2 penalty on the weights to the "
        "loss, which keeps them small and the model smoother.\n",
        "utf-8",
    )
    env = cli_env(tmp_path / "home", ollama_server.url)
    first = run_cli(
        ["interview", "--corpus", str(corpus), "--no-llm", "-n", "2", "-f", "0", "--json"],
        env, piped("It zeroes random activations."),
    )  # fmt: skip
    assert first.returncode == 0, first.stderr
    assert len(json.loads(first.stdout)["turns"]) == 1

    again = run_cli(["resume", "--json"], env, piped("An L2 penalty on the weights."))
    assert again.returncode == 0, again.stderr
    turns = json.loads(again.stdout)["turns"]
    assert len(turns) == 2 and turns[1]["feedback"]["engine"] == "grounded"
    assert not [r for r in ollama_server.requests if r.path.startswith("/api/")]
    # Every read command takes --json, `report` too.
    report = run_cli(["report", "--json"], env)
    assert report.returncode == 0, report.stderr
    assert [q["question"] for q in json.loads(report.stdout)["questions"]] == [
        t["question"] for t in turns
    ]


def test_history_fits_an_80_column_terminal(
    tmp_path: Path, settings: Settings, grader: Grader
) -> None:
    local = settings.model_copy(update={"home": tmp_path})
    with SessionStore(local.sessions_db) as store:
        record = start_session(grader, store, local, SessionOptions(questions=1))
        store.set_status(record.id, "interrupted")
    env = {**cli_env(tmp_path), "COLUMNS": "80"}
    proc = run_cli(["history"], env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    row = next(line for line in lines if record.id in line)
    assert "interrupted" in row and "grounded" in row  # no cell folded mid-word


def test_piped_answer_with_invalid_utf8_is_graded(tmp_path: Path) -> None:
    """An answer piped in another encoding (Latin-1 'é') is graded, its byte read as
    Latin-1 (not dropped, not U+FFFD), instead of crashing the tokenizer with lone
    surrogates."""
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "n.md").write_text(
        "# What is dropout?\nDropout zeroes random activations during training so that "
        "units cannot co-adapt, which regularises the network.\n",
        "utf-8",
    )
    env = {**cli_env(tmp_path / "home"), "LC_ALL": "C.UTF-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "interviewer", "interview", "--corpus", str(corpus),
         "--no-llm", "-n", "1", "-f", "0", "--json"],
        input=b"caf\xe9: dropout zeroes random activations\n.\n",
        capture_output=True, env=env, cwd=REPO, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    [turn] = json.loads(proc.stdout)["turns"]
    assert turn["answer"].startswith("café:") and turn["feedback"]["score"] > 0


class InterruptingIO(ScriptedIO):
    """Ctrl-C while the answer to the n-th question shown is being typed."""

    def __init__(self, answers: list[str], interrupt_at_ask: int) -> None:
        super().__init__(answers)
        self.interrupt_at_ask = interrupt_at_ask

    def read_answer(self, draft: AnswerDraft | None = None) -> str | None:
        if len(self.of("ask")) == self.interrupt_at_ask:
            raise KeyboardInterrupt
        return super().read_answer(draft)


def test_resume_asks_the_follow_up_that_was_interrupted(
    tmp_path: Path, settings: Settings, grader: Grader
) -> None:
    local = settings.model_copy(update={"home": tmp_path})
    with SessionStore(local.sessions_db) as store:
        record = start_session(
            grader, store, local, SessionOptions(questions=2, follow_ups=1, seed=3)
        )
        io = InterruptingIO([WEAK_ANSWER], interrupt_at_ask=2)
        with pytest.raises(KeyboardInterrupt):
            Interview(grader, store, io, record).run()
        [first_ask, follow_up] = io.of("ask")
        assert follow_up.kind == "follow_up" and store.turns(record.id)[0].follow_ups == []

        again = resumable_session(store)
        io2 = ScriptedIO(["An answer to the follow-up.", WEAK_ANSWER])
        Interview(grader, store, io2, again).run()
        asked = io2.of("ask")
        assert asked[0].kind == "follow_up" and asked[0].text == follow_up.text
        assert asked[1].kind == "question" and asked[1].text == record.plan[1].text
        turns = store.turns(record.id)
        assert [f.answer for f in turns[0].follow_ups] == ["An answer to the follow-up."]


# ---- drafts: the answer being typed survives --------------------------------------------
def test_draft_store_replays_lines_edits_and_ignores_a_torn_record(tmp_path: Path) -> None:
    drafts = DraftStore(tmp_path / "drafts")
    assert drafts.load("s1") is None
    w = drafts.writer("s1", turn=2, follow_up=0, question="Why?")
    w.update(["first"])
    w.update(["first", "second"])
    w.update(["first, edited", "second", "third"])
    draft = drafts.load("s1")
    assert draft is not None and draft.key() == (2, 0) and draft.question == "Why?"
    assert draft.lines == ["first, edited", "second", "third"]
    w.update(["only"])  # shorter: the rest is gone
    assert drafts.load("s1").lines == ["only"]  # type: ignore[union-attr]
    with drafts.path("s1").open("ab") as fh:
        fh.write(b'{"turn": 2, "fu": 0, "n": 9, "i": 3, "s": "tor')  # power cut mid-write
    assert drafts.load("s1").lines == ["only"]  # type: ignore[union-attr]
    # Another question's draft replaces it; clearing removes the file.
    drafts.writer("s1", turn=3, follow_up=1).update(["for the follow-up"])
    assert drafts.load("s1").key() == (3, 1)  # type: ignore[union-attr]
    drafts.discard("s1")
    assert drafts.load("s1") is None and not drafts.path("s1").exists()


class TypingIO(ScriptedIO):
    """Types ``lines`` of an answer to the n-th question shown, then Ctrl-C."""

    def __init__(self, answers: list[str], at_ask: int, lines: list[str]) -> None:
        super().__init__(answers)
        self.at_ask = at_ask
        self.lines = lines

    def read_answer(self, draft: AnswerDraft | None = None) -> str | None:
        if len(self.of("ask")) == self.at_ask:
            assert draft is not None and draft.on_change is not None
            for i in range(len(self.lines)):
                draft.on_change(self.lines[: i + 1])
            raise KeyboardInterrupt
        return super().read_answer(draft)


@pytest.mark.parametrize("choice", ["keep", "discard"])
def test_ctrl_c_keeps_the_draft_and_resume_offers_it(
    tmp_path: Path, settings: Settings, grader: Grader, choice: DraftChoice
) -> None:
    local = settings.model_copy(update={"home": tmp_path})
    with SessionStore(local.sessions_db) as store:
        record = start_session(
            grader, store, local, SessionOptions(questions=2, follow_ups=0, seed=1)
        )
        typed = ["Regularization limits the weights,", "and early stop"]
        io = TypingIO([WEAK_ANSWER], at_ask=2, lines=typed)
        with pytest.raises(KeyboardInterrupt):
            Interview(grader, store, io, record).run()
        assert len(store.turns(record.id)) == 1

        io2 = ScriptedIO(["ping.", "/quit"], draft_choice=choice)
        again = resumable_session(store)
        Interview(grader, store, io2, again).run()
        [offered] = io2.of("draft")
        assert offered.lines == typed and offered.turn == 1
        answer = store.turns(record.id)[1].answer
        if choice == "keep":
            assert answer == "\n".join([*typed, "ping."])
        else:
            assert answer == "ping."
        # Saved: nothing more to offer.
        assert DraftStore(tmp_path / "drafts").load(record.id) is None


def test_more_shows_the_last_feedback(tmp_path: Path, settings: Settings, grader: Grader) -> None:
    local = settings.model_copy(update={"home": tmp_path})
    with SessionStore(local.sessions_db) as store:
        record = start_session(
            grader, store, local, SessionOptions(questions=2, follow_ups=0, seed=1)
        )
        io = ScriptedIO(["/more", WEAK_ANSWER, "/more", "/quit"])
        Interview(grader, store, io, record).run()
        first, second = io.of("more")
        assert first is None  # nothing graded yet
        assert second is not None and second == io.of("feedback")[0]


def test_sigkill_mid_answer_keeps_the_draft(tmp_path: Path) -> None:
    """kill -9 while an answer is being typed (piped stdin): the lines already typed
    are on disk, and `resume` continues the answer from them."""
    import signal
    import time

    from interviewer.settings import load_settings as load

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "n.md").write_text(
        "# What is dropout?\nDropout zeroes random activations during training so that "
        "units cannot co-adapt, which regularises the network.\n",
        "utf-8",
    )
    home = tmp_path / "home"
    env = cli_env(home)
    proc = subprocess.Popen(
        [sys.executable, "-m", "interviewer", "interview", "--corpus", str(corpus),
         "--no-llm", "-n", "1", "-f", "0"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=env, cwd=REPO, text=True,
    )  # fmt: skip
    drafts = home / "drafts"
    try:
        assert proc.stdin is not None
        proc.stdin.write("Dropout zeroes activations at random\nduring training only\n")
        proc.stdin.flush()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            found = list(drafts.glob("*.jsonl"))
            if found and "during training only" in found[0].read_text("utf-8"):
                break
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.1)
        else:
            raise AssertionError("the typed lines never reached the draft store")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    [path] = list(drafts.glob("*.jsonl"))
    draft = DraftStore(drafts).load(path.stem)
    assert draft is not None
    assert draft.lines == ["Dropout zeroes activations at random", "during training only"]

    resumed = run_cli(["resume", path.stem, "--json"], env, "so units cannot co-adapt\n.\n")
    assert resumed.returncode == 0, resumed.stderr
    assert "You had started:" in resumed.stderr and "during training only" in resumed.stderr
    [turn] = json.loads(resumed.stdout)["turns"]
    assert turn["answer"] == (
        "Dropout zeroes activations at random\nduring training only\nso units cannot co-adapt"
    )
    with SessionStore(load(home=home).sessions_db) as store:
        assert store.get_session(path.stem).status == "finished"  # type: ignore[union-attr]
    assert not list(drafts.glob("*.jsonl"))


# ---- messages that name what the user did ---------------------------------------------
def test_grade_with_an_empty_answer_says_so_without_a_follow_up(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "home")
    proc = run_cli(["grade", "--no-llm", "-q", "How to check overfitting?", "-a", "  "], env)
    assert proc.returncode == 1
    assert "no answer given" in proc.stderr and "Follow-up" not in proc.stdout + proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_quit_before_any_answer_prints_no_score_table(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "home")
    proc = run_cli(["interview", "--no-llm", "-n", "2"], env, "/quit\n")
    assert proc.returncode == 0, proc.stderr
    assert "No answers in session" in proc.stdout and "interviewer resume" in proc.stdout
    assert "Score" not in proc.stdout and "┃" not in proc.stdout


def test_help_shows_no_bool_beside_flags(tmp_path: Path) -> None:
    env = {**cli_env(tmp_path / "home"), "COLUMNS": "120"}
    for command in ("interview", "resume", "grade", "history", "report", "progress"):
        proc = run_cli([command, "--help"], env)
        assert proc.returncode == 0, proc.stderr
        assert "--json" in proc.stdout or command == "interview"
        assert "<bool>" not in proc.stdout, proc.stdout


def test_unknown_topic_lists_every_topic(settings: Settings, grader: Grader) -> None:
    from interviewer.errors import CorpusError
    from interviewer.session import list_topics

    topics = sorted({q.topic for q in grader.questions() if q.topic}, key=str.lower)
    with SessionStore(settings.sessions_db) as store, pytest.raises(CorpusError) as info:
        start_session(grader, store, settings, SessionOptions(topics=["zzqxv"]))
    message = str(info.value)
    assert all(t in message for t in topics), message
    assert list_topics([f"t{i}" for i in range(45)], limit=40).endswith("t39, …and 5 more")
    assert list_topics([]) == "none"


def test_a_missing_corpus_dir_names_where_it_came_from(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    env = cli_env(tmp_path / "home")
    for args in (["interview", "--no-llm"], ["grade", "--no-llm", "-q", "Q?", "-a", "A"],
                 ["progress"]):  # fmt: skip
        proc = run_cli([*args, "--corpus", str(missing)], env)
        assert proc.returncode == 1
        assert f"corpus dir {missing} does not exist (given with --corpus)" in proc.stderr
        assert "pass --corpus" not in proc.stderr
    proc = run_cli(["interview", "--no-llm"], {**env, "INTERVIEWER_CORPUS": str(missing)})
    assert proc.returncode == 1 and "set by INTERVIEWER_CORPUS" in proc.stderr


def test_every_corpus_command_names_where_a_missing_dir_came_from(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    note = tmp_path / "n.md"
    note.write_text("## What is dropout?\nRandomly zeroes activations.\n", encoding="utf-8")
    env = cli_env(tmp_path / "home")
    commands = (["index"], ["search", "x"], ["status"], ["add", str(note)], ["remove", "n.md"],
                ["questions"], ["audit", "--no-llm"], ["fetch-references"])  # fmt: skip
    for args in commands:
        proc = run_cli([*args, "--corpus", str(missing)], env)
        assert proc.returncode == 1, (args, proc.stderr)
        assert f"corpus dir {missing} does not exist (given with --corpus)" in proc.stderr, args
        assert "pass --corpus" not in proc.stderr and "Traceback" not in proc.stderr, args
    proc = run_cli(["eval", "run", "--no-llm", "--corpus", str(missing)], env)
    assert proc.returncode == 1 and "(given with --corpus)" in proc.stderr, proc.stderr
    for args in commands:
        proc = run_cli(args, {**env, "INTERVIEWER_CORPUS": str(missing)})
        assert proc.returncode == 1 and "set by INTERVIEWER_CORPUS" in proc.stderr, args
    assert not note.with_name("nowhere").exists()


def test_resume_takes_an_id_and_prefers_the_current_corpus(tmp_path: Path) -> None:
    notes = {}
    for name, heading in (("a", "What is dropout?"), ("b", "What is weight decay?")):
        corpus = tmp_path / name
        corpus.mkdir()
        (corpus / "n.md").write_text(
            f"# {heading}\nIt regularises the network: it keeps the model from fitting "
            "noise in the training data.\n\n# Why regularise?\nTo generalise better to "
            "new data than the training set alone allows.\n",
            "utf-8",
        )
        notes[name] = corpus
    env = cli_env(tmp_path / "home")
    ids = {}
    for name in ("a", "b"):
        proc = run_cli(
            ["interview", "--corpus", str(notes[name]), "--no-llm", "-n", "2", "-f", "0",
             "--json"], env, piped("It regularises."),
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        ids[name] = json.loads(proc.stdout)["session"]["id"]
    # b is the newest unfinished session, but --corpus a prefers a's.
    proc = run_cli(["resume", "--corpus", str(notes["a"]), "--json"], env, "/quit\n")
    assert proc.returncode == 0, proc.stderr
    assert f"resuming session {ids['a']}" in proc.stderr
    assert f"on {notes['a'].resolve()}:" in proc.stderr  # which corpus, too
    proc = run_cli(["resume", ids["b"][:-2], "--json"], env, "/quit\n")
    assert proc.returncode == 0, proc.stderr
    assert f"resuming session {ids['b']}" in proc.stderr


# ---- damaged session data through the CLI ---------------------------------------------
def test_damaged_rows_are_skipped_by_history_report_and_progress(
    tmp_path: Path, settings: Settings, grader: Grader
) -> None:
    import sqlite3

    local = settings.model_copy(update={"home": tmp_path})
    with SessionStore(local.sessions_db) as store:
        record = start_session(
            grader, store, local, SessionOptions(questions=3, follow_ups=0, seed=5)
        )
        Interview(grader, store, ScriptedIO([WEAK_ANSWER] * 3), record).run()
        other = start_session(grader, store, local, SessionOptions(questions=1, seed=6))
    with sqlite3.connect(local.sessions_db) as raw:
        raw.execute("UPDATE turns SET data = '{\"index\": 1,' WHERE idx = 1")
        qid = raw.execute("SELECT question_id FROM cards LIMIT 1").fetchone()[0]
        raw.execute("UPDATE cards SET data = 'nope' WHERE question_id = ?", (qid,))
        raw.execute("UPDATE sessions SET data = '{\"id\": 7}' WHERE id = ?", (other.id,))
    env = cli_env(tmp_path)
    hist = run_cli(["history", "--json"], env)
    assert hist.returncode == 0, hist.stderr
    data = json.loads(hist.stdout)
    [saved] = data["sessions"]
    assert [t["index"] for t in saved["turns"]] == [0, 2]
    assert any(f"session row {other.id}" in w for w in data["warnings"])
    assert f"skipped damaged turn (question 2) of session {record.id}" in hist.stderr
    assert "Traceback" not in hist.stderr and "{'" not in hist.stderr

    table = run_cli(["history"], env)
    assert table.returncode == 0 and record.id in table.stdout
    assert f"session row {other.id}" in table.stderr

    report = run_cli(["report", record.id, "--json"], env)
    assert report.returncode == 0, report.stderr
    assert [q["index"] for q in json.loads(report.stdout)["questions"]] == [0, 2]
    assert "skipped damaged turn" in report.stderr

    progress = run_cli(["progress", "--json"], env)
    assert progress.returncode == 0, progress.stderr
    assert f"skipped damaged card of question {qid}" in progress.stderr
    assert json.loads(progress.stdout)["seen"] == 2

    bad = run_cli(["report", other.id], env)
    assert bad.returncode == 1 and "is damaged" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) <= 2


def test_an_unreadable_sessions_database_is_moved_aside(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    db = load_settings(home=tmp_path).sessions_db
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(b"garbage, not SQLite" * 50)
    proc = run_cli(["history"], env)
    assert proc.returncode == 0, proc.stderr
    assert "moved aside" in proc.stderr and "No sessions yet" in proc.stdout
    [kept] = list(db.parent.glob(db.name + ".damaged-*"))
    assert kept.read_bytes() == b"garbage, not SQLite" * 50


def test_a_locked_database_never_loses_the_answer(tmp_path: Path) -> None:
    """Another process holds the sessions database's write lock for the whole
    session: the answer is kept in the spool and written once the lock is gone."""
    import sqlite3

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "n.md").write_text(
        "# What is dropout?\nDropout zeroes random activations during training so that "
        "units cannot co-adapt, which regularises the network.\n",
        "utf-8",
    )
    env = cli_env(tmp_path / "home")
    db = load_settings(home=tmp_path / "home").sessions_db
    with SessionStore(db):
        pass  # the database exists, as after any earlier session
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        proc = run_cli(
            ["interview", "--corpus", str(corpus), "--no-llm", "-n", "1", "-f", "0", "--json"],
            env, piped("Dropout zeroes random activations."),
        )  # fmt: skip
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert proc.returncode == 0, proc.stderr
    assert "locked by another process" in proc.stderr
    [turn] = json.loads(proc.stdout)["turns"]
    assert turn["answer"] == "Dropout zeroes random activations."
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT count(*) FROM turns").fetchone()[0] == 0
    hist = run_cli(["history", "--json"], env)  # the lock is gone: written now
    assert hist.returncode == 0, hist.stderr
    [session] = json.loads(hist.stdout)["sessions"]
    assert [t["answer"] for t in session["turns"]] == ["Dropout zeroes random activations."]
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT count(*) FROM turns").fetchone()[0] == 1


def test_grade_is_compact_by_default_and_full_with_verbose(tmp_path: Path) -> None:
    env = {**cli_env(tmp_path / "home"), "COLUMNS": "80"}
    args = ["grade", "--no-llm", "-q", "How to check overfitting? How to deal with it?",
            "-a", "Overfitting is when the model is too big."]  # fmt: skip
    short = run_cli(args, env)
    assert short.returncode == 0, short.stderr
    lines = short.stdout.rstrip("\n").splitlines()
    assert len(lines) <= 16 and all(len(line) <= 80 for line in lines), short.stdout
    assert "Score" in lines[0] and "Missed (" in short.stdout and "Follow-up:" in short.stdout
    assert "--verbose: all points and sources" in short.stdout
    full = run_cli([*args, "--verbose"], env)
    assert full.returncode == 0, full.stderr
    assert len(full.stdout.splitlines()) > len(lines)
    assert "Citations" in full.stdout and "Citations" not in short.stdout


def test_an_unwritable_drafts_dir_is_said_once_and_the_session_goes_on(
    tmp_path: Path, settings: Settings, grader: Grader
) -> None:
    local = settings.model_copy(update={"home": tmp_path})
    (tmp_path / "drafts").write_text("a file where the drafts dir should be", "utf-8")
    with SessionStore(local.sessions_db) as store:
        record = start_session(
            grader, store, local, SessionOptions(questions=2, follow_ups=0, seed=1)
        )
        io = ScriptedIO([WEAK_ANSWER, WEAK_ANSWER])
        outcome = Interview(grader, store, io, record).run()
        assert outcome.ended == "finished" and len(outcome.transcript.turns) == 2
        told = [m for m in io.of("info") if "cannot save the answer being typed" in m]
        assert len(told) == 1


def test_a_hint_keeps_its_citation_indented_when_it_wraps() -> None:
    import io

    from rich.console import Console

    from interviewer._cli.interview import RichIO
    from interviewer.feedback import Citation

    buf = io.StringIO()
    console = Console(file=buf, width=60, color_system=None)
    io_ = RichIO(console, interactive=False, to_stderr=False)
    heading = "What metrics would you use in a classification problem and why?"
    where = Citation(source="notes/ml.md", heading=heading, line_start=85)
    point = KeyPoint(id="p", text="Accuracy, recall, precision.", citation=where)
    io_.hint(point, 1)
    lines = buf.getvalue().rstrip("\n").split("\n")
    assert lines[0].startswith("hint 1 (costs points): Accuracy")
    assert len(lines) >= 3 and all(line.startswith("  ") for line in lines[1:]), lines
    assert "classification" in buf.getvalue()


def test_notes_wrap_at_words_on_a_terminal_and_stay_one_line_in_a_pipe() -> None:
    import io

    from rich.console import Console

    from interviewer._cli.interview import _one_line

    text = "note: no unfinished session on /some/notes; resuming the newest one of another corpus"
    for terminal in (True, False):
        buf = io.StringIO()
        console = Console(file=buf, width=40, force_terminal=terminal, color_system=None)
        console.print(text, markup=False, highlight=False, soft_wrap=_one_line(console))
        out = buf.getvalue().rstrip("\n")
        if terminal:
            assert "\n" in out and all(len(line) <= 40 for line in out.split("\n"))
            assert set(out.replace("\n", " ").split()) == set(text.split())  # no word cut
        else:
            assert out == text


def test_a_relative_corpus_flag_is_reported_as_an_absolute_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from interviewer.cli import app

    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "n.md").write_text("## What is dropout?\n\nZeroes activations.\n")
    monkeypatch.chdir(tmp_path)
    for args in (["status", "--json"], ["progress", "--json"]):
        result = CliRunner().invoke(app, [*args, "--corpus", "mine"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["corpus_dir"] == str(tmp_path / "mine"), args
