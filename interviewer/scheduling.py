"""Memory of weak spots: every question is a card scheduled with FSRS (the ``fsrs``
package), rated from the score of its answer. A new session asks due and weak
questions first, then unseen ones.

Score -> rating (documented in the user guide; change both together):

=============  ========  ==========================================================
score (0-10)   rating    meaning
=============  ========  ==========================================================
< 4            Again     most key points missed: ask again soon
4 - < 6        Hard      half-remembered
6 - < 8.5      Good      the core is there, some points missing
>= 8.5         Easy      complete answer
=============  ========  ==========================================================

Cards are keyed by corpus (the name of ``settings.index_dir``: corpus dir name plus a
hash of its path) and question id, so two corpora never share memory.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from fsrs import Card, Rating, Scheduler

    from interviewer.grading import Question
    from interviewer.settings import Settings

# Upper bounds (exclusive) of the score for Again, Hard and Good; Easy above.
AGAIN_BELOW = 4.0
HARD_BELOW = 6.0
GOOD_BELOW = 8.5
# A seen question whose last score is below this is "weak" and asked before unseen
# ones even when FSRS does not call it due yet.
WEAK_BELOW = HARD_BELOW


def corpus_key(settings: Settings) -> str:
    """The key cards are stored under: one per corpus dir."""
    return settings.index_dir.name


def rating_for_score(score: float) -> Rating:
    from fsrs import Rating

    if score < AGAIN_BELOW:
        return Rating.Again
    if score < HARD_BELOW:
        return Rating.Hard
    if score < GOOD_BELOW:
        return Rating.Good
    return Rating.Easy


def _scheduler() -> Scheduler:
    from fsrs import Scheduler

    # No fuzzing: the same history gives the same due dates (tests, reproducible plans).
    return Scheduler(enable_fuzzing=False)


def _card_id(question_id: str) -> int:
    # fsrs' default card id is a clock value (and sleeps to keep it unique); ours is
    # derived from the question so it is stable across processes.
    return zlib.crc32(question_id.encode("utf-8")) + 1


class CardState(BaseModel):
    """The stored memory of one question in one corpus."""

    corpus: str
    question_id: str
    question: str = ""
    topic: str = ""
    card: dict[str, Any] = Field(description="fsrs.Card.to_dict()")
    last_score: float | None = None
    last_rating: int | None = None
    reviews: int = 0
    lapses: int = Field(default=0, description="Reviews rated Again.")
    last_review: datetime | None = None

    def fsrs_card(self) -> Card:
        from fsrs import Card

        return Card.from_dict(self.card)  # type: ignore[arg-type]

    @property
    def due(self) -> datetime:
        return self.fsrs_card().due

    def is_due(self, now: datetime) -> bool:
        return self.due <= now

    @property
    def is_weak(self) -> bool:
        return self.last_score is not None and self.last_score < WEAK_BELOW

    def retrievability(self, now: datetime) -> float:
        return float(_scheduler().get_card_retrievability(self.fsrs_card(), now))


def review(
    previous: CardState | None,
    *,
    corpus: str,
    question_id: str,
    score: float,
    question: str = "",
    topic: str = "",
    now: datetime | None = None,
) -> CardState:
    """The card after one answer scored ``score``. ``previous`` is not modified."""
    from fsrs import Card, Rating

    now = now or datetime.now(UTC)
    card = previous.fsrs_card() if previous is not None else Card(card_id=_card_id(question_id))
    rating = rating_for_score(score)
    card, _log = _scheduler().review_card(card, rating, review_datetime=now)
    return CardState(
        corpus=corpus,
        question_id=question_id,
        question=question or (previous.question if previous else ""),
        topic=topic or (previous.topic if previous else ""),
        card=dict(card.to_dict()),
        last_score=score,
        last_rating=int(rating),
        reviews=(previous.reviews if previous else 0) + 1,
        lapses=(previous.lapses if previous else 0) + (1 if rating == Rating.Again else 0),
        last_review=now,
    )


def plan_questions(
    questions: Sequence[Question],
    cards: dict[str, CardState],
    n: int,
    *,
    now: datetime | None = None,
    seed: int | None = None,
) -> list[Question]:
    """Pick ``n`` questions: due cards (weakest first), then weak cards not yet due,
    then unseen questions (those with notes before stubs, shuffled by ``seed``), then
    the remaining seen cards, soonest due first. The same inputs and seed give the
    same plan."""
    now = now or datetime.now(UTC)
    rng = random.Random(seed)
    due: list[tuple[float, datetime, Question]] = []
    weak: list[tuple[float, datetime, Question]] = []
    rest: list[tuple[datetime, Question]] = []
    unseen_notes: list[Question] = []
    unseen_stubs: list[Question] = []
    for q in questions:
        card = cards.get(q.id)
        if card is None:
            (unseen_notes if q.notes_status == "ok" else unseen_stubs).append(q)
            continue
        score = card.last_score if card.last_score is not None else 0.0
        if card.is_due(now):
            due.append((score, card.due, q))
        elif card.is_weak:
            weak.append((score, card.due, q))
        else:
            rest.append((card.due, q))
    rng.shuffle(unseen_notes)
    rng.shuffle(unseen_stubs)
    # Ties (same score and due date) keep the question bank's order: sort is stable.
    ordered: list[Question] = [q for *_, q in sorted(due, key=lambda t: (t[0], t[1]))]
    ordered += [q for *_, q in sorted(weak, key=lambda t: (t[0], t[1]))]
    ordered += unseen_notes + unseen_stubs
    ordered += [q for _, q in sorted(rest, key=lambda t: t[0])]
    return ordered[: max(n, 0)]


class TopicMastery(BaseModel):
    """Mastery of one topic. ``mastery`` (0-1) is the mean over the topic's questions
    of last score / 10 times the FSRS probability of recalling it now; an unseen
    question counts 0, so mastery grows only by answering well and keeping it."""

    topic: str
    questions: int
    seen: int
    due: int
    weak: int
    mean_score: float | None = Field(description="Mean last score of the seen questions.")
    mastery: float


def topic_mastery(
    questions: Iterable[Question], cards: dict[str, CardState], now: datetime | None = None
) -> list[TopicMastery]:
    """Per topic: practised topics first, weakest first; then topics never practised.
    Cards of questions no longer in the notes are ignored."""
    now = now or datetime.now(UTC)
    by_topic: dict[str, list[Question]] = {}
    for q in questions:
        by_topic.setdefault(q.topic or "(no topic)", []).append(q)
    result = []
    for topic, qs in by_topic.items():
        seen = [cards[q.id] for q in qs if q.id in cards]
        scores = [c.last_score for c in seen if c.last_score is not None]
        values = [
            (c.last_score or 0.0) / 10.0 * c.retrievability(now) for c in seen
        ]
        result.append(
            TopicMastery(
                topic=topic,
                questions=len(qs),
                seen=len(seen),
                due=sum(1 for c in seen if c.is_due(now)),
                weak=sum(1 for c in seen if c.is_weak),
                mean_score=round(sum(scores) / len(scores), 2) if scores else None,
                mastery=round(sum(values) / len(qs), 3) if qs else 0.0,
            )
        )
    result.sort(key=lambda m: (m.seen == 0, m.mastery, m.topic))
    return result
