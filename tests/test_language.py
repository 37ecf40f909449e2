"""Language detection from stop-word frequencies (data files, no subject words)."""

from __future__ import annotations

import pytest

from interviewer.language import detect_language, is_english, stopword_lists


def test_stopword_lists_are_installed_data() -> None:
    lists = stopword_lists()
    assert {"en", "es", "fr", "de", "pt"} <= set(lists)
    assert "the" in lists["en"] and "los" in lists["es"]


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("How would you shard a relational database across several servers?", "en"),
        ("¿Cómo repartirías una base de datos relacional entre varios servidores?", "es"),
        ("Il y a un interblocage quand les processus attendent une ressource", "fr"),
        ("Ein Deadlock entsteht, wenn zwei Prozesse aufeinander warten", "de"),
        ("What is a B-tree index and when does it help?", "en"),
    ],
)
def test_detects_whole_sentences(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_short_and_ambiguous_texts() -> None:
    # Keyword queries with no stop words stay English; accents without stop words
    # are "some other language"; no words at all is undetermined.
    assert is_english("B-tree index page split")
    assert is_english("L1 L2 3x3")
    assert not is_english("replicación maestro-esclavo")
    assert detect_language("?? 42 !!") == "und"
    assert not is_english("теорема о центральной предельной")
    # Words shared by English and Spanish ("no") do not decide on their own.
    assert is_english("no")
