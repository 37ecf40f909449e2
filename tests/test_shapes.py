"""More shapes of notes: question/answer tables, numbering headings over their
question, "Term: definition" headings, bold-label paragraphs as topics, and what counts
as a stub. Each is checked on a small notes file written here: the units found, their
line ranges, the chunks' boundaries and the key points."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.chunking import chunk_document
from interviewer.corpus import Document, is_stub_text, load_corpus
from interviewer.units import answer_line, split_term, units_of

TABLE = """\
# SQL revision

## Keys and joins

| # | Question | Answer |
|---|----------|--------|
| 1 | What is a primary key? | A column or set of columns that uniquely identifies a row. |
| 2 | What does a LEFT JOIN return? | Every left row, with matching right rows or NULLs. |
| 3 | Explain normalization | Splitting tables so that each fact is stored once. |

## Isolation

| Isolation | |
|---|---|
| What does READ COMMITTED prevent? | Dirty reads: no transaction sees uncommitted writes. |
| What anomaly does SERIALIZABLE remove? | Every anomaly: the outcome equals a serial order. |

## Plain table

| Level | Dirty read | Phantom |
|---|---|---|
| Read committed | no | yes |
| Serializable | no | no |

Isolation levels trade consistency against concurrency; higher levels lock or abort more.

## Reading list

| Question | Reference(s) |
|---|---|
| How does MVCC work? | [postgres docs](https://example.org/mvcc) |
| How does a B-tree split? | [a blog post](https://example.org/btree) |
"""

NUMBERED = """\
# Operating systems

### Q1
What is a context switch?

The kernel saves the registers and program counter of the running task and loads
another task's, switching page tables when the tasks are different processes.

### 12.
**Why can a spinlock waste CPU time?**

A waiting thread keeps looping on the lock instead of sleeping, burning cycles that
the lock holder could have used.

### Question 3

Q: What is thrashing?
A: The system spends its time paging in and out instead of running work, because the
working sets do not fit in memory.

### 4
A note with no question at all, just a remark about schedulers and their queues here.
"""

TERMS = """\
# Networking

## TCP: reliable, ordered delivery

Connections open with a three-way handshake; lost segments are retransmitted and
the receiver reorders segments by sequence number before handing them up.

## UDP - connectionless datagrams

No handshake, no retransmission and no ordering: each datagram stands alone, which
suits DNS lookups, games and live media.

## Reading list: further material

Links to the books and the talks that explain transport protocols in some depth.
"""

LABELS = """\
# Networking

## Transport protocols

**TCP**: a connection-oriented protocol that retransmits lost segments and keeps order.

**UDP**: a connectionless protocol that sends datagrams with no delivery guarantee.

**QUIC:** a transport over UDP with built-in TLS and streams that do not block each other.

## Congestion control

Congestion control keeps senders from overwhelming the network: the sender keeps a
window of data in flight and adapts it to the losses and delays it sees.

**Slow start**: the window doubles every round trip until the first loss.

**Congestion avoidance**: past the threshold the window grows by one segment a round trip.
"""


def load(tmp: Path, name: str, text: str) -> Document:
    (tmp / name).write_text(text, encoding="utf-8")
    return next(d for d in load_corpus(tmp).documents if d.source == name)


def spans(doc: Document) -> list[tuple[str, str, int, int]]:
    return [(u.kind, u.question, u.line_start, u.line_end) for u in units_of(doc)]


def test_question_answer_tables(tmp_path: Path) -> None:
    doc = load(tmp_path, "sql.md", TABLE)
    got = [u for u in spans(doc) if u[0] == "table"]
    assert got == [
        ("table", "What is a primary key?", 7, 7),
        ("table", "What does a LEFT JOIN return?", 8, 8),
        ("table", "Explain normalization", 9, 9),
        ("table", "What does READ COMMITTED prevent?", 15, 15),
        ("table", "What anomaly does SERIALIZABLE remove?", 16, 16),
    ]
    # A table with no question column is text of its section; a table whose answers
    # are only links is a reading list, named in the shape notes, not asked.
    assert not any("Read committed" in q or "MVCC" in q for _, q, _, _ in spans(doc))
    assert any("table of 2 questions" in n.reason for n in doc.shape_notes)
    plain = next(s for s in doc.sections if s.heading_path[-1] == "Plain table")
    assert "trade consistency" in plain.text and plain.unit_kind is not None
    # The answer of a row is its answer cell, not the question nor the numbering.
    by_q = {s.question: s for s in doc.sections if s.unit_kind == "table"}
    key = by_q["What is a primary key?"]
    assert key.text.startswith("A column or set of columns")
    assert "?" not in key.text and "| 1 |" not in key.text
    assert not key.is_stub


def test_table_rows_are_chunks_and_key_points_of_their_own(tmp_path: Path) -> None:
    from interviewer.grading.bank import build_bank

    doc = load(tmp_path, "sql.md", TABLE)
    units = {u.id: u for u in units_of(doc)}
    chunks = [c for c in chunk_document(doc) if c.unit_kind == "table"]
    assert len(chunks) == 5
    for chunk in chunks:
        unit = units[chunk.unit_id or ""]
        assert (chunk.line_start, chunk.line_end) == (unit.line_start, unit.line_end)
    join = next(c for c in chunks if c.question == "What does a LEFT JOIN return?")
    assert "NULLs" in join.text and "primary key" not in join.text
    bank, _ = build_bank([doc])
    q = next(q for q in bank.questions if q.text == "What is a primary key?")
    texts = [k.text for k in q.key_points]
    assert any("uniquely identifies" in t for t in texts)
    assert not any("LEFT JOIN" in t or "primary key?" in t for t in texts)
    assert all(k.citation.line_start == 7 for k in q.key_points)
    # An imperative question cell ("Explain ...") is dropped from its row's answer too.
    assert answer_line("| 3 | Explain normalization | Splitting tables apart. |") == (
        "Splitting tables apart."
    )
    # An ordinary table row reads as written.
    assert answer_line("| Serializable | no | no |") == "| Serializable | no | no |"


def test_numbering_headings_over_their_question(tmp_path: Path) -> None:
    doc = load(tmp_path, "os.md", NUMBERED)
    assert spans(doc) == [
        ("heading", "What is a context switch?", 3, 7),
        ("heading", "Why can a spinlock waste CPU time?", 9, 13),
        ("heading", "What is thrashing?", 15, 19),
    ]
    ctx = next(s for s in doc.sections if s.question == "What is a context switch?")
    # The answer starts below the question line; the question is not its own answer.
    assert ctx.first_body_line == 5 and ctx.text.startswith("The kernel saves")
    assert not ctx.is_stub
    chunks = chunk_document(doc)
    ctx_chunks = [c for c in chunks if c.unit_id == ctx.id]
    assert ctx_chunks and all("spinlock" not in c.text for c in ctx_chunks)
    # "### 4" over a remark asks nothing: no unit, no topic named "4".
    assert not any(u.heading_path[-1] == "4" for u in units_of(doc))
    # The question, not its number, names the unit where it is cited.
    assert ctx.heading_path == ["Operating systems", "What is a context switch?"]


def test_term_definition_headings_are_topics_named_by_the_term(tmp_path: Path) -> None:
    doc = load(tmp_path, "net.md", TERMS)
    assert spans(doc) == [
        ("topic", "What is TCP, and when would you use it?", 3, 6),
        ("topic", "What is UDP, and when would you use it?", 8, 11),
    ]
    assert split_term("TCP: reliable, ordered delivery") == ("TCP", "reliable, ordered delivery")
    assert split_term("Step 2: Create a high level design") is None  # numbering
    assert split_term("Disadvantages: replication") is None  # an aspect
    assert split_term("Coding resource: Interactive Challenges") is None  # a title
    assert split_term("What is TCP: a question?") is None
    assert split_term("Kubernetes: Pods") is None  # a name, not a description


def test_bold_label_paragraphs_are_topics_unless_they_structure_an_answer(
    tmp_path: Path,
) -> None:
    from interviewer.grading.bank import build_bank

    doc = load(tmp_path, "net.md", LABELS)
    got = spans(doc)
    assert got[:3] == [
        ("topic", "What is TCP, and when would you use it?", 5, 5),
        ("topic", "What is UDP, and when would you use it?", 7, 7),
        ("topic", "What is QUIC, and when would you use it?", 9, 9),
    ]
    # The heading that holds them is asked through them, not as a topic too.
    assert not any("transport protocols" in q.lower() for _, q, _, _ in got)
    # Under a heading with notes of its own, the labels name parts of its answer.
    [(kind, question, start, end)] = got[3:]
    assert (kind, start, end) == ("topic", 11, 18) and "congestion control" in question
    bank, _ = build_bank([doc])
    cc = next(q for q in bank.questions if "congestion control" in q.text)
    assert {"Slow start", "Congestion avoidance"} <= {k.text for k in cc.key_points}
    quic = next(s for s in doc.sections if s.question and "QUIC" in s.question)
    assert quic.text.startswith("a transport over UDP")
    chunks = [c for c in chunk_document(doc) if c.unit_id == quic.id]
    assert chunks and all("datagrams" not in c.text for c in chunks)


@pytest.mark.parametrize(
    "text",
    [
        "A primary key uniquely identifies a row.",
        "The kernel picks the next runnable task.",
        "- Dirty reads, lost updates and phantoms",
        "Balanced binary search tree",
        "Each datagram stands alone ([RFC 768](https://example.org/rfc768)).",
    ],
)
def test_short_real_answers_are_not_stubs(text: str) -> None:
    assert not is_stub_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "TODO",
        "tbd",
        "TBD.",
        "- **todo**",
        "add notes",
        "Add more notes here later",
        "...",
        "…",
        "?",
        "Coming soon!",
        "N/A",
        "[Wikipedia](https://en.wikipedia.org/wiki/Deadlock)",
        "https://example.org/deadlock",
        "See [the docs](https://example.org/docs) for more",
        "I think it is the scheduler?",
        "Mutual exclusion, hold and wait, ...",
        "I need to review this",
    ],
)
def test_placeholders_are_stubs(text: str) -> None:
    assert is_stub_text(text)


def test_a_short_answer_makes_its_unit_real(tmp_path: Path) -> None:
    doc = load(
        tmp_path,
        "db.md",
        "# Databases\n\n## What is a primary key?\n\nA primary key uniquely identifies a row.\n\n"
        "## What is a foreign key?\n\nTODO\n\n## What is a surrogate key?\n\n"
        "[see here](https://example.org/surrogate)\n",
    )
    stubs = {u.question: u.is_stub for u in units_of(doc)}
    assert stubs == {
        "What is a primary key?": False,
        "What is a foreign key?": True,
        "What is a surrogate key?": True,
    }


def test_a_numbered_part_over_several_questions_stays_a_part(tmp_path: Path) -> None:
    doc = load(
        tmp_path,
        "os.md",
        "# OS\n\n## Part 2\n\n**What is a semaphore?**\n\nA counter that threads wait on "
        "and signal.\n\n**What is a monitor?**\n\nA lock with condition variables "
        "bundled around shared data.\n",
    )
    assert spans(doc) == [
        ("bold", "What is a semaphore?", 5, 7),
        ("bold", "What is a monitor?", 9, 11),
    ]


def test_a_table_without_outer_pipes_and_with_line_breaks(tmp_path: Path) -> None:
    doc = load(
        tmp_path,
        "net.md",
        "# Networking\n\nQ | A\n--- | ---\nWhat does ARP resolve? | An IP address to a MAC "
        "address<br>on the local link.\nWhy does DNS use UDP? | Queries are small and one "
        "round trip<br>is enough; TCP is the fallback.\n",
    )
    assert spans(doc) == [
        ("table", "What does ARP resolve?", 5, 5),
        ("table", "Why does DNS use UDP?", 6, 6),
    ]
    arp = next(s for s in doc.sections if s.question == "What does ARP resolve?")
    assert arp.text == "An IP address to a MAC address\non the local link."
    assert answer_line(doc.path.read_text().split("\n")[4]) == (
        "An IP address to a MAC address on the local link."
    )


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("What is a primary key?", "primary key"),
        ("What is a data type in SQL?", "data type"),
        ("Why is the entry point of a program called first?", "entry point"),
        ("What is the difference between a primary key and a foreign key?",
         "primary key vs foreign key"),
        ("What are random forests main advantages?", "random forests"),
    ],
)
def test_a_hollow_noun_can_end_a_subject(question: str, label: str) -> None:
    from interviewer.subjects import subject_label

    assert subject_label(question) == label


def test_a_label_alone_on_its_line_opens_a_topic(tmp_path: Path) -> None:
    doc = load(
        tmp_path,
        "os.md",
        "# Scheduling\n\n**Round robin**\n\nEach runnable task gets the CPU for one time "
        "slice in turn.\n\n**Shortest job first:**\n\nThe task with the least remaining "
        "work runs next, which starves long jobs.\n",
    )
    got = spans(doc)
    assert [(k, a, b) for k, _, a, b in got] == [("topic", 3, 5), ("topic", 7, 9)]
    assert "round robin" in got[0][1] and "shortest job first" in got[1][1]
    rr = next(s for s in doc.sections if s.question and "round robin" in s.question)
    assert rr.first_body_line == 4 and rr.text.startswith("Each runnable task")


def test_text_after_a_question_table_is_no_rows_answer(tmp_path: Path) -> None:
    doc = load(
        tmp_path,
        "sql.md",
        "# SQL\n\n## Keys\n\n| Question | Answer |\n|---|---|\n| What is a primary key? | "
        "A column that uniquely identifies a row. |\n| What is a foreign key? | A column "
        "that refers to the primary key of another table. |\n\nBoth are constraints the "
        "database checks on every insert and update of the table.\n",
    )
    assert spans(doc) == [
        ("table", "What is a primary key?", 7, 7),
        ("table", "What is a foreign key?", 8, 8),
    ]
    tail = next(s for s in doc.sections if s.line_start == 10)
    assert tail.unit_kind is None and tail.unit_id is None
    assert tail.text.startswith("Both are constraints")
    chunks = chunk_document(doc)
    fk = [c for c in chunks if c.question == "What is a foreign key?"]
    assert fk and all("constraints" not in c.text for c in fk)
    assert any("constraints" in c.text and c.unit_id is None for c in chunks)
