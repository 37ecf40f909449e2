"""Grading defects a new user's trial found: notes too short for the usual extraction
rules (one short sentence, a formula, a code listing) gave no key points and a wrong
"no notes" verdict; ".NET" lost its space; a follow-up on Spanish notes came in English;
a follow-up asked about "anything security"."""

from __future__ import annotations

from pathlib import Path

import pytest

from interviewer.corpus import is_stub_text, load_corpus
from interviewer.grading import Grader, GradingParams
from interviewer.grading.feedback_text import follow_up_question, key_phrase
from interviewer.settings import Settings
from interviewer.text import clean_markdown

SHORT = """## What is a nonce?
A number used once.

## What is HMAC?
A keyed hash: H((K xor opad) || H((K xor ipad) || m)).
It resists length extension.
"""

CODE = """# How do you count words in a string?

```python
def count_words(s):
    return len(s.split())
```
"""

INTRODUCED_CODE = """# How do you reverse a list in place?

If you are on Python 3:

```python
items = [1, 2, 3]
items.reverse()
```
"""

MD5 = """# Hashing

## Why is MD5 no longer trusted?

- Collisions for MD5 can be computed in seconds on a laptop.
- Never use MD5 for anything security related.
"""

SPANISH = """# Criptografía

## ¿Qué es una función hash?

Una función hash resume datos de cualquier tamaño en un valor de tamaño fijo.
Dos entradas distintas casi nunca dan el mismo valor.
"""


def _grader(root: Path, files: dict[str, str]) -> Grader:
    notes = root / "notes"
    notes.mkdir()
    for name, text in files.items():
        (notes / name).write_text(text, encoding="utf-8")
    settings = Settings(home=root / "home", corpus=notes, use_llm=False)
    return Grader.open(settings, use_llm=False, params=GradingParams())


@pytest.fixture(scope="module")
def grader(tmp_path_factory: pytest.TempPathFactory) -> Grader:
    root = tmp_path_factory.mktemp("user-defects")
    files = {"crypto.md": SHORT, "code.md": CODE, "intro.md": INTRODUCED_CODE, "md5.md": MD5}
    return _grader(root, files)


def _question(grader: Grader, text: str):  # type: ignore[no-untyped-def]
    q = grader.find_question(text)
    assert q is not None, text
    return q


# ---- 1. short or formula answers ------------------------------------------------------------


@pytest.mark.parametrize("question", ["What is a nonce?", "What is HMAC?"])
def test_short_or_formula_notes_give_key_points(grader: Grader, question: str) -> None:
    q = _question(grader, question)
    assert q.notes_status == "ok" and q.key_points
    fb = grader.grade(question, "I am not sure.")
    assert fb.grounded and fb.notes_status == "ok", fb.critique
    assert "No notes to grade against" not in fb.critique
    assert fb.missed


def test_a_short_answer_is_graded_against_the_short_notes(grader: Grader) -> None:
    good = grader.grade("What is a nonce?", "A number that is used only once.")
    off = grader.grade("What is a nonce?", "A table of the database.")
    assert good.covered and good.score > off.score
    hmac = grader.grade("What is HMAC?", "A keyed hash, H((K xor opad) || H((K xor ipad) || m)).")
    assert any("keyed hash" in p.text for p in hmac.covered + hmac.partial), hmac.missed


def test_every_question_with_real_notes_has_a_key_point(grader: Grader) -> None:
    """The rule in general: the loader's "real notes" (not a stub) is never a question
    the grader has nothing to grade against."""
    docs = load_corpus(grader.settings.corpus_dir).documents
    sections = {s.id: s for d in docs for s in d.sections}
    for q in grader.bank.questions:
        body = "\n".join(sections[i].text for i in q.material_sections)
        if not is_stub_text(body):
            assert q.notes_status == "ok" and q.key_points, q.text


def test_the_grade_command_grades_short_notes(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from interviewer.cli import app

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "crypto.md").write_text(SHORT, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["grade", "--corpus", str(notes), "--no-llm", "--question", "What is HMAC?",
         "--answer", "A keyed hash function."],
        env={"INTERVIEWER_HOME": str(tmp_path / "home")},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "no notes" not in result.output and "Not graded" not in result.output


# ---- 2. code-only answers -------------------------------------------------------------------


def test_code_only_notes_are_a_point_the_answer_is_compared_with(grader: Grader) -> None:
    question = "How do you count words in a string?"
    q = _question(grader, question)
    assert q.notes_status == "ok"
    assert any("count_words" in kp.text and "split" in kp.text for kp in q.key_points)
    fb = grader.grade(question, "I would loop over it.")
    assert fb.grounded and fb.notes_status == "ok"
    assert any("split" in p.text for p in fb.missed)
    # The follow-up asks for the code, not about a name read out of it ("return len").
    assert fb.follow_up and "code" in fb.follow_up and "len" not in fb.follow_up
    same = grader.grade(question, "def count_words(s):\n    return len(s.split())")
    assert same.covered and same.score > fb.score


def test_a_line_that_introduces_code_is_not_the_point(grader: Grader) -> None:
    q = _question(grader, "How do you reverse a list in place?")
    assert [kp.text for kp in q.key_points] == ["items = [1, 2, 3] items.reverse()"]


# ---- 3. punctuation inside a word -----------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C# runs on the .NET runtime", "C# runs on the .NET runtime"),
        ("Scale by .5 first", "Scale by .5 first"),
        ("It is fast , cheap ; and simple .", "It is fast, cheap; and simple."),
        ("One : two", "One: two"),
    ],
)
def test_punctuation_is_pulled_back_only_where_it_ends_a_word(raw: str, clean: str) -> None:
    assert clean_markdown(raw) == clean


# ---- 4. follow-up on Spanish notes ----------------------------------------------------------


def test_follow_up_on_spanish_notes_is_in_spanish(tmp_path: Path) -> None:
    g = _grader(tmp_path, {"cripto.md": SPANISH})
    fb = g.grade("¿Qué es una función hash?", "No lo sé.")
    assert fb.missed and fb.follow_up
    assert "Your notes" not in fb.follow_up and "¿" in fb.follow_up
    # The same rule under an English wording of the question.
    point = "Una función hash resume datos de cualquier tamaño en un valor de tamaño fijo."
    asked = follow_up_question(point, "What is a hash function?")
    assert "Your notes" not in asked and "¿" in asked
    # English stays English.
    german = "Eine Hashfunktion bildet Daten ab und ist nicht umkehrbar, sagt man."
    assert "Your notes" in follow_up_question(german, "Hash?")


# ---- 5. indefinite pronouns are no subject --------------------------------------------------


def test_no_follow_up_about_anything_something_or_everything(grader: Grader) -> None:
    fb = grader.grade("Why is MD5 no longer trusted?", "Collisions for MD5 are cheap to find.")
    assert any("security" in p.text for p in fb.missed)
    assert fb.follow_up and "anything" not in fb.follow_up
    assert "about security" not in fb.follow_up
    point = "Never use MD5 for anything security related."
    for terms in (["anyth secur"], ["secur"], ["anyth"]):
        assert key_phrase(point, terms) is None
    assert key_phrase("Something else entirely: store a salt with each hash.", ["salt"]) in (
        "salt",
        "the salt",
    )
    for subject in ("anything security", "something else", "everything stored"):
        asked = follow_up_question(point, "Why not MD5?", subject=subject, kind="fact")
        assert subject not in asked
