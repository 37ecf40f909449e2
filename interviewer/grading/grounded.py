"""The grounded grade: the deterministic path from an answer to its feedback (claims,
wrong claims, coverage, score, follow-up and critique), no model involved."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from interviewer import lexicon
from interviewer.feedback import Feedback, Point
from interviewer.grading.answer import answer_claims
from interviewer.grading.assess import assess, contrast
from interviewer.grading.claims.credit import void_inverted
from interviewer.grading.claims.registry import earns_nothing
from interviewer.grading.claims.sibling import siblings
from interviewer.grading.coverage import (
    RANK,
    Assessment,
    by_importance,
    gradable_points,
    own_points,
    void_swapped,
)
from interviewer.grading.cues import DONT_KNOW
from interviewer.grading.feedback_text import (
    _critique,
    junk_remark,
    length_remark,
    missed_names,
    top_missed,
)
from interviewer.grading.free_text import _unique_citations
from interviewer.grading.groups import duplicate_groups, final_score
from interviewer.grading.remainder import remainders
from interviewer.grading.scoring import central_points
from interviewer.grading.wrong_claims import find_wrong_claims
from interviewer.text import STOPWORDS, clip, lower_words

if TYPE_CHECKING:
    from interviewer.grading.grader import Grader
    from interviewer.grading.models import KeyPoint, Question


IDK_FILLER = Path(__file__).with_name("dont_know.txt")


def said_dont_know(answer: str) -> bool:
    """The answer says "I don't know" and tries nothing: no word after the phrase but
    fillers ("..., sorry", "..., la verdad"). A hedged try ("I'm not sure, maybe it
    hashes the key") is an answer, and keeps its follow-up."""
    text = answer.strip()
    found = DONT_KNOW.search(text)
    if found is None:
        return False
    filler = lexicon.words("filler", IDK_FILLER)
    rest = lower_words(text[found.end() :])
    return all(w in STOPWORDS or w in filler for w in rest)


def grade_core(g: Grader, q: Question, answer: str, hints: int) -> Feedback:
    """The deterministic grade of an answer: its claims, the wrong ones, the points
    each covers, the score, the follow-up and the critique."""
    base: dict[str, Any] = dict(
        question=q.text,
        question_id=q.id,
        answer=answer,
        hints_used=hints,
        notes_status=q.notes_status,
        citations=_unique_citations([q.citation]),
    )
    points = gradable_points(q)
    if not points:
        if not q.source:
            # A free-text question nothing in the notes relates to (or no notes).
            base["notes_status"] = "none"
            critique = (
                "Your notes have nothing on this question, so I can't grade the "
                "answer against them. Add notes on it (and run `interviewer "
                "index`) to get a grounded critique."
            )
        else:
            where = f"{q.source} § {q.heading}" if q.heading else q.source
            what = "is empty" if q.notes_status == "none" else "is only a stub"
            critique = (
                f"No notes to grade against: the section {where} {what}. I can't "
                "ground a critique of this answer; write your notes there (and run "
                "`interviewer index`) to get one."
            )
            if q.notes_excerpt:
                base["notes_excerpt"] = q.notes_excerpt
                critique = (
                    f"Your notes at {where} are too short (or only code) to take key "
                    f"points from, so I can't grade this answer against them. They say: "
                    f"“{q.notes_excerpt}” Compare your answer with that, or write a "
                    "sentence or two more there to be graded on it."
                )
        return Feedback(**base, score=0.0, grounded=False, critique=critique)

    claims, ignored, junk, foreign = answer_claims(g, answer, points)

    notes: list[str] = []
    if ignored:
        notes.append(
            "Text addressed to the grader was ignored and earned nothing: "
            + "; ".join(f"“{clip(c, 60)}”" for c in ignored[:2])
            + "."
        )
    if foreign and claims:
        notes.append(
            "Your answer is not in English: it was compared with your notes by meaning "
            "(a multilingual model), so the match is approximate."
        )

    contrasted = contrast(g, q)[0]
    found = find_wrong_claims(
        claims, points, q.text, contrasted, g.params, siblings(g.bank, q)
    )
    # A rule not trusted to penalise only asks the candidate to check the claim.
    incorrect = [c for c in found if not c.advisory]
    to_check = [c for c in found if c.advisory]
    # A claim that contradicts the notes earns nothing, whatever it resembles (a
    # swapped one nothing either, even when only advisory).
    wrong = {c.text for c in found if not c.advisory or earns_nothing(c.rule)}
    # ... nor does the sentence around a wrong clause (its other clauses may).
    holds_wrong = {id(c.parent) for c in claims if c.parent is not None and c.text in wrong}
    fair = [
        c for c in claims
        if c.text not in wrong and id(c) not in holds_wrong
        and (c.parent is None or c.parent.text not in wrong)
    ]  # fmt: skip
    assessments = assess(g, points, fair, q)
    void_swapped(assessments, found, points, contrasted)
    void_inverted(assessments, found, points)
    rests = remainders(g, points, assessments, fair, q)  # parts left out
    # Near-duplicate points (the notes saying one thing twice) are one point: the
    # group shows its best-assessed member and counts once.
    shown = [
        max(group, key=lambda kp: (RANK[assessments[kp.id].status], kp.importance))
        for group in duplicate_groups(g, q.id, points)
    ]
    covered = [kp for kp in shown if assessments[kp.id].status == "covered"]
    partial = [kp for kp in shown if assessments[kp.id].status == "partial"]
    missed_all = [kp for kp in shown if assessments[kp.id].status == "missed"]
    score = final_score(
        g, q, points, {kp.id: RANK[assessments[kp.id].status] for kp in points}, hints,
        {k: a.credit for k, a in assessments.items() if a.credit is not None}, len(incorrect),
    )  # fmt: skip
    missed = top_missed(g, missed_all + [rests[k.id] for k in shown if k.id in rests])
    off_topic = (
        bool(claims)
        and not incorrect  # a claim the notes contradict is on their topic
        and not covered
        and not partial
        and all(assessments[k.id].sim < g.params.off_topic_sim for k in points)
    )
    fb = Feedback(
        **base,
        score=score,
        covered=[_point(k, assessments[k.id]) for k in by_importance(covered)],
        partial=[_point(k, assessments[k.id]) for k in by_importance(partial)],
        missed=[_point(k, assessments[k.id]) for k in missed],
        points_total=len(shown),
        incorrect=incorrect,
        to_check=to_check,
        grounded=True,
    )
    fb.citations = _unique_citations(
        [q.citation]
        + [p.citation for p in fb.missed if p.citation]
        + [c.citation for c in fb.incorrect if c.citation]
        + [p.citation for p in fb.covered if p.citation]
    )
    fb.dont_know = said_dont_know(answer) and not covered and not partial
    fb.follow_up = g.follow_up_for(fb)
    names = missed_names(g, missed[:3])
    dont_know = fb.dont_know
    length = length_remark(answer, points, g.params)
    if length:
        notes.append(length)
    if junk and claims:
        notes.append(junk_remark(junk))
    fb.remarks = list(notes)  # (hook: the compact view shows them, render.py)
    fb.critique = _critique(
        fb, n_points=len(shown), empty=not answer.strip(), junk=bool(junk) and not claims,
        off_topic=off_topic and not dont_know, notes=notes, missing=names,
        dont_know=dont_know, central=central_points(len(shown), g.params, own_points(q, points)),
    )  # fmt: skip
    return fb


def _point(kp: KeyPoint, a: Assessment) -> Point:
    return Point(
        text=kp.text, citation=kp.citation, importance=kp.importance, similarity=a.sim,
        evidence=a.evidence, credit=a.credit if a.status == "partial" else None,
    )  # fmt: skip
