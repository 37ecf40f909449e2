"""Fit the map from multilingual-e5 cosine to the English model's cosine scale
(interviewer/crosslingual.py: E5_KNOTS, MINILM_KNOTS), so that the grader's thresholds,
set on MiniLM similarities, apply to a claim in another language.

e5 puts a sentence and its translation at nearly the same place, so the map is
fitted on English pairs only (no translations needed): sentences of the bundled
notes and evals/corpora/statistics.md, every pair; the map matches quantiles of
the two similarity distributions (piecewise linear between the knots). It then prints, as a check, e5-mapped similarities of Spanish
sentences to their English counterparts (written here) next to MiniLM's own
similarity of the English paraphrase.

    python benchmarks/fit_crosslingual.py

With ``--thresholds`` it fits instead the two credit thresholds of a claim in
another language (interviewer/crosslingual.py: XL_COVERED, XL_PARTIAL) on the Spanish
answers of benchmarks/data/spanish_answers.yaml: each sentence against every point
of its question (positive: the point it was written to make). It reports each
corpus left out of the fit, then the values fitted on all corpora.

    python benchmarks/fit_crosslingual.py --thresholds

With ``--grade`` it grades each Spanish answer of that file whole (its sentences
joined) with the installed thresholds and prints, per corpus, the score and how
many of the points it was written to make were credited.

    python benchmarks/fit_crosslingual.py --grade
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
CHECK = [
    (
        "El sobreajuste ocurre cuando el modelo memoriza los datos de entrenamiento.",
        "Overfitting happens when the model memorises the training data.",
        "Overfitting occurs when a model memorizes its training samples.",
    ),
    (
        "La exhaustividad es la fracción de positivos reales que el modelo encuentra.",
        "Recall is the share of actual positives that the model finds.",
        "Recall measures how many of the true positives the model detects.",
    ),
    (
        "Un bosque aleatorio promedia muchos árboles entrenados con muestras bootstrap.",
        "A random forest averages many trees trained on bootstrap samples.",
        "Random forests combine many decision trees built on resampled data.",
    ),
    (
        "El valor p no es la probabilidad de que la hipótesis nula sea cierta.",
        "The p-value is not the probability that the null hypothesis is true.",
        "A p-value does not tell you how likely the null hypothesis is.",
    ),
    (
        "Un índice acelera las lecturas pero hace más lentas las escrituras.",
        "An index makes reads faster but writes slower.",
        "Indexes speed up queries at the cost of slower inserts and updates.",
    ),
    (
        "La tabla de páginas traduce páginas virtuales a marcos físicos.",
        "The page table translates virtual pages into physical frames.",
        "Virtual pages are mapped to physical frames by the page table.",
    ),
    (
        "Un balanceador de carga reparte las peticiones entre varios servidores.",
        "A load balancer spreads requests across several servers.",
        "Load balancers distribute incoming traffic over many machines.",
    ),
    (
        "El bootstrap remuestrea los datos con reemplazo para estimar la incertidumbre.",
        "The bootstrap resamples the data with replacement to estimate uncertainty.",
        "Bootstrapping draws samples with replacement to gauge the variability of a statistic.",
    ),
]


def sentences(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", " ", path.read_text(encoding="utf-8"), flags=re.S)
    out = []
    for part in re.split(r"(?<=[.!?])\s+|\n\s*\n|\n[-*] ", text):
        part = " ".join(part.split()).strip("#-* ")
        if 6 <= len(part.split()) <= 40 and not part.startswith("http"):
            out.append(part)
    return out


def main() -> None:
    from interviewer.embeddings import MiniLMEmbedder, get_multilingual_embedder
    from interviewer.language import is_english

    texts = [
        s
        for p in (REPO / "corpus" / "notes" / "ml-interview-notes.md",
                  REPO / "evals" / "corpora" / "statistics.md")
        for s in sentences(p)
        if is_english(s)
    ][:220]  # fmt: skip
    mini = MiniLMEmbedder().embed(texts)
    e5 = get_multilingual_embedder().query(texts)
    iu = np.triu_indices(len(texts), k=1)
    x = (e5 @ e5.T)[iu]
    y = (mini @ mini.T)[iu]
    # Quantile matching, not least squares: regression toward the mean would map a
    # translation (e5 ~0.92) to a middling MiniLM value; matching the two
    # distributions keeps "as close as sentences get" at the top of both scales.
    qs = np.array([0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.97, 0.99, 0.997, 0.999, 1.0])
    ex, my = np.quantile(x, qs), np.quantile(y, qs)
    corr = float(np.corrcoef(x, y)[0, 1])
    print(f"{len(texts)} sentences, {len(x)} pairs, correlation {corr:.3f}")
    # The top of the scale is anchored on meaning, not on quantiles: a translation
    # (e5, Spanish vs English) should weigh what an English paraphrase weighs for
    # MiniLM. Medians over the CHECK sentences written here.
    minilm = MiniLMEmbedder()
    e5_model = get_multilingual_embedder()
    trans = [float(np.prod(e5_model.query([es, en]), axis=0).sum()) for es, en, _ in CHECK]
    para = [float(np.prod(minilm.embed([en, p]), axis=0).sum()) for _, en, p in CHECK]
    anchor_x, anchor_y = float(np.median(trans)), float(np.median(para))
    keep = (ex < anchor_x - 0.01) & (my < anchor_y - 0.01)
    ex = np.concatenate([ex[keep], [anchor_x, 1.0]])
    my = np.concatenate([my[keep], [anchor_y, 1.0]])
    print(f"anchor: translation e5 {anchor_x:.3f} -> paraphrase MiniLM {anchor_y:.3f}")
    print("E5_KNOTS =", tuple(round(float(v), 4) for v in ex))
    print("MINILM_KNOTS =", tuple(round(float(v), 4) for v in my))
    print("\ncheck: Spanish vs English (mapped e5)  |  English paraphrase (MiniLM)")
    for es, en, para in CHECK:
        pair = get_multilingual_embedder().query([es, en])
        mapped = float(np.interp(float(pair[0] @ pair[1]), ex, my))
        v = minilm.embed([en, para])
        print(f"  {mapped:.3f}  |  {float(v[0] @ v[1]):.3f}   {en[:50]}")


def _pairs() -> list[tuple[str, float, bool]]:
    """(corpus, mapped similarity, makes the point) for every sentence x point."""
    import yaml

    from interviewer.crosslingual import cross_similarity
    from interviewer.evals import corpus_dir_for
    from interviewer.grading import Grader
    from interviewer.grading.coverage import gradable_points
    from interviewer.settings import load_settings

    data = yaml.safe_load((REPO / "benchmarks" / "data" / "spanish_answers.yaml").read_text())
    settings = load_settings()
    graders: dict[str, Grader] = {}
    out = []
    for case in data:
        corpus = case["corpus"]
        if corpus not in graders:
            st = settings.model_copy(update={"corpus": corpus_dir_for(settings, REPO, corpus)})
            graders[corpus] = Grader.open(st, use_llm=False)
        q = graders[corpus].find_question(case["question"])
        assert q is not None, case["question"]
        kps = gradable_points(q)
        points = [kp.text for kp in kps]
        for sent in case["sentences"]:
            sims = cross_similarity(points, [kp.label for kp in kps], [sent["es"]])[:, 0]
            made = [sent["makes"].lower() in p.lower() for p in points]
            assert any(made), sent["makes"]
            out.extend((Path(corpus).stem, float(s), m) for s, m in zip(sims, made, strict=True))
    return out


def _fit(pairs: list[tuple[str, float, bool]]) -> tuple[float, float]:
    """Covered: the threshold with the best F(0.5) (false credit costs more than a
    missed one); partly: below it, the best F1 of what it adds."""
    sims = np.array([s for _, s, _ in pairs])
    pos = np.array([m for _, _, m in pairs])
    grid = np.round(np.arange(0.40, 0.95, 0.01), 2)

    def f(t: float, lo: float = 2.0, beta: float = 1.0) -> float:
        hit = (sims >= t) & (sims < lo)
        tp, fp = int((hit & pos).sum()), int((hit & ~pos).sum())
        fn = int((pos & (sims < t)).sum())
        if not tp:
            return 0.0
        b2 = beta * beta
        return (1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp)

    covered = float(max(grid, key=lambda t: (f(t, beta=0.5), t)))
    partial = float(max((t for t in grid if t <= covered), key=lambda t: (f(t, covered), t)))
    return covered, partial


def thresholds() -> None:
    pairs = _pairs()
    corpora = sorted({c for c, _, _ in pairs})
    print("held out            covered  partly  credit(pos)  covered(pos)  false credit(neg)")
    for held in corpora:
        cov, part = _fit([p for p in pairs if p[0] != held])
        test = [p for p in pairs if p[0] == held]
        pos = [s for _, s, m in test if m]
        neg = [s for _, s, m in test if not m]
        print(f"  {held:18} {cov:.2f}     {part:.2f}    {np.mean([s >= part for s in pos]):.2f}"
              f"         {np.mean([s >= cov for s in pos]):.2f}          "
              f"{np.mean([s >= part for s in neg]):.2f}  ({len(pos)} pos, {len(neg)} neg)")  # fmt: skip
    cov, part = _fit(pairs)
    print(f"all corpora: XL_COVERED = {cov:.2f}, XL_PARTIAL = {part:.2f}")


def grade() -> None:
    import yaml

    from interviewer.evals import corpus_dir_for
    from interviewer.grading import Grader
    from interviewer.settings import load_settings

    data = yaml.safe_load((REPO / "benchmarks" / "data" / "spanish_answers.yaml").read_text())
    settings = load_settings()
    graders: dict[str, Grader] = {}
    for case in data:
        corpus = case["corpus"]
        if corpus not in graders:
            st = settings.model_copy(update={"corpus": corpus_dir_for(settings, REPO, corpus)})
            graders[corpus] = Grader.open(st, use_llm=False)
        fb = graders[corpus].grade(case["question"], " ".join(x["es"] for x in case["sentences"]))
        credited = [p.text.lower() for p in fb.covered + fb.partial]
        made = sum(any(x["makes"].lower() in t for t in credited) for x in case["sentences"])
        print(f"{Path(corpus).stem:22} {fb.score:4.1f}  {made}/{len(case['sentences'])} points"
              f"  {case['question'][:60]}")  # fmt: skip


if __name__ == "__main__":
    import sys

    if "--thresholds" in sys.argv[1:]:
        thresholds()
    elif "--grade" in sys.argv[1:]:
        grade()
    else:
        main()
