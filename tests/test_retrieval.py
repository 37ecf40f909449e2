"""Hybrid retrieval: BM25, RRF, dedup per section, and the CLI on the bundled notes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from interviewer.retrieval import BM25, rrf, tokenize

from .conftest import BUNDLED_CORPUS


def test_tokenize_stems_and_drops_stopwords() -> None:
    assert tokenize("The models are overfitting the training data") == [
        "model",
        "overfit",
        "train",
        "data",
    ]


def test_bm25_prefers_rare_matching_terms() -> None:
    bm25 = BM25(["the cat sat", "gradient clipping bounds the norm", "the dog sat on the cat"])
    top = bm25.top("clipping gradients", 3)
    assert top[0][0] == 1 and len(top) == 1


def test_rrf_rewards_agreement() -> None:
    fused = rrf([["a", "b", "c"], ["b", "c", "a"]], k=60)
    assert max(fused, key=lambda key: fused[key]) == "b"


def run_cli(*args: str, env_home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, INTERVIEWER_HOME=str(env_home))
    return subprocess.run(
        [sys.executable, "-m", "interviewer", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


@pytest.fixture(scope="module")
def indexed_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("search-home")
    proc = run_cli("index", "--corpus", str(BUNDLED_CORPUS), env_home=home)
    assert proc.returncode == 0, proc.stderr
    return home


def test_cli_search_json_overfitting_first(indexed_home: Path) -> None:
    proc = run_cli(
        "search",
        "my model does great on training data but poorly on new data",
        "--json",
        "--corpus",
        str(BUNDLED_CORPUS),
        env_home=indexed_home,
    )
    assert proc.returncode == 0, proc.stderr
    hits = json.loads(proc.stdout)
    assert hits[0]["heading"].startswith("How to check overfitting?")
    assert hits[0]["source"] == "notes/ml-interview-notes.md"
    assert {"source", "heading", "text", "score"} <= set(hits[0])
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    sections = [h["section_id"] for h in hits]
    assert len(sections) == len(set(sections))


def test_cli_status_and_missing_corpus(indexed_home: Path, tmp_path: Path) -> None:
    proc = run_cli("status", "--json", "--corpus", str(BUNDLED_CORPUS), env_home=indexed_home)
    data = json.loads(proc.stdout)
    assert data["index_current"] and data["chunks"] > 40 and data["store_mode"] == "embedded"
    assert data["embedding_model"] == "all-MiniLM-L6-v2-int8"
    for command in ("search", "status", "index"):
        args = ["x"] if command == "search" else []
        gone = run_cli(command, *args, "--corpus", str(tmp_path / "nope"), env_home=indexed_home)
        assert gone.returncode == 1 and "does not exist" in gone.stderr, command
    missing = run_cli("search", "x", "--corpus", str(tmp_path / "nope"), env_home=indexed_home)
    assert missing.returncode != 0
    assert missing.stderr.strip().count("\n") == 0 and "does not exist" in missing.stderr


def test_search_indexes_a_stale_corpus_first(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.md").write_text("# What is dropout?\nRandomly zeroing activations in training.\n")
    home = tmp_path / "home"
    first = run_cli("search", "dropout", "--json", "--corpus", str(corpus), env_home=home)
    assert json.loads(first.stdout)[0]["heading"] == "What is dropout?"
    (corpus / "b.md").write_text("# What is weight decay?\nAn L2 penalty on the weights.\n")
    second = run_cli("search", "L2 penalty", "--json", "--corpus", str(corpus), env_home=home)
    assert json.loads(second.stdout)[0]["heading"] == "What is weight decay?"


def test_query_with_invalid_utf8_bytes_is_searched(indexed_home: Path) -> None:
    """A query from a terminal in another encoding (here Latin-1 'é') must not crash
    the tokenizer: the bad byte becomes U+FFFD and the rest of the query still counts."""
    env = {**os.environ, "INTERVIEWER_HOME": str(indexed_home), "LC_ALL": "C.UTF-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "interviewer", "search", b"caf\xe9 overfitting", "--json",
         "--corpus", str(BUNDLED_CORPUS)],
        capture_output=True, env=env, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    hits = json.loads(proc.stdout)
    assert hits and "overfitting" in hits[0]["heading"].lower()
