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


# ---- fusion, stubs, cross-language ------------------------------------------------------


def test_weighted_rrf_drops_a_zero_weight_list() -> None:
    fused = rrf([["a", "b"], ["b", "c"]], k=60, weights=[1.0, 0.0])
    assert set(fused) == {"a", "b"} and fused["a"] > fused["b"]


def test_fusion_weighs_stub_sections_down() -> None:
    from interviewer.retrieval import FusionParams, Signals, fuse

    # Chunk 0 is a stub ranked first by both retrievers, chunk 1 has notes, ranked second.
    signals = Signals(english=True, dense=[(0, 0.9), (1, 0.85)], bm25_text={0: 3.0, 1: 2.5})
    even = fuse(signals, FusionParams(stub_weight=1.0), [True, False])
    assert even[0][0] == 0
    weighed = fuse(signals, FusionParams(stub_weight=0.5), [True, False])
    assert weighed[0][0] == 1


def test_readme_example_search_does_not_open_with_a_stub(indexed_home: Path) -> None:
    proc = run_cli(
        "search",
        "model great on training data, bad on new data",
        "--json",
        "--corpus",
        str(BUNDLED_CORPUS),
        env_home=indexed_home,
    )
    assert proc.returncode == 0, proc.stderr
    hits = json.loads(proc.stdout)
    assert not hits[0]["is_stub"]
    assert hits[0]["heading"].startswith("How to check overfitting?")


ENGLISH_NOTES = """# Operating systems

## What is a deadlock?
Two or more processes each hold a resource and wait for one held by another, so
none of them can go on. Prevent it by always taking locks in the same order, or
break it with timeouts.

## What is virtual memory?
Each process sees a large private address space. The page table maps its pages to
physical frames, and pages are swapped out to disk when memory runs short.

## What does a database index do?
A separate sorted structure, usually a B-tree, that finds rows without scanning the
whole table. Reads get faster and writes slower.

## What is a race condition?
"""

SPANISH_NOTES = """# Redes

## ¿Qué diferencia hay entre TCP y UDP?
TCP establece una conexión, reenvía los paquetes perdidos y los entrega en orden.
UDP envía datagramas sueltos sin conexión ni garantías: sirve para voz y juegos.

## ¿Qué hace un balanceador de carga?
Reparte las peticiones entrantes entre varios servidores y deja de enviar tráfico
a los que fallan la comprobación de salud.
"""


@pytest.fixture(scope="module")
def mixed_corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """English notes (os.md) and, in a corpus of its own, Spanish notes (redes.md).
    (One corpus mixing whole sections of both languages is harder: both models and
    BM25 then lean to the query's own language; see the retrieval report.)"""
    root = tmp_path_factory.mktemp("mixed")
    for name, text in (("english", ENGLISH_NOTES), ("spanish", SPANISH_NOTES)):
        (root / name).mkdir()
        (root / name / f"{name}.md").write_text(text, encoding="utf-8")
    home = root / "home"
    proc = run_cli("index", "--corpus", str(root / "english"), env_home=home)
    assert proc.returncode == 0, proc.stderr
    return root, home


def _first_heading(corpus: Path, home: Path, query: str) -> str:
    proc = run_cli("search", query, "--json", "--corpus", str(corpus), env_home=home)
    assert proc.returncode == 0, proc.stderr
    return str(json.loads(proc.stdout)[0]["heading"])


@pytest.mark.parametrize(
    ("spanish", "english", "heading"),
    [
        (
            "¿qué pasa cuando dos procesos se quedan esperando el uno al otro para siempre?",
            "two processes stuck waiting for each other forever",
            "Operating systems > What is a deadlock?",
        ),
        (
            "¿para qué sirve un índice en una base de datos?",
            "why add an index to a table",
            "Operating systems > What does a database index do?",
        ),
    ],
)
def test_spanish_question_finds_the_english_notes(
    mixed_corpus: tuple[Path, Path], spanish: str, english: str, heading: str
) -> None:
    root, home = mixed_corpus
    assert _first_heading(root / "english", home, english) == heading
    assert _first_heading(root / "english", home, spanish) == heading


def test_english_question_finds_the_spanish_notes(mixed_corpus: tuple[Path, Path]) -> None:
    root, home = mixed_corpus
    heading = _first_heading(
        root / "spanish", home, "spreading incoming requests over several servers"
    )
    assert heading == "Redes > ¿Qué hace un balanceador de carga?"


def test_multilingual_vectors_follow_the_corpus(tmp_path: Path) -> None:
    from interviewer.index import load_chunks, sync_index
    from interviewer.multilingual_index import FILE, load_vectors
    from interviewer.retrieval import open_retriever
    from interviewer.settings import load_settings

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.md").write_text(ENGLISH_NOTES, encoding="utf-8")
    settings = load_settings(corpus=corpus, home=tmp_path / "home")
    sync_index(settings)
    # English-only use never pays for the multilingual vectors...
    assert open_retriever(settings).search("what is a deadlock")
    assert not (settings.index_dir / FILE).exists()
    # ...the first query in another language builds them.
    hits = open_retriever(settings).search("¿qué es un interbloqueo entre procesos?")
    assert hits[0].heading.endswith("What is a deadlock?")
    chunks = load_chunks(settings.index_dir)
    vectors = load_vectors(settings.index_dir, chunks)
    assert vectors is not None and vectors.shape == (len(chunks), 384)
    # Later syncs keep them in step with the chunks.
    (corpus / "a.md").write_text(ENGLISH_NOTES.split("## What is virtual memory?")[0])
    sync_index(settings)
    fewer = load_chunks(settings.index_dir)
    assert len(fewer) < len(chunks)
    again = load_vectors(settings.index_dir, fewer)
    assert again is not None and again.shape[0] == len(fewer)
    # Switched off: a Spanish query is served without them, and none are built.
    off = load_settings(corpus=corpus, home=tmp_path / "home-off", multilingual="off")
    sync_index(off)
    assert open_retriever(off).search("¿qué es un interbloqueo entre procesos?")
    assert not (off.index_dir / FILE).exists()


# ---- the labelled query set ---------------------------------------------------------------


def test_labels_match_heading_paths_whatever_the_chunking() -> None:
    from interviewer.retrieval_eval import heading_matches

    path = (
        "65 ML Questions > Questions > 3) Explain over- and under-fitting and how to combat them?"
    )
    assert heading_matches(path, "3) Explain over- and under-fitting")
    assert heading_matches(path, "Explain over- and under-fitting")  # numbering ignored
    assert heading_matches(path, "Questions > 3) Explain over")
    assert heading_matches("Primer > Database > RDBMS > Sharding > Disadvantage(s)", "Sharding")
    assert not heading_matches(path, "Explain PCA")
    assert not heading_matches("Cache > Write-through", "Database > Write-through")


def test_query_set_size_languages_and_fixed_split() -> None:
    from interviewer.retrieval_eval import load_suites, split_of

    suites = load_suites(Path(__file__).resolve().parent.parent / "evals/retrieval/suites.yaml")
    queries = [q for s in suites for q in s.queries]
    assert len(suites) >= 3 and len(queries) >= 150
    assert sum(q.lang == "es" for q in queries) >= 20
    assert {"keyword", "nooverlap"} <= {q.style for q in queries}
    for suite in suites:
        # A sealed suite (written blind) is all held out, and so is a suite whose file
        # pins every query there (written before any run); the others split by hash.
        pinned_out = all(q.pinned and q.split == "heldout" for q in suite.queries)
        want = {"heldout"} if suite.sealed or pinned_out else {"tune", "heldout"}
        assert {q.split for q in suite.queries} == want, suite.name
    assert any(s.sealed for s in suites)
    split = [q for s in suites if not s.sealed for q in s.queries]
    heldout = sum(q.split == "heldout" for q in split) / len(split)
    assert 0.3 < heldout < 0.5
    # Split by hash, unless the file pins a query to a split (a batch written for it).
    assert all(split_of(q.query) == q.split for q in split if not q.pinned)
    assert split_of("  Some Query ") == split_of("some query")


def test_a_query_file_may_pin_its_split(tmp_path: Path) -> None:
    from interviewer.retrieval_eval import load_queries, split_of

    texts = [f"query number {n}" for n in range(40)]
    held = next(t for t in texts if split_of(t) == "heldout")
    tuned = next(t for t in texts if split_of(t) == "tune")
    path = tmp_path / "q.yaml"
    path.write_text(
        f"- query: {held}\n  relevant: [A]\n  split: tune\n"
        f"- query: {tuned}\n  relevant: [B]\n  split: heldout\n"
        f"- query: {texts[0]}\n  relevant: [C]\n",
        encoding="utf-8",
    )
    pinned_tune, pinned_held, hashed = load_queries(path)
    assert (pinned_tune.split, pinned_tune.pinned) == ("tune", True)
    assert (pinned_held.split, pinned_held.pinned) == ("heldout", True)
    assert (hashed.split, hashed.pinned) == (split_of(texts[0]), False)
    path.write_text("- query: x\n  relevant: [A]\n  split: train\n", encoding="utf-8")
    with pytest.raises(ValueError, match="split must be tune or heldout"):
        load_queries(path)


def test_fusion_puts_a_rare_exact_match_first_only_past_the_margin() -> None:
    from interviewer.retrieval import FusionParams, Signals, fuse

    # Dense ranks chunk 2 last; BM25 ranks it first through a term no other section has.
    signals = Signals(
        english=True,
        dense=[(0, 0.6), (1, 0.59), (2, 0.4)],
        bm25_text={2: 9.0, 0: 3.0},
        exact=(2, 3.0),
    )
    assert fuse(signals, FusionParams(exact_margin=2.0), [False] * 3)[0][0] == 2
    assert fuse(signals, FusionParams(exact_margin=4.0), [False] * 3)[0][0] == 0
    assert fuse(signals, FusionParams(exact_margin=0.0), [False] * 3)[0][0] == 0


def _incident_notes(seed: int = 7, n: int = 30) -> tuple[str, str]:
    """Notes of many alike incident reviews, each naming its own case number; returns
    the notes and the heading of the one that names case 3007."""
    import random

    rng = random.Random(seed)
    systems = ["billing", "login", "search", "upload", "checkout", "email", "reports", "sync"]
    symptoms = ["timed out", "returned errors", "was slow", "lost data", "crashed"]
    numbers = rng.sample(range(1000, 9999), n)
    target = rng.randrange(n)
    numbers[target] = 3007
    parts, heading = ["# Incident reviews\n"], ""
    for i, number in enumerate(numbers):
        system, symptom = rng.choice(systems), rng.choice(symptoms)
        title = f"Incident {i + 1}: {system} {symptom}"
        if i == target:
            heading = f"Incident reviews > {title}"
        parts.append(
            f"## {title}\n\nDuring case {number} the {system} service {symptom} for many "
            f"users after a deploy. We rolled back, added an alert on {system} latency and "
            "wrote a follow-up about testing deploys on a canary first.\n"
        )
    return "\n".join(parts), heading


def test_a_rare_exact_term_beats_dense_noise(tmp_path: Path) -> None:
    from interviewer.retrieval import open_retriever
    from interviewer.settings import load_settings

    notes, heading = _incident_notes(seed=11)
    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "incidents.md").write_text(notes, encoding="utf-8")
    retriever = open_retriever(load_settings(corpus=corpus))  # home: the test's own
    query = "what went wrong in case 3007"
    # Every review reads alike: dense search does not single it out, nor does rank
    # fusion alone ...
    assert retriever.search(query, mode="dense")[0].heading != heading
    signals = retriever.signals(query, 30)
    without = retriever.params.model_copy(update={"exact_margin": 0.0})
    assert retriever.rank(signals, "hybrid", without, 5)[0].heading != heading
    # ... the one section holding the number does, and wins with the default settings.
    assert retriever.search(query)[0].heading == heading
    # A term every section shares triggers nothing.
    assert retriever.signals("what went wrong in the case", 30).exact is None
