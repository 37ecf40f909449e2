"""Cases a review of the merged branches found wrong, each pinned where it was fixed."""

from __future__ import annotations

import pytest

from interviewer.grading.assess import _COORDINATED
from interviewer.grading.claims.predicate import _CLAIM, _statements
from interviewer.grading.coverage import graded_opposite
from interviewer.grading.material import _SHORT_CLAIM
from interviewer.grading.remainder import parts_of
from interviewer.subjects import subject_label
from interviewer.units import _card_line, _edge_symbols
from tests.notes_grading import grader_over


@pytest.mark.parametrize(
    "claim",
    [
        "One fallacy is assuming the valve is open.",
        "The first myth is that the valve is open.",
        "If the valve is open, the tank drains.",
        "Plumbers often wrongly believe the valve is open.",
    ],
)
def test_a_reported_or_supposed_statement_is_not_the_answers_claim(claim: str) -> None:
    assert not any(subj == frozenset({"valv"}) for subj, _p, _n in _statements(claim, _CLAIM))


def test_a_plain_statement_is_still_read() -> None:
    said = _statements("The tank drains because the valve is open.", _CLAIM)
    assert (frozenset({"valv"}), "open", False) in said


@pytest.mark.parametrize(
    "line", ["When in doubt, use std::vector for arrays", "How it works: call Foo::bar twice"]
)
def test_a_scope_operator_is_no_card_separator(line: str) -> None:
    assert _card_line(line) is None


def test_cards_with_either_separator_are_read() -> None:
    want = ("What is a mutex?", "A lock that one thread holds at a time.")
    assert _card_line("What is a mutex? :: A lock that one thread holds at a time.") == want
    assert _card_line("What is a mutex?::A lock that one thread holds at a time.") == want


def test_code_spans_keep_their_backticks_at_the_ends() -> None:
    assert _edge_symbols("Explain `std::move`") == "Explain `std::move`"
    assert _edge_symbols("`malloc` vs `new`") == "`malloc` vs `new`"
    assert _edge_symbols("🔥 What is X? ✅") == "What is X?"


def test_graded_opposites_match_every_degree_and_not_a_contrast() -> None:
    assert graded_opposite("gear changes are slower", {"gear", "changes", "are", "faster"})
    point = {"a", "simple", "model", "underfits", "while", "complex", "overfits"}
    assert not graded_opposite("a complex model overfits", point)


def test_a_trailing_step_is_a_part_and_a_hyphenated_word_is_no_opener() -> None:
    assert parts_of("The pump primes the line, opens the valve, then fills the tank.") == [
        "The pump primes the line", "opens the valve", "then fills the tank"
    ]
    assert len(parts_of("In-line pumps are quiet; end-suction pumps are cheap.")) == 2


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("What is an inductive bias?", "inductive bias"),
        ("What is a time series?", "time series"),
        ("What happens when a job fails?", "job"),
    ],
)
def test_a_noun_in_s_is_not_read_as_a_verb(question: str, label: str) -> None:
    assert subject_label(question) == label


@pytest.mark.parametrize(
    ("text", "statement"),
    [
        ("Data is replicated asynchronously.", True),
        ("After a write, reads will see it.", True),
        ("Things to do in Paris.", False),
        ("Chapter summary and what we have learned.", False),
    ],
)
def test_short_statements_are_claims_and_titles_are_not(text: str, statement: bool) -> None:
    assert bool(_SHORT_CLAIM.match(text)) is statement


def test_joined_subjects_need_a_plural_verb_after_them() -> None:
    assert _COORDINATED.match("Sloops and ketches are both sailing boats.")
    assert not _COORDINATED.match("Caching reduces latency and load.")


NOTEBOOK = """\
# Training notebook

## What does a learning-rate warm-up do?

It raises the learning rate slowly over the first steps, so that early updates from
noisy gradients do not throw the weights far from their start.

    step 10 lr 0.0001 loss 2.31
    step 20 lr 0.0002 loss 2.12

- Afterwards the schedule decays the rate again.

    A list item's own paragraph, indented under it, stays part of the notes.
"""


def test_an_indented_code_block_is_no_key_point(tmp_path_factory: pytest.TempPathFactory) -> None:
    grader = grader_over(tmp_path_factory, NOTEBOOK, "notebook")
    q = grader.find_question("What does a learning-rate warm-up do?")
    assert q is not None
    texts = " ".join(kp.text for kp in q.key_points)
    assert "raises the learning rate" in texts
    assert "loss 2.31" not in texts and "step 20" not in texts
    assert "stays part of the notes" in texts
