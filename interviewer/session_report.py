"""What a finished (or stopped) session says about the user: per-question scores,
weak topics and what to reread, with citations. Built from a saved transcript."""

from __future__ import annotations

from pydantic import BaseModel, Field

from interviewer.feedback import Citation, Feedback
from interviewer.plurals import counted
from interviewer.render import clean
from interviewer.scheduling import HARD_BELOW
from interviewer.store import SessionRecord, Transcript

MAX_POINTS_PER_SECTION = 5


class FollowUpScore(BaseModel):
    question: str
    score: float | None = None
    skipped: bool = False


class QuestionScore(BaseModel):
    index: int
    question_id: str
    question: str
    topic: str = ""
    score: float | None = Field(default=None, description="None when skipped or ungraded.")
    grounded: bool = True
    skipped: bool = False
    hints_used: int = 0
    follow_ups: list[FollowUpScore] = Field(default_factory=list)


class WeakTopic(BaseModel):
    topic: str
    mean_score: float
    questions: int


class Reread(BaseModel):
    """A section of the notes to reread, with the points the answers missed there."""

    citation: Citation
    label: str
    points: list[str] = Field(default_factory=list)
    questions: list[str] = Field(default_factory=list)


class NoNotes(BaseModel):
    """A question that was asked but has no notes to grade against."""

    question: str
    citation: Citation | None = None


class SessionReport(BaseModel):
    session: SessionRecord
    answered: int
    skipped: int
    remaining: int
    mean_score: float | None
    questions: list[QuestionScore]
    weak_topics: list[WeakTopic]
    reread: list[Reread]
    no_notes: list[NoNotes] = Field(default_factory=list)


def _graded(feedback: Feedback | None) -> bool:
    return feedback is not None and feedback.grounded and feedback.notes_status == "ok"


def build_report(transcript: Transcript) -> SessionReport:
    questions: list[QuestionScore] = []
    topic_scores: dict[str, list[float]] = {}
    sections: dict[tuple[str, str], Reread] = {}
    no_notes: list[NoNotes] = []

    def note_missed(feedback: Feedback, question: str) -> None:
        cited = [(p.text, p.citation) for p in feedback.missed]
        cited += [(c.correction or c.text, c.citation) for c in feedback.incorrect if c.in_notes]
        for text, citation in cited:
            if citation is None:
                continue
            key = (citation.url or citation.source, citation.heading)
            entry = sections.setdefault(key, Reread(citation=citation, label=citation.label()))
            if text not in entry.points and len(entry.points) < MAX_POINTS_PER_SECTION:
                entry.points.append(text)
            if question not in entry.questions:
                entry.questions.append(question)

    for turn in transcript.turns:
        fb = turn.feedback
        graded = _graded(fb)
        score = fb.score if fb is not None and graded else None
        questions.append(
            QuestionScore(
                index=turn.index,
                question_id=turn.question_id,
                question=turn.question,
                topic=turn.topic,
                score=score,
                grounded=fb is None or graded,
                skipped=turn.skipped,
                hints_used=turn.hints_used,
                follow_ups=[
                    FollowUpScore(
                        question=f.question,
                        score=f.feedback.score if f.feedback is not None else None,
                        skipped=f.skipped,
                    )
                    for f in turn.follow_ups
                ],
            )
        )
        if fb is not None and not graded:
            cite = fb.citations[0] if fb.citations else None
            no_notes.append(NoNotes(question=turn.question, citation=cite))
            continue
        if turn.skipped or fb is None:
            # A skipped question counts as not known for its topic.
            if turn.skipped:
                topic_scores.setdefault(turn.topic or "(no topic)", []).append(0.0)
            continue
        topic_scores.setdefault(turn.topic or "(no topic)", []).append(fb.score)
        note_missed(fb, turn.question)
        for follow in turn.follow_ups:
            if follow.feedback is not None and _graded(follow.feedback):
                note_missed(follow.feedback, turn.question)

    scores = [q.score for q in questions if q.score is not None]
    weak = [
        WeakTopic(topic=t, mean_score=round(sum(s) / len(s), 2), questions=len(s))
        for t, s in topic_scores.items()
        if s and sum(s) / len(s) < HARD_BELOW
    ]
    weak.sort(key=lambda w: (w.mean_score, w.topic))
    reread = sorted(sections.values(), key=lambda r: (-len(r.points), r.label))
    return SessionReport(
        session=transcript.session,
        answered=sum(1 for t in transcript.turns if not t.skipped),
        skipped=sum(1 for t in transcript.turns if t.skipped),
        remaining=len(transcript.remaining()),
        mean_score=round(sum(scores) / len(scores), 2) if scores else None,
        questions=questions,
        weak_topics=weak,
        reread=reread,
        no_notes=no_notes,
    )


def _cell(text: str) -> str:
    # Notes are data: no escape sequence of theirs reaches the terminal.
    return clean(text, one_line=True).replace("|", "\\|")


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def report_markdown(report: SessionReport) -> str:
    s = report.session
    lines = [
        f"# Interview report: session {s.id}",
        "",
        f"- Started: {s.created_at:%Y-%m-%d %H:%M} UTC; status: {s.status}; engine: {s.engine}",
        f"- Notes: {_cell(s.corpus_dir)}",
        f"- Mean score: {_score(report.mean_score)}/10 over {report.answered} answered "
        f"(skipped {report.skipped}, not yet asked {report.remaining})",
        "",
        "## Scores",
        "",
        "| # | Question | Topic | Score | Hints | Follow-ups |",
        "|---|----------|-------|-------|-------|------------|",
    ]
    for q in report.questions:
        score = "skipped" if q.skipped else ("no notes" if not q.grounded else _score(q.score))
        follow = ", ".join("skipped" if f.skipped else _score(f.score) for f in q.follow_ups)
        lines.append(
            f"| {q.index + 1} | {_cell(q.question)} | {_cell(q.topic)} | {score} | "
            f"{q.hints_used} | {follow or '-'} |"
        )
    lines += ["", "## Weak topics", ""]
    if report.weak_topics:
        lines += [
            f"- **{_cell(w.topic)}**: mean {w.mean_score:.1f}/10 over "
            f"{counted(w.questions, 'question')}"
            for w in report.weak_topics
        ]
    else:
        lines.append(f"None: every topic averaged {HARD_BELOW:g}/10 or more.")
    lines += ["", "## What to reread", ""]
    if not report.reread:
        lines.append("Nothing: no key point of your notes was missed.")
    for r in report.reread:
        lines += [f"### {_cell(r.label)}", ""]
        lines += [f"- {_cell(p)}" for p in r.points]
        lines += ["", "_Missed in: " + "; ".join(_cell(q) for q in r.questions[:3]) + "_", ""]
    if report.no_notes:
        lines += ["## Questions without notes", ""]
        for n in report.no_notes:
            where = f" ({_cell(n.citation.label())})" if n.citation else ""
            lines.append(f"- {_cell(n.question)}{where}: write notes to be graded on it")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
