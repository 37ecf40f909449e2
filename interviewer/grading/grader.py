"""The ``Grader`` facade: opens the bank, grades answers, asks follow-ups."""

from __future__ import annotations

import contextlib
import copy
import difflib
import hashlib
import threading
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

from interviewer.corpus import Section
from interviewer.errors import InterviewerError
from interviewer.feedback import Citation, Feedback, IncorrectClaim, Point
from interviewer.grading.answer import Claim, split_claims
from interviewer.grading.bank import (
    build_bank,
    corpus_key,
    load_cached_bank,
    reference_texts,
    save_bank,
)
from interviewer.grading.claims.detect import find_contradiction
from interviewer.grading.claims.inversion import opposite_direction
from interviewer.grading.claims.membership import _wrong_membership
from interviewer.grading.claims.overclaim import _PRONOUN_START, _overclaim
from interviewer.grading.claims.registry import Finding, voids_credit, whole_sentence
from interviewer.grading.claims.subject import _note_sentences
from interviewer.grading.claims.swap import contrast_swap
from interviewer.grading.constants import CLAIM_CACHE_SIZE, CLAIM_EMBED_WORDS
from interviewer.grading.contrast import (
    names_in,
    question_contrast,
    sentence_subjects,
    subject_names,
)
from interviewer.grading.coverage import (
    _NAMED_NOT_MADE,
    _RANK,
    _STATUSES,
    _Assessment,
    _by_importance,
    _formula_in,
    _label_in,
    _label_sets,
    _lexical,
    _name_item,
    _opposes,
    _polarity_conflict,
    _short,
    _topic_matches,
    gradable_points,
    same_point,
    sibling_named,
    void_swapped,
)
from interviewer.grading.cues import DONT_KNOW
from interviewer.grading.feedback_text import (
    _adhoc_point,
    _case,
    _critique,
    describe,
    follow_up_question,
)
from interviewer.grading.language import (
    is_gibberish,
    is_instruction,
    looks_spanish,
    spanish_to_english,
)
from interviewer.grading.material import parallel_clauses
from interviewer.grading.models import Bank, KeyPoint, Question
from interviewer.grading.naming import bare_subject, name_point
from interviewer.grading.params import GradingParams, load_params
from interviewer.grading.points import embed_text_of, iter_points, polarity
from interviewer.grading.refine import _refine
from interviewer.grading.rubric import (
    apply_rubric_question,
    load_overrides,
    match_rubric,
    normalise_question,
)
from interviewer.grading.scoring import Features, central_points, decide, score_from
from interviewer.grading.sources import _plain_block, _reference_hit_points, _unique_citations
from interviewer.grading.terms import key_terms
from interviewer.text import DEFINITIONAL, close_stems, stem, stem_index, text_terms, words

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    import numpy as np

    from interviewer.llm import ResponseCache
    from interviewer.settings import Settings


def _defines(text: str, qterms: set[str], need_verb: bool = True) -> bool:
    """The text opens with the question's subject (all its terms, three at most) and,
    for a claim, defines it ("The learning rate is ...")."""
    if not qterms or len(qterms) > 3:
        return False
    lead = set(text_terms(" ".join(words(text)[:5])).unigrams)
    return qterms <= lead and (not need_verb or bool(DEFINITIONAL.search(text[:80])))


class Grader:
    """Grades answers against the notes. Build it with :meth:`open` (loads the corpus,
    the key points and the embedder; the model only when enabled). One grader serves a
    whole session: key-point embeddings are cached, only the answer is embedded."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: Any = None,
        retriever: Any = None,
        llm: Any = None,
        params: GradingParams | None = None,
    ) -> None:
        self.settings = settings
        self.params = params or load_params()
        self._embedder = embedder
        self._retriever = retriever
        self._retriever_failed = False
        self.llm = llm
        self._bank: Bank | None = None
        self._vectors: dict[str, np.ndarray] = {}
        # _lock guards the bank and the caches; _open_lock the lazily opened parts
        # (the retriever may take long to open: grading need not wait for it).
        self._lock = threading.RLock()
        self._open_lock = threading.RLock()
        self._sections: dict[str, Section] | None = None
        self._stem_cache: dict[str, set[str]] = {}
        self._common_words: frozenset[str] | None = None
        self._note_vocab: frozenset[str] | None = None
        self._claim_vecs: OrderedDict[str, np.ndarray] = OrderedDict()
        self._groups: dict[tuple[str, tuple[str, ...]], tuple[tuple[int, ...], ...]] = {}
        self._contrasts: dict[str, tuple[frozenset[str], dict[str, frozenset[str]]]] = {}

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
        """Everything the grader needs: the embedder, the question bank (from the cache
        next to the index, or extracted now), the model when ``use_llm`` (default: the
        settings) allows it, its replies stored in ``cache`` when one is given;
        ``params``: thresholds and weights (default: ``load_params()``). The
        retriever opens lazily (once, whatever the number of threads grading), for
        free-text questions and the model's context."""
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
        other._groups = {}  # duplicate groups depend on the thresholds
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
        """The index's retriever, or None when there is no usable index. Opened once:
        threads grading at the same time wait for the first to open it (opening may
        build the index)."""
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
        refs = reference_texts(settings)
        key = corpus_key(settings, self.embedder.name, [r.chunk_id for r in refs])
        cached = load_cached_bank(settings.index_dir, key, self.embedder.dim)
        if cached is not None:
            bank, vectors = cached
        else:
            docs = load_corpus(settings.corpus_dir, settings.max_file_bytes).documents
            bank, vecs = build_bank(docs, self.embedder, refs, corpus_key=key)
            assert vecs is not None
            vectors = vecs
            # A read-only data dir only costs the next start a re-extraction.
            with contextlib.suppress(OSError):
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
            self._sections = None
            self._common_words = None
            self._note_vocab = None
            self._contrasts = {}

    # ---- questions ---------------------------------------------------------------------
    def questions(self, topics: list[str] | None = None) -> list[Question]:
        """The question bank, optionally filtered: a question matches a topic when the
        topic is a case-insensitive substring of its text, heading, topic or tags, or
        when every word of the topic (stemmed) appears in them."""
        qs = list(self.bank.questions)
        if not topics:
            return qs
        return [q for q in qs if any(_topic_matches(t, q) for t in topics if t.strip())]

    def find_question(self, text: str) -> Question | None:
        """The bank's question with this text: exact (normalised), then fuzzy (typos,
        punctuation), then by meaning (a rephrased question). None for a question the
        notes do not ask; ``grade`` grades those by retrieval."""
        norm = normalise_question(text)
        if not norm:
            return None
        qs = self.bank.questions
        for q in qs:
            if normalise_question(q.text) == norm or normalise_question(q.heading) == norm:
                return q
        best, best_ratio = None, 0.0
        for q in qs:
            ratio = difflib.SequenceMatcher(None, norm, normalise_question(q.text)).ratio()
            if ratio > best_ratio:
                best, best_ratio = q, ratio
        if best is not None and best_ratio >= self.params.fuzzy_question_ratio:
            return best
        if not qs:
            return None
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
        """Grounded grade, refined by the model when one is configured (``use_llm``
        None: whenever the grader has one). A failing model leaves the grounded grade
        with ``model_error`` set."""
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
        return found if found is not None else self._free_text_question(question)

    def grade_grounded(
        self, question: str | Question, answer: str, *, hints_used: int = 0
    ) -> Feedback:
        """The deterministic grade: no model involved."""
        started = time.perf_counter()
        q = self._resolve(question)
        fb = self._grade_core(q, answer or "", max(0, hints_used))
        fb.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        return fb

    def _grade_core(self, q: Question, answer: str, hints: int) -> Feedback:
        base: dict[str, Any] = dict(
            question=q.text,
            question_id=q.id,
            answer=answer,
            hints_used=hints,
            notes_status=q.notes_status,
            citations=_unique_citations([q.citation]),
        )
        points = gradable_points(q)
        if not points:
            if not q.source:
                # A free-text question nothing in the notes relates to (or no notes).
                return Feedback(
                    **{**base, "notes_status": "none"},
                    score=0.0,
                    grounded=False,
                    critique=(
                        "Your notes have nothing on this question, so I can't grade the "
                        "answer against them. Add notes on it (and run `interviewer "
                        "index`) to get a grounded critique."
                    ),
                )
            where = f"{q.source} § {q.heading}" if q.heading else q.source
            what = "is empty" if q.notes_status == "none" else "is only a stub"
            return Feedback(
                **base,
                score=0.0,
                grounded=False,
                critique=(
                    f"No notes to grade against: the section {where} {what}. I can't "
                    "ground a critique of this answer; write your notes there (and run "
                    "`interviewer index`) to get one."
                ),
            )

        claims, ignored, junk, spanish = self.claims(answer, points)

        notes: list[str] = []
        if ignored:
            notes.append(
                "Text addressed to the grader was ignored and earned nothing: "
                + "; ".join(f"“{_short(c, 60)}”" for c in ignored[:2])
                + "."
            )
        if spanish and claims:
            notes.append(
                "Your answer looks Spanish: matching is approximate (the embedding model "
                "is English-centric; Spanish ML terms are mapped to English)."
            )

        found = self._contradictions(claims, points, q)
        # A rule not trusted to penalise only asks the candidate to check the claim.
        incorrect = [c for c in found if not c.advisory]
        to_check = [c for c in found if c.advisory]
        # A claim that contradicts the notes earns nothing, whatever it resembles (a
        # swapped one nothing either, even when only advisory).
        wrong = {c.text for c in found if not c.advisory or voids_credit(c.rule)}
        # ... nor does the sentence around a wrong clause (its other clauses may).
        holds_wrong = {id(c.parent) for c in claims if c.parent is not None and c.text in wrong}
        fair = [
            c for c in claims
            if c.text not in wrong and id(c) not in holds_wrong
            and (c.parent is None or c.parent.text not in wrong)
        ]  # fmt: skip
        assessments = self._assess(points, fair, q)
        void_swapped(assessments, found, points, self._contrast(q)[0])
        # Near-duplicate points (the notes saying one thing twice) are one point: the
        # group shows its best-assessed member and counts once.
        shown: list[KeyPoint] = []
        for group in self.duplicate_groups(q.id, points):
            best = max(group, key=lambda kp: (_RANK[assessments[kp.id].status], kp.importance))
            shown.append(best)
        covered = [kp for kp in shown if assessments[kp.id].status == "covered"]
        partial = [kp for kp in shown if assessments[kp.id].status == "partial"]
        missed_all = [kp for kp in shown if assessments[kp.id].status == "missed"]
        score = self.score_points(
            q.id, points, {kp.id: _RANK[assessments[kp.id].status] for kp in points}, hints,
            credit={k: a.credit for k, a in assessments.items() if a.credit is not None},
        )

        if incorrect and score > 0:
            score = round(max(0.0, score - self.params.contradiction_penalty * len(incorrect)), 1)

        missed = self._top_missed(missed_all)
        off_topic = (
            bool(claims)
            and not incorrect  # a claim the notes contradict is on their topic
            and not covered
            and not partial
            and all(assessments[k.id].sim < self.params.off_topic_sim for k in points)
        )
        fb = Feedback(
            **base,
            score=score,
            covered=[self._point(k, assessments[k.id]) for k in _by_importance(covered)],
            partial=[self._point(k, assessments[k.id]) for k in _by_importance(partial)],
            missed=[self._point(k, assessments[k.id]) for k in missed],
            incorrect=incorrect,
            to_check=to_check,
            grounded=True,
        )
        fb.citations = _unique_citations(
            [q.citation]
            + [p.citation for p in fb.missed if p.citation]
            + [c.citation for c in fb.incorrect if c.citation]
            + [p.citation for p in fb.covered if p.citation]
        )
        fb.follow_up = self.follow_up_for(fb)
        names = self._names(missed[:3])
        dont_know = bool(DONT_KNOW.search(answer.strip())) and not covered and not partial
        length = self._length_remark(answer, points)
        if length:
            notes.append(length)
        fb.critique = _critique(
            fb, n_points=len(shown), empty=not answer.strip(), junk=bool(junk) and not claims,
            off_topic=off_topic and not dont_know, notes=notes, missing=names,
            dont_know=dont_know, central=central_points(len(shown), self.params),
        )  # fmt: skip
        return fb

    def _length_remark(self, answer: str, points: Sequence[KeyPoint]) -> str | None:
        """A remark when the answer is far longer than the notes' own answer."""
        n_answer = len(answer.split())
        n_notes = sum(len(kp.text.split()) for kp in points)
        p = self.params
        if n_answer < p.long_answer_min_words or n_answer < p.long_answer_ratio * n_notes:
            return None
        return (
            f"Your answer runs to {n_answer} words, about {round(n_answer / max(1, n_notes))} "
            f"times your notes' own ({n_notes} words): in an interview, make the main points "
            "briefly; length adds nothing they do not say."
        )

    def duplicate_groups(self, qid: str, points: Sequence[KeyPoint]) -> list[list[KeyPoint]]:
        """The question's points grouped by ``same_point`` (in their order; a point
        alone is a group of one). Cached per question: its points do not change."""
        key = (qid, tuple(kp.id for kp in points))
        with self._lock:
            got = self._groups.get(key)
        if got is not None:
            return [[points[i] for i in g] for g in got]
        import numpy as np
        n = len(points)
        parent = list(range(n))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        if n > 1:
            vecs = np.stack([self._vector(kp) for kp in points])
            cos = vecs @ vecs.T
            pol = [polarity(kp.text) for kp in points]
            short = [len(kp.text.split()) <= 20 for kp in points]
            subj = []
            for kp in points:
                subject, _ = describe(kp)
                subj.append(bare_subject(subject).lower() if subject else None)
            for i in range(n):
                for j in range(i + 1, n):
                    if not _polarity_conflict(pol[i], pol[j], short[i] and short[j]) and same_point(
                        float(cos[i, j]), subj[i], subj[j], points[i].label, points[j].label,
                        self.params,
                    ):
                        parent[find(j)] = find(i)
        groups: dict[int, list[int]] = {}
        for i in range(n):
            groups.setdefault(find(i), []).append(i)
        ordered = tuple(tuple(g) for g in groups.values())
        with self._lock:
            if len(self._groups) > 4096:
                self._groups.clear()
            self._groups[key] = ordered
        return [[points[i] for i in g] for g in ordered]

    def score_points(
        self, qid: str, points: Sequence[KeyPoint], status: dict[str, int], hints: int,
        credit: dict[str, float] | None = None,
    ) -> float:
        """The score from each point's status (0 missed, 1 partly, 2 covered): a group
        of near-duplicates counts once, at its best status and its heaviest weight.
        ``credit``: for partly covered compound points, the share of their clauses
        made (above the plain one half of "partly")."""
        credit = credit or {}
        covered: list[float] = []
        partial: list[float] = []
        weights: list[float] = []
        for group in self.duplicate_groups(qid, points):
            weight = max(kp.importance for kp in group)
            best = max(status.get(kp.id, 0) for kp in group)
            weights.append(weight)
            if best == 2:
                covered.append(weight)
            elif best == 1:
                share = max(credit.get(kp.id, 0.5) for kp in group if status.get(kp.id) == 1)
                # (score_from counts a partial weight at one half.)
                # (A share above one half earns more, never more than covered.)
                cap = 1.0 / max(self.params.partial_credit, 1e-6)
                partial.append(weight * min(cap, 2 * max(0.5, share)))
        return score_from(covered, partial, weights, hints, self.params)

    # ---- assessment ----------------------------------------------------------------------
    def claims(
        self, answer: str, points: Sequence[KeyPoint]
    ) -> tuple[list[Claim], list[str], list[str], bool]:
        """The answer's claims, without text addressed to the grader and gibberish
        (both returned apart), with their terms; and whether the answer is Spanish."""
        raw_claims = split_claims(answer)
        bad_sentences: set[int] = set()
        ignored: list[str] = []
        junk: list[str] = []
        for i, (c, parent) in enumerate(raw_claims):
            if parent >= 0:
                continue
            if is_instruction(c):
                ignored.append(c)
                bad_sentences.add(i)
            elif is_gibberish(c, self._notes_vocabulary()):
                junk.append(c)
                bad_sentences.add(i)
        spanish = looks_spanish(answer)
        claims: list[Claim] = []
        by_index: dict[int, Claim] = {}
        for i, (c, parent) in enumerate(raw_claims):
            if i in bad_sentences or parent in bad_sentences:
                continue
            claim = Claim(
                text=c,
                match_text=spanish_to_english(c) if spanish else c,
                index=len(claims),
                parent=by_index.get(parent) if parent >= 0 else None,
            )
            by_index[i] = claim
            claims.append(claim)
        vocabulary = {t for kp in points for t in kp.terms} | {
            t for kp in points for t in self._point_stems(kp)
        }
        index = stem_index(vocabulary)
        for claim in claims:
            raw = text_terms(claim.match_text)
            canon = close_stems(set(raw.unigrams) - vocabulary, index)
            claim.terms = text_terms(claim.match_text, canon).all if canon else raw.all
        return claims, ignored, junk, spanish

    def _assess(
        self, points: list[KeyPoint], claims: list[Claim], q: Question
    ) -> dict[str, _Assessment]:
        if not claims:
            return {kp.id: _Assessment("missed", 0.0, 0.0, None) for kp in points}
        feats = self.features(points, claims, q)
        out: dict[str, _Assessment] = {}
        for i, kp in enumerate(points):
            best: tuple[int, float, int] = (0, -1.0, 0)  # (rank, sim, claim)
            for j in range(len(claims)):
                rank = decide(feats.sim[i, j], feats.lex[i, j], int(feats.label[i, j]), self.params)
                key = (rank, float(feats.sim[i, j]), j)
                if key[:2] > best[:2]:
                    best = key
            rank, _, j = best
            credit = None
            ranks, cj = (
                self._clause_ranks(kp, claims, q)
                if rank < 2 or feats.sim[i, j] < self.params.sim_paraphrase else (None, 0)
            )  # fmt: skip
            if ranks:
                share = sum(ranks) / (2 * len(ranks))
                if all(r == 2 for r in ranks):
                    rank, j = 2, (j if rank == 2 else cj)  # every clause made: the point
                elif rank == 2 and share <= 0.5 and 0 in ranks:
                    # One clause of an enumeration, matched by its rare words, is not
                    # the whole point ("each tree is trained on a bootstrap sample" of
                    # a three-part definition of a random forest).
                    rank = 1
                elif rank < 2 and share > 0.5:
                    # Most clauses made: more than a plain "partly".
                    rank, j, credit = 1, (j if rank else cj), share
            status = _STATUSES[rank]
            out[kp.id] = _Assessment(
                status,
                round(float(feats.sim[i].max()), 3),
                round(float(feats.lex[i].max()), 3),
                claims[j].text if rank else None,
                credit if rank == 1 else None,
            )
        return out

    def _clause_ranks(
        self, kp: KeyPoint, claims: list[Claim], q: Question
    ) -> tuple[list[int] | None, int]:
        """For a point that enumerates parallel clauses ("each node represents ...,
        each branch represents ..., each leaf represents ..."): how well the answer
        makes each clause (0 missed, 1 partly, 2 covered) and the claim that makes
        the most; (None, 0) for other points."""
        clauses = parallel_clauses(kp.text)
        if not clauses or kp.doubtful:
            return None, 0
        subject, _ = name_point(kp.text, kp.label)
        context = bare_subject(subject) if subject else kp.context
        qterms = set(text_terms(q.text).unigrams)
        parts = [
            kp.model_copy(update={
                "text": c, "label": None, "context": kp.context if n == 0 else context,
                "terms": key_terms(c, None, self.bank.idf, self.bank.default_idf, qterms),
            })
            for n, c in enumerate(clauses)
        ]  # fmt: skip
        feats = self.features(parts, claims, q)
        ranks: list[int] = []
        best_claim, best_sim = 0, -1.0
        for i in range(len(parts)):
            r, sim, j = max(
                (decide(feats.sim[i, j], feats.lex[i, j], int(feats.label[i, j]), self.params),
                 float(feats.sim[i, j]), j)
                for j in range(len(claims))
            )  # fmt: skip
            ranks.append(r)
            if r and sim > best_sim:
                best_claim, best_sim = j, sim
        return ranks, best_claim

    def features(self, points: list[KeyPoint], claims: list[Claim], q: Question) -> Features:
        """Point x claim evidence: embedding similarity (a clause uses its sentence's),
        lexical overlap and whether the claim names the point's label."""
        import numpy as np

        ids = {id(c) for c in claims}
        sentences = [c for c in claims if c.parent is None or id(c.parent) not in ids]
        row = {id(c): i for i, c in enumerate(sentences)}
        svecs = self._embed_claims([c.match_text for c in sentences])
        cvecs = svecs[[row[id(c)] if id(c) in row else row[id(c.parent)] for c in claims]]
        pvecs = np.stack([self._vector(kp) for kp in points])
        sims = (pvecs @ cvecs.T).astype(np.float64)  # points x claims
        # Claims not in English: the multilingual model's similarity (on the English
        # model's scale) where it is higher (interviewer/crosslingual.py).
        from interviewer.crosslingual import needs_crosslingual, point_claim_similarity

        foreign = [j for j, c in enumerate(claims) if needs_crosslingual(c.text)]
        if not foreign and any(needs_crosslingual(kp.text) for kp in points):
            foreign = list(range(len(claims)))  # notes in another language: the reverse
        if foreign:
            sent = [c if id(c) in row else c.parent for c in claims]
            cross = point_claim_similarity(
                [kp.text for kp in points], [sent[j].text for j in foreign]  # type: ignore[union-attr]
            )
            sims[:, foreign] = np.maximum(sims[:, foreign], cross)
        lex = np.zeros_like(sims)
        label = np.zeros(sims.shape, dtype=np.int8)
        weights, default = self.bank.idf, self.bank.default_idf
        qterms = set(text_terms(q.text).unigrams)
        claim_all = [{t for t in c.terms if " " not in t} for c in claims]
        claim_uni = [u - qterms for u in claim_all]
        names, contrast = self._contrast(q)
        # The contrasted subject each claim opens with ("An inner join keeps every row
        # of the left table" is about the inner join, whatever else it names).
        opens = [subject_names(c.match_text, names) if names else set() for c in claims]
        mentions = [names_in(c.match_text, names) if names else set() for c in claims]
        defines = [_defines(c.match_text, qterms) for c in claims]
        for i, kp in enumerate(points):
            defined = _defines(kp.text, qterms, need_verb=False)
            terms = [t for t in kp.terms if t]
            label_sets = _label_sets(kp)
            p_uni = self._point_stems(kp) - qterms
            needs = contrast.get(kp.id)
            for j, c in enumerate(claims):
                if needs and not needs & (opens[j] or mentions[j]):
                    # The point is about one of the subjects the question contrasts
                    # (INNER vs LEFT JOIN); a claim that does not name it says nothing
                    # of it, however alike the rest of its words.
                    sims[i, j] = 0.0
                    continue
                if sims[i, j] > self.params.sim_floor and _opposes(c.match_text, kp.text):
                    # A claim that says the opposite of the point is no evidence for it.
                    sims[i, j] = 0.0
                    continue
                recall = _lexical(terms, c.terms, weights, default, qterms)
                shared = claim_uni[j] & p_uni
                # Unweighted: a claim's rare words (mistakes, cost) are its own
                # phrasing, not evidence against the point.
                precision = len(shared) / len(claim_uni[j]) if len(shared) >= 2 else 0.0
                lex[i, j] = max(recall, self.params.precision_weight * precision)
                if needs and needs & opens[j]:
                    # The claim is about the point's own subject: that counts as its words.
                    lex[i, j] = max(lex[i, j], self.params.subject_lex)
                if defined and defines[j] and sims[i, j] >= self.params.sim_definition:
                    # Two definitions of the question's subject this close say the
                    # same thing in other words ("the step size of gradient descent").
                    lex[i, j] = max(lex[i, j], self.params.lex_covered)
                if _formula_in(c.text, kp.text):
                    label[i, j] = 2
                elif any(_label_in(ls, c.terms) for ls in label_sets):
                    # Naming a method is making the point ("early stopping"); naming
                    # what a definition or formula is about ("precision") is not.
                    label[i, j] = 1 if kp.kind in _NAMED_NOT_MADE else 2
                elif _name_item(kp):
                    # A point that is only a name ("Ridge (L2 norm)") is made by naming
                    # it; sharing its other words ("norm") is not evidence.
                    lex[i, j] = 0.0
        for i, j in sibling_named(points, claims):
            sims[i, j], lex[i, j], label[i, j] = 0.0, 0.0, 0
        return Features(sims, lex, label)

    def _contrast_terms(self, q: Question) -> dict[str, frozenset[str]]:
        return self._contrast(q)[1]

    def _contrast(self, q: Question) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
        """The names of the subjects the question contrasts and, per point about some
        of them, the names a claim must use (``contrast.question_contrast``)."""
        with self._lock:
            got = self._contrasts.get(q.id)
        if got is not None:
            return got
        both = question_contrast(q.text, gradable_points(q))
        with self._lock:
            self._contrasts[q.id] = both
        return both

    def _point_stems(self, kp: KeyPoint) -> set[str]:
        got = self._stem_cache.get(kp.text)
        if got is None:
            text = f"{kp.context} {kp.text}" if kp.context else kp.text
            got = set(text_terms(text).unigrams) | {t for t in kp.terms if " " not in t}
            self._stem_cache[kp.text] = got
        return got

    def _vector(self, kp: KeyPoint) -> np.ndarray:
        key = embed_text_of(kp)
        vec = self._vectors.get(key)
        if vec is None:
            vec = self.embedder.embed([key])[0]
            self._vectors[key] = vec
        return vec

    def _embed_claims(self, texts: list[str]) -> np.ndarray:
        """Embeddings of answer sentences (the grader's main cost): each cut to
        CLAIM_EMBED_WORDS words, embedded once per distinct text in one batch, and kept
        in a bounded cache (follow-ups, re-grades and eval repeats reuse them)."""
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

    def _top_missed(self, missed: list[KeyPoint]) -> list[KeyPoint]:
        """At most ``params.max_missed``, most important first, restatements merged."""
        out: list[KeyPoint] = []
        # A point the notes hedge ("I think", "as I understand it") is not one an answer
        # must make: it may earn credit, but it is never reported missing.
        for kp in _by_importance([k for k in missed if not k.doubtful] or missed):
            v = self._vector(kp)
            if any(
                float(v @ self._vector(o)) >= self.params.missed_dup_cosine
                or (kp.label and o.label and kp.label.lower() == o.label.lower())
                for o in out
            ):
                continue
            out.append(kp)
            if len(out) >= self.params.max_missed:
                break
        return out

    @staticmethod
    def _point(kp: KeyPoint, a: _Assessment) -> Point:
        return Point(
            text=kp.text,
            citation=kp.citation,
            importance=kp.importance,
            similarity=a.sim,
            evidence=a.evidence,
        )

    # ---- contradictions ------------------------------------------------------------------
    def _contradictions(
        self, claims: list[Claim], points: list[KeyPoint], q: Question
    ) -> list[IncorrectClaim]:
        """Claims the notes contradict, found only with explicit evidence (see
        ``find_contradiction``). Hedged notes ('I think', '??') are never evidence."""
        evidence = [kp for kp in points if not kp.doubtful and kp.source_kind == "note"]
        qterms = set(text_terms(q.text).unigrams)
        out: list[IncorrectClaim] = []
        seen: set[str] = set()
        sentences = _note_sentences(evidence)

        skip = frozenset(self.params.disabled_rules)
        names = self._contrast(q)[0]
        subjects = sentence_subjects([(kp.id, sent) for kp, sent, _ in sentences], names)

        def check(c: Claim, ref: str | None) -> Finding | None:
            found = None
            mine = subject_names(c.match_text, names)
            if names and "swapped-subject" not in skip:
                found = contrast_swap(c.match_text, names, sentences, subjects)
            # A claim about one of the subjects the question contrasts is compared
            # with the notes about that subject (WHERE "before", HAVING "after" are
            # no opposites), and judged by the contrast above, not by the subject
            # parser's guesses.
            own, about = skip, sentences
            if mine:
                own = skip | {"other-subject"}
                about = [
                    x for x, subj in zip(sentences, subjects, strict=True)
                    if not subj or subj & mine
                ]  # fmt: skip
            found = found or find_contradiction(c.match_text, evidence, qterms, about, own)
            if found is None and "opposite-direction" not in skip:
                found = opposite_direction(c.match_text, about, qterms)
            if found is None and "overclaim" not in skip:
                found = _overclaim(c, ref, sentences, qterms)
            if found is None and "wrong-family" not in skip:
                found = _wrong_membership(c.match_text, sentences, qterms)
            return found

        clauses: dict[int, list[Claim]] = {}
        for c in claims:
            if c.parent is not None:
                clauses.setdefault(id(c.parent), []).append(c)
        hits: list[tuple[Claim, Finding]] = []
        antecedent: str | None = None  # what a leading pronoun refers to
        for sent in (c for c in claims if c.parent is None):
            found = check(sent, antecedent)
            # The smallest wrong unit is reported: in "Duplicate the minority samples;
            # this has no downside" only the second clause is wrong.
            part_hits = []
            ref = antecedent
            for cl in clauses.get(id(sent), []):
                got = check(cl, ref)
                if got is not None:
                    part_hits.append((cl, got))
                if not _PRONOUN_START.match(cl.match_text):
                    ref = cl.match_text
            whole = found is not None and whole_sentence(found.rule)
            n_parts = len(clauses.get(id(sent), []))
            if found is not None and not part_hits and (n_parts < 2 or whole):
                hits.append((sent, found))
            else:
                # A sentence of several clauses, none wrong alone, is two statements
                # side by side ("A too simple model has high bias ...; a model with
                # many parameters has high variance ..."), not one wrong statement.
                # (Directions are the exception: "reduces the bias, at the cost of
                # more variance" is wrong only as a whole.)
                hits.extend(part_hits)
            if not _PRONOUN_START.match(sent.match_text):
                antecedent = sent.match_text
        for c, (kp, correction, rule) in hits:
            if c.text in seen or any(c.text in o.text or o.text in c.text for o in out):
                continue
            seen.add(c.text)
            out.append(
                IncorrectClaim(
                    text=c.text, correction=correction, citation=kp.citation, source="grounded",
                    rule=rule, advisory=self.params.advisory(rule),
                )
            )
        return out

    # ---- hints and follow-ups ------------------------------------------------------------
    def hint(self, question: Question, already_given: int) -> KeyPoint | None:
        """The next key point to reveal: most important first, one point per distinct
        idea. None when the notes have no (more) points."""
        ordered = self._top_missed(list(question.key_points)) + [
            kp for kp in _by_importance(question.key_points)
        ]
        seen: set[str] = set()
        unique = []
        for kp in ordered:
            if kp.id not in seen:
                seen.add(kp.id)
                unique.append(kp)
        return unique[already_given] if 0 <= already_given < len(unique) else None

    def follow_up_for(self, feedback: Feedback) -> str | None:
        """A natural question aimed at the most important missed point (or, failing
        that, a partly covered one). None for ungrounded feedback, or when the answer
        already scores ``params.follow_up_below`` or more."""
        if not feedback.grounded or feedback.score >= self.params.follow_up_below:
            return None
        # The most important missed point that can be named (an interviewer asks about
        # "early stopping", not about "the note's sentence 3"); then a partly covered
        # one; then the first missed point, asked about in general terms.
        candidates = [(p, True) for p in feedback.missed[:3]] + [
            (p, False) for p in feedback.partial[:3]
        ]
        if not candidates:
            return None
        described = []
        for target, missed in candidates:
            kp = self._point_of(feedback.question_id, target.text) or _adhoc_point(target)
            described.append((target, missed, kp, *describe(kp)))
        # (An aside — "See also: Rotation forest" — only when nothing else has a name.)
        target, missed, kp, subject, kind = next(
            (d for d in described if d[3] is not None and d[4] != "aside"),
            next((d for d in described if d[3] is not None), described[0]),
        )
        return follow_up_question(
            target.text,
            feedback.question,
            missed=missed,
            terms=kp.terms,
            label=kp.label,
            subject=subject,
            kind=kind,
            common=self._is_common_word,
        )

    def _names(self, points: Sequence[KeyPoint]) -> list[str]:
        """The points' subjects as a list reads them: 'early stopping', 'disadvantage of
        ridge regression' (no article); a point without one is left out."""
        out: list[str] = []
        top = max((kp.importance for kp in points), default=0.0)
        for kp in points:
            subject, kind = describe(kp)
            # An aside or a minor point is not "most important", even when the points
            # above it have no name to give.
            if not subject or kind == "aside" or kp.importance < 0.6 * top:
                continue
            name = bare_subject(_case(subject, self._is_common_word))
            name = _case(name, self._is_common_word)
            if name.lower() not in (n.lower() for n in out):
                out.append(name)
        return out

    def _is_common_word(self, word: str) -> bool:
        """The notes write this word in lower case somewhere: an ordinary word, not a
        name ('bagging' yes, 'Adam' and 'Hamming' no)."""
        if self._common_words is None:
            seen: set[str] = set()
            for kp in iter_points(self.bank):
                seen.update(w for w in words(kp.text) if w.islower())
            self._common_words = frozenset(seen)
        return word in self._common_words

    def _notes_vocabulary(self) -> frozenset[str]:
        """Every word (lower case) and stem the notes' questions and points use: terms
        the tokenizer's word list may lack ('atomicity', 'durability') are still words."""
        if self._note_vocab is None:
            bank = self.bank
            seen: set[str] = set()
            texts = [q.text for q in bank.questions] + [kp.text for kp in iter_points(bank)]
            for text in texts:
                for w in words(text):
                    low = w.lower()
                    seen.add(low)
                    seen.add(stem(low))
            self._note_vocab = frozenset(seen)
        return self._note_vocab

    def _point_of(self, question_id: str | None, text: str) -> KeyPoint | None:
        """A key point of the bank, by its text."""
        for q in self.bank.questions:
            if question_id is None or q.id == question_id:
                for kp in q.key_points:
                    if kp.text == text:
                        return kp
        return None

    # ---- free-text questions ---------------------------------------------------------------
    def _free_text_question(self, text: str) -> Question:
        """A question the notes do not ask: its key points are the notes' points most
        related to it (found through the index when there is one, else among all the
        bank's points)."""
        qid = "adhoc-" + hashlib.sha1(normalise_question(text).encode()).hexdigest()[:10]
        candidates = self._related_points(text)
        cit = candidates[0].citation if candidates else Citation(source="", heading="")
        return Question(
            id=qid,
            text=text.strip(),
            section_id="",
            source=cit.source,
            heading=cit.heading,
            topic=text.strip()[:40],
            notes_status="ok" if candidates else "none",
            key_points=candidates,
            citation=cit,
        )

    def _related_points(self, text: str, limit: int = 10) -> list[KeyPoint]:
        import numpy as np

        pool = [kp for kp in iter_points(self.bank)]
        allowed: set[tuple[str, str]] | None = None
        retriever = self.retriever
        extra: list[KeyPoint] = []
        if retriever is not None:
            try:
                hits = retriever.search(text, k=5)
            except InterviewerError:
                hits = []
            allowed = {(h.source, h.heading) for h in hits if h.kind == "note"}
            for h in hits:
                if h.kind == "reference":
                    extra.extend(_reference_hit_points(h, text, self.bank))
        if allowed is not None:
            pool = [kp for kp in pool if (kp.citation.source, kp.citation.heading) in allowed]
        pool += extra
        if not pool:
            return []
        qv = self._embed_many([text])[0]
        sims = np.stack([self._vector(kp) for kp in pool]) @ qv
        qterms = set(text_terms(text).unigrams)
        scored = []
        for kp, s in zip(pool, sims, strict=True):
            lex = len(qterms & set(text_terms(kp.text).unigrams))
            relevance = float(s) + 0.05 * min(lex, 3)
            if float(s) >= self.params.related_point_sim or (
                lex >= 1 and float(s) >= self.params.related_point_sim_lex
            ):
                scored.append((relevance, kp))
        scored.sort(key=lambda x: -x[0])
        chosen = [kp for _, kp in scored[:limit]]
        if not chosen:
            return []
        top = max(r for r, _ in scored[:limit])
        out = []
        for rel, kp in scored[:limit]:
            out.append(kp.model_copy(update={"importance": round(max(0.1, rel / top), 3)}))
        return out

    # ---- the model layer -----------------------------------------------------------------
    def refine_with_llm(
        self,
        grounded: Feedback,
        question: str | Question,
        answer: str,
        on_token: Callable[[str], None] | None = None,
    ) -> Feedback:
        """The model's critique, checked: claims it calls wrong must be quoted from the
        answer and cite a retrieved section (else they are kept as "not in your
        notes"), a missed point it disputes moves to "partly covered" only when it
        quotes the answer, and a failure leaves the grounded result (``model_error``).
        Streaming: ``on_token`` receives the critique prose, sent once the structured
        reply has been validated (a schema-constrained reply cannot be shown while it
        is still JSON)."""
        q = self._resolve(question)
        return _refine(self, grounded, q, answer, on_token)

    def context_sections(self, q: Question, limit: int = 6) -> list[tuple[str, str, Citation]]:
        """Text the model may cite, as (text, label, citation): the question's own
        sections, then retrieved notes and references. Labels are added by the caller."""
        out: list[tuple[str, str, Citation]] = []
        seen: set[tuple[str, str]] = set()
        sections = self._section_index()
        for sid in q.material_sections:
            sec = sections.get(sid)
            if sec is None or not sec.text.strip():
                continue
            key = (sec.source, sec.heading)
            if key in seen:
                continue
            seen.add(key)
            cit = Citation(
                source=sec.source, heading=sec.heading, line_start=sec.line_start,
                line_end=sec.line_end,
            )  # fmt: skip
            out.append((_plain_block(sec.text), sec.heading, cit))
        for kp in q.key_points:
            key = (kp.citation.source, kp.citation.heading)
            if key in seen:
                continue
            seen.add(key)
            out.append((kp.text, kp.citation.heading, kp.citation))
        retriever = self.retriever
        if retriever is not None and len(out) < limit:
            try:
                hits = retriever.search(q.text, k=limit)
            except InterviewerError:
                hits = []
            for h in hits:
                key = (h.source, h.heading)
                if key in seen or h.is_stub:
                    continue
                seen.add(key)
                cit = Citation(
                    source=h.source, heading=h.heading, line_start=h.line_start,
                    line_end=h.line_end, kind=h.kind, url=h.url, chunk_id=h.chunk_id,
                )  # fmt: skip
                out.append((h.text, h.heading, cit))
                if len(out) >= limit:
                    break
        return out[:limit]

    def _section_index(self) -> dict[str, Section]:
        sections = self._sections
        if sections is None:
            with self._open_lock:
                if self._sections is None:
                    from interviewer.corpus import load_corpus

                    docs = load_corpus(
                        self.settings.corpus_dir, self.settings.max_file_bytes
                    ).documents
                    self._sections = {s.id: s for d in docs for s in d.sections}
                sections = self._sections
        return sections
