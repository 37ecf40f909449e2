"""Loader review items of session 21: question words as per-language data, the column
names of a flashcard export as data, one question-label grammar, table headers trimmed
where tables are read, one walk of the notes folder per command, an Anki export's tags
column, and numbered requests under a heading that only groups them. Subjects:
databases, operating systems, distributed systems, networking."""

from __future__ import annotations

from pathlib import Path

from interviewer.corpus import label_line, load_corpus
from tests.test_shapes_review import _load

# (kind, question, line range) of each unit a notes file gives, as the shapes tests read them
_units = _load


# ---- 1. question words per language ------------------------------------------------------

SPANISH_REQUESTS = """\
# Índices

- Cómo elige el optimizador un índice
  - estima el coste de cada plan con las estadísticas de la tabla
  - prefiere el índice más selectivo
- Por qué un índice puede no usarse
  - la consulta aplica una función a la columna
  - la tabla es tan pequeña que leerla entera cuesta menos
"""


def test_spanish_question_words_ask_in_a_list_of_requests(tmp_path: Path) -> None:
    # An accented question word asks whatever follows it; "por" asks before "qué".
    got = _units(tmp_path, "indices.md", SPANISH_REQUESTS)
    assert [(k, q[:20], a, b) for k, q, a, b in got] == [
        ("list", "Cómo elige el optimi", 3, 5),
        ("list", "Por qué un índice pu", 6, 8),
    ]


def test_english_question_words_still_need_their_verb(tmp_path: Path) -> None:
    asks = """\
# Locks

- What is a spinlock
  - a lock that busy-waits instead of sleeping
  - cheap when the wait is shorter than a context switch
- Why are semaphores counted
  - several holders may share a resource up to its count
"""
    got = _units(tmp_path, "locks.md", asks)
    assert [(k, a, b) for k, _q, a, b in got] == [("list", 3, 5), ("list", 6, 7)]
    # "When the lock is free" opens with a question word but no verb: a plain list.
    plain = """\
# Locks

Spinlocks suit short waits on a multiprocessor where the holder runs on another core.

- When the lock is free
  - the thread takes it at once
- When the lock is held
  - the thread spins until the holder releases it
"""
    assert [k for k, *_ in _units(tmp_path, "spin.md", plain)] == ["topic"]


# ---- 2. an export's header row, named in any language the cue data has ---------------------


def test_a_spanish_export_header_row_is_no_card(tmp_path: Path) -> None:
    export = (
        "Pregunta\tRespuesta\tEtiquetas\n"
        "¿Qué es un interbloqueo?\tDos hilos esperan cada uno un cerrojo que tiene el otro.\tso\n"
    )
    got = _units(tmp_path, "so.tsv", export)
    assert [(k, q, a) for k, q, a, _b in got] == [("qa", "¿Qué es un interbloqueo?", 2)]
    # The header row names no heading: the card sits under the file's name.
    (doc,) = load_corpus(tmp_path / "notes").documents
    assert [s.heading_path for s in doc.sections] == [["so", "¿Qué es un interbloqueo?"]]


# ---- 4. one grammar of question labels -----------------------------------------------------


def test_question_labels_with_a_colon_come_from_the_one_grammar() -> None:
    colon = label_line("question", spanish_letters=True, colon=True)
    any_punct = label_line("question", spanish_letters=True, capture=True)
    for line in ("Q: What is a socket?", "**Pregunta**: ¿Qué es TCP?", "> - Q3 : Why?",
                 "P: ¿Qué es UDP?", "Front: What is ARP?"):  # fmt: skip
        assert colon.match(line) and any_punct.match(line), line
    # "Q." and "Q2)" label a question too, but not with a colon: alone, "Q." may open a
    # sentence, so the reader asks more of them.
    for line in ("Q. Smith wrote the RFC", "Q2) What is NAT?"):
        assert any_punct.match(line) and not colon.match(line), line
    assert not label_line("question").match("P: the packet size")  # English: a symbol


# ---- 3. a table's header is trimmed where tables are read ---------------------------------

JOINS = """\
# SQL

Joins combine rows of two tables | the basics.
| Question | Answer |
|---|---|
| What is an inner join? | The rows that match in both tables. |

Both joins are common in reports.

| Question | Answer |
|---|---|
| What is a cross join? | Every pair of rows from both tables. |
"""


def test_text_beside_a_question_table_keeps_its_lines_and_loses_the_header(
    tmp_path: Path,
) -> None:
    assert [(k, q, a, b) for k, q, a, b in _units(tmp_path, "joins.md", JOINS)] == [
        ("table", "What is an inner join?", 6, 6),
        ("table", "What is a cross join?", 12, 12),
    ]
    (doc,) = load_corpus(tmp_path / "notes").documents
    plain = [(s.line_start, s.line_end, s.text) for s in doc.sections if s.unit_kind is None]
    assert plain == [
        # A line with a pipe right above the header is text of the heading, not header.
        (1, 3, "Joins combine rows of two tables | the basics."),
        # Text between two tables ends before the second one's header.
        (8, 8, "Both joins are common in reports."),
    ]


# ---- 6a. an export's declared tags column ----------------------------------------------------


def test_a_declared_tags_column_gives_tags_not_notes(tmp_path: Path) -> None:
    from interviewer.corpus import note_lines

    export = (
        "#separator:tab\n#html:true\n#tags column:3\n"
        # Tags that read like words ("OS Memory") after an answer with no full stop:
        # only the declaration tells them from more answer.
        "What is a page fault?\tThe CPU touched a page that is not in memory, so the "
        "kernel loads it\tOS Memory\n"
        "What does a TLB cache?\tRecent virtual to physical address translations\tMemory\n"
    )
    got = _units(tmp_path, "vm.txt", export)
    assert [(q, a) for _k, q, a, _b in got] == [
        ("What is a page fault?", 4), ("What does a TLB cache?", 5),
    ]  # fmt: skip
    (doc,) = load_corpus(tmp_path / "notes").documents
    cards = [(s.text, s.tags) for s in doc.sections]
    assert cards == [
        ("The CPU touched a page that is not in memory, so the kernel loads it", ["OS", "Memory"]),
        ("Recent virtual to physical address translations", ["Memory"]),
    ]
    # The grader reads the file's lines as the loader did: no tags among the notes.
    assert note_lines(doc)[4] == (
        "What does a TLB cache?\tRecent virtual to physical address translations"
    )


def test_an_export_with_id_type_and_deck_columns_asks_its_question_column(tmp_path: Path) -> None:
    export = (
        "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n"
        "#tags column:6\n"
        "k3#Vx1\tBasic\tNetworking\tWhat does ARP resolve?\tAn IP address to a MAC address "
        "on the local link.\tnet::link\n"
    )
    got = _units(tmp_path, "net.txt", export)
    assert [(k, q, a) for k, q, a, _b in got] == [("qa", "What does ARP resolve?", 7)]
    (doc,) = load_corpus(tmp_path / "notes").documents
    (card,) = doc.sections
    assert card.text == "An IP address to a MAC address on the local link."
    assert card.tags == ["net::link"]


def test_a_header_row_naming_a_tags_column_declares_it(tmp_path: Path) -> None:
    export = (
        "Question\tAnswer\tTags\n"
        "Which isolation level stops dirty reads?\tRead committed\tisolation\n"
    )
    got = _units(tmp_path, "db.tsv", export)
    assert [(q, a) for _k, q, a, _b in got] == [("Which isolation level stops dirty reads?", 2)]
    (doc,) = load_corpus(tmp_path / "notes").documents
    assert [(s.text, s.tags) for s in doc.sections] == [("Read committed", ["isolation"])]


# ---- 6b. numbered requests under a heading that only groups them -----------------------------

QUESTIONS = """\
# Distributed systems

## Questions

1. Explain the CAP theorem
   A distributed store keeps only two of consistency, availability and partition
   tolerance when the network splits.
2. Compare leader election and consensus
   Leader election picks one node; consensus makes every node agree on a value.
3. Describe two-phase commit
   A coordinator asks every participant to prepare, then tells them all to commit.
"""

PREGUNTAS = """\
# Bases de datos

## Preguntas

1. Explica qué es un índice

Un índice acelera las búsquedas a cambio de escrituras más lentas y más espacio.

2. Compara una transacción y un bloqueo

Una transacción agrupa operaciones; un bloqueo protege una fila del acceso concurrente.
"""

STEPS = """\
# Deployment

## Rolling out a schema change

1. Describe the change in the design doc
   Say which tables change and which queries read them.
2. Compare the plans before and after
   Run EXPLAIN on the slow queries against a copy of production.
"""


def test_numbered_requests_under_a_questions_heading_are_its_questions(tmp_path: Path) -> None:
    assert _units(tmp_path, "dist.md", QUESTIONS) == [
        ("list", "Explain the CAP theorem", 5, 7),
        ("list", "Compare leader election and consensus", 8, 9),
        ("list", "Describe two-phase commit", 10, 11),
    ]


def test_spanish_numbered_requests_are_asked_not_their_container(tmp_path: Path) -> None:
    got = _units(tmp_path, "bd.md", PREGUNTAS)
    # The answers sit at the margin below each request: the notes' consistent shape.
    assert got == [
        ("list", "Explica qué es un índice", 5, 7),
        ("list", "Compara una transacción y un bloqueo", 9, 11),
    ]
    # "Preguntas" only groups: it is no topic to ask about.
    assert not any("Preguntas" in q for _k, q, _a, _b in got)


def test_numbered_requests_under_a_subject_heading_stay_steps(tmp_path: Path) -> None:
    # Under a heading that names a subject, a numbered list of imperatives is a plan.
    got = _units(tmp_path, "deploy.md", STEPS)
    assert [k for k, *_ in got] == ["topic"]


def test_requests_without_answers_under_a_container_are_not_asked(tmp_path: Path) -> None:
    bare = "# Networking\n\n## Questions\n\n1. Explain slow start\n2. Compare TCP and UDP\n"
    assert _units(tmp_path, "net.md", bare) == []


# ---- 5. one walk of the notes folder per command ----------------------------------------------


def test_a_walk_lists_the_notes_and_the_documents_not_read(tmp_path: Path) -> None:
    from interviewer.corpus import one_walk, scan_notes

    notes = tmp_path / "notes"
    (notes / ".git").mkdir(parents=True)
    (notes / "os.md").write_text("# Paging\n\nPages map virtual to physical memory.\n", "utf-8")
    (notes / "cards.tsv").write_text("What is a TLB?\tA cache of translations.\n", "utf-8")
    (notes / "linalg.ipynb").write_text("{}", "utf-8")
    (notes / ".git" / "x.md").write_text("# hidden\n", "utf-8")
    folder = scan_notes(notes)
    assert [p.name for p in folder.notes] == ["cards.tsv", "os.md"]
    assert [p.source for p in folder.unread] == ["linalg.ipynb"]
    with one_walk():
        first = scan_notes(notes)
        (notes / "net.md").write_text("# ARP\n\nResolves IP to MAC addresses.\n", "utf-8")
        assert scan_notes(notes) is first  # one walk within the block
    # Outside a block every scan walks again and sees the new file.
    assert [p.name for p in scan_notes(notes).notes] == ["cards.tsv", "net.md", "os.md"]


def test_each_command_walks_the_notes_folder_once(tmp_path: Path, monkeypatch) -> None:
    from collections import Counter

    from typer.testing import CliRunner

    import interviewer.corpus as corpus
    from interviewer.cli import app

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "sql.md").write_text(JOINS, "utf-8")
    (notes / "dist.md").write_text(QUESTIONS, "utf-8")
    (notes / "slides.ipynb").write_text("{}", "utf-8")
    monkeypatch.setenv("INTERVIEWER_HOME", str(tmp_path / "home"))
    walks: Counter[Path] = Counter()
    walk = corpus._walk

    def counted(d: Path) -> corpus.NotesFolder:
        walks[d] += 1
        return walk(d)

    monkeypatch.setattr(corpus, "_walk", counted)
    for args in (["questions", "--json"], ["audit", "--json"], ["doctor", "--no-llm"]):
        walks.clear()
        result = CliRunner().invoke(app, [*args, "--corpus", str(notes)])
        assert result.exit_code == 0, result.output
        # The document not read is still named: it came from the same walk.
        assert "slides.ipynb" in result.output + result.stderr, args
        assert list(walks.values()) == [1], (args, walks)


# ---- review of session 21: the defects found in the items above ---------------------------

STEPS_UNDER = """\
# Coding interviews

## {heading}

1. Explain your reasoning out loud
   Interviewers grade the process as much as the answer.
2. Describe the brute-force solution first
   It shows you understood the problem before optimising.
"""


def test_numbered_steps_under_a_heading_that_holds_no_questions_are_not_asked(
    tmp_path: Path,
) -> None:
    # Tips, a setup, a summary, next steps, one's own notes: a numbered list of
    # imperatives there is what to do, not questions (only a heading of questions is).
    for n, heading in enumerate(
        ["Interview tips", "Setup", "Summary", "Next steps", "My notes", "Index maintenance",
         "Repaso"]  # fmt: skip
    ):
        got = _units(tmp_path, f"tips{n}.md", STEPS_UNDER.format(heading=heading))
        assert [k for k, *_ in got if k == "list"] == [], heading


def test_numbered_requests_under_headings_of_questions_are_asked(tmp_path: Path) -> None:
    for n, heading in enumerate(["Interview questions", "Practice questions", "FAQ",
                                 "Ejercicios"]):  # fmt: skip
        got = _units(tmp_path, f"q{n}.md", STEPS_UNDER.format(heading=heading))
        assert [(k, a, b) for k, _q, a, b in got] == [("list", 5, 6), ("list", 7, 8)], heading


def test_a_request_answered_by_a_list_keeps_its_own_answer(tmp_path: Path) -> None:
    # The second request's answer is a bulleted list at the margin: it is that request's
    # answer, not more of the first one's.
    notes = """\
# Networking

## Questions

1. Explain slow start

The congestion window doubles every round trip until a loss.

2. Describe the three-way handshake

- the client sends SYN
- the server answers SYN-ACK
- the client sends ACK
"""
    assert _units(tmp_path, "q.md", notes) == [
        ("list", "Explain slow start", 5, 7),
        ("list", "Describe the three-way handshake", 9, 13),
    ]


def test_a_request_answered_by_a_numbered_list_keeps_its_own_answer(tmp_path: Path) -> None:
    # A list numbered afresh is the answer's steps, not the next requests.
    notes = """\
# Networking

## Questions

1. Explain the three-way handshake

The client sends SYN, the server answers SYN-ACK, the client sends ACK.

2. Describe the steps of TLS 1.3

1. The client sends its key share in ClientHello.
2. The server answers with its own share and the certificate.

3. Compare TCP and QUIC
   QUIC runs over UDP and sets up transport and encryption in one round trip.
"""
    assert _units(tmp_path, "tls.md", notes) == [
        ("list", "Explain the three-way handshake", 5, 7),
        ("list", "Describe the steps of TLS 1.3", 9, 12),
        ("list", "Compare TCP and QUIC", 14, 15),
    ]


def test_a_request_with_its_answer_after_a_colon_is_asked(tmp_path: Path) -> None:
    notes = """\
# Networking

## Questions

1. What is a socket? An endpoint of a connection, named by an address and a port.
2. Explain Nagle's algorithm: small writes are held until the previous one is acknowledged.
3. Describe TIME_WAIT
   The side that closes first waits twice the maximum segment lifetime.
"""
    got = _units(tmp_path, "net.md", notes)
    assert [(q, a, b) for _k, q, a, b in got] == [
        ("What is a socket?", 5, 5),
        ("Explain Nagle's algorithm", 6, 6),
        ("Describe TIME_WAIT", 7, 8),
    ]
    (doc,) = load_corpus(tmp_path / "notes").documents
    (nagle,) = [s for s in doc.sections if s.question == "Explain Nagle's algorithm"]
    assert nagle.text == "small writes are held until the previous one is acknowledged."


def test_a_heading_that_opens_with_resume_keeps_it_in_its_topic() -> None:
    # "Resume" is an English word too: it asks nothing in "Resume training ...".
    from interviewer.grading.bank import question_topic

    asked = "What is resume training from a checkpoint, and when would you use it?"
    assert question_topic(asked, None) == "resume training"


def test_a_cards_tags_column_gives_its_question_tags(tmp_path: Path) -> None:
    from interviewer.grading.bank import build_bank

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "cards.txt").write_text(
        "#separator:tab\n#html:true\n#tags column:3\n"
        "What is a page fault?\tThe CPU touched a page that is not in memory\tkernel_vm\n"
        "What does ARP resolve?\tAn IP address to a MAC address on the local link.\tnetworking\n",
        encoding="utf-8",
    )
    bank, _ = build_bank(load_corpus(corpus).documents)
    tags = {q.text: q.tags for q in bank.questions}
    assert "networking" in tags["What does ARP resolve?"]
    assert "networking" not in tags["What is a page fault?"]
    assert "kernel_vm" in tags["What is a page fault?"]


def test_spanish_notes_headings_over_prose_are_still_asked(tmp_path: Path) -> None:
    # "Notas", "Apuntes", "Temas", "Repaso" over prose were asked as topics before the
    # Spanish container words came; they stay so (as English "Notes" does not).
    for n, heading in enumerate(["Notas", "Apuntes", "Temas", "Repaso"]):
        notes = (
            f"# Redes\n\n## {heading}\n\n"
            "TCP garantiza la entrega ordenada de los segmentos y retransmite los perdidos.\n"
            "UDP no garantiza nada: la aplicación decide qué hacer con las pérdidas.\n"
        )
        got = _units(tmp_path, f"redes{n}.md", notes)
        assert [(k, a, b) for k, _q, a, b in got] == [("topic", 3, 6)], heading


def test_bulleted_requests_under_a_questions_heading_keep_their_own_answers(
    tmp_path: Path,
) -> None:
    notes = """\
# Networking

## Questions

- Explain slow start
  The congestion window doubles every round trip until a loss.
- Describe the three-way handshake

  1. the client sends SYN
  2. the server answers SYN-ACK
"""
    assert _units(tmp_path, "q.md", notes) == [
        ("list", "Explain slow start", 5, 6),
        ("list", "Describe the three-way handshake", 7, 10),
    ]
