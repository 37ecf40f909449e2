"""A new user's trial, second round: Spanish topic wording, subjects of questions
whose verb is supported by "do", and what the trial of the whole product found."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer.subjects import subject_label
from interviewer.units import topic_question

from .ollama_server import OllamaServer, Reply


@pytest.mark.parametrize(
    ("heading", "body", "question"),
    [
        # The notes' own article gives the gender: "el análisis", "la memoria".
        ("Análisis léxico", "El análisis léxico convierte el texto en tokens.",
         "¿Qué es el análisis léxico y cuándo se usa?"),
        ("Memoria virtual", "Cada proceso cree tener toda la memoria; la memoria virtual "
         "traduce sus direcciones con tablas de páginas.",
         "¿Qué es la memoria virtual y cuándo se usa?"),
        # "un/una" tell it as well, and a plural takes "los/las".
        ("Tablas hash", "Una tabla hash guarda pares clave-valor en cubetas.",
         "¿Qué son las tablas hash y cuándo se usan?"),
        ("Cerrojos", "Un cerrojo protege una sección crítica.",
         "¿Qué son los cerrojos y cuándo se usan?"),
        # No article in the notes: the topic leads as a label, which needs none.
        ("Planificación de procesos", "Decide qué proceso usa la CPU y durante cuánto.",
         "Planificación de procesos: ¿qué es y cuándo se usa?"),
        ("Árboles B", "Guardan muchas claves por nodo y se usan en bases de datos.",
         "Árboles B: ¿qué son y cuándo se usan?"),
        # A word in -is is singular.
        ("Análisis sintáctico", "Construye un árbol a partir de los tokens.",
         "Análisis sintáctico: ¿qué es y cuándo se usa?"),
        # An acronym is a name: no article.
        ("TCP", "TCP es un protocolo fiable que ordena los segmentos.",
         "¿Qué es TCP y cuándo se usa?"),
        # A comparison: "entre" takes bare nouns, or articles on every side.
        ("Pila frente a cola", "Una pila saca primero lo último que entró; una cola, lo "
         "primero.", "¿Qué diferencia hay entre la pila y la cola?"),
        ("Proceso frente a hilo", "Comparten memoria dentro de un proceso.",
         "¿Qué diferencia hay entre proceso y hilo?"),
    ],
)
def test_spanish_topics_take_the_article_the_notes_give(
    heading: str, body: str, question: str
) -> None:
    assert topic_question(heading, body) == question


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("Análisis léxico: ¿qué es y cuándo se usa?", "análisis léxico"),
        ("¿Qué son las tablas hash y cuándo se usan?", "tablas hash"),
        ("¿Qué diferencia hay entre la pila y la cola?", "pila vs cola"),
    ],
)
def test_our_spanish_wordings_read_back_as_their_topic(question: str, label: str) -> None:
    assert subject_label(question) == label


@pytest.mark.parametrize(
    ("question", "label"),
    [
        # Under "does" the verb is bare: a plural after it is its object.
        ("When does a process leave zombies?", "process"),
        ("How does a hash table store keys?", "hash table"),
        ("How does the OS schedule threads?", "OS"),
        ("How does a B-tree stay balanced?", "B-tree"),
        # A preposition left at the end belongs to the verb before it.
        ("What does HEAD point to?", "HEAD"),
        ("What does the write-ahead log protect against?", "write-ahead log"),
        # Under "do" the subject is plural and ends with its plurals.
        ("How do threads share memory?", "threads"),
        ("Why do RNNs suffer from vanishing gradients?", "RNNs"),
        # Unchanged: the verb last, or a subject with no plural to read.
        ("Why do neural networks overfit?", "neural networks"),
        ("What does a load balancer do?", "load balancer"),
        ("What do precision and recall measure?", "precision and recall"),
        ("How does a fully connected layer work?", "fully connected layer"),
    ],
)
def test_a_supported_verb_is_no_part_of_the_subject(question: str, label: str) -> None:
    assert subject_label(question) == label


def _txt_units(text: str) -> list[tuple[str | None, str | None, int, int]]:
    from interviewer.corpus import parse_text

    return [
        (s.unit_kind, s.question, s.line_start, s.line_end)
        for s in parse_text("notes.txt", text)
        if s.unit_kind
    ]


def test_numbered_titles_over_text_blocks_are_topics_of_a_text_file() -> None:
    text = (
        "Caching strategies\n\n"
        "1. Cache-aside\n"
        "The application reads from the cache and, on a miss, loads from the database.\n\n"
        "2. Write-through\n"
        "Every write goes to the cache and the database together, so the cache is never\n"
        "stale; writes are slower.\n\n"
        "Why can a cache stampede happen?\n"
        "When a hot key expires, many requests miss at once.\n"
    )
    got = _txt_units(text)
    assert [(k, a, b) for k, _q, a, b in got] == [
        ("topic", 3, 4), ("topic", 6, 8), ("heading", 10, 11)
    ]
    assert "cache-aside" in (got[0][1] or "") and "write-through" in (got[1][1] or "")


@pytest.mark.parametrize(
    "listing",
    [
        # A list: its items follow one another.
        "Steps\n\n1. Install it\n2. Run it\n3. Check the logs\n",
        # Items apart, but nothing under them.
        "Steps\n\n1. Install it\n\n2. Run it\n",
        # One numbered line over text is no outline.
        "Setup\n\n1. Install it\nThen run the tests.\n",
        # A run-on item: its sentence goes on in lower case.
        "Steps\n\n1. Install the package\nwith pip, then\n\n2. Run it\nfrom the shell.\n",
    ],
)
def test_numbered_lists_of_a_text_file_stay_lists(listing: str) -> None:
    from interviewer.corpus import parse_text

    # One section: the title's, with the list in it.
    assert [s.heading_path for s in parse_text("notes.txt", listing)] == [
        [listing.split("\n")[0]]
    ]


@pytest.mark.parametrize("indexed", [False, True])
def test_questions_says_which_files_could_not_be_read(tmp_path: Path, indexed: bool) -> None:
    """Their questions are missing from the bank: the listing says why, on stderr, and
    the JSON on stdout stays a clean list."""
    from typer.testing import CliRunner

    from interviewer.cli import app

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "ok.md").write_text("# Git\n\n## What is a branch?\n\nA file holding a hash.\n")
    (corpus / "latin1.md").write_bytes("# Compresión\n\n¿Qué es?\n".encode("latin-1"))
    if indexed:
        assert CliRunner().invoke(app, ["index", "--corpus", str(corpus)]).exit_code == 0
    result = CliRunner().invoke(app, ["questions", "--corpus", str(corpus), "--json"])
    assert result.exit_code == 0, result.output
    assert [r["question"] for r in json.loads(result.stdout)] == ["What is a branch?"]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: latin1.md: not valid UTF-8 (byte 0xf3 at line 1); re-save "
                        "the file as UTF-8"]


def test_add_says_why_a_file_is_refused_and_how_to_get_past_a_limit(tmp_path: Path) -> None:
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "ok.md").write_text("# Git\n\n## What is a branch?\n\nA file holding a hash.\n")
    binary = tmp_path / "image.md"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    big = tmp_path / "big.md"
    big.write_text("# Big\n\n" + "A long line of notes.\n" * 200)
    env = dict(os.environ, INTERVIEWER_HOME=str(tmp_path / "home"))
    env["INTERVIEWER_MAX_FILE_BYTES"] = "1000"
    proc = subprocess.run(
        [sys.executable, "-m", "interviewer", "add", "--corpus", str(corpus), str(binary),
         str(big)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 1
    message = proc.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert f"{binary}: binary file (contains NUL bytes);" in message
    assert "skipped" not in message  # nothing is added, so nothing is "skipped"
    assert message.endswith("MB limit (raise INTERVIEWER_MAX_FILE_BYTES)")
    assert sorted(p.name for p in corpus.iterdir()) == ["ok.md"]


def test_a_reply_cut_at_the_token_limit_tells_the_user_what_to_raise(
    ollama_server: OllamaServer,
) -> None:
    """The error reaches the user ("model layer unavailable: ..."): it says which
    setting to raise, and gives neither of them an instruction meant for the other."""
    from pydantic import BaseModel

    from interviewer.llm import Message, make_llm
    from interviewer.settings import load_settings

    class Verdict(BaseModel):
        summary: str

    ollama_server.reply(
        Reply(content='{"summary": "A long', done_reason="length"),
        Reply(content='{"summary": "Still long', done_reason="length"),
    )
    llm = make_llm(load_settings(num_predict=64))
    assert llm is not None
    result = llm.structured([Message.user("grade this")], Verdict)
    assert result.error == (
        "the reply was cut off at the token limit (num_predict=64) before the JSON was "
        "complete (raise INTERVIEWER_NUM_PREDICT)"
    )
    retry = ollama_server.chat_requests()[1]["messages"][-1]["content"]
    assert "cut off" in retry and "INTERVIEWER_NUM_PREDICT" not in retry
    # A reply that is merely invalid names no setting.
    ollama_server.reply("Sure! {not json", "still not json")
    other = llm.structured([Message.user("grade this")], Verdict)
    assert other.error is not None and "INTERVIEWER_" not in other.error


def test_a_model_that_keeps_failing_is_said_once_in_a_session(
    tmp_path: Path, ollama_server: OllamaServer
) -> None:
    """Every reply invalid: the first failure is one full line, the next ones a short
    line each, and no "Model critique:" header stands over an error."""
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "unix.md").write_text(
        "# Unix\n\n## What is an orphan process?\n\nA process whose parent exited while it "
        "was still running. It is re-parented to init, which reaps it.\n\n"
        "## What is a zombie process?\n\nA child that exited and was not yet waited for: "
        "it keeps its exit status and pid in the process table.\n"
    )
    ollama_server.responder = lambda _body: "Sure! {not json"
    env = dict(os.environ, INTERVIEWER_HOME=str(tmp_path / "home"), OLLAMA_HOST=ollama_server.url)
    proc = subprocess.run(
        [sys.executable, "-m", "interviewer", "interview", "--corpus", str(corpus), "-n", "2",
         "--follow-ups", "0", "--seed", "1"],
        input="It is adopted by init.\n.\nIt keeps its exit status.\n.\n",
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout + proc.stderr
    assert out.count("model layer failed (the reply is not valid JSON") == 1
    assert out.count("model layer still failing, as above; the grounded feedback stands.") == 1
    assert "Model critique:" not in out


def test_doctor_says_a_file_given_as_the_corpus_is_no_directory(tmp_path: Path) -> None:
    from interviewer.doctor import run_doctor
    from interviewer.settings import load_settings

    notes = tmp_path / "notes.txt"
    notes.write_text("Caching\n\nWrite-through writes both.\n")
    report = run_doctor(load_settings(corpus=notes, use_llm=False))
    index = next(c for c in report.checks if c.name == "index")
    assert index.verdict == "fail"
    assert index.detail == f"corpus dir {notes} is not a directory"


def test_feedback_counts_in_words() -> None:
    """"1 point covered only in part", "1 hint used": no "point(s)"."""
    from rich.console import Console

    from interviewer.feedback import Citation, Feedback, Point
    from interviewer.render import compact_feedback

    where = Citation(source="unix.md", heading="Unix > Orphans", line_start=3, line_end=4)
    fb = Feedback(
        question="What is an orphan process?", score=6.0, hints_used=1,
        covered=[Point(text="Its parent exited first.", citation=where)],
        partial=[Point(text="Init adopts and reaps it.", citation=where)],
    )  # fmt: skip
    texts = []
    for shown in (fb, fb.model_copy(update={"hints_used": 0})):
        console = Console(width=100, record=True)
        console.print(compact_feedback(shown, 100))
        texts.append(console.export_text())
    assert "1 hint used" in texts[0]
    # A hint used hides nothing: the partly covered point is said either way.
    assert all("Nothing missed; 1 point covered only in part" in text for text in texts)
    assert not any("(s)" in text for text in texts)


def test_ctrl_c_during_the_critique_leaves_no_stale_draft(
    tmp_path: Path, ollama_server: OllamaServer
) -> None:
    """The answer was sent and graded: Ctrl-C while the model's critique streams keeps
    the graded turn, and nothing is offered back as "the answer you were typing"."""
    from interviewer.drafts import DraftStore
    from interviewer.grading import Grader
    from interviewer.session import EngineStatus, Interview, start_session
    from interviewer.settings import load_settings
    from interviewer.store import SessionOptions, SessionStore
    from tests.test_session import ScriptedIO

    class CtrlCInCritique(ScriptedIO):
        def critique_start(self) -> None:
            raise KeyboardInterrupt

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "unix.md").write_text(
        "# Unix\n\n## What is an orphan process?\n\nA process whose parent exited while it "
        "was still running. It is re-parented to init, which reaps it.\n"
    )
    settings = load_settings(home=tmp_path / "home", corpus=corpus)
    grader = Grader.open(settings, use_llm=True)
    engine = EngineStatus(engine=f"ollama:{settings.model}", use_llm=True)
    with SessionStore(settings.sessions_db) as store:
        record = start_session(grader, store, settings, SessionOptions(questions=1, follow_ups=0))
        drafts = DraftStore(tmp_path / "drafts")
        io = CtrlCInCritique(["A process whose parent exited first."])
        with pytest.raises(KeyboardInterrupt):
            Interview(grader, store, io, record, engine=engine, drafts=drafts).run()
        [turn] = store.turns(record.id)
        assert turn.feedback is not None and turn.feedback.engine == "grounded"
        assert drafts.load(record.id) is None


def test_an_empty_search_query_is_a_usage_error(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from interviewer.cli import app

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "ok.md").write_text("# Git\n\n## What is a branch?\n\nA file holding a hash.\n")
    for query in ("", "   "):
        result = CliRunner().invoke(app, ["search", "--corpus", str(corpus), query])
        assert result.exit_code == 2
        assert "QUERY: it is empty, so there is nothing to look for" in result.output
        assert "no matches" not in result.output


def test_an_index_of_an_older_version_is_rebuilt_and_the_note_says_so(tmp_path: Path) -> None:
    """Upgrading changes the index schema: the note says the index was rebuilt, not to
    run a rebuild that has just happened."""
    from interviewer.index import SCHEMA_VERSION, sync_index
    from interviewer.settings import load_settings

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "ok.md").write_text("# Git\n\n## What is a branch?\n\nA file holding a hash.\n")
    settings = load_settings(home=tmp_path / "home", corpus=corpus)
    sync_index(settings)
    manifest = settings.index_dir / "manifest.json"
    data = json.loads(manifest.read_text())
    data["schema_version"] = SCHEMA_VERSION - 1
    manifest.write_text(json.dumps(data))
    reason = sync_index(settings).rebuilt_reason
    assert reason is not None and reason.endswith(
        "index written by another version of interviewer; rebuilt from the notes"
    )
    assert "--rebuild" not in reason
