"""A question the notes do not ask takes a glossary row's point only when it names the
row's term: a row speaks of its term alone (issue 9)."""

from __future__ import annotations

import pytest

from interviewer.grading import Grader
from interviewer.grading.free_text import free_text_question
from tests.notes_grading import grader_over

NOTES = """\
# Deployment notes

## Glossary

| Term | Meaning |
|------|---------|
| Canary release | A new version reaches a few users first; the rollout stops when errors rise. |
| Rollback | Returning to the previous version of a service when errors rise after a release. |
| Error budget | The share of failed requests a service may spend before releases stop. |

## Why do deployments fail?

Most outages follow a change: a bad configuration, an untested schema migration, or a
dependency upgrade that nobody tested under load.
"""


def point_texts(grader: Grader, question: str) -> list[str]:
    q = free_text_question(grader, question)
    return [kp.text for kp in q.key_points]


def test_a_free_question_takes_only_the_rows_it_names(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    g = grader_over(tmp_path_factory, NOTES, "rows")
    # Related by meaning to the rows, naming none of their terms: the notes' prose
    # answers it, no row does.
    unnamed = point_texts(
        g, "Why do deployments break production, and how do you limit the damage of a bad release?"
    )
    assert any(t.startswith("Most outages follow a change") for t in unnamed), unnamed
    assert not any(t.startswith(("Canary", "Rollback", "Error budget")) for t in unnamed), unnamed
    # Naming a term takes its row, and only the rows it names.
    named = point_texts(g, "When would you use a canary release?")
    assert any(t.startswith("Canary release") for t in named), named
    assert not any(t.startswith(("Rollback", "Error budget")) for t in named), named
