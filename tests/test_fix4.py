"""Defects a trial of the whole product found in the grader and the interview loop
(issue 10): word salad scored 10, "I don't know" got a follow-up, a hard-wrapped
sentence became two key points, and a flagged reversed answer kept a high score."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from interviewer.feedback import Feedback, IncorrectClaim
from interviewer.grading import Grader, GradingParams
from interviewer.grading.answer import answer_sentences
from interviewer.grading.free_text import cit_key
from interviewer.grading.refine import ModelCritique, ModelIncorrect, merge_critique
from interviewer.grading.salad import is_salad, pieces, salad_answer, salad_words
from interviewer.grading.scoring import penalised
from interviewer.store import SessionOptions, SessionStore
from tests.notes_grading import grade, grader_over

# Small notes on several subjects, as a user writes them.
NOTES = """# Study notes

## What is a mutex?

A mutex is a lock that only one thread can hold at a time.
Waiting threads sleep until the mutex is released instead of spinning.

## What does an index cost?

An index speeds up reads that search or sort on its columns.
Every index slows down writes, because each insert or update must maintain it.
An index uses extra disk space.

## Why do you rest a steak after cooking it?

Resting lets the juices redistribute through the meat instead of running out when it is cut.
The temperature keeps rising a few degrees while the steak rests, which is called carryover cooking.

## What are the cache update strategies?

- Cache-aside: the application reads the cache and loads a miss from the database itself.
- Write-through: every write goes to the cache and to the database at once.
- Write-behind: writes go to the cache and reach the database later, in batches.

## What is the difference between bagging and boosting?

Bagging trains models in parallel on bootstrap samples and averages them: less variance.
Boosting trains models one after another, each fixing the errors of the last: less bias.
"""

MUTEX = "What is a mutex?"
INDEX = "What does an index cost?"
STEAK = "Why do you rest a steak after cooking it?"
CACHE = "What are the cache update strategies?"
ENSEMBLE = "What is the difference between bagging and boosting?"


@pytest.fixture(scope="module")
def grader(tmp_path_factory: pytest.TempPathFactory) -> Grader:
    return grader_over(tmp_path_factory, NOTES, "fix4")


def note_words(g: Grader, question: str) -> list[str]:
    q = g.find_question(question)
    assert q is not None
    return [w for kp in q.key_points for w in kp.text.split()]


# ---- 1. word salad ----------------------------------------------------------------------
def salads(words: list[str], n: int) -> dict[str, str]:
    rng = random.Random(7)
    bare = [w.strip(".,;:") for w in words]
    shuffled: list[str] = []
    while len(shuffled) < n:
        rng.shuffle(words)
        shuffled.extend(words)
    content = [w for w in bare if len(w) > 4]
    return {
        # The notes' words strung together, no sentence anywhere.
        "strung": " ".join(rng.choice(bare) for _ in range(n)),
        # The notes' words shuffled, their full stops travelling with them.
        "shuffled": " ".join(shuffled[:n]),
        # Only the notes' terms, over and over.
        "terms": " ".join(content * (n // max(1, len(content)))),
    }


@pytest.mark.parametrize("question", [MUTEX, INDEX, STEAK, ENSEMBLE])
def test_word_salad_of_the_notes_words_earns_nothing(grader: Grader, question: str) -> None:
    for kind, salad in salads(note_words(grader, question), 20_000).items():
        fb = grade(grader, question, salad)
        assert fb.score == 0 and not fb.covered and not fb.partial, (kind, fb.score)
        assert "doesn't read as words making sentences" in fb.critique, (kind, fb.critique)
        # Its length is remarked on too.
        assert "times your notes" in fb.critique


def test_salad_after_a_real_answer_is_named_and_earns_nothing(grader: Grader) -> None:
    good = "Resting lets the juices spread back through the meat, so they stay in when you cut it."
    alone = grade(grader, STEAK, good)
    assert alone.covered
    # A short run of words without any sentence, after real ones, is left out and named.
    junk = " ".join(["temperature degrees rising carryover steak juices meat"] * 5)
    both = grade(grader, STEAK, f"{good}\n\n{junk}")
    assert both.score == alone.score
    assert any("don't read as sentences" in r for r in both.remarks), both.remarks


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        # Terse, and names only: correct styles with few function words.
        (MUTEX, "Lock, one holder at a time; waiters sleep, no spinning."),
        (CACHE, "Cache-aside, write-through, write-behind."),
        (INDEX, "Faster reads; slower writes; extra disk space."),
        (ENSEMBLE, "Bagging: parallel, bootstrap, averaging, less variance. Boosting: "
                   "sequential, fixes errors, less bias."),  # fmt: skip
    ],
)
def test_terse_and_names_only_answers_keep_their_credit(
    grader: Grader, question: str, answer: str
) -> None:
    assert not salad_answer(answer_sentences(answer))
    assert not any(is_salad(s) for s in answer_sentences(answer))
    fb = grade(grader, question, answer)
    assert fb.score >= 6 and "making sentences" not in fb.critique, (answer, fb.score)


def test_a_long_answer_in_real_sentences_is_no_salad(grader: Grader) -> None:
    answer = (
        "When you take a steak off the heat, the juices have been pushed toward the centre "
        "by the heat. If you cut it at once, they run out onto the board and the meat is "
        "drier. Resting for a few minutes lets the juices redistribute through the meat, so "
        "they stay inside when you slice it. There is a second effect as well: the outside "
        "is hotter than the centre, so heat keeps flowing inward and the temperature in the "
        "middle still rises by a few degrees while it rests. Cooks call that carryover "
        "cooking, and they take the steak off a little before the temperature they want. "
        "A thin cut needs only a couple of minutes; a large roast can rest for a quarter of "
        "an hour under loose foil."
    )
    assert len(answer.split()) >= 100
    assert not salad_answer(answer_sentences(answer))
    fb = grade(grader, STEAK, answer)
    assert fb.score >= 8 and len(fb.covered) == 2, fb


# ---- 2. "I don't know" -----------------------------------------------------------------
@pytest.mark.parametrize(
    "answer",
    ["I don't know.", "No idea", "No lo sé.", "ni idea", "dunno", "Sorry, I have no idea."],
)
def test_i_dont_know_gets_the_points_to_learn_and_no_follow_up(
    grader: Grader, answer: str
) -> None:
    fb = grade(grader, INDEX, answer)
    assert fb.dont_know and fb.score == 0
    assert fb.critique.startswith("No problem") and fb.missed[0].text[:30] in fb.critique
    assert fb.follow_up is None
    # A weak answer that tries still gets one.
    tried = grade(grader, INDEX, "It makes the database bigger, I think.")
    assert not tried.dont_know and tried.follow_up


@pytest.mark.parametrize(
    "answer",
    ["I'm not sure, maybe it makes the database bigger?",
     "I don't know, perhaps it keeps a sorted copy of a column?"],
)  # fmt: skip
def test_a_hedged_try_is_no_i_dont_know_and_keeps_its_follow_up(
    grader: Grader, answer: str
) -> None:
    fb = grade(grader, INDEX, answer)
    assert not fb.dont_know and fb.follow_up, fb


def test_the_interview_goes_on_after_i_dont_know_and_more_still_shows_it(
    tmp_path: Path, grader: Grader
) -> None:
    from interviewer.session import Interview, start_session
    from tests.test_session import ScriptedIO

    settings = grader.settings.model_copy(update={"home": tmp_path})
    with SessionStore(settings.sessions_db) as store:
        record = start_session(
            grader, store, settings, SessionOptions(questions=2, follow_ups=2, seed=1)
        )
        io = ScriptedIO(["I don't know.", "/more", "No lo sé.", "/quit"])
        Interview(grader, store, io, record).run()
        asked = io.of("ask")
        # Two questions, no follow-up in between.
        assert [a.kind for a in asked] == ["question", "question"], asked
        assert [a.text for a in asked] == [p.text for p in record.plan[:2]]
        first = io.of("feedback")[0]
        assert first.dont_know and first.follow_up is None
        # /more, typed at the next question, shows the points to learn in full.
        (shown,) = io.of("more")
        assert shown == first and "to learn" in shown.critique
        turns = store.turns(record.id)
        assert all(t.follow_ups == [] for t in turns)


# ---- 3. a hard-wrapped sentence ---------------------------------------------------------
WRAPPED = """# Systems

## What is virtual memory?

Virtual memory gives each process its own address space, mapped onto physical
Memory by the page table that the kernel keeps for it. When a page is not in RAM,
a page fault makes the kernel load it from disk.

## What does Docker's ENTRYPOINT do?

ENTRYPOINT sets the executable that always runs when the container starts, and
CMD gives it default arguments. Arguments passed to the run command replace
CMD but are appended to ENTRYPOINT.

## What are bias and variance?

Low variance, high bias: Underfitting
High variance, low bias: Overfitting.

## What is precision?

Precision is the fraction of relevant instances among the retrieved instances, in short<BR>
Precision = true positives / (true positives + false positives).

## How does DNS resolve a name?

A resolver first asks a root server, which points it to the top-level domain servers
The authoritative server for the domain returns the address, and the resolver caches it.
Each answer carries a time to live that bounds how long it may be cached.

## What is a bond's yield?

A bond's price falls when market interest rates rise above its coupon rate
Yield to maturity is the return if the bond is held until it matures.

## What is content-based image retrieval?

[[Answer]](https://example.org/content-based-image-retrieval)
Content-based image retrieval searches images by features computed from their pixels.
""".replace("<BR>", "  ")  # Markdown's hard line break: two spaces ending the line


@pytest.fixture(scope="module")
def wrapped(tmp_path_factory: pytest.TempPathFactory) -> Grader:
    return grader_over(tmp_path_factory, WRAPPED, "fix4-wrapped")


def points_of(g: Grader, question: str) -> list[str]:
    q = g.find_question(question)
    assert q is not None, question
    return [kp.text for kp in q.key_points]


def test_a_hard_wrapped_sentence_before_a_capital_is_one_key_point(wrapped: Grader) -> None:
    memory = points_of(wrapped, "What is virtual memory?")
    assert any("mapped onto physical Memory by the page table" in p for p in memory), memory
    assert not any(p.startswith("Memory by") for p in memory), memory
    docker = points_of(wrapped, "What does Docker's ENTRYPOINT do?")
    assert any("replace CMD but are appended to ENTRYPOINT" in p for p in docker), docker
    assert not any(p.startswith(("CMD gives", "CMD but")) for p in docker), docker


def test_short_lines_and_hard_breaks_still_end_their_statement(wrapped: Grader) -> None:
    # Lines used as separators (no end mark, short) are two points, as before.
    bias = points_of(wrapped, "What are bias and variance?")
    assert len(bias) == 2 and bias[0].startswith("Low variance"), bias
    # Markdown's hard line break (two trailing spaces) is the writer's own break.
    precision = points_of(wrapped, "What is precision?")
    assert not any("in short Precision" in p for p in precision), precision


# ---- 4. a flagged reversed answer ------------------------------------------------------
def test_a_flagged_reversed_answer_scores_at_most_the_cap(grader: Grader) -> None:
    right = grade(
        grader, INDEX,
        "An index speeds up reads that search or sort on its columns. It slows down "
        "writes, since every insert or update must maintain it, and it takes extra disk "
        "space.",
    )  # fmt: skip
    assert right.score >= 8 and not right.incorrect
    reversed_ = grade(
        grader, INDEX,
        "An index speeds up reads that search or sort on its columns. Every index speeds "
        "up writes too. An index takes extra disk space.",
    )  # fmt: skip
    assert reversed_.incorrect, "the reversed claim is flagged"
    assert reversed_.score <= GradingParams().contradiction_cap, reversed_.score


def test_the_cap_counts_only_penalising_flags() -> None:
    p = GradingParams(contradiction_penalty=2.0, contradiction_cap=5.0)
    assert penalised(10.0, 1, p) == 5.0
    assert penalised(4.0, 1, p) == 2.0
    assert penalised(10.0, 0, p) == 10.0
    # A model's flag (no rule trusted to penalise found it) costs the penalty only.
    assert penalised(10.0, 1, p, cap=False) == 8.0
    assert penalised(10.0, 1, GradingParams(contradiction_penalty=0.5,
                                            contradiction_cap=10.0)) == 9.5  # fmt: skip



# ---- 1b. real answers the salad check must leave alone ----------------------------------
REAL_ANSWERS = [
    # Keywords and "I/O" after an article, and "its" for "it's": all typed by real people.
    (INDEX,
     "An index speeds up reads: when the WHERE clause or the ON clause of a join filters on "
     "an indexed column, the database reads the index instead of the whole table, and an "
     "ORDER BY on it needs no sort. The IN operator and the BETWEEN operator use it too. "
     "But its a cost on writes, because every insert or update must also change the index, "
     "so the I/O per write grows with each index. its the same for deletes. An index also "
     "takes extra disk space, so its a trade-off: index the columns that the FROM and the "
     "WHERE clauses search, not every column. the IS NULL test can use an index as well."),
    (MUTEX,
     "A mutex is a lock that only one thread can hold at a time. In Python you take it in "
     "a with statement, and the is operator or a for loop inside the block run while you "
     "hold it. When another thread wants it, it waits: the thread sleeps until the mutex "
     "is released, instead of spinning on the CPU, so waiting on the I/O or on the lock "
     "costs nothing. The I/O of the holder still goes on. A spinlock is the other way: it "
     "burns the CPU while it waits, which only pays when the wait is very short. Just "
     "remember that Any thread can take a free mutex, but only the holder releases it."),
    # Title Case names and titles, and a pasted heading.
    (CACHE,
     "### Pros And Cons Of The Cache Update Strategies\n\n"
     "With Cache Aside, also called Lazy Loading, the application reads the cache and on "
     "a miss loads the value from the database itself and puts it in the cache. With "
     "Write Through, every write goes to the cache and to the database at once, so the "
     "cache is never stale. With Write Behind, also called Write Back, writes go to the "
     "cache and reach the database later, in batches, which is fast but can lose data. "
     "The Single Point Of Failure is the cache in front of the database, and the Time To "
     "Live of each entry bounds how stale it can be. See Designing Data Intensive "
     "Applications, or Attention Is All You Need for something else entirely."),
    # A long answer in lower case without any punctuation.
    (ENSEMBLE,
     "bagging trains many models in parallel each one on its own bootstrap sample of the "
     "training data and then averages their predictions so the errors of the single models "
     "cancel out and the variance goes down while the bias stays about the same boosting "
     "works the other way it trains the models one after another and each new model "
     "focuses on the examples that the previous ones got wrong so it fixes their errors "
     "step by step and that lowers the bias of the ensemble but it can overfit if you add "
     "too many models so you stop early or use a small learning rate random forest is "
     "bagging and gradient boosting is boosting"),
    # One thought per line, no full stops.
    (STEAK,
     "You rest it so the juices redistribute through the meat\n"
     "If you cut it straight away they run out onto the board\n"
     "The outside is hotter than the centre so heat keeps moving inwards\n"
     "So the temperature keeps rising a few degrees while it rests\n"
     "That is called carryover cooking\n"
     "It means you take the steak off a little before the temperature you want\n"
     "But a thin steak needs only a couple of minutes\n"
     "And a big roast can rest for a quarter of an hour under foil\n"
     "It also makes it easier to slice cleanly"),
    # A list of names, one per line.
    (CACHE,
     "Cache aside\nRead through\nWrite through\nWrite behind\nWrite around\nRefresh ahead\n"
     "Lazy loading\nWrite back\nRead aside\nCache warming\nTime based expiry\nEvent invalidation"),
    # A structured answer (a matrix in words) reuses its own words by nature.
    (CACHE,
     "With cache-aside, reads go to the cache first. With cache-aside, a miss goes to "
     "the database. With cache-aside, writes go to the database. With write-through, "
     "reads go to the cache first. With write-through, a miss goes to the database. "
     "With write-through, writes go to the cache and to the database at once. With "
     "write-behind, reads go to the cache first. With write-behind, a miss goes to the"
     " database. With write-behind, writes go to the cache first. With write-behind, "
     "writes go to the database later, in batches. With cache-aside, writes go to the "
     "database at once. With write-behind, a miss goes to the database at once. With "
     "write-through, writes go to the database at once. With write-behind, reads go to"
     " the database later. With cache-aside, reads go to the database later."),
]  # fmt: skip


@pytest.mark.parametrize(("question", "answer"), REAL_ANSWERS)
def test_real_answers_in_any_style_are_no_salad(
    grader: Grader, question: str, answer: str
) -> None:
    assert not salad_answer(pieces(answer)), answer[:60]
    assert not salad_words(answer), answer[:60]
    fb = grade(grader, question, answer)
    assert "making sentences" not in fb.critique, (fb.score, fb.critique)
    assert not any("don't read as sentences" in r for r in fb.remarks), fb.remarks
    assert fb.covered or fb.partial, fb


def test_a_statement_that_forgot_its_full_stop_is_not_joined_to_the_next(
    wrapped: Grader,
) -> None:
    # One statement per line (no break in the paragraph falls inside a sentence): a
    # missing full stop ends the statement all the same.
    dns = points_of(wrapped, "How does DNS resolve a name?")
    assert not any("top-level domain servers The" in p for p in dns), dns
    assert any(p.startswith("The authoritative server") for p in dns), dns
    bond = points_of(wrapped, "What is a bond's yield?")
    assert any(p.startswith("Yield to maturity") for p in bond), bond
    # A line that is a Markdown link is never the start of a wrapped sentence.
    cbir = points_of(wrapped, "What is content-based image retrieval?")
    assert not any("Answer" in p for p in cbir), cbir


def _merged(g: Grader, fb_grounded: Feedback, answer: str, claim: str) -> Feedback:
    """The model's refinement of a grounded grade, flagging ``claim`` with the cited
    section of the grade as its evidence."""
    cit = fb_grounded.citations[0]
    critique = ModelCritique(
        critique="Mostly right.",
        incorrect=[ModelIncorrect(claim=claim, correction="An index is stored on disk.",
                                  source_id="S1")],  # fmt: skip
    )
    texts = {cit_key(cit): NOTES.split("## " + INDEX)[1].split("##")[0]}
    q = g.find_question(INDEX)
    assert q is not None
    return merge_critique(g, fb_grounded, q, answer, critique, {"S1": cit}, {}, "m", texts)


FULL_INDEX = (
    "An index speeds up reads that search or sort on its columns. It slows down writes, "
    "since every insert or update must maintain it, and it takes extra disk space. "
    "An index lives in memory only."
)


def test_a_models_flag_never_caps_the_score(grader: Grader) -> None:
    grounded = grade(grader, INDEX, FULL_INDEX)
    assert grounded.score >= 8 and not grounded.incorrect, grounded
    merged = _merged(grader, grounded, FULL_INDEX, "An index lives in memory only.")
    assert [c.source for c in merged.incorrect] == ["model"], merged.incorrect
    assert merged.score == round(grounded.score - GradingParams().contradiction_penalty, 1)
    assert merged.score > GradingParams().contradiction_cap


def test_an_advisory_rules_flag_confirmed_by_the_model_never_caps(grader: Grader) -> None:
    grounded = grade(grader, INDEX, FULL_INDEX)
    claim = "An index lives in memory only."
    checked = IncorrectClaim(text=claim, correction="On disk.", advisory=True, rule="some-rule")
    grounded = grounded.model_copy(update={"to_check": [checked]})
    merged = _merged(grader, grounded, FULL_INDEX, claim)
    (confirmed,) = merged.incorrect
    assert confirmed.source == "grounded" and not confirmed.advisory
    assert merged.score > GradingParams().contradiction_cap, merged.score
