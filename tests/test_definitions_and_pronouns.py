"""A definition may be a label ("X: ..."), and a subject put in place of a leading
pronoun is taken as text, whatever characters it holds."""

from __future__ import annotations

from interviewer.grading.assess import _defines, lead_pronoun_subject


def test_a_labelled_definition_defines_its_subject() -> None:
    subject = {"deadlock"}
    assert _defines("Deadlock: each process waits for a lock another one holds.", subject)
    assert _defines("Deadlock (DL) - every process waits on another.", subject)
    assert _defines("A deadlock is when each process waits on another.", subject)
    # A label that says more than the subject is no definition of it.
    assert not _defines("Deadlock detection: a cycle in the wait-for graph.", subject)
    assert not _defines("Deadlock happens often under load.", subject)


def test_a_subject_with_backslashes_replaces_the_pronoun_literally() -> None:
    question = r"What is \d in a regular expression?"
    got = lead_pronoun_subject(["It matches one digit."], {0}, question, r"\d")
    assert got == {0: r"\d matches one digit."}
