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
    # The shared parent's own notes stay: they are about replication, not another subject.
    assert kept == {SYNC, SYNC_CONS, OVERVIEW}


def test_naming_both_siblings_keeps_both() -> None:
    found = {SYNC, ASYNC, OVERVIEW}
    kept = _named_sections("Compare synchronous and asynchronous replication", found)
    assert kept == found


def test_no_heading_named_deeper_keeps_all() -> None:
    found = {SYNC, ASYNC}
    assert _named_sections("Why would a database copy its writes elsewhere?", found) == found
    # Both name the shared parent only: nothing to prefer.
    assert _named_sections("What is replication for?", found) == found


def test_generic_labels_name_nothing() -> None:
    sharding = (SRC, "Storage > Sharding")
    pros = (SRC, "Storage > Replication > Pros and cons")
    # "Pros and cons" names no subject: the question names sharding, and replication's
    # pros and cons are a sibling subject's.
    kept = _named_sections("What are the pros and cons of sharding?", {sharding, pros})
    assert kept == {sharding}
    caching = (SRC, "Caching")
    definition = (SRC, "Normalization > Definition")
    kept = _named_sections("Give the definition of caching", {caching, definition})
    assert kept == {caching}


def test_sections_in_other_files_stay() -> None:
    mine = (SRC, "Storage > Sharding")
    other = ("other.md", "Databases > Indexes")
    assert _named_sections("When is sharding worth it?", {mine, other}) == {mine, other}
