"""Notes in shapes a new user brought and nothing read right before: an Obsidian vault
(wiki links in headings, comments), headings wrapped in bold or numbered "1.2",
bold-italic questions, Spanish question/answer labels, a question/answer table after a
question, "Unicode" (UTF-16) text files, flashcard exports in .tsv, "Explain X" bullets
over their nested answers, and documents the loader does not read in place (notebooks,
Org-mode, reStructuredText), which ``add`` converts. Subjects: distributed systems,
cryptography, databases, biology, operating systems, linear algebra."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer.corpus import decode_text, load_corpus, parse_markdown, unread_files
from interviewer.units import answer_line, units_of


def _load(tmp_path: Path, name: str, text: str | bytes) -> list:
    corpus = tmp_path / "notes"
    corpus.mkdir(exist_ok=True)
    path = corpus / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    loaded = load_corpus(corpus)
    assert not loaded.problems, loaded.problems
    (doc,) = [d for d in loaded.documents if d.source == name]
    return [(u.kind, u.question, u.line_start, u.line_end) for u in units_of(doc)]


VAULT = """\
# Consensus

## What is a [[Raft]] leader election?
A follower that hears no heartbeat within its election timeout becomes a candidate and
asks the others for votes; a majority makes it the leader.

## [[Paxos]]
Paxos reaches agreement on one value through prepare and accept phases that a proposer
runs against a majority of acceptors.

## **What is a split brain?**
Two nodes both believe they lead after a network partition and accept conflicting writes.
"""


def test_wiki_links_and_emphasis_in_headings_read_as_their_text(tmp_path: Path) -> None:
    got = _load(tmp_path, "consensus.md", VAULT)
    assert got == [
        ("heading", "What is a Raft leader election?", 3, 5),
        ("topic", "What is paxos, and when would you use it?", 7, 9),
        ("heading", "What is a split brain?", 11, 12),
    ]
    _meta, sections, _ = parse_markdown("consensus.md", VAULT)
    assert [s.heading_path[-1] for s in sections if s.level == 2] == [
        "What is a Raft leader election?", "Paxos", "What is a split brain?",
    ]  # fmt: skip


def test_a_wiki_link_with_shown_text_and_an_embed_in_a_heading() -> None:
    from interviewer.corpus import clean_heading

    assert clean_heading("How does a [[Kubernetes Pod|pod]] start?") == "How does a pod start?"
    assert clean_heading("[[Hashing#HMAC]]") == "Hashing"
    assert clean_heading("Pod lifecycle ![[lifecycle.png]]") == "Pod lifecycle"


def test_a_section_number_before_a_question_heading_is_no_part_of_it(tmp_path: Path) -> None:
    notes = """\
# Storage

### 1.2 What is a fencing token?
A number that grows with every lease; storage rejects writes that carry an older one.

### 2.3.1. Why do leases need bounded clock drift?
A holder whose clock runs slow may act after its lease expired elsewhere.

#### 99.9% availability - three 9s
Downtime of about 8 hours and 45 minutes a year.
"""
    got = _load(tmp_path, "storage.md", notes)
    assert [q for _k, q, _a, _b in got][:2] == [
        "What is a fencing token?",
        "Why do leases need bounded clock drift?",
    ]


def test_a_bold_italic_question_line_is_a_question_with_its_answer_below(tmp_path: Path) -> None:
    notes = """\
# Replication

***What is a quorum read?***
A read that contacts a majority of replicas, so it overlaps every acknowledged write.

***What is read repair?***
A read that finds a stale replica writes the newest value back to it.
"""
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "rep.md").write_text(notes, encoding="utf-8")
    (doc,) = load_corpus(corpus).documents
    units = units_of(doc)
    assert [(u.kind, u.question, u.line_start, u.line_end, u.uncertain) for u in units] == [
        ("bold", "What is a quorum read?", 3, 4, None),
        ("bold", "What is read repair?", 6, 7, None),
    ]
    first = next(s for s in doc.sections if s.id == units[0].id)
    assert first.text.startswith("A read that contacts") and "*" not in first.text


COMMENTED = """\
# Hashing

<!--
## What is a draft question?
Half-written notes the author hid from the rendered page.
-->

## What is HMAC?
HMAC combines a secret key with a hash function in two nested passes. <!-- check padding -->
It resists the length-extension attacks that break a naive keyed hash.

%%
What is an Obsidian comment question?
Private thoughts that Obsidian never shows.
%%

## What is a salt?
A random value hashed with each password, so equal passwords hash differently.
"""


def test_comments_are_not_notes_and_line_numbers_stay_the_files(tmp_path: Path) -> None:
    got = _load(tmp_path, "hashing.md", COMMENTED)
    assert got == [
        ("heading", "What is HMAC?", 8, 10),
        ("heading", "What is a salt?", 17, 18),
    ]
    corpus = tmp_path / "notes"
    (doc,) = load_corpus(corpus).documents
    assert not any(
        "draft" in s.text or "Obsidian" in s.text or "padding" in s.text for s in doc.sections
    )


def test_the_graders_key_points_leave_comments_out(tmp_path: Path) -> None:
    from interviewer.grading.bank import build_bank

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "hashing.md").write_text(COMMENTED, encoding="utf-8")
    (doc,) = load_corpus(corpus).documents
    bank, _ = build_bank([doc])
    texts = [k.text for q in bank.questions for k in q.key_points]
    assert any("length-extension" in t for t in texts)
    assert not any("padding" in t or "Obsidian" in t or "draft" in t for t in texts)


def test_a_comment_that_never_closes_and_comments_in_code_are_text() -> None:
    text = "# A\n\nkeep <!-- this\nand this\n\n```html\n<!-- code -->\n```\n%%timeit x\n"
    assert decode_text(text.encode()) == text


SPANISH_LABELS = """\
# Bases de datos

**Pregunta:** ¿Qué es una clave primaria?
**Respuesta:** Una columna o conjunto de columnas que identifica cada fila de una tabla.

P: ¿Qué es un índice?
R: Una estructura auxiliar que acelera las búsquedas a costa de escrituras más lentas.

| Pregunta | Respuesta |
|---|---|
| ¿Qué es la normalización? | Organizar las tablas para evitar redundancia y anomalías. |
| ¿Qué es una transacción? | Un conjunto de operaciones que se ejecutan como una unidad. |
"""


def test_spanish_question_and_answer_labels(tmp_path: Path) -> None:
    got = _load(tmp_path, "bd.md", SPANISH_LABELS)
    assert got == [
        ("qa", "¿Qué es una clave primaria?", 3, 4),
        ("qa", "¿Qué es un índice?", 6, 7),
        ("table", "¿Qué es la normalización?", 11, 11),
        ("table", "¿Qué es una transacción?", 12, 12),
    ]
    # The label is no word of the answer.
    assert answer_line("R: Una estructura auxiliar.") == "Una estructura auxiliar."
    assert answer_line("**Respuesta:** Una columna.") == "Una columna."


def test_a_table_header_is_no_part_of_the_answer_before_it(tmp_path: Path) -> None:
    notes = """\
# Indexes

**What is a covering index?**
An index that holds every column a query reads, so the table is never visited.

| Question | Answer |
|---|---|
| What is a partial index? | An index over the rows that match a predicate only. |
| What is an index-only scan? | A scan answered from the index alone, no heap access. |
"""
    got = _load(tmp_path, "idx.md", notes)
    assert got[0] == ("bold", "What is a covering index?", 3, 4)
    assert [g[2:] for g in got[1:]] == [(8, 8), (9, 9)]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_unicode_text_saved_by_windows_editors_loads(tmp_path: Path, codec: str) -> None:
    notes = "# Criptografía\r\n\r\n## ¿Qué es un hash?\r\nUna función que resume datos.\r\n"
    data = notes.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    got = _load(tmp_path, "cripto.md", data)
    assert got == [("heading", "¿Qué es un hash?", 3, 4)]


def test_a_bad_utf16_file_is_one_clear_line(tmp_path: Path) -> None:
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "broken.md").write_bytes(b"\xff\xfe" + "# Título\n".encode("utf-16-le") + b"\x00")
    (problem,) = load_corpus(corpus).problems
    assert "\n" not in problem.message and "UTF-16" in problem.message


def test_a_tsv_flashcard_export_is_read(tmp_path: Path) -> None:
    cards = (
        "What is a codon?\tA sequence of three nucleotides that codes for one amino acid.\n"
        "What does mRNA do?\tIt carries the genetic code from the nucleus to the ribosome.\n"
    )
    got = _load(tmp_path, "biology.tsv", cards)
    assert got == [
        ("qa", "What is a codon?", 1, 1),
        ("qa", "What does mRNA do?", 2, 2),
    ]


BULLETS = """\
# Distributed transactions

- Explain the FLP impossibility result
  - No deterministic consensus protocol always terminates in an asynchronous system.
  - It is why practical systems use timeouts.
- Describe two-phase commit
  - A coordinator asks all participants to prepare.
  - Then it tells them all to commit or abort.
- What is a vector clock
  - A list of counters, one per node, that orders events causally.
"""


def test_request_bullets_over_nested_answers_are_questions(tmp_path: Path) -> None:
    got = _load(tmp_path, "tx.md", BULLETS)
    assert got == [
        ("list", "Explain the FLP impossibility result", 3, 5),
        ("list", "Describe two-phase commit", 6, 8),
        ("list", "What is a vector clock?", 9, 10),
    ]


def test_a_numbered_step_that_only_wraps_is_no_question(tmp_path: Path) -> None:
    notes = """\
# A/B testing

Run the test in five steps; each one matters for the result.

1. Pick one metric and write it down before the test starts.
2. Compare with a two-proportion test, and report the confidence
   interval next to the p-value.
3. Ship only when the interval excludes zero.
"""
    got = _load(tmp_path, "ab.md", notes)
    assert all(kind != "list" for kind, *_ in got)


def test_documents_not_read_in_place_are_named_with_what_to_do(tmp_path: Path) -> None:
    corpus = tmp_path / "notes"
    (corpus / "img").mkdir(parents=True)
    (corpus / "os.org").write_text("* What is a process?\nA running program.\n", "utf-8")
    (corpus / "linalg.ipynb").write_text("{}", "utf-8")
    (corpus / "thesis.docx").write_bytes(b"PK\x03\x04")
    (corpus / "img" / "diagram.png").write_bytes(b"\x89PNG")
    (corpus / ".obsidian").mkdir()
    (corpus / ".obsidian" / "page.html").write_text("<html></html>", "utf-8")
    # A notebook converted already (its note beside it) is read through that note.
    (corpus / "done.ipynb").write_text("{}", "utf-8")
    (corpus / "done.md").write_text("---\nconverted_from: done.ipynb\n---\n# Done\n", "utf-8")
    found = {p.source: p.message for p in unread_files(corpus)}
    assert set(found) == {"os.org", "linalg.ipynb", "thesis.docx"}
    assert "interviewer add" in found["os.org"] and "Org-mode" in found["os.org"]
    assert "Jupyter notebook" in found["linalg.ipynb"]
    assert "interviewer add" not in found["thesis.docx"] and "Markdown" in found["thesis.docx"]
    assert all("\n" not in m for m in found.values())


def test_the_questions_command_warns_about_documents_it_does_not_read(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from interviewer.cli import app

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "tx.md").write_text(BULLETS, "utf-8")
    (corpus / "os.org").write_text("* What is a process?\nA running program.\n", "utf-8")
    result = CliRunner().invoke(app, ["questions", "--corpus", str(corpus), "--json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 3
    assert "warning: os.org: Org-mode notes, not read in place" in result.stderr


NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {},
         "source": ["# Linear algebra\n", "\n", "## What is an eigenvector?\n",
                    "A non-zero vector whose direction a linear map leaves unchanged.\n"]},
        {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [
            {"output_type": "stream", "name": "stdout", "text": ["OUTPUT-NOT-NOTES\n"]}],
         "source": ["import numpy as np\n", "np.linalg.eig([[2, 0], [0, 3]])"]},
        {"cell_type": "markdown", "metadata": {},
         "source": "## What is the rank of a matrix?\nThe number of independent columns."},
    ],
    "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}  # fmt: skip

ORG = """\
#+TITLE: Operating systems
#+STARTUP: overview
# a comment line, not a heading
* Processes
:PROPERTIES:
:ID: 1234
:END:
** What is a context switch?
Saving one thread's *registers* and restoring another's; see [[https://example.org/cs][this page]]
and [[file:fork.org][the fork notes]].
#+BEGIN_SRC c
int pid = fork();
#+END_SRC
** Scheduling terms
- quantum :: the time slice a thread runs before the scheduler may preempt it
- niceness :: a hint that lowers a process's priority relative to others
"""

RST = """\
=================
Operating systems
=================

What is a page fault?
---------------------

An exception when a process touches an unmapped page; the kernel loads it from disk.

.. note:: A minor fault finds the page in memory already.

What is thrashing?
------------------

Paging takes more time than running, because the working sets do not fit::

    vmstat 1

.. a comment that is no note
"""


def test_add_converts_a_notebook_org_and_rst_into_notes(tmp_path: Path) -> None:
    from interviewer.documents import add_documents
    from interviewer.settings import load_settings

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "sub").mkdir()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (corpus / "sub" / "linalg.ipynb").write_text(json.dumps(NOTEBOOK, indent=1), "utf-8")
    (inbox / "os.org").write_text(ORG, "utf-8")
    (inbox / "vm.rst").write_text(RST, "utf-8")
    assert len(unread_files(corpus)) == 1
    _, report = add_documents(
        load_settings(corpus=corpus),
        [str(corpus / "sub" / "linalg.ipynb"), str(inbox / "os.org"), str(inbox / "vm.rst")],
    )
    assert [i.source for i in report.items] == ["sub/linalg.md", "os.md", "vm.md"]
    assert unread_files(corpus) == []  # the notebook is read through its note now
    docs = {d.source: d for d in load_corpus(corpus).documents}
    asked = {src: [u.question for u in units_of(d)] for src, d in docs.items()}
    assert asked["sub/linalg.md"] == ["What is an eigenvector?", "What is the rank of a matrix?"]
    linalg = (corpus / "sub" / "linalg.md").read_text("utf-8")
    assert "```python\nimport numpy" in linalg and "OUTPUT-NOT-NOTES" not in linalg
    assert "What is a context switch?" in asked["os.md"]
    org = (corpus / "os.md").read_text("utf-8")
    assert "title: Operating systems" in org and "a comment line" not in org
    assert "[this page](https://example.org/cs)" in org and ":ID:" not in org
    assert "and the fork notes." in org
    assert "```c\nint pid = fork();\n```" in org and "**registers**" in org
    assert "- **quantum**: the time slice" in org
    assert asked["vm.md"][:2] == ["What is a page fault?", "What is thrashing?"]
    rst = (corpus / "vm.md").read_text("utf-8")
    assert "# Operating systems" in rst and "## What is a page fault?" in rst
    assert "> **Note:** A minor fault" in rst and "```\nvmstat 1\n```" in rst
    assert "a comment that is no note" not in rst and "fit:" in rst


def test_a_broken_notebook_adds_nothing_and_says_why_in_one_line(tmp_path: Path) -> None:
    from interviewer.documents import add_documents
    from interviewer.errors import CorpusError
    from interviewer.settings import load_settings

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (tmp_path / "bad.ipynb").write_text('{"cells": [', "utf-8")
    (tmp_path / "ok.org").write_text(ORG, "utf-8")
    with pytest.raises(CorpusError) as err:
        add_documents(
            load_settings(corpus=corpus), [str(tmp_path / "ok.org"), str(tmp_path / "bad.ipynb")]
        )
    assert "not a valid Jupyter notebook" in str(err.value) and "\n" not in str(err.value)
    assert list(corpus.iterdir()) == []


def test_a_logical_or_in_a_sentence_is_no_table_row() -> None:
    line = "In C, a || b is true when either side is true, and stops at the first true one."
    assert answer_line(line) == line
    # A real row without its outer pipes still reads as one.
    assert answer_line("What is a pipe? | A kernel buffer between two processes.") == (
        "A kernel buffer between two processes."
    )


LANGUAGES = """\
# Languages

## C#
C# is a statically typed language that runs on a managed runtime with garbage collection.

## F# ##
F# is a functional-first language with type inference, pattern matching and immutable data.

## <a name="gc"></a> What is garbage collection?
Automatic reclamation of memory that the program can no longer reach.

## [What is a closure?](#closure)
A function together with the variables it captured where it was defined.

> **Q:** What is currying?
> **A:** Turning a function of several arguments into a chain of one-argument functions.
"""


def test_headings_that_end_in_a_hash_link_within_the_page_or_hold_html(tmp_path: Path) -> None:
    got = _load(tmp_path, "lang.md", LANGUAGES)
    assert got == [
        ("topic", "What is C#, and when would you use it?", 3, 4),
        ("topic", "What is F#, and when would you use it?", 6, 7),
        ("heading", "What is garbage collection?", 9, 10),
        ("heading", "What is a closure?", 12, 13),
        ("qa", "What is currying?", 15, 16),
    ]
    _meta, sections, _ = parse_markdown("lang.md", LANGUAGES)
    assert [s.heading_path[-1] for s in sections if s.level == 2 and not s.virtual] == [
        "C#", "F#", "What is garbage collection?", "What is a closure?",
    ]  # fmt: skip
    assert answer_line("> **A:** Turning a function.") == "Turning a function."


def test_spanish_question_lines_of_their_own(tmp_path: Path) -> None:
    notes = """\
# Sistemas operativos

¿Qué es un proceso?
Un programa en ejecución con su propio espacio de direcciones, registros y archivos.

¿Cuándo ocurre un cambio de contexto?
Cuando el núcleo atiende una interrupción o una llamada al sistema y elige otro hilo.
"""
    got = _load(tmp_path, "so.md", notes)
    assert got == [
        ("qa", "¿Qué es un proceso?", 3, 4),
        ("qa", "¿Cuándo ocurre un cambio de contexto?", 6, 7),
    ]
    paragraph = """# Memoria

¿Qué es la paginación? La memoria se divide en páginas de tamaño fijo que el sistema
carga bajo demanda desde el disco.
"""
    assert _load(tmp_path, "mem.md", paragraph) == [("qa", "¿Qué es la paginación?", 3, 4)]


def test_an_anki_export_with_html_fields_and_a_tags_column(tmp_path: Path) -> None:
    export = (
        "#separator:tab\n#html:true\n#tags column:3\n"
        "What is <b>mitosis</b>?\tCell division into two <b>identical</b> daughter cells."
        "\tbio::cells\n"
        "What is meiosis?\tDivision into four haploid gametes<br>with genetic&nbsp;variation."
        "\tbio\n"
    )
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "cells.txt").write_text(export, encoding="utf-8")
    (doc,) = load_corpus(corpus).documents
    assert [(u.question, u.line_start) for u in units_of(doc)] == [
        ("What is mitosis?", 4), ("What is meiosis?", 5),
    ]  # fmt: skip
    # The export's settings make no section, and an answer is its text: no tags, no HTML.
    assert all(s.line_start >= 4 for s in doc.sections)
    texts = [s.text for s in doc.sections]
    assert texts == [
        "Cell division into two identical daughter cells.",
        "Division into four haploid gametes with genetic variation.",
    ]
    assert answer_line(export.split("\n")[4]) == texts[1]


def test_doctor_names_the_documents_it_does_not_read(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from interviewer.cli import app

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "tx.md").write_text(BULLETS, "utf-8")
    (corpus / "linalg.ipynb").write_text(json.dumps(NOTEBOOK), "utf-8")
    result = CliRunner().invoke(app, ["doctor", "--no-llm", "--corpus", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "warning: linalg.ipynb: a Jupyter notebook, not read in place" in result.stderr


def test_quoted_flashcard_fields_read_without_their_quotes(tmp_path: Path) -> None:
    cards = '"What is a ""zombie"" process?"\t"A child that exited but was not reaped yet."\n'
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "os.tsv").write_text(cards, encoding="utf-8")
    (doc,) = load_corpus(corpus).documents
    assert [u.question for u in units_of(doc)] == ['What is a "zombie" process?']
    assert doc.sections[-1].text == "A child that exited but was not reaped yet."


def test_a_notes_file_given_as_the_corpus_says_what_to_pass(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from interviewer.cli import app

    note = tmp_path / "os.md"
    note.write_text("# What is a process?\nA running program.\n", "utf-8")
    result = CliRunner().invoke(app, ["questions", "--corpus", str(note)])
    assert result.exit_code != 0
    line = str(result.exception)
    assert "\n" not in line and "is not a directory" in line
    assert f"--corpus {tmp_path}" in line and f"interviewer add {note}" in line


def test_q_and_a_labels_as_list_items(tmp_path: Path) -> None:
    notes = """\
# Kubernetes

- Q: What is a DaemonSet?
- A: A controller that runs one copy of a pod on every node, for node agents.
- Q: What is a StatefulSet?
- A: A controller that gives pods stable names and their own volumes, in order.
"""
    got = _load(tmp_path, "k8s.md", notes)
    assert got == [
        ("qa", "What is a DaemonSet?", 3, 4),
        ("qa", "What is a StatefulSet?", 5, 6),
    ]
    assert answer_line("- A: A controller.") == "A controller."


def test_task_list_questions_lose_their_checkbox(tmp_path: Path) -> None:
    notes = """\
# Review list

- [x] What is a B-tree?
  - A balanced search tree whose nodes hold many keys, so lookups touch few pages.
- [ ] **What is a bloom filter?**
  A bit array and k hash functions that say "maybe present" or "surely absent".
"""
    got = _load(tmp_path, "review.md", notes)
    assert got == [
        ("list", "What is a B-tree?", 3, 4),
        ("bold", "What is a bloom filter?", 5, 6),
    ]


def test_a_definition_list_after_questions_gives_topics_of_its_own(tmp_path: Path) -> None:
    notes = """\
# Sistemas operativos

¿Qué es un proceso?
Un programa en ejecución con su propio espacio de direcciones, registros y archivos.

Memoria virtual
: Cada proceso ve un espacio de direcciones propio que el sistema traduce a memoria física.

Paginación
: La memoria se divide en páginas de tamaño fijo que se cargan bajo demanda desde el disco.
  Una página ausente provoca un fallo de página.
"""
    got = _load(tmp_path, "so.md", notes)
    assert got == [
        ("qa", "¿Qué es un proceso?", 3, 4),
        ("topic", "Memoria virtual: ¿qué es y cuándo se usa?", 6, 7),
        ("topic", "Paginación: ¿qué es y cuándo se usa?", 9, 11),
    ]
    (doc,) = load_corpus(tmp_path / "notes").documents
    process = next(s for s in doc.sections if s.question == "¿Qué es un proceso?")
    assert "Memoria" not in process.text


def test_r_markdown_and_quarto_notes_are_markdown(tmp_path: Path) -> None:
    notes = """\
---
title: "Regression"
format: html
---

## What does a residual plot show?
Whether the errors look like noise around zero; a pattern means the model misses
structure in the data.

```{r}
plot(fit, which = 1)
```
"""
    for name in ("stats.qmd", "stats.Rmd"):
        (tmp_path / name).mkdir()
        got = _load(tmp_path / name, name, notes)
        assert got == [("heading", "What does a residual plot show?", 6, 12)]


def test_vault_marks_are_no_words_of_an_answer() -> None:
    assert answer_line("A stable virtual IP for a set of pods. ^svc1") == (
        "A stable virtual IP for a set of pods."
    )
    assert answer_line("It ==decouples== clients from pod churn #networking #k8s/core") == (
        "It decouples clients from pod churn"
    )
    # Not marks: a "#" inside a word, an equality, code.
    assert answer_line("C# and F# run on .NET; a==b compares.") == (
        "C# and F# run on .NET; a==b compares."
    )
    code = "Use `#include <x.h>` in C #c"
    assert answer_line(code) == code


def test_a_vocabulary_deck_of_terms_and_a_header_row(tmp_path: Path) -> None:
    deck = (
        "Term\tDefinition\n"
        "osmosis\tthe movement of water across a membrane toward higher solute concentration\n"
        "diffusion\tthe spread of particles from high to low concentration\n"
    )
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "biology.tsv").write_text(deck, encoding="utf-8")
    (doc,) = load_corpus(corpus).documents
    got = [(u.kind, u.heading_path, u.line_start, u.line_end) for u in units_of(doc)]
    # The header row names columns: no title of the file, no term.
    assert got == [
        ("topic", ["biology", "osmosis"], 2, 2),
        ("topic", ["biology", "diffusion"], 3, 3),
    ]
    assert answer_line(deck.split("\n")[2]) == (
        "diffusion — the spread of particles from high to low concentration"
    )


def test_many_documents_left_out_are_summed_up_in_one_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from interviewer.cli import app

    corpus = tmp_path / "vault"
    (corpus / "attachments").mkdir(parents=True)
    (corpus / "tx.md").write_text(BULLETS, "utf-8")
    for n in range(7):
        (corpus / "attachments" / f"paper{n}.pdf").write_bytes(b"%PDF-1.4")
    result = CliRunner().invoke(app, ["questions", "--corpus", str(corpus), "--json"])
    assert result.exit_code == 0, result.output
    warnings = [ln for ln in result.stderr.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 4 and "attachments/paper0.pdf: a PDF" in warnings[0]
    assert "and 4 more documents not read in place" in warnings[-1]
    from interviewer.audit import run_audit
    from interviewer.settings import load_settings

    report = run_audit(load_settings(corpus=corpus), use_embeddings=False)
    assert sum("not read in place" in p for p in report.problems) == 7
