"""Near-duplicate points (the notes saying one thing twice) grouped, and the score
of a question's points counting each group once."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from interviewer.grading.coverage import own_points
from interviewer.grading.cues import ANTONYMS
from interviewer.grading.feedback_text import describe
from interviewer.grading.points import polarity
from interviewer.grading.scoring import penalised, score_from
from interviewer.grading.terms import rarity
from interviewer.subjects import bare_subject

if TYPE_CHECKING:
    from collections.abc import Sequence
    from collections.abc import Set as AbstractSet

    from interviewer.grading.grader import Grader
    from interviewer.grading.models import KeyPoint, Question
    from interviewer.grading.params import GradingParams

# Two points of a question are one (the notes say it twice) when their embeddings are
# this close (restatements: "Type I error is a false positive ..." / "Briefly stated,
# Type I error means ..."; distinct points such as "Binary Threshold Neuron" /
# "Stochastic Binary Neuron" stay below), or when they name the same specific subject
# ("Bagging: Create various sub-datasets ..." / "Bagging creates diversity by ...")
# and are this close (GradingParams.same_*_cosine). Points that differ in polarity
# (antonyms, negation) never merge.


def polarity_conflict(
    a: tuple[AbstractSet[str], bool], b: tuple[AbstractSet[str], bool], short: bool
) -> bool:
    """Two points say opposite things: one uses a word whose opposite only the other
    uses ('overfitting' / 'underfitting'), or (short points) one negates and the other
    does not."""
    words_a, neg_a = a
    words_b, neg_b = b
    for w in words_a - words_b:
        opp = ANTONYMS.get(w)
        if opp is not None and opp in words_b and opp not in words_a:
            return True
    return short and neg_a != neg_b


def same_point(
    cos: float, subject_a: str | None, subject_b: str | None,
    label_a: str | None, label_b: str | None, p: GradingParams,
) -> bool:  # fmt: skip
    """Whether two points of one question say the same thing (see ``same_point_cosine``).
    Points about two different named subjects ("Lasso (L1 norm)" / "Ridge (L2 norm)",
    0.80 apart) are two points unless nearly identical."""
    if subject_a and subject_b and subject_a != subject_b:
        return cos >= p.different_subject_cosine
    if cos >= p.same_point_cosine:
        return True
    if label_a and label_b and label_a.lower() == label_b.lower():
        return cos >= p.same_subject_cosine - 0.1
    if subject_a and subject_a == subject_b and cos >= p.same_subject_cosine:
        # "the model" is too generic to name one point; "bagging" is not.
        return any(rarity(w) >= 0.8 for w in subject_a.split() if len(w) > 2)
    return False


def without_topic(subjects: Sequence[str | None]) -> list[str | None]:
    """The points' subjects without those three or more points name: that is what
    the question is about ("A kettle boils water", "A kettle can whistle ...", "A
    kettle does not ..."), and naming it makes no two points one (a restatement is one
    more sentence, not a run of them)."""
    counts = Counter(s for s in subjects if s)
    return [None if s and counts[s] >= 3 else s for s in subjects]


def duplicate_groups(g: Grader, qid: str, points: Sequence[KeyPoint]) -> list[list[KeyPoint]]:
    """The question's points grouped by ``same_point`` (in their order; a point
    alone is a group of one). Cached per question: its points do not change."""
    key = (qid, tuple(kp.id for kp in points))
    ordered = g.derived("groups", key, lambda: _group_indexes(g, points))
    return [[points[i] for i in group] for group in ordered]


def _group_indexes(g: Grader, points: Sequence[KeyPoint]) -> tuple[tuple[int, ...], ...]:
    import numpy as np

    n = len(points)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if n > 1:
        vecs = np.stack([g._vector(kp) for kp in points])
        cos = vecs @ vecs.T
        pol = [polarity(kp.text) for kp in points]
        short = [len(kp.text.split()) <= 20 for kp in points]
        subjects = [describe(kp)[0] for kp in points]
        subj = without_topic([bare_subject(s).lower() if s else None for s in subjects])
        for i in range(n):
            for j in range(i + 1, n):
                if not polarity_conflict(pol[i], pol[j], short[i] and short[j]) and same_point(
                    float(cos[i, j]), subj[i], subj[j], points[i].label, points[j].label,
                    g.params,
                ):
                    parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return tuple(tuple(group) for group in groups.values())


def final_score(
    g: Grader, q: Question, points: Sequence[KeyPoint], status: dict[str, int], hints: int,
    credit: dict[str, float], wrong: int, capped: bool = True,
) -> float:  # fmt: skip
    """The score from each point's status (0 missed, 1 partly, 2 covered): a group
    of near-duplicates counts once, at its best status and its heaviest weight;
    ``credit``: for partly covered compound points, the share of their clauses made
    (above the plain one half of "partly"). Less the contradiction penalty for each of
    ``wrong`` claims, and capped with ``capped`` (``scoring.penalised``). The grounded
    grade and the model's refinement both score here."""
    covered: list[float] = []
    partial: list[float] = []
    weights: list[float] = []
    for group in duplicate_groups(g, q.id, points):
        weight = max(kp.importance for kp in group)
        best = max(status.get(kp.id, 0) for kp in group)
        weights.append(weight)
        if best == 2:
            covered.append(weight)
        elif best == 1:
            share = max(credit.get(kp.id, 0.5) for kp in group if status.get(kp.id) == 1)
            # (score_from counts a partial weight at one half.)
            # (A share above one half earns more, never more than covered.)
            cap = 1.0 / max(g.params.partial_credit, 1e-6)
            partial.append(weight * min(cap, 2 * max(0.5, share)))
    score = score_from(covered, partial, weights, hints, g.params, own_points(q, points))
    return penalised(score, wrong, g.params, capped)
