"""Correct answers a reviewer saw flagged as wrong (each against the one note sentence it
paraphrases), pinned on inline notes: a wrong-claim rule must leave every one of them
alone. Next to them, the wrong answers the precise forms of those rules still catch."""

from __future__ import annotations

import pytest

from interviewer.grading import Grader
from tests.notes_grading import grade, grader_over

NET = """\
# Networking

## How does TCP deliver data?

TCP always delivers bytes in order and retransmits lost segments.

## How is a TCP connection closed?

Each side of a TCP connection closes its half independently with a FIN.
"""

OS = """\
# Operating systems

## What do the threads of a process share?

Each thread has its own stack, while threads of one process share the heap.

## When do deadlocks occur?

Deadlocks sometimes occur when two threads take locks in different orders.

## What happens during a context switch?

The kernel saves the registers of the running thread and loads the next one. Switching
between processes also changes the address space, which means switching page tables and
usually flushing the TLB.

## How does round robin scheduling work?

Each runnable task gets a fixed time slice (quantum) and is preempted when it expires. A
very small quantum wastes time on context switches.

## What is the TLB?

The TLB is a small cache of recent address translations. On a TLB hit the translation
needs no page-table walk; on a TLB miss the page tables are walked in memory.
"""

SQL = """\
# SQL

## What does a hash index support?

A hash index does not support range queries at all.

## What does an inner join do?

An inner join pairs each row of the left table with each matching row of the right table.

## Can a key be null?

A key can be null.

## What is a foreign key?

A foreign key can be NULL.

## What is a primary key?

A primary key uniquely identifies each row of its table; it cannot be NULL and there is
one per table.
"""

ML = """\
# Training

## How does the learning rate matter?

A small learning rate prevents overshooting the minimum, but training takes many more
steps.

## What does the regularization strength do?

A small regularization strength lets the model fit noise, so it avoids underfitting but
risks overfitting.

## How does the batch size matter?

A large batch makes gradients more stable but uses more memory.
"""

PY = """\
# Python

## Is a tuple mutable?

A tuple holds references to objects; they can be mutable.

## Which built-in types can change?

- **Immutable:** int, str, tuple, frozenset
- **Mutable:** list, dict, set

## What is the difference between a shallow copy and a deep copy?

A shallow copy makes a new outer object but shares the inner objects with the original.
A deep copy recursively copies the inner objects too, so nothing is shared.
"""

STATS = """\
# Statistics

## What is a p-value?

The p-value is usually misread as the probability that the null hypothesis is true.
"""


@pytest.fixture(scope="module")
def graders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Grader]:
    notes = {"net": NET, "os": OS, "sql": SQL, "ml": ML, "py": PY, "stats": STATS}
    return {k: grader_over(tmp_path_factory, v, f"precise-{k}") for k, v in notes.items()}


def flags(grader: Grader, question: str, answer: str) -> list[str]:
    """Every claim shown as wrong, advisory ones included."""
    return [f"{c.rule}: {c.text}" for c in grade(grader, question, answer).incorrect]


CORRECT = [
    # opposite quantifier: a negated opposite is the same statement
    ("net", "How does TCP deliver data?",
     "TCP never delivers bytes out of order, and it retransmits lost segments."),
    ("net", "How is a TCP connection closed?",
     "Either side of a TCP connection closes its half independently with a FIN."),
    ("os", "What do the threads of a process share?",
     "Threads never share their stack, but threads of one process share the heap."),
    ("sql", "What does a hash index support?", "A hash index never supports range queries."),
    ("os", "When do deadlocks occur?",
     "If every thread takes its locks in one global order, deadlocks never occur."),
    # reversed correlation: "prevents", "avoids" and another outcome word
    ("ml", "How does the learning rate matter?",
     "The smaller the learning rate, the less the model overshoots the minimum, but "
     "training takes more steps."),
    ("ml", "What does the regularization strength do?",
     "The smaller the regularization strength, the less underfitting, but the more "
     "overfitting."),
    ("ml", "How does the batch size matter?",
     "The larger the batch, the less noise in the gradients, but it uses more memory."),
    # exchanged words: a symmetric relation inside one clause
    ("sql", "What does an inner join do?",
     "An inner join pairs each row of the right table with each matching row of the left "
     "table."),
    # negated predicate: a pronoun of another number, a possibility against a denial
    ("py", "Is a tuple mutable?", "A tuple is not mutable, though the objects it holds may be."),
    ("sql", "Can a key be null?", "A key is not null."),
    # a note that reports a misreading is no evidence for the plain statement
    ("stats", "What is a p-value?",
     "A p-value is never the probability that the null hypothesis is true."),
    ("sql", "What is a foreign key?",
     "Usually a foreign key is not null, since each order needs a customer."),
    # (written here, beside the reviewer's)
    ("py", "Which built-in types can change?",
     "Tuples and strings are immutable, while lists and dicts are mutable."),
    ("py", "Which built-in types can change?", "Sets are mutable and a frozenset is not."),
    # "nothing" denies what follows it
    ("py", "What is the difference between a shallow copy and a deep copy?",
     "Shallow: new outer object, inner objects shared. Deep: copies everything "
     "recursively, nothing shared."),
    ("os", "What happens during a context switch?",
     "With tagged TLB entries, the TLB is never flushed on a switch between threads."),
    ("os", "How does round robin scheduling work?",
     "The smaller the quantum, the more time is wasted on context switches."),
    ("os", "How does round robin scheduling work?",
     "The larger the quantum, the less time is wasted on context switches."),
    ("os", "What happens during a context switch?",
     "On a switch between threads of one process, the TLB is never flushed."),
    ("os", "What is the TLB?",
     "On a TLB miss the page tables are walked in memory, while on a hit the translation "
     "needs no page-table walk."),
    ("sql", "What is a primary key?", "A primary key cannot be NULL, and a table has one."),
    ("sql", "What is a primary key?",
     "A primary key identifies a row; the rows it points at can be anything."),
]  # fmt: skip


@pytest.mark.parametrize(("notes", "question", "answer"), CORRECT)
def test_correct_paraphrase_is_not_flagged(
    graders: dict[str, Grader], notes: str, question: str, answer: str
) -> None:
    assert flags(graders[notes], question, answer) == []


WRONG = [
    ("os", "What happens during a context switch?",
     "Switching between processes keeps the same page tables, so the TLB is never flushed.",
     "opposite-frequency"),
    ("os", "How does round robin scheduling work?",
     "The smaller the quantum, the less time is wasted on context switches.",
     "reversed-correlation"),
    ("os", "What is the TLB?",
     "On a TLB miss the translation needs no page-table walk, while on a hit the page "
     "tables are walked in memory.", "exchanged-words"),
    ("sql", "What is a primary key?", "A primary key can be NULL.", "negated-predicate"),
    ("py", "Which built-in types can change?", "Tuples are mutable.", "opposite-label"),
]  # fmt: skip


@pytest.mark.parametrize(("notes", "question", "answer", "rule"), WRONG)
def test_reversed_statement_is_flagged_by_its_rule(
    graders: dict[str, Grader], notes: str, question: str, answer: str, rule: str
) -> None:
    got = grade(graders[notes], question, answer).incorrect
    assert [c.rule for c in got if not c.advisory] == [rule], [c.text for c in got]
