"""Word salad: an answer whose words do not make sentences (the notes' words strung
together or shuffled) says nothing, whatever terms it holds, so it earns nothing.

Coverage reads terms and meaning claim by claim; a bag of the right words passes both.
What such a bag lacks is the order of English: punctuation within a few dozen words,
sentences of less than a hundred-odd words, function words between the content words
and in their places (a determiner before a noun, never before "of" or "is"; "The"
capitalised only where a sentence or a part of it starts), and sentences that each say
something new. Those are checked here, on English text only.

A short answer is never salad: a terse answer or a list of names ("cache-aside,
write-through") has few function words by its nature. Only claims long enough to
show their order are judged, and a whole answer only from ``MIN_WORDS`` words on."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from interviewer import lexicon
from interviewer.text import BARE_URL, STOPWORDS

SALAD_FILE = Path(__file__).with_name("salad.txt")

# Prose puts some punctuation within this many words; a longer run has none at all.
MAX_RUN = 60
# No sentence of prose runs this long (the development set's longest: 68 words); a
# table written on one line does, and is left alone.
MAX_SENTENCE = 150
# A run of this many words or more with fewer function words than LOW_FUNCTION (a
# share) is a list of terms without the words that join them.
LOW_FUNCTION_RUN = 20
LOW_FUNCTION = 0.1
# An answer is judged as a whole from this many words on: shorter ones may be terse.
MIN_WORDS = 100
# Sentences of prose each bring a word of their own, or nearly all do (four in five
# sentences at least in every notes file of the development set); the same words
# shuffled into new sentences do not. Judged over this many different sentences.
MIN_SENTENCES = 12
MIN_NEW_WORDS = 0.5
# An answer with this many misplaced function words, one in every ORDER_RATE words or
# more, is shuffled. (English prose in the development set: one at most per answer.)
MIN_MISPLACED = 3
ORDER_RATE = 60

_TOKEN = re.compile(r"[A-Za-z0-9][\w'’\-]*|[^\w\s]")
_CODE = re.compile(r"`[^`]*`")
_LINK = re.compile(r"\]\([^)]*\)")


@lru_cache(maxsize=1)
def _lists() -> tuple[frozenset[str], frozenset[str]]:
    return (
        lexicon.words("determiners", SALAD_FILE),
        lexicon.words("not_after_determiner", SALAD_FILE),
    )


@dataclass
class Order:
    """What the order of a text's words shows: its word count, its misplaced function
    words, and whether a run of it has no punctuation or no function words at all."""

    words: int = 0
    misplaced: int = 0
    unjoined: bool = False

    def add(self, other: Order) -> None:
        self.words += other.words
        self.misplaced += other.misplaced
        self.unjoined = self.unjoined or other.unjoined


def order_of(sentence: str) -> Order:
    """The order evidence of one sentence (or list item)."""
    determiners, not_after = _lists()
    text = _LINK.sub("]", _CODE.sub(" X ", BARE_URL.sub(" X ", sentence)))
    toks = _TOKEN.findall(text)
    out = Order()
    run: list[str] = []

    def close() -> None:
        if len(run) > MAX_RUN or (
            len(run) >= LOW_FUNCTION_RUN
            and sum(w in STOPWORDS for w in run) < LOW_FUNCTION * len(run)
        ):
            out.unjoined = True
        run.clear()

    for k, tok in enumerate(toks):
        if not tok[0].isalnum():
            close()
            continue
        low = tok.lower()
        run.append(low)
        out.words += 1
        # Where a sentence or a part of it starts, a capital is the writer's.
        start = k == 0 or not toks[k - 1][0].isalnum()
        if (tok.islower() or start) and low in determiners:
            nxt = toks[k + 1].lower() if k + 1 < len(toks) else ""
            if nxt in not_after:
                out.misplaced += 1
        elif not start and low in STOPWORDS and _capitalised(tok):
            # "... the lock The thread ...": a sentence's first word moved inside one.
            out.misplaced += 1
    close()
    if out.words > MAX_SENTENCE and sentence.count("|") < 3:
        out.unjoined = True
    return out


def _capitalised(tok: str) -> bool:
    """A word written with a capital only at its start, not the pronoun "I" ("I'm")."""
    return tok[:1].isupper() and tok[1:].islower() and re.split(r"['’]", tok)[0] != "I"


def is_salad(sentence: str) -> bool:
    """A sentence that is no sentence: a run of words with no punctuation in
    ``MAX_RUN`` words, or a long run with (nearly) no function words."""
    return order_of(sentence).unjoined


def salad_answer(sentences: list[str]) -> bool:
    """The answer (its sentences) is word salad as a whole: at least ``MIN_WORDS``
    words, and half of them in sentences that are none, or its function words out of
    place in one word in ``ORDER_RATE`` or more."""
    total = Order()
    unjoined = 0
    for s in sentences:
        o = order_of(s)
        total.add(o)
        if o.unjoined:
            unjoined += o.words
    if total.words < MIN_WORDS:
        return False
    return (
        2 * unjoined >= total.words
        or (total.misplaced >= MIN_MISPLACED and total.misplaced * ORDER_RATE >= total.words)
        or recombined(sentences)
    )


def recombined(sentences: list[str]) -> bool:
    """Most of the answer's different sentences bring no word the ones before them did
    not use: the same few words dealt out again and again. (A sentence said twice is
    repetition, not this: it counts once.)"""
    seen: set[str] = set()
    different: set[tuple[str, ...]] = set()
    new = 0
    for s in sentences:
        ws = tuple(w.lower() for w in _TOKEN.findall(s) if w[0].isalnum())
        if len(ws) < 4 or ws in different:
            continue
        different.add(ws)
        new += bool(set(ws) - seen)
        seen.update(ws)
    return len(different) >= MIN_SENTENCES and new < MIN_NEW_WORDS * len(different)
