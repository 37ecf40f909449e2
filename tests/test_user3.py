"""The product used end to end as a demanding new user would (session 21, user3):
follow-ups, the model layer against the Ollama test server, settings, documents."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer.grading import Grader
from interviewer.render import model_feedback
from interviewer.session import Interview, start_session
from interviewer.settings import Settings, load_settings
from interviewer.store import SessionOptions, SessionStore
from interviewer.text import stem_set
from tests.ollama_server import OllamaServer
from tests.test_session import ScriptedIO
from tests.web_server import WebServer


# ---- follow-ups are graded on the point they ask about ---------------------------------
def test_a_follow_up_is_graded_on_the_point_it_names(
    tmp_path: Path, settings: Settings, grader: Grader
) -> None:
    q = next(q for q in grader.questions() if q.text == "What is a decision tree?")
    local = settings.model_copy(update={"home": tmp_path})
    off_topic = "Bagging trains models on bootstrap samples and averages them."
    with SessionStore(local.sessions_db) as store:
        record = start_session(grader, store, local, SessionOptions(questions=1, follow_ups=2))
        record = store.update_session(
            record.model_copy(update={"plan": [record.plan[0].model_copy(
                update={"id": q.id, "text": q.text, "topic": q.topic})]}
            )  # fmt: skip
        )
        io = ScriptedIO([off_topic, "no idea", "no idea"])
        Interview(grader, store, io, record).run()
        turn = store.transcript(record.id).turns[0]
    assert turn.feedback is not None and len(turn.feedback.missed) >= 2
    assert turn.follow_ups, "a weak answer gets a follow-up"
    graded: list[str] = []
    for follow in turn.follow_ups:
        fb = follow.feedback
        assert fb is not None
        (point,) = fb.missed + fb.partial + fb.covered
        graded.append(point.text)
        # A word the follow-up asks about that only one key point of the question holds
        # names that point: the follow-up must be graded on it, not on another.
        asked = stem_set(follow.question) - stem_set(q.text)
        owners = [kp.text for kp in q.key_points if asked & stem_set(kp.text)]
        if len(set(owners)) == 1:
            assert point.text == owners[0], (follow.question, point.text)
        # Whatever its words: the follow-up asked is the one the grader words for the
        # point it is graded on.
        weak = next(p for p in turn.feedback.missed + turn.feedback.partial
                    if p.text == point.text)  # fmt: skip
        alone = turn.feedback.model_copy(
            update={"missed": [weak], "partial": [], "follow_up": None}
            if weak in turn.feedback.missed
            else {"missed": [], "partial": [weak], "follow_up": None}
        )
        assert grader.follow_up_for(alone) == follow.question
    assert len(set(graded)) == len(graded), "two follow-ups on the same point"


# ---- settings -------------------------------------------------------------------------
def test_ollama_host_in_the_environment_wins_over_the_config_file(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = home / "config" / "interviewer" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('ollama_host = "http://127.0.0.1:9"\nmodel = "from-file"\n')
    monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:11511")
    s = load_settings()
    assert s.ollama_host == "http://127.0.0.1:11511"  # the README: environment over file
    assert s.model == "from-file"
    monkeypatch.setenv("INTERVIEWER_OLLAMA_HOST", "http://127.0.0.1:11600")
    assert load_settings().ollama_host == "http://127.0.0.1:11600"
    monkeypatch.delenv("INTERVIEWER_OLLAMA_HOST")
    monkeypatch.delenv("OLLAMA_HOST")
    assert load_settings().ollama_host == "http://127.0.0.1:9"


# ---- a model that contradicts the grounded core ---------------------------------------
OVERFITTING_ANSWER = (
    "Overfitting occurs when a model exhibits great accuracy with training samples, but "
    "does poorly on validation or test sets. Check it by comparing the training and "
    "validation error."
)


def test_a_model_that_calls_a_claim_the_notes_back_wrong_does_not_lower_the_score(
    settings: Settings, ollama_server: OllamaServer
) -> None:
    with_model = settings.model_copy(update={"use_llm": True, "ollama_host": ollama_server.url})
    g = Grader.open(with_model, use_llm=True)
    q = next(q for q in g.questions() if q.text.startswith("How to check overfitting?"))
    grounded = g.grade_grounded(q, OVERFITTING_ANSWER)
    # The answer's first sentence is the notes' own words, credited as a covered point.
    claim = "Overfitting occurs when a model exhibits great accuracy with training samples"
    backed = next(p for p in grounded.covered if p.evidence and claim in p.evidence)
    ollama_server.responder = lambda _body: {
        "critique": "Your answer is wrong.",
        # The model cites the section the point comes from, with the notes' own words.
        "incorrect": [{"claim": claim, "correction": f"No: {backed.text}", "source_id": "S1"}],
        "agree_missed": [],
        "disputed_missed": [],
        "follow_up": "What is the capital of France?",
    }
    refined = g.refine_with_llm(grounded, q, OVERFITTING_ANSWER)
    assert refined.model_error is None and refined.engine.startswith("ollama:")
    # The notes back the claim: the model's word alone does not make it wrong.
    assert refined.score == grounded.score
    assert [c.text for c in refined.incorrect if c.source == "model"] == []
    disputed = [c for c in refined.to_check if c.source == "model"]
    assert [c.text for c in disputed] == [claim] and disputed[0].advisory
    # A follow-up about nothing in the notes is not asked: the grounded one stands.
    assert refined.follow_up == grounded.follow_up
    shown = render_text(model_feedback(refined, 100))
    assert "your notes back it" in shown and claim.split()[0] in shown

    # A claim the grounded core did not credit is still the model's to flag.
    ollama_server.responder = lambda _body: {
        "critique": "One slip.",
        "incorrect": [{"claim": "comparing the training and validation error",
                       "correction": "It is not enough.", "source_id": None}],
        "agree_missed": [], "disputed_missed": [],
        "follow_up": "How would early stopping help with overfitting here?",
    }  # fmt: skip
    refined = g.refine_with_llm(grounded, q, OVERFITTING_ANSWER)
    assert any(c.source == "model" for c in refined.incorrect) or any(
        c.source == "model" for c in refined.to_check
    )
    assert refined.follow_up == "How would early stopping help with overfitting here?"


REVERSED_NOTES = """# Transport protocols

## Is TCP connection-oriented?

TCP is connection-oriented: a three-way handshake opens each connection before any
data flows. UDP is connectionless and sends each datagram on its own, with no handshake.
TCP retransmits lost segments; UDP leaves loss to the application.
"""
REVERSED_ANSWER = (
    "TCP is connectionless and sends each segment on its own with no handshake. "
    "UDP retransmits lost datagrams."
)


def test_a_model_flag_on_a_reversed_claim_counts(
    tmp_path: Path, ollama_server: OllamaServer
) -> None:
    """The grounded core may credit a reversed sentence as the evidence of the point it
    reverses (its words are the notes' other half): the model's flag on it must count,
    and nothing may say the notes back it."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "net.md").write_text(REVERSED_NOTES, encoding="utf-8")
    s = load_settings(home=tmp_path / "home", corpus=notes, use_llm=True)
    g = Grader.open(s.model_copy(update={"ollama_host": ollama_server.url}), use_llm=True)
    q = next(q for q in g.questions() if "TCP" in q.text)
    grounded = g.grade_grounded(q, REVERSED_ANSWER)
    claim = "TCP is connectionless"
    ollama_server.responder = lambda _body: {
        "critique": "TCP is connection-oriented.",
        "incorrect": [{"claim": claim, "source_id": "S1",
                       "correction": "TCP opens each connection with a three-way handshake."}],
        "agree_missed": [], "disputed_missed": [],
        "follow_up": "Why does TCP need a handshake?",
    }  # fmt: skip
    refined = g.refine_with_llm(grounded, q, REVERSED_ANSWER)
    assert refined.model_error is None
    assert [c.text for c in refined.incorrect if c.source == "model"] == [claim]
    assert not [c for c in refined.to_check if c.source == "model"]
    assert refined.score < grounded.score
    shown = render_text(model_feedback(refined, 100))
    assert "your notes back it" not in shown and "says the model" in shown


def render_text(renderable: object) -> str:
    from rich.console import Console

    console = Console(width=100, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(renderable)
    return console.export_text()


# ---- documents --------------------------------------------------------------------------
def test_a_refused_local_url_says_how_to_allow_it(tmp_path: Path, web_server: WebServer) -> None:
    from interviewer.documents import add_documents
    from interviewer.errors import CorpusError

    corpus = tmp_path / "notes"
    corpus.mkdir()
    with pytest.raises(CorpusError, match="INTERVIEWER_ALLOW_PRIVATE_URLS=1") as err:
        add_documents(load_settings(corpus=corpus), [web_server.url("/article.html")])
    assert "\n" not in str(err.value)
    assert web_server.requests == []


def test_add_shows_embedding_progress_on_a_terminal(tmp_path: Path, home: Path) -> None:
    """A large file takes minutes to embed: `add` shows the bar `index` shows."""
    notes = tmp_path / "in.md"
    notes.write_text(
        "# Operating systems\n\n## What is a process?\nA running program with its own "
        "address space.\n\n## What is a thread?\nA unit of execution inside a process.\n",
        encoding="utf-8",
    )
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    env = {**os.environ, "INTERVIEWER_HOME": str(home), "TTY_COMPATIBLE": "1", "COLUMNS": "80"}
    proc = subprocess.run(
        [sys.executable, "-m", "interviewer", "add", "--corpus", str(corpus), str(notes)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "embedding chunks" in proc.stderr and "2/2" in proc.stderr
    assert "index: +1 added" in proc.stderr


# ---- the compact view ------------------------------------------------------------------
def test_the_compact_view_says_when_an_answer_is_far_too_long(grader: Grader) -> None:
    """A session shows compact feedback: a 3000-word answer that covers every point
    must not read only as "Every key point covered"."""
    from interviewer.render import compact_feedback

    q = next(q for q in grader.questions() if q.text == "What is a decision tree?")
    complete = " ".join(kp.text for kp in q.key_points)
    padded = complete + " " + " ".join([complete] * (3000 // len(complete.split()) + 1))
    fb = grader.grade_grounded(q, padded)
    assert fb.remarks and any("words" in r for r in fb.remarks), fb.critique
    shown = " ".join(render_text(compact_feedback(fb, 100)).split())
    assert " ".join(fb.remarks[-1].split())[:60] in shown
    # A plain answer has no remark, and the view is unchanged.
    plain = grader.grade_grounded(q, complete)
    assert plain.remarks == []
    assert "Every key point covered" in render_text(compact_feedback(plain, 100)) or plain.missed


# ---- eval compare as a user comparing two settings ---------------------------------------
def test_eval_compare_says_which_settings_differ(tmp_path: Path, home: Path) -> None:
    from interviewer.evals import Results, RunInfo, settings_subset

    def run(**overrides: object) -> Path:
        settings = load_settings(use_llm=False, **overrides)
        path = tmp_path / f"run-{len(list(tmp_path.iterdir()))}.json"
        results = Results(run=RunInfo(settings=settings_subset(settings)))
        path.write_text(results.model_dump_json(), encoding="utf-8")
        return path

    # A fusion weight is recorded with the run like the model is.
    a, b = run(), run(bm25_weight=0.8, top_k=3)
    env = {**os.environ, "INTERVIEWER_HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-m", "interviewer", "eval", "compare", str(a), str(b)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if x.startswith("settings that differ"))
    assert "bm25_weight 0.5 → 0.8" in line and "top_k 5 → 3" in line
    assert "rrf_k" not in line  # only what differs
    md = subprocess.run(
        [sys.executable, "-m", "interviewer", "eval", "compare", str(a), str(b), "--format",
         "md"], capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert "settings that differ" in md.stdout and "bm25_weight" in md.stdout


# ---- a slow model ----------------------------------------------------------------------
def test_a_terminal_says_the_model_is_working_until_its_first_word() -> None:
    """A model may be silent for a minute after the grounded feedback: the terminal
    says it is waiting, and the critique (or the failure line) writes over that."""
    import io

    from rich.console import Console

    from interviewer._cli.interview import WAITING_FOR_MODEL, RichIO

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=100)
    rio = RichIO(console, interactive=False, to_stderr=False)
    rio.critique_start()
    assert WAITING_FOR_MODEL in buf.getvalue()
    rio.token("Good answer.")
    shown = buf.getvalue()
    # Cleared before the header, which starts at column 0.
    assert shown.index("Model critique") > shown.rindex("\r")
    assert "Good answer." in shown

    # A pipe gets no such line (logs and scripts read it).
    piped = io.StringIO()
    quiet = RichIO(Console(file=piped, force_terminal=False), interactive=False, to_stderr=False)
    quiet.critique_start()
    assert piped.getvalue() == ""


def test_i_dont_know_in_spanish_gets_the_points_to_learn(grader: Grader) -> None:
    q = next(q for q in grader.questions() if q.text == "What is a decision tree?")
    english = grader.grade_grounded(q, "I don't know")
    assert english.critique.startswith("No problem")
    for answer in ("No lo sé.", "Ni idea", "no me acuerdo"):
        fb = grader.grade_grounded(q, answer)
        assert fb.score == 0 and fb.critique.startswith("No problem"), (answer, fb.critique)
    # An answer that opens with "no se ..." ("one cannot ...") is an answer.
    fb = grader.grade_grounded(q, "No se puede saber sin datos de entrenamiento.")
    assert not fb.critique.startswith("No problem")


def test_the_first_session_after_the_notes_change_says_it_builds_the_bank(
    tmp_path: Path, home: Path
) -> None:
    """Building the question bank of large notes takes minutes: the first session says
    why it waits; the next one, with the bank cached, only loads it."""
    from interviewer._cli.interview import BUILDING_BANK

    corpus = tmp_path / "notes"
    corpus.mkdir()
    note = corpus / "os.md"
    note.write_text(
        "# OS\n\n## What is a process?\nA running program with its own address space.\n",
        encoding="utf-8",
    )
    env = {**os.environ, "INTERVIEWER_HOME": str(home)}

    def start() -> str:
        proc = subprocess.run(
            [sys.executable, "-m", "interviewer", "interview", "--no-llm", "--corpus",
             str(corpus)], input="/quit\n", capture_output=True, text=True, env=env,
            timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return proc.stderr

    assert BUILDING_BANK in start()
    again = start()
    assert BUILDING_BANK not in again and "loading your notes" in again
    note.write_text(note.read_text(encoding="utf-8") + "It has one thread or more.\n")
    assert BUILDING_BANK in start()


def test_repeatable_options_name_what_they_take_in_help() -> None:
    from typer.testing import CliRunner

    from interviewer.cli import app

    for args in (["interview"], ["questions"], ["eval", "run"]):
        out = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "120"}).output
        assert "list[str]" not in out, args
    assert "TOPIC" in CliRunner().invoke(app, ["interview", "--help"]).output


def test_the_bank_notice_reads_what_the_loader_reads(tmp_path: Path) -> None:
    """Only files the loader reads make the bank stale (not a repository's own files
    nor a PDF beside the notes), and a bank of another extraction version (an
    upgrade) is to be built though no file changed."""
    import time

    from interviewer._cli.interview import _bank_pending
    from interviewer.grading.bank import BANK_FILE

    notes = tmp_path / "notes"
    (notes / ".git").mkdir(parents=True)
    (notes / "os.md").write_text(
        "# OS\n\n## What is a process?\nA running program with its own address space.\n",
        encoding="utf-8",
    )
    s = load_settings(home=tmp_path / "home", corpus=notes, use_llm=False)
    assert _bank_pending(s)
    Grader.open(s, use_llm=False)
    assert not _bank_pending(s)
    time.sleep(0.05)  # file times must differ from the bank's
    (notes / ".git" / "index").write_bytes(b"git's own")
    (notes / "paper.pdf").write_bytes(b"%PDF-1.4")
    assert not _bank_pending(s)

    bank = s.index_dir / BANK_FILE
    text = bank.read_text(encoding="utf-8")
    assert text.startswith('{"version":')
    bank.write_text(text.replace('{"version":', '{"version":1', 1), encoding="utf-8")
    assert _bank_pending(s)


def test_the_waiting_line_is_erased_whole_on_a_narrow_terminal() -> None:
    import io

    from rich.console import Console

    from interviewer._cli.interview import RichIO

    buf = io.StringIO()
    rio = RichIO(Console(file=buf, force_terminal=True, width=20), interactive=False,
                 to_stderr=False)  # fmt: skip
    rio.critique_start()
    rio.token("Fine.")
    shown = buf.getvalue()
    # The terminal's erase-line code, not as many spaces as the notice had letters
    # (which leave the wrapped part of it on screen).
    assert "\x1b[2K" in shown and shown.index("\x1b[2K") < shown.index("Model critique")
