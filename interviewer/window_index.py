"""Sentence-window vectors: each chunk's body cut into windows of two sentences, each
prefixed with the chunk's own heading, embedded with the English model and kept beside
the chunk snapshot in ``windows.npz`` (owner chunk ids + float16 vectors).

A chunk's vector averages everything it says, so a query about one of its sentences
can rank below a short chunk that is only loosely related; the best window of a chunk
says how well its closest passage matches. Dense search scores a chunk by its own
vector plus ``window_weight`` times its best window (fitted on the tuning split by
benchmarks/fit_retrieval.py). Built by every index sync, for the chunks that lack them."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from interviewer.chunking import _without_urls as without_urls
from interviewer.files import write_atomic

if TYPE_CHECKING:
    from interviewer.chunking import Chunk
    from interviewer.embeddings import Embedder

FILE = "windows.npz"
SENTENCES = 2  # sentences per window
MIN_CHARS = 16  # shorter pieces (a label, a bare link) are not windows of their own
RECIPE = f"windows/{SENTENCES}/{MIN_CHARS}"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def windows(chunk: Chunk) -> list[str]:
    """The chunk's windows as embedded: "<heading>: <sentence> <next sentence>"."""
    lead = chunk.heading.split(" > ")[-1].strip()
    pieces = [
        p.strip()
        for p in _SENTENCE_END.split(without_urls(chunk.text))
        if len(p.strip()) >= MIN_CHARS
    ]
    return [f"{lead}: {' '.join(pieces[i : i + SENTENCES])}" for i in range(len(pieces))]


def _empty() -> tuple[list[str], np.ndarray]:
    return [], np.zeros((0, 0), dtype=np.float16)


def _read(index_dir: Path, model: str) -> tuple[list[str], np.ndarray]:
    path = index_dir / FILE
    if not path.is_file():
        return _empty()
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["recipe"]) != RECIPE or str(data["model"]) != model:
                return _empty()
            return [str(i) for i in data["owners"]], np.asarray(data["vectors"])
    except (OSError, ValueError, KeyError):
        return _empty()  # damaged: derived data, rebuilt by the next sync


def sync_windows(index_dir: Path, chunks: list[Chunk], embedder: Embedder) -> int:
    """Embed the windows of chunks that have none yet and forget those of chunks gone.
    Returns how many windows were embedded."""
    owners, vectors = _read(index_dir, embedder.name)
    rows: dict[str, list[np.ndarray]] = {}
    for owner, row in zip(owners, vectors, strict=False):
        rows.setdefault(owner, []).append(row)
    # A chunk with no window at all (a stub, a one-line body) is recorded with none.
    done = set(rows) | _without_windows(index_dir, embedder.name)
    live = {c.id for c in chunks}
    todo = [c for c in chunks if c.id not in done]
    if not todo and done <= live and (index_dir / FILE).is_file():
        return 0
    texts: list[str] = []
    owner_of: list[str] = []
    for c in todo:
        found = windows(c)
        texts.extend(found)
        owner_of.extend([c.id] * len(found))
        rows.setdefault(c.id, [])
    if texts:
        for row, owner in zip(embedder.embed(texts), owner_of, strict=True):
            rows[owner].append(np.asarray(row, dtype=np.float16))
    keep = [(c.id, row) for c in chunks for row in rows.get(c.id, [])]
    empty = sorted(c.id for c in chunks if not rows.get(c.id))
    dim = keep[0][1].shape[0] if keep else 0
    matrix = np.stack([r for _, r in keep]) if keep else np.zeros((0, dim), dtype=np.float16)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        owners=np.array([cid for cid, _ in keep], dtype=str),
        vectors=matrix.astype(np.float16),
        empty=np.array(empty, dtype=str),
        recipe=np.array(RECIPE),
        model=np.array(embedder.name),
    )
    write_atomic(index_dir / FILE, buffer.getvalue())
    return len(texts)


def _without_windows(index_dir: Path, model: str) -> set[str]:
    path = index_dir / FILE
    if not path.is_file():
        return set()
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["recipe"]) != RECIPE or str(data["model"]) != model:
                return set()
            return {str(i) for i in data["empty"]}
    except (OSError, ValueError, KeyError):
        return set()


def load_windows(
    index_dir: Path, chunks: list[Chunk], model: str
) -> tuple[np.ndarray, np.ndarray] | None:
    """(chunk index of each window, float32 window vectors) for ``chunks``, or None when
    there are none made by ``model``. Windows of chunks not in ``chunks`` are left out."""
    owners, vectors = _read(index_dir, model)
    if not owners:
        return None
    index_of = {c.id: i for i, c in enumerate(chunks)}
    pick = [n for n, o in enumerate(owners) if o in index_of]
    if not pick:
        return None
    where = np.array([index_of[owners[n]] for n in pick], dtype=np.int64)
    return where, vectors[pick].astype(np.float32)
