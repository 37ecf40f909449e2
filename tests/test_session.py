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

from interviewer.drafts import Draft
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
from tests.conftest import BUNDLED_CORPUS, REPO, free_port
from tests.ollama_server import OllamaServer

WEAK_ANSWER = "I am not sure. I think it depends on the data, you try things and see."
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


def test_commands_are_whole_answers_only() -> None:
    assert parse_command(" /HINT ") == "hint"
    assert parse_command("/quit") == "quit"
    assert parse_command("/nope") == "unknown"
    assert parse_command("/usr/bin is a path and this is an answer") is None
    assert parse_command("skip") is None


# ---- shared engine for in-process tests -----------------------------------------------
@pytest.fixture(scope="module")
def module_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("session-home")


@pytest.fixture(scope="module")
def settings(module_home: Path) -> Settings:
    return load_settings(home=module_home, corpus=BUNDLED_CORPUS, use_llm=False)


@pytest.fixture(scope="module")
def grader(settings: Settings) -> Grader:
    return Grader.open(settings, use_llm=False)


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
    """An answer piped in another encoding (Latin-1 'é') is graded, its bad byte shown
    as U+FFFD, instead of crashing the tokenizer with lone surrogates."""
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
    assert turn["answer"].startswith("caf\ufffd:") and turn["feedback"]["score"] > 0


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
