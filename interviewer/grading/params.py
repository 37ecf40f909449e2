"""Every threshold and weight of the grader, in one model that a calibration script can
fit and the grader takes as given.

``GradingParams()`` holds the hand-set defaults; ``load_params()`` returns them with
the fitted values of ``calibration.json`` (shipped beside this module) applied, when
that file exists. ``TUNABLE`` is the candidate grid of each field a calibration script
may search. The file (written by ``benchmarks/calibrate_grader.py``) records where its
values came from::

    {"params": {"sim_covered": 0.5, ...}, "data_hash": "sha256:...", ...}

Other keys (the corpora, per-corpus results, the date) are kept as written and
ignored here.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from interviewer.errors import ConfigError

CALIBRATION_FILE = "calibration.json"


def _f(default: Any, description: str) -> Any:
    return Field(default=default, description=description)


class GradingParams(BaseModel):
    """Thresholds and weights of coverage, scoring, wrong claims and feedback.

    Coverage of one key point by one claim combines the embedding cosine ``sim``
    (point vs. claim) with lexical evidence ``lex`` (the larger of the share of the
    point's key terms the claim uses and ``precision_weight`` x the share of the
    claim's content words the point uses)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # ---- coverage of a point by a claim ----
    sim_paraphrase: float = _f(0.78, "Cosine alone that covers a point.")
    sim_covered: float = _f(0.50, "Cosine that covers with lex_covered.")
    lex_covered: float = _f(0.40, "Lexical evidence that covers with sim_covered.")
    sim_label: float = _f(0.30, "Cosine that covers when the claim names the point.")
    lex_strong: float = _f(0.60, "Lexical evidence that covers at sim_floor.")
    sim_floor: float = _f(0.30, "Below this cosine nothing but a paraphrase counts.")
    sim_partial: float = _f(0.45, "Cosine that partly covers with lex_partial.")
    lex_partial: float = _f(0.08, "Lexical evidence that partly covers.")
    lex_partial_strong: float = _f(0.30, "Lex that partly covers at sim_floor.")
    sim_partial_alone: float = _f(
        0.70,
        "Cosine that partly covers whatever the words (a paraphrase that shares none of "
        "the point's terms).",
    )
    topic_margin: float = _f(
        0.05,
        "How much closer to a point than the bare question a claim must be for its cosine "
        "alone to (partly) cover it.",
    )
    sim_definition: float = _f(
        0.65,
        "Cosine at which a definition of the question's subject covers the notes' definition "
        "of it, whatever its words.",
    )
    sim_core: float = _f(
        0.75,
        "Cosine between a claim and a point's core (its first statement without the "
        "elaboration after it) that makes the point, with lex_partial of the core's terms: a "
        "terse answer states the core and leaves the detail out.",
    )
    sim_core_alone: float = _f(
        0.82,
        "Cosine between a claim and a point's core that makes the point whatever the words "
        "('FK: points to another table's PK' for 'A foreign key is a column that references "
        "the primary key of another table').",
    )
    precision_weight: float = _f(0.60, "Weight of the claim-side lexical share.")
    subject_lex: float = _f(
        0.0,
        "Lexical evidence a claim gets for a point about one of the subjects the question "
        "contrasts when it opens with that subject's name.",
    )
    # ---- which points are one ----
    same_point_cosine: float = _f(0.80, "Two points of a question are one.")
    same_subject_cosine: float = _f(0.55, "... when they name one subject.")
    different_subject_cosine: float = _f(0.92, "... despite two subjects.")
    missed_dup_cosine: float = _f(0.75, "Missed points this close: listed once.")
    # ---- score ----
    target_min: int = _f(3, "The score's target: at least this many points ...")
    target_max: int = _f(6, "... at most this many (half the points between).")
    partial_credit: float = _f(0.5, "Credit of a partly covered point (a covered one: 1).")
    score_exponent: float = _f(
        1.0,
        "The score is 10 x (credit / target) to this power: below 1 the first central points "
        "count more than the last (a terse answer that makes the core).",
    )
    hint_penalty: float = _f(1.0, "Score lost per hint.")
    contradiction_penalty: float = _f(0.5, "Score lost per wrong claim.")
    contradiction_cap: float = _f(
        5.0,
        "The score of an answer with a wrong claim is at most this (a rule trusted to "
        "penalise found it): a reversed point leaves no answer mostly right.",
    )
    # ---- answers and questions ----
    off_topic_sim: float = _f(0.35, "Best cosine below this: off topic.")
    same_question_cosine: float = _f(0.86, "A rephrased bank question.")
    fuzzy_question_ratio: float = _f(0.86, "A mistyped bank question.")
    related_point_sim: float = _f(0.35, "A note point related to a free question.")
    related_point_sim_lex: float = _f(0.25, "... when they share a term.")
    # ---- feedback ----
    max_missed: int = _f(8, "Missed points listed at most.")
    follow_up_below: float = _f(8.5, "No follow-up at this score or above.")
    long_answer_ratio: float = _f(
        3.0,
        "An answer this many times longer than the notes' own gets a remark.",
    )
    long_answer_min_words: int = _f(150, "... and at least this long.")
    # ---- wrong claims ----
    advisory_rules: list[str] = Field(
        default_factory=lambda: [
            "not-only",
            "other-subject",
            "cause-as-fix",
            "conflicting-definition",
            "overclaim",
            "wrong-family",
        ],
        description="Wrong-claim rules shown as 'differs from your notes, check', with no "
        "effect on the score (see interviewer.grading.claims.registry.RULES).",
    )
    disabled_rules: list[str] = Field(
        # A definition worded differently from the notes' is no evidence of a wrong one
        # ("the learning rate is the step size of gradient descent").
        default_factory=lambda: ["conflicting-definition"],
        description="Wrong-claim rules not run at all.",
    )

    def advisory(self, rule: str) -> bool:
        return rule in self.advisory_rules


# Candidate values per field for a calibration search. Fields absent here (the rule
# lists, counts that are not thresholds) are set by hand or by per-rule precision.
TUNABLE: dict[str, list[float]] = {
    "sim_paraphrase": [0.72, 0.75, 0.78, 0.81, 0.84],
    "sim_covered": [0.40, 0.45, 0.50, 0.55, 0.60],
    "lex_covered": [0.25, 0.30, 0.35, 0.40, 0.50, 0.60],
    "sim_label": [0.20, 0.25, 0.30, 0.35, 0.40],
    "lex_strong": [0.45, 0.50, 0.60, 0.70, 0.80],
    "sim_floor": [0.20, 0.25, 0.30, 0.35],
    "sim_partial": [0.35, 0.40, 0.45, 0.50],
    "lex_partial": [0.05, 0.08, 0.10, 0.15, 0.20],
    "sim_partial_alone": [0.60, 0.65, 0.70, 0.75],
    "topic_margin": [0.0, 0.03, 0.05, 0.08],
    "lex_partial_strong": [0.20, 0.25, 0.30, 0.40],
    "sim_core": [0.70, 0.75, 0.80, 0.85],
    "sim_core_alone": [0.78, 0.82, 0.86, 0.90],
    "precision_weight": [0.4, 0.5, 0.6, 0.7, 0.8],
    "subject_lex": [0.0, 0.2, 0.3, 0.35, 0.4],
    "sim_definition": [0.6, 0.65, 0.7, 0.75, 0.8],
    "same_point_cosine": [0.75, 0.80, 0.85, 0.90],
    "same_subject_cosine": [0.45, 0.50, 0.55, 0.60, 0.65],
    "different_subject_cosine": [0.88, 0.92, 0.95],
    "missed_dup_cosine": [0.70, 0.75, 0.80, 0.85],
    "partial_credit": [0.4, 0.5, 0.6],
    # Below 0.7 half the central points would score over 6.
    "score_exponent": [0.7, 0.8, 0.9, 1.0],
    # The score counts covered points against a target of half the question's points,
    # kept between target_min and target_max. Bounds of at least 3 and 5 keep the score
    # tied to the covered share: with target_max 4 an answer naming 4 of 20 points (a
    # fifth) scored 10/10, and with target_min 2 half of a 4-point question did. An
    # earlier fit chose 4 (the fixtures' terse correct answers reward small targets),
    # so the grid itself holds the floor; partial credit stops at 0.6 for the same
    # reason (a point made in part is not most of a point).
    "target_min": [3, 4],
    "target_max": [5, 6, 7, 8],
    "contradiction_penalty": [0.0, 0.5, 1.0, 1.5, 2.0],
    "contradiction_cap": [5.0, 6.0, 7.0, 10.0],
    "off_topic_sim": [0.25, 0.30, 0.35, 0.40],
    "follow_up_below": [7.5, 8.0, 8.5, 9.0],
    "long_answer_ratio": [2.0, 2.5, 3.0, 4.0, 5.0],
}


class Calibration(BaseModel):
    """The content of ``calibration.json``: fitted values and the hash of the data
    they were fitted on; other keys (report, corpora, date) pass through."""

    model_config = ConfigDict(extra="allow")

    params: dict[str, Any] = Field(default_factory=dict)
    data_hash: str = ""


def calibration_path() -> Path:
    return Path(__file__).with_name(CALIBRATION_FILE)


def read_calibration(path: Path | None = None) -> Calibration | None:
    """The calibration file (default: the package's), None when there is none. A file
    that is not valid raises ConfigError with one line saying why."""
    path = path or calibration_path()
    if not path.is_file():
        return None
    try:
        cal = Calibration.model_validate(json.loads(path.read_text(encoding="utf-8")))
        GradingParams(**cal.params)
    except (OSError, ValueError, ValidationError) as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ConfigError(f"{path}: not a valid calibration file ({first})") from e
    return cal


@lru_cache(maxsize=1)
def _load_default() -> GradingParams:
    cal = read_calibration()
    return GradingParams(**cal.params) if cal is not None else GradingParams()


def load_params(path: Path | None = None) -> GradingParams:
    """The defaults with the fitted values of ``calibration.json`` applied (``path``:
    another calibration file)."""
    if path is None:
        return _load_default()
    cal = read_calibration(path)
    return GradingParams(**cal.params) if cal is not None else GradingParams()
