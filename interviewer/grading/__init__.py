"""Grading an answer against the user's notes.

A grounded core (key points from the notes, coverage by claim, conservative wrong-claim
rules) and an optional model layer whose every claim is checked against the notes.

Public API (sessions and evals code against it): ``Grader``, ``KeyPoint``, ``Question``,
``ModelCritique``, ``GradingError``, rubric export / import. The modules:

- ``models``: key points, questions, the bank (pydantic models)
- ``material``, ``naming``, ``points``, ``bank``: building the question bank
- ``terms``: known words, rarity, term weights and key terms; gibberish and text
  addressed to the grader (the language of a text: ``interviewer.language``)
- ``answer``: an answer's claims (sentences, list items, clauses) and their terms
- ``assess``, ``coverage``, ``contrast``: which points each claim makes
- ``groups``, ``scoring``: which points are one (near-duplicates), and the score
- ``wrong_claims``, ``claims/``: the wrong-claim search, one module per rule family
- ``grounded``: the deterministic grade, from an answer to its feedback
- ``feedback_text``: prose, length remark, hints and follow-up questions
- ``free_text``: questions the notes do not ask, the model's context, citations
- ``refine``: the optional model critique
- ``rubric``: key points as editable YAML
- ``params``: every threshold and weight (``GradingParams``), fitted values from
  ``calibration.json``, the calibration grid ``TUNABLE``
- ``grader``: the ``Grader`` facade (opens the bank and caches, delegates the rest)

Outside the package: ``interviewer.text`` (words, stems, terms, pronouns, sentences and
clause breaks) and ``interviewer.subjects`` (a question's subject; a point's is
``naming``'s).
"""

from interviewer.grading.claims.registry import RULES, Rule
from interviewer.grading.feedback_text import follow_up_question
from interviewer.grading.grader import Grader
from interviewer.grading.models import Bank, GradingError, KeyPoint, Question, RubricError
from interviewer.grading.params import TUNABLE, GradingParams, load_params
from interviewer.grading.refine import ModelCritique
from interviewer.grading.rubric import RubricImport, export_rubric, import_rubric
from interviewer.grading.scoring import score_from

__all__ = [
    "Bank",
    "Grader",
    "GradingError",
    "GradingParams",
    "KeyPoint",
    "ModelCritique",
    "Question",
    "RULES",
    "Rule",
    "RubricError",
    "RubricImport",
    "TUNABLE",
    "export_rubric",
    "follow_up_question",
    "import_rubric",
    "load_params",
    "score_from",
]
