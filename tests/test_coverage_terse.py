"""Terse answers: a claim that states the core of a point (its first statement) makes
the point however much the notes elaborate, and a sentence that opens with "Both" or
"It" is about what the sentence before it named. On small notes written here (locks,
containers, image metrics), not on any bundled notes."""

from __future__ import annotations

import pytest

from interviewer.feedback import Feedback
from interviewer.grading import Grader, GradingParams
from interviewer.grading.assess import core_terms, point_core
from interviewer.settings import Settings

DEFAULTS = GradingParams()
# The same thresholds with the core's evidence switched off (no cosine reaches it).
NO_CORE = DEFAULTS.model_copy(update={"sim_core": 1.01})

NOTES = """\
# Locks, containers and image metrics

## What is the difference between a spinlock and a sleeping lock?

A spinlock is a lock that a waiting thread polls in a busy loop: the thread keeps the \
CPU busy testing the flag again and again, so it only suits critical sections held for \
a few instructions, and on a single core it wastes the rest of the time slice.

A sleeping lock puts a waiting thread to sleep on a wait queue: the scheduler runs \
other work until the holder releases the lock and wakes a waiter, which costs two \
context switches but no CPU time while waiting.

Kernels often spin for a short while before they sleep, to get the best of both.

## What is the difference between a stack and a queue?

A stack is a collection with last-in, first-out order: the element pushed most \
recently is the first one popped, and all work happens at one end called the top.

A queue is a collection with first-in, first-out order: elements join at the back and \
leave from the front, so the oldest element is served first.

## What is the difference between a min-heap and a max-heap?

A min-heap keeps the smallest element at the root.

A max-heap keeps the largest element at the root.

Both are complete binary trees stored in an array.

## What is the difference between a Write Ahead Log and a Shadow Page Table?

A write ahead log records every change in an append-only file before the data pages \
are modified, so after a crash the database replays the log to redo committed work.

A shadow page table copies each modified page to a new location and switches a root \
pointer atomically at commit, so the old version stays intact until then.

## What are NRMSE, SNR and SSIM?

NRMSE is the root of the mean squared error divided by the range of the signal, so \
that errors on signals of different scales compare.

SNR is the power of the signal divided by the power of the noise, usually given in \
decibels.

NRMSE and SNR are both objective measures of reconstruction fidelity.

SSIM compares local structure, luminance and contrast, and tracks perceived quality.
"""

LOCKS = "What is the difference between a spinlock and a sleeping lock?"
METRICS = "What are NRMSE, SNR and SSIM?"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    corpus = tmp_path_factory.mktemp("locks-corpus")
    (corpus / "locks.md").write_text(NOTES, encoding="utf-8")
    home = tmp_path_factory.mktemp("locks-home")
    return Settings(home=home, corpus=corpus, use_llm=False)


@pytest.fixture(scope="module")
def grader(corpus: Settings) -> Grader:
    return Grader.open(corpus, use_llm=False, params=DEFAULTS)


@pytest.fixture(scope="module")
def no_core(grader: Grader) -> Grader:
    return grader.with_params(NO_CORE)


def covered(fb: Feedback, phrase: str) -> bool:
    return any(phrase.lower() in p.text.lower() for p in fb.covered)


# ---- the core of a point ---------------------------------------------------------------


def test_the_core_is_the_first_statement_before_its_elaboration() -> None:
    assert (
        point_core("A heap is a tree kept in an array: each parent is no larger than its "
                   "children, so the minimum sits at the root.")
        == "A heap is a tree kept in an array"
    )  # fmt: skip
    # Brackets go; a comma before an added clause ("which ...") ends it.
    assert (
        point_core("A trie (prefix tree) stores strings by their characters along paths, "
                   "which makes prefix lookups as fast as the prefix is long.")
        == "A trie stores strings by their characters along paths"
    )  # fmt: skip
    # A leading label is part of the statement, not a break.
    assert (
        point_core("Insertion sort: takes each element in turn and moves it left past the "
                   "larger ones; quadratic in the worst case but fast on nearly sorted input.")
        == "Insertion sort: takes each element in turn and moves it left past the larger ones"
    )  # fmt: skip


def test_a_point_without_elaboration_has_no_core_of_its_own() -> None:
    # The whole point is its one statement; a fragment too short says nothing.
    assert point_core("A queue serves the oldest element first.") is None
    assert point_core("LIFO: a stack; cheap to build and to use.") is None


def test_core_terms_are_the_key_terms_the_core_uses() -> None:
    core = "A heap is a tree kept in an array"
    assert core_terms(core, ["tree", "array", "parent", "tree kept", "root"]) == [
        "tree", "array", "tree kept",
    ]  # fmt: skip


# ---- terse answers ---------------------------------------------------------------------


def test_a_terse_claim_is_measured_against_the_core_too(
    grader: Grader, no_core: Grader
) -> None:
    from interviewer.grading.answer import answer_claims
    from interviewer.grading.assess import features
    from interviewer.grading.coverage import gradable_points

    q = grader.find_question(LOCKS)
    assert q is not None
    points = gradable_points(q)
    spin = next(i for i, kp in enumerate(points) if kp.text.startswith("A spinlock"))
    answer = "Spinlock: a lock you wait on by polling in a busy loop."
    claims, *_ = answer_claims(grader, answer, points)
    with_core = features(grader, points, claims, q).sim[spin].max()
    whole_only = features(no_core, points, claims, q).sim[spin].max()
    # Against the whole elaborate point the claim is no paraphrase; against its core
    # ("A spinlock is a lock that a waiting thread polls in a busy loop") it is.
    assert whole_only < DEFAULTS.sim_paraphrase <= with_core


def test_a_terse_answer_that_states_the_cores_scores_as_correct(grader: Grader) -> None:
    answer = "Spinlock: a lock you wait on by polling in a busy loop. Sleeping lock: waiters sleep on a queue until woken."  # noqa: E501
    fb = grader.grade_grounded(LOCKS, answer)
    assert covered(fb, "A spinlock is a lock")
    assert fb.score >= 6.0, fb.score
    assert not fb.incorrect


def test_a_terse_answer_that_swaps_the_subjects_is_not_lifted(grader: Grader) -> None:
    swapped = "Spinlock: waiters sleep on a queue until woken. Sleeping lock: a lock you wait on by polling in a busy loop."  # noqa: E501
    fb = grader.grade_grounded(LOCKS, swapped)
    assert not covered(fb, "A spinlock is a lock")
    assert fb.score <= 5.0, fb.score


def test_an_off_topic_terse_answer_gets_nothing(grader: Grader) -> None:
    fb = grader.grade_grounded(LOCKS, "Stack: last in, first out. Queue: first in, first out.")
    assert not fb.covered
    assert fb.score <= 2.0


# ---- sentences that refer back ---------------------------------------------------------


def test_a_sentence_opening_with_both_is_about_the_subjects_before_it(grader: Grader) -> None:
    answer = (
        "NRMSE is the root mean squared error over the range of the signal; SNR is signal "
        "power over noise power, in decibels. Both are objective measures of how faithful "
        "a reconstruction is."
    )
    fb = grader.grade_grounded(METRICS, answer)
    assert covered(fb, "both objective measures"), [p.text for p in fb.covered]
    # Alone, "Both are ..." names neither subject: nothing to credit.
    alone = grader.grade_grounded(METRICS, "Both are objective measures of fidelity.")
    assert not covered(alone, "both objective measures")


# ---- compact claims --------------------------------------------------------------------


def test_a_compact_claim_lists_its_items_with_its_subject() -> None:
    from interviewer.grading.assess import compact_items

    assert compact_items("Heap: a tree in an array, minimum at the root.") == [
        "Heap: a tree in an array", "Heap: minimum at the root",
    ]  # fmt: skip
    assert compact_items("Cheap to build, slow to search, easy to extend.") == [
        "Cheap to build", "slow to search", "easy to extend",
    ]  # fmt: skip
    # A sentence with long parts is no list of items; one statement has none.
    assert compact_items(
        "A heap keeps its minimum at the root of the tree it stores, which makes the "
        "smallest element cheap to find, and pushing keeps that order."
    ) == []
    assert compact_items("A heap keeps its minimum at the root.") == []


def test_each_item_of_a_compact_claim_is_evidence_of_its_own(grader: Grader) -> None:
    from interviewer.grading.answer import answer_claims
    from interviewer.grading.assess import features
    from interviewer.grading.coverage import gradable_points

    q = grader.find_question("What is the difference between a min-heap and a max-heap?")
    assert q is not None
    points = gradable_points(q)
    smallest = next(i for i, kp in enumerate(points) if kp.text.startswith("A min-heap"))
    compact = (
        "Min-heap: the smallest element sits at the root, parents never larger than "
        "children, array-backed."
    )
    claims, *_ = answer_claims(grader, compact, points)
    got = features(grader, points, claims, q).sim[smallest].max()
    whole = float(grader._embed_claims([compact])[0] @ grader._vector(points[smallest]))
    # The item "Min-heap: the smallest element sits at the root" is closer to the
    # point than the whole list is.
    assert got > whole + 0.05


# ---- claims that negate a point --------------------------------------------------------


def test_a_clause_that_negates_the_point_opposes_it() -> None:
    from interviewer.grading.coverage import opposes

    point = "The sender waits for an acknowledgement before it sends the next frame."
    qterms = {"stop", "wait", "protocol"}
    assert opposes("It is simple; the sender never waits for an acknowledgement.", point, qterms)
    assert opposes("The sender doesn't wait for an acknowledgement", point, qterms)
    # The same words without the negation, or a negation of something else, agree.
    assert not opposes("The sender waits for each acknowledgement.", point, qterms)
    other = "The sender waits for an acknowledgement and never pipelines."
    assert not opposes(other, point, qterms)
    # "non-" negates; a condition's negation is not what the clause states.
    key = "A key cannot be null or empty."
    assert opposes("Keys may be null.", key, set())
    assert not opposes("Keys are non-null.", key, set())
    assert not opposes(
        "The sender resends the frame when no acknowledgement arrives.", point, qterms
    )


# ---- acronyms --------------------------------------------------------------------------


def test_acronyms_of_the_questions_phrases_are_written_out() -> None:
    from interviewer.grading.assess import expand_acronyms

    q = "What is the difference between a primary key and a foreign key?"
    got = expand_acronyms(["FK: points to another table's PK.", "pk is fine", "PKs"], q)
    # Only capitals are acronyms; a plural keeps its "s".
    assert got == {0: "foreign key: points to another table's primary key.", 2: "primary keys"}
    assert expand_acronyms(["FK: points to another table's PK."], "What is a key?") == {}


def test_a_terse_answer_in_acronyms_makes_the_points(
    grader: Grader, monkeypatch: pytest.MonkeyPatch
) -> None:
    import interviewer.grading.assess as assess

    q = "What is the difference between a Write Ahead Log and a Shadow Page Table?"
    answer = (
        "WAL: changes appended to a file before pages change, replayed after a crash. "
        "SPT: modified pages copied elsewhere, root pointer swapped at commit."
    )
    fb = grader.grade_grounded(q, answer)
    assert covered(fb, "A write ahead log records")
    assert covered(fb, "A shadow page table copies")
    assert fb.score >= 6.0
    # Read as opaque words, the acronyms leave one of the two points unmade.
    monkeypatch.setattr(assess, "expand_acronyms", lambda claims, question: {})
    opaque = grader.grade_grounded(q, answer)
    assert len(opaque.covered) < len(fb.covered)
