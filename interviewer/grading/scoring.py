"""From point coverage to a 0-10 score."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from interviewer.grading.constants import (
    HINT_PENALTY,
    LEX_COVERED,
    LEX_PARTIAL,
    LEX_PARTIAL_STRONG,
    LEX_STRONG,
    SIM_COVERED,
    SIM_FLOOR,
    SIM_LABEL,
    SIM_PARAPHRASE,
    SIM_PARTIAL,
    TARGET_MAX,
    TARGET_MIN,
)

if TYPE_CHECKING:
    from collections.abc import Sequence


# ---- the grader ------------------------------------------------------------------------------


@dataclass
class Features:
    sim: Any  # np.ndarray points x claims
    lex: Any
    label: Any


def score_from(
    covered: Sequence[float], partial: Sequence[float], all_weights: Sequence[float], hints: int
) -> float:
    """0-10: credit (covered 1, partly 0.5, times importance) over the credit of the
    K most important points, minus HINT_PENALTY per hint."""
    n = len(all_weights)
    if not n:
        return 0.0
    credit = sum(covered) + 0.5 * sum(partial)
    n_target = max(min(n, TARGET_MIN), min(TARGET_MAX, (n + 1) // 2))
    target = sum(sorted(all_weights, reverse=True)[:n_target]) or 1.0
    raw = 10.0 * min(1.0, credit / target)
    return round(max(0.0, raw - HINT_PENALTY * hints), 1)


def decide(sim: float, lex: float, label: int | bool) -> int:
    """0 missed, 1 partly covered, 2 covered: the evidence one claim gives one point.
    ``label``: 2 the claim names the point (or writes its formula), 1 it names what
    the point is about without making it, 0 neither."""
    if (
        sim >= SIM_PARAPHRASE
        or (sim >= SIM_COVERED and lex >= LEX_COVERED)
        or (label >= 2 and sim >= SIM_LABEL)
        or (lex >= LEX_STRONG and sim >= SIM_FLOOR)
    ):
        return 2
    if (
        (sim >= SIM_PARTIAL and lex >= LEX_PARTIAL)
        or label
        or (lex >= LEX_PARTIAL_STRONG and sim >= SIM_FLOOR)
    ):
        return 1
    return 0
