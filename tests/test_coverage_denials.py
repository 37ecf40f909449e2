"""'X rather than Y' (or 'instead of Y') denies Y as 'not Y' does:
an answer that says it so does not oppose the point that says 'not Y' (coverage's
opposition test; the claim rules read negation on their own). Made-up sentences."""

from __future__ import annotations

import pytest

from interviewer.grading.coverage import opposes

POINT = "A kite is judged by how steadily it flies, not by the colour of its sail."


@pytest.mark.parametrize("cue", ["rather than", "instead of"])
def test_a_contrast_cue_denies_like_not(cue: str) -> None:
    claim = f"A kite is judged by how steadily it flies {cue} by the colour of its sail."
    assert not opposes(claim, POINT)
    # Saying the denied thing itself still opposes the point.
    swapped = "A kite is judged by the colour of its sail, not by how steadily it flies."
    assert opposes(swapped, POINT)


def test_a_contrast_cue_never_makes_an_opposition() -> None:
    # Read as "not", the claim would deny what the point keeps; it names a side the
    # point may judge in other words, so it stays no opposition.
    claim = "Judge the boat by its hull and sail rather than by its paint colour."
    point = "Judge the boat by its hull, its sail and its paint colour."
    assert not opposes(claim, point)
