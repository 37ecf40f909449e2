"""Coverage that tells subjects apart, swaps and crossed pairings, the score's shape:
on small notes written here (storage, disks, queues), not on any bundled notes."""

from __future__ import annotations

import pytest

from interviewer.feedback import Feedback
from interviewer.grading import Grader, GradingParams
from interviewer.grading.contrast import (
    SubjectNames,
    contrasted,
    names_in,
    opening_names,
    statements,
    subject_names,
)
from interviewer.grading.scoring import score_from
from interviewer.settings import Settings

DEFAULTS = GradingParams()

NOTES = """\
# Storage and queues

## What is the difference between hot storage and cold storage?

Hot storage keeps data on fast disks, so a read returns in milliseconds.

Cold storage keeps data on cheap tape, so a read can take hours.

## What is the difference between Solid State Drives and Hard Disk Drives?

Solid state drives have no moving parts and serve a random read in microseconds.

Hard disk drives spin a platter, and a random read waits for the head to move.

## What do push and pull do in a message queue?

push delivers each message to the consumer the moment it arrives. pull lets the
consumer fetch a batch of messages when it is ready for more work.

## How does latency respond to load and to replicas?

Under heavy load the request latency increases, while with extra replicas the request
latency decreases.

## What are the three durability levels of the log?

- **Buffered**: a write sits in memory and is lost if the process dies.
- **Flushed**: a write reaches the page cache of the kernel and survives a process crash.
- **Synced**: a write reaches the disk platter and survives a power cut.

## What is a write-ahead log?

A write-ahead log records each change before the data files are touched, so that after
a crash the database replays it.

A simple way to picture it is a ship's logbook, written before every manoeuvre and read
after a storm.
"""

HOT = "What is the difference between hot storage and cold storage?"
SSD = "What is the difference between Solid State Drives and Hard Disk Drives?"
PUSH = "What do push and pull do in a message queue?"
LOAD = "How does latency respond to load and to replicas?"
LEVELS = "What are the three durability levels of the log?"
WAL = "What is a write-ahead log?"


@pytest.fixture(scope="module")
def grader(tmp_path_factory: pytest.TempPathFactory) -> Grader:
    corpus = tmp_path_factory.mktemp("storage-corpus")
    (corpus / "storage.md").write_text(NOTES, encoding="utf-8")
    home = tmp_path_factory.mktemp("storage-home")
    return Grader.open(
        Settings(home=home, corpus=corpus, use_llm=False), use_llm=False, params=DEFAULTS
    )


def credited(fb: Feedback, phrase: str) -> bool:
    return any(phrase.lower() in p.text.lower() for p in fb.covered + fb.partial)


def flagged(fb: Feedback) -> list[str]:
    return [c.rule or "" for c in fb.incorrect + fb.to_check]


# ---- names of contrasted subjects --------------------------------------------------------


def test_a_phrase_that_holds_another_is_a_name_of_its_own() -> None:
    assert contrasted("What is the difference between UNION and UNION ALL?") == {
        "union", "union all",
    }  # fmt: skip
    names = SubjectNames({"union", "union all"})
    # The longest name a statement opens with is its subject.
    assert subject_names("UNION ALL keeps every row", names) == {"union all"}
    assert subject_names("UNION removes the duplicates", names) == {"union"}
    assert names_in("UNION ALL is faster than UNION", names) == {"union", "union all"}
    # A name mentioned late is not what the statement is about.
    assert subject_names("Removing duplicates is what UNION does", names) == set()


def test_an_acronym_names_its_phrase_only_in_capitals() -> None:
    names = SubjectNames(
        {"solid", "hard"}, {"ssd": frozenset({"solid"}), "hdd": frozenset({"hard"})}
    )
    assert subject_names("SSD: no moving parts", names) == {"solid"}
    assert subject_names("HDDs spin a platter", names) == {"hard"}
    assert subject_names("ssd is cheap", names) == set()


def test_statements_split_before_a_lower_case_name_but_not_after_eg() -> None:
    text = "push delivers each message (e.g. an event) at once. pull lets it fetch a batch."
    assert statements(text) == [
        "push delivers each message (e.g. an event) at once", "pull lets it fetch a batch.",
    ]  # fmt: skip


def test_subjects_that_open_their_own_statements(grader: Grader) -> None:
    q = grader.find_question(PUSH)
    assert q is not None
    assert opening_names(q.text, q.key_points) == {"push", "pull"}
    levels = grader.find_question(LEVELS)
    assert levels is not None
    assert opening_names(levels.text, levels.key_points) == {"buffer", "flush", "sync"}
    # A single subject that opens every statement contrasts nothing.
    assert opening_names("What is a queue?", []) == set()


# ---- coverage ----------------------------------------------------------------------------


def test_an_acronym_earns_the_point_of_the_subject_it_names(grader: Grader) -> None:
    fb = grader.grade(
        SSD, "SSD: no moving parts, random reads in microseconds. HDD: a spinning platter, "
        "so a random read waits for the head."
    )  # fmt: skip
    assert credited(fb, "Solid state drives") and credited(fb, "Hard disk drives")
    assert fb.score >= 6 and not fb.incorrect


def test_a_swap_loses_the_credit_of_both_subjects(grader: Grader) -> None:
    right = grader.grade(
        HOT, "Hot storage uses fast disks and answers in milliseconds; cold storage sits on "
        "cheap tape and a read may take hours."
    )  # fmt: skip
    assert right.score >= 7 and not right.incorrect and not right.to_check
    swapped = grader.grade(
        HOT, "Cold storage keeps data on fast disks, so a read returns in milliseconds. Hot "
        "storage keeps data on cheap tape, so a read can take hours."
    )  # fmt: skip
    assert "swapped-subject" in flagged(swapped)
    assert not credited(swapped, "Hot storage") and not credited(swapped, "Cold storage")
    assert swapped.score <= 3


def test_a_swap_of_lower_case_names_is_caught(grader: Grader) -> None:
    fb = grader.grade(PUSH, "pull delivers each message to the consumer the moment it arrives.")
    assert "swapped-subject" in flagged(fb) and fb.score <= 3
    ok = grader.grade(PUSH, "push hands each message to the consumer as soon as it arrives.")
    assert not flagged(ok) and credited(ok, "push delivers")


def test_a_swap_even_when_advisory_earns_nothing(grader: Grader) -> None:
    params = DEFAULTS.model_copy(update={"advisory_rules": ["swapped-subject"]})
    fb = grader.with_params(params).grade(
        HOT, "Cold storage keeps data on fast disks, so a read returns in milliseconds."
    )
    assert [c.rule for c in fb.to_check] == ["swapped-subject"] and not fb.incorrect
    assert not credited(fb, "Hot storage") and not credited(fb, "Cold storage")


def test_labels_that_name_levels_catch_swapped_definitions(grader: Grader) -> None:
    fb = grader.grade(
        LEVELS, "Buffered, flushed and synced. Synced means the write reaches the page cache of "
        "the kernel and survives a process crash."
    )  # fmt: skip
    assert "swapped-subject" in flagged(fb)
    assert not credited(fb, "Synced") and not credited(fb, "Flushed")


# ---- crossed pairings --------------------------------------------------------------------


def test_crossed_pairings_are_wrong_and_the_right_ones_are_not(grader: Grader) -> None:
    crossed = grader.grade(
        LOAD, "Under heavy load the request latency decreases and with extra replicas the "
        "request latency increases."
    )  # fmt: skip
    assert [c.rule for c in crossed.incorrect] == ["crossed-pairs"]
    assert crossed.score <= 3
    for answer in (
        "Under heavy load the request latency increases and with extra replicas the request "
        "latency decreases.",
        # The same pairings in the other order.
        "With extra replicas the request latency decreases, while under heavy load it "
        "increases.",
    ):
        fb = grader.grade(LOAD, answer)
        assert "crossed-pairs" not in flagged(fb), answer


# ---- score -------------------------------------------------------------------------------


def test_the_score_exponent_favours_the_first_central_points() -> None:
    flat = score_from([1.0], [], [1.0, 1.0, 1.0, 1.0], 0, DEFAULTS)
    bent = score_from(
        [1.0], [], [1.0, 1.0, 1.0, 1.0], 0, DEFAULTS.model_copy(update={"score_exponent": 0.7})
    )
    assert flat == pytest.approx(3.3, abs=0.05) and bent > flat
    # Full coverage is 10 either way.
    full = DEFAULTS.model_copy(update={"score_exponent": 0.7})
    assert score_from([1.0, 1.0, 1.0], [], [1.0, 1.0, 1.0], 0, full) == 10.0


def test_an_illustration_weighs_less_than_the_idea(grader: Grader) -> None:
    fb = grader.grade(WAL, "It records every change before the data files are written, so a crash "
                      "can be recovered by replaying it.")  # fmt: skip
    assert credited(fb, "records each change") and not credited(fb, "logbook")
    # The idea without its picture is most of the answer.
    assert fb.score >= 6
    q = grader.find_question(WAL)
    assert q is not None
    from interviewer.grading.coverage import gradable_points

    weights = {kp.text[:20]: kp.importance for kp in gradable_points(q)}
    raw = {kp.text[:20]: kp.importance for kp in q.key_points}
    picture = next(k for k in weights if k.startswith("A simple way"))
    assert weights[picture] == pytest.approx(raw[picture] / 2, abs=0.01)


def test_a_claim_about_one_labelled_point_does_not_make_its_sibling(grader: Grader) -> None:
    answer = "Flushed: the write is in the kernel page cache, so it is not lost if the process dies"
    fb = grader.grade(LEVELS, answer)
    assert credited(fb, "Flushed")
    # "lost if the process dies" are the words of the buffered level, said of another.
    assert not credited(fb, "Buffered")
    # A list of names is about each of them.
    both = grader.grade(LEVELS, "Buffered and flushed: a write sits in memory and is lost if "
                        "the process dies, or it reaches the page cache.")  # fmt: skip
    assert credited(both, "Buffered")


def test_a_passage_of_the_notes_is_never_wrong(grader: Grader) -> None:
    from interviewer.grading.claims.detect import said_in_notes

    q = grader.find_question(LOAD)
    assert q is not None
    whole = " ".join(kp.text for kp in q.key_points)
    assert said_in_notes("Under heavy load the request latency increases", q.key_points)
    assert not said_in_notes("Under heavy load the request latency decreases", q.key_points)
    fb = grader.grade(q, whole)
    assert not fb.incorrect and not fb.to_check and fb.score >= 8.5
