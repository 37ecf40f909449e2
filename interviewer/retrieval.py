"""Hybrid retrieval: BM25 over the chunk snapshot (text and heading fields), dense
search in Chroma (English model) and, for text not in English, dense search with a
multilingual model; fused by weighted reciprocal rank fusion whose weights follow the
language pair of the query and each chunk (English with English, one other language,
or across languages), stub sections weighed down, deduplicated per section. The
weights are fitted on the tuning split of ``evals/retrieval/`` by
``benchmarks/fit_retrieval.py``.

BM25 is implemented here over numpy rather than through LlamaIndex's retriever:
importing ``llama_index.core`` costs seconds, and the query path must stay close
to the floor of "import chromadb, embed the query, query the collection"."""

from __future__ import annotations

import contextlib
import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from interviewer.chunking import Chunk
from interviewer.errors import StoreError
from interviewer.files import clean_text

if TYPE_CHECKING:
    import numpy as np

    from interviewer.embeddings import Embedder
    from interviewer.index import ChunkStore
    from interviewer.settings import Settings

Mode = Literal["hybrid", "dense", "bm25", "multilingual"]
# How the language of a query and of a chunk pair up. The English model and the
# (English-stemmed) BM25 are at home only when both are English; two texts in one
# other language still share words; across languages only the multilingual model
# really compares them. Each pair has its own fusion weights.
ENGLISH_PAIR, NATIVE_PAIR, CROSS_PAIR = 0, 1, 2
# Notes count as written in one language when this share of their chunks is.
SAME_LANGUAGE_SHARE = 0.9
LANGUAGES_FILE = "languages.json"
# Chunks a language needs in the notes to be centred by its own mean (Retriever._centre).
MIN_LANGUAGE_CHUNKS = 8

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers him his how i if in into is
    it its itself just me more most my no nor not of off on once only or other our ours
    out over own same she should so some such than that the their theirs them then there
    these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours de la el en y que los las un
    una es por con para del se""".split()
)
# Letters of any script, so that accented words stay whole ("cómo", not "c" + "mo").
TOKEN = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")


class Hit(BaseModel):
    chunk_id: str
    section_id: str
    source: str
    heading: str
    text: str
    score: float = Field(description="Fused score (RRF), or the single retriever's score.")
    dense_score: float | None = None
    bm25_score: float | None = None
    kind: Literal["note", "reference"] = "note"
    url: str | None = None
    line_start: int
    line_end: int
    is_stub: bool = False
    citing_sections: list[str] = Field(default_factory=list)


_stemmer = None


def _stem_words(words: list[str]) -> list[str]:
    global _stemmer
    if _stemmer is None:
        import Stemmer

        _stemmer = Stemmer.Stemmer("english")
    return list(_stemmer.stemWords(words))


# British spellings mapped to American ones before stemming, so that notes and queries
# written by different people meet in one term ("normalise" / "normalize", "analysed" /
# "analyzed", "behaviour" / "behavior", "centre" / "center", "catalogue" / "catalog").
# Rules of English spelling, not of a subject; both sides go through them, so a word
# they change needlessly ("noise" -> "noize") still matches itself. The letters kept
# in front spare short words ("rise", "four", "vogue", and "entre" of Spanish notes).
_SPELLING = re.compile(
    r"(?<=\w\w)(?:is(?P<ise>e|es|ed|ing|er|ers|ation|ations)|ys(?P<yse>e|es|ed|ing)"
    r"|ogue(?P<ogue>s?))$|(?<=\w\w\w)(?:tre(?P<tre>s?)|our(?P<our>s|ed|ing)?)$"
)
_AMERICAN = {"ise": "iz", "yse": "yz", "tre": "ter", "ogue": "og", "our": "or"}


def _respell(match: re.Match[str]) -> str:
    group = match.lastgroup or "our"  # "our" alone has no ending to keep
    return _AMERICAN[group] + (match.group(group) or "")


@lru_cache(maxsize=1 << 16)
def _american(word: str) -> str:
    return _SPELLING.sub(_respell, word)


def tokenize(text: str) -> list[str]:
    """Lower-cased, stop words removed, British spellings made American, Snowball-stemmed
    terms."""
    words = [
        _american(w) for w in TOKEN.findall(text.lower().replace("’", "'")) if w not in STOPWORDS
    ]
    return _stem_words(words)


class BM25:
    """Okapi BM25 (k1=1.5, b=0.75) over a fixed list of documents."""

    def __init__(self, docs: Sequence[str], k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._tfs = [Counter(tokenize(d)) for d in docs]
        self._lens = [sum(tf.values()) for tf in self._tfs]
        self._avg = (sum(self._lens) / len(self._lens)) if self._lens else 0.0
        df: Counter[str] = Counter()
        for tf in self._tfs:
            df.update(tf.keys())
        n = len(docs)
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._postings: dict[str, list[int]] = {}
        for i, tf in enumerate(self._tfs):
            for t in tf:
                self._postings.setdefault(t, []).append(i)

    @property
    def postings(self) -> dict[str, list[int]]:
        """Term -> indices of the documents holding it."""
        return self._postings

    def scores(self, query: str) -> dict[int, float]:
        return self.weighted_scores(dict.fromkeys(set(tokenize(query)), 1.0))

    def weighted_scores(self, terms: dict[str, float]) -> dict[int, float]:
        """BM25 of already tokenized terms, each weighted (query expansion weighs the
        added terms below the query's own)."""
        out: dict[int, float] = {}
        for term, weight in terms.items():
            idf = self._idf.get(term)
            if idf is None:
                continue
            for i in self._postings[term]:
                f = self._tfs[i][term]
                norm = self.k1 * (1 - self.b + self.b * self._lens[i] / (self._avg or 1.0))
                out[i] = out.get(i, 0.0) + weight * idf * f * (self.k1 + 1) / (f + norm)
        return out

    def top(self, query: str, n: int) -> list[tuple[int, float]]:
        ranked = sorted(self.scores(query).items(), key=lambda kv: (-kv[1], kv[0]))
        return ranked[:n]


def rrf(
    rankings: Sequence[Sequence[str]], k: float = 60, weights: Sequence[float] | None = None
) -> dict[str, float]:
    """Reciprocal rank fusion: each list adds weight / (k + rank) for the ids it ranks."""
    fused: dict[str, float] = {}
    for n, ranking in enumerate(rankings):
        w = 1.0 if weights is None else weights[n]
        if not w:
            continue
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + w / (k + rank)
    return fused


class FusionParams(BaseModel):
    """How the retrievers are combined; see ``Settings`` for what each one means."""

    candidates: int = 30
    rrf_k: float = 60
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    heading_weight: float = 0.0
    window_weight: float = 0.0
    stub_weight: float = 1.0
    multilingual_weight: float = 0.0
    foreign_dense_weight: float = 1.0
    foreign_bm25_weight: float = 1.0
    foreign_multilingual_weight: float = 1.0
    native_dense_weight: float = 1.0
    native_bm25_weight: float = 0.5
    native_multilingual_weight: float = 1.0
    exact_margin: float = 0.0
    dense_margin: float = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> FusionParams:
        return cls(**{name: getattr(settings, name) for name in cls.model_fields})

    def weights(self, pair: int) -> tuple[float, float, float]:
        """(English dense, BM25, multilingual dense) weights for a query and a chunk in
        the language ``pair`` says (``ENGLISH_PAIR``, ``NATIVE_PAIR``, ``CROSS_PAIR``)."""
        if pair == ENGLISH_PAIR:
            return self.dense_weight, self.bm25_weight, self.multilingual_weight
        if pair == NATIVE_PAIR:
            return (
                self.native_dense_weight,
                self.native_bm25_weight,
                self.native_multilingual_weight,
            )
        return self.foreign_dense_weight, self.foreign_bm25_weight, self.foreign_multilingual_weight

    def pair_weights(self, pairs: set[int]) -> tuple[float, float, float]:
        """The largest weight of each retriever over ``pairs``: a retriever whose
        weight is 0 for every pair a query meets need not run."""
        rows = [self.weights(p) for p in pairs] or [self.weights(ENGLISH_PAIR)]
        return max(r[0] for r in rows), max(r[1] for r in rows), max(r[2] for r in rows)


@dataclass
class Signals:
    """What each retriever says about one query, best first, before fusion.
    ``english``: the query is in the notes' language (English for most notes)."""

    english: bool
    # Language pair of each chunk with the query (ENGLISH_PAIR ...), or None when
    # every chunk pairs alike: ENGLISH_PAIR if ``english``, else CROSS_PAIR.
    pairs: list[int] | None = None
    dense: list[tuple[int, float]] = field(default_factory=list)
    # Best sentence-window similarity of each chunk that has windows (window_index).
    windows: dict[int, float] = field(default_factory=dict)
    bm25_text: dict[int, float] = field(default_factory=dict)
    bm25_heading: dict[int, float] = field(default_factory=dict)
    multilingual: list[tuple[int, float]] | None = None
    # BM25's best chunk when it alone in the notes shares a query term (a number, an
    # identifier, a rare name), with its score over the best of any other section.
    exact: tuple[int, float] | None = None

    def dense_ranked(self, window_weight: float, n: int) -> list[tuple[int, float]]:
        """Dense candidates scored by the chunk's vector plus ``window_weight`` times its
        best window (a chunk without windows counts its own vector again, so short
        chunks are not penalised for having none)."""
        if not window_weight or not self.windows:
            return self.dense[:n]
        own = dict(self.dense)
        # A chunk only its windows found: its own similarity is at most the lowest
        # that the dense search returned.
        floor = min(own.values()) if own else 0.0
        scores = {
            i: own.get(i, floor) + window_weight * self.windows.get(i, own.get(i, floor))
            for i in set(own) | set(self.windows)
        }
        return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:n]

    def pair_of(self, i: int) -> int:
        if self.pairs is not None:
            return self.pairs[i]
        return ENGLISH_PAIR if self.english else CROSS_PAIR

    def pairs_met(self) -> set[int]:
        return set(self.pairs) if self.pairs is not None else {self.pair_of(0)}

    def bm25(self, heading_weight: float, n: int) -> list[tuple[int, float]]:
        scores = dict(self.bm25_text)
        if heading_weight:
            for i, s in self.bm25_heading.items():
                scores[i] = scores.get(i, 0.0) + heading_weight * s
        return sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def _weaken_stubs(
    ranked: list[tuple[int, float]], stubs: Sequence[bool], weight: float
) -> list[tuple[int, float]]:
    """A stub section's score times ``weight``, re-sorted: in each retriever a stub
    counts as a weaker match than a section with notes that scores nearly as well."""
    if weight == 1.0:
        return ranked
    scaled = [(i, s * weight if stubs[i] and s > 0 else s) for i, s in ranked]
    return sorted(scaled, key=lambda kv: (-kv[1], kv[0]))


def _dense_leader(signals: Signals, params: FusionParams, sections: Sequence[str]) -> int | None:
    """Dense search's best chunk when it leads the best chunk of any other section by at
    least ``params.dense_margin`` (in dense scores: similarity plus ``window_weight``
    times the best window's), for an English query over English notes. A stub may lead:
    the stub weight keeps a stub below notes that score nearly as well, and a clear lead
    says that no section with notes does (its question is what was asked)."""
    if signals.pairs_met() != {ENGLISH_PAIR} or not params.dense_weight:
        return None  # in notes that mix languages, dense scores across them do not compare
    ranked = signals.dense_ranked(params.window_weight, params.candidates)
    if not ranked:
        return None
    top, best = ranked[0]
    second = next((s for i, s in ranked[1:] if sections[i] != sections[top]), None)
    if second is None or best - second < params.dense_margin:
        return None
    return top


def fuse(
    signals: Signals,
    params: FusionParams,
    stubs: Sequence[bool],
    sections: Sequence[str] | None = None,
) -> list[tuple[int, float]]:
    """Chunk indices with fused scores, best first: weighted reciprocal rank fusion in
    which each chunk's weights follow its language pair with the query (a Spanish
    chunk is judged by the multilingual model for an English query, an English chunk
    by the English model and BM25). ``sections``: each chunk's section id, needed by
    the dense-margin rule (off without it)."""
    n = params.candidates
    ranked = [signals.dense_ranked(params.window_weight, n), signals.bm25(params.heading_weight, n)]
    if signals.multilingual is not None:
        ranked.append(signals.multilingual[:n])
    table = {p: params.weights(p) for p in (ENGLISH_PAIR, NATIVE_PAIR, CROSS_PAIR)}
    fused: dict[int, float] = {}
    for member, found in enumerate(ranked):
        for rank, (i, _) in enumerate(_weaken_stubs(found, stubs, params.stub_weight), start=1):
            w = table[signals.pair_of(i)][member]
            if w:
                fused[i] = fused.get(i, 0.0) + w / (params.rrf_k + rank)
    if params.exact_margin and signals.exact and fused and len(signals.pairs_met()) == 1:
        # A rare term matched exactly, by one section only and by a clear BM25 margin,
        # is stronger evidence than rank fusion can show (dense vectors blur numbers and
        # names): that chunk goes first. Not when BM25 has no say for that chunk (one in
        # another language than the query: a shared word there is a name, not the topic),
        # nor in notes that mix languages: most of their sections cannot share a word
        # with the query, so one section alone sharing one says little (measured on the
        # tuning split: 2 mixed-language queries gained at rank 1, none lost).
        top, margin = signals.exact
        if margin >= params.exact_margin and table[signals.pair_of(top)][1]:
            fused[top] = max(fused.values()) + 1.0
    if params.dense_margin and sections is not None and fused:
        # Rank fusion weighs every member by rank alone, so a BM25 list that puts a
        # word-sharing neighbour first can unseat a section the dense model prefers by a
        # wide margin; such a clear lead is trusted (measured on the tuning split).
        leader = _dense_leader(signals, params, sections)
        if leader is not None:
            fused[leader] = max(fused.values()) + 1.0
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


class Retriever:
    """Search over one corpus's index. Build it once and reuse it: a session keeps
    one Retriever so each query costs one embedding and one Chroma query."""

    def __init__(
        self, settings: Settings, chunks: list[Chunk], store: ChunkStore, embedder: Embedder
    ) -> None:
        self.settings = settings
        self.params = FusionParams.from_settings(settings)
        self.chunks = chunks
        self._stubs = [c.is_stub for c in chunks]
        self._sections = [c.section_id for c in chunks]
        self._by_id = {c.id: i for i, c in enumerate(chunks)}
        self._store = store
        self._embedder = embedder
        self._bm25: BM25 | None = None
        self._bm25_heading: BM25 | None = None
        self._windows: tuple[np.ndarray, np.ndarray] | None | Literal[False] = None
        self._multi: np.ndarray | None | Literal[False] = None  # False: not available
        self._multi_mean: np.ndarray | None = None
        self._lang_means: dict[str, np.ndarray] = {}
        self._notes_langs: dict[str, float] | None = None
        self._chunk_langs: list[str] | None = None

    @property
    def bm25(self) -> BM25:
        if self._bm25 is None:
            self._bm25 = BM25([c.embed_text for c in self.chunks])
        return self._bm25

    @property
    def bm25_heading(self) -> BM25:
        if self._bm25_heading is None:
            self._bm25_heading = BM25([c.heading for c in self.chunks])
        return self._bm25_heading

    def embed_query(self, query: str) -> np.ndarray:
        return self._embedder.embed([query])[0]

    def dense(
        self, query: str, n: int, vector: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        vector = self.embed_query(query) if vector is None else vector
        found = self._store.query(vector, min(n, len(self.chunks)))
        return [(self._by_id[cid], s) for cid, s in found if cid in self._by_id]

    def window_vectors(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(chunk index, vector) of every sentence window, or None when the index has
        none (made before them, or by another embedder)."""
        if self._windows is None:
            from interviewer.window_index import load_windows

            found = load_windows(self.settings.index_dir, self.chunks, self._embedder.name)
            self._windows = found if found is not None else False
        return None if self._windows is False else self._windows

    def windows(self, vector: np.ndarray, n: int) -> dict[int, float]:
        """The best window similarity of the ``n`` chunks whose best windows match best."""
        found = self.window_vectors()
        if found is None:
            return {}
        import numpy as np

        where, vectors = found
        sims = vectors @ np.asarray(vector, dtype=np.float32)
        best = np.full(len(self.chunks), -np.inf, dtype=np.float32)
        np.maximum.at(best, where, sims)
        top = np.argsort(-best, kind="stable")[:n]
        return {int(i): float(best[i]) for i in top if np.isfinite(best[i])}

    def multilingual_vectors(self) -> np.ndarray | None:
        """The chunks' multilingual vectors, or None when the index has none."""
        if self._multi is None:
            vectors = None
            if self.settings.multilingual != "off":
                from interviewer.multilingual_index import load_vectors, sync_vectors

                vectors = load_vectors(self.settings.index_dir, self.chunks)
                if vectors is None and self.chunks:
                    # First query not in English on this corpus: build them once
                    # (later syncs keep them in step). Unwritable index: go without.
                    with contextlib.suppress(OSError):
                        sync_vectors(self.settings.index_dir, self.chunks)
                    vectors = load_vectors(self.settings.index_dir, self.chunks)
            if vectors is not None and len(vectors):
                vectors = self._centre(vectors)
            self._multi = vectors if vectors is not None else False
        return None if self._multi is False else self._multi

    def _centre(self, vectors: np.ndarray) -> np.ndarray:
        """Each chunk minus the mean of the chunks in its language. e5's vectors share
        a large common direction (boilerplate chunks are near every query) and one per
        language (a Spanish query drifts to Spanish notes on another topic); removing
        both lets the topic decide. The query gets the same treatment."""
        langs = self.chunk_languages()
        self._multi_mean = vectors.mean(axis=0)
        # A language with few chunks has no mean of its own: the mean of a handful of
        # chunks is mostly their topic, and taking it away would leave noise.
        groups = {lang: [i for i, x in enumerate(langs) if x == lang] for lang in set(langs)}
        self._lang_means = {
            lang: vectors[rows].mean(axis=0)
            for lang, rows in groups.items()
            if len(rows) >= MIN_LANGUAGE_CHUNKS
        }
        import numpy as np

        centred = vectors - np.stack([self._lang_means.get(x, self._multi_mean) for x in langs])
        norms = np.linalg.norm(centred, axis=1, keepdims=True)
        return np.asarray(centred / np.clip(norms, 1e-12, None))

    def multilingual(self, query: str, n: int) -> list[tuple[int, float]] | None:
        vectors = self.multilingual_vectors()
        if vectors is None:
            return None
        from interviewer.embeddings import get_multilingual_embedder

        # Centred like the chunks (see _centre); a language the notes do not use gets
        # the mean of all chunks.
        from interviewer.language import detect_language

        centre = self._lang_means.get(detect_language(query), self._multi_mean)
        q = get_multilingual_embedder().query([query])[0]
        if centre is not None:
            q = q - centre
        import numpy as np

        sims = vectors @ (q / max(float(np.linalg.norm(q)), 1e-12))
        top = np.argsort(-sims, kind="stable")[:n]
        return [(int(i), float(sims[i])) for i in top]

    def _languages_key(self) -> str:
        import hashlib

        return hashlib.sha1("\x00".join(c.id for c in self.chunks).encode()).hexdigest()

    def _read_languages(self) -> dict:
        try:
            cached = json.loads((self.settings.index_dir / LANGUAGES_FILE).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        fresh = isinstance(cached, dict) and cached.get("key") == self._languages_key()
        return cached if fresh else {}

    def _write_languages(self) -> None:
        data: dict = {"key": self._languages_key(), "shares": self._notes_langs}
        if self._chunk_langs is not None:
            data["chunks"] = self._chunk_langs
        with contextlib.suppress(OSError):
            from interviewer.files import write_atomic

            write_atomic(self.settings.index_dir / LANGUAGES_FILE, json.dumps(data).encode())

    def notes_languages(self) -> dict[str, float]:
        """Share of the notes (by chunk, on a sample) written in each language; kept
        in the index dir for the next cold search while the chunks stay the same."""
        if self._notes_langs is None:
            cached = self._read_languages()
            try:
                self._notes_langs = {str(k): float(v) for k, v in cached["shares"].items()}
                if self._chunk_langs is None and isinstance(cached.get("chunks"), list):
                    langs = [str(x) for x in cached["chunks"]]
                    self._chunk_langs = langs if len(langs) == len(self.chunks) else None
            except (KeyError, AttributeError, TypeError, ValueError):
                self._notes_langs = None
            if self._notes_langs is None:
                self._notes_langs = self._measure_languages()
                self._write_languages()
        return self._notes_langs

    def chunk_languages(self) -> list[str]:
        """The language of every chunk (``und`` where there are no words to tell by),
        measured once per set of chunks and kept beside the languages' shares."""
        if self._chunk_langs is None:
            self.notes_languages()  # reads the cached codes when there are any
        if self._chunk_langs is None:
            from interviewer.language import detect_language

            self._chunk_langs = [detect_language(c.embed_text) for c in self.chunks]
            self._write_languages()
        return self._chunk_langs

    def _measure_languages(self) -> dict[str, float]:
        from interviewer.language import detect_language

        # A sample is enough, and keeps a cold search fast on large notes.
        sample = self.chunks[:: max(1, len(self.chunks) // 50)]
        counts = Counter(detect_language(c.text[:600]) for c in sample)
        total = sum(counts.values()) or 1
        return {lang: n / total for lang, n in counts.items()}

    def _query_language(self, query: str) -> str:
        from interviewer.language import ENGLISH, detect_language, is_english

        return ENGLISH if is_english(query) else detect_language(query)

    def _same_language(self, query: str) -> bool:
        """Is (nearly) everything in the notes written in the query's language? If
        not, a query may have to find notes in another language: the multilingual
        model is needed."""
        from interviewer.language import ENGLISH

        lang = self._query_language(query)
        shares = self.notes_languages()
        if not shares:
            return lang == ENGLISH
        # Sections with no words to tell by ("und") do not count against it.
        return shares.get(lang, 0.0) + shares.get("und", 0.0) >= SAME_LANGUAGE_SHARE

    def language_pairs(self, query: str) -> tuple[bool, list[int] | None]:
        """(same language, pair of each chunk). When (nearly) all the notes are in the
        query's language every chunk pairs alike (None): English with English, or the
        same other language. Otherwise each chunk pairs by its own language: notes
        that mix languages are weighed chunk by chunk."""
        from interviewer.language import ENGLISH, UNKNOWN

        lang = self._query_language(query)
        same = self._same_language(query)
        if same and lang in (ENGLISH, UNKNOWN):
            return True, None
        if same:
            return True, [NATIVE_PAIR] * len(self.chunks)
        pairs = []
        for chunk_lang in self.chunk_languages():
            if chunk_lang in (UNKNOWN, lang):
                pairs.append(ENGLISH_PAIR if lang in (ENGLISH, UNKNOWN) else NATIVE_PAIR)
            else:
                pairs.append(CROSS_PAIR)
        return False, pairs

    def signals(self, query: str, n: int, mode: Mode | Literal["all"] = "hybrid") -> Signals:
        """Candidates of the retrievers that ``mode`` needs (``all``: every one, for
        fitting the fusion), ``n`` from each."""
        # Weights by the language pair of query and chunk (see language_pairs).
        english, pairs = self.language_pairs(query)
        out = Signals(english=english, pairs=pairs)
        w_dense, w_bm25, w_multi = self.params.pair_weights(out.pairs_met())
        every = mode == "all"
        if every or mode == "dense" or (mode == "hybrid" and w_dense):
            vector = self.embed_query(query)
            # Deeper than n: a chunk's window score can lift it past chunks above it.
            out.dense = self.dense(query, max(n, 3 * n) if self.params.window_weight else n, vector)
            if every or (mode == "hybrid" and self.params.window_weight):
                out.windows = self.windows(vector, n)
        if every or mode == "bm25" or (mode == "hybrid" and w_bm25):
            ranked = self.bm25.top(query, n)
            out.bm25_text = dict(ranked)
            out.exact = self._exact_match(query, ranked)
            if every or (mode == "hybrid" and self.params.heading_weight):
                out.bm25_heading = dict(self.bm25_heading.top(query, n))
        if every or mode == "multilingual" or (mode == "hybrid" and w_multi):
            out.multilingual = self.multilingual(query, n)
        return out

    def _exact_match(self, query: str, ranked: list[tuple[int, float]]) -> tuple[int, float] | None:
        """BM25's best chunk and its score margin over the best chunk of any other
        section, when a query term occurs in that chunk's section and nowhere else, and
        no other section holds a query term of its own: when several sections each hold
        a word no other one has, such words are incidental vocabulary, not the rare name
        the rule trusts (measured on the tuning split: +1 query at rank 1, none lost)."""
        if not ranked:
            return None
        top, best = ranked[0]
        section = self.chunks[top].section_id
        postings = self.bm25.postings
        found = False
        for term in set(tokenize(query)):
            where = postings.get(term)
            if not where:
                continue
            owners = {self.chunks[j].section_id for j in where}
            if len(owners) > 1:
                continue
            if section not in owners:
                return None  # another section holds a query term no other one has
            found = found or top in where
        if not found:
            return None
        others = [s for j, s in ranked[1:] if self.chunks[j].section_id != section]
        second = others[0] if others else 0.0
        return top, (best / second if second > 0 else math.inf)

    def search(
        self,
        query: str,
        k: int | None = None,
        mode: Mode = "hybrid",
        *,
        kinds: Sequence[str] | None = None,
        dedupe: bool = True,
    ) -> list[Hit]:
        """The best ``k`` chunks for ``query``, at most one per section."""
        k = k or self.settings.top_k
        query = clean_text(query)
        if not query.strip() or not self.chunks:
            return []
        n = max(self.params.candidates, k * 3)
        signals = self.signals(query, n, mode)
        params = self.params.model_copy(update={"candidates": n})
        return self.rank(signals, mode, params, k, kinds=kinds, dedupe=dedupe)

    def rank(
        self,
        signals: Signals,
        mode: Mode,
        params: FusionParams,
        k: int,
        *,
        kinds: Sequence[str] | None = None,
        dedupe: bool = True,
    ) -> list[Hit]:
        """Hits from already gathered signals (fitting re-ranks the same signals
        under many parameter sets)."""
        n = params.candidates
        order: list[tuple[int, float]]
        if mode == "hybrid":
            order = fuse(signals, params, self._stubs, self._sections)
        elif mode == "dense":
            order = signals.dense[:n]
        elif mode == "bm25":
            order = signals.bm25(0.0, n)
        else:
            order = (signals.multilingual or [])[:n]
        return self._hits(order, k, kinds, dedupe, dict(signals.dense), signals.bm25_text)

    def _hits(
        self,
        order: list[tuple[int, float]],
        k: int,
        kinds: Sequence[str] | None,
        dedupe: bool,
        dense_scores: dict[int, float],
        sparse_scores: dict[int, float],
    ) -> list[Hit]:
        hits: list[Hit] = []
        seen: set[str] = set()
        for i, score in order:
            chunk = self.chunks[i]
            if kinds and chunk.kind not in kinds:
                continue
            if dedupe and chunk.section_id in seen:
                continue
            seen.add(chunk.section_id)
            hits.append(
                Hit(
                    chunk_id=chunk.id,
                    section_id=chunk.section_id,
                    source=chunk.source,
                    heading=chunk.heading,
                    text=chunk.text,
                    score=round(float(score), 6),
                    dense_score=dense_scores.get(i),
                    bm25_score=sparse_scores.get(i),
                    kind=chunk.kind,
                    url=chunk.url,
                    line_start=chunk.line_start,
                    line_end=chunk.line_end,
                    is_stub=chunk.is_stub,
                    citing_sections=chunk.citing_sections,
                )
            )
            if len(hits) >= k:
                break
        return hits

    def chunks_for_section(self, section_id: str) -> list[Chunk]:
        return [c for c in self.chunks if c.section_id == section_id]

    def references_citing(self, source: str, heading: str) -> list[Chunk]:
        """Reference chunks fetched from links of the section ``source § heading``."""
        key = f"{source} § {heading}"
        return [c for c in self.chunks if c.kind == "reference" and key in c.citing_sections]


def open_retriever(
    settings: Settings, *, ensure_index: bool = True, embedder: Embedder | None = None
) -> Retriever:
    """A retriever over the current index; when ``ensure_index`` is set, a missing or
    stale index is synced first (only changed files are re-embedded)."""
    from interviewer.embeddings import get_embedder
    from interviewer.index import ChunkStore, load_chunks, read_manifest, sync_index
    from interviewer.index import ensure_index as make_usable

    embedder = embedder or get_embedder(settings)
    if ensure_index:
        # Synced when stale, rebuilt when the store fails its self-check.
        make_usable(settings, embedder=embedder)
    manifest = read_manifest(settings.index_dir)
    if manifest is None:
        raise StoreError("no index yet: run `interviewer index`")
    try:
        chunks = load_chunks(settings.index_dir)
    except StoreError:
        if not ensure_index:
            raise
        # A damaged chunk snapshot: sync rebuilds it, then read it again.
        sync_index(settings, embedder=embedder)
        chunks = load_chunks(settings.index_dir)
    store = ChunkStore(settings, manifest.collection)
    if ensure_index and store.count() != len(chunks):
        # Vectors lost (e.g. the chroma dir deleted): dense search would silently find
        # nothing, so sync, which rebuilds a store that disagrees with the snapshot.
        sync_index(settings, embedder=embedder)
        chunks = load_chunks(settings.index_dir)
        store = ChunkStore(settings, manifest.collection)
    return Retriever(settings, chunks, store, embedder)


def hits_json(hits: list[Hit]) -> str:
    return json.dumps([h.model_dump(mode="json") for h in hits], ensure_ascii=False, indent=2)
