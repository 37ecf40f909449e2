"""BM25 terms: British and American spellings of one word are one term, so a query
written by someone who spells the other way still shares words with the notes."""

from __future__ import annotations

import pytest

from interviewer.retrieval import BM25, tokenize


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("normalise the inputs", "normalize the inputs"),
        ("the model memorises its training set", "the model memorized its training set"),
        ("an optimiser", "an optimizer"),
        ("organisations", "organizations"),
        ("we analysed the logs", "we analyzed the logs"),
        ("odd behaviour", "odd behavior"),
        ("favoured colours", "favored colors"),
        ("the centre of the cluster", "the center of the cluster"),
        ("a product catalogue", "a product catalog"),
    ],
)
def test_spellings_meet_in_one_term(british: str, american: str) -> None:
    assert tokenize(british) == tokenize(american)


def test_short_words_keep_their_own_term() -> None:
    # Words whose ending only looks like a spelling variant stay apart from the words
    # the rules would otherwise fold them into.
    assert tokenize("four hours") != tokenize("for hors")
    assert tokenize("rise") == ["rise"]
    assert tokenize("tour") == ["tour"]
    assert tokenize("entre") != tokenize("enter")  # a Spanish word, not a spelling


def test_a_british_query_finds_american_notes_by_bm25() -> None:
    docs = [
        "Batch normalization rescales each layer's activations to zero mean and unit "
        "variance, which lets the network train with larger learning rates.",
        "Dropout sets random activations to zero during training so that units do not "
        "co-adapt; at test time every unit is kept.",
        "An optimizer such as Adam keeps running averages of the gradients and of their "
        "squares to scale each parameter's step.",
    ]
    bm25 = BM25(docs)
    assert bm25.top("why normalise activations", 1)[0][0] == 0
    assert bm25.top("which optimiser keeps running averages", 1)[0][0] == 2
    # Without the shared term the British query would not reach the first document.
    assert 0 in bm25.scores("normalisation")
