"""Fusion with the default settings on notes written here (not the evaluation corpora):
hybrid search finds at least what dense search alone finds, a stub does not open the
results of queries that sections with notes answer, and is still found when asked for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from interviewer.retrieval_eval import LabelledQuery, first_relevant_rank, metrics

NOTES = """# Operating systems and databases

## What is a deadlock?
Two or more processes each hold a resource and wait for one another's, so none can
proceed. The four Coffman conditions are mutual exclusion, hold and wait, no
preemption and circular wait. Breaking any one of them, for example by always taking
locks in a fixed global order, prevents it.

## How does virtual memory work?
Each process sees its own contiguous address space. The memory management unit
translates virtual pages to physical frames through page tables, and the TLB caches
recent translations. A page that is not in memory triggers a page fault and is loaded
from disk; rarely used pages are evicted when memory runs short.

## Paging versus segmentation
Paging cuts memory into fixed-size pages and avoids external fragmentation.
Segmentation uses variable-size segments that follow the program's logical parts.

## What is a database index?
An index is a separate sorted structure, usually a B-tree, that maps column values to
rows, so a lookup reads a few pages instead of scanning the whole table. Indexes
speed up reads but slow down inserts and updates, which must maintain them.

## What does transaction isolation mean?
Concurrent transactions should not see each other's partial work. Read committed
prevents dirty reads; repeatable read also prevents non-repeatable reads; serializable
behaves as if transactions ran one after another. Weaker levels allow anomalies such
as lost updates and phantom rows in exchange for throughput.

## When would you denormalise a schema?
When reads dominate and joins are too slow: duplicating a few columns into the table
that is read most saves the join, at the cost of keeping the copies consistent on
every write.

## How do you choose a shard key?
A good shard key spreads writes evenly and keeps the rows that are queried together
on the same shard. A monotonically increasing key sends every insert to the last
shard, a hot spot.

## What is the difference between a process and a thread?
"""

QUERIES = [
    ("two jobs wait forever for locks the other one holds", "What is a deadlock?"),
    ("address translation and page faults", "How does virtual memory work?"),
    ("fixed-size pages against variable-size segments", "Paging versus segmentation"),
    ("why are lookups fast with a B-tree on a column", "What is a database index?"),
    ("dirty reads and phantom rows", "What does transaction isolation mean?"),
    ("copying columns to avoid expensive joins", "When would you denormalise a schema?"),
    ("spreading writes evenly across database partitions", "How do you choose a shard key?"),
    ("Coffman conditions", "What is a deadlock?"),
    ("TLB", "How does virtual memory work?"),
    ("read committed versus serializable", "What does transaction isolation mean?"),
    # Few or no words shared with the notes: BM25 alone misses or misranks these.
    ("where each process thinks it has all the RAM", "How does virtual memory work?"),
    ("one partition receives all the new rows", "How do you choose a shard key?"),
    ("programs stuck waiting on each other forever", "What is a deadlock?"),
    ("a lookup that avoids reading every row", "What is a database index?"),
]


def test_hybrid_finds_what_dense_finds_and_no_stub_opens(tmp_path: Path) -> None:
    from interviewer.retrieval import open_retriever
    from interviewer.settings import load_settings

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "systems.md").write_text(NOTES, encoding="utf-8")
    retriever = open_retriever(load_settings(corpus=corpus))  # home: the test's own
    ranks: dict[str, list[int | None]] = {"dense": [], "hybrid": []}
    for text, label in QUERIES:
        q = LabelledQuery(query=text, relevant=[label])
        for mode in ranks:
            hits = retriever.search(text, k=5, mode=mode)  # type: ignore[arg-type]
            ranks[mode].append(first_relevant_rank(q, ((h.source, h.heading) for h in hits)))
        # The stub question shares words with the deadlock notes ("process"): still,
        # a section with notes comes first.
        assert not retriever.search(text, k=1)[0].is_stub
    dense, hybrid = metrics(ranks["dense"]), metrics(ranks["hybrid"])
    assert hybrid["recall@5"] == 1.0
    assert hybrid["recall@1"] >= dense["recall@1"] and hybrid["mrr"] >= dense["mrr"]
    # Weighed down, a stub is still found when it is what the query asks about.
    stub = retriever.search("processes and threads sharing memory", k=3)
    assert any(h.is_stub and "process and a thread" in h.heading for h in stub)


def test_an_exact_match_decides_only_where_bm25_has_a_say() -> None:
    from interviewer.retrieval import FusionParams, Signals, fuse

    # Chunk 1 alone holds a query term; both dense retrievers prefer chunk 0.
    signals = Signals(
        english=False,
        dense=[(0, 0.9), (1, 0.8)],
        bm25_text={1: 9.0},
        multilingual=[(0, 0.9), (1, 0.5)],
        exact=(1, 10.0),
    )
    stubs = [False, False]
    muted = FusionParams(exact_margin=2.0, foreign_bm25_weight=0.0)
    assert fuse(signals, muted, stubs)[0][0] == 0
    heard = FusionParams(exact_margin=2.0, foreign_bm25_weight=0.5)
    assert fuse(signals, heard, stubs)[0][0] == 1


def test_an_exact_match_does_not_decide_in_notes_that_mix_languages() -> None:
    from interviewer.retrieval import CROSS_PAIR, ENGLISH_PAIR, FusionParams, Signals, fuse

    # An English query: chunk 0 (English) alone shares a word with it; chunk 1 (Spanish)
    # is what both dense models rank first. In notes all in English the shared word
    # decides; where the notes mix languages it is only one vote among others.
    base = {
        "dense": [(1, 0.9), (0, 0.5)],
        "bm25_text": {0: 5.0},
        "multilingual": [(1, 0.8), (0, 0.3)],
        "exact": (0, 10.0),
    }
    params = FusionParams(exact_margin=2.0, foreign_bm25_weight=0.0)
    stubs = [False, False]
    one_language = Signals(english=True, **base)  # type: ignore[arg-type]
    assert fuse(one_language, params, stubs)[0][0] == 0
    mixed = Signals(english=False, pairs=[ENGLISH_PAIR, CROSS_PAIR], **base)  # type: ignore[arg-type]
    assert fuse(mixed, params, stubs)[0][0] == 1


def test_in_notes_that_mix_languages_each_chunk_is_weighed_by_its_language_pair() -> None:
    from interviewer.retrieval import CROSS_PAIR, ENGLISH_PAIR, FusionParams, Signals, fuse

    # An English query over mixed notes: chunk 0 is English, chunk 1 Spanish. The
    # English model ranks the Spanish chunk first (its score means nothing there), the
    # multilingual model ranks it second.
    signals = Signals(
        english=False,
        pairs=[ENGLISH_PAIR, CROSS_PAIR],
        dense=[(1, 0.7), (0, 0.6)],
        bm25_text={0: 3.0},
        multilingual=[(0, 0.8), (1, 0.7)],
    )
    stubs = [False, False]
    params = FusionParams(
        rrf_k=3,
        dense_weight=1.0,
        bm25_weight=0.5,
        multilingual_weight=0.0,
        foreign_dense_weight=0.0,
        foreign_bm25_weight=0.0,
        foreign_multilingual_weight=1.5,
    )
    fused = dict(fuse(signals, params, stubs))
    # Chunk 0: English dense rank 2 and BM25 rank 1; chunk 1 only its multilingual rank.
    assert fused[0] == pytest.approx(1.0 / 5 + 0.5 / 4)
    assert fused[1] == pytest.approx(1.5 / 5)
    # The same signals weighed as one whole query (no pairs): the English dense
    # rank of the Spanish chunk counts, with the cross-language weights for both.
    whole = Signals(**{**signals.__dict__, "pairs": None})
    fused_whole = dict(fuse(whole, params, stubs))
    assert fused_whole[1] == pytest.approx(1.5 / 5) and fused_whole[0] == pytest.approx(1.5 / 4)


def test_language_pairs_follow_the_language_of_each_chunk(tmp_path: Path) -> None:
    from interviewer.retrieval import CROSS_PAIR, ENGLISH_PAIR, NATIVE_PAIR, open_retriever
    from interviewer.settings import load_settings

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "en.md").write_text(
        "# What is a hash table?\n\nA hash table maps each key to a bucket with a hash "
        "function, so that a lookup takes constant time on average.\n",
        encoding="utf-8",
    )
    (notes / "es.md").write_text(
        "# ¿Qué es un índice de una base de datos?\n\nEs una estructura que permite "
        "encontrar las filas sin recorrer toda la tabla, a cambio de que las "
        "escrituras sean más lentas.\n",
        encoding="utf-8",
    )
    settings = load_settings(corpus=notes)  # home: the test's own
    retriever = open_retriever(settings)
    by_source = {c.source: i for i, c in enumerate(retriever.chunks)}
    same, pairs = retriever.language_pairs("how does a hash table find a key so fast")
    assert not same and pairs is not None
    assert pairs[by_source["en.md"]] == ENGLISH_PAIR and pairs[by_source["es.md"]] == CROSS_PAIR
    _, pairs = retriever.language_pairs("¿para qué sirve un índice en una base de datos?")
    assert pairs is not None
    assert pairs[by_source["es.md"]] == NATIVE_PAIR and pairs[by_source["en.md"]] == CROSS_PAIR
    # The chunks' languages are kept for the next cold search.
    cached = json.loads((settings.index_dir / "languages.json").read_text(encoding="utf-8"))
    assert sorted(cached["chunks"]) == ["en", "es"]
    # Both notes found, whichever language the question is in.
    hits = retriever.search("what makes a database index speed up reading rows", k=1)
    assert hits and hits[0].source == "es.md"
    hits = retriever.search("¿cómo encuentra una tabla hash una clave tan rápido?", k=1)
    assert hits and hits[0].source == "en.md"


def test_member_ranks_agree_with_search_in_each_mode(tmp_path: Path) -> None:
    """The miss diagnosis (benchmarks/eval_retrieval.py --misses) reports, per member,
    the rank that a search in that mode gives the wanted section."""
    from interviewer.retrieval import open_retriever
    from interviewer.retrieval_eval import member_ranks
    from interviewer.settings import load_settings

    corpus = tmp_path / "notes"
    corpus.mkdir()
    (corpus / "systems.md").write_text(NOTES, encoding="utf-8")
    retriever = open_retriever(load_settings(corpus=corpus))
    checked = 0
    for text, label in QUERIES:
        q = LabelledQuery(query=text, relevant=[label])
        ranks = member_ranks(retriever, q, retriever.signals(text, 100, "all"))
        for mode in ("dense", "bm25", "hybrid"):
            hits = retriever.search(text, k=8, mode=mode)  # type: ignore[arg-type]
            found = first_relevant_rank(q, ((h.source, h.heading) for h in hits))
            assert ranks[mode] == found, (text, mode, ranks)
            checked += found is not None
    assert checked >= len(QUERIES)  # most modes find most sections: the ranks were compared
    # A section no query wants has no rank in any member.
    nowhere = LabelledQuery(query="deadlock", relevant=["No such section"])
    assert set(
        member_ranks(retriever, nowhere, retriever.signals("deadlock", 100, "all")).values()
    ) == {None}


def test_a_clear_dense_lead_is_trusted_only_when_clear_and_english() -> None:
    from interviewer.retrieval import CROSS_PAIR, ENGLISH_PAIR, FusionParams, Signals, fuse

    # Dense prefers chunk 0 (section a) by 0.2 over the best other section; BM25 ranks
    # chunk 2 (section c) first and chunk 0 nowhere, so rank fusion alone picks chunk 2.
    def signals(pairs: list[int] | None = None, lead: float = 0.2) -> Signals:
        return Signals(
            english=True,
            pairs=pairs,
            dense=[(0, 0.8), (1, 0.75), (2, 0.8 - lead)],
            bm25_text={2: 9.0, 1: 8.0},
        )

    sections = ["a", "a", "c"]
    stubs = [False] * 3
    off = FusionParams(rrf_k=3, bm25_weight=1.0, window_weight=0.0)
    on = off.model_copy(update={"dense_margin": 0.1})
    assert fuse(signals(), off, stubs, sections)[0][0] == 2
    assert fuse(signals(), on, stubs, sections)[0][0] == 0
    # A lead below the margin, the second chunk of the same section (not a rival), or
    # no section ids: rank fusion decides.
    assert fuse(signals(lead=0.05), on, stubs, sections)[0][0] == 2
    assert fuse(signals(), on, stubs)[0][0] == 2
    # Notes that mix languages: dense scores of chunks in other languages do not compare.
    mixed = signals(pairs=[ENGLISH_PAIR, ENGLISH_PAIR, CROSS_PAIR])
    assert fuse(mixed, on, stubs, sections)[0][0] == 2
