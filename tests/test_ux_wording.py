"""Wording the user sees: a "do"-supported question's subject, the empty search query,
the follow-up's key phrase, Spanish topic questions' number and gender."""

from __future__ import annotations

import pytest

from interviewer.subjects import subject_label


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        # An -ing modifier opens the object: the verb stands before it.
        ("How does the Adam optimizer adapt learning rates?", "Adam optimizer"),
        # A particle belongs to the verb ("speed up").
        ("How does a database index speed up queries?", "database index"),
        # "of" strands at the end as "to" does.
        ("What does a thread pool consist of?", "thread pool"),
        ("What does HEAD point to?", "HEAD"),
        ("How does the scheduler pick running tasks?", "scheduler"),
        ("How does a hash map handle collisions?", "hash map"),
    ],
)
def test_a_do_supported_question_ends_its_subject_before_the_verb(
    question: str, subject: str
) -> None:
    assert subject_label(question).lower() == subject.lower()
