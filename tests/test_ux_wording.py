"""Wording the user sees: a "do"-supported question's subject, the empty search query,
the follow-up's key phrase, Spanish topic questions' number and gender."""

from __future__ import annotations

import pytest

from interviewer.subjects import subject_label


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        # An -ing modifier opens the object: the verb stands before it.
        ("How does the Adam optimizer adapt learning rates?", "Adam optimizer"),
        # A particle belongs to the verb ("speed up").
        ("How does a database index speed up queries?", "database index"),
        # "of" strands at the end as "to" does.
        ("What does a thread pool consist of?", "thread pool"),
        ("What does HEAD point to?", "HEAD"),
        ("How does the scheduler pick running tasks?", "scheduler"),
        ("How does a hash map handle collisions?", "hash map"),
    ],
)
def test_a_do_supported_question_ends_its_subject_before_the_verb(
    question: str, subject: str
) -> None:
    assert subject_label(question).lower() == subject.lower()


ZOMBIE = (
    "A zombie is a process that has exited but whose parent has not yet called wait on "
    "it. If the parent dies first, init adopts and reaps the orphan."
)
COMMIT = "Git names each commit by its SHA-1 hash, written as forty hex characters."


def _term(*words: str) -> str:
    from interviewer.text import stem

    return " ".join(stem(w.lower()) for w in words)


@pytest.mark.parametrize(
    ("point", "term", "phrase"),
    [
        # A relative pronoun opens no noun phrase; the note's article stays.
        (ZOMBIE, _term("whose", "parent"), "the parent"),
        # A number runs on to the noun it counts.
        (COMMIT, _term("forty", "hex"), "forty hex characters"),
        # A verb (and the conjunction after it) ends the phrase.
        (ZOMBIE, _term("init", "adopts", "and"), "init"),
        # A plural noun is no verb: a pause or an auxiliary follows it.
        (
            "Hash collisions are resolved by chaining.",
            _term("hash", "collisions"),
            "Hash collisions",
        ),
        ("LSTMs consist of RNN cells designed to store state.", _term("RNN", "cells"), "RNN cells"),
        # An adjective runs on to its noun.
        (
            "Lookups take logarithmic time in a balanced tree.",
            _term("logarithmic"),
            "logarithmic time",
        ),
    ],
)
def test_the_follow_up_key_phrase_is_a_noun_phrase(point: str, term: str, phrase: str) -> None:
    from interviewer.grading.feedback_text import key_phrase

    assert key_phrase(point, [term]) == phrase


@pytest.mark.parametrize(
    ("point", "term"),
    [
        # An adverb and a participle, no noun: nothing to ask "about".
        ("Services stay loosely coupled through the queue.", _term("loosely", "coupled")),
        # A verb after "to".
        ("Remember to rescale values before training.", _term("rescale", "values")),
        # A lone participle.
        ("Clustering is unsupervised.", _term("unsupervised")),
    ],
)
def test_a_key_term_that_is_no_noun_phrase_is_not_asked_about(point: str, term: str) -> None:
    from interviewer.grading.feedback_text import follow_up_question, key_phrase

    assert key_phrase(point, [term]) is None
    # Asked another way, never about the fragment.
    asked = follow_up_question(
        point, "Why does it matter?", terms=[term], subject=None, kind="fact"
    )
    assert asked.endswith("?") and not any(w in asked for w in ("coupled", "rescale", "unsuperv"))


@pytest.mark.parametrize(
    "subject",
    [
        "is checks identity",
        "Allows for asynchronous processing",
        "tighten up the schema",
        "resources scattered throughout the web on",
        "Avoid NOT IN when the subquery",
        "yet a machine",
    ],
)
def test_a_subject_that_reads_as_a_clause_names_nothing(subject: str) -> None:
    from interviewer.grading.feedback_text import _names_something

    assert not _names_something(subject)


@pytest.mark.parametrize(
    "subject",
    ["the hash", "write-ahead log", "forty hex characters", "TCP", "contents of the header"],
)
def test_a_noun_phrase_names_something(subject: str) -> None:
    from interviewer.grading.feedback_text import _names_something

    assert _names_something(subject)


@pytest.mark.parametrize(
    ("title", "body", "question"),
    [
        # The notes' own singular article before the same word: singular.
        (
            "Interés compuesto",
            "El interés compuesto crece sobre los intereses previos.",
            "¿Qué es el interés compuesto y cuándo se usa?",
        ),
        (
            "Lunes",
            "El lunes es el primer día de la semana laboral en muchos países.",
            "¿Qué es el lunes y cuándo se usa?",
        ),
        # A stressed final syllable in -s is singular.
        (
            "Estrés",
            "Es la respuesta del cuerpo ante una amenaza; daña la salud si dura.",
            "Estrés: ¿qué es y cuándo se usa?",
        ),
        # "el" before a stressed a tells no gender: the plural has no known article.
        (
            "Áreas de memoria",
            "El área de memoria de un proceso se divide en pila y montículo.",
            "Áreas de memoria: ¿qué son y cuándo se usan?",
        ),
        (
            "Agua",
            "El agua es un recurso escaso; el agua potable llega por tuberías.",
            "¿Qué es el agua y cuándo se usa?",
        ),
        (
            "Índices compuestos",
            "Los índices compuestos cubren varias columnas de la tabla.",
            "¿Qué son los índices compuestos y cuándo se usan?",
        ),
    ],
)
def test_a_spanish_topic_takes_number_and_article_from_the_notes(
    title: str, body: str, question: str
) -> None:
    from interviewer.units import topic_question

    assert topic_question(title, body) == question


@pytest.mark.parametrize("title", ["¿?", "El"])
def test_a_spanish_heading_with_no_words_asks_no_fragment(title: str) -> None:
    from interviewer.units import topic_question

    body = "El sistema operativo reparte la memoria entre los procesos que se ejecutan."
    asked = topic_question(title, body)
    assert asked.startswith("¿") and asked.endswith("?")
    assert "?:" not in asked and " el y " not in asked


@pytest.mark.parametrize(
    ("title", "body", "question"),
    [
        # A line of the notes opens a sentence: the noun bare before its verb is a name.
        (
            "Write-through",
            "```\ncache.set(key, value)\n```\nWrite-through is slow but safe.",
            "What is write-through, and when would you use it?",
        ),
        # Bare after a preposition at a clause's end.
        (
            "Write-behind",
            "In write-behind, the application writes to the cache only.",
            "What is write-behind, and when would you use it?",
        ),
        # The notes count it: the article stays.
        (
            "Load balancer",
            "A load balancer spreads requests over servers.",
            "What is a load balancer, and when would you use one?",
        ),
    ],
)
def test_an_english_topic_takes_an_article_only_where_the_notes_count_it(
    title: str, body: str, question: str
) -> None:
    from interviewer.units import topic_question

    assert topic_question(title, body) == question
