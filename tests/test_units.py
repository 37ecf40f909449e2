"""Question/answer units from notes of every common shape: which units are found,
their kinds and line ranges, the chunks' boundaries, the key points their structure
gives, topic wording and topic labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer.chunking import chunk_document
from interviewer.corpus import load_corpus, parse_markdown, parse_text
from interviewer.subjects import subject_label
from interviewer.units import topic_question, units_of
from tests.conftest import SHARED

SQL = """\
# SQL interview notes

## Filtering

**What is the difference between WHERE and HAVING?**

WHERE filters rows before grouping; it cannot use aggregate functions.
HAVING filters groups after GROUP BY and can use aggregates such as COUNT or SUM.

**Why would a query with a correlated subquery be slow?**
The subquery runs once per row of the outer query, so the cost grows with the
number of outer rows; a join or a window function usually avoids it.

## Joins

__What does a LEFT JOIN return?__

Every row of the left table, with the matching rows of the right table, and
NULLs where the right table has no match.

**Q:** What is an index and when does it not help?
**A:** A B-tree (or hash) structure that lets the database find rows without a
full scan. It does not help on tiny tables, on low-selectivity columns, or when
the query wraps the column in a function.
"""

OS = """\
# Operating systems

1. What is the difference between a process and a thread?
   A process has its own address space; threads of one process share memory,
   file descriptors and code, and each has its own stack and registers.
2. What is a context switch?
   Saving the state of the running task and loading another's: registers,
   program counter, and for processes the page tables, which flushes the TLB.

- Why can a deadlock happen?
    Four conditions hold together: mutual exclusion, hold and wait, no
    preemption and circular wait. Breaking any one of them prevents deadlock.

Q: What does virtual memory give a program?
A: Each process sees its own large contiguous address space; pages are mapped
to physical frames on demand and can be swapped to disk.

Q: What is thrashing?
A: The system spends most of its time paging in and out because the working
sets of the running processes do not fit in memory.

## Questions to ask the interviewer

- How big is the team?
- How do you deploy to production?
- What does on-call look like?
"""

DESIGN = """\
# System design

<details>
<summary>What is consistent hashing?</summary>

Keys and servers are placed on a ring; each key goes to the next server
clockwise, so adding or removing a server only moves the keys of one arc.

</details>

<details><summary><b>Why put a CDN in front of static assets?</b></summary>
It serves files from edge locations close to users, which cuts latency and
takes load off the origin servers.
</details>

> [!question] What is a write-ahead log?
> Every change is appended to a durable log before it is applied, so that
> after a crash the database can replay the log and recover committed work.

> [!faq]- When would you shard a database?
> When one machine cannot hold the data or serve the write load; each shard
> holds a subset of the keys, at the cost of cross-shard queries and rebalancing.

## Load balancer

A load balancer spreads incoming requests across several servers so that no
single server is overwhelmed, and it stops sending traffic to unhealthy ones.

### Disadvantages

* It can become a bottleneck or a single point of failure if not replicated.
* It adds configuration complexity and one more component to operate.

## Message queues

Producers put messages on a queue and consumers take them off at their own pace,
which decouples the two sides and absorbs bursts of load.

## Source(s) and further reading

* [Load balancing explained in depth](https://example.org/lb)
* [Queues and back pressure in practice](https://example.org/q)
"""

PAGING = """\
# Memory management

## How does the kernel choose a page to evict?

When memory is full, the kernel evicts a page chosen by its replacement policy.

### FIFO

The oldest page goes first. It is simple, but it can evict a page that is in
constant use, and more frames can even mean more faults.

#### Disadvantages of FIFO

* It ignores how often a page is used.

### Least recently used

The page unused for the longest time goes first; it approximates the optimal
policy well but needs hardware help to track every access.

### Clock

Pages sit on a circle with a reference bit; the hand clears set bits and evicts
the first page whose bit is already clear, a cheap approximation of LRU.

## What are the parts of a page table entry?

* **Frame number**: where the page lives in physical memory.
* **Present bit**: whether the page is in memory at all.
* **Dirty bit**: whether the page was written since it was loaded.
"""


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def units_in(tmp: Path, name: str, text: str) -> list:
    write(tmp, name, text)
    docs = load_corpus(tmp).documents
    doc = next(d for d in docs if d.source == name)
    return units_of(doc)


def test_bold_and_qa_questions_under_topic_headings(tmp_path: Path) -> None:
    units = units_in(tmp_path, "sql.md", SQL)
    got = [(u.kind, u.question, u.line_start, u.line_end) for u in units]
    assert got == [
        ("bold", "What is the difference between WHERE and HAVING?", 5, 8),
        ("bold", "Why would a query with a correlated subquery be slow?", 10, 12),
        ("bold", "What does a LEFT JOIN return?", 16, 19),
        ("qa", "What is an index and when does it not help?", 21, 24),
    ]
    assert units[0].heading_path == [
        "SQL interview notes",
        "Filtering",
        "What is the difference between WHERE and HAVING?",
    ]
    # The headings that hold explicit questions are not asked again as topics.
    assert not any(u.kind == "topic" for u in units)


def test_list_and_qa_pairs_and_a_list_of_bare_questions(tmp_path: Path) -> None:
    units = units_in(tmp_path, "os.md", OS)
    got = [(u.kind, u.question, u.line_start, u.line_end) for u in units]
    assert got == [
        ("list", "What is the difference between a process and a thread?", 3, 5),
        ("list", "What is a context switch?", 6, 8),
        ("list", "Why can a deadlock happen?", 10, 12),
        ("qa", "What does virtual memory give a program?", 14, 16),
        ("qa", "What is thrashing?", 18, 20),
    ]
    # Three questions in a row with no answers are a list the notes hold, not units.
    assert not any("team" in u.question for u in units)
    doc = load_corpus(tmp_path).documents[0]
    assert any("without answers" in n.reason for n in doc.shape_notes)


def test_details_callouts_topics_and_aspects(tmp_path: Path) -> None:
    units = units_in(tmp_path, "design.md", DESIGN)
    got = [(u.kind, u.question, u.line_start, u.line_end) for u in units]
    assert got[:4] == [
        ("details", "What is consistent hashing?", 3, 9),
        ("details", "Why put a CDN in front of static assets?", 11, 14),
        ("details", "What is a write-ahead log?", 16, 18),
        ("details", "When would you shard a database?", 20, 22),
    ]
    topics = {u.question: u for u in units if u.kind == "topic"}
    assert set(topics) == {
        "What is a load balancer, and when would you use one?",
        "What are message queues, and when would you use them?",
    }
    # The aspect sub-heading is part of the topic's answer, not a topic of its own.
    lb = topics["What is a load balancer, and when would you use one?"]
    assert (lb.line_start, lb.line_end) == (24, 32)
    assert len(lb.section_ids) == 2


def test_chunks_never_span_two_units_and_carry_their_unit(tmp_path: Path) -> None:
    for name, text in (("sql.md", SQL), ("os.md", OS), ("design.md", DESIGN)):
        write(tmp_path, name, text)
    for doc in load_corpus(tmp_path).documents:
        units = units_of(doc)
        by_id = {u.id: u for u in units}
        chunks = chunk_document(doc, chunk_size=64, chunk_overlap=8)
        for chunk in chunks:
            inside = [u for u in units if u.line_start <= chunk.line_start <= u.line_end]
            if chunk.unit_id is None:
                continue
            unit = by_id[chunk.unit_id]
            # The chunk lies within its unit's lines, and no other unit starts inside it.
            assert unit.line_start <= chunk.line_start <= chunk.line_end <= unit.line_end
            starts = [u for u in units if chunk.line_start < u.line_start <= chunk.line_end]
            assert not starts, (chunk.text, [u.question for u in starts])
            assert chunk.question == unit.question
            assert chunk.chroma_metadata()["unit_id"] == unit.id
            assert unit in inside
        asked = {c.unit_id for c in chunks if c.unit_id}
        assert asked == {u.id for u in units}


def test_a_long_answer_is_split_inside_its_unit(tmp_path: Path) -> None:
    long_answer = " ".join(
        f"Sentence {i} says that the scheduler picks the next runnable task fairly."
        for i in range(60)
    )
    text = (
        f"# OS\n\n**How does a scheduler work?**\n\n{long_answer}\n\n**What is a zombie?**\n\n"
        "A finished process whose parent has not waited for it yet.\n"
    )
    write(tmp_path, "long.md", text)
    doc = load_corpus(tmp_path).documents[0]
    chunks = chunk_document(doc, chunk_size=64, chunk_overlap=8)
    first = [c for c in chunks if c.question == "How does a scheduler work?"]
    assert len(first) > 1
    assert all("zombie" not in c.text for c in first)


def test_text_files_read_like_markdown(tmp_path: Path) -> None:
    text = (
        "Networking notes\n\n"
        "What is the difference between TCP and UDP?\n"
        "TCP is connection-oriented and reliable, with ordering and retransmission;\n"
        "UDP sends datagrams with no delivery or ordering guarantee.\n\n"
        "Q: Why does DNS mostly use UDP?\n"
        "A: Queries are small and a lost one is simply retried, so the cost of\n"
        "a TCP handshake would dominate.\n\n"
        "Subnetting\n"
        "A subnet mask splits an address into network and host bits; a /24 leaves\n"
        "eight bits for hosts, so 254 usable addresses on the network.\n"
    )
    sections = parse_text("net.txt", text)
    units = [(s.unit_kind, s.question, s.line_start, s.line_end) for s in sections if s.unit_kind]
    assert units == [
        ("heading", "What is the difference between TCP and UDP?", 3, 5),
        ("qa", "Why does DNS mostly use UDP?", 7, 9),
        ("topic", "What is subnetting, and when would you use it?", 11, 13),
    ]


def test_headings_that_ask_keep_their_sub_headings_as_answer() -> None:
    _meta, sections, _ = parse_markdown("paging.md", PAGING)
    kinds = {s.heading_path[-1]: s.unit_kind for s in sections}
    assert kinds["How does the kernel choose a page to evict?"] == "heading"
    assert kinds["FIFO"] is None and kinds["Clock"] is None
    owner = next(
        s for s in sections if s.heading_path[-1] == "How does the kernel choose a page to evict?"
    )
    assert {s.unit_id for s in sections if s.heading_path[-1] in ("FIFO", "Clock")} == {owner.id}


def test_sub_heading_and_label_names_are_key_points(tmp_path: Path) -> None:
    from interviewer.grading.bank import build_bank

    write(tmp_path, "paging.md", PAGING)
    bank, _ = build_bank(load_corpus(tmp_path).documents)
    evict = next(q for q in bank.questions if q.text.startswith("How does the kernel"))
    top = sorted(evict.key_points, key=lambda k: -k.importance)[:3]
    assert {k.text for k in top} == {"FIFO", "Least recently used", "Clock"}
    fifo = next(k for k in evict.key_points if k.text == "FIFO")
    assert (fifo.citation.line_start, fifo.citation.line_end) == (7, 14)
    # The body under a name is its detail: kept, below the names.
    detail = next(k for k in evict.key_points if k.text.startswith("It is simple"))
    assert detail.importance < fifo.importance
    entry = next(q for q in bank.questions if q.text.startswith("What are the parts"))
    names = {k.text for k in entry.key_points}
    assert {"Frame number", "Present bit", "Dirty bit"} <= names


@pytest.mark.parametrize(
    ("heading", "question"),
    [
        ("Load balancer", "What is a load balancer, and when would you use one?"),
        ("Message queues", "What are message queues, and when would you use them?"),
        ("Sharding", "What is sharding, and when would you use it?"),
        ("CAP theorem", "What is the CAP theorem, and when would you use it?"),
        ("Inverted index", "What is an inverted index, and when would you use one?"),
        ("Tune the query cache", "How would you tune the query cache?"),
        ("Mutex vs semaphore", "How do mutex and semaphore differ?"),
        ("SQL or NoSQL", "When would you choose SQL or NoSQL?"),
        ("Service Discovery", "What is a service discovery, and when would you use one?"),
    ],
)
def test_topic_wording(heading: str, question: str) -> None:
    assert topic_question(heading) == question


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("What is the difference between WHERE and HAVING?", "WHERE vs HAVING"),
        ("Explain RandomForests", "random forests"),
        ("What is a load balancer, and when would you use one?", "load balancer"),
        ("How would you tune the query cache?", "query cache"),
        ("Why can a deadlock happen?", "deadlock"),
        ("When would you choose SQL or NoSQL?", "SQL vs NoSQL"),
        ("How does a page table work?", "page table"),
        ("Compare processes and threads.", "processes vs threads"),
        ("Epoch vs. Batch vs. Iteration.", "epoch vs batch vs iteration"),
        ("How would you explain to a manager how to read a p-value?", "p-value"),
        ("What is the significance of residual networks?", "residual networks"),
        ("How to deal with an imbalanced data set", "imbalanced data set"),
        ("Let’s say you want to pick a threshold for a classifier.", "threshold"),
        ("In the model we built, what would you look for?", "model"),
    ],
)
def test_topic_labels_are_the_subject(question: str, label: str) -> None:
    assert subject_label(question) == label


# ---- other people's notes -------------------------------------------------------------


@pytest.fixture(scope="module")
def primer() -> list:
    path = SHARED / "corpora" / "system-design-primer.md"
    if not path.is_file():
        pytest.skip("shared corpora not present")
    _meta, sections, _ = parse_markdown(path.name, path.read_text(encoding="utf-8"))
    return sections


def test_primer_topics_are_askable(primer: list) -> None:
    asked = {s.heading_path[-1]: s for s in primer if s.unit_kind}
    for topic in ("Load balancer", "CAP theorem", "Sharding", "Message queues", "Database"):
        assert topic in asked, topic
    assert asked["Load balancer"].question == "What is a load balancer, and when would you use one?"
    assert asked["When to update the cache"].unit_kind == "heading"
    kinds = {s.unit_kind for s in primer if s.unit_kind}
    assert {"topic", "heading", "qa"} <= kinds
    # Containers and aspects are never asked.
    for name in (
        "Source(s) and further reading",
        "Disadvantage(s): cache",
        "Index of system design topics",
    ):
        assert name not in asked


def test_mlquestions_gives_its_numbered_questions() -> None:
    path = SHARED / "corpora" / "mlquestions-65.md"
    if not path.is_file():
        pytest.skip("shared corpora not present")
    _meta, sections, _ = parse_markdown(path.name, path.read_text(encoding="utf-8"))
    asked = [s for s in sections if s.unit_kind == "heading"]
    assert 65 <= len(asked) <= 70
    assert asked[0].question == "What's the trade-off between bias and variance?"


def test_primer_cache_update_is_graded_on_the_four_strategies(tmp_path: Path) -> None:
    from interviewer.grading import Grader
    from interviewer.settings import load_settings

    path = SHARED / "corpora" / "system-design-primer.md"
    if not path.is_file():
        pytest.skip("shared corpora not present")
    corpus = tmp_path / "primer"
    corpus.mkdir()
    (corpus / path.name).write_bytes(path.read_bytes())
    grader = Grader.open(load_settings(corpus=corpus, use_llm=False))
    q = grader.find_question("When to update the cache")
    assert q is not None
    top = sorted(q.key_points, key=lambda k: -k.importance)[:4]
    assert {k.text for k in top} == {
        "Cache-aside",
        "Write-through",
        "Write-behind (write-back)",
        "Refresh-ahead",
    }
    full = grader.grade(
        q,
        "Cache-aside: the application reads the cache and on a miss loads from the database. "
        "Write-through: every write goes to the cache, which writes synchronously to the "
        "store. Write-behind (write-back): writes go to the cache and reach the store "
        "asynchronously. Refresh-ahead: the cache refreshes hot entries before they expire.",
    )
    vague = grader.grade(q, "You should update the cache when the data changes.")
    assert full.score > vague.score + 3
    missed = {p.text for p in vague.missed}
    assert {"Cache-aside", "Write-through"} <= missed
    assert all(p.citation and p.citation.source == path.name for p in vague.missed)


def test_questions_command_lists_units_as_json(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from interviewer.cli import app

    corpus = tmp_path / "notes"
    corpus.mkdir()
    write(corpus, "sql.md", SQL)
    write(corpus, "design.md", DESIGN)
    result = CliRunner().invoke(app, ["questions", "--corpus", str(corpus), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {r["kind"] for r in rows} == {"bold", "qa", "details", "topic"}
    where = next(
        r for r in rows if r["question"].startswith("What is the difference between WHERE")
    )
    assert where["source"] == "sql.md" and (where["line_start"], where["line_end"]) == (5, 8)
    assert where["topic"] == "WHERE vs HAVING" and where["key_points"] >= 2
    assert not where["is_stub"]
    for key in ("id", "question", "kind", "source", "heading", "line_start", "line_end", "is_stub"):
        assert all(key in r for r in rows)
    only = CliRunner().invoke(app, ["questions", "--corpus", str(corpus), "--json", "-t", "queues"])
    assert [r["question"] for r in json.loads(only.stdout)] == [
        "What are message queues, and when would you use them?"
    ]
    missing = CliRunner().invoke(app, ["questions", "--corpus", str(corpus), "-t", "kubernetes"])
    assert missing.exit_code != 0


def test_questions_command_counts_in_words(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from interviewer.cli import app

    corpus = tmp_path / "notes"
    corpus.mkdir()
    qa = "Q: What is precision?\nA: The share of predicted positives that are really positive."
    write(corpus, "n.md", qa + " TP / (TP + FP).\n")
    result = CliRunner().invoke(app, ["questions", "--corpus", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "1 key point " in result.stdout and "1 key points" not in result.stdout
    assert "1 question (1 qa)" in result.stdout and "1 questions" not in result.stdout


def test_plain_lines_that_ask_are_questions_marked_uncertain(tmp_path: Path) -> None:
    text = (
        "# Locks\n\n"
        "What is a mutex?\n\n"
        "A lock that only its owner can release; one thread at a time holds it.\n\n"
        "Why can a spinlock waste CPU?\n"
        "It busy-waits instead of sleeping, burning cycles while the holder runs.\n\n"
        "Is this worth it? We will see, said nobody in these notes about locking.\n"
    )
    units = units_in(tmp_path, "locks.md", text)
    got = [(u.kind, u.question, u.line_start, u.line_end, u.uncertain is not None) for u in units]
    assert got == [
        ("qa", "What is a mutex?", 3, 5, True),
        ("qa", "Why can a spinlock waste CPU?", 7, 10, True),
    ]


@pytest.mark.parametrize(
    ("heading", "asks"),
    [
        ("Reverse a linked list", True),
        ("Design Mint.com", True),
        ("Find the median of two sorted arrays", True),
        ("Reverse proxy (web server)", False),
        ("Name resolution", False),
        ("What is a reverse proxy?", True),
    ],
)
def test_task_headings_need_an_object(heading: str, asks: bool) -> None:
    from interviewer.corpus import looks_like_question

    assert looks_like_question(heading) is asks


def test_an_unknown_topic_reads_the_same_in_questions_and_interview(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    corpus = tmp_path / "notes"
    corpus.mkdir()
    write(corpus, "design.md", DESIGN)
    env = {**os.environ, "COLUMNS": "400"}
    lines = []
    for command in (["questions"], ["interview", "--no-llm"]):
        proc = subprocess.run(
            [sys.executable, "-m", "interviewer", *command, "--corpus", str(corpus), "-t", "zzqx"],
            capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 1, proc.stderr
        lines.append(next(line for line in proc.stderr.splitlines() if "zzqx" in line))
    assert lines[0] == lines[1] and lines[0].startswith("error: no questions for topic zzqx;")
