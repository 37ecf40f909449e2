"""From point coverage to a 0-10 score."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from interviewer.grading.params import GradingParams, load_params

if TYPE_CHECKING:
    from collections.abc import Sequence


@dataclass
class Features:
    sim: Any  # np.ndarray points x claims
    lex: Any
    label: Any


def score_from(
    covered: Sequence[float],
    partial: Sequence[float],
    all_weights: Sequence[float],
    hints: int,
    params: GradingParams | None = None,
    own: tuple[int, int] | None = None,
) -> float:
    """0-10: credit (covered 1, partly ``partial_credit``, times importance) over the credit of the
    K most important points (to the power ``score_exponent``), minus ``hint_penalty``
    per hint."""
    p = params or load_params()
    n = len(all_weights)
    if not n:
        return 0.0
    credit = sum(covered) + p.partial_credit * sum(partial)
    n_target = central_points(n, p, own)
    target = sum(sorted(all_weights, reverse=True)[:n_target]) or 1.0
    raw = 10.0 * min(1.0, credit / target) ** p.score_exponent
    return round(max(0.0, raw - p.hint_penalty * hints), 1)


def penalised(score: float, wrong: int, p: GradingParams, cap: bool = True) -> float:
    """The score less ``contradiction_penalty`` per wrong claim, and with ``cap`` (a
    rule trusted to penalise found one) at most ``contradiction_cap``: an answer that
    states the opposite of the notes is not mostly right, however many other points it
    makes. (A penalty alone could not say so: at 2 per claim, a full answer that
    reversed one point kept 8.)"""
    if not wrong or score <= 0:
        return score
    score = max(0.0, score - p.contradiction_penalty * wrong)
    return round(min(p.contradiction_cap, score) if cap else score, 1)


def central_points(n: int, p: GradingParams, own: tuple[int, int] | None = None) -> int:
    """How many of a question's n points (the most important first) make a full
    answer: half of them, at least ``target_min``, at most ``target_max``. ``own``:
    how many are the question's own material and how many sections under it hold the
    rest (its "Disadvantages", each pattern under "When to ..."): half of its own
    points and one per such section, then. A full answer owes each part its gist,
    not every detail the notes list there."""
    half = (n + 1) // 2 if own is None else min(n, (own[0] + 1) // 2 + own[1])
    return max(min(n, p.target_min), min(p.target_max, half))


def decide(sim: float, lex: float, label: int | bool, p: GradingParams) -> int:
    """0 missed, 1 partly covered, 2 covered: the evidence one claim gives one point.
    ``label``: 2 the claim names the point (or writes its formula), 1 it names what
    the point is about without making it, 0 neither."""
    if (
        sim >= p.sim_paraphrase
        or (sim >= p.sim_covered and lex >= p.lex_covered)
        or (label >= 2 and sim >= p.sim_label)
        or (lex >= p.lex_strong and sim >= p.sim_floor)
    ):
        return 2
    if (
        (sim >= p.sim_partial and lex >= p.lex_partial)
        or sim >= p.sim_partial_alone
        or label
        or (lex >= p.lex_partial_strong and sim >= p.sim_floor)
    ):
        return 1
    return 0
