"""Notes whose answer to a question is written wholly in another language: that answer
is the rubric (its sentences are key points), an English answer that says the same is
credited by meaning, and the follow-up never names a point by a foreign fragment.
A foreign aside inside English notes stays out of the key points."""

from __future__ import annotations

import pytest

from interviewer.grading import Grader, GradingParams
from interviewer.settings import Settings

NOTES = """# Networking notes

## Transport

**What does TCP add on top of IP?**

TCP gives an ordered, reliable byte stream: it numbers the bytes, acknowledges what
arrived and retransmits what was lost. It also does flow control with a receive window
and congestion control, so a sender slows down when the network is full.
Ojo: repasar esto con calma.

## Application layer

**Why does a content delivery network make a site faster?**

Una red de distribución de contenido guarda copias del contenido estático en
servidores repartidos por todo el mundo, cerca de los usuarios. Cada petición va al
servidor más cercano, así que baja la latencia y el servidor de origen recibe mucho
menos tráfico. Lo difícil es invalidar las copias cuando el contenido cambia.
"""


@pytest.fixture(scope="module")
def grader(tmp_path_factory: pytest.TempPathFactory) -> Grader:
    root = tmp_path_factory.mktemp("foreign")
    (root / "notes").mkdir()
    (root / "notes" / "net.md").write_text(NOTES, encoding="utf-8")
    settings = Settings(home=root / "home", corpus=root / "notes", use_llm=False)
    return Grader.open(settings, use_llm=False, params=GradingParams())


def test_an_answer_written_in_another_language_is_the_rubric(grader: Grader) -> None:
    q = "Why does a content delivery network make a site faster?"
    empty = grader.grade(q, "I don't know.")
    assert len(empty.missed) >= 2, "the Spanish answer gave no key points"
    good = grader.grade(
        q,
        "It keeps copies of static content on servers spread around the world near the "
        "users; each request goes to the nearest server, so latency drops and the origin "
        "gets far less traffic. The hard part is invalidating those copies when content "
        "changes.",
    )
    assert good.score >= 6, good
    assert len(good.covered) > len(good.missed)
    off = grader.grade(q, "A primary key identifies a row of a table.")
    assert off.score < good.score and not off.covered
    # No foreign fragment offered as a name ("What can you tell me about Cada petición").
    # (A vague answer: "I don't know" gets the points to learn and no follow-up.)
    up = grader.grade(q, "It depends.").follow_up
    assert up and up.endswith("?")
    assert not any(w in up for w in ("Cada", "Una red", "Lo difícil"))


def test_a_foreign_aside_in_english_notes_is_not_a_point(grader: Grader) -> None:
    fb = grader.grade("What does TCP add on top of IP?", "I don't know.")
    texts = " ".join(p.text for p in fb.missed)
    assert "retransmits" in texts
    assert "repasar" not in texts
