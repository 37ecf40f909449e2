"""Shapes of notes a new user brings, in subjects no fixture holds: bold-label list items
and glossary tables as topics, "Category: Name" headings, headings that only file
topics, topic wording taken from the notes' own use of a name, subject labels, HTML
definition lists. Each is checked on small notes written here (cloud, security,
algorithms, analytics, compilers): units, line ranges, kinds, chunks, key points and
wording."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.chunking import chunk_document
from interviewer.corpus import Document, load_corpus
from interviewer.subjects import subject_label
from interviewer.units import answer_line, split_category, topic_question, units_of

LABEL_ITEMS = """\
# Web security

## Attacks

- **XSS** — injected script runs in other users' pages; encode output and set a CSP.
- **CSRF**: the victim's browser sends a forged request; use tokens and SameSite cookies.
- **Clickjacking** - a page is framed under a decoy; forbid framing with a header.

## Transport security

Transport security starts with a handshake that agrees on keys and checks a
certificate chain against trusted roots before any data is sent.

- **Pros**: every byte is encrypted and authenticated.
- **Cons**: the handshake adds a round trip.
"""

GLOSSARY = """\
# Deployment notes

## Glossary

| Term | Meaning |
|------|---------|
| Canary release | A new version reaches a small share of users first. |
| Rollback | Returning to the previous version when errors rise. |
| SLO | The target level of reliability a service promises. |

## Comparison

| Feature | Blue-green | Canary |
|---|---|---|
| Cost | two full stacks | one stack |
| Risk | all at once | gradual |
"""

CATEGORIES = """\
# Algorithms

## Sorting: Quicksort

Quicksort picks a pivot, partitions around it and recurses on both sides; average
time n log n, worst case quadratic with a bad pivot.

## Graphs: Dijkstra's Algorithm

Finds shortest paths from one source when edge weights are not negative, settling
the closest vertex first with a priority queue.

## Step 2: Design the schema

Tables follow the access paths; each query names the index it uses.
"""

GROUPING = """\
# Product analytics

## Metrics

### North star metric

One number that captures the value customers get; teams align their roadmaps
to move it and watch the input metrics that drive it.

### Retention cohorts

Users grouped by signup week, tracked for the share still active in each later
week; a flat tail means a core of users stays.

## Funnels

Funnels count the users reaching each step of a flow and show where they drop off
between steps, compared across segments and over time.

### Steps

Each step is an event with a time window.
"""


def load(tmp: Path, name: str, text: str) -> Document:
    (tmp / name).write_text(text, encoding="utf-8")
    return next(d for d in load_corpus(tmp).documents if d.source == name)


def spans(doc: Document) -> list[tuple[str, str, int, int]]:
    return [(u.kind, u.question, u.line_start, u.line_end) for u in units_of(doc)]


def test_bold_label_list_items_are_topics_of_their_own(tmp_path: Path) -> None:
    doc = load(tmp_path, "security.md", LABEL_ITEMS)
    got = spans(doc)
    assert got[:3] == [
        ("topic", "What is XSS, and when would you use it?", 5, 5),
        ("topic", "What is CSRF, and when would you use it?", 6, 6),
        ("topic", "What is clickjacking, and when would you use it?", 7, 7),
    ]
    # Each is cited by its label, under the heading that holds it.
    assert [u.heading_path[-1] for u in units_of(doc)[:3]] == ["XSS", "CSRF", "Clickjacking"]
    # The heading that only holds them is not asked as a topic of its own...
    assert not any("attacks" in q.lower() for _, q, _, _ in got)
    # ...but labels under notes of the heading's own are parts of its answer.
    assert ("topic", "What is transport security, and when would you use it?", 9, 15) in got
    assert not any(q.startswith(("What are pros", "What are cons")) for _, q, _, _ in got)
    # Each item is a chunk of its own, cut at the next item.
    units = {u.id: u for u in units_of(doc)}
    chunks = [c for c in chunk_document(doc) if c.unit_id in units and c.unit_kind == "topic"]
    csrf = next(c for c in chunks if units[c.unit_id or ""].line_start == 6)
    assert (csrf.line_start, csrf.line_end) == (6, 6)
    assert "forged request" in csrf.text and "injected script" not in csrf.text


def test_label_items_get_their_own_key_points(tmp_path: Path) -> None:
    from interviewer.grading.bank import build_bank

    doc = load(tmp_path, "security.md", LABEL_ITEMS)
    bank, _ = build_bank([doc])
    q = next(q for q in bank.questions if q.text.startswith("What is CSRF"))
    texts = [k.text for k in q.key_points]
    assert any("forged request" in t for t in texts)
    assert not any("injected script" in t or "framed" in t for t in texts)
    assert all(k.citation.line_start == 6 for k in q.key_points)


def test_glossary_tables_ask_each_term(tmp_path: Path) -> None:
    doc = load(tmp_path, "deploy.md", GLOSSARY)
    got = spans(doc)
    assert got == [
        ("topic", "What is a canary release, and when would you use one?", 7, 7),
        ("topic", "What is a rollback, and when would you use one?", 8, 8),
        ("topic", "What is SLO, and when would you use it?", 9, 9),
    ]
    # A comparison table is text of its section, not a glossary.
    comparison = next(s for s in doc.sections if s.heading_path[-1] == "Comparison")
    assert "two full stacks" in comparison.text
    # A row's answer is its definition; the table's header is no chunk of a unit.
    by_q = {s.question: s for s in doc.sections if s.unit_kind == "topic"}
    assert by_q["What is a rollback, and when would you use one?"].text.startswith("Returning")
    assert not any("| Term |" in c.text and c.unit_id for c in chunk_document(doc))
    assert answer_line("| Rollback | Returning to the previous version. |") == (
        "Rollback — Returning to the previous version."
    )
    # A row of links, a numbered row, a row that asks: not glossary rows.
    assert answer_line("| Design a cache | [Solution](x.md) |") == (
        "| Design a cache | [Solution](x.md) |"
    )


def test_glossary_key_points_are_the_definitions(tmp_path: Path) -> None:
    from interviewer.grading.bank import build_bank

    doc = load(tmp_path, "deploy.md", GLOSSARY)
    bank, _ = build_bank([doc])
    q = next(q for q in bank.questions if q.text.startswith("What is SLO"))
    assert [k.text for k in q.key_points] == [
        "SLO — The target level of reliability a service promises."
    ]
    assert (q.key_points[0].citation.line_start, q.key_points[0].citation.line_end) == (9, 9)


def test_category_headings_ask_about_the_name(tmp_path: Path) -> None:
    doc = load(tmp_path, "algo.md", CATEGORIES)
    got = spans(doc)
    assert got == [
        ("topic", "What is quicksort, and when would you use it?", 3, 6),
        ("topic", "What is Dijkstra's algorithm, and when would you use it?", 8, 11),
        ("topic", "How would you design the schema?", 13, 15),
    ]
    assert split_category("Monitoring: The Four Golden Signals") == (
        "Monitoring", "The Four Golden Signals",
    )
    # A definition after the colon, numbering and aspects are no categories.
    assert split_category("TCP: reliable, ordered delivery") is None
    assert split_category("Step 3: Scale The Design") is None
    assert split_category("Disadvantages: Replication") is None
    assert subject_label(got[1][1]) == "Dijkstra's algorithm"


def test_a_heading_that_only_files_topics_is_not_asked(tmp_path: Path) -> None:
    doc = load(tmp_path, "analytics.md", GROUPING)
    got = spans(doc)
    assert got == [
        ("topic", "What is a north star metric, and when would you use one?", 5, 8),
        ("topic", "What are retention cohorts, and when would you use them?", 10, 13),
        # A heading with notes of its own is asked, its sub-heading part of its answer.
        ("topic", "What are funnels, and when would you use them?", 15, 22),
    ]


@pytest.mark.parametrize(
    ("heading", "body", "question"),
    [
        # A name the notes capitalise inside a sentence takes no article.
        ("Raft", "Leader election in Raft uses randomized timeouts.",
         "What is Raft, and when would you use it?"),
        ("Kubernetes", "A cluster runs Kubernetes on every node.",
         "What is Kubernetes, and when would you use it?"),
        # Names written with inner capitals are names too.
        ("OAuth 2.0", "", "What is OAuth 2.0, and when would you use it?"),
        ("OpenID Connect", "", "What is OpenID Connect, and when would you use it?"),
        # The notes' own use tells a mass noun from a countable one.
        ("Quicksort", "Quicksort picks a pivot and recurses.",
         "What is quicksort, and when would you use it?"),
        ("Bloom filter", "A bloom filter answers membership with false positives.",
         "What is a bloom filter, and when would you use one?"),
        # "X of Y" asks for the X.
        ("Amortized Cost Of Insertion", "", "What is the amortized cost of insertion?"),
        ("Types of joins", "", "What are the types of joins?"),
        ("Infrastructure as code", "",
         "What is infrastructure as code, and when would you use it?"),
        # An acronym of common nouns keeps its article; a title keeps none of its capitals.
        ("TCP Handshake", "", "What is the TCP handshake, and when would you use it?"),
    ],
)
def test_topic_wording_from_the_notes(heading: str, body: str, question: str) -> None:
    assert topic_question(heading, body) == question


def test_a_word_that_only_opens_sentences_is_no_name() -> None:
    body = "Sharding splits rows across servers. Each shard holds a range of keys."
    assert topic_question("Sharding", body) == "What is sharding, and when would you use it?"
    # A capitalised expansion of an acronym is a title, not a name.
    body = "It stands for User Datagram Protocol and has no handshake."
    assert topic_question("User datagram protocol", body).startswith(
        "What is a user datagram protocol"
    )


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("What does TLS give you?", "TLS"),
        ("What is public key infrastructure, and when would you use it?",
         "public key infrastructure"),
        ("How long should an A/B test run?", "A/B test"),
        ("Why do neural networks overfit?", "neural networks"),
        ("Why is thrashing bad?", "thrashing"),
        ("How can you prevent a race condition?", "race condition"),
        ("How does a page table work?", "page table"),
        ("What does GROUP BY do?", "GROUP BY"),
        ("What is the primary key?", "primary key"),
        ("¿Qué es la recolección de basura?", "recolección de basura"),
        ("¿Para qué sirve un balanceador de carga?", "balanceador de carga"),
        ("¿Qué diferencia hay entre paginación y segmentación?", "paginación vs segmentación"),
        ("¿Cómo funciona la caché de páginas?", "caché de páginas"),
        ("What is the difference between Type I and Type II error?", "type I vs type II error"),
        ("What’s the difference between a heap and a stack?", "heap vs stack"),
        ("What is the difference between UNION and UNION ALL?", "UNION vs UNION ALL"),
        ("What is infrastructure as code, and when would you use it?", "infrastructure as code"),
        ("What is the CAP theorem, and when would you use it?", "CAP theorem"),
        ("Why do compilers use an intermediate representation?", "compilers"),
    ],
)
def test_subject_labels_of_more_question_shapes(question: str, label: str) -> None:
    assert subject_label(question) == label


def test_html_definition_lists_become_label_topics(tmp_path: Path) -> None:
    from interviewer.extract import html_to_markdown

    html = (
        "<html><body><h1>Consensus</h1><h2>Terms</h2><dl>"
        "<dt>Quorum</dt><dd>A majority of nodes, so any two quorums overlap.</dd>"
        "<dt>Term</dt><dd>A logical clock that grows with each election.</dd>"
        "</dl><h2>Raft</h2><p>Raft elects a leader.</p></body></html>"
    )
    md = html_to_markdown(html)
    assert "- **Quorum** — A majority of nodes, so any two quorums overlap." in md
    doc = load(tmp_path, "consensus.md", md + "\n")
    questions = [q for _, q, _, _ in spans(doc)]
    assert "What is a quorum, and when would you use one?" in questions


OUTLINE = """\
# Data structures

## Collision resolution

1. Separate chaining
   1. Each bucket holds a linked list of the entries that hash to it.
   2. The load factor may exceed one.
2. Open addressing
   1. Linear probing tries the next slot and suffers from clustering.
   2. Double hashing spreads the probes apart.
3. Resizing
   1. Past a load threshold the table doubles and every key is rehashed.
"""


def test_outline_items_that_name_parts_are_key_points(tmp_path: Path) -> None:
    from interviewer.grading.bank import build_bank

    doc = load(tmp_path, "ds.md", OUTLINE)
    bank, _ = build_bank([doc])
    q = next(q for q in bank.questions if "collision resolution" in q.text)
    names = {k.text: k for k in q.key_points if k.label}
    assert set(names) == {"Separate chaining", "Open addressing", "Resizing"}
    spans_ = {n: (k.citation.line_start, k.citation.line_end) for n, k in names.items()}
    assert spans_ == {
        "Separate chaining": (5, 7), "Open addressing": (8, 10), "Resizing": (11, 12),
    }
    # Their nested items are detail, below the names; no name is counted twice.
    detail = next(k for k in q.key_points if k.text.startswith("Linear probing"))
    assert detail.importance < names["Open addressing"].importance
    assert sum(k.text == "Resizing" for k in q.key_points) == 1


def test_outline_of_sentences_names_no_parts(tmp_path: Path) -> None:
    from interviewer.grading.bank import build_bank

    text = OUTLINE.replace("1. Separate chaining", "1. Chaining keeps a list per bucket.")
    text = text.replace("2. Open addressing", "2. Open addressing probes other slots.")
    doc = load(tmp_path, "ds.md", text)
    bank, _ = build_bank([doc])
    q = next(q for q in bank.questions if "collision resolution" in q.text)
    assert not any(k.label and k.text == k.label for k in q.key_points)


@pytest.mark.parametrize(
    ("heading", "question"),
    [
        ("1.2 Consistency Models",
         "What are consistency models, and when would you use them?"),
        ("2.3.1 Write-ahead logging", "What is write-ahead logging, and when would you use it?"),
        ("A. Caching", "What is caching, and when would you use it?"),
        ("Part II - Storage Engines", "What are storage engines, and when would you use them?"),
        ("The CAP Theorem", "What is the CAP theorem, and when would you use it?"),
        ("The Four Golden Signals",
         "What are the four golden signals, and when would you use them?"),
        ("Two-Phase Commit", "What is a two-phase commit, and when would you use one?"),
        ("B-Trees", "What are B-Trees, and when would you use them?"),
    ],
)
def test_topic_wording_of_numbered_and_titled_headings(heading: str, question: str) -> None:
    assert topic_question(heading) == question


FOLLOW = """\
# Security notes

## Glossary

| Term | Meaning |
|------|---------|
| XSS | An attacker injects script into pages; prevent it with output encoding. |
| CSRF | The victim's browser sends a forged request; stop it with tokens. |

## Hashing vs encryption

Hashing is one-way and has no key, so it suits password storage with a salt.
Encryption is two-way with a key, so whoever holds the key can read the data.

## What does a certificate chain prove?

Browsers trust a set of root CAs; intermediates are signed by roots, and a chain is
valid when it leads to a trusted root.
"""


def test_follow_ups_ask_about_something_else_than_the_question(tmp_path: Path) -> None:
    from interviewer.grading.grader import Grader
    from interviewer.grading.params import GradingParams
    from interviewer.settings import Settings

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "security.md").write_text(FOLLOW, encoding="utf-8")
    settings = Settings(home=tmp_path / "home", corpus=notes, use_llm=False)
    grader = Grader.open(settings, use_llm=False, params=GradingParams())
    xss = next(q for q in grader.bank.questions if q.text.startswith("What is XSS"))
    up = grader.grade(xss, "It depends.").follow_up or ""  # (no follow-up after "I don't know")
    # Not "How would XSS help here?": the question's own subject again.
    assert up.endswith("?") and "XSS" not in up, up
    assert "output encoding" in up, up
    hashing = next(q for q in grader.bank.questions if "ashing" in q.text)
    up = grader.grade(hashing, "Encryption uses a key.").follow_up or ""
    # A derived noun capitalised only where it opens a sentence is no name.
    assert "Hashing" not in up, up
    chain = next(q for q in grader.bank.questions if "certificate chain" in q.text)
    up = grader.grade(chain, "It proves something.").follow_up or ""
    # No sentence cut short offered as a name.
    assert ";" not in up and "Browsers trust" not in up, up


CALLOUTS = """\
# Distributed systems

## Consistency models

> [!faq]- What is linearizability?
> Every operation appears to take effect at one instant between its call and its
> return, in one real-time order.

> [!note] Sequential consistency
> Each process keeps program order; all agree on one interleaving.

## Drill

What is a vector clock?

<details><summary>Show answer</summary>

One counter per node, merged by element-wise maximum.

</details>
"""


def test_a_callout_question_ends_with_its_callout(tmp_path: Path) -> None:
    doc = load(tmp_path, "dist.md", CALLOUTS)
    got = spans(doc)
    assert ("details", "What is linearizability?", 5, 7) in got
    assert ("qa", "What is a vector clock?", 14, 20) in got
    # The callout that follows is its section's text, in no unit's answer.
    rest = next(s for s in doc.sections if "Sequential consistency" in s.text)
    assert rest.unit_kind is None and rest.line_start == 9
    # A "Show answer" block under its question is no shape left unread.
    assert not any("collapsible" in n.reason for n in doc.shape_notes)


def test_search_snippets_leave_out_the_markup_of_shapes() -> None:
    from interviewer._cli.search import snippet

    text = "<details><summary>Show answer</summary>\n\n> One counter per node.\n</details>"
    assert snippet(text) == "One counter per node."
    assert snippet("A: **Quorum** is a [majority](https://x.org).") == "Quorum is a majority."


TXT_OUTLINE = """\
DATABASES - REVIEW

1. Storage
1.1 B-trees
Pages hold sorted keys and child pointers; a full page splits in two and pushes its
middle key up, so the tree stays balanced.
1.2 LSM trees
Writes go to an in-memory table flushed as sorted runs, merged later by compaction.

Groceries
1. Milk
2. Bread

Q1. Why does a database keep a write-ahead log?
A1. A change is made durable in the log before the pages change, so a crash can be
redone or undone from the log.

Q2) What is a covering index?
A2) An index that holds every column a query reads, so the table is never touched.
"""


def test_a_text_outline_and_numbered_q_a_labels(tmp_path: Path) -> None:
    doc = load(tmp_path, "db.txt", TXT_OUTLINE)
    got = spans(doc)
    assert got == [
        ("topic", "What are B-trees, and when would you use them?", 4, 6),
        ("topic", "What are LSM trees, and when would you use them?", 7, 8),
        ("qa", "Why does a database keep a write-ahead log?", 14, 16),
        ("qa", "What is a covering index?", 18, 19),
    ]
    # A plain numbered list stays a list; the outline's numbers are no headings of it.
    assert not any(s.heading_path[-1] in ("1. Milk", "2. Bread") for s in doc.sections)
    # "A1." is the answer's label, not words of it.
    wal = next(s for s in doc.sections if s.question and "write-ahead" in s.question)
    assert answer_line(TXT_OUTLINE.split("\n")[14]).startswith("A change is made durable")
    assert "durable" in wal.text


DEFLIST = """\
# MLOps

## Terms

Feature store
: A shared service that keeps computed features with their history.

Model registry
: A catalogue of trained model versions with metrics and lineage.
"""


def test_definition_lists_are_topics_named_by_their_terms(tmp_path: Path) -> None:
    doc = load(tmp_path, "mlops.md", DEFLIST)
    assert spans(doc) == [
        ("topic", "What is a feature store, and when would you use one?", 5, 6),
        ("topic", "What is a model registry, and when would you use one?", 8, 9),
    ]
    # The ": " that marks a definition is no word of the answer.
    assert answer_line(": A catalogue of versions.") == "A catalogue of versions."


def test_questions_says_why_a_corpus_has_none(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from interviewer.cli import app

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "cafe.md").write_bytes(b"# Caf\xe9\n\n## What is a cache?\n\nA fast copy.\n")
    (notes / "empty.md").write_text("", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["questions", "--corpus", str(notes)],
        env={"INTERVIEWER_HOME": str(tmp_path / "home"), "COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "no questions in the notes" in result.output
    assert "cafe.md: not valid UTF-8" in result.output and "empty.md: empty file" in result.output


def test_a_line_that_ends_open_goes_on_in_the_next(tmp_path: Path) -> None:
    from interviewer.grading.bank import build_bank

    text = (
        "# Crypto\n\n## Hashing\n\n"
        "Hashing maps data to a fixed-size digest, used for password storage (with a\n"
        "salt and a slow function such as bcrypt or\n"
        "Argon2). It has no key.\n"
    )
    doc = load(tmp_path, "crypto.md", text)
    bank, _ = build_bank([doc])
    q = bank.questions[0]
    first = next(k for k in q.key_points if k.text.startswith("Hashing maps"))
    assert first.text.endswith("such as bcrypt or Argon2).")
    assert (first.citation.line_start, first.citation.line_end) == (5, 7)


@pytest.mark.parametrize(
    ("heading", "body", "question"),
    [
        ("Latencia frente a ancho de banda",
         "La latencia es el tiempo que tarda un mensaje en llegar; el ancho de banda, "
         "cuántos datos caben por segundo.",
         "¿Qué diferencia hay entre la latencia y el ancho de banda?"),
        ("Índices compuestos",
         "Un índice compuesto cubre varias columnas y el orden de las columnas importa.",
         "¿Qué son los índices compuestos y cuándo se usan?"),
        ("Recolección de basura",
         "La recolección de basura libera la memoria de los objetos que ya no se usan.",
         "¿Qué es la recolección de basura y cuándo se usa?"),
    ],
)
def test_topics_of_spanish_notes_are_asked_in_spanish(
    heading: str, body: str, question: str
) -> None:
    assert topic_question(heading, body) == question


@pytest.mark.parametrize(
    ("heading", "question"),
    [
        ("🚀 Load balancing", "What is load balancing, and when would you use it?"),
        ("Load balancing {#lb}", "What is load balancing, and when would you use it?"),
        ("Load balancing ^block1", "What is load balancing, and when would you use it?"),
        ("[[Consensus]] algorithms", "What are consensus algorithms, and when would you use them?"),
        ("Load Balancing (L4 vs L7)",
         "What is load balancing (L4 vs L7), and when would you use it?"),
        ("C++ templates", "What are C++ templates, and when would you use them?"),
    ],
)
def test_heading_decorations_are_no_part_of_the_topic(heading: str, question: str) -> None:
    assert topic_question(heading) == question


INLINE = """\
# Kubernetes

## Scheduling questions

1. What does the scheduler do? It assigns each new pod to a node that fits its requests.
2. What is a taint? A mark on a node that repels pods unless they tolerate it.
3. Why use node affinity?
"""


def test_list_questions_answered_on_their_own_line(tmp_path: Path) -> None:
    from interviewer.grading.bank import build_bank

    doc = load(tmp_path, "k8s.md", INLINE)
    assert spans(doc) == [
        ("list", "What does the scheduler do?", 5, 5),
        ("list", "What is a taint?", 6, 6),
    ]
    bank, _ = build_bank([doc])
    taint = next(q for q in bank.questions if q.text == "What is a taint?")
    assert [k.text for k in taint.key_points] == [
        "A mark on a node that repels pods unless they tolerate it."
    ]
    assert answer_line("2. What is a taint? A mark on a node.") == "A mark on a node."
    # A sentence with a question mark inside is no question and answer.
    same = "- It asks why? Because of the cost."
    assert answer_line(same) == same


@pytest.mark.parametrize(
    ("heading", "question"),
    [
        ("How Does DNS Resolution Work", "How does DNS resolution work?"),
        ("What Is The CAP Theorem", "What is the CAP theorem?"),
        ("Which Page Replacement Policies Do You Know",
         "Which page replacement policies do you know?"),
        ("How to deal with an imbalanced data set", "How to deal with an imbalanced data set?"),
        # A request keeps its own end; a single capital may be a name; so may a domain.
        ("Explain the Chain-rule", "Explain the Chain-rule"),
        ("Design Mint.com", "Design Mint.com"),
        ("Epoch vs. Batch vs. Iteration.", "Epoch vs. Batch vs. Iteration."),
    ],
)
def test_heading_questions_read_as_sentences(heading: str, question: str) -> None:
    from interviewer.grading.rubric import normalise_question
    from interviewer.units import as_asked

    assert as_asked(heading) == question
    # Only case and the end mark change: the heading still finds its question.
    assert normalise_question(as_asked(heading)) == normalise_question(heading)


def test_a_name_the_notes_capitalise_stays_a_name() -> None:
    from interviewer.units import as_asked

    body = "Each partition in Kafka has one leader and several followers."
    assert as_asked("How Does Kafka Handle Replication", body) == (
        "How does Kafka handle replication?"
    )
