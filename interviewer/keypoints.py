"""The question bank and its key points: which headings of the notes ask something,
and which points of their material an answer should make (in the note's own words,
each with a citation). Also the text analysis the grader shares with it (terms,
sentences, language and junk detection) and the rubric store: key points are cached
with the index and can be exported, edited and imported as YAML.

Pure Python plus the embedder; no model, no Chroma."""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, ValidationError

from interviewer.corpus import TODO_PATTERNS, Document, Section, decode_text, is_stub_text
from interviewer.errors import ConfigError
from interviewer.feedback import Citation

if TYPE_CHECKING:
    import numpy as np

    from interviewer.embeddings import Embedder
    from interviewer.settings import Settings

# Bump when extraction changes: cached key points are then rebuilt.
EXTRACTION_VERSION = 10  # 10: irregular plural stems, even weights for name-only list items
BANK_FILE = "keypoints.json"
EMB_FILE = "keypoints-emb.npy"


class RubricError(ConfigError):
    """A rubric YAML file that cannot be imported."""


# ---- public models ----------------------------------------------------------------------

# What a point is, for asking about it: a method or technique, a step of a procedure, a
# definition, a cause, a property (advantage, drawback ...), a formula, an aside ("See
# also", "e.g."), or any other fact.
PointKind = Literal["definition", "method", "step", "cause", "property", "formula", "aside", "fact"]


class KeyPoint(BaseModel):
    """One point an answer should make, in the note's own words, with its citation."""

    id: str
    text: str
    citation: Citation
    importance: float = Field(default=1.0, description="0-1, relative within the question.")
    terms: list[str] = Field(
        default_factory=list,
        description="Key terms (Snowball stems; 'a b' for a two-word term) that an "
        "answer making this point is expected to use.",
    )
    source_kind: Literal["note", "reference"] = "note"
    doubtful: bool = Field(
        default=False, description="The note hedges here ('I think', '??'): never evidence."
    )
    label: str | None = Field(
        default=None, description="The item's name when it reads 'Name: explanation'."
    )
    subject: str | None = Field(
        default=None,
        description="The noun phrase the point is about ('early stopping', 'the "
        "disadvantage of ridge regression'): how feedback names it.",
    )
    kind: PointKind = "fact"
    context: str | None = Field(
        default=None,
        description="What a leading pronoun refers to ('It will tell us ...' after "
        "'accuracy ...'): its words count as the point's words when matching.",
    )


class Question(BaseModel):
    """A heading of the notes that asks something, with the key points of its material
    (the section and its descendant sections)."""

    id: str
    text: str
    section_id: str
    source: str
    heading: str
    topic: str
    notes_status: Literal["ok", "stub", "none"] = "ok"
    key_points: list[KeyPoint] = Field(default_factory=list)
    citation: Citation
    tags: list[str] = Field(default_factory=list)
    material_sections: list[str] = Field(
        default_factory=list, description="Ids of the section and its descendants."
    )
    overridden: bool = Field(default=False, description="Key points come from a rubric import.")


class Bank(BaseModel):
    """Every question of a corpus with its key points, plus term statistics."""

    version: int = EXTRACTION_VERSION
    corpus_key: str = ""
    questions: list[Question] = Field(default_factory=list)
    idf: dict[str, float] = Field(default_factory=dict)
    default_idf: float = 1.0
    # Non-question sections' key points: the pool free-text questions are graded from.
    loose_points: list[KeyPoint] = Field(default_factory=list)


# ---- words ------------------------------------------------------------------------------

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are aren't as at be
    because been before being below between both but by can cannot could couldn't did
    didn't do does doesn't doing don't down during each etc eg e.g few for from further
    had has have having he her here hers herself him himself his how i ie i.e if in into
    is isn't it it's its itself just let's me more most much my myself no nor not of off
    on once one only or other ought our ours ourselves out over own same she should so
    some such than that that's the their theirs them themselves then there there's these
    they this those through thus to too under until up upon very via was we were what
    when where which while who whom why will with would you your yours yourself
    yourselves may might must shall get gets got like really basically actually kinda
    sort lot lots thing things something way ways well i'm i've i'd we're they're it'll
    many every either neither whether yet still even ever already""".split()
)
# Words that carry no point of their own in an ML answer: they never become key
# terms (IDF would also push most of them down, but small corpora have few docs).
GENERIC = frozenset(
    """use used uses using make makes made making need needs needed help helps helping
    allow allows allowing give gives given good better best bad new different various
    case cases example examples order mean means meaning want say said see seen look
    know known think believe seem seems seemed understand explain explanation describe
    define definition question answer note notes idea try trying called call able
    instead rather quite bit part first second final initial possible usually generally
    typically often always never sometimes important common main general specific
    particular certain simple simply large small big high low other others another
    fundamentally essentially therefore however hence moreover furthermore indeed finally
    additionally similarly alternatively apparently effectively basically ok okay
    take takes taking form forms word words technique techniques approach approaches""".split()
)
NEGATIONS = frozenset(
    "not no never cannot can't don't doesn't isn't aren't won't wouldn't shouldn't "
    "didn't hasn't haven't without neither nor none".split()
)
ANTONYMS: dict[str, str] = {}
for _a, _b in [
    ("high", "low"), ("higher", "lower"), ("increase", "decrease"), ("increases", "decreases"),
    ("increasing", "decreasing"), ("more", "less"), ("larger", "smaller"), ("large", "small"),
    ("bigger", "smaller"), ("overfitting", "underfitting"), ("overfit", "underfit"),
    ("reduce", "increase"), ("reduces", "increases"), ("faster", "slower"), ("before", "after"),
    ("maximize", "minimize"), ("maximum", "minimum"), ("positive", "negative"),
    ("improve", "worsen"), ("improves", "worsens"), ("supervised", "unsupervised"),
    ("forward", "backward"), ("forwards", "backwards"), ("sequential", "parallel"),
    ("sequentially", "parallel"), ("shallow", "deep"), ("objective", "subjective"),
    ("reduce", "raise"), ("deeper", "shallower"), ("speed", "slow"), ("speeds", "slows"),
    ("input", "output"), ("many", "few"), ("encourage", "discourage"),
    ("encourages", "discourages"), ("encouraging", "discouraging"),
]:  # fmt: skip
    ANTONYMS.setdefault(_a, _b)
    ANTONYMS.setdefault(_b, _a)


def _antonym_stems() -> dict[str, set[str]]:
    import Stemmer

    st = Stemmer.Stemmer("english")
    out: dict[str, set[str]] = {}
    for a, b in ANTONYMS.items():
        out.setdefault(st.stemWord(a), set()).add(st.stemWord(b))
    return out


WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ0-9'’]*(?:-[A-Za-zÀ-ÿ0-9]+)*|\d+(?:\.\d+)?")
ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{1,6}s?$")

_stemmer: Any = None


def stem_words(words: Sequence[str]) -> list[str]:
    return [stem(w) for w in words]


# Irregular plurals the Snowball stemmer leaves apart from their singular ('leaves' ->
# 'leav', 'leaf' -> 'leaf'; 'matrices' -> 'matric', 'matrix' -> 'matrix').
_IRREGULAR = {
    "leaves": "leaf", "halves": "half", "indices": "index", "vertices": "vertex",
    "matrices": "matrix", "analyses": "analysis", "hypotheses": "hypothesis",
    "criteria": "criterion", "children": "child",
}  # fmt: skip


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    global _stemmer
    if _stemmer is None:
        import Stemmer

        _stemmer = Stemmer.Stemmer("english")
    return str(_stemmer.stemWord(_IRREGULAR.get(word, word)))


def words(text: str) -> list[str]:
    return [w.replace("’", "'") for w in WORD.findall(text)]


def _content(word: str) -> bool:
    low = word.lower()
    return (
        low not in STOPWORDS
        and low not in GENERIC
        and (len(low) > 1 or word.isupper())
        and not low.isdigit()
    )


@dataclass
class Terms:
    """The terms of a text: content-word stems, adjacent two-word stems, acronyms."""

    unigrams: list[str] = field(default_factory=list)
    bigrams: list[str] = field(default_factory=list)
    surface: dict[str, str] = field(default_factory=dict)  # stem -> first word seen

    @property
    def all(self) -> set[str]:
        return set(self.unigrams) | set(self.bigrams)


def text_terms(text: str, canon: dict[str, str] | None = None) -> Terms:
    """Stemmed terms. Hyphenated words count as their parts and as a two-word term
    ('cross-validation' -> 'cross', 'valid', 'cross valid'); a stop word breaks the
    adjacency of two-word terms. ``canon`` maps a stem to the spelling to use (see
    ``close_stems``)."""
    out = Terms()
    run: list[str] = []
    for token in words(text):
        parts = [p for p in token.split("-") if p]
        if not _content(token) and not any(_content(p) for p in parts):
            run = []
            continue
        for part in parts:
            if not _content(part):
                continue
            st = stem(part.lower().strip("'"))
            if canon:
                st = canon.get(st, st)
            out.unigrams.append(st)
            out.surface.setdefault(st, part)
            if run and run[-1] != st:
                out.bigrams.append(f"{run[-1]} {st}")
            run.append(st)
    return out


def stem_set(text: str) -> set[str]:
    return text_terms(text).all


def _close(a: str, b: str) -> bool:
    """Two stems that are one spelling apart: 'prun'/'prune' (the note's typo),
    'regularis'/'regular' (British spelling). Conservative: the shorter stem must be a
    prefix of the other up to its last letter, and 'class' is not 'classif'."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) < 4:
        return False
    n = 0
    for x, y in zip(short, long_, strict=False):
        if x != y:
            break
        n += 1
    diff = len(long_) - len(short)
    return n >= len(short) - 1 and (diff <= 1 or (diff <= 2 and len(short) >= 6))


def stem_index(vocabulary: Iterable[str]) -> dict[str, list[str]]:
    """The vocabulary's stems by their first four letters (see ``close_stems``)."""
    by_prefix: dict[str, list[str]] = {}
    for v in vocabulary:
        if " " not in v and len(v) >= 4:
            by_prefix.setdefault(v[:4], []).append(v)
    return by_prefix


def close_stems(
    stems: Iterable[str], vocabulary: Iterable[str] | dict[str, list[str]]
) -> dict[str, str]:
    """For stems of an answer, the vocabulary (key-term) stem each is a variant of.
    ``vocabulary`` may be given as a ``stem_index`` (built once for many answers)."""
    by_prefix = vocabulary if isinstance(vocabulary, dict) else stem_index(vocabulary)
    out: dict[str, str] = {}
    for s in stems:
        if len(s) < 4:
            continue
        for v in by_prefix.get(s[:4], ()):
            if v != s and _close(s, v):
                out[s] = v
                break
    return out


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


# ---- sentences and cleaning --------------------------------------------------------------

_ABBREV = re.compile(r"\b(e\.g|i\.e|etc|vs|cf|approx|fig|eq|al|resp|incl|Dr|Mr|Ms)\.", re.I)
_SENT_END = re.compile(r"(?<=[.!?])[\"”')\]]*\s+(?=[\"“(\[]?[A-Z0-9¿¡])")
MD_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))+\)")
BARE_URL = re.compile(r"<?\bhttps?://[^\s)>\]]+>?|\bwww\.[^\s)>\]]+")
FROM_PREFIX = re.compile(r"^\s*(?:from|source|see also|see|via|ref)\s*:?\s*(?=$|[\"“(]|\s)", re.I)
# Sentences that point at a source instead of saying something.
POINTER = re.compile(
    r"^(?:there'?s|here'?s|this is)\s+(?:a|an)\b.*\b(explanation|article|video|link|post|"
    r"page|resource)s?\b|\b(see|check|read)\s+(also|here|this|that|the article|my notes|"
    r"the formula|the link)\b|\b(that|this|the) (article|link|video|page|post|blog) "
    r"(above|below|here)\b|^\s*(see also|more here|source)\b|\bin (here|this link)\s*:?\s*$",
    re.I,
)
STRONG_DOUBT = re.compile(
    r"\?\?|\bI (think|believe|guess|suppose|assume|am not sure|'m not sure|don't know|"
    r"do not know)\b|\bnot sure\b|\bno idea\b|\b(maybe|perhaps)\b|\([^)]{0,40}\?\)|"
    r"\bas I understand\b",
    re.I,
)
MILD_DOUBT = re.compile(
    r"\bseems? (to|like)\b|\bkinda\b|\bkind of\b|\bprobably\b|"
    r"\bI've read\b|\bI have read\b|\bapparently\b|\bsupposedly\b",
    re.I,
)
DEFINITIONAL = re.compile(
    r"\b(is|are) (a|an|the|when|where|how|what)\b|\b(occurs?|happens?) when\b|"
    r"\brefers? to\b|\bmeans\b|\bconsists? of\b|\bis defined\b|\bstates? that\b|"
    r"\bcomputes?\b|\b(measures?|represents?)\b|=",
    re.I,
)
LABEL = re.compile(r"^([^:.;!?]{2,60}?)\s*[:=–—]\s+(\S.*)$")
NAME_DOT = re.compile(r"^([A-Z][A-Za-z0-9-]{1,30})\.\s+\S")
LIST_ITEM = re.compile(r"^(\s*)(?:[-*+•◦▪‣]|\d{1,2}[.)])\s+(.*)$")
FENCE = re.compile(r"^\s*(```|~~~)")


def split_sentences(text: str) -> list[str]:
    """Sentence split that survives 'e.g.' and 'i.e.'."""
    protected = _ABBREV.sub(lambda m: m.group(0).replace(".", "\x00"), text)
    parts = _SENT_END.split(protected)
    return [p.replace("\x00", ".").strip() for p in parts if p.strip()]


# "[[src]](url)", "[[src](url)]", "[[Answer]](url)": source markers, not prose; "[5]":
# a reference number copied from a wiki page.
SOURCE_MARKER = re.compile(
    r"\[\[[^\]]{0,30}\]\]\([^)\s]*\)|\[\[[^\]]{0,30}\]\([^)\s]*\)\]|\[\[[^\]]{0,30}\]\]|(?<=[\w)])\[\d{1,3}\]"
)


def clean_markdown(text: str) -> str:
    """Markdown to plain prose: links to their text, URLs, source markers and emphasis
    removed."""
    text = SOURCE_MARKER.sub("", text)
    text = MD_LINK.sub(lambda m: m.group(1), text)
    text = BARE_URL.sub("", text)
    text = text.replace("\\*", "*").replace("\\_", "_")
    text = re.sub(r"(\*\*|__|`)", "", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = FROM_PREFIX.sub("", text)
    text = re.sub(r"\s+([,.;:])", r"\1", text)
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip(" ,;-–—").strip()


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


def content_word_count(text: str) -> int:
    return sum(1 for w in words(text) if _content(w))


@dataclass
class Unit:
    """A candidate key point before cleaning: one list item or one sentence."""

    text: str
    line_start: int
    line_end: int
    section: Section
    is_list: bool = False
    depth: int = 0
    position: float = 0.0
    paragraph: int = -1  # sentences of one paragraph share it; list items have -1


def material_units(lines: list[str], sections: list[Section]) -> list[Unit]:
    """List items (with their continuation lines) and paragraph sentences of the given
    sections, each with its 1-based line range."""
    units: list[Unit] = []
    for sec in sections:
        first = sec.line_start + (1 if sec.level > 0 else 0)
        body = [(n, lines[n - 1]) for n in range(first, sec.line_end + 1) if n - 1 < len(lines)]
        in_fence = False
        para: list[tuple[int, str]] = []
        item: list[tuple[int, str]] | None = None
        item_indent = 0
        item_depth = 0
        indents: list[int] = []

        def flush_para(sec: Section = sec) -> None:
            nonlocal para
            if para:
                units.extend(_sentences_of(para, sec))
            para = []

        def flush_item(sec: Section = sec) -> None:
            nonlocal item
            if item:
                text = " ".join(t.strip() for _, t in item)
                units.append(Unit(text, item[0][0], item[-1][0], sec, True, item_depth))  # noqa: B023 - the open item's depth
            item = None

        for n, raw in body:
            if FENCE.match(raw):
                flush_para()
                flush_item()
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            if not raw.strip():
                flush_para()
                flush_item()
                continue
            m = LIST_ITEM.match(raw.replace("\t", "    "))
            if m:
                flush_para()
                flush_item()
                indent = len(m.group(1))
                while indents and indents[-1] > indent:
                    indents.pop()
                if not indents or indents[-1] < indent:
                    indents.append(indent)
                item_depth = len(indents) - 1
                item_indent = indent
                item = [(n, m.group(2))]
                continue
            expanded = raw.replace("\t", "    ")
            lead = len(expanded) - len(expanded.lstrip())
            if item is not None and lead > item_indent:
                item.append((n, raw))  # continuation line of the item
                continue
            flush_item()
            para.append((n, raw))
            indents.clear()
        flush_para()
        flush_item()
    total = max(1, len(units) - 1)
    for i, u in enumerate(units):
        u.position = i / total
    return units


def _sentences_of(para: list[tuple[int, str]], sec: Section) -> list[Unit]:
    joined = ""
    starts: list[tuple[int, int]] = []  # (char offset, line number)
    for n, raw in para:
        if joined:
            # Notes often use a bare line break as a separator ("Low variance, high
            # bias: Underfitting" / "High variance, ..."): make it a sentence end.
            if not re.search(r"[.!?:;,(\-–—]$", joined) and raw.strip()[:1].isupper():
                joined += "."
            joined += " "
        starts.append((len(joined), n))
        joined += raw.strip()
    out: list[Unit] = []
    offset = 0
    for sent in split_sentences(joined):
        at = joined.find(sent[:20], offset)
        at = at if at >= 0 else offset
        end = at + len(sent)
        offset = end
        first = max((ln for off, ln in starts if off <= at), default=para[0][0])
        last = max((ln for off, ln in starts if off < end), default=first)
        out.append(Unit(sent, first, last, sec, paragraph=para[0][0]))
    return out


_CONDITIONAL = re.compile(r"\b(would|might|could)\b", re.I)
_CONTRAST = re.compile(r"^\s*(however|but|on the other hand|in contrast|instead)\b", re.I)


_PRONOUN_LEAD = re.compile(
    r"^(?:(?:but|and|so|also|thus|hence),?\s+)?(?:it|this|that|they|these|those)\b"
    r"(?!\s+(?:is|was)\s+(?:not\s+)?(?:the\s+same|possible|important|necessary|easy|hard)\b)",
    re.I,
)


def _paragraph_scope(cands: list[Candidate]) -> list[Candidate]:
    """What a sentence means depends on the sentences before it in its paragraph:

    - a hedge scopes over what elaborates it: after "precission, which, as I
      understand it, is how sure the model was", the paragraph's next sentences are
      weighed down, and those about the same thing ("So ... precission would be the
      certainty ...") are doubtful too, until the paragraph turns ("However");
    - a leading pronoun ("It will tell us how many times the model was correct")
      refers to the previous sentence's subject ("accuracy"): kept as its context."""
    hedged: set[str] | None = None
    para_of_hedge = -2
    last_subject: str | None = None
    last_para = -2
    for c in cands:
        para = c.unit.paragraph
        if para != last_para:
            last_subject = None
        last_para = para
        if para < 0 or para != para_of_hedge or _CONTRAST.match(c.text):
            hedged = None
        doubt = bool(STRONG_DOUBT.search(c.text) or MILD_DOUBT.search(c.text))
        if hedged is not None and not doubt and "=" not in c.text:
            # (A formula is stated, not hedged: "F1 = 2PR / (P + R)" after "(??)".)
            c.importance *= 0.6
            stems = set(text_terms(c.text).unigrams)
            if _CONDITIONAL.search(c.text) or len(stems & hedged) >= 1:
                c.doubtful = True
        if para >= 0 and doubt:
            hedged = set(text_terms(c.text).unigrams)
            para_of_hedge = para
        if para >= 0 and _PRONOUN_LEAD.match(c.text) and not c.label:
            c.context = last_subject
        subject, _ = name_point(c.text, c.label)
        if subject and not _PRONOUN_LEAD.match(c.text):
            last_subject = bare_subject(subject)
    return cands


# ---- compound points ------------------------------------------------------------------------
#
# "A decision tree is a structure in which each internal node represents a test, each
# branch represents the outcome, and each leaf node represents a class label": three
# claims in one sentence. As one point, an answer that makes all of them could only be
# judged on the whole sentence; the grader also judges each clause and credits the
# share of clauses made (the point stays one point: one citation, one missed entry).

_CLAUSE_CUT = re.compile(r"(?:,|;)\s+(?:and\s+|or\s+)?")
# Clause words that may precede the verb: "each internal node", "the validation set".
_CLAUSE_LEAD = re.compile(r"^(?:each|every|the|a|an|its|their|all|some|one)\b", re.I)
MIN_PARALLEL = 3  # clauses; two ("X does A, Y does B") are often a contrast, kept whole


def _top_level_parts(text: str) -> list[str]:
    """The text cut at commas and semicolons outside brackets and quotes."""
    parts: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in ",;":
            m = _CLAUSE_CUT.match(text, i)
            if m:
                parts.append(text[start:i])
                start = i = m.end()
                continue
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _clause_verb(part: str, max_lead: int = 4) -> tuple[str, str] | None:
    """(lead word, verb) of a part that reads "<each|the ...> <1-4 words> <verb> ...",
    if it does."""
    toks = [t.lower().strip("\"“”") for t in part.split()]
    if len(toks) < 3 or not _CLAUSE_LEAD.match(toks[0]):
        return None
    for j in range(1, min(len(toks) - 1, max_lead + 1)):
        t = toks[j]
        if t in _VERBS_S or t in ("is", "are") or (
            re.fullmatch(r"[a-z]{3,}s", t) and not re.search(r"(ss|us|is|ics)$", t)
            and toks[0] in ("each", "every") and j >= 2
        ):
            return toks[0], t
    return None


def parallel_clauses(text: str) -> list[str] | None:
    """The clauses of a sentence that enumerates parallel claims (", each X represents
    Y, each Z considers W": one verb, or "each"/"every" and a verb), the first with the
    sentence's head; None when it does not."""
    parts = _top_level_parts(text.rstrip(" ."))
    if len(parts) < MIN_PARALLEL:
        return None
    found = [_clause_verb(p) for p in parts]
    last = len(parts) - 1
    tail = found[last]
    if tail is None:
        return None
    lead, verb = tail

    def parallel(x: tuple[str, str] | None) -> bool:
        return x is not None and (x[1] == verb or x[0] == lead in ("each", "every"))

    # The run of parallel clauses ends the sentence.
    first = last
    while first - 1 >= 1 and parallel(found[first - 1]):
        first -= 1
    head = ", ".join(parts[:first])
    # The head holds the first clause ("... in which each internal node represents
    # ...").
    key = lead if lead in ("each", "every") else verb
    if not re.search(rf"\b{re.escape(key)}\b", head, re.I):
        return None
    clauses = [head] + parts[first:]
    if len(clauses) < MIN_PARALLEL or any(content_word_count(c) < 2 for c in clauses):
        return None
    out = []
    for c in clauses:
        c = c.strip(" ,;")
        out.append(c[:1].upper() + c[1:] + ("" if c.endswith((".", "!", "?")) else "."))
    return out


@dataclass
class Candidate:
    text: str
    unit: Unit
    importance: float
    doubtful: bool
    label: str | None
    quoted: bool
    aside: bool = False
    context: str | None = None


def clean_unit(unit: Unit) -> list[Candidate]:
    """The unit as key points: none when it is not one (a URL, a 'From:' line, a
    reminder, Spanish, a pointer to a source, a fragment). A list item whose later
    sentences hedge ("... I believe it actually increases it!") gives its firm part
    and its hedged part as two points, so that the doubt does not sink the point."""
    raw = unit.text.strip()
    if TODO_PATTERNS.match(raw):
        return []
    aside = is_aside(raw)
    text = clean_markdown(raw)
    if not text or TODO_PATTERNS.match(text):
        return []
    sents = split_sentences(text)
    cut = next(
        (
            i
            for i, x in enumerate(sents)
            if i > 0 and (STRONG_DOUBT.search(x) or MILD_DOUBT.search(x))
        ),
        None,
    )
    if unit.is_list and cut is not None and not STRONG_DOUBT.search(" ".join(sents[:cut])):
        firm = _clean_text(" ".join(sents[:cut]), unit, aside=aside)
        hedged = _clean_text(" ".join(sents[cut:]), unit, part=True, aside=aside)
        return [c for c in (firm, hedged) if c is not None]
    one = _clean_text(text, unit, aside=aside)
    return [one] if one is not None else []


def _clean_text(text: str, unit: Unit, part: bool = False, aside: bool = False) -> Candidate | None:
    if looks_spanish(text):
        return None
    text = _trim_spanish_tail(text)
    if not text:
        return None
    if POINTER.search(text):
        return None
    quoted = bool(re.match(r"^[\"“]", text)) or (
        text.count('"') + text.count("“") >= 2 and len(text) > 80
    )
    text = text.strip('"“” ')
    n_content = content_word_count(text)
    if unit.is_list and n_content >= 2 and not text.endswith(":"):
        pass  # "Ridge (L2 norm)", "Multidimensional Scaling": a short item names a point
    elif n_content < 3:
        return None
    elif n_content < 4 and not LABEL.match(text) and not DEFINITIONAL.search(text):
        return None  # "The variance / bias trade-off.": a title, not a claim
    if text.endswith(":") and content_word_count(text) < 6:
        return None  # "Possible solutions:" introduces a list; it says nothing itself
    if META.search(text):
        return None  # about the notes, not the subject: nothing an answer should say
    label: str | None = None
    m = LABEL.match(text)
    if not part and m and 1 <= len(m.group(1).split()) <= 6 and content_word_count(m.group(1)) >= 1:
        label = m.group(1).strip().rstrip(":").strip()
    elif not part and (n := NAME_DOT.match(text)):
        label = n.group(1)  # "AdaGrad. Useful for sparse data ...": a name, then its notes
    strong = bool(STRONG_DOUBT.search(text))
    mild = bool(MILD_DOUBT.search(text))
    importance = 1.0
    if unit.is_list and not part:
        importance += 0.3
    if label:
        importance += 0.2
    if DEFINITIONAL.search(text[:120]):
        importance += 0.25
    heading = unit.section.heading_path[-1].lower() if unit.section.heading_path else ""
    if re.search(r"\b(final|summary|tl;?dr|key points?|in short|conclusion)\b", heading):
        importance += 0.2
    elif re.search(r"\b(initial|first attempt|draft|old|before)\b", heading):
        importance -= 0.15
    # Notes are often written in the order things were learnt, not by importance: the
    # position counts a little.
    importance += 0.08 * (1.0 - unit.position)
    n_words = len(text.split())
    if n_words > 60 or n_words < 6:
        importance *= 0.85
    if quoted:
        importance *= 0.9
    if aside:
        importance *= 0.5  # "See also: ...", "e.g. ...", a parenthetical
    elif REMARK.search(text):
        importance *= 0.6  # "I could keep going, but ...", "This idea is very straightforward"
    if strong:
        importance *= 0.5
    elif mild:
        importance *= 0.75
    if strong:
        # Trim the "I think," lead-in so the point reads as the note's claim.
        text = re.sub(r"^(?:so,?\s*)?I (?:think|believe|guess),?\s*", "", text, flags=re.I)
        text = text[:1].upper() + text[1:]
    return Candidate(text, unit, importance, strong, label, quoted, aside)


# ---- naming a point -----------------------------------------------------------------------
#
# Follow-up questions and the "most important missing" summary name a point by its
# subject (the noun phrase it is about: "early stopping", "the disadvantage of ridge
# regression"), never by a fragment of its explanation, and ask about it according to
# its kind (a method, a definition, a cause ...) without giving the answer away.

# Words that end a subject: auxiliaries, modals and common verbs in the third person.
_AUX = frozenset(
    "is are was were be been being has have had can could may might will would should "
    "must does do did isn't aren't can't won't doesn't don't".split()
)
_VERBS_S = frozenset(
    """means refers consists states occurs happens arises computes measures represents
    creates follows helps reduces increases decreases uses tends allows leads causes
    depends requires works gives makes takes returns counts includes performs encourages
    discourages shrinks trains builds combines averages adds applies produces generates
    provides keeps stabilizes prevents avoids improves estimates approximates replaces
    learns finds selects splits maps assigns penalizes forces controls affects describes
    determines converges updates balances aggregates introduces stores picks tells needs
    captures projects identifies separates minimizes maximizes yields results comes
    exhibits relates deals denotes defines involves contains handles lets enables aids
    focuses aims tries seems appears becomes remains acts serves tend""".split()
)
# Verbs that make "S <verb> ..." a definition of S.
_DEF_VERBS_K = frozenset(
    "is are means refers consists states occurs happens represents denotes defines "
    "measures computes".split()
)
_SUBJECT_PRONOUNS = frozenset(
    "it this that they these those we i you one there which what how who he she its "
    "it's here us them me him her our their your my we've i've you've i'm we're "
    "you're they're there's".split()
)
_SUBORDINATORS = frozenset(
    "while if when although though because as since whereas unless until whether".split()
)
_PREPOSITIONS = frozenset(
    "like to of in on at for with as about under from by into over than between".split()
)
_EVALUATIVE = frozenset(
    "obvious main key major biggest big real actual basic classic typical usual common "
    "most very simple important general overall clear primary".split()
)
_DETERMINERS = frozenset({"the", "a", "an"})
# "a result of X", "a couple of X": the phrase is about X.
_HOLLOW_HEADS = frozenset(
    "result way ways form forms example examples kind kinds type types sort part idea "
    "case couple lot lots number set".split()
)
_LEAD_WORDS = (
    r"so|also|thus|hence|then|therefore|however|now|ok|okay|well|finally|first|second|"
    r"generally speaking|generally|basically|essentially|fundamentally|in short|"
    r"in practice|in this sense|in other words|in general|similarly|alternatively|"
    r"additionally|moreover|furthermore|instead|again|of course|apparently|indeed"
)
# Discourse lead-ins and leading conditions: not part of what the sentence is about.
_LEAD_IN = re.compile(
    rf"^(?:(?:(?:{_LEAD_WORDS})\b\s*,?|(?:in (?:the|a|this|that) [^,]{{1,40}}|for [^,]{{1,40}}|"
    r"if [^,]{1,60}|when [^,]{1,60}|as [^,]{1,40}|to [^,]{1,60}|while [^,]{1,60}|"
    r"although [^,]{1,60}|assuming [^,]{1,60}|according to [^,]{1,40}|"
    r"acording to [^,]{1,40})\s*,)\s*)+",
    re.I,
)
_PROPERTY_WORDS = re.compile(
    r"^(advantages?|disadvantages?|drawbacks?|limitations?|benefits?|costs?|downsides?|"
    r"problems?|issues?|trade-?offs?|pros|cons|strengths?|weakness(?:es)?|risks?|"
    r"upsides?|caveats?)$",
    re.I,
)
_GENERIC_LABEL = re.compile(
    r"^(?:(?:possible|main|other|some|the|my|a|few)\s+)*(?:problems?|issues?|solutions?|"
    r"notes?|examples?|ideas?|answer|summary|reasons?|pros|cons|cons and pros|"
    r"pros and cons|caveats?|remarks?|tl;?dr|in short|conclusion|definition)$",
    re.I,
)
_CAUSE_SUBJECT = re.compile(
    r"^(?:too\s+(?:many|much|few|little|big|large|small|long|complex|deep)|not enough|"
    r"lack of|small|noisy|little|insufficient|excessive|overly)\b",
    re.I,
)
_CAUSE_VERB = frozenset("causes leads results aggravates".split())
_METHOD_VERB = frozenset(
    """creates follows trains builds combines averages adds uses helps reduces prevents
    applies avoids improves replaces encourages discourages penalizes forces keeps
    stabilizes introduces updates shrinks aids""".split()
)
# Verbs that open a step of a procedure ("Calculate Information Gain: ..."). Words
# that are as often nouns ("weight decay", "split", "stop", "use") are left out.
STEP_VERBS = frozenset(
    """calculate compute select choose repeat add remove apply normalize normalise
    evaluate detect build create collect estimate sort initialize initialise""".split()
)
# "A metric to train the network: ...": the point names a role, "which X for Y?".
_CHOICE_LABEL = re.compile(r"^(?:a|an|the)\s+(\w+(?:[\s-]\w+)?)\s+(to|for)\s+(\S.*)$", re.I)
_MATHY = re.compile(r"[/*+^]|\d|\w\(")
_FORMULA_NAME = re.compile(r"([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)\s*=\s*\S")
_NP_STOP = frozenset(
    """that which who whom whose when where while because so if as than since though
    although whether to by with from into through via without until unless but and or
    nor is are was were be been has have had can could may might will would should must
    does do did like""".split()
)
_ASIDE_LEAD = re.compile(
    r"^\s*(?:see also\b|see\b|cf\.?\s|e\.\s?g\.|for example\b|for instance\b|"
    r"an example\b|example:|(?:note|side note|fun fact|btw|by the way)\s*:)",
    re.I,
)
# A note-taker's remark about the notes, not a point about the subject.
REMARK = re.compile(
    r"^\s*(?:ok|okay|well|anyway)\b|\bI could (?:keep going|go on)\b|\bwe'?ve all heard\b|"
    r"\b(?:is|was) (?:very |pretty |quite )?(?:straightforward|intuitive|easy|clear)\b|"
    r"\bongoing research\b|\bnot (?:yet )?fully understood\b|\b(?:I have it|my notes)\b|"
    r"\bthis is (?:very|pretty) strict\b|\bthe most clear I'?ve seen\b",
    re.I,
)


# A remark about the notes or the writing, never about the subject: "I could keep
# going, but <link> already has a complete table", "more on this later".
META = re.compile(
    r"\bI could (?:keep going|go on)\b|"
    r"\b(?:already )?(?:has|have|gives?) an? (?:very |really |pretty )?(?:complete|good|great|"
    r"nice|full|thorough|detailed) (?:table|list|summary|overview|explanation|write-?up)\b|"
    r"\b(?:more|details) on (?:this|that) later\b|\bI(?:'ll| will) (?:add|write|fill)\b",
    re.I,
)


# "A technique that discourages ...": a definition whose subject is the question's.
_IMPLIED_DEFINITION = re.compile(
    r"^(?:a|an|the)\s+(?:[\w-]+\s+){0,2}(?:technique|method|way|process|measure|algorithm|"
    r"model|function|metric|approach|procedure|tool|family|type|kind|class)\s+"
    r"(?:that|which|to|for|of|used|where|in which)\b",
    re.I,
)


# "(e.g. whether a coin flip comes up heads or tails)": an illustration, not the point.
EXAMPLE_ASIDE = re.compile(r"\((?:e\.\s?g\.|for example|for instance|like|such as)[^()]*\)", re.I)


def is_aside(raw: str) -> bool:
    """A "See also:", "e.g." or wholly parenthetical note: an aside, not a main point."""
    text = raw.strip().lstrip("-*+•◦▪‣ ").strip()
    if _ASIDE_LEAD.match(text):
        return True
    return text.startswith("(") and text.rstrip(" .").endswith(")")


def _np_words(tokens: list[str]) -> list[str]:
    """Clean a noun phrase: no evaluative adjectives ('obvious'), hollow heads ('a
    result of'), long parentheticals or trailing punctuation; the determiner stays
    (``bare_subject`` drops it)."""
    out: list[str] = []
    paren: list[str] = []
    for tok in tokens:
        if tok.startswith("(") or paren:
            paren.append(tok)
            if tok.rstrip(",;:.").endswith(")"):
                # Keep a one-word parenthetical such as an acronym: "Jaccard index (IoU)".
                if len(paren) == 1 and len(paren[0]) <= 9:
                    out.append(paren[0])
                paren = []
            continue
        out.append(tok)
    words_ = [w for w in out if w.strip(",;:.")]
    if words_:
        words_[-1] = words_[-1].rstrip(",;:.")
    # "a result of X" -> "X"
    for i in range(min(3, len(words_) - 2)):
        if words_[i].lower() in _HOLLOW_HEADS and words_[i + 1].lower() == "of":
            words_ = words_[i + 2 :]
            break
    while len(words_) > 1 and words_[0].lower() in _EVALUATIVE:
        words_ = words_[1:]
    if len(words_) > 2 and words_[0].lower() in _DETERMINERS:
        while len(words_) > 2 and words_[1].lower() in _EVALUATIVE:
            words_.pop(1)
    # "Ensemble learning typically" -> "Ensemble learning"; "Both LDA and PCA" -> "LDA and PCA"
    while (
        len(words_) > 1
        and words_[-1].islower()
        and (words_[-1].endswith("ly") or words_[-1] in ("also", "then", "too", "still", "just"))
    ):
        words_.pop()
    if len(words_) > 1 and words_[0].lower() in ("both", "either", "all"):
        words_ = words_[1:]
    return words_


def _verb_position(tokens: list[str]) -> int | None:
    for i, tok in enumerate(tokens[:9]):
        low = tok.lower().strip(",;:").replace("’", "'")
        if low in _AUX or low in _VERBS_S:
            return i
    # An unlisted verb: "-s" word right after the subject, before a determiner or a
    # preposition ("Ensembling random trees aids with ...").
    for i, tok in enumerate(tokens[1:6], start=1):
        low = tok.lower()
        nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
        if (
            re.fullmatch(r"[a-z]{3,}s", low)
            and not re.search(r"(ss|us|is)$", low)
            and (nxt in _DETERMINERS or nxt in ("with", "to", "on", "from", "its", "their"))
        ):
            return i
    return None


def _gerund(verb: str) -> str:
    v = verb.lower()
    if v.endswith("ie"):
        return v[:-2] + "ying"
    if v.endswith("e") and not v.endswith("ee") and len(v) > 2:
        return v[:-1] + "ing"
    if re.fullmatch(r"[^aeiou]*[aeiou][bdgmnprt]", v) and len(v) <= 4:
        return v + v[-1] + "ing"
    return v + "ing"


def _pronoun_action(tokens: list[str]) -> list[str] | None:
    """'you can weight the loss differently ...' -> ['weighting', 'the', 'loss']: what
    a "you/one/we can ..." sentence proposes, as a gerund phrase."""
    if len(tokens) < 3 or tokens[0].lower() not in ("you", "one", "we"):
        return None
    i = 1
    while i < len(tokens):
        low = tokens[i].lower()
        nxt = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
        if low in (
            "can", "could", "may", "might", "should", "must", "would", "also", "then", "to",
            "just", "simply", "always", "straight", "directly", "easily",
        ) or (low in ("have", "has", "need", "needs", "want", "try") and nxt == "to"):  # fmt: skip
            i += 1
            continue
        break
    if i == 1 or i >= len(tokens):
        return None
    verb = tokens[i].strip(",;:.").lower()
    if not verb.isalpha() or verb in _AUX or verb in _NP_STOP:
        return None
    obj: list[str] = []
    for k, tok in enumerate(tokens[i + 1 : i + 9]):
        low = tok.lower().strip(",;:.")
        if _np_and(obj, tokens[i + k + 2 : i + k + 3], low):
            obj.append(tok)
            continue
        adverb = low.endswith("ly") and low not in ("early", "only")
        if low in _NP_STOP or low == "very" or adverb:
            break
        obj.append(tok)
        if re.search(r"[,;:.]$", tok):
            break
    if verb in ("use", "apply", "try", "adopt", "employ") and obj:
        return ["", *_np_words(obj)]  # "one may have to use K-fold cross-validation"
    return [_gerund(verb), *_np_words(obj)] if obj else [_gerund(verb)]


def _np_and(phrase: list[str], following: list[str], word: str) -> bool:
    """'and'/'or' inside a noun phrase: 'between underfitting and overfitting', 'L1
    and L2'; not 'train models and average them'."""
    if word not in ("and", "or") or not phrase or not following:
        return False
    nxt = following[0].strip(",;:.")
    return "between" in (w.lower() for w in phrase) or (nxt[:1].isupper() and len(nxt) <= 6)


def _object_phrase(tokens: list[str], start: int) -> list[str]:
    """The noun phrase after a verb: 'will shrink the coefficients for ... ,' ->
    ['the', 'coefficients', 'for', ...]."""
    i = start
    while i < len(tokens) and tokens[i].lower().strip(",") in _AUX | {"not", "also", "then"}:
        i += 1
    if i > start and tokens[i - 1].lower() in _AUX and i < len(tokens):
        # "will shrink": the word after an auxiliary is the main verb.
        if tokens[i].lower() not in _DETERMINERS:
            i += 1
    elif i == start:
        i += 1  # the verb itself
    out: list[str] = []
    for k, tok in enumerate(tokens[i : i + 10]):
        low = tok.lower().strip(",;:.")
        if _np_and(out, tokens[i + k + 1 : i + k + 2], low):
            out.append(tok)
            continue
        if low in _NP_STOP or low == "very" or not low or "=" in tok:
            break
        out.append(tok)
        if re.search(r"[,;:.]$", tok):
            break
    return out


def _good_phrase(words_: list[str], min_rare: float = 0.0, *, single: bool = True) -> bool:
    if not words_:
        return False
    first = words_[0].lower().replace("’", "'")
    if first in _SUBJECT_PRONOUNS or first in _SUBORDINATORS or first in _PREPOSITIONS:
        return False
    if any(w.lower().replace("’", "'") in _SUBJECT_PRONOUNS - {"one"} for w in words_[1:]):
        return False
    if any(w.rstrip(",") != w for w in words_[:-1]):
        return False  # "Computing TP, TN, FP": a list, not one phrase
    contents = [w for w in words_ if _content(w)]
    if not contents or len(words_) > 8:
        return False
    if re.search(r"[*/=+^<>]", " ".join(words_)):
        return False  # a formula is not a name: "d(L3*L2*X - Y) / d(L1L2)"
    if not single and len(words_) == 1 and not words_[0][:1].isupper():
        return False  # "strictly", "straightforward": not a name
    return not min_rare or any(rarity(w) >= min_rare or w.isupper() for w in contents)


def name_point(
    text: str, label: str | None = None, *, aside: bool = False
) -> tuple[str | None, PointKind]:
    """The noun phrase a point is about (with its determiner, if any) and its kind:
    "Early stopping: Stop before ..." -> ("Early stopping", "method"); "The obvious
    disadvantage of ridge regression is ..." -> ("The disadvantage of ridge
    regression", "property"); "It will shrink the coefficients ..." -> ("the
    coefficients for least important predictors", "fact")."""
    kind: PointKind | None = "aside" if aside else None
    if label and _GENERIC_LABEL.match(label.strip()):
        # "Problems: if you undersample ...": the label says what kind of point it is.
        if kind is None and _PROPERTY_WORDS.match(label.split()[-1]):
            kind = "property"
        text = text[len(label) :].lstrip(" :=–—-") or text
    elif label:
        got = _name_label(text, label)
        if got is not None:
            return got[0], kind or got[1]
    text = re.sub(r"(?<=[a-z])\((?=[a-z])", " (", text)  # "Selection(manual" -> "Selection (manual"
    body = _LEAD_IN.sub("", re.sub(r"^[\"“(]+", "", text.strip()))
    tokens = body.split()
    formula = _FORMULA_NAME.search(text)
    if (
        formula
        and formula.start() < 60
        and "=" not in text[: formula.start()]
        and _MATHY.search(text[formula.end() - 1 : formula.end() + 40])
    ):
        name = _np_words(formula.group(1).split())
        # "compute Precission = TP / ...": the name is the word(s) before "=".
        if name and name[0].lower() in STEP_VERBS | {"the"}:
            name = name[1:]
        if _good_phrase(name) and name[-1].lower() not in _AUX:
            return " ".join(name), kind or "formula"
    verb_at = _verb_position(tokens)
    subject_words = _np_words(tokens[:verb_at]) if verb_at else []
    if verb_at and any(w.lower() in ("that", "which", "who") for w in subject_words):
        return None, kind or "fact"  # the verb belongs to a relative clause
    if verb_at is not None and _good_phrase(subject_words):
        verb = tokens[verb_at].lower().strip(",;:")
        subject = " ".join(subject_words)
        if kind is None:
            predicate = " ".join(tokens[verb_at + 1 : verb_at + 3]).lower()
            body_words = [w for w in subject_words if w.lower() not in _DETERMINERS]
            head = body_words[0] if body_words else ""
            # "the disadvantage of X", "drawbacks": a property; "cost function" is not.
            if _PROPERTY_WORDS.match(head) and (len(body_words) == 1 or body_words[1] == "of"):
                kind = "property"
            elif _CAUSE_SUBJECT.match(subject) or verb in _CAUSE_VERB:
                kind = "cause"
            elif verb in _DEF_VERBS_K and (
                verb not in ("is", "are")
                or re.match(
                    r"^(a|an|the|when|where|how|what|that|one|used|defined|called)\b", predicate
                )
            ):
                kind = "definition"
            elif verb in _METHOD_VERB or _gerund_phrase(subject_words):
                kind = "method"
            else:
                kind = "fact"
        return subject, kind
    action = _pronoun_action(tokens)
    if action and len(action) > 1 and _good_phrase(action[1:]):
        return " ".join(w for w in action if w), kind or "method"
    # "Too many epochs, allowing the network to ...": a leading noun phrase.
    lead = re.match(
        r"^([^,;:()]{3,50}),\s+(?=\w+ing\b|\w+ed\b|not\b|which\b|that\b|may\b|can\b|too\b|"
        r"especially\b|e\.g\.)",
        body,
    )
    if lead and (verb_at is None or verb_at >= len(lead.group(1).split())):
        phrase = _np_words(lead.group(1).split())
        if _good_phrase(phrase) and len(phrase) <= 5:
            subject = " ".join(phrase)
            return subject, kind or ("cause" if _CAUSE_SUBJECT.match(subject) else "fact")
    if verb_at is None and len(tokens) <= 7:
        # "Ridge (L2 norm)", "Multidimensional Scaling": the item is a name.
        phrase = _np_words(tokens)
        if _good_phrase(phrase):
            return " ".join(phrase), kind or "method"
    if _IMPLIED_DEFINITION.match(body):
        return None, kind or "definition"  # "A technique that discourages ...": of the topic
    if verb_at is not None and verb_at <= 2:
        obj = _np_words(_object_phrase(tokens, verb_at))
        if _good_phrase(obj, min_rare=0.7, single=False) and len(obj) >= 2:
            return " ".join(obj[:7]), kind or "fact"
    return None, kind or "fact"


def _name_label(text: str, label: str) -> tuple[str, PointKind] | None:
    lab = _np_words(label.split())
    if not lab or lab[0].lower() in _SUBJECT_PRONOUNS:
        return None
    first = lab[0].lower()
    rest = text[len(label) :].lstrip(" :=–—-")
    if first in ("define", "definition") and len(lab) > 1:
        return " ".join(lab[1:]).removeprefix("of ").strip(), "definition"
    if first in STEP_VERBS:
        return " ".join(lab), "step"
    subject = " ".join(lab)
    if _CHOICE_LABEL.match(subject):
        return subject, "method"
    if ("=" in text[len(label) : len(label) + 4] and _MATHY.search(rest[:40])) or re.match(
        r"^[\w()]+\([^)]*\)\s*[/*]", rest
    ):
        return subject, "formula"  # not "Adam = RMSProp with Momentum": words, a method
    if _PROPERTY_WORDS.match(first) and (len(lab) == 1 or lab[1].lower() == "of"):
        return subject, "property"
    if _CAUSE_SUBJECT.match(subject):
        return subject, "cause"
    if len(rest.split()) < 3 and not _verb_position(rest.split() + ["the"]):
        return subject, "fact"  # "High variance, low bias: Overfitting."
    return subject, "method"


def _gerund_phrase(words_: list[str]) -> bool:
    """'Adding data', 'using mini-batches' (an action); not 'Boosting and bagging'."""
    first = words_[0].lower() if words_ else ""
    if len(words_) < 2 or any(w.lower() in ("and", "or") for w in words_):
        return False
    if first in _DETERMINERS:
        return False
    return first.endswith("ing") and len(first) > 5 and first[:-3] in known_words()


def choice_parts(subject: str) -> tuple[str, str, str] | None:
    """'A metric to train the network' -> ('metric', 'to', 'train the network')."""
    m = _CHOICE_LABEL.match(subject.strip())
    return (m.group(1), m.group(2).lower(), m.group(3)) if m else None


def bare_subject(subject: str) -> str:
    """The subject without its leading article, for lists: 'the disadvantage of X' ->
    'disadvantage of X'."""
    parts = subject.split()
    if len(parts) > 1 and parts[0].lower() in _DETERMINERS:
        parts = parts[1:]
    return " ".join(parts)


def plural_phrase(subject: str) -> bool:
    """'ensemble methods', 'too many epochs' (a plural head noun); 'SMOTE', 'loss',
    'analysis' are singular. The head is the last word before 'of'/'for'/'in'."""
    parts = [p for p in subject.split() if p]
    for i, p in enumerate(parts):
        if p.lower() in ("of", "for", "in", "on", "at", "with", "to") and i > 0:
            parts = parts[:i]
            break
    if not parts:
        return False
    joined = f" {' '.join(parts).lower()} "
    if " and " in joined or " or " in joined:
        return " and " in joined
    if parts[0].lower().endswith("ing") and parts[0].lower() not in ("thing",):
        return False  # "adding data", "weighting the loss"
    head = parts[-1].strip("(),").lower()
    if parts[-1].strip("(),").isupper() or len(head) <= 3:
        return False
    return head.endswith("s") and not re.search(r"(ss|us|is|ics|ness)$", head)


# ---- key-term selection -------------------------------------------------------------------


@lru_cache(maxsize=1)
def _vocab_rank() -> dict[str, int]:
    try:
        from interviewer.embeddings import minilm_paths

        _, tok = minilm_paths()
        vocab = json.loads(tok.read_text(encoding="utf-8"))["model"]["vocab"]
        return {w: int(i) for w, i in vocab.items() if w.isalpha()}
    except (ConfigError, OSError, KeyError, ValueError):
        return {}


# The MiniLM WordPiece vocabulary lists whole English words roughly by frequency
# (id ~2000 = "the", ~30000 = rare; words it splits into pieces are rarer still).
# A small corpus cannot tell "fine" or "found" from "epoch" by IDF alone, so a word's
# weight is its IDF times this general-English rarity (0.5 for the commonest words).
FIRST_WORD_ID = 1996


def rarity(word: str) -> float:
    ranks = _vocab_rank()
    if not ranks:
        return 1.0
    rank = ranks.get(word.lower())
    if rank is None:
        return 1.0
    span = math.log(30522 / FIRST_WORD_ID)
    return 0.5 + 0.5 * min(1.0, max(0.0, math.log(max(rank, FIRST_WORD_ID) / FIRST_WORD_ID) / span))


def idf_table(texts: Iterable[str]) -> tuple[dict[str, float], float]:
    """Weight of every term over the given texts (one text = one document): smoothed
    IDF times general-English rarity; a two-word term weighs a little more than its
    heavier word."""
    df: Counter[str] = Counter()
    rare: dict[str, float] = {}
    n = 0
    for text in texts:
        n += 1
        terms = text_terms(text)
        df.update(set(terms.unigrams) | set(terms.bigrams))
        for stem, word in terms.surface.items():
            if stem not in rare:
                rare[stem] = rarity(word)
    idf = {t: math.log((n + 1) / (c + 0.5)) + 0.5 for t, c in df.items()}
    table: dict[str, float] = {}
    for t, v in idf.items():
        if " " in t:
            continue
        table[t] = round(v * rare.get(t, 1.0), 4)
    for t in idf:
        if " " in t:
            a, b = t.split(" ", 1)
            table[t] = round(1.1 * max(table.get(a, 1.0), table.get(b, 1.0)), 4)
    return table, round(math.log((n + 1) / 0.5) + 0.5, 4)


def key_terms(
    text: str,
    label: str | None,
    idf: dict[str, float],
    default_idf: float,
    question_terms: set[str],
    limit: int = 8,
) -> list[str]:
    """The terms that name this point: the label's terms first, then the rarest
    content words and two-word terms, leaving out the question's own words (every
    point of an overfitting question mentions overfitting) and the words of an
    illustration ("(e.g. whether a coin flip comes up heads or tails)")."""
    terms = text_terms(EXAMPLE_ASIDE.sub(" ", text) or text)
    chosen: list[str] = []
    if label:
        lab = text_terms(label)
        chosen.extend(dict.fromkeys(lab.bigrams + lab.unigrams))
    weights: dict[str, float] = {}
    for t in terms.unigrams:
        if t not in question_terms:
            weights[t] = idf.get(t, default_idf)
    if not weights:
        return chosen
    unigrams = [
        t for t, w in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0])) if t not in chosen
    ][: max(3, limit - 2 - len(chosen))]
    picked = set(unigrams) | {t for t in chosen if " " not in t}
    bigrams = sorted(
        (
            bg
            for bg in dict.fromkeys(terms.bigrams)
            if bg not in chosen
            and any(p in picked for p in bg.split(" ", 1))
            and not any(p in question_terms for p in bg.split(" ", 1))
        ),
        key=lambda bg: -sum(weights.get(p, 0.0) for p in bg.split(" ", 1)),
    )[:3]
    return chosen + bigrams + unigrams


# ---- the bank ------------------------------------------------------------------------------


def question_id(source: str, text: str) -> str:
    norm = re.sub(r"\s+", " ", text.lower()).strip()
    return hashlib.sha1(f"{source}\x00{norm}".encode()).hexdigest()[:12]


def point_id(qid: str, text: str) -> str:
    norm = re.sub(r"\s+", " ", text.lower()).strip()
    return qid + "-" + hashlib.sha1(norm.encode()).hexdigest()[:8]


QUESTION_WORDS = frozenset(
    """how what why when which who explain define describe compare can could would
    should is are do does name list give derive show find work works deal check tell
    interpret typical say let's now""".split()
)


# Words of a question that say what is asked, not about what.
_TOPIC_SKIP = frozenset(
    """use using used measure identify want given develop developed train solve control
    interpret remove find implement create compute talk combat mean means difference
    differences different between main common most good better best typical typically
    important significance basic key consider revising revise understand make makes
    need needed work working happen happens choose pick prefer get like vs versus""".split()
)
# Container headings ("Questions", "Interview questions 2025", "Misc"): no topic.
_GENERIC_PARENT = frozenset(
    """questions question interview interviews notes note misc miscellaneous general
    other others faq faqs qa q&a topics topic part section chapter answers answer todo
    more extra extras bonus various random basics introduction intro overview summary
    index contents preparation resources learning machine ml""".split()
)
_PAREN = re.compile(r"\([^()]*\)")


def _plain_topic_text(text: str) -> str:
    text = MD_LINK.sub(r"\1", text)
    text = _PAREN.sub(" ", BARE_URL.sub(" ", text))  # asides, sources: "(From X: url)"
    return re.sub(r"^\s*\d{1,3}[.)]\s+", "", text)


def generic_heading(heading: str) -> bool:
    """A container heading that names no subject: 'Questions', 'Interview notes 2025'."""
    toks = [w.lower() for w in words(_plain_topic_text(heading))]
    return all(
        w in _GENERIC_PARENT or w in STOPWORDS or w.isdigit() or len(w) < 2 for w in toks
    )


def question_topic(text: str, parent: str | None) -> str:
    """A short label for progress by topic: the parent heading when the question sits
    under a plain heading that names a subject, else the question's main words
    (never a link or a source note)."""
    if parent and not generic_heading(parent):
        return " ".join(_plain_topic_text(parent).split())[:60] or parent
    plain = _plain_topic_text(text)
    first = re.split(r"[?.;:,]|\bsuch as\b", plain, maxsplit=1)[0] or plain
    picked: list[str] = []
    for w in words(first):
        low = w.lower()
        base = low.split("'")[0]  # "what's" is "what"
        if (
            base in QUESTION_WORDS or low in STOPWORDS or low in GENERIC or low == "etc"
            or low in _TOPIC_SKIP or low.isdigit() or len(low) < 2
        ):
            continue
        picked.append(w if w.isupper() else low)
        if len(picked) == 3:
            break
    if not picked:  # a question of question words only: its plain text
        return " ".join(plain.split())[:40] or text[:40]
    return " ".join(picked)


def material_sections(doc: Document, index: int) -> list[Section]:
    """The section at ``index`` and the sections nested under it."""
    head = doc.sections[index]
    out = [head]
    for sec in doc.sections[index + 1 :]:
        if sec.level <= head.level:
            break
        out.append(sec)
    return out


def _read_lines(doc: Document) -> list[str]:
    try:
        text = decode_text(doc.path.read_bytes())
    except (OSError, ValueError):
        return []
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _citation(sec: Section, start: int, end: int, kind: str = "note", url: str | None = None,
              chunk_id: str | None = None) -> Citation:  # fmt: skip
    return Citation(
        source=sec.source,
        heading=sec.heading,
        line_start=start,
        line_end=end,
        kind="reference" if kind == "reference" else "note",
        url=url,
        chunk_id=chunk_id,
    )


@dataclass
class ReferenceText:
    """A fetched reference chunk that cites a section of the notes."""

    text: str
    source: str
    heading: str
    url: str | None
    chunk_id: str
    line_start: int
    line_end: int
    citing: list[str]


def build_bank(
    documents: list[Document],
    embedder: Embedder | None = None,
    references: Sequence[ReferenceText] = (),
    corpus_key: str = "",
) -> tuple[Bank, np.ndarray | None]:
    """Extract every question and its key points. With an embedder, near-duplicate
    points are merged and their embeddings returned (aligned with ``iter_points``)."""
    from interviewer.corpus import question_text

    drafts: list[tuple[Question, list[Candidate]]] = []
    loose: list[tuple[Section, list[Candidate]]] = []
    all_texts: list[str] = []
    for doc in documents:
        if doc.kind != "note":
            continue
        lines = _read_lines(doc)
        covered_by_question: set[str] = set()
        seen_ids: Counter[str] = Counter()
        for i, sec in enumerate(doc.sections):
            if not sec.is_question:
                continue
            mats = material_sections(doc, i)
            units = material_units(lines, mats)
            cands = _paragraph_scope([c for u in units for c in clean_unit(u)])
            all_texts.extend(c.text for c in cands)
            covered_by_question.update(s.id for s in mats)
            body = "\n".join(s.text for s in mats)
            if not body.strip():
                status: Literal["ok", "stub", "none"] = "none"
            elif is_stub_text(body) or not cands:
                status = "stub"
            else:
                status = "ok"
            qtext = question_text(sec.heading_path[-1])
            qid = question_id(sec.source, qtext)
            seen_ids[qid] += 1
            if seen_ids[qid] > 1:
                qid = f"{qid}{seen_ids[qid]}"
            parent = None
            if len(sec.heading_path) > 1:
                # The nearest enclosing heading that is a plain topic, not a question.
                parents = [p for p in sec.heading_path[:-1] if "?" not in p]
                parent = question_text(parents[-1]) if parents else None
            q = Question(
                id=qid,
                text=qtext,
                section_id=sec.id,
                source=sec.source,
                heading=sec.heading,
                topic=question_topic(qtext, parent),
                notes_status=status,
                citation=_citation(sec, sec.line_start, mats[-1].line_end),
                tags=list(doc.tags) + ([doc.title] if doc.title else []),
                material_sections=[s.id for s in mats],
            )
            drafts.append((q, cands if status == "ok" else []))
        for sec in doc.sections:
            if sec.id in covered_by_question or sec.is_stub:
                continue
            units = material_units(lines, [sec])
            cands = _paragraph_scope([c for u in units for c in clean_unit(u)])
            all_texts.extend(c.text for c in cands)
            loose.append((sec, cands))

    idf, default_idf = idf_table(all_texts)
    bank = Bank(corpus_key=corpus_key, idf=idf, default_idf=default_idf)
    name_lists: dict[str, list[list[str]]] = {}
    for q, cands in drafts:
        qterms = set(text_terms(q.text).unigrams)
        points = [
            _to_point(q.id, c, idf, default_idf, qterms, _citation(
                c.unit.section, c.unit.line_start, c.unit.line_end))
            for c in cands
        ]  # fmt: skip
        _weigh_by_question(q.text, cands, points)
        name_lists[q.id] = _name_lists(cands, points)
        refs = [r for r in references if any(k in r.citing for k in _citing_keys(q))]
        points.extend(_reference_points(q, refs, idf, default_idf, qterms))
        q.key_points = points
        bank.questions.append(q)
    for sec, cands in loose:
        for c in cands:
            cit = _citation(sec, c.unit.line_start, c.unit.line_end)
            bank.loose_points.append(_to_point("loose-" + sec.id, c, idf, default_idf, set(), cit))
    for q in bank.questions:
        _weigh_specificity(q.key_points, idf, default_idf)
    vectors = None
    if embedder is not None:
        vectors = dedupe_points(bank, embedder)
    else:
        for q in bank.questions:
            q.key_points = _normalise(q.key_points)
    for q in bank.questions:
        _even_name_lists(q, name_lists.get(q.id, []))
    return bank, vectors


def _name_only(c: Candidate) -> bool:
    """A list item that only names something ("Multidimensional Scaling")."""
    # (A parenthetical qualifies the name: "Feature selection (by hand or with tests)".)
    tokens = re.sub(r"\([^()]*\)", " ", c.text).split()
    return (
        c.unit.is_list and not c.label and 0 < len(tokens) <= 5
        and _verb_position(tokens) is None
    )  # fmt: skip


def _name_lists(cands: list[Candidate], points: list[KeyPoint]) -> list[list[str]]:
    """Ids of the name-only items of each list (consecutive items of one section at
    one depth), for lists of two or more such items."""
    groups: list[list[str]] = []
    prev: Candidate | None = None
    for c, kp in zip(cands, points, strict=True):
        same_list = (
            prev is not None
            and prev.unit.section.id == c.unit.section.id
            and prev.unit.depth == c.unit.depth
            and c.unit.line_start - prev.unit.line_end <= 1
        )
        if _name_only(c):
            if same_list and groups and prev is not None and _name_only(prev):
                groups[-1].append(kp.id)
            else:
                groups.append([kp.id])
        prev = c
    return [g for g in groups if len(g) >= 2]


def _even_name_lists(q: Question, groups: list[list[str]]) -> None:
    """The items of a list that only name things ("PCA", "Multidimensional Scaling")
    weigh alike: nothing in a bare name says one matters more (how rare its words are,
    or how much it looks like the question's words, is no such signal)."""
    changed = False
    for ids in groups:
        members = [kp for kp in q.key_points if kp.id in ids]
        if len(members) < 2:
            continue
        mean = sum(kp.importance for kp in members) / len(members)
        for kp in members:
            kp.importance = mean
        changed = True
    if changed:
        q.key_points = _normalise(q.key_points)


_ASKS_LIST = re.compile(
    r"\b(examples?|list|name|types?|kinds?|methods|ways|techniques|which|components|"
    r"variants|parameters|metrics)\b",
    re.I,
)
_ASKS_WHAT = re.compile(r"^\s*(what\s+(is|are)|define|explain|describe)\b", re.I)
_ASKS_WHY = re.compile(r"\bwhy\b", re.I)
_ASKS_HOW = re.compile(r"\bhow\b", re.I)
_PURPOSE = re.compile(
    r"\b(so as to|in order to|to (avoid|prevent|reduce|allow)|because|helps?|avoids?|"
    r"prevents?|reduces?)\b",
    re.I,
)


def _weigh_by_question(question: str, cands: list[Candidate], points: list[KeyPoint]) -> None:
    """Points that answer what the question itself asks weigh more: list items when it
    asks for examples or methods, a definition of its subject when it asks what
    something is, a purpose or cause when it asks why, methods and steps when it asks
    how. A sentence that only continues the one before ("It will shrink ...", "In
    other words, ...") is a detail of that point and weighs less."""
    q_stems = set(text_terms(question).unigrams)
    for c, kp in zip(cands, points, strict=True):
        factor = 1.0
        if c.unit.is_list and _ASKS_LIST.search(question):
            factor *= 1.15
        if kp.kind == "definition" and _ASKS_WHAT.search(question):
            subject = set(text_terms(kp.subject or "").unigrams)
            # (No subject: "A technique that ...", a definition of the question's topic.)
            factor *= 1.2 if not subject or subject & q_stems else 1.05
        if _ASKS_WHY.search(question) and (kp.kind == "cause" or _PURPOSE.search(kp.text)):
            factor *= 1.1
        if _ASKS_HOW.search(question) and kp.kind in ("method", "step"):
            factor *= 1.1
        if not c.unit.is_list and (
            _PRONOUN_LEAD.match(c.text)
            or re.match(r"^\s*(in other words|however|but|also|then)\b", c.text, re.I)
        ):
            factor *= 0.9
        kp.importance *= factor


def _weigh_specificity(points: list[KeyPoint], idf: dict[str, float], default_idf: float) -> None:
    """Points that use the subject's technical terms ("TP / (TP + FP)", "harmonic
    mean", "bootstrap") matter more than remarks in everyday words ("some metrics can
    be better indicative"): importance scales by 0.85-1.15 with the mean weight of the
    point's three heaviest words, ranked within the question."""
    if len(points) < 3:
        return
    dens: list[float] = []
    for kp in points:
        weights = sorted((idf.get(t, default_idf) for t in kp.terms if " " not in t), reverse=True)[
            :3
        ]
        dens.append(sum(weights) / 3 if weights else 0.0)
    order = sorted(range(len(points)), key=lambda i: dens[i])
    for rank, i in enumerate(order):
        points[i].importance *= 0.85 + 0.3 * rank / (len(points) - 1)


def _citing_keys(q: Question) -> list[str]:
    # Reference chunks name the citing section as "source § heading".
    return [f"{q.source} § {q.heading}", q.section_id]


def _to_point(qid: str, c: Candidate, idf: dict[str, float], default_idf: float,
              qterms: set[str], citation: Citation, kind: str = "note") -> KeyPoint:  # fmt: skip
    subject, point_kind = name_point(c.text, c.label, aside=c.aside)
    return KeyPoint(
        id=point_id(qid, c.text),
        text=c.text,
        citation=citation,
        importance=c.importance,
        terms=key_terms(c.text, c.label, idf, default_idf, qterms),
        source_kind="reference" if kind == "reference" else "note",
        doubtful=c.doubtful,
        label=c.label,
        subject=subject,
        kind=point_kind,
        context=c.context,
    )


MAX_REFERENCE_POINTS = 4


def _reference_points(q: Question, refs: Sequence[ReferenceText], idf: dict[str, float],
                      default_idf: float, qterms: set[str]) -> list[KeyPoint]:  # fmt: skip
    """A few sentences of the linked references that share the most key terms with
    the question: references are long, the user's notes are the rubric."""
    scored: list[tuple[float, KeyPoint]] = []
    for ref in refs:
        for sent in split_sentences(clean_markdown(ref.text.replace("\n", " "))):
            if content_word_count(sent) < 5 or len(sent) > 400 or looks_spanish(sent):
                continue
            overlap = len(qterms & set(text_terms(sent).unigrams))
            if not overlap:
                continue
            cit = Citation(
                source=ref.source, heading=ref.heading, line_start=ref.line_start,
                line_end=ref.line_end, kind="reference", url=ref.url, chunk_id=ref.chunk_id,
            )  # fmt: skip
            subject, point_kind = name_point(sent)
            kp = KeyPoint(
                id=point_id(q.id, sent), text=sent, citation=cit, importance=0.6,
                terms=key_terms(sent, None, idf, default_idf, qterms),
                source_kind="reference", subject=subject, kind=point_kind,
            )  # fmt: skip
            scored.append((overlap, kp))
    scored.sort(key=lambda s: -s[0])
    return [kp for _, kp in scored[:MAX_REFERENCE_POINTS]]


def _normalise(points: list[KeyPoint]) -> list[KeyPoint]:
    """Importance relative to the question's best point, rounded; unique ids."""
    if not points:
        return []
    top = max(p.importance for p in points) or 1.0
    seen: set[str] = set()
    out = []
    for p in points:
        if p.id in seen:
            continue
        seen.add(p.id)
        p.importance = round(max(0.05, min(1.0, p.importance / top)), 3)
        out.append(p)
    return out


def iter_points(bank: Bank) -> list[KeyPoint]:
    """Every key point of the bank in a fixed order (questions first, then loose)."""
    out = [kp for q in bank.questions for kp in q.key_points]
    out.extend(bank.loose_points)
    return out


def embed_text_of(kp: KeyPoint) -> str:
    # Long items drown their main claim: embed the first ~70 words. (Prefixing what a
    # leading pronoun refers to pulled the embedding toward that topic: measured 0.61
    # -> 0.38 against a paraphrase. The context is matched lexically only.)
    return " ".join(kp.text.split()[:70])


# Near-duplicate key points within a question: cosine at or above this (MiniLM) or
# term overlap (Jaccard) at or above DUP_JACCARD. 0.86 merges restatements such as
# "High variance may result from ... (overfitting)" / "High variance, low bias:
# Overfitting" only when they say the same thing; lower values merged distinct
# solutions (dropout vs. lasso) in our checks.
DUP_COSINE = 0.86
DUP_JACCARD = 0.75


def polarity(text: str) -> tuple[frozenset[str], bool]:
    """The antonym-bearing words and whether the text negates: two points that differ
    here say different things however similar they look ('high variance: overfitting'
    vs. 'high bias: underfitting')."""
    toks = [w.lower() for w in words(text)]
    return frozenset(t for t in toks if t in ANTONYMS), any(t in NEGATIONS for t in toks)


def dedupe_points(bank: Bank, embedder: Embedder) -> np.ndarray:
    """Merge near-duplicate points within each question (the more important one
    stays) and return the embeddings of the points that remain."""
    import numpy as np

    pts = iter_points(bank)
    if not pts:
        return np.zeros((0, embedder.dim), dtype=np.float32)
    vectors = embedder.embed([embed_text_of(k) for k in pts] + [q.text for q in bank.questions])
    qvecs = vectors[len(pts) :]
    vectors = vectors[: len(pts)]
    row = {id(k): i for i, k in enumerate(pts)}
    for qi, q in enumerate(bank.questions):
        for kp in q.key_points:
            # Points about what the question asks matter more than asides: MiniLM
            # similarity to the question (0.2-0.7 typically) scales importance by
            # about 0.8-1.2.
            rel = float(vectors[row[id(kp)]] @ qvecs[qi])
            kp.importance *= 0.65 + 0.8 * max(0.0, min(rel, 0.75))
        if len(q.key_points) < 2:
            q.key_points = _normalise(q.key_points)
            continue
        kps = q.key_points
        keep: list[int] = []
        for i in sorted(range(len(kps)), key=lambda i: -kps[i].importance):
            ti, pi = stem_set(kps[i].text), polarity(kps[i].text)
            dup = False
            for j in keep:
                if polarity(kps[j].text) != pi:
                    continue
                tj = stem_set(kps[j].text)
                jac = len(ti & tj) / max(1, len(ti | tj))
                cos = float(vectors[row[id(kps[i])]] @ vectors[row[id(kps[j])]])
                if cos >= DUP_COSINE or jac >= DUP_JACCARD:
                    dup = True
                    break
            if not dup:
                keep.append(i)
        q.key_points = _normalise([kps[i] for i in sorted(keep)])
    kept = iter_points(bank)
    return vectors[[row[id(k)] for k in kept]]


# ---- cache with the index -------------------------------------------------------------------


def corpus_key(
    settings: Settings,
    embedder_name: str,
    reference_ids: Sequence[str],
    schema_version: int | None = None,
) -> str:
    """The key-point cache's key: extraction version, corpus file hashes, the index
    schema (default: the current one), embedder and references."""
    from interviewer.index import SCHEMA_VERSION, current_hashes

    hashes = current_hashes(settings.corpus_dir, settings.max_file_bytes)
    blob = json.dumps(
        {
            "v": EXTRACTION_VERSION,
            # How the corpus reader turns a file into sections (heading cleanup, ids):
            # a change there changes the bank though no file changed.
            "schema": SCHEMA_VERSION if schema_version is None else schema_version,
            "files": sorted(hashes.items()),
            "embedder": embedder_name,
            "refs": sorted(reference_ids),
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def load_cached_bank(index_dir: Path, key: str, n_dim: int) -> tuple[Bank, np.ndarray] | None:
    import numpy as np

    path, emb = index_dir / BANK_FILE, index_dir / EMB_FILE
    if not path.is_file() or not emb.is_file():
        return None
    try:
        bank = Bank.model_validate_json(path.read_text(encoding="utf-8"))
        vectors = np.load(emb)
    except (OSError, ValueError, ValidationError):
        return None
    if bank.corpus_key != key or bank.version != EXTRACTION_VERSION:
        return None
    if vectors.shape != (len(iter_points(bank)), n_dim):
        return None
    return bank, vectors.astype(np.float32)


def save_bank(index_dir: Path, bank: Bank, vectors: np.ndarray) -> None:
    import io

    import numpy as np

    from interviewer.files import write_atomic

    npy = io.BytesIO()
    np.save(npy, vectors)
    for name, data in ((BANK_FILE, bank.model_dump_json().encode()), (EMB_FILE, npy.getvalue())):
        # A cache: when it cannot be written, the next run extracts again.
        with contextlib.suppress(OSError):
            write_atomic(index_dir / name, data)


def reference_texts(settings: Settings) -> list[ReferenceText]:
    """Reference chunks of the index (when there is one) with the sections that cite
    them. Read from the chunk snapshot: no Chroma needed."""
    try:
        from interviewer.index import load_chunks

        chunks = load_chunks(settings.index_dir)
    except Exception:  # noqa: BLE001 - a broken snapshot only costs reference points
        return []
    return [
        ReferenceText(
            text=c.text,
            source=c.source,
            heading=c.heading,
            url=c.url,
            chunk_id=c.id,
            line_start=c.line_start,
            line_end=c.line_end,
            citing=list(c.citing_sections),
        )  # fmt: skip
        for c in chunks
        if c.kind == "reference" and c.citing_sections
    ]


# ---- rubric YAML -----------------------------------------------------------------------------


class RubricPoint(BaseModel):
    text: str
    importance: float = Field(default=1.0, ge=0.0, le=1.0)
    terms: list[str] | None = None
    source: str | None = None
    heading: str | None = None
    lines: str | None = None


class RubricQuestion(BaseModel):
    id: str
    question: str
    source: str | None = None
    heading: str | None = None
    notes_status: str | None = None
    key_points: list[RubricPoint] = Field(default_factory=list)


class RubricFile(BaseModel):
    rubric_version: int = 1
    questions: list[RubricQuestion] = Field(default_factory=list)


RUBRIC_HEADER = """\
# interviewer rubric: the key points each question of your notes is graded against.
# Edit freely, then run `interviewer rubric import FILE`:
#   - text: the point in your words (shown to you when you miss it)
#   - importance: 0-1, how much the point weighs in the score
#   - terms: stemmed key words an answer is expected to use ('a b' = two-word term);
#            delete the line to have them recomputed from the text
#   - remove a point to stop grading on it; add one to grade on it.
# Only questions whose points differ from what the notes give are stored; they keep
# overriding the notes after re-indexing until you import them again.
"""


def _lines_label(c: Citation) -> str | None:
    if c.line_start is None:
        return None
    return f"{c.line_start}-{c.line_end or c.line_start}"


def to_rubric(questions: Sequence[Question]) -> RubricFile:
    return RubricFile(
        questions=[
            RubricQuestion(
                id=q.id,
                question=q.text,
                source=q.source,
                heading=q.heading,
                notes_status=q.notes_status,
                key_points=[
                    RubricPoint(
                        text=k.text,
                        importance=k.importance,
                        terms=list(k.terms),
                        source=k.citation.url or k.citation.source,
                        heading=k.citation.heading,
                        lines=_lines_label(k.citation),
                    )
                    for k in q.key_points
                ],
            )
            for q in questions
        ]
    )


def rubric_yaml(rubric: RubricFile) -> str:
    import yaml

    data = rubric.model_dump(exclude_none=True)
    return RUBRIC_HEADER + yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=None
    )


def parse_rubric(text: str, origin: str) -> RubricFile:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise RubricError(f"{origin}: not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise RubricError(f"{origin}: expected a mapping with a 'questions' list")
    try:
        return RubricFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise RubricError(f"{origin}: {loc}: {err['msg']}") from None


def _point_signature(text: str, importance: float, terms: Sequence[str] | None) -> tuple:
    return (re.sub(r"\s+", " ", text).strip(), round(importance, 3), tuple(terms or ()))


def apply_rubric_question(
    q: Question, rq: RubricQuestion, bank: Bank, use_given_terms: bool = True
) -> list[KeyPoint]:
    """The question's key points as the rubric states them. A point whose text is
    unchanged keeps its citation; a new or rewritten one cites the question's section."""
    by_text = {re.sub(r"\s+", " ", k.text).strip(): k for k in q.key_points}
    qterms = set(text_terms(q.text).unigrams)
    out: list[KeyPoint] = []
    for rp in rq.key_points:
        text = re.sub(r"\s+", " ", rp.text).strip()
        if not text:
            continue
        old = by_text.get(text)
        label = None
        m = LABEL.match(text)
        if m and 1 <= len(m.group(1).split()) <= 6:
            label = m.group(1).strip()
        terms = (
            [t.strip().lower() for t in rp.terms if t.strip()]
            if rp.terms and use_given_terms
            else key_terms(text, label, bank.idf, bank.default_idf, qterms)
        )
        subject, point_kind = name_point(text, label)
        out.append(
            KeyPoint(
                id=point_id(q.id, text),
                text=text,
                subject=subject,
                kind=point_kind,
                citation=old.citation if old else q.citation,
                importance=rp.importance,
                terms=terms,
                source_kind=old.source_kind if old else "note",
                doubtful=old.doubtful if old else False,
                label=label,
            )
        )
    return out


def rubric_differs(q: Question, rq: RubricQuestion) -> bool:
    mine = [_point_signature(k.text, k.importance, k.terms) for k in q.key_points]
    theirs = [_point_signature(p.text, p.importance, p.terms) for p in rq.key_points]
    return mine != theirs


def overrides_path(settings: Settings) -> Path:
    """Outside the index dir, so that rebuilding the index never loses them."""
    return settings.home / "rubrics" / f"{settings.index_dir.name}.yaml"


def load_overrides(settings: Settings) -> RubricFile:
    path = overrides_path(settings)
    if not path.is_file():
        return RubricFile()
    try:
        return parse_rubric(path.read_text(encoding="utf-8"), str(path))
    except (OSError, RubricError):
        return RubricFile()


def save_overrides(settings: Settings, rubric: RubricFile) -> Path:
    from interviewer.files import write_atomic

    path = overrides_path(settings)
    write_atomic(path, rubric_yaml(rubric).encode("utf-8"))
    return path


def normalise_question(text: str) -> str:
    return re.sub(r"[^\w]+", " ", _strip_accents(text.lower())).strip()


def match_rubric(q: Question, rubric: RubricFile) -> RubricQuestion | None:
    """Overrides are keyed by question id, with the question text as the fallback
    (the id changes when the file is renamed)."""
    for rq in rubric.questions:
        if rq.id == q.id:
            return rq
    norm = normalise_question(q.text)
    for rq in rubric.questions:
        if normalise_question(rq.question) == norm:
            return rq
    return None
