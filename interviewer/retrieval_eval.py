"""Labelled retrieval queries: loading, the tuning/held-out split, relevance by
heading path, and Recall@k / MRR. Used by benchmarks/eval_retrieval.py (report)
and benchmarks/fit_retrieval.py (fitting the fusion settings on the tuning split).

A label names a section by its heading path, not by chunk: "Load balancer >
Layer 7 load balancing" or just "3) Explain over- and under-fitting". A hit is
relevant when the label's parts occur in its heading path as consecutive parts
(the last one as a prefix), compared without case, numbering or punctuation, and,
if the label gives a ``source``, the hit comes from a file of that name. So labels
survive re-chunking, and a deeper or shallower heading path above the label."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

Split = Literal["tune", "heldout"]
HELDOUT_SHARE = 0.4
_NUMBERING = re.compile(r"^\s*(?:q?\d+[.):]\s*)", re.IGNORECASE)
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)


class LabelledQuery(BaseModel):
    query: str
    relevant: list[str]
    source: str | None = None
    lang: str = "en"
    style: Literal["paraphrase", "keyword", "nooverlap"] = "paraphrase"
    corpus: str = ""
    split: Split = "tune"
    pinned: bool = False  # the file says its split (a batch written for one split)


class Suite(BaseModel):
    """One corpus and the queries written for it."""

    name: str
    corpus: Path | list[Path] = Field(description="A corpus dir, or notes files.")
    queries: list[LabelledQuery]
    sealed: bool = Field(
        default=False, description="Written blind: every query is held out, none is fitted."
    )


def split_of(query: str) -> Split:
    """A fixed split by a hash of the query text: the same query always lands in the
    same split, whoever runs the evaluation and whatever else is added."""
    bucket = int(hashlib.sha1(query.strip().lower().encode("utf-8")).hexdigest()[:8], 16)
    return "heldout" if bucket % 100 < HELDOUT_SHARE * 100 else "tune"


def _norm(part: str) -> str:
    return _NOT_WORD.sub(" ", _NUMBERING.sub("", part).lower()).strip()


def heading_matches(heading: str, label: str) -> bool:
    parts = [_norm(p) for p in heading.split(" > ")]
    want = [_norm(p) for p in label.split(" > ")]
    if not want or not want[-1]:
        return False
    for start in range(len(parts) - len(want) + 1):
        window = parts[start : start + len(want)]
        if window[:-1] == want[:-1] and window[-1].startswith(want[-1]):
            return True
    return False


def is_relevant(q: LabelledQuery, source: str, heading: str) -> bool:
    if q.source and Path(source).name != Path(q.source).name:
        return False
    return any(heading_matches(heading, label) for label in q.relevant)


def load_queries(path: Path, corpus: str = "") -> list[LabelledQuery]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    out = []
    for row in rows:
        row = dict(row)
        # A batch written for one split on purpose says so (`split: tune`, or
        # `heldout` for queries written blind); the others are split by hash.
        fixed = row.pop("split", None)
        if fixed not in (None, "tune", "heldout"):
            raise ValueError(f"{path.name}: split must be tune or heldout, not {fixed!r}")
        q = LabelledQuery.model_validate({**row, "corpus": corpus})
        q.split = fixed or split_of(q.query)
        q.pinned = fixed is not None
        out.append(q)
    return out


def load_suites(manifest: Path) -> list[Suite]:
    """Suites listed in ``manifest`` (paths relative to it); a suite whose corpus is
    missing (e.g. ../shared not beside the checkout) is skipped."""
    rows = yaml.safe_load(manifest.read_text(encoding="utf-8")) or []
    suites = []
    for row in rows:
        given = row["corpus"] if isinstance(row["corpus"], list) else [row["corpus"]]
        paths = [(manifest.parent / p).resolve() for p in given]
        if not all(p.exists() for p in paths):
            continue
        corpus: Path | list[Path] = paths if isinstance(row["corpus"], list) else paths[0]
        queries = [
            q for name in row["queries"] for q in load_queries(manifest.parent / name, row["name"])
        ]
        sealed = bool(row.get("sealed", False))
        if sealed:
            for q in queries:
                q.split = "heldout"
        suites.append(Suite(name=row["name"], corpus=corpus, queries=queries, sealed=sealed))
    return suites


def first_relevant_rank(q: LabelledQuery, hits: Iterable[tuple[str, str]]) -> int | None:
    """1-based rank of the first relevant (source, heading), or None."""
    for rank, (source, heading) in enumerate(hits, start=1):
        if is_relevant(q, source, heading):
            return rank
    return None


def metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    out = {f"recall@{k}": sum(1 for r in ranks if r and r <= k) / n for k in (1, 3, 5)}
    out["mrr"] = sum(1.0 / r for r in ranks if r) / n
    out["n"] = float(len(ranks))
    return out


def select(
    queries: Sequence[LabelledQuery], predicate: Callable[[LabelledQuery], bool]
) -> list[LabelledQuery]:
    return [q for q in queries if predicate(q)]


# ---- running queries -----------------------------------------------------------------

DEPTH = 100  # candidates gathered per retriever; fitting explores depths below it


def eval_home() -> Path:
    """The data dir the retrieval benchmarks share (INTERVIEWER_HOME, set to a fixed temp
    dir unless given): their indexes are built once and reused across runs."""
    default = str(Path(tempfile.gettempdir()) / "interviewer-eval-retrieval")
    return Path(os.environ.setdefault("INTERVIEWER_HOME", default))

def corpus_dir_for(suite: Suite, home: Path) -> Path:
    """A dir holding the suite's corpus: the dir itself, or for notes files a stable
    dir under ``home`` with copies of them (so its index is reused across runs)."""
    if isinstance(suite.corpus, Path) and suite.corpus.is_dir():
        return suite.corpus
    files = suite.corpus if isinstance(suite.corpus, list) else [suite.corpus]
    target = home / "corpora" / suite.name
    target.mkdir(parents=True, exist_ok=True)
    for path in files:
        copy = target / path.name
        data = path.read_bytes()
        if not copy.is_file() or copy.read_bytes() != data:
            copy.write_bytes(data)
    return target


def gather(retriever: object, queries: Sequence[LabelledQuery], depth: int = DEPTH) -> list:
    """Every retriever's candidates for each query, to be ranked many times."""
    return [retriever.signals(q.query, depth, "all") for q in queries]  # type: ignore[attr-defined]


def ranks_for(
    retriever: object,
    queries: Sequence[LabelledQuery],
    signals: Sequence[object],
    mode: str,
    params: object,
    k: int = 10,
) -> list[int | None]:
    out = []
    for q, sig in zip(queries, signals, strict=True):
        hits = retriever.rank(sig, mode, params, k)  # type: ignore[attr-defined]
        out.append(first_relevant_rank(q, ((h.source, h.heading) for h in hits)))
    return out


def fast_ranks(
    retriever: object,
    queries: Sequence[LabelledQuery],
    signals: Sequence[object],
    params: object,
    k: int = 5,
) -> list[int | None]:
    """Hybrid ranks as ``Retriever.rank`` computes them, without building hits: the
    fitting loop ranks the same signals thousands of times."""
    from interviewer.retrieval import fuse

    chunks = retriever.chunks  # type: ignore[attr-defined]
    stubs = [c.is_stub for c in chunks]
    sections = [c.section_id for c in chunks]
    out: list[int | None] = []
    for q, sig in zip(queries, signals, strict=True):
        seen: set[str] = set()
        rank = None
        for i, _ in fuse(sig, params, stubs, sections):  # type: ignore[arg-type]
            c = chunks[i]
            if c.section_id in seen:
                continue
            seen.add(c.section_id)
            if is_relevant(q, c.source, c.heading):
                rank = len(seen)
                break
            if len(seen) >= k:
                break
        out.append(rank)
    return out


# ---- diagnosing misses -----------------------------------------------------------------

MEMBERS = ("dense", "dense+windows", "bm25", "multilingual", "hybrid")


def section_rank(
    q: LabelledQuery, chunks: Sequence[object], order: Iterable[tuple[int, float]], k: int = DEPTH
) -> int | None:
    """1-based rank of the first relevant section in a ranking of chunk indices,
    counting each section once (as search results do), or None within ``k`` sections."""
    seen: set[str] = set()
    for i, _ in order:
        c = chunks[i]
        section = c.section_id  # type: ignore[attr-defined]
        if section in seen:
            continue
        seen.add(section)
        if is_relevant(q, c.source, c.heading):  # type: ignore[attr-defined]
            return len(seen)
        if len(seen) >= k:
            break
    return None


def member_ranks(retriever: object, q: LabelledQuery, signals: object) -> dict[str, int | None]:
    """Where each retriever, and the fusion as ``search`` runs it, ranks the section
    that ``q`` wants: tells a fusion loss (a member had it first) from a miss that no
    member finds."""
    from interviewer.retrieval import fuse

    chunks = retriever.chunks  # type: ignore[attr-defined]
    params = retriever.params  # type: ignore[attr-defined]
    top_k = retriever.settings.top_k  # type: ignore[attr-defined]
    stubs = [c.is_stub for c in chunks]
    hybrid = params.model_copy(update={"candidates": max(params.candidates, 3 * top_k)})
    lists = {
        "dense": signals.dense,  # type: ignore[attr-defined]
        "dense+windows": signals.dense_ranked(params.window_weight, DEPTH),  # type: ignore[attr-defined]
        "bm25": signals.bm25(0.0, DEPTH),  # type: ignore[attr-defined]
        "multilingual": signals.multilingual or [],  # type: ignore[attr-defined]
        "hybrid": fuse(signals, hybrid, stubs, [c.section_id for c in chunks]),  # type: ignore[arg-type]
    }
    return {name: section_rank(q, chunks, lists[name]) for name in MEMBERS}
