"""Second vectors for cross-language search: every chunk embedded with the
multilingual model, kept beside the chunk snapshot in ``multilingual.npz`` (chunk
ids + float16 vectors, ~0.8 kB a chunk). Chroma keeps the English model's vectors;
these are few enough to search by a plain dot product.

They are built the first time a query not in English needs them (the multilingual
model is ~3x slower than the English one, and English queries gain little from it:
measured in benchmarks/eval_retrieval.py), then kept in step by every sync."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from interviewer.files import write_atomic

if TYPE_CHECKING:
    from interviewer.chunking import Chunk
    from interviewer.embeddings import MultilingualEmbedder

FILE = "multilingual.npz"
BATCH = 32
# The model reads the heading path and the start of each chunk: its cost grows with
# length (~0.35 s for a 1,000-character chunk on 2 cores), and the start carries the
# topic. Vectors made with another recipe are rebuilt.
PASSAGE_CHARS = 500
RECIPE = f"e5-small-q4/{PASSAGE_CHARS}"


def _read(index_dir: Path) -> tuple[list[str], np.ndarray]:
    path = index_dir / FILE
    if not path.is_file():
        return [], np.zeros((0, 384), dtype=np.float16)
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["recipe"]) != RECIPE:
                return [], np.zeros((0, 384), dtype=np.float16)
            return [str(i) for i in data["ids"]], np.asarray(data["vectors"])
    except (OSError, ValueError, KeyError):
        return [], np.zeros((0, 384), dtype=np.float16)  # damaged: derived data, rebuild


def missing_ids(index_dir: Path, chunks: list[Chunk]) -> list[str]:
    have = set(_read(index_dir)[0])
    return [c.id for c in chunks if c.id not in have]


def sync_vectors(
    index_dir: Path, chunks: list[Chunk], embedder: MultilingualEmbedder | None = None
) -> int:
    """Embed the chunks that have no multilingual vector yet and forget those gone.
    Returns how many were embedded."""
    ids, vectors = _read(index_dir)
    known = {cid: row for cid, row in zip(ids, vectors, strict=False)}
    todo = [c for c in chunks if c.id not in known]
    if todo:
        if embedder is None:
            from interviewer.embeddings import get_multilingual_embedder

            embedder = get_multilingual_embedder()
        for start in range(0, len(todo), BATCH):
            part = todo[start : start + BATCH]
            rows = embedder.passage([c.embed_text[:PASSAGE_CHARS] for c in part])
            for c, row in zip(part, rows, strict=True):
                known[c.id] = row.astype(np.float16)
    keep = [c.id for c in chunks if c.id in known]
    if not todo and len(keep) == len(ids) and (index_dir / FILE).is_file():
        return 0
    matrix = (
        np.stack([known[i] for i in keep]).astype(np.float16)
        if keep
        else np.zeros((0, 384), dtype=np.float16)
    )
    buffer = io.BytesIO()
    np.savez(buffer, ids=np.array(keep, dtype=str), vectors=matrix, recipe=np.array(RECIPE))
    write_atomic(index_dir / FILE, buffer.getvalue())
    return len(todo)


def refresh_if_present(index_dir: Path, chunks: list[Chunk]) -> int:
    """After a sync: update the vectors of a corpus that has them; build none."""
    if not (index_dir / FILE).is_file():
        return 0
    return sync_vectors(index_dir, chunks)


def load_vectors(index_dir: Path, chunks: list[Chunk]) -> np.ndarray | None:
    """A float32 matrix aligned with ``chunks``, or None when any chunk lacks a vector."""
    ids, vectors = _read(index_dir)
    row_of = {cid: i for i, cid in enumerate(ids)}
    try:
        order = [row_of[c.id] for c in chunks]
    except KeyError:
        return None
    return vectors[order].astype(np.float32) if order else None
