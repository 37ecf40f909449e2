"""Text helpers shared by the grader and others: words, stems, terms, pronouns,
sentences and clauses, Markdown cleaning."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from interviewer import lexicon
from interviewer.lexicon import WORDS_FILE

if TYPE_CHECKING:
    from collections.abc import Iterable


# ---- words ------------------------------------------------------------------------------

# Word lists: interviewer/words.txt.
STOPWORDS = lexicon.words("stopwords", WORDS_FILE)
GENERIC = lexicon.words("generic_words", WORDS_FILE)
NEGATIONS = lexicon.words("negations", WORDS_FILE)
WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ0-9'’]*(?:-[A-Za-zÀ-ÿ0-9]+)*|\d+(?:\.\d+)?")

# Pronouns. A sentence that opens with a referring one ("it", "these") is about what
# came before it; a personal or possessive one is never the name of a subject.
ANAPHORS = frozenset("it this that they these those".split())
PERSONAL_PRONOUNS = frozenset("i you we they he she it one someone us me them".split())
POSSESSIVES = frozenset("its their our your my his her".split())
# Every word that stands in for a subject rather than names it (pronouns, "there",
# "which", their contractions): no name opens with one.
STAND_INS = (
    ANAPHORS | PERSONAL_PRONOUNS | POSSESSIVES
    | frozenset("there which what how who it's here him we've i've you've i'm we're "
                "you're they're there's".split())
) - {"someone"}  # fmt: skip
ANAPHOR_WORDS = "|".join(sorted(ANAPHORS))  # (for regular expressions)
ANAPHOR_START = re.compile(rf"^\s*(?:{ANAPHOR_WORDS})\b", re.I)

_stemmer: Any = None


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
    if len(word) > 1 and word.isupper() and word.isalpha():
        # A keyword written in capitals ("WHERE", "HAVING", "NOT NULL") names something
        # even when the same word in lower case is a stop word.
        return True
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


# Token sets of a text, cached: note sentences recur in every grade.
@lru_cache(maxsize=50_000)
def all_stems(text: str) -> frozenset[str]:
    """Stems of every word but stop words (generic words such as 'big' included)."""
    return frozenset(stem(w.lower()) for w in words(text) if w.lower() not in STOPWORDS)


@lru_cache(maxsize=50_000)
def lower_words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in words(text))


@lru_cache(maxsize=50_000)
def lower_tokens(text: str) -> tuple[str, ...]:
    """The text's words in order, lower-cased."""
    return tuple(w.lower() for w in words(text))


@lru_cache(maxsize=50_000)
def negated(text: str) -> bool:
    return any(w.lower() in NEGATIONS for w in words(text))


def negated_near(text: str, word: str) -> bool:
    """A negation among the three words before ``word`` ("does not speed up")."""
    toks = lower_tokens(text)
    return any(
        t in NEGATIONS for i, w in enumerate(toks) if w == word for t in toks[max(0, i - 3) : i]
    )


# Note sentences recur in every grade: their stems are cached.
@lru_cache(maxsize=50_000)
def stem_set(text: str, pairs: bool = False) -> frozenset[str]:
    """The stems of the text's content words (with its two-word terms, ``pairs``)."""
    terms = text_terms(text)
    return frozenset(terms.all if pairs else terms.unigrams)


def _close(a: str, b: str) -> bool:
    """Two stems that are one spelling apart: 'prun'/'prune' (the note's typo),
    'regularis'/'regular' (British spelling). Conservative: the shorter stem must be a
    prefix of the other up to its last letter, and 'class' is not 'classif'."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) < 4:
        return False
    n = len(os.path.commonprefix([short, long_]))
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

# ---- sentences and cleaning --------------------------------------------------------------

_ABBREV = re.compile(r"\b(e\.g|i\.e|etc|vs|cf|approx|fig|eq|al|resp|incl|Dr|Mr|Ms)\.", re.I)
_SENT_END = re.compile(r"(?<=[.!?])[\"”')\]]*\s+(?=[\"“(\[]?[A-Z0-9¿¡])")
MD_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))+\)")
BARE_URL = re.compile(r"<?\bhttps?://[^\s)>\]]+>?|\bwww\.[^\s)>\]]+")
FROM_PREFIX = re.compile(r"^\s*(?:from|source|see also|see|via|ref)\s*:?\s*(?=$|[\"“(]|\s)", re.I)
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


# Where the clauses of a sentence meet. Every set cuts at a semicolon and at a colon or
# a dash between words; they differ in the commas they cut at.
# - CLAUSE_BREAK: any comma, with or without a conjunction (an answer's clauses);
# - HARD_CLAUSE_BREAK: a comma before a conjunction that always joins two statements,
#   whatever the sentence's length ("A; B", "A: B", "A, and B", "A, while B");
# - ELABORATION_BREAK: a comma before a clause that adds to what was said ("..., which
#   needs a sort", "..., so at most one thread ..."): where a point's core ends;
# - QUESTION_BREAK: any comma, and a question's or sentence's end: where the part of
#   a question that names its subject ends ("What is X, and why ...");
# - STATEMENT_BREAK: no comma (``top_level_parts`` cuts those outside brackets): where
#   the statements of a note's point meet;
# - _TOP_LEVEL_CUT: a comma or semicolon with a following "and"/"or" (list items).
CLAUSE_BREAK = re.compile(r";|:\s|,\s(?:and|but|while|so|or|which|whereas)\s|\s[—–]\s|,\s")
HARD_CLAUSE_BREAK = re.compile(r";|:\s|,\s(?:and|but|while|whereas)\s")
ELABORATION_BREAK = re.compile(
    r"\s*(?:;|:\s|\s[-–—]\s|,\s(?:which|so|and|but|while|whereas|because|since|as|"
    r"e\.g\.|i\.e\.|for example|such as|unless|although|though)\b)",
    re.I,
)
QUESTION_BREAK = re.compile(
    r"[?!;:]|\.(?:\s|$)|,\s*(?:and|or|but|why|how|when|what|which|where)\b|\s[—–-]\s|,\s",
    re.I,
)
STATEMENT_BREAK = re.compile(r";\s+|:\s+|\s[-–—]\s")
_TOP_LEVEL_CUT = re.compile(r"(?:,|;)\s+(?:and\s+|or\s+)?")


def split_clauses(sentence: str, hard: bool = False) -> list[str]:
    """The sentence's clauses of two words or more (cut at every break, or at the
    hard ones only)."""
    parts = (HARD_CLAUSE_BREAK if hard else CLAUSE_BREAK).split(sentence)
    return [p.strip() for p in parts if len(p.split()) >= 2]


def top_level_parts(text: str) -> list[str]:
    """The text cut at commas and semicolons outside brackets (", and", "; or" cut
    with them)."""
    parts: list[str] = []
    depth = start = i = 0
    while i < len(text):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0 and ch in ",;":
            m = _TOP_LEVEL_CUT.match(text, i)
            if m:
                parts.append(text[start:i])
                start = i = m.end()
                continue
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


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
    # (Only punctuation that ends a word: ".NET", ".5" and ":param" keep their space.)
    text = re.sub(r"\s+([,.;:])(?=\s|$)", r"\1", text)
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip(" ,;-–—").strip()


def clip(text: str, n: int, *, lines: bool = False) -> str:
    """The text cut to ``n`` characters, with an ellipsis: on one line, cut anywhere (a
    quote in feedback); with ``lines``, its line breaks kept and cut at a line or word
    boundary (a section of notes for the model)."""
    text = text.strip() if lines else " ".join(text.split())
    if len(text) <= n:
        return text
    if not lines:
        return text[: n - 1].rstrip() + "…"
    cut = text[:n]
    at = max(cut.rfind("\n"), cut.rfind(" "))
    return (cut[:at] if at > n // 2 else cut).rstrip() + " …"


def content_word_count(text: str) -> int:
    return sum(1 for w in words(text) if _content(w))

# "(e.g. whether a coin flip comes up heads or tails)": an illustration, not the point.
EXAMPLE_ASIDE = re.compile(r"\((?:e\.\s?g\.|for example|for instance|like|such as)[^()]*\)", re.I)
