"""The model's refinement scores a partly covered compound point as the grounded grade
does: by the share of the point's parts the answer made, not a flat one half."""

from __future__ import annotations

import pytest

from interviewer.grading import Grader, GradingParams
from interviewer.settings import Settings
from tests.ollama_server import OllamaServer, Reply

NOTES = """\
# Trees

## What is a decision tree?

A decision tree is a flowchart-like structure in which each internal node represents a
test on an attribute, each branch represents the outcome of the test, and each leaf node
represents a class label.

Trees are grown greedily, choosing at each node the split with the largest impurity
reduction.

Deep trees overfit the training data unless they are pruned or their depth is limited.
"""
QUESTION = "What is a decision tree?"
# Two of the three parts of the first point, nothing of the others.
ANSWER = "Each branch represents the outcome of the test. Each leaf node represents a class label."
# Points covered by meaning alone (no lexical rule), so that the first point is partly
# covered, by the share of its parts made.
PARAMS = GradingParams(lex_covered=2.0, lex_strong=2.0, sim_label=1.01)


@pytest.fixture
def model_grader(tmp_path_factory: pytest.TempPathFactory, ollama_server: OllamaServer) -> Grader:
    from interviewer.llm import make_llm

    corpus = tmp_path_factory.mktemp("trees-corpus")
    (corpus / "trees.md").write_text(NOTES, encoding="utf-8")
    settings = Settings(
        home=tmp_path_factory.mktemp("trees-home"), corpus=corpus, use_llm=True,
        ollama_host=ollama_server.url,
    )  # fmt: skip
    return Grader(settings, llm=make_llm(settings), params=PARAMS)


def test_the_model_path_keeps_the_share_of_a_compound_point(
    model_grader: Grader, ollama_server: OllamaServer
) -> None:
    grounded = model_grader.grade_grounded(QUESTION, ANSWER)
    [compound] = [p for p in grounded.partial if p.text.startswith("A decision tree")]
    assert compound.credit is not None and compound.credit > 0.5
    ollama_server.reply(
        Reply(
            content={
                "critique": "A leaf holds a class label only in a classification tree.",
                "incorrect": [
                    {
                        "claim": "Each leaf node represents a class label.",
                        "correction": "In a regression tree a leaf node holds a value.",
                        "source_id": "S1",
                    }
                ],
                "agree_missed": [],
                "disputed_missed": [],
                "follow_up": None,
            }
        )
    )
    fb = model_grader.refine_with_llm(grounded, QUESTION, ANSWER)
    assert fb.engine.startswith("ollama:") and fb.model_error is None
    assert [c.source for c in fb.incorrect] == ["model"] and fb.incorrect[0].in_notes
    # The claim the model proves wrong costs the contradiction penalty and nothing
    # more: the compound point keeps its share (at a flat one half it would lose more).
    penalty = PARAMS.contradiction_penalty
    assert fb.score == round(max(0.0, grounded.score - penalty), 1)
