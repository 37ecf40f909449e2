"""Coverage evidence: how well each claim of an answer makes each key point
(embedding similarity, lexical overlap, naming the point), and the status of each
point that follows (covered, partly, missed).

The core of a key point is its first statement without the elaboration that follows
("A mutex is a lock with ownership: one thread acquires it, ..." -> "A mutex is a
lock with ownership"). A terse answer states the core and leaves the detail out
("Mutex: owned lock, one holder"); measured against the whole point its few words
look like a weak match, so each claim is also measured against the core."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from interviewer.grading.contrast import (
    _contrasted_phrases,
    initials_of,
    names_in,
    question_contrast,
    subject_names,
)
from interviewer.grading.coverage import (
    DASH_NAME,
    NAMED_NOT_MADE,
    STATUSES,
    Assessment,
    formula_in,
    gradable_points,
    has_term,
    label_in,
    label_sets,
    lexical,
    name_item,
    opposes,
    sibling_named,
)
from interviewer.grading.material import parallel_clauses
from interviewer.grading.naming import name_point
from interviewer.grading.scoring import Features, decide
from interviewer.grading.terms import key_terms
from interviewer.subjects import bare_subject, subject_label
from interviewer.text import (
    ANAPHORS,
    DEFINITIONAL,
    ELABORATION_BREAK,
    split_sentences,
    stem_set,
    text_terms,
    top_level_parts,
    words,
)

if TYPE_CHECKING:
    import numpy as np

    from interviewer.grading.answer import Claim
    from interviewer.grading.grader import Grader
    from interviewer.grading.models import KeyPoint, Question


# ---- the core of a point ----------------------------------------------------------------

_BRACKETS = re.compile(r"\s*\([^()]*\)")
# A core shorter than this says too little to stand for the point; one that keeps
# nearly all the point's words is the point itself.
MIN_CORE_WORDS = 4
MAX_CORE_SHARE = 0.8


@lru_cache(maxsize=20_000)
def point_core(text: str) -> str | None:
    """The first statement of a point, cut at its first break and without brackets;
    None when that is (nearly) the whole point or too short to say anything."""
    sents = split_sentences(" ".join(text.split()))
    if not sents:
        return None
    first = _BRACKETS.sub("", sents[0]).strip()
    # A leading label ("Isolation: ...") is no break: it names the point.
    head = ""
    m = re.match(r"^([^:]{1,40}):\s", first)
    if m and len(m.group(1).split()) <= 4:
        head, first = m.group(0), first[m.end() :]
    core = ELABORATION_BREAK.split(first, maxsplit=1)[0].strip().rstrip(".,;:")
    core = (head + core).strip()
    n = len(core.split())
    if n < MIN_CORE_WORDS or n > MAX_CORE_SHARE * len(text.split()):
        return None
    return core


def core_terms(core: str, terms: list[str]) -> list[str]:
    """The point's key terms that its core uses (every word of a two-word term)."""
    have = stem_set(core)
    return [t for t in terms if t and all(w in have for w in t.split())]


# ---- compact claims ----------------------------------------------------------------------

_LEAD_LABEL = re.compile(r"^\s*([^:;,.]{1,40}):\s+(.+)$", re.S)
# A compact claim is short, and so is each item of its list.
COMPACT_WORDS = 24
ITEM_WORDS = 8


def compact_items(claim: str) -> list[str]:
    """The items of a compact claim, each with the claim's subject: "Mutex: owned
    lock, one holder." -> "Mutex: owned lock", "Mutex: one holder"; "Faster to
    compute, less vanishing gradient, sparse activations." -> its three parts. Empty
    for a claim that is not a short list of short items."""
    text = " ".join(claim.split()).rstrip(".")
    if len(text.split()) > COMPACT_WORDS:
        return []
    head = ""
    m = _LEAD_LABEL.match(text)
    if m and len(m.group(1).split()) <= 4:
        head, text = m.group(1).strip() + ": ", m.group(2)
    parts = [p for p in top_level_parts(text) if p]
    if len(parts) < 2 or any(len(p.split()) > ITEM_WORDS for p in parts):
        return []
    return [head + p for p in parts if len(p.split()) >= 2 or head]


# ---- acronyms ----------------------------------------------------------------------------


def expand_acronyms(claims: list[str], question: str) -> dict[int, str]:
    """Claims that use an acronym of a phrase the question coordinates ("PK" for
    "primary key" in "... a primary key and a foreign key?") or of a hyphenated
    compound of it ("CV" for "cross-validation"), by index, with each
    such acronym written out ("FK: points to another table's PK" -> "foreign key:
    points to another table's primary key")."""
    phrases: dict[str, str] = {}
    # The question's contrasted phrases, and its hyphenated compounds ("CV" for
    # "cross-validation").
    compounds = [m.split("-") for m in re.findall(r"\b[A-Za-z]+(?:-[A-Za-z]+)+\b", question)]
    for surface in [*_contrasted_phrases(question)[1], *compounds]:
        if found := initials_of(surface):
            sep = "-" if surface in compounds else " "
            phrases.setdefault(found[0], sep.join(w.lower() for w in found[1]))
    if not phrases:
        return {}
    # An acronym is written in capitals, maybe with a plural or possessive "s".
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, phrases)) + r")(?=s?\b|'s\b)")
    out: dict[int, str] = {}
    for j, text in enumerate(claims):
        spelled = pattern.sub(lambda m: phrases[m.group(1)], text)
        if spelled != text:
            out[j] = spelled
    return out


# ---- a leading pronoun -------------------------------------------------------------------

_ASKS_WHAT = re.compile(r"^\s*(?:what\s+(?:is|are)|what's|define|explain|describe)\b", re.I)
_LEAD_PRONOUN = re.compile(r"^(?:it|they|this)\b(?=\s+\w)", re.I)


def lead_pronoun_subject(texts: list[str], first: set[int], question: str,
                         topic: str) -> dict[int, str]:  # fmt: skip
    """Claims of the answer's first sentence (indexes in ``first``) that open with a
    pronoun, with the question's subject in its place: "It is an index on more than
    one column" answers "What is a composite index?" about the composite index. Only
    for a question that asks what one thing is."""
    subject = " ".join(topic.split())
    if not subject or " vs " in subject or not _ASKS_WHAT.match(question):
        return {}
    return {
        j: _LEAD_PRONOUN.sub(lambda _m: subject, texts[j], count=1)
        for j in sorted(first)
        if _LEAD_PRONOUN.match(texts[j])
    }


# ---- assessing ---------------------------------------------------------------------------

# An answer of at most this many words is terse: its compact claims' items are
# measured one by one.
TERSE_WORDS = 60


def _defines(text: str, qterms: set[str]) -> bool:
    """The text opens with the question's subject (all its terms, three at most, with
    an article at most before them) and defines it ("The learning rate is ...")."""
    if not qterms or len(qterms) > 3:
        return False
    # (Its subject, not a phrase about it: "A single load balancer is a single point
    # of failure" is no definition of a load balancer.)
    lead = stem_set(" ".join(words(text)[: len(qterms) + 1]))
    if not qterms <= lead:
        return False
    # A glossary row or label defines too: "Overfitting: the model fits the noise".
    label = _DEFINED_LABEL.match(text)
    return bool(DEFINITIONAL.search(text[:80])) or (
        label is not None
        and stem_set(re.sub(r"\([^()]*\)", " ", label.group(1))) == qterms
    )


# "A and B are ...": the joined names are the subject when a plural verb or "both"
# follows them ("Caching cuts latency and load" joins objects, not subjects).
_COORDINATED = re.compile(
    r"^\W*(?:[\w-]+\s+){0,3}?(?:and|&)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:are|were|have|both|can|do|differ|share|each)\b",
    re.I,
)


def _joint(c: Claim) -> bool:
    """The claim's subject is several things at once: "A and B are ...", or "Both ...",
    "They ..." after one (its sentence's subject, for a clause)."""
    own = c.text if c.parent is None else c.parent.text
    first = (words(c.text)[:1] or [""])[0].lower()
    return bool(_COORDINATED.match(own)) or first in _BACK_REFERENCE


_DEFINED_LABEL = re.compile(r"^\W*([^:\n]{1,60}?)\s*(?::|\s[-–—]\s)\s*\w")


def assess(
    g: Grader, points: list[KeyPoint], claims: list[Claim], q: Question
) -> dict[str, Assessment]:
    if not claims:
        return {kp.id: Assessment("missed", 0.0, 0.0, None) for kp in points}
    feats = features(g, points, claims, q)
    out: dict[str, Assessment] = {}
    for i, kp in enumerate(points):
        best: tuple[int, float, int] = (0, -1.0, 0)  # (rank, sim, claim)
        for j in range(len(claims)):
            rank = decide(feats.sim[i, j], feats.lex[i, j], int(feats.label[i, j]), g.params)
            key = (rank, float(feats.sim[i, j]), j)
            if key[:2] > best[:2]:
                best = key
        rank, _, j = best
        credit = None
        ranks, cj = (
            clause_ranks(g, kp, claims, q)
            if rank < 2 or feats.sim[i, j] < g.params.sim_paraphrase else (None, 0)
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
        status = STATUSES[rank]
        out[kp.id] = Assessment(
            status,
            round(float(feats.sim[i].max()), 3),
            round(float(feats.lex[i].max()), 3),
            claims[j].text if rank else None,
            credit if rank == 1 else None,
        )
    return out


def clause_ranks(
    g: Grader, kp: KeyPoint, claims: list[Claim], q: Question
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
            "terms": key_terms(c, None, g.bank.idf, g.bank.default_idf, qterms),
        })
        for n, c in enumerate(clauses)
    ]  # fmt: skip
    feats = features(g, parts, claims, q)
    ranks: list[int] = []
    best_claim, best_sim = 0, -1.0
    for i in range(len(parts)):
        r, sim, j = max(
            (decide(feats.sim[i, j], feats.lex[i, j], int(feats.label[i, j]), g.params),
             float(feats.sim[i, j]), j)
            for j in range(len(claims))
        )  # fmt: skip
        ranks.append(r)
        if r and sim > best_sim:
            best_claim, best_sim = j, sim
    return ranks, best_claim


def features(g: Grader, points: list[KeyPoint], claims: list[Claim], q: Question) -> Features:
    """Point x claim evidence: embedding similarity (a clause uses its sentence's),
    lexical overlap and whether the claim names the point's label."""
    import numpy as np

    ids = {id(c) for c in claims}
    sentences = [c for c in claims if c.parent is None or id(c.parent) not in ids]
    row = {id(c): i for i, c in enumerate(sentences)}
    # A compact claim ("Left: all left rows, NULLs where the right side has no
    # match") lists several statements about its subject: each is measured on its own
    # too, with the subject ("Left: all left rows"), and the claim keeps the closest.
    # (A terse answer's style: a long one's lists are prose, and cost time.)
    terse = sum(len(c.text.split()) for c in sentences) <= TERSE_WORDS
    items = [(j, t) for j, c in enumerate(claims) if terse for t in compact_items(c.text)]
    # An acronym of a phrase the question spells out ("FK" for "foreign key") is
    # that phrase: the claim is measured with it written out too.
    spelled = expand_acronyms([c.text for c in claims], q.text)
    # "It is ..." opening the answer is about the question's subject: measured with
    # the subject written out too.
    lead = sentences[0] if sentences else None
    first = {j for j, c in enumerate(claims) if lead is not None and lead in (c, c.parent)}
    texts = [spelled.get(j, c.text) for j, c in enumerate(claims)]
    # (A free question's topic is its own text cut short, not a subject.)
    topic = q.topic if q.section_id else subject_label(q.text)
    spelled.update(lead_pronoun_subject(texts, first, q.text, topic))
    # (One call: embedding the answer is the grader's main cost.)
    vecs = g._embed_claims(
        [c.text for c in sentences] + [t for _, t in items] + list(spelled.values())
    )
    n, m = len(sentences), len(items)
    cvecs = vecs[[row[id(c)] if id(c) in row else row[id(c.parent)] for c in claims]]
    pvecs = np.stack([g._vector(kp) for kp in points])
    sims = (pvecs @ cvecs.T).astype(np.float64)  # points x claims
    if items:
        isims = pvecs @ vecs[n : n + m].T
        for k, (j, _) in enumerate(items):
            sims[:, j] = np.maximum(sims[:, j], isims[:, k])
    if spelled:
        evecs = vecs[n + m :]
        sims[:, list(spelled)] = np.maximum(sims[:, list(spelled)], pvecs @ evecs.T)
        cvecs[list(spelled)] = evecs  # (the core's evidence below uses it)
    # Claims not in English share no words with the notes: their evidence is the
    # multilingual model's similarity alone (interviewer/crosslingual.py).
    from interviewer.crosslingual import cross_evidence, needs_crosslingual

    foreign = [j for j, c in enumerate(claims) if needs_crosslingual(c.text)]
    if not foreign and any(needs_crosslingual(kp.text) for kp in points):
        foreign = list(range(len(claims)))  # notes in another language: the reverse
    cross_sim = cross_lex = None
    if foreign:
        cross_sim, cross_lex = cross_evidence(
            [kp.text for kp in points], [kp.label for kp in points],
            [claims[j].text for j in foreign], g.params,
        )  # fmt: skip
        sims[:, foreign] = np.maximum(sims[:, foreign], cross_sim)
    lex = np.zeros_like(sims)
    label = np.zeros(sims.shape, dtype=np.int8)
    weights, default = g.bank.idf, g.bank.default_idf
    qterms = set(text_terms(q.text).unigrams)
    cterms = [
        c.terms | text_terms(spelled[j]).all if j in spelled else c.terms
        for j, c in enumerate(claims)
    ]
    claim_uni = [{t for t in ct if " " not in t} - qterms for ct in cterms]
    names, needs_of = contrast(g, q)
    # The contrasted subject each claim opens with ("An inner join keeps every row
    # of the left table" is about the inner join, whatever else it names).
    opens = [subject_names(c.text, names) if names else set() for c in claims]
    mentions = [names_in(c.text, names) if names else set() for c in claims]
    if names:
        _inherit_subjects(claims, opens, mentions)
    defines = [_defines(spelled.get(j, c.text), qterms) for j, c in enumerate(claims)]
    cores = [point_core(kp.text) for kp in points]
    with_core = [i for i, c in enumerate(cores) if c]
    core_sims = np.zeros_like(sims)
    # Pairs whose similarity is the core's, not the whole point's: the bare question's
    # cosine to the point says nothing about them.
    boosted = np.zeros(sims.shape, dtype=bool)
    if with_core:
        core_vecs = g._embed_many([cores[i] or "" for i in with_core])
        core_sims[with_core] = core_vecs @ cvecs.T
    for i, kp in enumerate(points):
        # Only the notes' definition of the subject: a claim that defines it ("Load
        # balancers are critical ...") is no evidence for every point that names it.
        defined = _defines(kp.text, qterms)
        terms = [t for t in kp.terms if t]
        named_by = label_sets(kp, qterms)
        p_uni = point_stems(g, kp) - qterms
        needs = needs_of.get(kp.id)
        core = cores[i]
        for j, c in enumerate(claims):
            if needs and not needs & (opens[j] or mentions[j]):
                # The point is about one of the subjects the question contrasts
                # (INNER vs LEFT JOIN); a claim that does not name it says nothing
                # of it, however alike the rest of its words.
                sims[i, j] = 0.0
                continue
            if sims[i, j] > g.params.sim_floor and opposes(c.text, kp.text, qterms):
                # A claim that says the opposite of the point is no evidence for it.
                sims[i, j] = 0.0
                continue
            recall = lexical(terms, cterms[j], weights, default, qterms)
            shared = claim_uni[j] & p_uni
            # Unweighted: a claim's rare words (mistakes, cost) are its own
            # phrasing, not evidence against the point.
            precision = len(shared) / len(claim_uni[j]) if len(shared) >= 2 else 0.0
            lex[i, j] = max(recall, g.params.precision_weight * precision)
            if lex[i, j] < g.params.lex_covered and not any(
                has_term(t, claim_uni[j]) for t in p_uni
            ):
                # The question's own words alone are no evidence for one of its
                # points: every answer on pruning says "pruning".
                lex[i, j] = 0.0
            if needs and needs & opens[j] and (opens[j] <= needs or not _joint(c)):
                # (A claim whose subject joins the contrasted names, "Sloops and
                # ketches are both ...", is about neither alone.)
                # The claim is about the point's own subject: that counts as its words.
                lex[i, j] = max(lex[i, j], g.params.subject_lex)
            if defined and defines[j] and sims[i, j] >= g.params.sim_definition:
                # Two definitions of the question's subject this close say the
                # same thing in other words ("the step size of gradient descent").
                lex[i, j] = max(lex[i, j], g.params.lex_covered)
            if formula_in(c.text, kp.text):
                label[i, j] = 2
            elif any(label_in(ls, cterms[j]) for ls in named_by):
                # Naming a method is making the point ("early stopping"); naming
                # what a definition or formula is about ("precision") is not.
                # Nor is naming an item the note goes on to explain ("X - what X
                # does"): that is touched on.
                named_only = kp.kind in NAMED_NOT_MADE or bool(DASH_NAME.match(kp.text))
                label[i, j] = 1 if named_only else 2
            elif name_item(kp):
                # A point that is only a name ("Ridge (L2 norm)") is made by naming
                # it; sharing its other words ("norm") is not evidence.
                lex[i, j] = 0.0
            if core and sims[i, j] < g.params.sim_paraphrase:
                # A terse claim states the point's core and leaves its detail out
                # ("Mutex: owned lock, one holder" for "A mutex is a lock with
                # ownership: one thread acquires it, ..."): a close paraphrase of the
                # core that shares some of its terms makes the point, and a very close
                # one whatever its words (a core is short: near misses share words).
                s_core = float(core_sims[i, j])
                strong = s_core >= g.params.sim_core and s_core > sims[i, j]
                if strong and not opposes(c.text, core, qterms):
                    c_terms = core_terms(core, terms)
                    l_core = lexical(c_terms, cterms[j], weights, default, qterms)
                    if l_core >= g.params.lex_partial or s_core >= g.params.sim_core_alone:
                        sims[i, j] = max(s_core, g.params.sim_paraphrase)
                        boosted[i, j] = True
    _clause_similarity(g, claims, ids, pvecs, sims, lex)
    _only_topic(g, q, pvecs, sims, foreign, boosted)
    if cross_lex is not None:
        kept = sims[:, foreign] > 0  # (not zeroed above: contrast, opposition)
        old = lex[:, foreign]
        lex[:, foreign] = np.where(kept, np.maximum(old, cross_lex), old)
    for i, j in sibling_named(points, claims):
        sims[i, j], lex[i, j], label[i, j] = 0.0, 0.0, 0
    return Features(sims, lex, label)


def _clause_similarity(g: Grader, claims: list[Claim], ids: set[int], pvecs: np.ndarray,
                       sims: np.ndarray, lex: np.ndarray) -> None:  # fmt: skip
    """A clause that uses most of a point's words ("good when you need dry feet and
    warm hands" for "Wool is a fine choice if your walk needs dry feet and warm
    hands") is measured alone for that point: its sentence's similarity is diluted
    by everything else the sentence says. (Only there: alone, a clause is near many
    points it does not make.)"""
    import numpy as np

    strong = (lex >= g.params.lex_strong) & (sims > 0)
    cols = [
        j for j, c in enumerate(claims)
        if c.parent is not None and id(c.parent) in ids and strong[:, j].any()
    ]  # fmt: skip
    if not cols:
        return
    own = pvecs @ g._embed_claims([claims[j].text for j in cols]).T
    for k, j in enumerate(cols):
        rows = strong[:, j]
        sims[rows, j] = np.maximum(sims[rows, j], own[rows, k])


def _only_topic(g: Grader, q: Question, pvecs: np.ndarray, sims: np.ndarray,
                foreign: list[int], boosted: np.ndarray) -> None:  # fmt: skip
    """A claim no closer to a point than the bare question is ("Load balancers are a
    critical building block of every large system" against each point about load
    balancers) shares the point's topic, not what it says: its similarity alone
    neither covers nor partly covers the point (its words still may). Claims in
    another language are left alone (their similarity is all their evidence)."""
    import numpy as np

    p = g.params
    qsim = pvecs @ g._embed_many([q.text])[0]
    cap = min(p.sim_paraphrase, p.sim_partial_alone) - 1e-3
    near = sims - qsim[:, None] < p.topic_margin
    if foreign:
        near[:, foreign] = False
    near &= ~boosted
    sims[near] = np.minimum(sims[near], cap)


# A statement that opens with one of these is about what the one before it named
# ("... PSNR = 10 log10(MAX^2 / MSE). Both are objective measures ...").
_BACK_REFERENCE = ANAPHORS | {"both", "each", "either", "neither", "its", "their"}


def _inherit_subjects(claims: list[Claim], opens: list[set[str]], mentions: list[set[str]]) -> None:
    """Claims that name no contrasted subject take one from their context: a clause
    its sentence's opening subject, a sentence that opens with a pronoun ("Both
    are ...", "It ...") the subjects of the sentence before it."""
    index = {id(c): j for j, c in enumerate(claims)}
    previous: int | None = None
    for j, c in enumerate(claims):
        own = c.parent is None or id(c.parent) not in index
        if not opens[j] and not mentions[j]:
            first = (words(c.text)[:1] or [""])[0].lower()
            if not own:
                opens[j] = set(opens[index[id(c.parent)]])
            elif first in _BACK_REFERENCE and previous is not None:
                opens[j] = set(opens[previous] or mentions[previous])
        if own:
            previous = j


def contrast(g: Grader, q: Question) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """The names of the subjects the question contrasts and, per point about some
    of them, the names a claim must use (``contrast.question_contrast``)."""
    return g.derived("contrast", q.id, lambda: question_contrast(q.text, gradable_points(q)))


def point_stems(g: Grader, kp: KeyPoint) -> set[str]:
    """The stems of the point's words, its context's and its key terms."""

    def stems() -> set[str]:
        text = f"{kp.context} {kp.text}" if kp.context else kp.text
        return set(text_terms(text).unigrams) | {t for t in kp.terms if " " not in t}

    return g.derived("stems", (kp.text, kp.context, tuple(kp.terms)), stems)
