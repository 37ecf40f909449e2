"""Notes a new user brings, in shapes and subjects no other fixture holds: text files
whose "Q:" blocks follow titled paragraphs, flashcards written "Front:"/"Back:", code
spans in questions, the wording of generated questions for names, acronyms, plurals and
mass nouns, and short subject labels. Each case was found by trying the tool on such
notes; every check here is on notes written for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.corpus import load_corpus, parse_markdown, parse_text
from interviewer.subjects import subject_label
from interviewer.units import answer_line, topic_question, units_of

TXT_TITLED_THEN_QA = """\
Database indexes

Indexes
A B-tree index keeps keys sorted so range scans are cheap and point lookups take log time.
Every write has to update each index on the table, so too many indexes slow inserts.

Q: What is a covering index?
A: An index that holds every column a query reads, so the table itself is never visited.

Q: When does the planner skip an index?
A: When the query reads most rows of the table a sequential scan is cheaper than random
lookups.
"""


def _units(sections: list) -> list[tuple]:
    return [
        (s.unit_kind, s.question, s.heading_path, s.line_start, s.line_end)
        for s in sections
        if s.unit_kind
    ]


def test_a_q_block_after_a_titled_paragraph_is_a_unit_of_its_own() -> None:
    got = _units(parse_text("db.txt", TXT_TITLED_THEN_QA))
    assert got == [
        ("topic", "What are indexes, and when would you use them?",
         ["Database indexes", "Indexes"], 3, 5),
        ("qa", "What is a covering index?", ["Database indexes", "What is a covering index?"],
         7, 8),
        ("qa", "When does the planner skip an index?",
         ["Database indexes", "When does the planner skip an index?"], 10, 12),
    ]  # fmt: skip
    # The titled paragraph's notes are its own: no answer of the Q: blocks is in them.
    sections = parse_text("db.txt", TXT_TITLED_THEN_QA)
    indexes = next(s for s in sections if s.heading_path[-1] == "Indexes")
    assert "covering" not in indexes.text and indexes.unit_id == indexes.id


FLASHCARDS_TXT = """\
Linux process flashcards

Front: What does fork() return in the child?
Back: Zero in the child and the child's pid in the parent, so one branch of code
can tell the two apart.

Front: What is a zombie process?
Back: A child that has exited but whose parent has not yet called wait() to read its
exit status; its entry stays in the process table until then.
"""


def test_front_and_back_flashcards_are_question_answer_pairs() -> None:
    sections = parse_text("cards.txt", FLASHCARDS_TXT)
    got = [(k, q, a, b) for k, q, _p, a, b in _units(sections)]
    assert got == [
        ("qa", "What does fork() return in the child?", 3, 5),
        ("qa", "What is a zombie process?", 7, 9),
    ]
    # "Back:" labels the answer; it is no word of it.
    assert answer_line("Back: Zero in the child").startswith("Zero in the child")
    md = FLASHCARDS_TXT.replace("Linux process flashcards", "# Linux process flashcards")
    _meta, md_sections, _ = parse_markdown("cards.md", md)
    assert [u[1] for u in _units(md_sections)] == [
        "What does fork() return in the child?",
        "What is a zombie process?",
    ]


CODE_QUESTIONS = """\
# Python

## What does `__init__` do in a package?

It marks a directory as a regular package and runs when the package is imported, so
it can set up the names that the package exports.

## Notes

**When is `yield from` better than a `for` loop over a generator?**

It also forwards send() and throw() to the inner generator and returns its value, which
a hand-written loop does not.

Q: Why does `is` differ from `==`?
A: `is` compares object identity while `==` calls the equality method and compares values.

- What does `*args` collect?
  The extra positional arguments, as a tuple inside the function.
"""


def test_questions_keep_their_code_spans() -> None:
    _meta, sections, _ = parse_markdown("py.md", CODE_QUESTIONS)
    assert [u[1] for u in _units(sections)] == [
        "What does `__init__` do in a package?",
        "When is `yield from` better than a `for` loop over a generator?",
        "Why does `is` differ from `==`?",
        "What does `*args` collect?",
    ]


GLOSSARY_OPS = """\
# Cluster operations

Kubernetes keeps its cluster state in etcd, and Kafka carries the events between
services. We deploy with git and keep every config in it.

| Term | Meaning |
| --- | --- |
| etcd | Consistent key-value store that holds the cluster state. |
| k8s | Short name of the container orchestrator. |
| Kafka | Partitioned, replicated log of events that consumers read at their pace. |
| git | Version control that stores snapshots of the tree. |
| Throughput | Requests served per second at a steady state. |
| Feedback | What a consumer sends back to slow a producer down. |
| Load balancer | Spreads requests across the healthy servers of a pool. |
"""


def test_generated_questions_read_naturally(tmp_path: Path) -> None:
    (tmp_path / "ops.md").write_text(GLOSSARY_OPS, encoding="utf-8")
    doc = load_corpus(tmp_path).documents[0]
    asked = [u.question for u in units_of(doc) if u.kind == "topic"]
    assert asked == [
        # A lower-case term no English word can be is a name: no article, its case kept.
        "What is etcd, and when would you use it?",
        "What is k8s, and when would you use it?",
        # The notes write it capitalised inside a sentence: a name.
        "What is Kafka, and when would you use it?",
        # The notes use it bare ("with git and ..."): no article.
        "What is git, and when would you use it?",
        # Nouns English does not count take no article.
        "What is throughput, and when would you use it?",
        "What is feedback, and when would you use it?",
        "What is a load balancer, and when would you use one?",
    ]


@pytest.mark.parametrize(
    ("title", "asked"),
    [
        ("systemd", "What is systemd, and when would you use it?"),
        ("npm", "What is npm, and when would you use it?"),
        ("mutex", "What is a mutex, and when would you use one?"),
        ("inode", "What is an inode, and when would you use one?"),
        ("Data", "What is data, and when would you use it?"),
        ("Page tables", "What are page tables, and when would you use them?"),
    ],
)
def test_topic_wording_of_names_plurals_and_mass_nouns(title: str, asked: str) -> None:
    assert topic_question(title, "") == asked


@pytest.mark.parametrize(
    ("question", "label"),
    [
        # A phrase ends before its adverb: no label cut from the middle of a sentence.
        ("Why would you run a batch job instead of a stream?", "batch job"),
        ("Why use a queue rather than a direct call?", "queue"),
        ("What happens when a job fails twice?", "job"),
        # "X differs from Y" compares two things.
        ("How is a process different from a thread?", "process vs thread"),
        # A code span is one name, kept as written.
        ("Why does `is` differ from `==`?", "is vs =="),
        ("What does `__init__` do in a package?", "__init__"),
        ("When is `yield from` better than a loop?", "yield from"),
    ],
)
def test_subject_labels_are_whole_names(question: str, label: str) -> None:
    assert subject_label(question) == label


K8S_SCHEDULING = """\
# Kubernetes operations

## Scheduling

The scheduler places each pending pod on a node that has enough free CPU and memory
for its requests, then filters nodes by taints, affinity and topology spread rules.

| Term | Meaning |
| --- | --- |
| Taint | A mark on a node that repels pods without a matching toleration. |
| Toleration | A pod's permission to land on a node with a matching taint. |

## Autoscaling

The horizontal pod autoscaler adds replicas when average CPU use stays above its
target, and the cluster autoscaler adds nodes when pods stay Pending.
"""


def test_a_heading_with_notes_of_its_own_stays_a_topic_beside_its_glossary(
    tmp_path: Path,
) -> None:
    (tmp_path / "k8s.md").write_text(K8S_SCHEDULING, encoding="utf-8")
    doc = load_corpus(tmp_path).documents[0]
    got = [(u.question, u.line_start, u.line_end) for u in units_of(doc)]
    assert got == [
        ("What is scheduling, and when would you use it?", 3, 11),
        ("What is a taint, and when would you use one?", 10, 10),
        # "-tion" nouns are mostly mass nouns, but the notes say "a matching toleration".
        ("What is a toleration, and when would you use one?", 11, 11),
        ("What is autoscaling, and when would you use it?", 13, 16),
    ]
    # A heading that only introduces its glossary is asked through the rows alone.
    bare = K8S_SCHEDULING.replace(
        "The scheduler places each pending pod on a node that has enough free CPU and memory\n"
        "for its requests, then filters nodes by taints, affinity and topology spread rules.\n",
        "Terms:\n",
    )
    (tmp_path / "k8s.md").write_text(bare, encoding="utf-8")
    doc = load_corpus(tmp_path).documents[0]
    assert "What is scheduling, and when would you use it?" not in [
        u.question for u in units_of(doc)
    ]


OS_EXPORT_HTML = """\
<!DOCTYPE html>
<html><head><title>Operating systems review</title></head>
<body>
<h1>Operating systems review</h1>
<h2>Memory</h2>
<details>
<summary>What is a page fault?</summary>
<p>A trap raised when a program touches a page that is not mapped in physical memory;
the kernel loads the page from disk or kills the process if the access was invalid.</p>
</details>
<details>
<summary>What does the TLB cache?</summary>
<p>Recent translations from virtual page numbers to physical frames, so most accesses
skip the walk through the <a href="https://example.org/page-table">page table</a>.</p>
</details>
<h2>Scheduling</h2>
<p>The fair scheduler keeps runnable tasks in a red-black tree ordered by virtual
runtime and always runs the task that has had the least CPU time so far.</p>
</body></html>
"""


def test_an_html_export_keeps_its_collapsible_questions(tmp_path: Path) -> None:
    from interviewer.documents import add_documents
    from interviewer.settings import load_settings

    corpus, inbox = tmp_path / "corpus", tmp_path / "inbox"
    corpus.mkdir()
    inbox.mkdir()
    (inbox / "os.html").write_text(OS_EXPORT_HTML, encoding="utf-8")
    add_documents(load_settings(corpus=corpus), [str(inbox / "os.html")])
    doc = load_corpus(corpus).documents[0]
    got = [(u.kind, u.question, u.uncertain) for u in units_of(doc)]
    assert got == [
        ("details", "What is a page fault?", None),
        ("details", "What does the TLB cache?", None),
        ("topic", "What is scheduling, and when would you use it?", None),
    ]
    tlb = next(s for s in doc.sections if s.question == "What does the TLB cache?")
    assert "[page table](https://example.org/page-table)" in tlb.text
    assert any(link.url == "https://example.org/page-table" for link in tlb.links)


CALLOUT_TITLE_ONLY = """\
# Distributed systems

> [!question] What is a quorum?

A majority of replicas that must acknowledge a write or answer a read, so that any
two quorums overlap in at least one replica that has the latest value.

> [!question] Why do leader elections need timeouts?

Without a timeout a follower cannot tell a dead leader from a slow one; randomised
timeouts also keep two candidates from splitting the vote forever.
"""


def test_a_question_callout_over_its_answer_is_answered() -> None:
    _meta, sections, _ = parse_markdown("dist.md", CALLOUT_TITLE_ONLY)
    got = [(k, q, a, b) for k, q, _p, a, b in _units(sections)]
    assert got == [
        ("details", "What is a quorum?", 3, 6),
        ("details", "Why do leader elections need timeouts?", 8, 11),
    ]
    assert not any(s.is_stub for s in sections if s.unit_kind)


SETEXT = """\
Concurrency notes
=================

Mutexes
-------

A mutex lets one thread at a time into a critical section; the others block until
the owner unlocks it, so shared data is never written by two threads at once.

What is a deadlock?
-------------------

Two or more threads each hold a lock the other needs and wait forever; ordering
lock acquisition globally prevents it.

- a list item
---
"""


def test_setext_headings_are_headings() -> None:
    _meta, sections, _ = parse_markdown("conc.md", SETEXT)
    got = [(k, q, p, a, b) for k, q, p, a, b in _units(sections)]
    assert got == [
        ("topic", "What are mutexes, and when would you use them?",
         ["Concurrency notes", "Mutexes"], 4, 8),
        ("heading", "What is a deadlock?", ["Concurrency notes", "What is a deadlock?"], 10, 17),
    ]  # fmt: skip
    # The underline is no text of the answer; a rule under a list item is no heading.
    deadlock = next(s for s in sections if s.unit_kind == "heading")
    assert deadlock.text.startswith("Two or more threads") and deadlock.first_body_line == 12
    assert len(sections) == 3


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("¿Qué hace el analizador léxico?", "analizador léxico"),
        ("¿Por qué se usa una representación intermedia?", "representación intermedia"),
    ],
)
def test_spanish_subject_labels_skip_the_verb(question: str, label: str) -> None:
    assert subject_label(question) == label


ANKI_TSV = (
    "What is a process?\tA running program with its own address space and open files.\n"
    "What is a thread?\tA unit of execution inside a process that shares its memory.\n"
    "What does the scheduler do?\tIt picks which runnable thread gets a CPU next.\n"
)

SRS_CARDS = """\
# Rust ownership #flashcards

What does the borrow checker enforce::One mutable reference or any number of shared ones.

What happens to a value when its owner goes out of scope?
?
Rust calls its drop function and frees its memory; no garbage collector is involved.

A path such as std::mem::swap names an item; How does std::mem::swap work? It swaps.
"""


def test_one_line_flashcards_are_units_each() -> None:
    got = [(k, q, a, b) for k, q, _p, a, b in _units(parse_text("cards.txt", ANKI_TSV))]
    assert got == [
        ("qa", "What is a process?", 1, 1),
        ("qa", "What is a thread?", 2, 2),
        ("qa", "What does the scheduler do?", 3, 3),
    ]
    # The card's question is no part of its answer.
    assert answer_line(ANKI_TSV.split("\n")[1]) == (
        "A unit of execution inside a process that shares its memory."
    )
    _meta, sections, _ = parse_markdown("rust.md", SRS_CARDS)
    units = [(k, q, a, b, s.uncertain) for s in sections if s.unit_kind
             for k, q, _p, a, b in [_units([s])[0]]]  # fmt: skip
    assert units == [
        ("qa", "What does the borrow checker enforce?", 3, 3, None),
        ("qa", "What happens to a value when its owner goes out of scope?", 5, 9, None),
    ]
    # "std::mem::swap" in a sentence is no card.
    assert answer_line(SRS_CARDS.split("\n")[-2]) == SRS_CARDS.split("\n")[-2]


DECORATED = """\
# 🧠 Databases

## 🔥 What is MVCC?

Each transaction reads a snapshot: writers create new row versions instead of
overwriting, so readers never block writers and old versions are vacuumed later.

## Q: Why are B-trees shallow?

Each node holds hundreds of keys, so even a billion rows need only three or four
levels and a lookup touches that many pages.

## Isolation levels ✅

| Level | What it prevents |
|-------|------------------|
| Read committed | Dirty reads: a query only sees committed rows. |
| Repeatable read | Non-repeatable reads: rows read twice look the same. |
| Serializable | Every anomaly: the result equals some serial order. |
"""


def test_decorated_headings_and_glossary_terms_are_asked_plainly() -> None:
    _meta, sections, _ = parse_markdown("db.md", DECORATED)
    asked = [(u[0], u[1]) for u in _units(sections)]
    assert asked == [
        # An emoji decorates the heading; it is no word of the question.
        ("heading", "What is MVCC?"),
        ("heading", "Why are B-trees shallow?"),
        # A glossary's term names a thing: "Read ..." is no imperative, and a term
        # that is an adjective or a participle takes no article.
        ("topic", "What is read committed, and when would you use it?"),
        ("topic", "What is a repeatable read, and when would you use one?"),
        ("topic", "What is serializable, and when would you use it?"),
    ]
    assert [subject_label(q) for _k, q in asked[:2]] == ["MVCC", "B-trees"]


K8S_MIXED = """\
# Kubernetes prep

- **Question:** What is a Pod?
  **Answer:** The smallest deployable unit: one or more containers that share a network
  namespace and volumes, scheduled together on one node.

1. Why run an init container?
   - it finishes before the app containers start
   - it can wait for a dependency or fetch config
2. What is a DaemonSet for?
   - one Pod on every node, for log shippers and node agents

### 3. Explain requests vs limits

Requests are what the scheduler reserves for a container; limits are the ceiling the
kubelet enforces, throttling CPU and killing the container when memory exceeds it.
"""


def test_a_sub_heading_that_asks_is_no_part_of_the_last_list_answer(tmp_path: Path) -> None:
    (tmp_path / "k8s.md").write_text(K8S_MIXED, encoding="utf-8")
    doc = load_corpus(tmp_path).documents[0]
    got = [(u.kind, u.question, u.line_start, u.line_end) for u in units_of(doc)]
    assert got == [
        ("qa", "What is a Pod?", 3, 5),
        ("list", "Why run an init container?", 7, 9),
        ("list", "What is a DaemonSet for?", 10, 11),
        ("heading", "Explain requests vs limits", 13, 16),
    ]
    # Each answer's sections are its own: the DaemonSet unit holds no line of the next.
    daemonset = next(u for u in units_of(doc) if "DaemonSet" in u.question)
    held = [s for s in doc.sections if s.id in daemonset.section_ids]
    assert all("scheduler" not in s.text for s in held)


REDES_CRLF_BOM = (
    "\ufeff---\r\ntitle: Redes\r\n---\r\n\r\nRedes de computadoras\r\n=====================\r\n\r\n"
    "## ¿Qué es una máscara de subred?\r\n\r\nIndica qué bits de la dirección IP son de red y "
    "cuáles de host; con /24 quedan ocho bits para hosts.\r\n\r\n## Enrutamiento\r\n\r\n"
    "Un router reenvía cada paquete según la entrada más específica de su tabla de rutas, la "
    "de prefijo más largo.\r\n"
)


def test_spanish_notes_with_a_bom_and_crlf_lines(tmp_path: Path) -> None:
    (tmp_path / "redes.md").write_bytes(REDES_CRLF_BOM.encode("utf-8"))
    doc = load_corpus(tmp_path).documents[0]
    assert doc.title == "Redes"
    got = [(u.kind, u.question, u.line_start, u.line_end) for u in units_of(doc)]
    assert got == [
        ("heading", "¿Qué es una máscara de subred?", 8, 10),
        ("topic", "Enrutamiento: ¿qué es y cuándo se usa?", 12, 14),
    ]
    # Our Spanish wording's tail is no part of the topic's label.
    assert [subject_label(q) for _k, q, _a, _b in got] == ["máscara de subred", "enrutamiento"]
    assert subject_label("¿Qué son los árboles B y cuándo se usan?") == "árboles B"


def test_spanish_question_and_glossary_tables() -> None:
    cards = (
        "# Fichas\n\n| Pregunta | Respuesta |\n|---|---|\n"
        "| ¿Qué es el GIL? | Un cerrojo que deja a un solo hilo ejecutar bytecode a la vez. |\n"
        "| ¿Para qué sirve un índice? | Para encontrar filas por clave sin leer la tabla. |\n"
    )
    _meta, sections, _ = parse_markdown("fichas.md", cards)
    assert [(u[0], u[1], u[3]) for u in _units(sections)] == [
        ("table", "¿Qué es el GIL?", 5),
        ("table", "¿Para qué sirve un índice?", 6),
    ]
    glossary = (
        "# Fichas\n\n| Término | Definición |\n|---|---|\n"
        "| GIL | Un cerrojo que deja a un solo hilo ejecutar bytecode a la vez. |\n"
        "| Índice | Estructura que encuentra filas por clave sin leer toda la tabla. |\n"
    )
    _meta, sections, _ = parse_markdown("glosario.md", glossary)
    assert [(u[0], u[2][-1]) for u in _units(sections)] == [("topic", "GIL"), ("topic", "Índice")]


DENSE_TXT = """\
Python interview prep
What is a generator?
A function that yields values one at a time and keeps its state between calls.
What does the GIL do?
It lets only one thread execute Python bytecode at a time in CPython.
Why are tuples hashable?
They are immutable, so their hash never changes while they sit in a dict or a set.
"""


def test_text_cards_without_blank_lines_are_units_each() -> None:
    sections = parse_text("py.txt", DENSE_TXT)
    assert [(u[1], u[3], u[4]) for u in _units(sections)] == [
        ("What is a generator?", 2, 3),
        ("What does the GIL do?", 4, 5),
        ("Why are tuples hashable?", 6, 7),
    ]
    assert sections[0].heading_path == ["Python interview prep"] and sections[0].level == 1
    # One question inside a paragraph is no card.
    prose = (
        "Caching\nReads look in memory first and go to the disk only on a miss.\n"
        "Why does that help?\nMemory answers in nanoseconds while a disk seek takes milliseconds.\n"
    )
    assert [u[1] for u in _units(parse_text("c.txt", prose))] == [
        "What is caching, and when would you use it?"
    ]


NUMBERED_AT_MARGIN = """\
# Compiladores

1. ¿Qué hace el analizador léxico?

Agrupa los caracteres del texto fuente en tokens y descarta espacios y comentarios.

2. ¿Por qué se usa una representación intermedia?

Separa el front end del back end, y las optimizaciones se escriben una sola vez.
"""


def test_numbered_questions_answered_at_the_margin_are_read_with_certainty() -> None:
    _meta, sections, _ = parse_markdown("comp.md", NUMBERED_AT_MARGIN)
    units = [s for s in sections if s.unit_kind]
    assert [(s.unit_kind, s.question, s.line_start, s.line_end, s.uncertain) for s in units] == [
        ("list", "¿Qué hace el analizador léxico?", 3, 5, None),
        ("list", "¿Por qué se usa una representación intermedia?", 7, 9, None),
    ]
    # One such question alone is still a doubtful reading.
    one = NUMBERED_AT_MARGIN.split("\n2.")[0]
    _meta, sections, _ = parse_markdown("comp.md", one)
    assert [s.uncertain for s in sections if s.unit_kind] == [
        "answer not indented under the list question"
    ]


def test_a_nested_answer_callout_header_is_no_words_of_the_answer() -> None:
    notes = (
        "# Raft\n\n> [!question] Why are terms numbered?\n> > [!success]- Answer\n"
        "> > Every message carries its term, so a stale leader learns it was replaced.\n"
    )
    _meta, sections, _ = parse_markdown("raft.md", notes)
    unit = next(s for s in sections if s.unit_kind)
    assert (unit.unit_kind, unit.question) == ("details", "Why are terms numbered?")
    lines = notes.split("\n")
    assert [answer_line(x) for x in lines[3:5]] == [
        "",
        "Every message carries its term, so a stale leader learns it was replaced.",
    ]
