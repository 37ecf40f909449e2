"""Sentence-window vectors (interviewer/window_index.py) and how dense search uses them."""

from __future__ import annotations

from pathlib import Path

from interviewer.chunking import Chunk
from interviewer.retrieval import FusionParams, Signals, fuse
from interviewer.window_index import windows


def _chunk(text: str, heading: str = "Storage > Write-ahead log", **kw: object) -> Chunk:
    return Chunk(
        id="c1",
        text=text,
        source="a.md",
        heading=heading,
        section_id="s1",
        line_start=1,
        line_end=3,
        **kw,  # type: ignore[arg-type]
    )


def test_windows_are_sentence_pairs_under_the_heading() -> None:
    text = (
        "Every change is appended to the log first. The page is written later.\n"
        "On a crash the log is replayed. See [the manual](https://example.org/wal) for details.\nok"
    )
    found = windows(_chunk(text))
    assert found[0] == (
        "Write-ahead log: Every change is appended to the log first. The page is written later."
    )
    # Each sentence opens a window; the link's target is not embedded, a short line
    # ("ok") is no window of its own.
    assert len(found) == 4
    assert all(w.startswith("Write-ahead log: ") for w in found)
    assert not any("example.org" in w for w in found)
    assert found[-1] == "Write-ahead log: See the manual for details."
    assert windows(_chunk("", is_stub=True)) == []


def test_a_chunk_whose_best_window_matches_goes_first() -> None:
    # Chunk 0's vector is nearer the query; one passage of chunk 1 is much nearer.
    signals = Signals(english=True, dense=[(0, 0.62), (1, 0.55)], windows={0: 0.6, 1: 0.8})
    assert signals.dense_ranked(0.0, 5)[0][0] == 0
    assert signals.dense_ranked(1.0, 5)[0][0] == 1
    # A chunk with no windows (a one-line body) counts its own similarity twice...
    short = Signals(english=True, dense=[(0, 0.7), (1, 0.6)], windows={1: 0.65})
    assert [i for i, _ in short.dense_ranked(1.0, 5)] == [0, 1]
    # ... and one only its windows found gets the lowest similarity dense returned.
    deep = Signals(english=True, dense=[(0, 0.5)], windows={0: 0.5, 2: 0.9})
    assert dict(deep.dense_ranked(1.0, 5))[2] == 0.5 + 0.9
    order = fuse(deep, FusionParams(window_weight=1.0, bm25_weight=0.0), [False] * 3)
    assert order[0][0] == 2


NOTES = """# Databases

## What does VACUUM do in PostgreSQL?
An update writes a new row version and leaves the old one behind as a dead tuple.
VACUUM reclaims the space of dead tuples so that later inserts can reuse it.
Autovacuum runs it in the background when enough rows have changed.

## How does a B-tree index work?
A B-tree keeps keys sorted in pages that point to child pages.
A lookup walks from the root to a leaf in a few page reads.

## What is a stub question?
"""


def test_windows_follow_the_index(tmp_path: Path) -> None:
    import numpy as np

    from interviewer.embeddings import MiniLMEmbedder
    from interviewer.index import load_chunks, sync_index
    from interviewer.retrieval import open_retriever
    from interviewer.settings import load_settings
    from interviewer.window_index import FILE, load_windows, sync_windows

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "db.md").write_text(NOTES, encoding="utf-8")
    settings = load_settings(corpus=corpus, home=tmp_path / "home")
    sync_index(settings)
    chunks = load_chunks(settings.index_dir)
    model = MiniLMEmbedder.name
    found = load_windows(settings.index_dir, chunks, model)
    assert found is not None
    where, vectors = found
    expected = [i for i, c in enumerate(chunks) for _ in windows(c)]
    assert where.tolist() == expected and vectors.shape == (len(expected), 384)
    # The windows of another model are not used.
    assert load_windows(settings.index_dir, chunks, "some-other-model") is None
    # Nothing new: nothing embedded again (the stub, with no window, included).
    assert sync_windows(settings.index_dir, chunks, MiniLMEmbedder()) == 0
    # Edited notes: the gone section's windows go, the new one's come.
    (corpus / "db.md").write_text(
        NOTES.split("## How does a B-tree")[0]
        + "## What is a hash index?\nA hash index maps each key to a bucket. It has no order.\n",
        encoding="utf-8",
    )
    sync_index(settings)
    fewer = load_chunks(settings.index_dir)
    where2, _ = load_windows(settings.index_dir, fewer, model) or (np.zeros(0), None)
    assert sorted(set(where2.tolist())) == [
        i for i, c in enumerate(fewer) if windows(c)
    ]
    assert not any("B-tree" in c.heading for c in fewer)
    # Search uses them: the passage about dead tuples finds its section.
    retriever = open_retriever(settings)
    query = "reclaim space left by dead row versions"
    best = max(retriever.signals(query, 10).windows.items(), key=lambda kv: kv[1])
    assert retriever.chunks[best[0]].heading.endswith("What does VACUUM do in PostgreSQL?")
    hits = retriever.search(query, k=2)
    assert hits[0].heading.endswith("What does VACUUM do in PostgreSQL?")
    (settings.index_dir / FILE).write_bytes(b"damaged")
    # Damaged windows: search still works (chunk vectors alone), the next sync rebuilds.
    assert open_retriever(settings, ensure_index=False).search("hash buckets", k=1)
    sync_index(settings, rebuild=True)
    assert load_windows(settings.index_dir, load_chunks(settings.index_dir), model) is not None
