"""The index: incremental sync, removal, bad files, versions, Chroma server mode."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from interviewer.errors import StoreError
from interviewer.index import index_status, load_chunks, read_manifest, sync_index
from interviewer.retrieval import open_retriever
from interviewer.settings import load_settings

from .conftest import free_port

NOTE_A = """---
title: Trees
tags: [trees, ensembles]
---
# What is bagging?
Bagging trains many models on bootstrap samples of the data and averages their
predictions, which reduces variance without increasing bias much.

# Explain gradient boosting
Boosting fits each new tree to the residual errors of the current ensemble, so the
ensemble reduces bias step by step; a small learning rate limits overfitting.
"""
NOTE_B = """# Why normalise inputs?
Inputs on very different scales make the loss surface elongated, so gradient descent
zig-zags; standardising features speeds up convergence.
"""


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "trees.md").write_text(NOTE_A, encoding="utf-8")
    (corpus / "optim.md").write_text(NOTE_B, encoding="utf-8")
    return corpus


def test_sync_is_incremental(small_corpus: Path) -> None:
    settings = load_settings(corpus=small_corpus)
    first = sync_index(settings)
    assert sorted(first.files_added) == ["optim.md", "trees.md"]
    assert first.chunks_embedded == first.total_chunks == 3
    assert index_status(settings).current

    again = sync_index(settings)
    assert not again.changed and again.chunks_embedded == 0 and again.files_unchanged == 2

    # Change one section of one file: only that file is re-chunked, only new chunks embedded.
    (small_corpus / "optim.md").write_text(NOTE_B.replace("zig-zags", "oscillates"))
    assert not index_status(settings).current
    changed = sync_index(settings)
    assert changed.files_changed == ["optim.md"]
    assert changed.chunks_embedded == 1 and changed.chunks_removed == 1

    (small_corpus / "trees.md").unlink()
    removed = sync_index(settings)
    assert removed.files_removed == ["trees.md"]
    assert removed.chunks_removed == 2 and removed.total_chunks == 1
    assert {c.source for c in load_chunks(settings.index_dir)} == {"optim.md"}
    hits = open_retriever(settings).search("bagging bootstrap", k=5)
    assert all(h.source == "optim.md" for h in hits)


def test_chunks_keep_heading_metadata_and_front_matter(small_corpus: Path) -> None:
    settings = load_settings(corpus=small_corpus)
    sync_index(settings)
    chunks = {c.heading: c for c in load_chunks(settings.index_dir)}
    bag = chunks["What is bagging?"]
    assert bag.source == "trees.md" and bag.is_question and bag.title == "Trees"
    assert (bag.line_start, bag.line_end) == (5, 7)


def test_long_sections_are_split_with_heading_kept(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    body = " ".join(
        f"Sentence {i} explains a detail of attention heads and keys." for i in range(200)
    )
    (corpus / "long.md").write_text(f"# Attention\n## How does attention work?\n{body}\n")
    settings = load_settings(corpus=corpus, chunk_size_tokens=128)
    sync_index(settings)
    parts = [c for c in load_chunks(settings.index_dir) if c.heading.endswith("work?")]
    assert len(parts) > 3
    assert all(c.heading == "Attention > How does attention work?" for c in parts)
    assert all(c.embed_text.startswith("Attention > How does attention work?") for c in parts)


def test_bad_files_do_not_stop_indexing_and_keep_last_good_version(small_corpus: Path) -> None:
    settings = load_settings(corpus=small_corpus)
    sync_index(settings)
    (small_corpus / "optim.md").write_bytes("# Optimización\nañadir\n".encode("latin-1"))
    (small_corpus / "blob.md").write_bytes(b"\x00\xff" * 64)
    report = sync_index(settings)
    messages = {p.source: p.message for p in report.problems}
    assert "UTF-8" in messages["optim.md"] and "binary" in messages["blob.md"]
    # The broken file keeps what was indexed, and the index now counts as current.
    assert {c.source for c in load_chunks(settings.index_dir)} == {"trees.md", "optim.md"}
    assert index_status(settings).current
    assert not sync_index(settings).changed


def test_index_from_another_version_is_rebuilt(small_corpus: Path) -> None:
    settings = load_settings(corpus=small_corpus)
    sync_index(settings)
    manifest = settings.index_dir / "manifest.json"
    data = json.loads(manifest.read_text())
    data["schema_version"] = "ancient"
    manifest.write_text(json.dumps(data))
    with pytest.raises(StoreError, match="another version"):
        read_manifest(settings.index_dir)
    report = sync_index(settings)
    assert report.rebuilt_reason and "another version" in report.rebuilt_reason
    assert report.total_chunks == 3 and index_status(settings).current


def test_two_corpora_get_separate_indexes(small_corpus: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(small_corpus, other)
    (other / "trees.md").unlink()
    a, b = load_settings(corpus=small_corpus), load_settings(corpus=other)
    assert a.index_dir != b.index_dir
    sync_index(a)
    sync_index(b)
    assert {c.source for c in load_chunks(b.index_dir)} == {"optim.md"}
    assert {c.source for c in load_chunks(a.index_dir)} == {"optim.md", "trees.md"}


def test_no_network_needed(small_corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any DNS lookup fails: indexing and search still work, so nothing downloads."""

    def no_dns(*args: object, **kwargs: object) -> None:
        raise socket.gaierror(f"DNS disabled by test: {args[:1]}")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    monkeypatch.setattr(socket, "gethostbyname", no_dns)
    settings = load_settings(corpus=small_corpus)
    sync_index(settings)
    hits = open_retriever(settings).search("reduce variance by averaging bootstrap models")
    assert hits[0].heading == "What is bagging?"


def _wait_for_chroma(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chroma server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("chroma server did not start")


def test_chroma_server_mode(small_corpus: Path, tmp_path: Path) -> None:
    chroma = Path(sys.executable).parent / "chroma"
    if not chroma.exists():
        pytest.skip("chroma CLI not installed next to this Python")
    port = free_port()
    proc = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(tmp_path / "server"),
            "--port",
            str(port),
            "--host",
            "127.0.0.1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_chroma(port, proc)
        settings = load_settings(corpus=small_corpus, chroma_host="127.0.0.1", chroma_port=port)
        report = sync_index(settings)
        assert report.total_chunks == 3
        assert not (settings.index_dir / "chroma").exists()  # nothing embedded locally
        status = index_status(settings)
        assert status.current and status.store_mode == f"http://127.0.0.1:{port}"
        hits = open_retriever(settings).search("why standardise features", k=1, mode="dense")
        assert hits[0].heading == "Why normalise inputs?"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_damaged_snapshot_or_lost_vectors_are_rebuilt(small_corpus: Path) -> None:
    """The index is derived data: a truncated chunks.json or a deleted chroma dir is
    rebuilt by the next sync or search, never a dead end nor a silently dense-less search."""
    settings = load_settings(corpus=small_corpus)
    sync_index(settings)
    chunks = settings.index_dir / "chunks.json"
    chunks.write_bytes(chunks.read_bytes()[:100])
    with pytest.raises(StoreError, match="unreadable chunk snapshot"):
        load_chunks(settings.index_dir)
    report = sync_index(settings)
    assert report.rebuilt_reason and "unreadable chunk snapshot" in report.rebuilt_reason
    assert report.total_chunks == 3 and len(load_chunks(settings.index_dir)) == 3

    chunks.write_bytes(chunks.read_bytes()[:100])
    hits = open_retriever(settings).search("bootstrap samples averaged", k=1, mode="dense")
    assert hits and hits[0].heading == "What is bagging?"

    shutil.rmtree(settings.index_dir / "chroma")
    hits = open_retriever(settings).search("bootstrap samples averaged", k=1, mode="dense")
    assert hits and hits[0].heading == "What is bagging?"


def test_unwritable_data_dir_is_one_clear_error(small_corpus: Path, tmp_path: Path) -> None:
    """No rebuild can fix a data dir that cannot be written: the message says what can."""
    blocker = tmp_path / "home-is-a-file"
    blocker.write_text("", encoding="utf-8")
    settings = load_settings(corpus=small_corpus, home=blocker)
    with pytest.raises(StoreError, match="set INTERVIEWER_HOME to a writable dir") as err:
        sync_index(settings)
    assert "\n" not in str(err.value) and "--rebuild" not in str(err.value)


def test_cli_warnings_are_one_line_each_in_a_pipe(small_corpus: Path, tmp_path: Path) -> None:
    """Scripts grep stderr: each problem is one line (never wrapped at 80 columns, no
    stray blank line from a progress bar), naming the file, and brackets stay text."""
    import os

    long_name = "notes [draft] " + "x" * 70 + ".md"
    (small_corpus / long_name).write_bytes("# Café\nlatin-1 é\n".encode("latin-1"))
    env = {**os.environ, "INTERVIEWER_HOME": str(tmp_path / "home"), "COLUMNS": "80"}
    proc = subprocess.run(
        [sys.executable, "-m", "interviewer", "index", "--corpus", str(small_corpus)],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert (
        lines[0] == f"warning: {long_name}: not valid UTF-8 (byte 0xe9 at line 1); "
        "re-save the file as UTF-8"
    )
    assert lines[1].startswith("indexed ")


def test_parent_heading_without_own_text_gets_no_empty_chunk(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.md").write_text(
        "# How to check overfitting?\n## My answer\n"
        "Compare training and validation error over epochs; a widening gap\n"
        "between them means the model memorises the training set.\n"
        "# Explain PCA\n"
    )
    settings = load_settings(corpus=corpus)
    sync_index(settings)
    headings = sorted(c.heading for c in load_chunks(settings.index_dir))
    # The parent's notes live in its child; the bare stub keeps a chunk so it can be found.
    assert headings == ["Explain PCA", "How to check overfitting? > My answer"]


def test_index_of_an_older_schema_is_rebuilt_by_search(small_corpus: Path) -> None:
    settings = load_settings(corpus=small_corpus)
    sync_index(settings)
    manifest = settings.index_dir / "manifest.json"
    data = json.loads(manifest.read_text())
    data["schema_version"] = 1
    manifest.write_text(json.dumps(data))
    assert not index_status(settings).current
    hits = open_retriever(settings).search("bootstrap samples averaged")
    assert hits[0].heading == "What is bagging?"
    assert read_manifest(settings.index_dir) is not None
