"""Query- and document-side variants of the dense and BM25 members, measured on the
TUNING split only (sealed suites and the held-out split are never read). Prints
Recall@1 / Recall@5 / MRR per corpus for each variant; every variant keeps the
default fusion and only changes what one member ranks.

    python benchmarks/probe_feedback.py [--suites FILE] [--only SUBSTRING]

Variants:
- ``default``: the settings' fusion (dense exact over the chunk vectors, as Chroma);
- ``rocchio k a``: pseudo-relevance feedback on the English query vector: the query
  plus ``a`` times the mean vector of the ``k`` best chunks of the default fusion,
  then dense (chunk vectors and windows) re-scored with it;
- ``rm3 k m w``: BM25 re-run with the query's terms plus the ``m`` terms weighing most
  in the ``k`` best chunks of the default fusion (RM3-style, each term by its share
  of those chunks' terms times its idf), the added terms at weight ``w``;
- ``softmax t``: a chunk's window score as the softmax-weighted mean of its windows'
  similarities at temperature ``t`` instead of the best one;
- ``sentences w``: one-sentence windows (heading-prefixed) instead of two-sentence ones;
- ``lead w``: an extra vector per chunk, its unit's question (or leaf heading) plus the
  first sentence of its body; the chunk's dense score gains ``w`` times that similarity;
- ``lead-max`` / ``lead-member w``: the same lead vector, its similarity taken as the
  chunk's when higher / as a fourth ranked list of weight ``w``;
- ``rocchio-member k a w``: the Rocchio query's dense list as a fourth ranked list;
- ``gap b``: each member's weight per query times (1 + b * its normalised gap between
  its first and second sections' scores), a calibration without learning;
- ``two-agree d``: when BM25 and e5 put the same section first and dense has it in its
  first ``d`` sections, it goes first;
- ``windows-only t`` / ``sentences-only t``: a chunk's dense score is its two-sentence
  windows' (one-sentence pieces') similarity alone, max (t 0) or softmax-pooled;
- ``bm25 alone``: BM25's own ranking, for comparing tokenizer changes."""

from __future__ import annotations

import argparse
import copy
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--suites", type=Path, default=REPO / "evals" / "retrieval" / "suites.yaml")
    parser.add_argument(
        "--only", default="", help="variants whose label holds one of these (comma-separated)"
    )
    args = parser.parse_args()
    from interviewer.retrieval_eval import eval_home

    home = eval_home()
    import numpy as np

    from interviewer.retrieval import ENGLISH_PAIR, FusionParams, Signals, fuse, open_retriever
    from interviewer.retrieval import tokenize as tok
    from interviewer.retrieval_eval import (
        corpus_dir_for,
        gather,
        load_suites,
        metrics,
        section_rank,
    )
    from interviewer.settings import load_settings

    Variant = Callable[[dict, Signals, int, FusionParams], list[tuple[int, float]]]

    def dense_lists(
        ctx: dict, q: np.ndarray, n: int, win: tuple[np.ndarray, np.ndarray] | None = None
    ) -> tuple[list[tuple[int, float]], dict[int, float]]:
        sims = ctx["C"] @ q
        top = np.argsort(-sims, kind="stable")[:n]
        dense = [(int(i), float(sims[i])) for i in top]
        where, vecs = win if win is not None else ctx["W"]
        ws = vecs @ q
        best = np.full(len(sims), -np.inf, dtype=np.float32)
        np.maximum.at(best, where, ws)
        wtop = np.argsort(-best, kind="stable")[:n]
        return dense, {int(i): float(best[i]) for i in wtop if np.isfinite(best[i])}

    def base(ctx: dict, s: Signals, qi: int, p: FusionParams) -> Signals:
        s2 = copy.copy(s)
        s2.dense, s2.windows = ctx["dense"][qi]
        return s2

    def default(ctx: dict, s: Signals, qi: int, p: FusionParams) -> list[tuple[int, float]]:
        return fuse(base(ctx, s, qi, p), p, ctx["stubs"], ctx["sections"])

    def english(s: Signals) -> bool:
        return s.pairs_met() == {ENGLISH_PAIR}

    def rocchio(k: int, a: float, from_fused: bool = True) -> Variant:
        def run(ctx: dict, s: Signals, qi: int, p: FusionParams) -> list[tuple[int, float]]:
            s2 = base(ctx, s, qi, p)
            if not english(s2):
                return fuse(s2, p, ctx["stubs"], ctx["sections"])
            order = (
                fuse(s2, p, ctx["stubs"], ctx["sections"])
                if from_fused
                else s2.dense_ranked(p.window_weight, p.candidates)
            )
            picked: list[int] = []
            seen: set[str] = set()
            for i, _ in order:
                if ctx["sections"][i] in seen:
                    continue
                seen.add(ctx["sections"][i])
                picked.append(i)
                if len(picked) >= k:
                    break
            q = ctx["Q"][qi] + a * ctx["C"][picked].mean(axis=0)
            q = q / np.linalg.norm(q)
            s3 = copy.copy(s2)
            s3.dense, s3.windows = dense_lists(ctx, q, len(s.dense))
            return fuse(s3, p, ctx["stubs"], ctx["sections"])

        return run

    def rm3(k: int, m: int, w: float) -> Variant:
        def run(ctx: dict, s: Signals, qi: int, p: FusionParams) -> list[tuple[int, float]]:
            s2 = base(ctx, s, qi, p)
            if not english(s2):
                return fuse(s2, p, ctx["stubs"], ctx["sections"])
            bm = ctx["bm25"]
            order = fuse(s2, p, ctx["stubs"], ctx["sections"])
            picked: list[int] = []
            seen: set[str] = set()
            for i, _ in order:
                if ctx["sections"][i] not in seen:
                    seen.add(ctx["sections"][i])
                    picked.append(i)
                if len(picked) >= k:
                    break
            own = set(tok(ctx["queries"][qi]))
            weight: Counter[str] = Counter()
            for i in picked:
                tf = bm._tfs[i]
                total = sum(tf.values()) or 1
                for t, f in tf.items():
                    if t not in own:
                        weight[t] += f / total * bm._idf.get(t, 0.0)
            terms = {t: 1.0 for t in own}
            for t, _ in weight.most_common(m):
                terms[t] = w
            scores = bm.weighted_scores(terms)
            ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[: len(s.bm25_text)]
            s3 = copy.copy(s2)
            s3.bm25_text = dict(ranked)
            return fuse(s3, p, ctx["stubs"], ctx["sections"])

        return run

    def softmax(t: float) -> Variant:
        def run(ctx: dict, s: Signals, qi: int, p: FusionParams) -> list[tuple[int, float]]:
            s2 = base(ctx, s, qi, p)
            where, vecs = ctx["W"]
            ws = vecs @ ctx["Q"][qi]
            e = np.exp((ws - ws.max()) / t)
            num = np.zeros(len(ctx["C"]))
            den = np.zeros(len(ctx["C"]))
            np.add.at(num, where, e * ws)
            np.add.at(den, where, e)
            have = den > 0
            pooled = np.where(have, num / np.where(have, den, 1), -np.inf)
            top = np.argsort(-pooled, kind="stable")[: len(s.dense)]
            s2.windows = {int(i): float(pooled[i]) for i in top if np.isfinite(pooled[i])}
            return fuse(s2, p, ctx["stubs"], ctx["sections"])

        return run

    def sentences(w: float) -> Variant:
        def run(ctx: dict, s: Signals, qi: int, p: FusionParams) -> list[tuple[int, float]]:
            s2 = base(ctx, s, qi, p)
            _, s2.windows = dense_lists(ctx, ctx["Q"][qi], len(s.dense), ctx["W1"])
            return fuse(
                s2, p.model_copy(update={"window_weight": w}), ctx["stubs"], ctx["sections"]
            )

        return run

    def lead(w: float) -> Variant:
        def run(ctx: dict, s: Signals, qi: int, p: FusionParams) -> list[tuple[int, float]]:
            s2 = base(ctx, s, qi, p)
            extra = ctx["L"] @ ctx["Q"][qi]
            own = ctx["C"] @ ctx["Q"][qi]
            scores = own + w * extra
            top = np.argsort(-scores, kind="stable")[: len(s.dense)]
            s2.dense = [(int(i), float(scores[i])) for i in top]
            # windows: the chunk's own term inside dense_ranked now holds the lead too
            return fuse(s2, p, ctx["stubs"], ctx["sections"])

        return run

    def gap(b: float) -> Variant:
        def norm_gap(ranked: list[tuple[int, float]], sections: list[str]) -> float:
            firsts: list[float] = []
            seen: set[str] = set()
            for i, v in ranked:
                if sections[i] not in seen:
                    seen.add(sections[i])
                    firsts.append(v)
                if len(firsts) >= 10:
                    break
            if len(firsts) < 3 or firsts[0] - firsts[-1] <= 0:
                return 0.0
            return (firsts[0] - firsts[1]) / (firsts[0] - firsts[-1])

        def run(ctx: dict, s: Signals, qi: int, p: FusionParams) -> list[tuple[int, float]]:
            s2 = base(ctx, s, qi, p)
            if not english(s2):
                return fuse(s2, p, ctx["stubs"], ctx["sections"])
            gd = norm_gap(s2.dense_ranked(p.window_weight, p.candidates), ctx["sections"])
            gb = norm_gap(s2.bm25(p.heading_weight, p.candidates), ctx["sections"])
            update = {
                "dense_weight": p.dense_weight * (1 + b * gd),
                "bm25_weight": p.bm25_weight * (1 + b * gb),
            }
            return fuse(s2, p.model_copy(update=update), ctx["stubs"], ctx["sections"])

        return run

    def lead_max(ctx: dict, s: Signals, qi: int, p: FusionParams) -> list[tuple[int, float]]:
        s2 = base(ctx, s, qi, p)
        scores = np.maximum(ctx["C"] @ ctx["Q"][qi], ctx["L"] @ ctx["Q"][qi])
        top = np.argsort(-scores, kind="stable")[: len(s.dense)]
        s2.dense = [(int(i), float(scores[i])) for i in top]
        return fuse(s2, p, ctx["stubs"], ctx["sections"])

    def extra_member(ctx: dict, s2: Signals, p: FusionParams, sims: np.ndarray, w: float) -> list:
        order = fuse(s2, p, ctx["stubs"], ctx["sections"])
        if not english(s2):
            return order
        scores = dict(order)
        top = np.argsort(-sims, kind="stable")[: p.candidates]
        for rank, i in enumerate(top, start=1):
            scores[int(i)] = scores.get(int(i), 0.0) + w / (p.rrf_k + rank)
        return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))

    def lead_member(w: float) -> Variant:
        def run(ctx: dict, s: Signals, qi: int, p: FusionParams) -> list[tuple[int, float]]:
            return extra_member(ctx, base(ctx, s, qi, p), p, ctx["L"] @ ctx["Q"][qi], w)

        return run

    def rocchio_member(k: int, a: float, w: float) -> Variant:
        def run(ctx: dict, s: Signals, qi: int, p: FusionParams) -> list[tuple[int, float]]:
            s2 = base(ctx, s, qi, p)
            if not english(s2):
                return fuse(s2, p, ctx["stubs"], ctx["sections"])
            picked: list[int] = []
            seen: set[str] = set()
            for i, _ in fuse(s2, p, ctx["stubs"], ctx["sections"]):
                if ctx["sections"][i] not in seen:
                    seen.add(ctx["sections"][i])
                    picked.append(i)
                if len(picked) >= k:
                    break
            q = ctx["Q"][qi] + a * ctx["C"][picked].mean(axis=0)
            return extra_member(ctx, s2, p, ctx["C"] @ (q / np.linalg.norm(q)), w)

        return run

    def two_agree(depth: int) -> Variant:
        """BM25 and e5 put the same section first, and dense ranks it within ``depth``
        sections: it goes first (two members of three agreeing)."""

        def run(ctx: dict, s: Signals, qi: int, p: FusionParams) -> list[tuple[int, float]]:
            s2 = base(ctx, s, qi, p)
            order = fuse(s2, p, ctx["stubs"], ctx["sections"])
            if not english(s2) or not s2.multilingual or not s2.bm25_text or not order:
                return order
            sec = ctx["sections"]
            b = sec[s2.bm25(p.heading_weight, 1)[0][0]]
            if b != sec[s2.multilingual[0][0]]:
                return order
            seen: list[str] = []
            for i, _ in s2.dense_ranked(p.window_weight, p.candidates):
                if sec[i] not in seen:
                    seen.append(sec[i])
            if b not in seen[:depth]:
                return order
            top = max(v for _, v in order) + 1.0
            lifted = [(i, v + top if sec[i] == b else v) for i, v in order]
            return sorted(lifted, key=lambda kv: (-kv[1], kv[0]))

        return run

    def pooled_only(key: str, t: float) -> Variant:
        """A chunk's dense score is its windows' pooled similarity alone (max when
        ``t`` is 0, else softmax-weighted mean); chunks without windows keep their own."""

        def run(ctx: dict, s: Signals, qi: int, p: FusionParams) -> list[tuple[int, float]]:
            s2 = base(ctx, s, qi, p)
            where, vecs = ctx[key]
            q = ctx["Q"][qi]
            ws = vecs @ q
            if t:
                e = np.exp((ws - ws.max()) / t)
                num = np.zeros(len(ctx["C"]))
                den = np.zeros(len(ctx["C"]))
                np.add.at(num, where, e * ws)
                np.add.at(den, where, e)
                pooled = np.where(den > 0, num / np.where(den > 0, den, 1), -np.inf)
            else:
                pooled = np.full(len(ctx["C"]), -np.inf)
                np.maximum.at(pooled, where, ws)
            scores = np.where(np.isfinite(pooled), pooled, ctx["C"] @ q)
            top = np.argsort(-scores, kind="stable")[: len(s.dense)]
            s2.dense, s2.windows = [(int(i), float(scores[i])) for i in top], {}
            return fuse(
                s2, p.model_copy(update={"window_weight": 0.0}), ctx["stubs"], ctx["sections"]
            )

        return run

    variants: dict[str, Variant] = {"default": default}
    variants["bm25 alone"] = lambda ctx, s, qi, p: s.bm25(0.0, 100)
    for key, name in (("W", "windows"), ("W1", "sentences")):
        for t in (0.0, 0.02, 0.05):
            variants[f"{name}-only {t}"] = pooled_only(key, t)
    for depth in (2, 3, 5, 100):
        variants[f"two-agree {depth}"] = two_agree(depth)
    variants["lead-max"] = lead_max
    for w in (0.25, 0.5):
        variants[f"lead-member {w}"] = lead_member(w)
    for k, a, w in ((3, 0.25, 0.25), (3, 0.25, 0.5), (3, 0.5, 0.5), (5, 0.5, 0.5)):
        variants[f"rocchio-member {k} {a} {w}"] = rocchio_member(k, a, w)
    for k in (1, 2, 3, 5):
        for a in (0.25, 0.5, 1.0):
            variants[f"rocchio {k} {a}"] = rocchio(k, a)
    for k in (1, 3):
        for a in (0.25, 0.5):
            variants[f"rocchio-dense {k} {a}"] = rocchio(k, a, from_fused=False)
    for k, m, w in (
        (1, 5, 0.3),
        (3, 10, 0.3),
        (3, 10, 0.5),
        (5, 20, 0.2),
        (3, 5, 0.5),
        (1, 10, 0.5),
    ):
        variants[f"rm3 {k} {m} {w}"] = rm3(k, m, w)
    for t in (0.01, 0.03, 0.1):
        variants[f"softmax {t}"] = softmax(t)
    for w in (1.0, 1.5, 2.0):
        variants[f"sentences {w}"] = sentences(w)
    for w in (0.25, 0.5, 1.0):
        variants[f"lead {w}"] = lead(w)
    for b in (0.5, 1.0, 2.0):
        variants[f"gap {b}"] = gap(b)
    wanted = args.only.split(",")
    variants = {k: v for k, v in variants.items() if any(w in k for w in wanted) or k == "default"}

    sentence_end = re.compile(r"(?<=[.!?])\s+|\n+")
    data = []
    for suite in load_suites(args.suites):
        if suite.sealed:
            continue
        tune = [q for q in suite.queries if q.split == "tune"]
        if not tune:
            continue
        r = open_retriever(load_settings(corpus=corpus_dir_for(suite, home)))
        chunks = r.chunks
        emb = r._embedder
        got = r._store._collection.get(ids=[c.id for c in chunks], include=["embeddings"])
        by_id = dict(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32), strict=True))
        ctx: dict = {
            "C": np.stack([by_id[c.id] for c in chunks]),
            "chunks": chunks,
            "stubs": [c.is_stub for c in chunks],
            "sections": [c.section_id for c in chunks],
            "queries": [q.query for q in tune],
            "bm25": r.bm25,
        }
        ctx["W"] = r.window_vectors()
        ctx["Q"] = emb.embed([q.query for q in tune])
        signals = gather(r, tune)
        ctx["dense"] = [
            dense_lists(ctx, q, len(s.dense)) for q, s in zip(ctx["Q"], signals, strict=True)
        ]
        if any("sentences" in k for k in variants):
            t0 = time.perf_counter()
            texts, owners = [], []
            for i, c in enumerate(chunks):
                lead_ = c.heading.split(" > ")[-1].strip()
                for piece in sentence_end.split(c.text):
                    if len(piece.strip()) >= 16:
                        texts.append(f"{lead_}: {piece.strip()}")
                        owners.append(i)
            ctx["W1"] = (np.array(owners, dtype=np.int64), emb.embed(texts))
            print(
                f"{suite.name}: {len(texts)} sentences ({len(ctx['W'][0])} windows,"
                f" {len(chunks)} chunks) embedded in {time.perf_counter() - t0:.1f} s"
            )
        if any("lead" in k for k in variants):
            leads = []
            for c in chunks:
                head = c.question or c.heading.split(" > ")[-1]
                body = [x.strip() for x in sentence_end.split(c.text) if len(x.strip()) >= 16]
                leads.append(f"{head} {body[0] if body else ''}".strip())
            ctx["L"] = emb.embed(leads)
        data.append((suite.name, tune, signals, ctx, r.params))

    print(
        f"{'variant':<26}" + "".join(f"{name[:13]:>22}" for name, *_ in data) + f"{'ALL r1/r5':>14}"
    )
    for label, run in variants.items():
        cells = []
        tot1 = tot5 = n = 0
        for _, tune, signals, ctx, params in data:
            ranks = [
                section_rank(q, ctx["chunks"], run(ctx, s, qi, params), 5)
                for qi, (q, s) in enumerate(zip(tune, signals, strict=True))
            ]
            m = metrics(ranks)
            tot1 += sum(1 for x in ranks if x == 1)
            tot5 += sum(1 for x in ranks if x)
            n += len(ranks)
            cells.append(f"{m['recall@1']:.3f}/{m['recall@5']:.3f}/{m['mrr']:.3f}")
        print(
            f"{label:<26}" + "".join(f"{c:>22}" for c in cells) + f"{tot1:>7}/{tot5:<6}", flush=True
        )


if __name__ == "__main__":
    main()
