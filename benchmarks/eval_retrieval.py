"""Retrieval evaluation: Recall@1/3/5 and MRR of dense-only, BM25-only and hybrid
search over the labelled queries in evals/retrieval/ (bundled corpus).

    python benchmarks/eval_retrieval.py [--queries FILE] [--corpus DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def evaluate(retriever: object, queries: list[dict], mode: str) -> dict[str, float]:
    ranks: list[int | None] = []
    for q in queries:
        hits = retriever.search(q["query"], k=10, mode=mode)  # type: ignore[attr-defined]
        rank = next(
            (
                i
                for i, h in enumerate(hits, 1)
                if any(h.heading.startswith(r) for r in q["relevant"])
            ),
            None,
        )
        ranks.append(rank)
    n = len(ranks)
    out = {f"recall@{k}": sum(1 for r in ranks if r and r <= k) / n for k in (1, 3, 5)}
    out["mrr"] = sum(1.0 / r for r in ranks if r) / n
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--queries", type=Path, default=REPO / "evals" / "retrieval" / "queries.yaml"
    )
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--misses", action="store_true", help="list queries hybrid misses at 5")
    args = parser.parse_args()

    os.environ.setdefault("INTERVIEWER_HOME", tempfile.mkdtemp(prefix="interviewer-eval-"))
    from interviewer.retrieval import open_retriever
    from interviewer.settings import load_settings

    queries = yaml.safe_load(args.queries.read_text(encoding="utf-8"))
    retriever = open_retriever(load_settings(corpus=args.corpus))
    results = {mode: evaluate(retriever, queries, mode) for mode in ("dense", "bm25", "hybrid")}
    if args.json:
        print(json.dumps({"queries": len(queries), "results": results}, indent=2))
    else:
        print(f"{len(queries)} labelled queries over {args.corpus}")
        print(f"{'mode':<8} {'R@1':>6} {'R@3':>6} {'R@5':>6} {'MRR':>6}")
        for mode, m in results.items():
            print(
                f"{mode:<8} {m['recall@1']:>6.3f} {m['recall@3']:>6.3f} "
                f"{m['recall@5']:>6.3f} {m['mrr']:>6.3f}"
            )
    if args.misses:
        for q in queries:
            hits = retriever.search(q["query"], k=5, mode="hybrid")
            if not any(h.heading.startswith(r) for h in hits for r in q["relevant"]):
                print(
                    "MISS:", q["query"], "->", [h.heading[:40] for h in hits[:3]], file=sys.stderr
                )


if __name__ == "__main__":
    main()
