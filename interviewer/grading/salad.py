"""Word salad: an answer whose words do not make sentences (the notes' words strung
together or shuffled) says nothing, whatever terms it holds, so it earns nothing.

Coverage reads terms and meaning claim by claim; a bag of the right words passes both.
What such a bag lacks, whatever its length, is what joins words into sentences: some
punctuation or a line break within a few hundred words, sentences shorter than that,
and function words between the content words. Only those are checked, on English text
only, and each of them is far from what any real answer does: a real answer must never
lose its credit here, while a salad may be missed. (Finer signals, such as a function
word out of its place or sentences that reuse their words, were tried and dropped:
typos, keywords after articles, Title Case names and structured answers set them off.)

A line break ends a sentence for these checks: a list of names one per line, or one
thought per line without full stops, is no run of words."""

from __future__ import annotations

import re
from dataclasses import dataclass

from interviewer.text import BARE_URL, STOPWORDS

# Prose, even typed without punctuation, breaks its line or puts a mark within this
# many words; a salad of thousands of words does neither.
MAX_RUN = 300
# A sentence of prose is shorter than this, however long its clauses (a writer who
# starts sentences in lower case makes one of a paragraph); a table written on one line
# is longer, and is left alone.
MAX_SENTENCE = 400
# In an answer of LONG_ANSWER words or more (no interview answer is that long: the
# notes' words shuffled are), a quarter of the words in sentences of LONG_SENTENCE
# words or more is salad: the full stops travel with their words, so no sentence ends.
LONG_ANSWER = 1000
LONG_SENTENCE = 150
# A run of this many words or more with fewer function words than LOW_FUNCTION (a
# share) is a list of terms without the words that join them. (A list of names one
# per line is many short runs.)
LOW_FUNCTION_RUN = 20
LOW_FUNCTION = 0.1
# An answer is judged as a whole from this many words on: shorter ones may be terse.
MIN_WORDS = 100

_TOKEN = re.compile(r"[A-Za-z0-9][\w'’\-/]*|[^\w\s]")
_CODE = re.compile(r"`[^`]*`")
_LINK = re.compile(r"\]\([^)]*\)")


@dataclass
class Order:
    """What the order of a text's words shows: its word count, and whether a run of
    it has no punctuation or no function words at all."""

    words: int = 0
    unjoined: bool = False


def order_of(sentence: str) -> Order:
    """The order evidence of one sentence (or list item); a line break ends a run."""
    text = _LINK.sub("]", _CODE.sub(" X ", BARE_URL.sub(" X ", sentence)))
    out = Order()
    run: list[str] = []

    def close() -> None:
        if len(run) > MAX_RUN or (
            len(run) >= LOW_FUNCTION_RUN
            and sum(w in STOPWORDS for w in run) < LOW_FUNCTION * len(run)
        ):
            out.unjoined = True
        run.clear()

    for line in text.splitlines():
        for tok in _TOKEN.findall(line):
            if not tok[0].isalnum():
                close()
                continue
            run.append(tok.lower())
            out.words += 1
        close()
    if out.words > MAX_SENTENCE and sentence.count("|") < 3:
        out.unjoined = True
    return out


def pieces(answer: str) -> list[str]:
    """The answer cut at its line breaks and sentence ends: what these checks judge."""
    from interviewer.grading.answer import answer_sentences

    return [s for line in answer.splitlines() for s in answer_sentences(line)]


def is_salad(sentence: str) -> bool:
    """A sentence that is no sentence: a run of words with no punctuation or line break
    in ``MAX_RUN`` words, or a long run with (nearly) no function words."""
    return order_of(sentence).unjoined


def salad_answer(sentences: list[str]) -> bool:
    """The answer (its sentences, cut at line breaks: ``pieces``) is word salad as a
    whole: at least ``MIN_WORDS`` words, and half of them in sentences that are none
    (or, in a ``LONG_ANSWER``, a quarter in sentences of ``LONG_SENTENCE`` words)."""
    total = unjoined = long = 0
    for s in sentences:
        o = order_of(s)
        total += o.words
        if o.unjoined:
            unjoined += o.words
        if o.words >= LONG_SENTENCE and s.count("|") < 3:
            long += o.words
    return total >= MIN_WORDS and (
        2 * unjoined >= total or (total >= LONG_ANSWER and 4 * long >= total)
    )


def salad_words(answer: str) -> set[str]:
    """The words of the answer's pieces that are no sentences (lower case)."""
    return {w.lower() for p in pieces(answer) if is_salad(p) for w in _TOKEN.findall(p)}


def is_salad_claim(claim: str, bad_words: set[str]) -> bool:
    """A claim (whose lines the claim splitter joined) that is no sentence, judged on
    the answer's own lines: its words come from pieces that are none (``salad_words``)."""
    if not bad_words or not is_salad(claim):
        return False
    words = [w.lower() for w in _TOKEN.findall(claim) if w[0].isalnum()]
    return sum(w in bad_words for w in words) >= 0.8 * len(words)
