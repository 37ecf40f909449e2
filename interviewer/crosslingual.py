"""Cross-language matching for the grader: how close an answer sentence written in
one language is to a key point written in another, with no translation and no word
list. The multilingual model (multilingual-e5-small) embeds both; its cosine is
mapped onto the English model's scale so that thresholds set on MiniLM
similarities (the grader's) keep their meaning.

Hook for the grader's coverage step: for answer sentences that are not English
(``needs_crosslingual``), use ``point_claim_similarity(points, claims)`` in place
of (or as the max with) the English model's point x claim similarity."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# MiniLM cosine ~= SLOPE * e5 cosine + INTERCEPT. e5's cosines are compressed
# (unrelated sentences ~0.75, restatements ~0.95). Fitted by
# benchmarks/fit_crosslingual.py on every pair of English sentences of the bundled
# notes and evals/corpora/statistics.md (e5 places a translation where the original
# is, so English pairs suffice); re-fit there.
SLOPE = 3.9
INTERCEPT = -2.9


def needs_crosslingual(text: str) -> bool:
    """True for text the English model cannot be trusted with (not English)."""
    from interviewer.language import is_english

    return not is_english(text)


def on_english_scale(e5_cosine: np.ndarray) -> np.ndarray:
    return np.clip(SLOPE * e5_cosine + INTERCEPT, -1.0, 1.0)


def point_claim_similarity(points: Sequence[str], claims: Sequence[str]) -> np.ndarray:
    """Points x claims similarity on the English model's cosine scale, whatever
    language each side is written in."""
    from interviewer.embeddings import crosslingual_similarity

    if not points or not claims:
        return np.zeros((len(points), len(claims)), dtype=np.float64)
    return on_english_scale(crosslingual_similarity(list(points), list(claims)).astype(np.float64))
