"""Alternative fusions measured on the TUNING split only (sealed suites and the held-out
split are never read): what the current weighted reciprocal rank fusion was compared
with before keeping it. Prints Recall@1 / Recall@5 / MRR per corpus for each variant.

    python benchmarks/probe_fusion.py [--suites FILE]

Variants (English queries over English notes; other queries keep the default fusion):
- ``default``: the settings' fusion;
- ``+e5 w``: multilingual-e5 as a third ranked list for English queries, weight w;
- ``score z``: a weighted sum of z-scored member scores (top 30 of each) instead of ranks;
- ``dense+e5 l``: MiniLM (+ windows) score plus l times e5's, as one dense list;
- ``agree``: when the two dense models agree on the first section, it goes first;
- ``no exact`` / ``no stub``: without the exact-match rule / the stub weighting;
- ``dense margin m``: the rule that trusts a clear dense lead, at margin m (0: off);
- ``question field w``: the unit's question alone (or the leaf heading), embedded by the
  English model, as a fourth ranked list of weight w (a field apart from the answer);
- ``sections first``: each member's list ranks sections (its best chunk each) before
  fusion, instead of chunks; ``section sum``: the fused scores of a section's chunks
  summed (the default keeps each section's best chunk);
- ``exact anywhere``: the exact-match rule also in notes that mix languages."""

from __future__ import annotations

import argparse
import copy
import statistics
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--suites", type=Path, default=REPO / "evals" / "retrieval" / "suites.yaml")
    args = parser.parse_args()
    from interviewer.retrieval_eval import eval_home

    home = eval_home()
    from interviewer.retrieval import (
        ENGLISH_PAIR,
        FusionParams,
        Signals,
        fuse,
        open_retriever,
        tokenize,
    )
    from interviewer.retrieval_eval import (
        corpus_dir_for,
        gather,
        load_suites,
        metrics,
        section_rank,
    )
    from interviewer.settings import load_settings

    Fusion = Callable[[Signals, FusionParams, list[bool], list], list[tuple[int, float]]]

    def sections_of(chunks: list) -> list[str]:
        return [c.section_id for c in chunks]

    def english(s: Signals) -> bool:
        return s.pairs_met() == {ENGLISH_PAIR} and bool(s.multilingual)

    def with_params(**update: float) -> Fusion:
        return lambda s, p, stubs, chunks: fuse(
            s, p.model_copy(update=update), stubs, sections_of(chunks)
        )

    def zscored(ranked: list[tuple[int, float]], n: int = 30) -> dict[int, float]:
        top = ranked[:n]
        if len(top) < 2:
            return {i: 0.0 for i, _ in top}
        mean = statistics.fmean(v for _, v in top)
        sd = statistics.pstdev(v for _, v in top) or 1.0
        return {i: (v - mean) / sd for i, v in top}

    def score_z(w_bm25: float, w_e5: float) -> Fusion:
        def run(s: Signals, p: FusionParams, stubs: list[bool], chunks: list) -> list:
            if not english(s):
                return fuse(s, p, stubs, sections_of(chunks))
            members = [
                (1.0, zscored(s.dense_ranked(p.window_weight, 100))),
                (w_bm25, zscored(s.bm25(0.0, 100))),
                (w_e5, zscored(s.multilingual or [])),
            ]
            total: dict[int, float] = {}
            for w, scores in members:
                floor = min(scores.values(), default=0.0)
                for i in set(total) | set(scores):
                    total[i] = total.get(i, 0.0) + w * scores.get(i, floor)
            return sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))

        return run

    def dense_e5(lam: float) -> Fusion:
        def run(s: Signals, p: FusionParams, stubs: list[bool], chunks: list) -> list:
            if not english(s):
                return fuse(s, p, stubs, sections_of(chunks))
            own, e5 = dict(s.dense_ranked(p.window_weight, 100)), dict(s.multilingual or [])
            lo_d, lo_m = min(own.values()), min(e5.values())
            both = {i: own.get(i, lo_d) + lam * e5.get(i, lo_m) for i in set(own) | set(e5)}
            s2 = copy.copy(s)
            s2.dense, s2.windows = sorted(both.items(), key=lambda kv: (-kv[1], kv[0])), {}
            update = {"window_weight": 0.0}
            return fuse(s2, p.model_copy(update=update), stubs, sections_of(chunks))

        return run

    def agree(s: Signals, p: FusionParams, stubs: list[bool], chunks: list) -> list:
        order = fuse(s, p, stubs, sections_of(chunks))
        if not english(s):
            return order
        dense, e5 = s.dense_ranked(p.window_weight, 1), (s.multilingual or [])[:1]
        if not dense or not e5 or chunks[dense[0][0]].section_id != chunks[e5[0][0]].section_id:
            return order
        top = max(v for _, v in order) + 1.0
        section = chunks[dense[0][0]].section_id
        lifted = [(i, v + top if chunks[i].section_id == section else v) for i, v in order]
        return sorted(lifted, key=lambda kv: (-kv[1], kv[0]))

    def sections_first(s: Signals, p: FusionParams, stubs: list[bool], chunks: list) -> list:
        best: dict[str, tuple[int, float]] = {}
        s2 = copy.copy(s)

        def per_section(ranked: list[tuple[int, float]]) -> list[tuple[int, float]]:
            best.clear()
            for i, v in ranked:
                best.setdefault(chunks[i].section_id, (i, v))
            return list(best.values())

        s2.dense = per_section(s.dense_ranked(p.window_weight, 100))
        s2.windows = {}
        s2.bm25_text = dict(per_section(s.bm25(p.heading_weight, 100)))
        s2.multilingual = per_section(s.multilingual) if s.multilingual is not None else None
        update = {"window_weight": 0.0, "heading_weight": 0.0}
        return fuse(s2, p.model_copy(update=update), stubs, sections_of(chunks))

    def section_sum(s: Signals, p: FusionParams, stubs: list[bool], chunks: list) -> list:
        total: dict[str, float] = {}
        first: dict[str, int] = {}
        for i, v in fuse(s, p, stubs, sections_of(chunks)):
            total[chunks[i].section_id] = total.get(chunks[i].section_id, 0.0) + v
            first.setdefault(chunks[i].section_id, i)
        return sorted(((first[k], v) for k, v in total.items()), key=lambda kv: (-kv[1], kv[0]))

    def exact_anywhere(s: Signals, p: FusionParams, stubs: list[bool], chunks: list) -> list:
        order = fuse(s, p, stubs, sections_of(chunks))
        if not (p.exact_margin and s.exact and order) or len(s.pairs_met()) == 1:
            return order
        top, margin = s.exact
        if margin < p.exact_margin or not p.weights(s.pair_of(top))[1]:
            return order
        lifted = {i: v for i, v in order}
        lifted[top] = max(lifted.values()) + 1.0
        return sorted(lifted.items(), key=lambda kv: (-kv[1], kv[0]))

    variants: dict[str, Fusion] = {"default": with_params()}
    for w in (0.25, 0.5, 1.0):
        variants[f"+e5 {w}"] = with_params(multilingual_weight=w)
    for wb, we in ((0.25, 0.0), (0.5, 0.0), (0.5, 0.25), (0.75, 0.25)):
        variants[f"score z bm25 {wb} e5 {we}"] = score_z(wb, we)
    for lam in (0.25, 0.5, 1.0):
        variants[f"dense+e5 {lam}"] = dense_e5(lam)
    variants["agree"] = agree
    variants["no exact"] = with_params(exact_margin=0.0)
    variants["no stub"] = with_params(stub_weight=1.0)
    for margin in (0.0, 0.05, 0.1, 0.15, 0.2):
        variants[f"dense margin {margin}"] = with_params(dense_margin=margin)
    variants["sections first"] = sections_first
    variants["section sum"] = section_sum
    variants["exact anywhere"] = exact_anywhere

    def arbiter(depth: int) -> Fusion:
        """When the English members disagree (dense's first section is not BM25's), e5
        decides between the two: the one it ranks higher (within ``depth``) goes first."""

        def run(s: Signals, p: FusionParams, stubs: list[bool], chunks: list) -> list:
            order = fuse(s, p, stubs, sections_of(chunks))
            if not english(s) or not order:
                return order
            dense, bm25 = s.dense_ranked(p.window_weight, 1), s.bm25(p.heading_weight, 1)
            if not dense or not bm25:
                return order
            a, b = chunks[dense[0][0]].section_id, chunks[bm25[0][0]].section_id
            if a == b:
                return order
            e5_rank: dict[str, int] = {}
            for i, _ in (s.multilingual or [])[:depth]:
                e5_rank.setdefault(chunks[i].section_id, len(e5_rank) + 1)
            pick = min((a, b), key=lambda sec: e5_rank.get(sec, depth + 1))
            if e5_rank.get(pick) is None:
                return order
            top = max(v for _, v in order) + 1.0
            lifted = [(i, v + top if chunks[i].section_id == pick else v) for i, v in order]
            return sorted(lifted, key=lambda kv: (-kv[1], kv[0]))

        return run

    variants["e5 arbiter"] = arbiter(3)

    def exact_unique(s: Signals, p: FusionParams, stubs: list[bool], chunks: list) -> list:
        """The exact-match rule only when no other section holds a query term of its
        own: several sections each holding a word no other section has is incidental
        vocabulary, not an identifier."""
        if getattr(s, "exact_rivals", False):
            s = copy.copy(s)
            s.exact = None
        return fuse(s, p, stubs, sections_of(chunks))

    variants["exact unique"] = exact_unique
    question_weights = (0.25, 0.5, 1.0)

    data = []
    for suite in load_suites(args.suites):
        if suite.sealed:
            continue
        tune = [q for q in suite.queries if q.split == "tune"]
        if not tune:
            continue  # a suite written for the held-out split only
        retriever = open_retriever(load_settings(corpus=corpus_dir_for(suite, home)))
        signals = gather(retriever, tune)
        # The question field: each chunk's unit question (or leaf heading) alone, by the
        # English model, as a ranked list of its own.
        fields = retriever._embedder.embed(
            [c.question or c.heading.split(" > ")[-1] for c in retriever.chunks]
        )
        for s, vector in zip(
            signals, retriever._embedder.embed([q.query for q in tune]), strict=True
        ):
            sims = fields @ vector
            s.question_field = sorted(enumerate(sims.tolist()), key=lambda kv: (-kv[1], kv[0]))
        # Sections other than BM25's best that hold a query term no other section holds.
        postings = retriever.bm25.postings
        for q, s in zip(tune, signals, strict=True):
            if s.exact is None:
                continue
            own = retriever.chunks[s.exact[0]].section_id
            rivals = set()
            for term in set(tokenize(q.query)):
                found = {retriever.chunks[j].section_id for j in postings.get(term, [])}
                if len(found) == 1 and own not in found:
                    rivals |= found
            s.exact_rivals = bool(rivals)  # type: ignore[attr-defined]
        data.append((suite.name, retriever, tune, signals))

    def question_field(w: float) -> Fusion:
        def run(s: Signals, p: FusionParams, stubs: list[bool], chunks: list) -> list:
            order = fuse(s, p, stubs, sections_of(chunks))
            if not english(s):
                return order
            scores = dict(order)
            for rank, (i, _) in enumerate(s.question_field[: p.candidates], start=1):  # type: ignore[attr-defined]
                scores[i] = scores.get(i, 0.0) + w / (p.rrf_k + rank)
            return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))

        return run

    for w in question_weights:
        variants[f"question field {w}"] = question_field(w)

    print(f"{'variant':<28}" + "".join(f"{name[:13]:>22}" for name, *_ in data))
    for label, run in variants.items():
        cells = []
        for _, retriever, queries, signals in data:
            stubs = [c.is_stub for c in retriever.chunks]
            ranks = [
                section_rank(
                    q, retriever.chunks, run(s, retriever.params, stubs, retriever.chunks), 5
                )
                for q, s in zip(queries, signals, strict=True)
            ]
            m = metrics(ranks)
            cells.append(f"{m['recall@1']:.3f}/{m['recall@5']:.3f}/{m['mrr']:.3f}")
        print(f"{label:<28}" + "".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    main()
