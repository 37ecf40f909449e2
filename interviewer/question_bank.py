"""The question bank as it will be asked: one row per question/answer unit, with its
shape, where it is in the notes and how many key points grade it. Backs
``interviewer questions``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

if TYPE_CHECKING:
    from interviewer.grading import Grader
    from interviewer.settings import Settings


class BankRow(BaseModel):
    id: str
    question: str
    kind: str = Field(description="heading, bold, list, qa, details, topic or generated")
    source: str
    heading: str
    line_start: int | None = None
    line_end: int | None = None
    is_stub: bool = False
    key_points: int = 0
    topic: str = ""


class WordingReport(BaseModel):
    worded: int = 0
    rejected: int = 0
    message: str = ""


def open_grader(settings: Settings) -> Grader:
    from interviewer.grading import Grader

    return Grader.open(settings, use_llm=False)


def bank_rows(
    settings: Settings, topics: list[str] | None = None, *, grader: Grader | None = None
) -> list[BankRow]:
    """Every question of the bank (of these topics), in the order of the notes. Raises
    CorpusError when topics were given and none matches."""
    grader = grader or open_grader(settings)
    questions = grader.questions(topics)
    if topics and not questions:
        from interviewer.session import unknown_topic

        raise unknown_topic(topics, [q.topic for q in grader.questions()])
    return [
        BankRow(
            id=q.id,
            question=q.text,
            kind=q.kind,
            source=q.source,
            heading=q.heading,
            line_start=q.citation.line_start,
            line_end=q.citation.line_end,
            is_stub=q.notes_status != "ok",
            key_points=len(q.key_points),
            topic=q.topic,
        )
        for q in questions
    ]


def word_topics(settings: Settings, *, grader: Grader | None = None) -> WordingReport:
    """Ask the model (Ollama) to word the topic units that have no wording yet."""
    from interviewer.llm import make_llm
    from interviewer.wording import generate

    llm = make_llm(settings.model_copy(update={"use_llm": True}))
    assert llm is not None
    grader = grader or open_grader(settings)
    worded, rejected = generate(settings, llm, grader.extracted().questions)
    message = f"{worded} topic question(s) worded by {settings.model}"
    if rejected:
        message += f", {rejected} wording(s) rejected (kept ours)"
    grader.reload()
    return WordingReport(worded=worded, rejected=rejected, message=message)
