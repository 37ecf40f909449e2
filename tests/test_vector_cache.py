"""Text vectors kept beside the index: each distinct text is embedded once, a rebuilt
bank embeds only the texts it has not seen, and a broken cache costs only a
re-embedding."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from interviewer.embeddings import MiniLMEmbedder
from interviewer.vector_cache import CACHE_FILE, CachedEmbedder

TEXTS = [
    "A primary key uniquely identifies a row.",
    "A context switch saves the registers of the running task.",
    "A primary key uniquely identifies a row.",
    "UDP sends datagrams with no delivery guarantee.",
]


def test_each_text_is_embedded_once_and_kept(tmp_path: Path) -> None:
    inner = MiniLMEmbedder()
    path = tmp_path / CACHE_FILE
    cached = CachedEmbedder(inner, path)
    got = cached.embed(TEXTS)
    assert cached.embedded == 3  # the repeated text once
    want = inner.embed(TEXTS)
    assert got.shape == want.shape
    assert np.allclose(got, want, atol=1e-4)
    assert path.is_file()
    # A later build (another process) embeds only what it has not seen.
    again = CachedEmbedder(inner, path)
    more = again.embed([*TEXTS, "A mutex lets one thread at a time into a section."])
    assert again.embedded == 1
    assert np.allclose(more[:4], got, atol=1e-6)


def test_a_broken_cache_is_embedded_again(tmp_path: Path) -> None:
    path = tmp_path / CACHE_FILE
    path.write_bytes(b"not an npz file")
    cached = CachedEmbedder(MiniLMEmbedder(), path)
    vecs = cached.embed(TEXTS[:2])
    assert cached.embedded == 2 and vecs.shape == (2, 384)
    assert CachedEmbedder(MiniLMEmbedder(), path).embed(TEXTS[:2]).shape == (2, 384)


def test_the_grader_builds_its_bank_through_the_cache(tmp_path: Path) -> None:
    from interviewer.grading import Grader
    from interviewer.settings import load_settings

    corpus = tmp_path / "notes"
    corpus.mkdir()
    note = corpus / "db.md"
    note.write_text(
        "# Databases\n\n## What is a primary key?\n\nA primary key uniquely identifies a "
        "row; it cannot be null and no two rows share it.\n",
        encoding="utf-8",
    )
    settings = load_settings(corpus=corpus, use_llm=False)
    first = Grader.open(settings, use_llm=False).questions()
    assert (settings.index_dir / CACHE_FILE).is_file()
    # An edit changes the bank; the points that did not change keep their vectors.
    note.write_text(note.read_text(encoding="utf-8") + "\n## What is an index?\n\nA "
                    "structure that finds rows without reading the whole table.\n",
                    encoding="utf-8")  # fmt: skip
    second = Grader.open(settings, use_llm=False).questions()
    assert [q.text for q in second] == [first[0].text, "What is an index?"]
    assert second[0].key_points and len(second[0].key_points) == len(first[0].key_points)


def test_listing_a_cached_bank_loads_no_model(tmp_path: Path) -> None:
    from interviewer.embeddings import get_embedder
    from interviewer.question_bank import LazyEmbedder, bank_rows, open_grader
    from interviewer.settings import load_settings

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "os.md").write_text(
        "# OS\n\n## What is a context switch?\n\nThe kernel saves the registers of the "
        "running task and loads those of the next one.\n",
        encoding="utf-8",
    )
    settings = load_settings(corpus=corpus, use_llm=False)
    first = open_grader(settings)
    assert first._embedder.loaded  # the bank had to be extracted
    again = open_grader(settings)
    rows = bank_rows(settings, grader=again)
    assert [r.question for r in rows] == ["What is a context switch?"]
    assert not again._embedder.loaded  # the cached bank needed only the model's name
    real = get_embedder(settings)
    lazy = LazyEmbedder(settings)
    assert (lazy.name, lazy.dim) == (real.name, real.dim)
