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
