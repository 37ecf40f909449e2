"""Thresholds and weights of the grader (calibrated constants)."""

from __future__ import annotations

# ---- calibrated constants ---------------------------------------------------------------
#
# Coverage of one key point by one claim of the answer combines the MiniLM cosine
# (point vs. claim; a clause uses its sentence's) with lexical evidence ("lex"): the
# larger of the IDF-weighted share of the point's key terms that the claim uses and
# PRECISION_WEIGHT x the share of the claim's content words that the point uses.
#
# Calibration: 207 labelled (answer, key point) pairs -- the LABELLED examples in
# tests/test_grading.py plus the pairs implied by the eval fixtures' `missing` and
# `not_flagged` phrases -- and the fixtures' score ranges. Coordinate search over the
# values below maximised balanced accuracy (credited vs. missed) + 0.5 x the share of
# fixture scores in range; where the optimum was a knife edge (LEX_PARTIAL 0.05) we
# kept a rounder, more conservative value that lost little (balanced accuracy 0.905
# vs. 0.911; fixture scores in range 0.90 either way; 0.86 before the search).
# Later changes to the lexical evidence (two-word terms half-credited for their telling
# word, illustrations "(e.g. ...)" no longer key terms, hedged points not graded) were
# checked on the same data plus answers written for the mlquestions corpus.
#
# - Topic-only similarity is high in MiniLM: an answer about validation curves scores
#   0.45-0.55 against "Early stopping: ..." while sharing none of its key terms. So
#   similarity alone never covers a point unless it is a near-paraphrase (>= 0.78;
#   at 0.72 "same topic" pairs started to pass).
SIM_PARAPHRASE = 0.78
# - Covered: similarity >= 0.50 with lex >= 0.40; or the point's own name (the
#   "Label:" of a list item, or an example it lists) in a claim about it (similarity
#   >= 0.30); or lex >= 0.60 at similarity >= 0.30.
SIM_COVERED = 0.50
LEX_COVERED = 0.40
SIM_LABEL = 0.30
LEX_STRONG = 0.60
SIM_FLOOR = 0.30
# - Partly covered: similarity >= 0.45 with lex >= 0.08 (at least one real shared
#   key word: one telling word of a long definition weighs ~0.09 of its eight terms;
#   0.10 missed "the leaf you reach gives the prediction" against the flowchart
#   definition of a decision tree, with no new "same topic" credit in the labelled
#   pairs), or the name mentioned in passing, or lex >= 0.30 at the floor.
SIM_PARTIAL = 0.45
LEX_PARTIAL = 0.08
LEX_PARTIAL_STRONG = 0.30
# Score: the credit (covered = 1, partly = 0.5, times importance) over the credit of
# the K most important points, K = clamp(n / 2, 3, 6): a complete interview answer
# makes the main points, not every sentence of the notes. A question whose notes list
# 20 points is answered in full by its ~6 central ones (at 8, naming early stopping
# alone for overfitting scored 1.3; at 6, 1.6, and one point of 13 on the metrics
# question still scores under 3 as its fixture asks). A steeper curve (r ** 0.8,
# 1 - (1 - r) ** 2) or K = n / 3 lifted thin answers too: 3-7 fixtures left range.
TARGET_MIN, TARGET_MAX = 3, 6
HINT_PENALTY = 1.0
# Each claim the notes contradict: it earns nothing and costs this much.
CONTRADICTION_PENALTY = 0.5
MAX_MISSED = 5
# No follow-up when the answer already scores this much.
FOLLOW_UP_BELOW = 8.5
# Missed points this similar to one already listed are the same point said twice.
MISSED_DUP_COSINE = 0.75
# An answer whose best similarity to every point stays below this, with no shared key
# term, is off-topic.
OFF_TOPIC_SIM = 0.35
# A free-text question is the bank's question when they are this similar.
SAME_QUESTION_COSINE = 0.86
FUZZY_QUESTION_RATIO = 0.86
MAX_CLAIMS = 40
# Answer sentences are embedded cut to this many words (MiniLM's cost grows with the
# tokens; a sentence's point is in its first words) and cached, this many at most.
CLAIM_EMBED_WORDS = 48
CLAIM_CACHE_SIZE = 4096
# Lexical evidence is the larger of the share of the point's key terms a claim uses
# and (scaled by this) the share of the claim's own content words that the point
# uses: "Use class weights in the loss function" is all about "you can weight the
# loss differently for those classes ...", though it uses few of its words.
PRECISION_WEIGHT = 0.6
