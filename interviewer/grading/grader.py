"""The ``Grader`` facade: opens the bank, grades answers, asks follow-ups."""

from __future__ import annotations

import copy
import difflib
import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, TypeVar, cast

from interviewer.errors import InterviewerError
from interviewer.feedback import Feedback
from interviewer.grading import feedback_text, free_text
from interviewer.grading.bank import (
    build_bank,
    corpus_key,
    load_cached_bank,
    reference_chunks,
    save_bank,
)
from interviewer.grading.coverage import topic_matches
from interviewer.grading.grounded import grade_core
from interviewer.grading.models import Bank, KeyPoint, Question
from interviewer.grading.params import GradingParams, load_params
from interviewer.grading.points import embed_text_of, iter_points
from interviewer.grading.refine import _refine
from interviewer.grading.rubric import (
    apply_rubric_question,
    load_overrides,
    match_rubric,
    normalise_question,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable

    import numpy as np

    from interviewer.llm import ResponseCache
    from interviewer.settings import Settings


# Answer sentences are embedded cut to this many words (MiniLM's cost grows with the
# tokens; a sentence's point is in its first words) and cached, this many at most.
CLAIM_EMBED_WORDS = 48
CLAIM_CACHE_SIZE = 4096
# Values of one kind ``Grader.derived`` keeps, at most.
DERIVED_CACHE_SIZE = 4096

T = TypeVar("T")


class Grader:
    """Grades answers against the notes; build it with :meth:`open`. One grader serves
    a whole session: key-point embeddings are cached, only the answer is embedded."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Any = None,
        llm: Any = None,
        params: GradingParams | None = None,
    ) -> None:
        self.settings = settings
        self.params = params or load_params()
        self._embedder = embedder
        self._retriever: Any = None  # opened on first use (``retriever``)
        self._retriever_failed = False
        self.llm = llm
        self._bank: Bank | None = None
        self._vectors: dict[str, np.ndarray] = {}
        # _lock guards the bank and the caches; _open_lock the lazily opened parts
        # (the retriever may take long to open: grading need not wait for it).
        self._lock = threading.RLock()
        self._open_lock = threading.RLock()
        self._claim_vecs: OrderedDict[str, np.ndarray] = OrderedDict()
        # Values derived from the bank (``derived``), by kind and key.
        self._derived: dict[str, dict[Hashable, Any]] = {}

    # ---- construction ------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        use_llm: bool | None = None,
        cache: ResponseCache | None = None,
        params: GradingParams | None = None,
    ) -> Grader:
        """The embedder, the question bank (cached next to the index, or extracted now)
        and the model when ``use_llm`` (default: the settings) allows it, its replies
        kept in ``cache``. The retriever opens later, at its first use."""
        from interviewer.embeddings import get_embedder

        want_llm = settings.use_llm if use_llm is None else use_llm
        llm = None
        if want_llm:
            from interviewer.llm import make_llm

            llm = make_llm(settings.model_copy(update={"use_llm": True}), cache=cache)
        grader = cls(settings, embedder=get_embedder(settings), llm=llm, params=params)
        grader.bank  # noqa: B018 - load now so that corpus errors surface at open
        return grader

    def with_params(self, params: GradingParams) -> Grader:
        """A grader with other thresholds sharing this one's bank, embedder and
        caches (a calibration search grades the same answers under many settings)."""
        other = copy.copy(self)
        other.params = params
        # (Duplicate groups depend on the thresholds.)
        other._derived = {k: v for k, v in self._derived.items() if k != "groups"}
        return other

    @property
    def embedder(self) -> Any:
        if self._embedder is None:
            with self._open_lock:
                if self._embedder is None:
                    from interviewer.embeddings import get_embedder

                    self._embedder = get_embedder(self.settings)
        return self._embedder

    @property
    def retriever(self) -> Any:
        """The index's retriever, or None without a usable index. Opened once: other
        threads wait for it (opening may build the index)."""
        if self._retriever is None and not self._retriever_failed:
            embedder = self.embedder
            with self._open_lock:
                if self._retriever is None and not self._retriever_failed:
                    try:
                        from interviewer.retrieval import open_retriever

                        self._retriever = open_retriever(self.settings, embedder=embedder)
                    except InterviewerError:
                        self._retriever_failed = True
        return self._retriever

    @property
    def bank(self) -> Bank:
        with self._lock:
            if self._bank is None:
                self._bank = self._load_bank()
            return self._bank

    def _load_bank(self, apply_overrides: bool = True) -> Bank:
        from interviewer.corpus import load_corpus

        settings = self.settings
        refs = reference_chunks(settings)
        key = corpus_key(settings, self.embedder.name, [r.id for r in refs])
        cached = load_cached_bank(settings.index_dir, key, self.embedder.dim)
        if cached is not None:
            bank, vectors = cached
        else:
            docs = load_corpus(settings.corpus_dir, settings.max_file_bytes).documents
            from interviewer.vector_cache import cached_embedder  # texts embedded once

            embedder = cached_embedder(settings, self.embedder)
            bank, vecs = build_bank(docs, embedder, refs, corpus_key=key)
            assert vecs is not None
            vectors = vecs
            save_bank(settings.index_dir, bank, vectors)
        for kp, row in zip(iter_points(bank), vectors, strict=True):
            self._vectors[embed_text_of(kp)] = row
        if apply_overrides:
            self._apply_overrides(bank)
            from interviewer.wording import apply_cached

            apply_cached(settings, bank.questions)  # a model's wording of topic units
        return bank

    def extracted(self) -> Bank:
        """The bank as the notes give it, before rubric overrides."""
        return self._load_bank(apply_overrides=False)

    def _apply_overrides(self, bank: Bank) -> None:
        rubric = load_overrides(self.settings)
        if not rubric.questions:
            return
        for q in bank.questions:
            rq = match_rubric(q, rubric)
            if rq is not None:
                q.key_points = apply_rubric_question(q, rq, bank)
                q.overridden = True

    def reload(self) -> None:
        """Forget the bank (after a rubric import or a corpus change)."""
        with self._lock:
            self._bank = None
            self._derived = {}

    def derived(self, kind: str, key: Hashable, compute: Callable[[], T]) -> T:
        """A value derived from the bank (the notes' sections, their vocabulary, a
        question's duplicate points ...), computed once per ``kind`` and ``key`` until
        ``reload``. Computed outside the lock: two threads may both compute it."""
        with self._lock:
            table = self._derived.setdefault(kind, {})
            if key in table:
                return cast("T", table[key])
        value = compute()
        with self._lock:
            if len(table) > DERIVED_CACHE_SIZE:
                table.clear()
            return cast("T", table.setdefault(key, value))

    # ---- questions ---------------------------------------------------------------------
    def questions(self, topics: list[str] | None = None) -> list[Question]:
        """The question bank, optionally filtered: a question matches a topic when the
        topic is a case-insensitive substring of its text, heading, topic or tags, or
        when every word of the topic (stemmed) appears in them."""
        qs = list(self.bank.questions)
        if not topics:
            return qs
        return [q for q in qs if any(topic_matches(t, q) for t in topics if t.strip())]

    def find_question(self, text: str) -> Question | None:
        """The bank's question with this text: exact (normalised), then fuzzy (typos,
        punctuation), then by meaning (a rephrased question). None for a question the
        notes do not ask; ``grade`` grades those by retrieval."""
        norm = normalise_question(text)
        qs = self.bank.questions
        if not norm or not qs:
            return None
        for q in qs:
            if norm in (normalise_question(q.text), normalise_question(q.heading)):
                return q

        def closeness(q: Question) -> float:
            return difflib.SequenceMatcher(None, norm, normalise_question(q.text)).ratio()

        best = max(qs, key=closeness)
        if closeness(best) >= self.params.fuzzy_question_ratio:
            return best
        vecs = self._embed_many([text] + [q.text for q in qs])
        sims = vecs[1:] @ vecs[0]
        i = int(sims.argmax())
        return qs[i] if float(sims[i]) >= self.params.same_question_cosine else None

    # ---- grading -------------------------------------------------------------------------
    def grade(
        self,
        question: str | Question,
        answer: str,
        *,
        hints_used: int = 0,
        use_llm: bool | None = None,
        on_token: Callable[[str], None] | None = None,
    ) -> Feedback:
        """The grounded grade, refined by the model (``use_llm`` None: whenever the
        grader has one)."""
        q = self._resolve(question)
        grounded = self.grade_grounded(q, answer, hints_used=hints_used)
        want = self.llm is not None if use_llm is None else (use_llm and self.llm is not None)
        if not want:
            return grounded
        return self.refine_with_llm(grounded, q, answer, on_token=on_token)

    def _resolve(self, question: str | Question) -> Question:
        if isinstance(question, Question):
            return question
        found = self.find_question(question)
        return found if found is not None else free_text.free_text_question(self, question)

    def grade_grounded(
        self, question: str | Question, answer: str, *, hints_used: int = 0
    ) -> Feedback:
        """The deterministic grade: no model involved."""
        started = time.perf_counter()
        q = self._resolve(question)
        fb = grade_core(self, q, answer or "", max(0, hints_used))
        fb.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        return fb

    # ---- assessment ----------------------------------------------------------------------
    def _vector(self, kp: KeyPoint) -> np.ndarray:
        return self._embed_many([embed_text_of(kp)])[0]

    def _embed_claims(self, texts: list[str]) -> np.ndarray:
        """Embeddings of answer sentences, one batch for the texts not cached
        (follow-ups, re-grades and eval repeats reuse them)."""
        import numpy as np

        keys = [" ".join(t.split()[:CLAIM_EMBED_WORDS]) for t in texts]
        with self._lock:
            have = {k: self._claim_vecs[k] for k in keys if k in self._claim_vecs}
            for k in have:
                self._claim_vecs.move_to_end(k)
        missing = [k for k in dict.fromkeys(keys) if k not in have]
        if missing:
            fresh = self.embedder.embed(missing)
            with self._lock:
                for k, v in zip(missing, fresh, strict=True):
                    have[k] = v
                    self._claim_vecs[k] = v
                while len(self._claim_vecs) > CLAIM_CACHE_SIZE:
                    self._claim_vecs.popitem(last=False)
        if not keys:
            return np.zeros((0, self.embedder.dim), dtype=np.float32)
        return np.stack([have[k] for k in keys])

    def _embed_many(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            for t, v in zip(missing, self.embedder.embed(missing), strict=True):
                self._vectors[t] = v
        return np.stack([self._vectors[t] for t in texts])

    # ---- hints, follow-ups, free-text questions --------------------------------------------
    def hint(self, question: Question, already_given: int) -> KeyPoint | None:
        """The next key point to reveal (most important first, one per idea), or None."""
        return feedback_text.next_hint(self, question, already_given)

    def follow_up_for(self, feedback: Feedback) -> str | None:
        """A question on the most important missed point, or None (see ``feedback_text``)."""
        return feedback_text.follow_up_for(self, feedback)

    # ---- the model layer -----------------------------------------------------------------
    def refine_with_llm(
        self,
        grounded: Feedback,
        question: str | Question,
        answer: str,
        on_token: Callable[[str], None] | None = None,
    ) -> Feedback:
        """The model's critique, checked against the notes (``refine.merge_critique``);
        a failure leaves the grounded result with ``model_error`` set. ``on_token``
        receives the critique's prose as it streams."""
        q = self._resolve(question)
        return _refine(self, grounded, q, answer, on_token)

