"""Limits of the grader's work (not thresholds: those are in ``params``)."""

from __future__ import annotations

# Claims an answer is split into at most.
MAX_CLAIMS = 40
# Answer sentences are embedded cut to this many words (MiniLM's cost grows with the
# tokens; a sentence's point is in its first words) and cached, this many at most.
CLAIM_EMBED_WORDS = 48
CLAIM_CACHE_SIZE = 4096
