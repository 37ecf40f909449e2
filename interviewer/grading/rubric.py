"""Rubric export / import: key points as editable YAML."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, ValidationError

from interviewer.grading.models import KeyPoint, RubricError, point_id
from interviewer.grading.naming import name_point
from interviewer.grading.terms import key_terms, strip_accents
from interviewer.text import LABEL, text_terms

if TYPE_CHECKING:
    from pathlib import Path

    from interviewer.feedback import Citation
    from interviewer.grading.grader import Grader
    from interviewer.grading.models import Bank, Question
    from interviewer.settings import Settings


class RubricImport(BaseModel):
    """What ``import_rubric`` did."""

    path: str = Field(description="Where the overrides are stored.")
    overridden: list[str] = Field(default_factory=list, description="Questions now overridden.")
    reverted: list[str] = Field(default_factory=list, description="Back to the notes' points.")
    unchanged: int = 0
    unknown: list[str] = Field(default_factory=list, description="Not a question of the notes.")


def export_rubric(grader: Grader, topics: list[str] | None = None) -> str:
    """The key points of the (filtered) questions as YAML for a person to edit."""
    return rubric_yaml(
        RubricFile(
            questions=[
                RubricQuestion(
                    id=q.id, question=q.text, source=q.source, heading=q.heading,
                    notes_status=q.notes_status,
                    key_points=[
                        RubricPoint(
                            text=k.text, importance=k.importance, terms=list(k.terms),
                            source=k.citation.url or k.citation.source,
                            heading=k.citation.heading, lines=_lines_label(k.citation),
                        )
                        for k in q.key_points
                    ],
                )  # fmt: skip
                for q in grader.questions(topics)
            ]
        )
    )


def import_rubric(grader: Grader, text: str, origin: str) -> RubricImport:
    """Store the file's key points as overrides for the questions it covers. A
    question whose points equal what the notes give is stored as no override (and an
    older override of it is dropped); questions the notes do not ask are reported."""
    incoming = parse_rubric(text, origin)
    base = grader.extracted()
    stored = load_overrides(grader.settings)
    keep = {rq.id: rq for rq in stored.questions}
    report = RubricImport(path=str(overrides_path(grader.settings)))
    for rq in incoming.questions:
        one = RubricFile(questions=[rq])
        q = next((q for q in base.questions if match_rubric(q, one) is not None), None)
        if q is None:
            report.unknown.append(rq.question)
            continue
        rq = rq.model_copy(update={"id": q.id, "question": q.text})
        for old_id in [k for k, v in keep.items() if k == q.id or v.question == q.text]:
            keep.pop(old_id)
        if rubric_differs(q, rq):
            keep[q.id] = rq
            report.overridden.append(q.text)
        elif any(x.id == q.id or x.question == q.text for x in stored.questions):
            report.reverted.append(q.text)
        else:
            report.unchanged += 1
    save_overrides(grader.settings, RubricFile(questions=list(keep.values())))
    grader.reload()
    return report


class RubricPoint(BaseModel):
    text: str
    importance: float = Field(default=1.0, ge=0.0, le=1.0)
    terms: list[str] | None = None
    source: str | None = None
    heading: str | None = None
    lines: str | None = None


class RubricQuestion(BaseModel):
    id: str
    question: str
    source: str | None = None
    heading: str | None = None
    notes_status: str | None = None
    key_points: list[RubricPoint] = Field(default_factory=list)


class RubricFile(BaseModel):
    rubric_version: int = 1
    questions: list[RubricQuestion] = Field(default_factory=list)


RUBRIC_HEADER = """\
# interviewer rubric: the key points each question of your notes is graded against.
# Edit freely, then run `interviewer rubric import FILE`:
#   - text: the point in your words (shown to you when you miss it)
#   - importance: 0-1, how much the point weighs in the score
#   - terms: stemmed key words an answer is expected to use ('a b' = two-word term);
#            delete the line to have them recomputed from the text
#   - remove a point to stop grading on it; add one to grade on it.
# Only questions whose points differ from what the notes give are stored; they keep
# overriding the notes after re-indexing until you import them again.
"""


def _lines_label(c: Citation) -> str | None:
    return None if c.line_start is None else f"{c.line_start}-{c.line_end or c.line_start}"


def rubric_yaml(rubric: RubricFile) -> str:
    import yaml

    data = rubric.model_dump(exclude_none=True)
    return RUBRIC_HEADER + yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )


def parse_rubric(text: str, origin: str) -> RubricFile:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise RubricError(f"{origin}: not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise RubricError(f"{origin}: expected a mapping with a 'questions' list")
    try:
        return RubricFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise RubricError(f"{origin}: {loc}: {err['msg']}") from None


def apply_rubric_question(q: Question, rq: RubricQuestion, bank: Bank) -> list[KeyPoint]:
    """The question's key points as the rubric states them. A point whose text is
    unchanged keeps its citation; a new or rewritten one cites the question's section."""
    by_text = {" ".join(k.text.split()): k for k in q.key_points}
    qterms = set(text_terms(q.text).unigrams)
    out: list[KeyPoint] = []
    for rp in rq.key_points:
        text = " ".join(rp.text.split())
        if not text:
            continue
        old = by_text.get(text)
        m = LABEL.match(text)
        label = m.group(1).strip() if m and 1 <= len(m.group(1).split()) <= 6 else None
        terms = (
            [t.strip().lower() for t in rp.terms if t.strip()]
            if rp.terms
            else key_terms(text, label, bank.idf, bank.default_idf, qterms)
        )
        subject, point_kind = name_point(text, label)
        out.append(
            KeyPoint(
                id=point_id(q.id, text),
                text=text,
                subject=subject,
                kind=point_kind,
                citation=old.citation if old else q.citation,
                importance=rp.importance,
                terms=terms,
                source_kind=old.source_kind if old else "note",
                doubtful=old.doubtful if old else False,
                label=label,
            )
        )
    return out


def rubric_differs(q: Question, rq: RubricQuestion) -> bool:
    def signature(p: KeyPoint | RubricPoint) -> tuple[str, float, tuple[str, ...]]:
        return (" ".join(p.text.split()), round(p.importance, 3), tuple(p.terms or ()))

    return [signature(k) for k in q.key_points] != [signature(p) for p in rq.key_points]


def overrides_path(settings: Settings) -> Path:
    """Outside the index dir, so that rebuilding the index never loses them."""
    return settings.home / "rubrics" / f"{settings.index_dir.name}.yaml"


def load_overrides(settings: Settings) -> RubricFile:
    path = overrides_path(settings)
    if not path.is_file():
        return RubricFile()
    try:
        return parse_rubric(path.read_text(encoding="utf-8"), str(path))
    except (OSError, RubricError):
        return RubricFile()


def save_overrides(settings: Settings, rubric: RubricFile) -> Path:
    from interviewer.files import write_atomic

    path = overrides_path(settings)
    write_atomic(path, rubric_yaml(rubric).encode("utf-8"))
    return path


def normalise_question(text: str) -> str:
    return re.sub(r"[^\w]+", " ", strip_accents(text.lower())).strip()


def match_rubric(q: Question, rubric: RubricFile) -> RubricQuestion | None:
    """Overrides are keyed by question id, with the question text as the fallback
    (the id changes when the file is renamed)."""
    for rq in rubric.questions:
        if rq.id == q.id:
            return rq
    norm = normalise_question(q.text)
    for rq in rubric.questions:
        if normalise_question(rq.question) == norm:
            return rq
    return None
