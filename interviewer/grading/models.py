"""The public models of the question bank: key points, questions, the bank."""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, Field

from interviewer.errors import ConfigError, InterviewerError
from interviewer.feedback import Citation


class GradingError(InterviewerError):
    """Bad input to grading (an empty question, an unreadable rubric file)."""

# Bump when extraction changes: cached key points are then rebuilt.
# 23: punctuation spacing (".NET"); 22: table rows; 21: indented code; 20: short statements
EXTRACTION_VERSION = 23
BANK_FILE = "keypoints.json"
EMB_FILE = "keypoints-emb.npy"


class RubricError(ConfigError):
    """A rubric YAML file that cannot be imported."""


# What a point is, for asking about it: a method or technique, a step of a procedure, a
# definition, a cause, a property (advantage, drawback ...), a formula, an aside ("See
# also", "e.g."), or any other fact.
PointKind = Literal["definition", "method", "step", "cause", "property", "formula", "aside", "fact"]


class KeyPoint(BaseModel):
    """One point an answer should make, in the note's own words, with its citation."""

    id: str
    text: str
    citation: Citation
    importance: float = Field(default=1.0, description="0-1, relative within the question.")
    terms: list[str] = Field(
        default_factory=list,
        description="Key terms (Snowball stems; 'a b' for a two-word term) that an "
        "answer making this point is expected to use.",
    )
    source_kind: Literal["note", "reference"] = "note"
    doubtful: bool = Field(
        default=False, description="The note hedges here ('I think', '??'): never evidence."
    )
    label: str | None = Field(
        default=None, description="The item's name when it reads 'Name: explanation'."
    )
    subject: str | None = Field(
        default=None,
        description="The noun phrase the point is about ('early stopping', 'the "
        "disadvantage of ridge regression'): how feedback names it.",
    )
    kind: PointKind = "fact"
    context: str | None = Field(
        default=None,
        description="What a leading pronoun refers to ('It will tell us ...' after "
        "'accuracy ...'): its words count as the point's words when matching.",
    )


class Question(BaseModel):
    """A heading of the notes that asks something, with the key points of its material
    (the section and its descendant sections)."""

    id: str
    text: str
    section_id: str
    source: str
    heading: str
    topic: str
    notes_status: Literal["ok", "stub", "none"] = "ok"
    key_points: list[KeyPoint] = Field(default_factory=list)
    notes_excerpt: str | None = Field(
        default=None,
        description="Notes that are real text but too short (or only code) to take key "
        "points from, quoted to the learner instead of a grade.",
    )
    citation: Citation
    tags: list[str] = Field(default_factory=list)
    material_sections: list[str] = Field(
        default_factory=list, description="Ids of the section and its descendants."
    )
    overridden: bool = Field(default=False, description="Key points come from a rubric import.")
    kind: str = Field(
        default="heading", description="The unit's shape: heading, bold, list, qa, details, "
        "topic or generated (see interviewer.units)."
    )


class Bank(BaseModel):
    """Every question of a corpus with its key points, plus term statistics."""

    version: int = EXTRACTION_VERSION
    corpus_key: str = ""
    questions: list[Question] = Field(default_factory=list)
    idf: dict[str, float] = Field(default_factory=dict)
    default_idf: float = 1.0
    # Non-question sections' key points: the pool free-text questions are graded from.
    loose_points: list[KeyPoint] = Field(default_factory=list)

def question_id(source: str, text: str) -> str:
    norm = " ".join(text.lower().split())
    return hashlib.sha1(f"{source}\x00{norm}".encode()).hexdigest()[:12]


def point_id(qid: str, text: str) -> str:
    return qid + "-" + hashlib.sha1(" ".join(text.lower().split()).encode()).hexdigest()[:8]
