"""The grade of one answer: the structure shared by grading, sessions, evals and the
CLI's ``--json`` output. Change it with care: transcripts and eval results store it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Citation(BaseModel):
    """Where a point comes from: a section of a note, or a fetched reference."""

    source: str = Field(description="File path relative to the corpus dir.")
    heading: str = Field(description="Full heading path, 'Parent > Child'.")
    line_start: int | None = None
    line_end: int | None = None
    kind: Literal["note", "reference"] = "note"
    url: str | None = None
    chunk_id: str | None = None

    def label(self) -> str:
        lines = ""
        if self.line_start is not None:
            lines = f":{self.line_start}" + (
                f"-{self.line_end}" if self.line_end and self.line_end != self.line_start else ""
            )
        where = self.url if self.kind == "reference" and self.url else f"{self.source}{lines}"
        return f"{where} § {self.heading}"


class Point(BaseModel):
    """A key point of the notes, as covered, partly covered or missed by an answer."""

    text: str = Field(description="The point in the note's own words.")
    citation: Citation | None = None
    importance: float = 1.0
    similarity: float | None = Field(default=None, description="Best match in the answer.")
    evidence: str | None = Field(default=None, description="The answer's claim that matched.")
    credit: float | None = Field(
        default=None,
        description="Partly covered compound point: the share of its parts the answer made.",
    )


class IncorrectClaim(BaseModel):
    """A claim of the answer that the notes contradict (or, from a model, that it
    believes wrong; ``in_notes`` is False when no retrieved note supports that)."""

    text: str = Field(description="The answer's claim, quoted.")
    correction: str = ""
    citation: Citation | None = None
    in_notes: bool = True
    source: Literal["grounded", "model"] = "grounded"
    rule: str | None = Field(
        default=None, description="The grounded wrong-claim rule that found it, by name."
    )
    advisory: bool = Field(
        default=False,
        description="Differs from the notes, to check: no effect on the score "
        "(listed in Feedback.to_check, not in Feedback.incorrect).",
    )


class Feedback(BaseModel):
    """The grade of one answer. ``--json`` of ``grade`` prints exactly this."""

    question: str
    question_id: str | None = None
    answer: str = ""
    score: float = Field(ge=0, le=10)
    covered: list[Point] = Field(default_factory=list)
    partial: list[Point] = Field(default_factory=list)
    missed: list[Point] = Field(default_factory=list)
    points_total: int | None = Field(
        default=None,
        description="How many points the answer was graded on (near-duplicates once); "
        "``missed`` lists only the most important of those not covered.",
    )
    incorrect: list[IncorrectClaim] = Field(default_factory=list)
    to_check: list[IncorrectClaim] = Field(
        default_factory=list,
        description="Claims that differ from the notes by a rule not trusted to penalise: "
        "shown as 'differs from your notes, check', with no effect on the score.",
    )
    follow_up: str | None = None
    dont_know: bool = Field(
        default=False,
        description="The answer says the candidate does not know: the critique gives the "
        "points to learn and no follow-up is asked (the interview goes on).",
    )
    critique: str = ""
    remarks: list[str] = Field(
        default_factory=list,
        description="Remarks on the answer as a whole (its length, its language, text "
        "addressed to the grader); the critique ends with them too.",
    )
    citations: list[Citation] = Field(default_factory=list)
    engine: str = "grounded"
    grounded: bool = True
    notes_status: Literal["ok", "stub", "none"] = "ok"
    notes_excerpt: str | None = Field(
        default=None, description="Notes too short to grade against, quoted instead."
    )
    hints_used: int = 0
    model_error: str | None = Field(
        default=None, description="Why the model layer was not used, when it failed."
    )
    latency_ms: float | None = None
