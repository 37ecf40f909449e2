"""Cross-language matching for the grader: how close an answer sentence written in
one language is to a key point written in another, with no translation and no word
list. The multilingual model (multilingual-e5-small) embeds both; its cosine is
mapped onto the English model's scale so that thresholds set on MiniLM
similarities (the grader's) keep their meaning.

The grader's coverage step takes, for answer claims that are not English
(``needs_crosslingual``), ``cross_evidence``: a claim in another language shares no
words with the notes, so the similarity alone decides, against two thresholds
fitted on Spanish answers to English notes of five corpora
(benchmarks/fit_crosslingual.py, data in benchmarks/data/spanish_answers.yaml)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from interviewer.grading.params import GradingParams

# e5 cosine -> MiniLM cosine, piecewise linear between knots. Fitted by
# benchmarks/fit_crosslingual.py: below the top knot, matching quantiles of the two
# models' similarities over every pair of English sentences of the bundled notes and
# evals/corpora/statistics.md (e5's are compressed: unrelated sentences ~0.8); the
# top knot maps the median e5 similarity of a Spanish sentence to its English
# translation onto the median MiniLM similarity of an English paraphrase (8 pairs
# written in that script). Re-fit there.
E5_KNOTS = (0.7179, 0.7845, 0.8007, 0.8187, 0.8355, 0.8503, 0.8664, 0.8803, 0.8967, 0.9077,
            0.9273, 1.0)  # fmt: skip
MINILM_KNOTS = (-0.1652, 0.0068, 0.0646, 0.1329, 0.2088, 0.2904, 0.3921, 0.4792, 0.5852,
                0.6529, 0.8211, 1.0)  # fmt: skip


# Mapped similarity at which a claim in another language covers a point, and at
# which it partly covers it (benchmarks/fit_crosslingual.py --thresholds).
XL_COVERED = 0.64
XL_PARTIAL = 0.49


def needs_crosslingual(text: str) -> bool:
    """True for text the English model cannot be trusted with (not English)."""
    from interviewer.language import is_english

    return not is_english(text)


def on_english_scale(e5_cosine: np.ndarray) -> np.ndarray:
    return np.interp(e5_cosine, E5_KNOTS, MINILM_KNOTS)


_CACHE: dict[str, np.ndarray] = {}
_CACHE_SIZE = 4096
_cache_lock = threading.Lock()


def _vectors(texts: Sequence[str]) -> np.ndarray:
    """e5 query vectors, each distinct text embedded once per process (the points of
    a question come back with every answer to it)."""
    from interviewer.embeddings import get_multilingual_embedder

    with _cache_lock:
        have = {t: _CACHE[t] for t in texts if t in _CACHE}
    missing = [t for t in dict.fromkeys(texts) if t not in have]
    if missing:
        fresh = get_multilingual_embedder().query(missing)
        have.update(zip(missing, fresh, strict=True))
        with _cache_lock:
            if len(_CACHE) + len(missing) > _CACHE_SIZE:
                _CACHE.clear()
            _CACHE.update(zip(missing, fresh, strict=True))
    return np.stack([have[t] for t in texts])


def point_claim_similarity(points: Sequence[str], claims: Sequence[str]) -> np.ndarray:
    """Points x claims similarity on the English model's cosine scale, whatever
    language each side is written in."""
    if not points or not claims:
        return np.zeros((len(points), len(claims)), dtype=np.float64)
    vecs = _vectors(list(points) + list(claims))
    cos = vecs[: len(points)] @ vecs[len(points) :].T
    return on_english_scale(cos.astype(np.float64))


def cross_similarity(
    points: Sequence[str], names: Sequence[str | None], claims: Sequence[str]
) -> np.ndarray:
    """Points x claims: a claim's similarity to the point's text or, when the point
    has one, to its name ("Early stopping"), whichever is higher: a terse answer in
    another language names the point ("parada temprana") as an English one does."""
    texts = list(points) + [n for n in names if n]
    sims = point_claim_similarity(texts, claims)
    out = sims[: len(points)].copy()
    row = len(points)
    for i, name in enumerate(names):
        if name:
            out[i] = np.maximum(out[i], sims[row])
            row += 1
    return out


def cross_evidence(
    points: Sequence[str], names: Sequence[str | None], claims: Sequence[str],
    params: GradingParams,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(similarity, lexical evidence), points x claims, for claims in another language
    than the points: the grader's own evidence scale, so that its decision covers a
    point at XL_COVERED and partly covers it at XL_PARTIAL."""
    sim = cross_similarity(points, names, claims)
    covered = sim >= XL_COVERED
    partial = sim >= XL_PARTIAL
    out_sim = np.where(covered, np.maximum(sim, params.sim_paraphrase), sim)
    out_sim = np.where(partial & ~covered, np.maximum(out_sim, params.sim_partial), out_sim)
    lex = np.where(partial, params.lex_partial, 0.0)
    return out_sim, lex
