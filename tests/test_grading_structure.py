"""What a question's notes look like shapes what a full answer owes: a heading's own text
against its sub-sections, short statements, a subject every sentence names, opposite
words. On small notes written here, not on any bundled notes."""

from __future__ import annotations

import pytest

from interviewer.grading import Grader, GradingParams
from interviewer.grading.coverage import gradable_points, opposes, own_points
from interviewer.grading.groups import without_topic
from interviewer.grading.scoring import central_points
from interviewer.settings import Settings
from tests.notes_grading import grader_over

DEFAULTS = GradingParams()

NOTES = """\
# Storage

## Replicated log

A replicated log copies every entry to several nodes before the write is acknowledged.

Reads can be served by any node that holds the entry. The log survives the loss of a \
minority of its nodes.

A leader assigns each entry its position.

### Drawbacks: replicated log

- Every write waits for the slowest node in the quorum.
- Adding nodes makes each write more expensive.

### Further reading: replicated log

- A talk about logs, given at a conference in a city by the sea

## Mirrored disk

Data is copied synchronously. Writes are acknowledged late.

Mirrored disk works well in systems that need durability.
"""

LOG = "Replicated log"


@pytest.fixture(scope="module")
def grader(tmp_path_factory: pytest.TempPathFactory) -> Grader:
    return grader_over(tmp_path_factory, NOTES, "structure", file="storage.md")


def _question(grader: Grader, heading_end: str):  # type: ignore[no-untyped-def]
    return next(q for q in grader.bank.questions if q.heading.endswith(heading_end))


def test_a_short_statement_with_a_verb_is_a_point(grader: Grader) -> None:
    texts = [kp.text for kp in _question(grader, "Mirrored disk").key_points]
    assert "Data is copied synchronously." in texts
    assert "Writes are acknowledged late." in texts
    # A title is no statement, however its words.
    assert not any(t.startswith("Storage") for t in texts)


def test_the_target_counts_own_points_and_one_per_sub_section(grader: Grader) -> None:
    q = _question(grader, LOG)
    points = gradable_points(q)
    # Four points of its own, two under "Drawbacks"; the one link title under
    # "Further reading" is a detail, no part.
    assert own_points(q, points) == (4, 1)
    p = DEFAULTS.model_copy(update={"target_min": 1, "target_max": 10})
    assert central_points(10, p) == 5
    assert central_points(10, p, (4, 1)) == 3  # half of four, and one for the part
    assert central_points(10, p, (1, 4)) == 5  # each pattern under "When to ..."
    # Never above the points there are, never below the floor.
    assert central_points(2, p, (1, 4)) == 2
    assert central_points(8, DEFAULTS, (1, 1)) == DEFAULTS.target_min


def test_a_heading_without_text_over_several_sections_sets_nothing_apart(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    notes = (
        "# Notes\n\n## How do you tune a cache?\n\n### First answer\n\n"
        "- Measure the hit rate before changing anything.\n"
        "- Size the cache to hold the working set.\n\n"
        "### Final answer\n\n"
        "- Measure the hit rate, then size the cache for the working set.\n"
        "- Pick an eviction policy that fits the access pattern.\n"
    )
    corpus = tmp_path_factory.mktemp("versions-corpus")
    (corpus / "cache.md").write_text(notes, encoding="utf-8")
    home = tmp_path_factory.mktemp("versions-home")
    g = Grader.open(Settings(home=home, corpus=corpus, use_llm=False), use_llm=False)
    q = next(q for q in g.bank.questions if q.heading.endswith("How do you tune a cache?"))
    assert len(q.key_points) >= 3
    assert own_points(q, gradable_points(q)) is None


def test_the_own_points_make_a_full_answer(grader: Grader) -> None:
    right = (
        "A replicated log copies each entry to several nodes before it acknowledges the "
        "write. Any node holding an entry can serve reads, the log survives losing a "
        "minority of nodes, and a leader gives each entry its position."
    )
    q = _question(grader, LOG)
    fb = grader.grade(q, right)
    assert fb.score >= 7
    # The drawbacks are still there to learn.
    assert any("more expensive" in p.text for p in fb.missed)
    partial = grader.grade(q, "A replicated log copies each entry to several nodes.")
    assert partial.score < fb.score


def test_a_subject_every_point_names_is_the_topic() -> None:
    subjects = ["udp", "udp", "datagrams", "udp", None, "late data"]
    assert without_topic(subjects) == [None, None, "datagrams", None, None, "late data"]
    # Two points about one subject may still be one point said twice.
    assert without_topic(["bagging", "bagging", "boosting"]) == ["bagging", "bagging", "boosting"]


def test_a_point_that_only_names_the_question_subject_is_not_graded(grader: Grader) -> None:
    q = _question(grader, LOG)
    named = q.key_points[0].model_copy(update={"text": "Replicated log", "id": "x-name"})
    q2 = q.model_copy(update={"key_points": [named, *q.key_points]})
    texts = [kp.text for kp in gradable_points(q2)]
    assert "Replicated log" not in texts
    assert len(texts) == len(gradable_points(q))


def test_opposite_predicates_of_the_same_things_oppose() -> None:
    point = "Joining data from several partitions is more complex."
    assert opposes("Joins across partitions are simpler.", point, {"partit"})
    assert not opposes("Joins across partitions are more complex.", point, {"partit"})
    # A negation turns the opposite word back.
    assert not opposes("Joins across partitions are not simpler.", point, {"partit"})
    # A comparison stated from its other side is the same statement.
    assert not opposes(
        "It is cheaper than scaling up.",
        "Scaling out is more cost efficient than scaling up on expensive hardware.",
        set(),
    )
    # Modifiers of different nouns are no opposition ("cost more" / "less data").
    assert not opposes(
        "Weight the loss by class so mistakes on rare classes cost more.",
        "You can weight the loss differently for classes with less data.",
        {"imbalanc"},
    )


def test_contracted_negations_of_the_past_count() -> None:
    from interviewer.grading.cues import negation_over

    assert negation_over("examples that weren’t part of the training set", {"train"})
    assert negation_over("the entry wasn't written", {"written"})
