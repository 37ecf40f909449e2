"""Fit the map from multilingual-e5 cosine to the English model's cosine scale
(interviewer/crosslingual.py: SLOPE, INTERCEPT), so that the grader's thresholds,
set on MiniLM similarities, apply to a claim in another language.

e5 puts a sentence and its translation at nearly the same place, so the map is
fitted on English pairs only (no translations needed): sentences of the bundled
notes and evals/corpora/statistics.md, every pair, least squares of MiniLM cosine
on e5 cosine. It then prints, as a check, e5-mapped similarities of Spanish
sentences to their English counterparts (written here) next to MiniLM's own
similarity of the English paraphrase.

    python benchmarks/fit_crosslingual.py
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
    slope, intercept = np.polyfit(x, y, 1)
    corr = float(np.corrcoef(x, y)[0, 1])
    print(f"{len(texts)} sentences, {len(x)} pairs, correlation {corr:.3f}")
    print(f"SLOPE = {slope:.4f}\nINTERCEPT = {intercept:.4f}")
    print("\ncheck: Spanish vs English (mapped e5)  |  English paraphrase (MiniLM)")
    minilm = MiniLMEmbedder()
    for es, en, para in CHECK:
        pair = get_multilingual_embedder().query([es, en])
        mapped = slope * float(pair[0] @ pair[1]) + intercept
        v = minilm.embed([en, para])
        print(f"  {mapped:.3f}  |  {float(v[0] @ v[1]):.3f}   {en[:50]}")


if __name__ == "__main__":
    main()
