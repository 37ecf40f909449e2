"""Inversion shapes caught by the wrong-claim rules, on small notes written here in
subjects of their own (data structures, floating point, storage, memory, baking):
each wrong claim is caught, and a correct paraphrase and a hedged or partial answer
are left alone."""

from __future__ import annotations

import pytest

from interviewer.feedback import Feedback
from interviewer.grading import Grader
from interviewer.grading.claims.swap import name_heads
from tests.notes_grading import grade, grader_over

NOTES = """\
# Revision notes

## Structures

### How does a hash map differ from a sorted tree?

A hash map computes a bucket from the key's hash and finds an entry in constant time
on average, but unlike a sorted tree it does not keep the keys in order.

A sorted tree keeps its keys ordered, so range queries and ordered walks are cheap,
and each lookup takes logarithmic time.

## Numbers

### What does dividing zero by zero give in floating point?

In IEEE floating point, zero divided by zero gives NaN rather than infinity, and NaN
compares unequal to every value, itself included.

## Storage

### Which disk layouts protect data?

- Striping: spreads blocks over all the disks for speed; the array stops working
  when one disk fails.
- Mirroring: copies every block to two disks, so the array does not stop working
  when one disk fails.

### What does a swap file do?

A swap file gives each program an address space that looks larger than the
installed memory, at the price of slow page-ins when memory runs short.

### What does compression cost?

Compression saves disk space, but compressing every block slows down writes,
because each write must be encoded first.

## Baking

### What is the difference between a lean dough and an enriched dough?

A lean dough holds only flour, water, salt and yeast and bakes into a crisp crust.
An enriched dough adds butter, eggs or milk, which give a soft crumb and a tender
crust.

## Optimisers

### What does a running average of steps do?

The optimiser remembers its last step and adds a share of it to the current step,
which carries it through flat regions.

## Kitchen

### How do a kettle and a thermos differ?

A kettle heats water quickly with an electric element, while a thermos keeps water hot
for hours without any power.

## Replication

### How does log shipping copy changes?

The primary ships each log segment to the standby asynchronously, once the segment
is full.
"""

MAP = "How does a hash map differ from a sorted tree?"
NAN = "What does dividing zero by zero give in floating point?"
LAYOUTS = "Which disk layouts protect data?"
SWAP = "What does a swap file do?"
COMPRESSION = "What does compression cost?"
DOUGH = "What is the difference between a lean dough and an enriched dough?"
SHIPPING = "How does log shipping copy changes?"
KETTLE = "How do a kettle and a thermos differ?"
AVERAGE = "What does a running average of steps do?"


@pytest.fixture(scope="module")
def grader(tmp_path_factory: pytest.TempPathFactory) -> Grader:
    return grader_over(tmp_path_factory, NOTES, "shapes")



def flagged(fb: Feedback) -> list[str]:
    return [c.rule or "" for c in [*fb.incorrect, *fb.to_check]]


def clean(fb: Feedback) -> bool:
    return not fb.incorrect and not fb.to_check


def test_a_denial_said_of_the_pronouns_referent(grader: Grader) -> None:
    # "... but unlike a sorted tree it does not keep the keys in order": "it" is the
    # hash map; the sorted tree is what it is set against.
    wrong = grade(grader, MAP, "A hash map keeps the keys in order, like a sorted tree.")
    assert {"negation", "negated-phrase"} & set(flagged(wrong)) and wrong.score <= 5
    for answer in (
        "A sorted tree keeps the keys in order, while a hash map does not.",
        "A hash map finds a key in constant time on average but does not keep the keys "
        "in order; a sorted tree does, with logarithmic lookups.",
        "I think the tree keeps the keys ordered, maybe.",
    ):
        assert clean(grade(grader, MAP, answer)), answer


def test_a_value_the_notes_rule_out(grader: Grader) -> None:
    wrong = grade(grader, NAN, "Zero divided by zero is infinity.")
    assert "instead-of" in flagged(wrong) and wrong.score <= 5
    for answer in (
        "Zero over zero gives NaN, not infinity, and NaN is unequal even to itself.",
        "It is NaN.",
        "Zero divided by zero is NaN rather than infinity.",
    ):
        assert clean(grade(grader, NAN, answer)), answer


def test_a_list_item_is_no_evidence_against_another_item(grader: Grader) -> None:
    # Mirroring's sentence says the array does not stop; a claim about striping that
    # says it stops is right.
    right = grade(grader, LAYOUTS, "Striping spreads the blocks for speed, so the array "
                  "stops working when one disk fails.")  # fmt: skip
    assert clean(right), right.incorrect
    right = grade(grader, LAYOUTS, "With mirroring every block sits on two disks, so "
                  "the array keeps working when one disk fails.")  # fmt: skip
    assert clean(right), right.incorrect


def test_an_opposite_comparison_with_the_same_reference(grader: Grader) -> None:
    wrong = grade(grader, SWAP, "A swap file makes the address space smaller than the "
                  "installed memory.")  # fmt: skip
    assert "opposite-words" in flagged(wrong) and wrong.score <= 5
    for answer in (
        "Programs see an address space larger than the installed memory; page-ins are "
        "slow when memory runs short.",
        # The same comparison turned round: no opposite.
        "The installed memory is smaller than the address space a program sees.",
        "It probably makes memory look bigger.",
    ):
        assert clean(grade(grader, SWAP, answer)), answer


def test_an_opposite_word_between_the_same_two_words(grader: Grader) -> None:
    wrong = grade(grader, COMPRESSION, "It costs little: compression speeds up writes and "
                  "saves disk space.")  # fmt: skip
    assert "opposite-words" in flagged(wrong) and wrong.score <= 5
    right = grade(grader, COMPRESSION, "Compression saves space, but it slows down writes, "
                  "since every block has to be encoded before it is written.")  # fmt: skip
    assert clean(right) and right.score >= 6


def test_an_adverb_of_manner_flipped_next_to_its_verb(grader: Grader) -> None:
    wrong = grade(grader, SHIPPING, "The primary ships each log segment to the standby "
                  "synchronously.")  # fmt: skip
    assert "opposite-words" in flagged(wrong) and wrong.score <= 5
    # (The adverb before its verb this time.)
    wrong = grade(grader, SHIPPING, "Each log segment is synchronously shipped by the primary.")
    assert "opposite-words" in flagged(wrong)
    right = grade(grader, SHIPPING, "Full log segments are shipped asynchronously from the "
                  "primary to the standby.")  # fmt: skip
    assert clean(right)


def test_the_head_word_two_names_share_is_neither_sides() -> None:
    names = frozenset({"lean", "enrich"})
    assert name_heads(DOUGH, names) == {"dough"}
    where = "What is the difference between WHERE and HAVING?"
    assert name_heads(where, {"where", "have"}) == set()


def test_a_property_of_the_other_named_thing(grader: Grader) -> None:
    wrong = grade(grader, DOUGH, "An enriched dough holds only flour, water, salt and yeast.")
    assert flagged(wrong) and wrong.score <= 5
    right = grade(grader, DOUGH, "Lean dough is just flour, water, salt and yeast, with a "
                  "crisp crust; enriched dough adds butter, eggs, milk: a soft crumb.")  # fmt: skip
    assert clean(right) and right.score >= 6


def test_two_subjects_crossed_against_one_note_sentence(grader: Grader) -> None:
    # The note says both in one sentence, one clause each.
    wrong = grade(grader, KETTLE, "A kettle keeps water hot for hours without power, while "
                  "a thermos heats water quickly with an electric element.")  # fmt: skip
    assert "crossed-subjects" in flagged(wrong) and wrong.score <= 5
    for answer in (
        "The kettle heats water fast with its element, whereas the thermos just keeps it "
        "hot for hours with no power.",
        "A kettle heats water quickly, I think.",
    ):
        assert clean(grade(grader, KETTLE, answer)), answer


def test_the_opposite_act(grader: Grader) -> None:
    wrong = grade(grader, AVERAGE, "The optimiser forgets its last step and subtracts a "
                  "share of it from the current step.")  # fmt: skip
    assert "opposite-words" in flagged(wrong) and wrong.score <= 5
    for answer in (
        "It keeps its previous step in memory and adds part of it to the new step, so it "
        "gets through flat regions.",
        "It remembers the last step, I believe.",
    ):
        assert clean(grade(grader, AVERAGE, answer)), answer
