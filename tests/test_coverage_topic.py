"""Coverage that needs more than the topic: a claim that only names what the question
is about earns nothing by similarity alone, reading lists are no points, full stops
inside brackets end no sentence, and a short "X is Y." sentence is a point. On small
notes written here, not on any bundled notes."""

from __future__ import annotations

import pytest

from interviewer.grading import Grader, GradingParams
from interviewer.grading.material import _split_protected
from interviewer.grading.scoring import decide
from tests.notes_grading import grader_over

DEFAULTS = GradingParams()

NOTES = """\
# Message queues

## What is a message queue, and when would you use one?

A message queue stores messages from producers until consumers take them, so the two \
sides do not need to run at the same time.

Queues smooth out bursts of load: producers keep writing while consumers catch up.

Consumers acknowledge each message after processing it, and a message that is never \
acknowledged is delivered again to another consumer.

A queue is durable when it writes each message to disk before acknowledging it.

### Further reading

- [Designing reliable message pipelines for very large systems](https://example.org/a)
- [A practical comparison of four popular brokers](https://example.org/b)

## How does a stream transport keep data intact?

All packets sent are guaranteed to arrive in their original order and without \
corruption, through:

- Sequence numbers and checksums on each packet
- Acknowledgements and automatic retransmission

Ways to tune it:

- Window size: a larger window keeps more packets in flight on links with a long \
round trip, at the cost of more memory.
- Delayed acknowledgements: one acknowledgement covers two packets, halving the \
acknowledgement traffic.

## What is a datagram socket?

The socket is connectionless. Each datagram is sent on its own, with no handshake \
before it and no retransmission when it is lost.
"""

QUEUE = "What is a message queue, and when would you use one?"


@pytest.fixture(scope="module")
def grader(tmp_path_factory: pytest.TempPathFactory) -> Grader:
    return grader_over(tmp_path_factory, NOTES, "queues", file="queues.md")


def _points(grader: Grader, question: str) -> list[str]:
    q = next(q for q in grader.bank.questions if q.text == question)
    return [kp.text for kp in q.key_points]


def test_a_reading_list_of_links_gives_no_points(grader: Grader) -> None:
    points = _points(grader, QUEUE)
    assert any("durable" in p for p in points)
    assert not any("Designing reliable" in p or "comparison of four" in p for p in points)


def test_a_list_completing_a_statement_is_one_point_with_it(grader: Grader) -> None:
    points = _points(grader, "How does a stream transport keep data intact?")
    joined = [p for p in points if p.startswith("All packets sent")]
    assert len(joined) == 1
    assert "Sequence numbers" in joined[0] and "retransmission" in joined[0]
    assert not any(p.startswith("Acknowledgements and automatic") for p in points)
    # Labelled items under a short lead-in stay points of their own.
    assert any(p.startswith("Window size") for p in points)
    assert any(p.startswith("Delayed acknowledgements") for p in points)


def test_a_short_statement_is_a_point(grader: Grader) -> None:
    points = _points(grader, "What is a datagram socket?")
    assert "The socket is connectionless." in points


def test_full_stops_inside_brackets_or_code_end_no_sentence() -> None:
    text = "It is written `f(a ... b)` in code. Calls like g(x ... y) stay whole. Next."
    assert _split_protected(text) == [
        "It is written `f(a ... b)` in code.",
        "Calls like g(x ... y) stay whole.",
        "Next.",
    ]


def test_padding_that_only_names_the_topic_earns_nothing(grader: Grader) -> None:
    padded = (
        "Message queues are a critical and fundamental building block of every large "
        "modern system, and they are incredibly important for many reasons. Every "
        "engineer knows message queues well."
    )
    right = (
        "A message queue keeps messages from producers until consumers read them, so "
        "the two sides need not run at the same time, and it absorbs bursts of load. "
        "Consumers acknowledge messages; unacknowledged ones are delivered again."
    )
    fb_pad = grader.grade(QUEUE, padded)
    fb_right = grader.grade(QUEUE, right)
    assert fb_right.score >= 6
    assert fb_pad.score <= 2 and not fb_pad.covered


def test_a_cosine_no_higher_than_the_questions_is_capped(grader: Grader) -> None:
    import numpy as np

    from interviewer.grading.assess import _only_topic

    # Low thresholds, so that every point's cosine to the question is above them.
    g = grader.with_params(DEFAULTS.model_copy(update={"sim_paraphrase": 0.1,
                                                        "sim_partial_alone": 0.1}))  # fmt: skip
    q = next(q for q in g.bank.questions if q.text == QUEUE)
    pvecs = np.stack([g._vector(kp) for kp in q.key_points])
    qsim = pvecs @ g._embed_many([q.text])[0]
    assert (qsim > 0.1).all()
    m = g.params.topic_margin
    # Claim 0 is as close to each point as the question is, claim 1 much closer,
    # claim 2 the same as claim 0 but in another language, claim 3 the same as claim 0
    # but with the similarity of the point's core (not comparable with the question's).
    sims = np.stack([qsim + m / 2, qsim + m + 0.2, qsim + m / 2, qsim + m / 2], axis=1)
    boosted = np.zeros(sims.shape, dtype=bool)
    boosted[:, 3] = True
    _only_topic(g, q, pvecs, sims, foreign=[2], boosted=boosted)
    assert (sims[:, 0] < 0.1).all()
    assert np.allclose(sims[:, 1], qsim + m + 0.2)
    assert np.allclose(sims[:, 2], qsim + m / 2)
    assert np.allclose(sims[:, 3], qsim + m / 2)


def test_a_close_paraphrase_partly_covers_without_shared_words() -> None:
    p = DEFAULTS
    below = p.sim_partial_alone - 0.01
    assert decide(below, 0.0, 0, p) == 0
    assert decide(p.sim_partial_alone, 0.0, 0, p) == 1


def test_a_word_and_its_negating_prefix_are_two_points() -> None:
    from interviewer.grading.points import prefix_opposed

    assert prefix_opposed(
        "Asynchronously write the entry to the data store.",
        "The cache synchronously writes the entry to the data store.",
    )
    assert not prefix_opposed(
        "The cache writes the entry to the data store.",
        "The entry is written to the data store by the cache.",
    )
    # Both words on one side is a contrast within one point, not two points.
    assert not prefix_opposed("stable or unstable", "it is stable")


def test_a_leading_pronoun_of_the_first_sentence_is_the_questions_subject() -> None:
    from interviewer.grading.assess import lead_pronoun_subject

    texts = ["It keeps messages until a consumer reads them.", "It is durable."]
    got = lead_pronoun_subject(texts, {0}, "What is a message queue?", "message queue")
    assert got == {0: "message queue keeps messages until a consumer reads them."}
    # Not for a contrast of two subjects, nor for a question that asks no definition.
    assert not lead_pronoun_subject(texts, {0}, "What is X vs Y?", "X vs Y")
    assert not lead_pronoun_subject(texts, {0}, "Why use a message queue?", "message queue")
