"""Retrieval evaluation: Recall@1/3/5 and MRR of dense-only (English model),
BM25-only, multilingual-only and hybrid (default settings) search, per corpus and
per split (tuning / held-out), over the labelled queries of evals/retrieval/
(listed in evals/retrieval/suites.yaml). Also Spanish queries and query styles.

    python benchmarks/eval_retrieval.py [--suites FILE] [--json] [--skip-sealed]
        [--misses [--split tune|heldout] [--miss-at K]]

``--misses`` lists the queries hybrid search ranks below K (default 5) in one split
(default held-out; diagnose on ``--split tune``, never tune on what the held-out list
shows), with the rank each member gives the wanted section: dense (chunk vector),
dense+windows, BM25, multilingual, hybrid. ``--skip-sealed`` leaves out the sealed
suites (their per-query results are for the lead's final report only).

Indexes go to $INTERVIEWER_HOME (default: a cache dir under /tmp, reused by the
next run, so only the first run pays for indexing)."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MODES = ("dense", "bm25", "multilingual", "hybrid")  # plus "dense+windows", derived


def wilson(p: float, n: float, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion ``p`` measured on ``n`` queries."""
    if not n:
        return 0.0, 1.0
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, centre - half), min(1.0, centre + half)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--suites", type=Path, default=REPO / "evals" / "retrieval" / "suites.yaml")
    parser.add_argument("--only", help="evaluate only this suite")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--misses", action="store_true", help="list the queries hybrid ranks below --miss-at"
    )
    parser.add_argument("--split", choices=("tune", "heldout"), default="heldout")
    parser.add_argument("--miss-at", type=int, default=5, help="a miss: ranked below this")
    parser.add_argument("--skip-sealed", action="store_true", help="leave out sealed suites")
    args = parser.parse_args()

    from interviewer.retrieval_eval import eval_home

    home = eval_home()
    from interviewer.retrieval import FusionParams, open_retriever
    from interviewer.retrieval_eval import (
        corpus_dir_for,
        gather,
        load_suites,
        member_ranks,
        metrics,
        ranks_for,
    )
    from interviewer.settings import load_settings

    report: dict[str, dict] = {}
    all_ranks: dict[tuple[str, str], list] = {}
    for suite in load_suites(args.suites):
        if args.only and suite.name != args.only:
            continue
        if args.skip_sealed and suite.sealed:
            continue
        settings = load_settings(corpus=corpus_dir_for(suite, home))
        retriever = open_retriever(settings)
        signals = gather(retriever, suite.queries)
        single = FusionParams.from_settings(settings).model_copy(update={"candidates": 50})
        ranks = {
            mode: ranks_for(
                retriever,
                suite.queries,
                signals,
                mode,
                retriever.params if mode == "hybrid" else single,
            )
            for mode in MODES
        }
        # Dense search as hybrid runs it (chunk vector plus best sentence window), alone:
        # the fusion with a single list, no stub, exact-match or BM25 adjustment.
        alone = retriever.params.model_copy(
            update={
                "bm25_weight": 0.0,
                "multilingual_weight": 0.0,
                "foreign_dense_weight": 1.0,
                "foreign_bm25_weight": 0.0,
                "foreign_multilingual_weight": 0.0,
                "native_dense_weight": 1.0,
                "native_bm25_weight": 0.0,
                "native_multilingual_weight": 0.0,
                "dense_weight": 1.0,
                "stub_weight": 1.0,
                "exact_margin": 0.0,
                "dense_margin": 0.0,
                "candidates": 50,
            }
        )
        ranks["dense+windows"] = ranks_for(retriever, suite.queries, signals, "hybrid", alone)
        entry: dict[str, dict] = {"chunks": {"n": len(retriever.chunks)}}
        for split in ("tune", "heldout"):
            idx = [i for i, q in enumerate(suite.queries) if q.split == split]
            for mode in (*MODES, "dense+windows"):
                entry[f"{split}/{mode}"] = metrics([ranks[mode][i] for i in idx])
                all_ranks.setdefault((split, mode), []).extend(ranks[mode][i] for i in idx)
            for group, pick in (
                ("es", lambda q: q.lang != "en"),
                ("keyword", lambda q: q.style == "keyword"),
                ("nooverlap", lambda q: q.style == "nooverlap"),
            ):
                sel = [i for i in idx if pick(suite.queries[i])]
                for mode in ("dense", "hybrid"):
                    entry[f"{split}/{group}/{mode}"] = metrics([ranks[mode][i] for i in sel])
                    all_ranks.setdefault((f"{split}/{group}", mode), []).extend(
                        ranks[mode][i] for i in sel
                    )
        report[suite.name] = entry
        if args.misses:
            for i, q in enumerate(suite.queries):
                r = ranks["hybrid"][i]
                if q.split != args.split or (r is not None and r <= args.miss_at):
                    continue
                members = member_ranks(retriever, q, signals[i])
                first = retriever.search(q.query, k=1)
                print(
                    f"MISS [{suite.name}] {q.query!r} ({q.lang}, {q.style})\n"
                    f"    wants {q.relevant}\n"
                    f"    first {first[0].heading[-70:] if first else None!r}\n"
                    "    ranks "
                    + "  ".join(f"{name} {rank or '-'}" for name, rank in members.items()),
                    file=sys.stderr,
                )
    report["ALL"] = {f"{key[0]}/{key[1]}": metrics(v) for key, v in all_ranks.items()}

    if args.json:
        print(json.dumps(report, indent=2))
        return
    for name, entry in report.items():
        print(
            f"\n== {name}" + (f" ({int(entry['chunks']['n'])} chunks)" if "chunks" in entry else "")
        )
        print(
            f"{'split/mode':<28} {'n':>4} {'R@1':>6} {'R@3':>6} {'R@5':>6} {'MRR':>6}"
            f" {'hits@1':>7} {'hits@5':>7}"
        )
        for key, m in entry.items():
            if key == "chunks" or not m["n"]:
                continue
            print(
                f"{key:<28} {int(m['n']):>4} {m['recall@1']:>6.3f} {m['recall@3']:>6.3f} "
                f"{m['recall@5']:>6.3f} {m['mrr']:>6.3f} "
                f"{round(m['recall@1'] * m['n']):>7} {round(m['recall@5'] * m['n']):>7}"
            )
        held = entry.get("heldout/hybrid")
        if held and held["n"]:
            # Held-out splits are small: say how far the truth may be from the estimate.
            lo1, hi1 = wilson(held["recall@1"], held["n"])
            lo5, hi5 = wilson(held["recall@5"], held["n"])
            print(
                f"held-out hybrid, 95% Wilson interval: R@1 [{lo1:.2f}, {hi1:.2f}]"
                f"  R@5 [{lo5:.2f}, {hi5:.2f}]"
            )


if __name__ == "__main__":
    main()
