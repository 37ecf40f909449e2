"""Key points of a question: building, normalising, de-duplicating them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from interviewer.feedback import Citation
from interviewer.grading.cues import ANTONYMS
from interviewer.grading.models import KeyPoint, point_id
from interviewer.grading.naming import name_point
from interviewer.grading.terms import key_terms
from interviewer.language import is_foreign
from interviewer.text import (
    BARE_URL,
    LABEL,
    clean_markdown,
    content_word_count,
    lower_words,
    negated,
    split_sentences,
    stem_set,
)
from interviewer.units import ends_open

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from collections.abc import Set as AbstractSet

    import numpy as np

    from interviewer.chunking import Chunk
    from interviewer.embeddings import Embedder
    from interviewer.grading.material import Candidate
    from interviewer.grading.models import Bank, Question


def _to_point(qid: str, c: Candidate, idf: dict[str, float], default_idf: float,
              qterms: set[str], citation: Citation) -> KeyPoint:  # fmt: skip
    subject, point_kind = name_point(c.text, c.label, aside=c.aside)
    return KeyPoint(
        id=point_id(qid, c.text),
        text=c.text,
        citation=citation,
        importance=c.importance,
        terms=key_terms(c.text, c.label, idf, default_idf, qterms),
        doubtful=c.doubtful,
        label=c.label,
        subject=subject,
        kind=point_kind,
        context=c.context,
    )


MAX_REFERENCE_POINTS = 4


# A line of a paragraph this long (characters) at least, or nearly as long as its longest
# line, that stops before a capitalised word with no end mark may be a sentence the
# editor wrapped, not a statement of its own. (Short lines without end marks are notes'
# separators: "Low variance, high bias: Underfitting" / "High variance, ...".)
WRAP_MIN_CHARS = 60
WRAP_SHARE = 0.8
WRAP_SHARE_MIN_CHARS = 40
_MD_LINK_END = re.compile(r"\]\([^)]*\)\W*$")


def hard_wrapped(para: Sequence[str]) -> bool:
    """The paragraph's lines are hard-wrapped: another of its line breaks falls inside a
    sentence (the next line goes on in lower case, or the line stops at a comma or a
    joining word: "..., and"). A
    writer who puts one statement on each line, and forgets one full stop, shows
    neither."""
    lines = [x.strip() for x in para]
    return any(
        a and b and (b[0].islower() or a.endswith(",") or ends_open(a))
        for a, b in zip(lines, lines[1:], strict=False)
    )


def wrapped_line(prev: str, line: str, para: Sequence[str]) -> bool:
    """The break between ``prev`` (a line of the paragraph ``para`` with no end mark)
    and the next ``line`` (which opens with a capital) goes on with the sentence: the
    paragraph is ``hard_wrapped`` and ends its sentences with marks elsewhere, ``prev`` is
    as long as a wrapped line, and neither a Markdown hard break, a link or URL ending
    ``prev`` nor a label opening ``line`` ("Cons: ...") makes the break one."""
    if prev.endswith(("  ", "\\")):
        return False  # Markdown's hard line break: the writer's own
    text = prev.strip()
    last = text.rsplit(None, 1)[-1] if text else ""
    if not text or BARE_URL.fullmatch(last.strip("()[]<>")) or _MD_LINK_END.search(text):
        return False
    label = LABEL.match(line.strip())
    if label and len(label.group(1).split()) <= 3:
        return False
    widest = max(len(x.strip()) for x in para)
    long = len(text) >= WRAP_MIN_CHARS or (
        len(para) >= 3 and len(text) >= max(WRAP_SHARE_MIN_CHARS, WRAP_SHARE * widest)
    )
    punctuated = any(x is not prev and x.rstrip().endswith((".", "!", "?")) for x in para)
    return long and punctuated and hard_wrapped(para)


def hit_citation(hit: Any, chunk_id: str | None = None) -> Citation:
    """Where a retrieval hit (a note section or a reference chunk) comes from; for an
    index chunk, which holds no ``chunk_id``, its ``chunk_id`` is given."""
    return Citation(
        source=hit.source, heading=hit.heading, line_start=hit.line_start,
        line_end=hit.line_end, kind=hit.kind, url=hit.url, chunk_id=chunk_id or hit.chunk_id,
    )  # fmt: skip


def reference_sentences(text: str, qterms: AbstractSet[str]) -> Iterator[tuple[str, int]]:
    """The sentences of a reference chunk that may be points of the question (five
    content words or more, one statement long) with how many of its words they share
    (one or more)."""
    for sent in split_sentences(clean_markdown(text.replace("\n", " "))):
        overlap = len(qterms & stem_set(sent))
        if content_word_count(sent) >= 5 and len(sent) <= 400 and overlap:
            yield sent, overlap


def _reference_points(q: Question, refs: Sequence[Chunk], idf: dict[str, float],
                      default_idf: float, qterms: set[str]) -> list[KeyPoint]:  # fmt: skip
    """A few sentences of the linked references that share the most key terms with
    the question: references are long, the user's notes are the rubric."""
    scored: list[tuple[float, KeyPoint]] = []
    for ref in refs:
        for sent, overlap in reference_sentences(ref.text, qterms):
            if is_foreign(sent):
                continue
            subject, point_kind = name_point(sent)
            kp = KeyPoint(
                id=point_id(q.id, sent), text=sent, importance=0.6,
                citation=hit_citation(ref, ref.id),
                terms=key_terms(sent, None, idf, default_idf, qterms),
                source_kind="reference", subject=subject, kind=point_kind,
            )  # fmt: skip
            scored.append((overlap, kp))
    scored.sort(key=lambda s: -s[0])
    return [kp for _, kp in scored[:MAX_REFERENCE_POINTS]]


def _normalise(points: list[KeyPoint]) -> list[KeyPoint]:
    """Importance relative to the question's best point, rounded; unique ids."""
    if not points:
        return []
    top = max(p.importance for p in points) or 1.0
    seen: set[str] = set()
    out = []
    for p in points:
        if p.id in seen:
            continue
        seen.add(p.id)
        p.importance = round(max(0.05, min(1.0, p.importance / top)), 3)
        out.append(p)
    return out


def iter_points(bank: Bank) -> list[KeyPoint]:
    """Every key point of the bank in a fixed order (questions first, then loose)."""
    out = [kp for q in bank.questions for kp in q.key_points]
    out.extend(bank.loose_points)
    return out


def embed_text_of(kp: KeyPoint) -> str:
    # Long items drown their main claim: embed the first ~70 words. (Prefixing what a
    # leading pronoun refers to pulled the embedding toward that topic: measured 0.61
    # -> 0.38 against a paraphrase. The context is matched lexically only.)
    return " ".join(kp.text.split()[:70])


# Near-duplicate key points within a question: cosine at or above this (MiniLM) or
# term overlap (Jaccard) at or above DUP_JACCARD. 0.86 merges restatements such as
# "High variance may result from ... (overfitting)" / "High variance, low bias:
# Overfitting" only when they say the same thing; lower values merged distinct
# solutions (dropout vs. lasso) in our checks.
DUP_COSINE = 0.86
DUP_JACCARD = 0.75


def polarity(text: str) -> tuple[frozenset[str], bool]:
    """The antonym-bearing words and whether the text negates: two points that differ
    here say different things however similar they look ('high variance: overfitting'
    vs. 'high bias: underfitting')."""
    return frozenset(t for t in lower_words(text) if t in ANTONYMS), negated(text)


# Prefixes that turn a word into its opposite ("synchronously" / "asynchronously",
# "stateful" aside): on a root of this many letters at least.
_NEGATING_PREFIXES = ("non", "un", "in", "im", "ir", "il", "dis", "an", "a")
_MIN_ROOT = 5


def prefix_opposed(a: str, b: str) -> bool:
    """One text uses a word the other uses with a negating prefix, and not the plain
    word itself ("Asynchronously write ..." / "Cache synchronously writes ...")."""
    wa, wb = lower_words(a), lower_words(b)
    for x, y in ((wa, wb), (wb, wa)):
        for w in x - y:
            for pre in _NEGATING_PREFIXES:
                root = w[len(pre) :]
                if w.startswith(pre) and len(root) >= _MIN_ROOT and root in y and root not in x:
                    return True
    return False


def dedupe_points(bank: Bank, embedder: Embedder) -> np.ndarray:
    """Merge near-duplicate points within each question (the more important one
    stays) and return the embeddings of the points that remain."""
    import numpy as np

    pts = iter_points(bank)
    if not pts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    vectors = embedder.embed([embed_text_of(k) for k in pts] + [q.text for q in bank.questions])
    qvecs = vectors[len(pts) :]
    vectors = vectors[: len(pts)]
    row = {id(k): i for i, k in enumerate(pts)}
    for qi, q in enumerate(bank.questions):
        for kp in q.key_points:
            # Points about what the question asks matter more than asides: MiniLM
            # similarity to the question (0.2-0.7 typically) scales importance by
            # about 0.8-1.2.
            rel = float(vectors[row[id(kp)]] @ qvecs[qi])
            kp.importance *= 0.65 + 0.8 * max(0.0, min(rel, 0.75))
        if len(q.key_points) < 2:
            q.key_points = _normalise(q.key_points)
            continue
        kps = q.key_points
        keep: list[int] = []
        for i in sorted(range(len(kps)), key=lambda i: -kps[i].importance):
            ti, pi = stem_set(kps[i].text, pairs=True), polarity(kps[i].text)
            dup = False
            for j in keep:
                if polarity(kps[j].text) != pi or prefix_opposed(kps[i].text, kps[j].text):
                    continue
                tj = stem_set(kps[j].text, pairs=True)
                jac = len(ti & tj) / max(1, len(ti | tj))
                cos = float(vectors[row[id(kps[i])]] @ vectors[row[id(kps[j])]])
                if cos >= DUP_COSINE or jac >= DUP_JACCARD:
                    dup = True
                    break
            if not dup:
                keep.append(i)
        q.key_points = _normalise([kps[i] for i in sorted(keep)])
    kept = iter_points(bank)
    return vectors[[row[id(k)] for k in kept]]
