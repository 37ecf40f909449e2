"""Ordinary notes that the rules for new note shapes (definition lists, term rows,
Spanish "P:"/"R:" labels, comments, vault tags, flashcard tags, request bullets) must
not misread: a list that is a question's answer, a symbol named "P", a "%%" or "-->"
in a sentence, a "#word" that is a word, a card's last answer field, the options of a
multiple-choice question, a numbered procedure. Subjects: databases, statistics, C,
web pages, chemistry, optimisation, project planning."""

from __future__ import annotations

from pathlib import Path

from interviewer.corpus import decode_text, hide_comments, load_corpus
from interviewer.units import answer_line, units_of


def _load(tmp_path: Path, name: str, text: str) -> list:
    corpus = tmp_path / "notes"
    corpus.mkdir(exist_ok=True)
    (corpus / name).write_text(text, encoding="utf-8")
    loaded = load_corpus(corpus)
    assert not loaded.problems, loaded.problems
    (doc,) = [d for d in loaded.documents if d.source == name]
    return [(u.kind, u.question, u.line_start, u.line_end) for u in units_of(doc)]


def _sections(tmp_path: Path, name: str) -> dict[str, str]:
    (doc,) = [d for d in load_corpus(tmp_path / "notes").documents if d.source == name]
    return {s.question: s.text for s in doc.sections if s.question}


def test_a_definition_list_that_is_the_answer_stays_the_answer(tmp_path: Path) -> None:
    notes = """\
# Transactions

**Which anomalies do isolation levels prevent?**

Dirty read
: reading a row another transaction has not committed

Phantom read
: a repeated range query sees new rows
"""
    assert _load(tmp_path, "tx.md", notes) == [
        ("bold", "Which anomalies do isolation levels prevent?", 3, 9),
    ]
    # Remarks on an answer ("Fix", "Also") name no topics, even after answer lines.
    remarks = """\
# Caching

**What is a thundering herd?**

Many clients wake at once and all retry against the same backend.

Fix
: spread the retries with random jitter

Also
: cap the number of waiting clients
"""
    assert _load(tmp_path, "herd.md", remarks) == [
        ("bold", "What is a thundering herd?", 3, 11),
    ]


def test_term_rows_under_a_question_heading_are_its_answer(tmp_path: Path) -> None:
    notes = (
        "# Chemistry\n\n## Which bonds hold molecules together?\n\n"
        "covalent\ttwo atoms sharing a pair of electrons\n"
        "ionic\tthe attraction between oppositely charged ions\n"
    )
    assert _load(tmp_path, "bonds.md", notes) == [
        ("heading", "Which bonds hold molecules together?", 3, 6),
    ]


def test_one_letter_p_and_r_in_english_notes_are_symbols(tmp_path: Path) -> None:
    notes = """\
# Metrics

**How is the F-beta score computed?**

F = (1 + b^2) P R / (b^2 P + R), where:

- P: precision, the share of predicted positives that are right
- R: recall, the share of real positives that are found

A larger beta weighs recall more.
"""
    assert _load(tmp_path, "metrics.md", notes) == [
        ("bold", "How is the F-beta score computed?", 3, 10),
    ]
    plain = (
        "# Notes\n\n## Queueing\n\nP: the arrival rate of jobs per second.\n"
        "R: the mean time one job spends in the system.\n"
    )
    assert [k for k, *_ in _load(tmp_path, "queue.md", plain)] == ["topic"]
    assert answer_line("- R: recall, the share of real positives") == (
        "- R: recall, the share of real positives"
    )
    # In Spanish, or where the text asks, they are labels.
    asked = "# Notes\n\nP: What does the arrival rate measure?\nR: Jobs that arrive per second.\n"
    assert _load(tmp_path, "asked.md", asked) == [
        ("qa", "What does the arrival rate measure?", 3, 4),
    ]


def test_a_percent_pair_or_an_arrow_in_a_sentence_hides_nothing(tmp_path: Path) -> None:
    printf = "Write %% in the format string; %% is how printf escapes % and it prints one."
    assert hide_comments(printf) == printf
    arrows = """\
# Web

**How do you write an HTML comment?**

Open it with <!-- and close it with the matching marker.

**What is the request path?**

browser --> load balancer --> application server
"""
    assert _load(tmp_path, "web.md", arrows) == [
        ("bold", "How do you write an HTML comment?", 3, 5),
        ("bold", "What is the request path?", 7, 9),
    ]
    # Comments as notes apps write them are still hidden.
    text = "a\n%% to do: add a figure %%\nb <!-- aside --> c\n<!--\ndraft\n-->\nd"
    assert decode_text(text.encode()) == "a\n\nb   c\n\n\n\nd"
    assert hide_comments("%%\nhidden\n%%\nshown") == "\n\n\nshown"


def test_a_word_after_a_hash_is_kept() -> None:
    assert answer_line("The short hex code for white is #fff") == (
        "The short hex code for white is #fff"
    )
    assert answer_line("Wrap the header in guards or use #pragma") == (
        "Wrap the header in guards or use #pragma"
    )
    assert answer_line("Use include guards. #c") == "Use include guards."
    assert answer_line("#c #preprocessor") == ""


def test_a_cards_last_answer_field_is_no_tag_field(tmp_path: Path) -> None:
    cards = (
        "What are the phases of a two-phase commit?\tprepare\tcommit\n"
        "What does ls -la show?\tall files, in long form\tls -la\n"
        "What is the capital of Peru?\tLima\tgeography south\n"
    )
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "cards.tsv").write_text(cards, encoding="utf-8")
    (doc,) = load_corpus(corpus).documents
    got = {s.question: s.text for s in doc.sections if s.question}
    assert got["What are the phases of a two-phase commit?"] == "prepare; commit"
    assert got["What does ls -la show?"] == "all files, in long form; ls -la"
    assert "What is the capital of Peru?" in got


def test_multiple_choice_options_are_no_answer(tmp_path: Path) -> None:
    notes = """\
# Quiz

Q: Which method uses second derivatives?
- A: stochastic gradient descent
- B: Newton's method
- C: momentum

Answer: Newton's method, which scales each step by the inverse Hessian.
"""
    got = _load(tmp_path, "quiz.md", notes)
    assert [(k, line) for k, _q, line, _e in got] == [("qa", 3)]
    (text,) = _sections(tmp_path, "quiz.md").values()
    assert "stochastic" not in text and "inverse Hessian" in text


def test_steps_and_plans_are_no_questions(tmp_path: Path) -> None:
    steps = """\
# Design interview

## Approach

1. Define the scope
   - the users
   - the load
2. Outline the components
   - the services
"""
    assert [k for k, *_ in _load(tmp_path, "steps.md", steps)] == ["topic"]
    plan = """\
# Study plan

## Monday

- Explain the proof to a classmate
  - after lunch
- Review the exercises
  - before dinner
"""
    assert [k for k, *_ in _load(tmp_path, "plan.md", plan)] == ["topic"]


def test_an_adverb_before_the_verb_leaves_a_plural_plural() -> None:
    from interviewer.units import topic_question

    body = "Caches always speed up reads. Caches sometimes serve stale data."
    assert topic_question("Caches", body) == "What are caches, and when would you use them?"


def test_a_notebook_title_comes_from_its_markdown_cells() -> None:
    import json

    from interviewer.note_formats import notebook_to_markdown

    nb = {
        "cells": [
            {"cell_type": "markdown", "source": ["## What is overfitting?\n", "A model that "
                                                 "fits noise in the training data."]},
            {"cell_type": "code", "source": ["# load the data\n", "import csv\n"]},
        ],
        "metadata": {},
    }
    assert notebook_to_markdown(json.dumps(nb).encode()).title is None
    nb["cells"].insert(0, {"cell_type": "markdown", "source": ["# Model fitting\n"]})
    assert notebook_to_markdown(json.dumps(nb).encode()).title == "Model fitting"


def test_doctor_json_names_the_documents_it_does_not_read(tmp_path: Path) -> None:
    import json

    from typer.testing import CliRunner

    from interviewer.cli import app

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "os.md").write_text("# What is a process?\nA running program.\n", "utf-8")
    (corpus / "paper.pdf").write_bytes(b"%PDF-1.4")
    result = CliRunner().invoke(app, ["doctor", "--no-llm", "--json", "--corpus", str(corpus)])
    report = json.loads(result.stdout)
    assert [line.split(":")[0] for line in report["unread"]] == ["paper.pdf"]


def test_wiki_links_in_answers_and_code_in_headings(tmp_path: Path) -> None:
    assert answer_line("Read [[Flow control|the flow notes]] first.") == (
        "Read the flow notes first."
    )
    # A source marker goes with its link, as before.
    marked = "Both errors fall as the model fits better. [[src]](https://example.org/bias)"
    assert answer_line(marked) == marked
    notes = """\
# R

## What does `x[[2]]` return in R? #lists

The second element of the list itself, not a list that holds it.
"""
    assert _load(tmp_path, "r.md", notes) == [
        ("heading", "What does `x[[2]]` return in R?", 3, 5),
    ]


def test_a_number_that_opens_a_question_is_no_section_number(tmp_path: Path) -> None:
    notes = """\
# Floats

## 0.5 + 0.25 == 0.75: why is this exact?

Both are sums of powers of two, which binary floating point represents exactly.

## 1.2 What is a denormal number?

A number below the smallest normal one, stored with leading zeros in its mantissa.
"""
    assert [q for _k, q, *_ in _load(tmp_path, "floats.md", notes)] == [
        "0.5 + 0.25 == 0.75: why is this exact?",
        "What is a denormal number?",
    ]


def test_letters_naming_symbols_in_a_list_are_no_question(tmp_path: Path) -> None:
    notes = """\
# Attention

## What does attention compute?

softmax(Q K^T / sqrt(d)) V, where:
- Q: the queries, one row per token
- K: the keys, one row per token
- V: the values
"""
    assert _load(tmp_path, "attn.md", notes) == [
        ("heading", "What does attention compute?", 3, 8),
    ]


def test_a_definition_list_after_an_introduction_is_still_the_answer(tmp_path: Path) -> None:
    """One sentence, or a line ending in ":", above a definition list introduces it:
    the list is that question's answer, not topics of their own."""
    for intro in ("There are four of them, from weakest to strongest.", "They are:"):
        notes = f"""\
# Databases

**What are the SQL isolation levels?**

{intro}

Read uncommitted
: dirty reads are possible

Serializable
: as if the transactions ran one after another
"""
        assert _load(tmp_path, "iso.md", notes) == [
            ("bold", "What are the SQL isolation levels?", 3, 11),
        ], intro


def test_p_and_r_in_a_spanish_legend_are_symbols(tmp_path: Path) -> None:
    notes = """\
# Métricas

## ¿Cómo se calcula el F1?

F1 = 2PR / (P + R), donde:

- P: la precisión, la parte de positivos predichos que son correctos
- R: la exhaustividad, la parte de positivos reales que se encuentran

Es la media armónica de las dos.
"""
    assert _load(tmp_path, "f1.md", notes) == [
        ("heading", "¿Cómo se calcula el F1?", 3, 10),
    ]
