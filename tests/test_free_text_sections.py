"""A free question that names one of several sibling sections is graded on that one."""

from __future__ import annotations

from interviewer.grading.free_text import _named_sections

SRC = "notes.md"
PARENT = "Storage > Replication"
SYNC = (SRC, f"{PARENT} > Synchronous replication")
SYNC_CONS = (SRC, f"{PARENT} > Synchronous replication > Drawbacks")
ASYNC = (SRC, f"{PARENT} > Asynchronous replication (lazy)")
OVERVIEW = (SRC, PARENT)


def test_the_named_sibling_and_its_subsections_stay() -> None:
    found = {SYNC, SYNC_CONS, ASYNC, OVERVIEW}
    kept = _named_sections("How does synchronous replication work?", found)
    assert kept == {SYNC, SYNC_CONS}


def test_naming_both_siblings_keeps_both() -> None:
    found = {SYNC, ASYNC, OVERVIEW}
    kept = _named_sections("Compare synchronous and asynchronous replication", found)
    assert kept == {SYNC, ASYNC}


def test_no_heading_named_deeper_keeps_all() -> None:
    found = {SYNC, ASYNC}
    assert _named_sections("Why would a database copy its writes elsewhere?", found) == found
    # Both name the shared parent only: nothing to prefer.
    assert _named_sections("What is replication for?", found) == found
