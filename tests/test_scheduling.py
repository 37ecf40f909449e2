"""FSRS memory of weak spots: score -> rating, and which questions a session asks first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating

from interviewer.feedback import Citation
from interviewer.grading import Question
from interviewer.scheduling import (
    CardState,
    plan_questions,
    rating_for_score,
    review,
    topic_mastery,
)

NOW = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def question(qid: str, topic: str = "t", status: str = "ok") -> Question:
    cite = Citation(source="notes.md", heading=qid)
    return Question(
        id=qid, text=f"What is {qid}?", section_id=qid, source="notes.md", heading=qid,
        topic=topic, notes_status=status, citation=cite,  # type: ignore[arg-type]
    )  # fmt: skip


def reviewed(qid: str, score: float, when: datetime, topic: str = "t") -> CardState:
    return review(None, corpus="c", question_id=qid, score=score, topic=topic, now=when)


@pytest.mark.parametrize(
    ("score", "rating"),
    [
        (0.0, Rating.Again),
        (3.99, Rating.Again),
        (4.0, Rating.Hard),
        (5.99, Rating.Hard),
        (6.0, Rating.Good),
        (8.49, Rating.Good),
        (8.5, Rating.Easy),
        (10.0, Rating.Easy),
    ],
)
def test_rating_map_boundaries(score: float, rating: Rating) -> None:
    assert rating_for_score(score) == rating


def test_low_scores_come_back_sooner_than_high_ones() -> None:
    again = reviewed("a", 1.0, NOW)
    easy = reviewed("b", 9.5, NOW)
    assert again.due < easy.due
    assert again.lapses == 1 and easy.lapses == 0
    # A second good review pushes the card further out than the first.
    later = review(easy, corpus="c", question_id="b", score=9.5, now=easy.due)
    assert later.due - easy.due > easy.due - NOW
    assert later.reviews == 2


def test_card_roundtrips_through_json() -> None:
    card = reviewed("a", 5.0, NOW)
    again = CardState.model_validate_json(card.model_dump_json())
    assert again.due == card.due
    assert again.fsrs_card().stability == card.fsrs_card().stability


def test_due_first_then_weak_then_unseen_then_rest() -> None:
    qs = [question(q) for q in ("mastered", "unseen1", "weak", "due_low", "due_high", "unseen2")]
    past = NOW - timedelta(days=60)
    cards = {
        # Reviewed long ago: due now.
        "due_high": reviewed("due_high", 7.0, past),
        "due_low": reviewed("due_low", 2.0, past),
        # Reviewed just now with a poor score: not due for a while, but weak.
        "weak": reviewed("weak", 4.5, NOW),
        "mastered": reviewed("mastered", 10.0, NOW),
    }
    assert cards["due_low"].is_due(NOW) and cards["due_high"].is_due(NOW)
    assert not cards["weak"].is_due(NOW) and cards["weak"].is_weak
    plan = [q.id for q in plan_questions(qs, cards, 10, now=NOW, seed=3)]
    assert plan[:3] == ["due_low", "due_high", "weak"]
    assert set(plan[3:5]) == {"unseen1", "unseen2"}
    assert plan[5] == "mastered"
    assert [q.id for q in plan_questions(qs, cards, 2, now=NOW, seed=3)] == plan[:2]


def test_unseen_order_is_deterministic_given_a_seed_and_stubs_come_last() -> None:
    qs = [question(f"q{i}") for i in range(12)] + [question("stub", status="stub")]
    first = [q.id for q in plan_questions(qs, {}, 13, now=NOW, seed=7)]
    assert first == [q.id for q in plan_questions(qs, {}, 13, now=NOW, seed=7)]
    assert first[-1] == "stub"
    others = {tuple(q.id for q in plan_questions(qs, {}, 13, now=NOW, seed=s)) for s in range(5)}
    assert len(others) > 1, "the seed should change the order of unseen questions"


def test_topic_mastery_counts_unseen_as_zero() -> None:
    qs = [question("a", "trees"), question("b", "trees"), question("c", "nets")]
    cards = {"a": reviewed("a", 10.0, NOW, "trees"), "c": reviewed("c", 2.0, NOW, "nets")}
    by_topic = {m.topic: m for m in topic_mastery(qs, cards, NOW)}
    assert by_topic["trees"].seen == 1 and by_topic["trees"].questions == 2
    # One perfect answer just reviewed (recall ~1) out of two questions: about half.
    assert 0.45 <= by_topic["trees"].mastery <= 0.5
    assert by_topic["nets"].weak == 1
    assert by_topic["nets"].mastery < by_topic["trees"].mastery
    qs.append(question("d", "unseen-topic"))
    order = [m.topic for m in topic_mastery(qs, cards, NOW)]
    assert order == ["nets", "trees", "unseen-topic"]  # practised, weakest first
