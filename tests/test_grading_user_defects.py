"""Grading defects a new user's trial found: notes too short for the usual extraction
rules (one short sentence, a formula, a code listing) got a wrong "no notes" verdict
(they are now quoted instead of graded); ".NET" lost its space; a follow-up on Spanish
notes came in English; a follow-up asked about "anything security"."""

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
    files = {"crypto.md": SHORT, "code.md": CODE, "md5.md": MD5}
    return _grader(root, files)


def _question(grader: Grader, text: str):  # type: ignore[no-untyped-def]
    q = grader.find_question(text)
    assert q is not None, text
    return q


# ---- 1-2. notes too short for key points, or only code --------------------------------------
#
# Such notes are quoted, not graded: a key point made of a one-line pointer or reminder
# ("See chapter 4.", "Ask about this later.") would mark a right answer wrong, and the
# grader cannot tell those from a one-line answer.


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        ("What is a nonce?", "A number used once."),
        ("What is HMAC?", "A keyed hash: H((K xor opad)"),
        ("How do you count words in a string?", "return len(s.split())"),
    ],
)
def test_short_or_code_only_notes_are_quoted_not_graded(
    grader: Grader, question: str, quoted: str
) -> None:
    q = _question(grader, question)
    assert q.notes_status == "stub" and not q.key_points
    assert q.notes_excerpt and quoted in q.notes_excerpt
    fb = grader.grade(question, "I am not sure.")
    assert not fb.grounded and fb.score == 0 and fb.notes_excerpt == q.notes_excerpt
    assert quoted in fb.critique and "No notes to grade against" not in fb.critique


def test_every_question_with_real_notes_has_key_points_or_an_excerpt(grader: Grader) -> None:
    """The rule in general: the loader's "real notes" (not a stub) are never reported
    as no notes: either they give key points or they are quoted."""
    docs = load_corpus(grader.settings.corpus_dir).documents
    sections = {s.id: s for d in docs for s in d.sections}
    for q in grader.bank.questions:
        body = "\n".join(sections[i].text for i in q.material_sections)
        if not is_stub_text(body):
            assert q.key_points or q.notes_excerpt, q.text


POINTERS = """## What is a foreign key?
See the Constraints section.

## What is a covering index?
Covered in lecture 3.

## What is a phantom read?
Ask about this in office hours.
"""


def test_pointers_and_reminders_make_no_key_points(tmp_path: Path) -> None:
    """A right answer to a question whose notes only point elsewhere is not scored 0
    against the pointer."""
    g = _grader(tmp_path, {"db.md": POINTERS})
    for q in g.bank.questions:
        assert not q.key_points, (q.text, [kp.text for kp in q.key_points])
    fb = g.grade(
        "What is a foreign key?",
        "A column that references the primary key of another table.",
    )
    assert not fb.grounded and not fb.missed and not fb.incorrect


def test_the_grade_command_quotes_short_notes(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from interviewer.cli import app

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "crypto.md").write_text(SHORT, encoding="utf-8")
    result = CliRunner().invoke(
        app,
        ["grade", "--corpus", str(notes), "--no-llm", "--question", "What is a nonce?",
         "--answer", "A number used only once."],
        env={"INTERVIEWER_HOME": str(tmp_path / "home")},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "no notes under" not in out
    assert "too short" in out and "A number used once." in out


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
    # (A vague answer: "No lo sé" gets the points to learn and no follow-up.)
    fb = g.grade("¿Qué es una función hash?", "Depende del caso.")
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
