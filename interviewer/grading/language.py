"""Language and junk detection: Spanish answers, gibberish, instructions."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from interviewer.errors import ConfigError
from interviewer.text import stem, words

if TYPE_CHECKING:
    from collections.abc import Iterable


# ---- Spanish ----------------------------------------------------------------------------

SPANISH_FUNCTION = frozenset(
    """de la el los las que y en un una es son por para con del al se lo como más pero
    sus su cuando muy sin sobre también porque esto este esta estos estas hay ser está
    están puede pueden donde cual cuál qué cómo entre hasta desde ya o le les nos mi
    tu algo algún alguna hacer hace tiene tienen mismo misma otra otro otros cada
    mejor peor menos mucho muchos poco pocos bien así entonces usar uso""".split()
)
# Common ML vocabulary in Spanish, so that an answer in Spanish still meets the
# (English) notes lexically. MiniLM is English-centric: this is a partial remedy.
SPANISH_PHRASES = {
    "parada temprana": "early stopping", "detención temprana": "early stopping",
    "aumento de datos": "data augmentation", "aumentación de datos": "data augmentation",
    "validación cruzada": "cross-validation", "conjunto de validación": "validation set",
    "conjunto de entrenamiento": "training set", "conjunto de prueba": "test set",
    "descenso del gradiente": "gradient descent", "descenso de gradiente": "gradient descent",
    "tasa de aprendizaje": "learning rate", "bosque aleatorio": "random forest",
    "bosques aleatorios": "random forests", "árbol de decisión": "decision tree",
    "árboles de decisión": "decision trees", "regla de la cadena": "chain rule",
    "función de pérdida": "loss function", "más datos": "more data",
    "red neuronal": "neural network", "redes neuronales": "neural networks",
    "selección de características": "feature selection", "entropía cruzada": "cross-entropy",
    "matriz de confusión": "confusion matrix", "media armónica": "harmonic mean",
    "clase mayoritaria": "majority class", "clase minoritaria": "minority class",
    "clases minoritarias": "minority classes",
    "verdaderos positivos": "true positives", "falsos positivos": "false positives",
    "falsos negativos": "false negatives", "tasa de error": "error rate",
    "capas ocultas": "hidden layers",
}  # fmt: skip
SPANISH_WORDS = {
    "sobreajuste": "overfitting", "sobreajusta": "overfits", "subajuste": "underfitting",
    "sobreentrenamiento": "overfitting", "datos": "data", "dato": "data",
    "entrenamiento": "training", "entrenar": "train", "prueba": "test", "red": "network",
    "redes": "networks", "pesos": "weights", "peso": "weight", "capa": "layer",
    "capas": "layers", "aprendizaje": "learning", "aprender": "learn", "tasa": "rate",
    "sesgo": "bias", "varianza": "variance", "modelo": "model", "modelos": "models",
    "tamaño": "size", "grande": "big", "pequeño": "small", "ruido": "noise",
    "ruidoso": "noisy", "características": "features", "conjunto": "set",
    "pérdida": "loss", "gradiente": "gradient", "gradientes": "gradients",
    "época": "epoch", "épocas": "epochs", "memorizar": "memorize", "memoriza": "memorizes",
    "árbol": "tree", "árboles": "trees", "exactitud": "accuracy", "muestras": "samples",
    "muestra": "sample", "clase": "class", "clases": "classes", "alto": "high",
    "alta": "high", "bajo": "low", "baja": "low", "error": "error", "errores": "errors",
    "ensamble": "ensemble", "ensambles": "ensembles", "poda": "pruning",
    "parámetros": "parameters", "neuronas": "neurons", "derivada": "derivative",
    "cadena": "chain", "umbral": "threshold", "pocos": "few", "demasiado": "too",
    "demasiadas": "too many", "demasiados": "too many", "detener": "stop", "parar": "stop",
    "temprano": "early", "reducir": "reduce", "aumentar": "increase", "añadir": "add",
    "entrena": "trains", "validación": "validation", "generalizar": "generalize",
    "ponderar": "weight", "pondera": "weights", "ponderación": "weighting",
    "sobremuestrear": "oversample", "sobremuestreo": "oversampling",
    "submuestrear": "undersample", "submuestreo": "undersampling",
    "sintéticos": "synthetic", "sintéticas": "synthetic", "sintético": "synthetic",
    "interpolando": "interpolating", "interpolar": "interpolate",
    "minoritaria": "minority", "minoritarias": "minority", "minoritario": "minority",
    "mayoritaria": "majority", "mayoritario": "majority", "exhaustividad": "recall",
    "sensibilidad": "recall", "desbalanceadas": "imbalanced", "desbalanceado": "imbalanced",
    "desbalanceados": "imbalanced", "desbalanceada": "imbalanced", "precisión": "precision",
    "evaluar": "evaluate", "predecir": "predict", "predicción": "prediction",
    "predicciones": "predictions", "métricas": "metrics", "métrica": "metric",
    "pérdidas": "losses", "perdiendo": "losing", "riesgo": "risk", "generar": "generate",
    "etiqueta": "label", "etiquetas": "labels", "aleatorio": "random", "aleatoria": "random",
    "bosque": "forest", "bosques": "forests", "ruidosos": "noisy", "engaña": "misleads",
    "armónica": "harmonic", "anomalías": "anomalies", "anomalía": "anomaly",
    "detección": "detection", "clasificación": "classification",
    "clasificaciones": "classifications", "clasificador": "classifier", "sesgada": "biased",
}  # fmt: skip
_COGNATE_SUFFIXES = [
    ("ción", "tion"), ("ciones", "tions"), ("sión", "sion"), ("dad", "ty"),
    ("mente", "ly"), ("ía", "y"), ("ico", "ic"), ("ica", "ic"), ("ivo", "ive"),
    ("iva", "ive"), ("izar", "ize"), ("ante", "ant"), ("ente", "ent"), ("oso", "ous"),
]  # fmt: skip


def spanish_ratio(text: str) -> float:
    toks = [w.lower() for w in words(text)]
    if not toks:
        return 0.0
    hits = sum(1 for w in toks if w in SPANISH_FUNCTION or w in SPANISH_WORDS)
    accents = sum(1 for w in toks if re.search(r"[áéíóúñ¿¡]", w))
    return min(1.0, (hits + accents) / len(toks))


def looks_spanish(text: str) -> bool:
    return len(words(text)) >= 3 and spanish_ratio(text) >= 0.3


def spanish_to_english(text: str) -> str:
    """Glossary phrases and words, then cognate suffixes ('regularización' ->
    'regularization'). Function words are dropped. Rough, but it lets key terms match."""
    out = text.lower()
    for es, en in sorted(SPANISH_PHRASES.items(), key=lambda kv: -len(kv[0])):
        out = out.replace(es, en)
    result: list[str] = []
    for token in words(out):
        low = token.lower()
        if low in SPANISH_WORDS:
            result.append(SPANISH_WORDS[low])
        elif low in SPANISH_FUNCTION:
            if low in ("no", "sin"):
                result.append("not")
            elif low in ("más",):
                result.append("more")
            elif low in ("menos",):
                result.append("less")
            continue
        else:
            result.append(_strip_accents(_cognate(low)))
    return " ".join(result)


def _cognate(word: str) -> str:
    """'regularización' -> 'regularizatión', 'métricas' -> 'métrics' (accents are
    stripped after): close enough for the English stemmer."""
    for candidate, plural in ((word, ""), (word[:-1], "s")):
        if plural and not (word.endswith("s") and len(word) > 5):
            continue
        for es, en in _COGNATE_SUFFIXES:
            if candidate.endswith(es) and len(candidate) > len(es) + 2:
                return candidate[: -len(es)] + en + plural
    return word


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


# ---- junk and instructions ---------------------------------------------------------------


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """English word list: the whole-word entries of the MiniLM tokenizer vocabulary
    (shipped with the embedder package), used to tell words from gibberish."""
    try:
        from interviewer.embeddings import minilm_paths

        _, tok = minilm_paths()
        vocab = json.loads(tok.read_text(encoding="utf-8"))["model"]["vocab"]
        return frozenset(w for w in vocab if w.isalpha() and not w.startswith("##"))
    except (ConfigError, OSError, KeyError, ValueError):
        return frozenset()


def is_gibberish(text: str, extra_known: Iterable[str] = ()) -> bool:
    """True when most tokens are not words (keyboard mashing, random strings).
    ``extra_known``: more words (lower case) or stems that count as words, e.g. the
    notes' own vocabulary, so a terse answer of real terms from the notes is no junk."""
    toks = [w.lower() for w in words(text) if not w.isdigit()]
    if not toks:
        return not re.search(r"[A-Za-zÀ-ÿ]", text)
    from interviewer.language import ENGLISH, UNKNOWN, detect_language

    if detect_language(text) not in (ENGLISH, UNKNOWN):
        return False  # prose in another language (its stop words), not mashing
    vocab = known_words()
    extra = set(extra_known)
    if not vocab:  # no word list: fall back to a vowel heuristic
        vowelless = sum(1 for w in toks if len(w) > 3 and not re.search(r"[aeiouyáéíóú]", w))
        return vowelless / len(toks) > 0.5
    known = 0
    for w in toks:
        base = w.strip("'")
        if (
            base in vocab
            or base in extra
            or (extra and stem(base) in extra)
            or base in SPANISH_FUNCTION
            or base in SPANISH_WORDS
            or _strip_accents(base) in vocab
            or (len(base) <= 2)
            or any(base.endswith(s) and base[: -len(s)] in vocab for s in ("s", "es", "ed", "ing"))
            or all(p in vocab for p in base.split("-") if p)
        ):
            known += 1
    return known / len(toks) < 0.5


INSTRUCTION_PATTERNS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\b(ignore|disregard|forget|override|bypass|skip)\b[^.\n]{0,60}\b(instructions?|"
        r"rubric|rules|prompt|grader|grading|criteria|key ?points|notes|above|previous)\b",
        r"\b(give|award|assign|grant)\b[^.\n]{0,30}\b(10|ten|full marks|full score|"
        r"maximum|max score|perfect score|top marks|100 ?%|a perfect)",
        r"\b(grade|score|rate|mark)\b\s+(this|it|me|my answer)\b[^.\n]{0,25}"
        r"\b(10|ten|perfect|full|maximum|highest)\b",
        r"\b(system|developer)\s+(prompt|message|instructions?)\b",
        r"\byou\s+(are|must|should|will)\s+(now\s+)?(the\s+)?(grader|an? ai|an? assistant|"
        r"ignore|give|award|output|respond|reply|mark)\b",
        r"\b(new|updated|real)\s+instructions?\b",
        r"\bthis answer (is|deserves)\b[^.\n]{0,20}\b(perfect|10|full|correct|excellent)\b",
    )
]


def is_instruction(text: str) -> bool:
    """Text addressed to the grader rather than an answer to the question."""
    return any(p.search(text) for p in INSTRUCTION_PATTERNS)

def _trim_spanish_tail(text: str) -> str:
    """Cut a trailing Spanish clause off an English sentence ('... donde a es el
    learning rate')."""
    toks = list(re.finditer(r"\S+", text))
    for i, m in enumerate(toks):
        window = [t.group(0).lower().strip(".,;:") for t in toks[i : i + 4]]
        strong = [w for w in window if w in SPANISH_FUNCTION and w not in ("a", "o", "no", "me")]
        if len(window) >= 3 and len(strong) >= 2 and window[0] in SPANISH_FUNCTION:
            return text[: m.start()].rstrip(" ,;:") + ("." if i else "")
    return text
