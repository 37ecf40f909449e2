"""Loader items of session 22 (issue 9): a list item asks only when it asks, by one rule
for every language; the heading question starts as cue data; a flashcard export's deck
column named by its header row or its "#columns:" line; an index format change said as a
rebuild by any command; answers typed on a terminal that does not send UTF-8 keep their
letters. Subjects: storage, caching, replication, networking, operating systems,
databases."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer import lexicon
from interviewer.corpus import load_corpus, looks_like_question, note_lines
from interviewer.units import units_of
from tests.test_shapes_review import _load, _sections

REPO = Path(__file__).resolve().parents[1]

# ---- 1. a list item asks only when it asks ----------------------------------------------

# A question word (or a Spanish word that leads one) opening a statement: no question.
STATEMENTS = {
    "cache.md": """\
# Page cache

- Which is why reads of hot files are fast
  - the kernel keeps recently read pages in memory
- Which is how dirty pages reach the disk
  - a flusher thread writes them back
""",
    "indices.md": """\
# Índices

- Para es más rápido usar un índice compuesto
  - cubre las dos columnas del filtro
- Para es mejor no indexar una tabla pequeña
  - leerla entera cuesta menos
""",
    "replication.md": """\
# Replication

## Questions

1. Which is why followers can lag behind the leader
   The leader ships its log asynchronously, so a follower may be seconds behind.
2. What is a quorum write
   A write acknowledged by a majority of the replicas before it counts as done.
""",
    "replicacion.md": """\
# Replicación

## Preguntas

1. Para es más seguro escribir en la mayoría
   Una escritura confirmada por la mayoría sobrevive a la caída de un nodo.
2. Qué es un líder
   El nodo que ordena las escrituras y las envía a los demás.
""",
}


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_a_list_item_that_only_opens_like_a_question_is_not_asked(
    tmp_path: Path, name: str
) -> None:
    got = _load(tmp_path, name, STATEMENTS[name])
    asked = [q for _k, q, _a, _b in got]
    assert not any(q.startswith(("Which is why", "Which is how", "Para es")) for q in asked), got
    # The real question beside the statement is still asked, with its own answer (the
    # statement does not take its list with it).
    listed = [(q, a, b) for k, q, a, b in got if k == "list"]
    answers = _sections(tmp_path, name)
    if name == "replication.md":
        assert listed == [("What is a quorum write?", 7, 8)], got
        assert answers["What is a quorum write?"].strip() == (
            "A write acknowledged by a majority of the replicas before it counts as done."
        )
    elif name == "replicacion.md":
        assert listed == [("Qué es un líder?", 7, 8)], got
        assert answers["Qué es un líder?"].strip() == (
            "El nodo que ordena las escrituras y las envía a los demás."
        )
    else:
        assert listed == [], got


def test_list_items_that_ask_in_words_are_still_asked(tmp_path: Path) -> None:
    # The same opening words asking about something: "Which is the ...", "Para que sirve
    # ..." (a lead before a question word, its accent left out), "Por qué ...".
    english = """\
# Isolation

- Which is the default isolation level in PostgreSQL
  - read committed
- What is a phantom read
  - a re-run range query sees new rows
"""
    assert [(k, a, b) for k, _q, a, b in _load(tmp_path, "isolation.md", english)] == [
        ("list", 3, 4),
        ("list", 5, 6),
    ]
    spanish = """\
# Índices

- Para que sirve un índice parcial
  - indexa solo las filas que cumplen una condición
- Por qué un índice puede no usarse
  - la consulta aplica una función a la columna
"""
    got = _load(tmp_path, "parciales.md", spanish)
    assert [(k, q[:22], a, b) for k, q, a, b in got] == [
        ("list", "Para que sirve un índi", 3, 4),
        ("list", "Por qué un índice pued", 5, 6),
    ]


# A word that also leads ("para", "por", "que") or any question word later in an item
# does not make a statement of a question: each of these lists is asked whole.
LEAD_AFTER_THE_FORM = {
    "indices.md": """\
# Índices

- Por qué para tablas pequeñas no se usa el índice
  - leer la tabla entera cuesta menos
- Cuándo conviene un índice compuesto
  - cuando se filtra por las dos columnas
""",
    "replica.md": """\
# Replicación

## Preguntas

1. Por qué por defecto la réplica es asíncrona
   Porque esperar a la réplica añade latencia a cada escritura.
2. Qué es un líder
   El nodo que ordena las escrituras y las envía a los demás.
""",
    "transacciones.md": """\
# Transacciones

- Que es por definición una transacción
  - un grupo de operaciones que se confirma o se deshace entero
- Cuál es por defecto el nivel de aislamiento
  - lectura confirmada
- Cómo por dentro se detecta un interbloqueo
  - con un grafo de esperas
""",
    "plans.md": """\
# Questions

- What is what in a query plan
  - nodes and their estimated costs
- How do I pick an index
  - look at the columns the filters use
""",
}
ASKED_WHOLE = {
    "indices.md": ["Por qué para tablas pequeñas no se usa el índice?",
                   "Cuándo conviene un índice compuesto?"],
    "replica.md": ["Por qué por defecto la réplica es asíncrona?", "Qué es un líder?"],
    "transacciones.md": ["Que es por definición una transacción?",
                         "Cuál es por defecto el nivel de aislamiento?",
                         "Cómo por dentro se detecta un interbloqueo?"],
    "plans.md": ["What is what in a query plan?", "How do I pick an index?"],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(LEAD_AFTER_THE_FORM))
def test_a_question_word_after_the_asking_form_leaves_the_list_asked(
    tmp_path: Path, name: str
) -> None:
    got = _load(tmp_path, name, LEAD_AFTER_THE_FORM[name])
    assert [q for k, q, _a, _b in got if k == "list"] == ASKED_WHOLE[name], got


# More statements that open with a question word and its verb: an adverb before the
# clause's head, "the reason" as its head, a connective. (A statement whose subject is a
# "what" clause, "What is stored in a leaf page is the row itself", is still asked: telling
# it from a question takes more than its first words.)
MORE_STATEMENTS = """\
# Page cache

- Which is also why reads of hot files are fast
  - the kernel keeps recently read pages in memory
- Which is the reason writes are batched
  - a flusher thread writes them back
- What is more, dirty pages are written back in order
  - the flusher sorts them by block
- What is a dirty page
  - a cached page changed since it was read from disk
- Which is the default writeback interval
  - five seconds
- Which is which: the page cache or the buffer cache
  - the page cache holds file pages
"""


def test_a_statement_after_which_is_or_what_is_more_is_not_asked(tmp_path: Path) -> None:
    got = _load(tmp_path, "cache.md", MORE_STATEMENTS)
    assert [(q, a, b) for k, q, a, b in got if k == "list"] == [
        ("What is a dirty page?", 9, 10),
        ("Which is the default writeback interval?", 11, 12),
        ("Which is which: the page cache or the buffer cache?", 13, 14),
    ], got
    answers = _sections(tmp_path, "cache.md")
    assert answers["What is a dirty page?"].strip() == (
        "- a cached page changed since it was read from disk"
    )


# ---- 2. heading question starts are cue data ----------------------------------------------


def test_heading_question_starts_are_read_from_the_cue_data() -> None:
    starts = lexicon.words("heading_question_starts")
    tasks = lexicon.words("heading_task_starts")
    assert tasks <= starts
    # Every start in the data opens a heading that asks; a task verb only with its
    # object after it ("Reverse a proxy", not "Reverse proxy"); a word not in the data
    # asks nothing.
    assert [w for w in sorted(starts) if not looks_like_question(f"{w} the eviction policy")] == []
    assert [w for w in sorted(tasks) if looks_like_question(f"{w.capitalize()} proxy")] == []
    assert [w for w in sorted(tasks) if not looks_like_question(f"{w.capitalize()} a proxy")] == []
    assert not looks_like_question("Ponder the eviction policy")
    # English headings read as before: questions, tasks with an object, names of topics.
    asks = ["How does a B-tree split", "Design a rate limiter", "Implement LRU cache",
            "Compare TCP and UDP", "Find the median of two sorted arrays"]  # fmt: skip
    names = ["Reverse proxy", "Name resolution", "Write-ahead logging", "Load balancing",
             "List comprehension"]  # fmt: skip
    assert [looks_like_question(h) for h in asks] == [True] * len(asks)
    assert [looks_like_question(h) for h in names] == [False] * len(names)


# ---- 3. a flashcard export's deck column --------------------------------------------------

HEADER_ROW = (
    "Front\tBack\tDeck\n"
    "What does fsync guarantee?\tThe file's data reached stable storage before it "
    "returns.\tStorage::Durability\n"
    "What is a write-ahead log?\tChanges are logged before the pages they touch are "
    "written.\tStorage::Durability\n"
)
COLUMNS_LINE = (
    "#separator:tab\n#html:true\n#columns:Guid\tNotetype\tDeck\tFront\tBack\tTags\n"
    "k3Jx9a\tBasic\tNetworking\tWhat does a TCP handshake set up?\tBoth sides' initial "
    "sequence numbers and the connection state.\ttcp transport\n"
    "q8Lm2b\tBasic\tNetworking\tWhy does UDP suit live video?\tA late packet is "
    "worthless, so retransmission only adds delay.\tudp\n"
)


def _cards(tmp_path: Path, name: str, text: str) -> tuple[list[tuple[str, str, list[str]]], str]:
    corpus = tmp_path / "deck"
    corpus.mkdir()
    (corpus / name).write_text(text, encoding="utf-8")
    (doc,) = load_corpus(corpus).documents
    out = []
    for unit in units_of(doc):
        (sec,) = [s for s in doc.sections if s.unit_id == unit.id]
        out.append((unit.question, sec.text, sec.tags))
    return out, "\n".join(note_lines(doc))


def test_a_deck_column_named_by_the_header_row_is_no_answer_text(tmp_path: Path) -> None:
    cards, lines = _cards(tmp_path, "storage.txt", HEADER_ROW)
    assert cards == [
        ("What does fsync guarantee?",
         "The file's data reached stable storage before it returns.", []),
        ("What is a write-ahead log?",
         "Changes are logged before the pages they touch are written.", []),
    ]  # fmt: skip
    # The grader's key points read the same lines.
    assert "Durability" not in lines and "fsync" in lines


def test_a_spanish_header_row_names_its_deck_and_note_type_columns(tmp_path: Path) -> None:
    # Anki's Spanish names: "Mazo" (deck), "Tipo de nota" (note type).
    text = (
        "Tipo de nota\tPregunta\tRespuesta\tMazo\n"
        "Básico\t¿Qué garantiza fsync?\tQue los datos del fichero llegaron al disco antes "
        "de volver.\tAlmacenamiento::Durabilidad\n"
        "Básico\t¿Qué es un WAL?\tUn registro de cambios escrito antes que las "
        "páginas.\tAlmacenamiento::Durabilidad\n"
    )
    cards, lines = _cards(tmp_path, "almacen.txt", text)
    assert cards == [
        ("¿Qué garantiza fsync?",
         "Que los datos del fichero llegaron al disco antes de volver.", []),
        ("¿Qué es un WAL?", "Un registro de cambios escrito antes que las páginas.", []),
    ]  # fmt: skip
    assert "Durabilidad" not in lines and "Básico" not in lines and "fsync" in lines


def test_an_anki_columns_line_names_the_deck_id_and_tags_columns(tmp_path: Path) -> None:
    cards, lines = _cards(tmp_path, "networking.txt", COLUMNS_LINE)
    assert cards == [
        ("What does a TCP handshake set up?",
         "Both sides' initial sequence numbers and the connection state.", ["tcp", "transport"]),
        ("Why does UDP suit live video?",
         "A late packet is worthless, so retransmission only adds delay.", ["udp"]),
    ]  # fmt: skip
    assert "k3Jx9a" not in lines and "Basic" not in lines and "#columns" not in lines


# ---- 4. an index format change is said as a rebuild ---------------------------------------


def _run(
    *args: str | bytes, home: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "interviewer", *args],
        input=stdin, capture_output=True, timeout=600, cwd=REPO,
        env={**os.environ, "INTERVIEWER_HOME": str(home)},
    )  # fmt: skip


OS_NOTES = """\
# Operating systems

## What is a context switch?

The kernel saves the registers of the running thread and loads those of the next one.
It costs a few microseconds and pollutes the caches.

## Why use a spinlock?

A spinlock busy-waits instead of sleeping, which is cheaper than a context switch when
the lock holder runs on another core and releases the lock soon.
"""


def test_grading_after_an_index_format_change_says_the_index_is_rebuilt(tmp_path: Path) -> None:
    from interviewer.index import SCHEMA_VERSION, read_manifest, sync_index
    from interviewer.settings import load_settings

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "os.md").write_text(OS_NOTES, encoding="utf-8")
    home = tmp_path / "home"
    settings = load_settings(home=home, corpus=corpus)
    sync_index(settings)
    manifest = settings.index_dir / "manifest.json"
    data = json.loads(manifest.read_text())
    data["schema_version"] = SCHEMA_VERSION - 1
    manifest.write_text(json.dumps(data))
    # A question of no heading: grading searches the index, which an upgrade rebuilds.
    proc = _run("grade", "--no-llm", "--corpus", str(corpus), "-q",
                "How do threads wait for a lock cheaply?", "-a",
                "They spin on the lock instead of sleeping.", home=home)  # fmt: skip
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    notes = [ln for ln in err.splitlines() if ln.startswith("note: ")]
    assert notes == [
        f"note: index format {SCHEMA_VERSION - 1}, this version reads {SCHEMA_VERSION}: "
        "index written by another version of interviewer; rebuilding from the notes"
    ], err
    rebuilt = read_manifest(settings.index_dir)
    assert rebuilt is not None and rebuilt.schema_version == SCHEMA_VERSION
    # Said once: the next command has nothing to rebuild.
    again = _run("search", "spinlock", "--corpus", str(corpus), home=home)
    assert "note:" not in again.stderr.decode()


# ---- 5. answers typed on a terminal that does not send UTF-8 --------------------------------


def test_bytes_that_are_not_utf8_are_decoded_not_dropped() -> None:
    from interviewer._cli.typed import typed_text

    assert typed_text("la caché y más") == ("la caché y más", None)
    raw = "la caché y más".encode("latin-1").decode("utf-8", "surrogateescape")
    text, warning = typed_text(raw)
    assert text == "la caché y más"
    assert warning is not None and "not UTF-8" in warning and "\n" not in warning
    # UTF-8 beside a stray Latin-1 byte: each read as what it is.
    mixed = ("café ".encode() + "caché".encode("latin-1")).decode("utf-8", "surrogateescape")
    assert typed_text(mixed)[0] == "café caché"


def test_a_piped_latin1_answer_is_saved_with_its_accents(tmp_path: Path) -> None:
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "os.md").write_text(OS_NOTES, encoding="utf-8")
    answer = "El kernel guarda los registros y la caché se enfría.\n.\n".encode("latin-1")
    proc = _run("interview", "--no-llm", "--corpus", str(corpus), "-n", "1", "--json",
                home=tmp_path / "home", stdin=answer)  # fmt: skip
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    turns = json.loads(proc.stdout)["turns"]
    assert turns[0]["answer"] == "El kernel guarda los registros y la caché se enfría."
    warnings = [ln for ln in err.splitlines() if "not UTF-8" in ln]
    assert len(warnings) == 1, err


def test_on_a_terminal_lines_after_the_first_latin1_one_keep_every_letter(
    tmp_path: Path,
) -> None:
    # GNU readline in a UTF-8 locale garbles bytes that are not UTF-8 before Python sees
    # them: once such a line shows, the session says so and reads lines plainly.
    pytest.importorskip("readline")
    import pty
    import select
    import time

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "os.md").write_text(OS_NOTES, encoding="utf-8")
    home = tmp_path / "home"
    env = {**os.environ, "LANG": "C.UTF-8", "INTERVIEWER_HOME": str(home), "TERM": "xterm"}
    env.pop("LC_ALL", None)
    args = [sys.executable, "-m", "interviewer", "interview", "--no-llm", "--corpus",
            str(corpus), "-n", "1", "-f", "0"]  # fmt: skip
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.chdir(REPO)
        os.execve(sys.executable, args, env)
    out = b""

    def pump(until: bytes | None, seconds: float) -> None:
        nonlocal out
        end = time.monotonic() + seconds
        while time.monotonic() < end and (until is None or until not in out):
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    data = os.read(fd, 4096)
                except OSError:
                    return
                if not data:
                    return
                out += data

    try:
        pump(b"> ", 240)
        assert b"> " in out, out[-2000:]
        os.write(fd, "El kernel guarda más registros y la caché.\r".encode("latin-1"))
        pump(None, 1)
        os.write(fd, "Después la caché se enfría\r".encode("latin-1"))
        pump(None, 1)
        os.write(fd, b".\r")
        pump(None, 240)  # to the end of the session
    finally:
        os.close(fd)
        os.waitpid(pid, 0)
    shown = out.decode("utf-8", "replace")
    assert "not UTF-8" in shown, shown[-2000:]
    history = _run("history", "--json", home=home)
    (session,) = json.loads(history.stdout)["sessions"]
    answer = session["turns"][0]["answer"]
    assert answer.split("\n")[1] == "Después la caché se enfría", answer


def test_a_latin1_answer_piped_to_grade_keeps_its_letters(tmp_path: Path) -> None:
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "os.md").write_text(OS_NOTES, encoding="utf-8")
    typed = "El kernel guarda los registros; la caché se enfría."
    answer = typed.encode("latin-1")
    proc = _run("grade", "--no-llm", "--json", "--corpus", str(corpus), "-q",
                "What is a context switch?", "-a", "-", home=tmp_path / "home",
                stdin=answer)  # fmt: skip
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    assert json.loads(proc.stdout)["answer"] == typed
    assert len([ln for ln in err.splitlines() if "not UTF-8" in ln]) == 1, err
    # Piped, not typed: the note does not blame a terminal.
    assert "terminal" not in err, err


def test_a_latin1_answer_given_as_an_argument_keeps_its_letters(tmp_path: Path) -> None:
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "os.md").write_text(OS_NOTES, encoding="utf-8")
    typed = "El kernel guarda los registros; la caché se enfría."
    proc = _run("grade", "--no-llm", "--json", "--corpus", str(corpus), "-q",
                "What is a context switch?", "-a", typed.encode("latin-1"),
                home=tmp_path / "home")  # fmt: skip
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    assert json.loads(proc.stdout)["answer"] == typed
    notes = [ln for ln in err.splitlines() if "not UTF-8" in ln]
    assert len(notes) == 1 and "argument" in notes[0], err
