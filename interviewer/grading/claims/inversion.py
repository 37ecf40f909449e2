"""Rule family: a note sentence inverted (negation, antonym, opposite size)."""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from functools import lru_cache
from typing import TYPE_CHECKING

from interviewer.grading.claims.case import other_case, split_case
from interviewer.grading.claims.categorical import _categorical
from interviewer.grading.claims.correlation import CORRELATIVE
from interviewer.grading.claims.degree import expanded, lessened
from interviewer.grading.claims.registry import Finding, quoting
from interviewer.grading.claims.subject import _ADD_OPS, _MUL_OPS, _subject
from interviewer.grading.cues import (
    ANTONYMS,
    DIRECTION,
    MAGNITUDE,
    SUBJECT_PRONOUNS,
    adj_pairs,
    affix_opposites,
    aligned_part,
    all_stems,
    antonym_stems,
    both_ways,
    cue_list,
    cue_regex,
    lower_tokens,
    lower_words,
    negated,
    negated_near,
    negation_over,
    opposite_stem,
)
from interviewer.text import (
    NEGATIONS,
    STOPWORDS,
    _close,
    _content,
    stem,
    stem_set,
    words,
)
from interviewer.text import clip as _short

if TYPE_CHECKING:
    from interviewer.grading.claims.registry import NoteSentence, Parsed


_EXCLUSIVE = re.compile(
    r"\b(only|just|solely|simply|always|entirely|purely)\b|\b(is|means|happens|occurs)\s+when\b|"
    r"\b(is|are)\s+(caused|due)\b|\bthe (only )?(cause|reason|problem) is\b",
    re.I,
)
_NOT_ONLY = re.compile(
    r"\bnot\s+(?:only|just|strictly|necessarily|solely|always|simply)\b"
    r"(?:\s+or\s+\w+)?(?:\s+(?:related|limited|due|talking|about|caused)\b)?"
    r"(?:\s+(?:to|about|by))?\s+(?:the\s+|a\s+)?(?P<x>[^,.;:!?()]{3,40})",
    re.I,
)
_SIZE_WORDS = {
    "big", "bigger", "biggest", "large", "larger", "huge", "size", "sized", "capacity",
    "capable", "small", "smaller", "deep", "deeper", "wide", "wider",
}  # fmt: skip
_FIX_CUE = re.compile(
    r"\b(fix|fixes|solve|solves|solution|remedy|cure|avoid|prevent|reduce|deal with|"
    r"to combat|address|mitigate|help|helps)\b",
    re.I,
)
_MORE_CUE = re.compile(
    r"\b(more|longer|increase|increasing|add|adding|extra|bigger|larger)\b", re.I
)
_EXCESS = re.compile(
    r"\b(?:too\s+(?:many|much|long|big|large|complex)|excessive(?:ly)?|overly)\s+"
    r"(?P<x>[A-Za-z-]+(?:\s+[A-Za-z-]+)?)",
    re.I,
)
_INSTEAD = cue_regex("instead")
_DATA_WORDS = {"data", "dataset", "datasets", "sample", "samples", "examples", "set", "sets"}


def _data_sized(claim: str) -> bool:
    """Every size word of the claim qualifies the data, not the model ('the dataset is
    too small', 'not enough samples')."""
    toks = lower_tokens(claim)
    at = [i for i, w in enumerate(toks) if w in _SIZE_WORDS]
    return bool(at) and all(any(t in _DATA_WORDS for t in toks[max(0, i - 3) : i + 4]) for i in at)


def _norm_size(stems: AbstractSet[str]) -> set[str]:
    out = set(stems)
    for w in list(stems):
        if w in {stem(s) for s in _SIZE_WORDS}:
            out.add("size")
    return out


@lru_cache(maxsize=1)
def _antonym_table() -> dict[str, set[str]]:
    """Every listed pair, each way round, with its degrees ("weaker" / "stronger")."""
    lines = (*cue_list("graded_antonyms"), *cue_list("opposite_acts"))
    surface = [(a, b) for a, b in (line.split() for line in lines)]
    both = [*dict.items(ANTONYMS), *surface, *((b, a) for a, b in surface)]
    return expanded(antonym_stems(), both)


def _antonym_hits(
    claim_words: AbstractSet[str], sent_words: AbstractSet[str]
) -> list[tuple[str, str]]:
    """(claim word, its opposite in the sentence), compared as stems ('reduces' vs
    'increase'), when the claim does not also say the opposite itself."""
    table = _antonym_table()
    c = {stem(w): w for w in claim_words}
    sw = {stem(w): w for w in sent_words}
    out = []
    for cs, cw in c.items():
        derived = opposite_stem(cs)
        for opp in [*table.get(cs, ()), *([derived] if derived else [])]:
            if opp in sw and cs not in sw and opp not in c:
                out.append((cw, sw[opp]))
    lower_c = {w.lower() for w in claim_words}
    lower_s = {w.lower() for w in sent_words}
    out.extend(
        (cw, sw)
        for cw in claim_words
        for sw in sent_words
        if cw.lower() not in lower_s
        and sw.lower() not in lower_c
        and affix_opposites(cw.lower(), sw.lower())
    )
    return out


def _neg_supported(claim: str, sentences: list[NoteSentence]) -> bool:
    """A note sentence restates the claim with the same polarity (the negation rule's
    test)."""
    c_stems, c_neg = stem_set(claim), negated(claim)
    for _, sent, _ in sentences:
        core = re.sub(r"\([^)]*\)", " ", sent)
        core_stems = stem_set(core)
        shared = c_stems & core_stems
        if len(shared) >= 3 and len(shared) >= 0.7 * len(core_stems) and negated(core) == c_neg:
            return True
    return False


_THAN = re.compile(r"\bthan\s+(?:the\s+|a\s+|an\s+)?([\w-]+(?:\s+[\w-]+)?)", re.I)
_QUANTITY = {"many", "few", "more", "less", "large", "small", "larger", "smaller", "big", "bigger"}


def _adj_supported(claim: str, sentences: list[NoteSentence]) -> bool:
    """A note sentence pairs the same modifiers with the same nouns as the claim
    ('high variance', 'low bias'; particles such as 'speed up' do not count), about
    the same thing: it has every other content word of the claim ("a model with many
    parameters ..."; "Low variance, high bias: Underfitting" does not support
    "Overfitting is high bias and low variance")."""
    every = {(a, n) for a, n in adj_pairs(claim) if n not in STOPWORDS and len(n) > 2}
    # Quantities ('many parameters' / 'a large number of parameters') may be worded
    # differently; they only must not be opposite (checked below).
    pairs = {(a, n) for a, n in every if a not in _QUANTITY}
    if not pairs:
        return False
    anchors = set(stem_set(claim)) - {n for _, n in every} - {stem(a) for a, _ in every}
    c_words = lower_words(claim)
    c_mag = {MAGNITUDE[w] for w in c_words if w in MAGNITUDE}

    def same_size(sent: str) -> bool:
        # "a large number of parameters" does not support "few parameters".
        s_mag = {MAGNITUDE[w] for w in lower_words(sent) if w in MAGNITUDE}
        return not c_mag or not s_mag or bool(c_mag & s_mag)

    return bool(anchors) and any(
        pairs <= adj_pairs(sent)
        and anchors <= stem_set(sent)
        # ... and nothing else opposite: "few parameters" does not support "many".
        and not _antonym_hits(c_words, lower_words(sent))
        and same_size(sent)
        for _, sent, _ in sentences
    )


_POSSIBLE = frozenset("can may might could".split())
# Denials that exclude a possibility ("cannot be NULL" against "can be NULL").
_IMPOSSIBLE = frozenset("cannot can't can’t never mustn't mustn’t".split())


def _possibility_denied(positive: str, negative: str) -> bool:
    """Whether the positive side only allows something ("X can be NULL") that the
    negative side denies as a plain fact or a habit ("X is usually not NULL"): that is
    no contradiction, only "cannot" or "never" would be."""
    pos = lower_words(positive)
    neg = lower_words(negative)
    strong = bool(neg & _IMPOSSIBLE) or {"must", "not"} <= neg
    return bool(pos & _POSSIBLE) and not (pos & NEGATIONS) and not strong


def _sentence_contradiction(
    claim: str,
    sent: str,
    parsed: Parsed | None,
    qterms: AbstractSet[str],
    c_stems: AbstractSet[str],
    c_neg: bool,
    c_words: AbstractSet[str],
    c_all: AbstractSet[str],
    label: str | None = None,
) -> tuple[str, str] | None:
    """The sentence-level rules for one note sentence: (the rule, the
    correction), or None. ``label``: the name of the note item the sentence is part of
    ("Serializable: ... The strongest level is also the slowest")."""
    s_stems = stem_set(sent)
    if len(s_stems) < 2:
        return None
    if not (c_all & all_stems(sent)) and not (parsed and parsed[0] & c_all):
        return None  # every rule needs a word in common (most pairs: a fast exit)
    shared = c_stems & s_stems
    s_words = lower_words(sent)
    # negation: a mismatch (parenthetical asides of the note left out), judged on the
    # claim's clause that restates the note: in "shrinks them close to zero but not
    # exactly to zero" the negation is about another clause.
    core = re.sub(r"\([^)]*\)", " ", sent)
    core_stems = stem_set(core)
    part = aligned_part(claim, core_stems)
    core = aligned_part(core, stem_set(part))
    core_stems = stem_set(core)
    p_stems = stem_set(part) if part != claim else c_stems
    core_shared = p_stems & core_stems
    if (
        len(core_shared) >= 3
        and len(core_shared) >= 0.7 * len(core_stems)
        and len(core_shared) >= 0.5 * len(p_stems)
        and negation_over(core, core_shared) != negation_over(part, core_shared)
        and not _about_foil(core, part)
        and not both_ways(core)
        and not defers_either(part, core)
        and not _possibility_denied(
            *((part, core) if negation_over(core, core_shared) else (core, part))
        )
    ):
        return "negation", f"Your notes say: “{_short(sent, 220)}”"
    # not-only
    for m in _NOT_ONLY.finditer(sent):
        x = _norm_size(all_stems(m.group("x")))
        if not x or not _EXCLUSIVE.search(claim) or c_neg:
            continue
        hit = x & _norm_size(c_all)
        if "size" in hit and _data_sized(claim):
            continue  # "the dataset is too small" is not "the model is too big"
        if len(hit) >= max(1, (len(x) + 1) // 2) and "size" in hit | (x - {"size"}):
            return "not-only", (
                f"Not only that: your notes say it is {m.group(0).strip()} — “{_short(sent, 200)}”"
            )
        if len(hit) >= max(2, len(x)):
            return "not-only", f"Your notes say it is {m.group(0).strip()}: “{_short(sent, 200)}”"
    # opposite-words: about the same subject, neither side negating them. "TCP is less
    # efficient than UDP" restates "UDP is more efficient": a comparison whose other
    # side the note sentence names is not opposed by swapping the word.
    than = _THAN.search(claim)
    compared = bool(than) and bool(stem_set(than.group(1)) & s_stems) if than else False
    # ... unless the note compares with the same thing ("cheaper than a normal function
    # call" / "more expensive than an ordinary function call"): the same comparison.
    s_than = _THAN.search(sent)
    same_than = bool(than and s_than) and _same_comparison(claim, sent, than, s_than, qterms)  # type: ignore[arg-type]
    if same_than:
        compared = False
    # "The larger the X, the less Y" ties two directions together: one of its words
    # against the note's opposite is no contradiction (the other case, both flipped);
    # the product of both is the reversed-correlation rule's to judge.
    compared = compared or bool(CORRELATIVE.search(claim))
    hits = _antonym_hits(c_words, s_words) if not compared else []
    # (A claim about the other case, its subject flipped as well, agrees with the note.)
    if not compared and not other_case(claim, sent, hits):
        s_pairs, c_pairs = adj_pairs(sent), adj_pairs(claim)
        same_pairs = any(
            (ANTONYMS[a], n) in s_pairs
            and (a, n) not in s_pairs
            and (ANTONYMS[a], n) not in c_pairs
            and not (stem(a) in qterms and stem(ANTONYMS[a]) in qterms)
            and _same_event(claim, a, sent, ANTONYMS[a])
            for a, n in c_pairs
        )  # (a claim that says both "high variance" and "low variance" contrasts two cases)
        anchors = s_stems - {n for _, n in s_pairs} - {stem(a) for a, _ in s_pairs}
        if (
            same_pairs
            and not c_neg
            and not negated(sent)
            and anchors
            and len(anchors & c_stems) >= max(1, len(anchors) // 2)
        ):
            return "opposite-words", f"Your notes say the opposite: “{_short(sent, 200)}”"
        flips = [
            (a, b)
            for a, b in hits
            if not negated_near(claim, a)
            and not negated_near(sent, b)
            # "less expensive" is "cheaper": a lessened word says its opposite.
            and lessened(claim, a) == lessened(sent, b)
            # A question that contrasts the pair itself ("supervised, unsupervised and
            # reinforcement learning") gets answers that use both sides of it.
            and not (stem(a) in qterms and stem(b) in qterms)
            and _same_event(claim, a, sent, b)
        ]
        if flips:
            subject = parsed[0] if parsed else set()
            named = bool(subject) and subject <= c_stems | qterms and bool(subject - qterms)
            labelled = bool(label) and bool(stem_set(label)) and stem_set(label) <= c_stems
            # Both sentences are about the same subject by their grammar ("The
            # valve is open" / "The valve is a closed fitting").
            c_parsed = _subject(claim)
            same_subject = bool(subject) and c_parsed is not None and c_parsed[0] == subject
            related = named or len(shared - qterms) >= 2 or same_than or labelled or same_subject
            # (An adverb of manner with the same two words around it, "the cache writes
            # to the database asynchronously" / "Cache synchronously writes entry to
            # data store", is said of the same act.)
            related = related or any(
                len(_verb_of(claim, a) & _verb_of(sent, b)) >= 2 for a, b in flips
            )
            if (
                (related and _near(flips, claim, sent))
                or (
                    same_subject and c_parsed and parsed
                    and _predicated(flips, c_parsed[2], parsed[2])
                )
                or (same_than and _than_flip(flips, claim, sent))
                or _framed(flips, claim, sent)
                or (named and any(_categorical(a, b, claim, sent, subject) for a, b in flips))
            ):  # fmt: skip
                return "opposite-words", f"Your notes say the opposite: “{_short(sent, 200)}”"
    # cause-as-fix
    for m in _EXCESS.finditer(sent):
        excess = all_stems(m.group("x"))
        if (
            excess
            and excess & c_all
            and _FIX_CUE.search(claim)
            and _MORE_CUE.search(claim)
            and not c_neg
        ):
            return "cause-as-fix", (
                f"Your notes list this as a cause of the problem, not a fix: “{_short(sent, 200)}”"
            )
    # instead-of: X instead of Y
    for m in _INSTEAD.finditer(sent):
        y_text = m.group("y") or m.group("y2") or m.group("y3") or ""
        y = stem_set(y_text) - qterms
        # X is what the sentence prefers: the replacement, the text before "instead
        # of Y", or (a sentence that opens with "Instead of Y, ...") the text after Y.
        x_text = m.group("x2") or sent[: m.start()]
        if not x_text.strip():
            x_text = sent[m.end() :]
        used = stem_set(x_text) - qterms - y
        if c_neg or re.search(r"\b(instead|rather|not|replac\w*)\b", claim, re.I):
            continue
        if m.group("y3"):
            # "A is X, not Y" rules Y out for A only: the claim must say it of A ("the
            # shop sells dried yeast" is no "a starter is dried yeast").
            subject = stem_set(split_case(sent)[0])
            if not subject or not subject <= c_stems:
                continue
        if len(y) == 1 and _value_swap(claim, sent, m, y_text, c_stems, qterms):
            return "instead-of", f"Your notes say: “{_short(sent, 220)}”"
        if len(y) < 2:
            continue
        if (
            len(y & c_stems) >= max(2, (len(y) + 1) // 2)
            and not (used & c_stems)
            and (qterms & c_stems or len(shared) >= 2)
        ):
            return "instead-of", f"Your notes say: “{_short(sent, 220)}”"
    # swapped-operation
    c_ops = (c_words & _ADD_OPS, c_words & _MUL_OPS)
    s_ops = (s_words & _ADD_OPS, s_words & _MUL_OPS)
    swapped = (c_ops[0] and not c_ops[1] and s_ops[1] and not s_ops[0]) or (
        c_ops[1] and not c_ops[0] and s_ops[0] and not s_ops[1]
    )
    if swapped and (len(shared - qterms) >= 2 or len(shared) >= 3):
        return "swapped-operation", f"Your notes say: “{_short(sent, 220)}”"
    return None


# "... gives UNKNOWN rather than true": the value a sentence names, and the value it
# rules out.
_GIVES = r"\b(?:is|are|gives?|returns?|equals?|evaluates? to|becomes?)\s+(?:an?\s+|the\s+)?"
_VALUE_BEFORE = re.compile(_GIVES + r"(?P<x>[\w-]+)\s*$", re.I)


def _value_swap(
    claim: str, sent: str, m: re.Match[str], y_text: str, c_stems: AbstractSet[str],
    qterms: AbstractSet[str],
) -> bool:
    """One word ruled out for another ("gives UNKNOWN rather than true"), and the
    claim gives the thing the ruled-out word ("NULL = NULL is true") without the
    other: the value of the same thing (a word of the sentence before the value,
    one the question names or two others). Only a value after a verb of being or
    giving: "use the median rather than the mean" names no value."""
    before = _VALUE_BEFORE.search(sent[: m.start()])
    y_word = re.findall(r"[\w-]+", y_text)
    if before is None or len(y_word) != 1:
        return False
    x, y = before.group("x").lower(), y_word[0].lower()
    said = re.search(_GIVES + rf"{re.escape(y)}\b", claim, re.I)
    if said is None or stem(x) in c_stems or re.search(rf"\b{re.escape(x)}\b", claim, re.I):
        return False
    rest = sent[: m.start()] + sent[m.end() :]
    if re.search(rf"\b{re.escape(y)}\b", rest, re.I):
        return False  # the sentence gives that value to something else as well
    head = stem_set(sent[: before.start()]) & stem_set(claim[: said.start()])
    return bool(head & qterms) or len(head) >= 2


_FOIL_WORDS = "|".join(cue_list("contrast_words"))
_PRONOUN_WORDS = "|".join(sorted(SUBJECT_PRONOUNS))
_FOIL = re.compile(
    rf"\b(?:{_FOIL_WORDS})\s+(?:to\s+)?(?P<x>[^,;:]{{1,40}}?)\s+(?:{_PRONOUN_WORDS})\b", re.I
)


# "Not ... until Y" / "not ... unless Y" states when or on what condition a thing does
# happen ("memory is not updated until the line is evicted" = it is updated then):
# a time or a condition, not the denial of the plain statement.
_DEFERRED = re.compile(
    r"(?:\b(?:not|never)|n['’]t)\b[^,;:.!?]{0,60}?\b(?:until|till|unless)\b", re.I
)


def deferred(text: str) -> bool:
    """The text's negation only defers or conditions its statement ("is not X until Y")."""
    return bool(_DEFERRED.search(text))


# A claim that places its statement at a time or on a condition ("X happens once Y"),
# and one that says it happens regardless ("X happens before Y", "even if not Y").
_TIMED = re.compile(
    r"\b(?:until|till|unless|once|after|when|whenever|as soon as|only if|provided)\b", re.I
)
_UNCONDITIONED = re.compile(
    r"\b(?:before|even if|even though|even when|without|regardless|whether or not|"
    r"immediately|at once|right away)\b",
    re.I,
)


def defers_either(claim: str, note: str) -> bool:
    """A negation mismatch is no denial: the claim defers its statement itself, or the
    note does ("is not X until Y") and the claim says nothing that X happens before Y
    or without it ("X happens before Y", "even if not Y" still deny the note)."""
    return deferred(claim) or (deferred(note) and not denies_deferral(claim))


def denies_deferral(claim: str) -> bool:
    """The claim says a thing happens before or without what a note waits for."""
    return (
        not deferred(claim)
        and not _TIMED.search(claim)
        and bool(_UNCONDITIONED.search(claim))
    )


def _about_foil(core: str, part: str) -> bool:
    """The note sentence sets a thing against its subject ("unlike a sorted tree it does
    not keep the keys in order") and the claim opens with that thing: what the note
    says of its subject is not said of it."""
    m = _FOIL.search(core)
    if m is None:
        return False
    opening = stem_set(" ".join(words(part)[:5]))
    return bool(stem_set(m.group("x")) & opening)


_THAN_TAIL = re.compile(r"[\w\s'-]{0,40}")


def _than_object(text: str, m: re.Match[str]) -> AbstractSet[str]:
    """The stems of what follows "than", up to the next punctuation ("than creating a
    process")."""
    tail = _THAN_TAIL.match(text, m.end(1))
    return stem_set(m.group(1) + (tail.group(0) if tail else ""))


def _same_comparison(
    claim: str, sent: str, than: re.Match[str], s_than: re.Match[str], qterms: AbstractSet[str]
) -> bool:
    """Two comparisons with the same two sides: the same thing after "than" (a word
    the question does not give away), or the same thing before and after, neither side
    named on the other's ("Creating a thread is more expensive than creating a process"
    / "Threads are cheaper to create than processes"; not "TCP is less efficient than
    UDP" / "UDP is more efficient than TCP")."""
    c_obj, s_obj = _than_object(claim, than), _than_object(sent, s_than)
    if not c_obj & s_obj:
        return False
    if (c_obj & s_obj) - qterms:
        return True
    c_head, s_head = stem_set(claim[: than.start()]), stem_set(sent[: s_than.start()])
    both = c_head & s_head
    return bool(both) and not (c_head & s_obj) - both and not (s_head & c_obj) - both


# Words that order two events: "A before B" and "A after B" oppose each other only
# when A is the same event in both (what follows the word is only the reference).
_ORDERING = frozenset({"before", "after"})


# Where the clause holding an ordering word starts, looking back from it.
_EVENT_BREAK = re.compile(r"[,;:]|\b(?:so that|so|because|and|but|which|while|whereas)\b")


def _main_event(text: str, word: str) -> AbstractSet[str]:
    """The content stems of the event an ordering word places ("the gate is locked" in
    "Before the guard leaves, the gate is locked"; "no visitor walks in" in "... no
    visitor walks in after the guard leaves")."""
    low = text.lower()
    m = re.search(rf"\b{word}\b", low)
    if m is None:
        return frozenset()
    head = low[: m.start()]
    if not head.strip(" *_-"):
        # Fronted: "Before X, Y": the event is what follows the comma.
        _, _, rest = low[m.end() :].partition(",")
        return stem_set(rest)
    return stem_set(_EVENT_BREAK.split(head)[-1])


def _same_event(claim: str, a: str, sent: str, b: str) -> bool:
    """For a pair of ordering words, both texts place the same event (a shared
    content word), or one of the events cannot be told; other pairs pass."""
    if a not in _ORDERING or b not in _ORDERING:
        return True
    mine, theirs = _main_event(claim, a), _main_event(sent, b)
    return not mine or not theirs or bool(mine & theirs)


def _near(flips: list[tuple[str, str]], claim: str, sent: str) -> bool:
    """The flipped words qualify the same thing: one of the two content words right
    after each is shared ('reduces bias' / 'increase in the bias', 'shallow trees' /
    'deep decision trees'); 'a large gap' / 'small fluctuations' is no flip."""

    def after(text: str, word: str) -> AbstractSet[str]:
        toks = lower_tokens(text)
        out: AbstractSet[str] = set()
        for i, t in enumerate(toks):
            if t == word:
                nxt = [x for x in toks[i + 1 : i + 6] if _is_content(x)][:2]
                out |= {stem(x) for x in nxt}
        return out

    return (
        any(after(claim, a) & after(sent, b) for a, b in flips)
        or any(_verb_of(claim, a) & _verb_of(sent, b) for a, b in flips)
        or any(
            _predicative(claim, a) & after(sent, b) or after(claim, a) & _predicative(sent, b)
            for a, b in flips
        )
    )


# Verbs that link a thing to what is said of it ("makes convergence worse").
_LINKS = frozenset("is are was were be become becomes get gets got make makes made".split())


def _clause_words(text: str, full_stop: bool = False) -> list[list[str]]:
    """The lower-cased words of each clause (split at punctuation and at the words that
    join two statements); ``full_stop`` splits sentences too."""
    marks = r"[,;:.()]" if full_stop else r"[,;:()]"
    clauses = re.split(marks + r"|\b(?:and|but|while|whereas|so|which)\b", text.lower())
    return [words(clause) for clause in clauses]


def _predicative(text: str, word: str) -> AbstractSet[str]:
    """What a word that ends its clause is said of: the content word just before it
    ("makes convergence worse" -> converg; "better convergence" says it before)."""
    out: set[str] = set()
    for toks in _clause_words(text, full_stop=True):
        if toks and toks[-1] == word:
            prev = [t for t in toks[-4:-1] if t not in _LINKS]
            if prev and _is_content(prev[-1]):
                out.add(stem(prev[-1]))
    return out


# An adverb of manner ends its clause or stands next to its verb: "is replicated
# asynchronously", "synchronously writes".
_MANNER = re.compile(r"ly$")


def _verb_of(text: str, word: str) -> AbstractSet[str]:
    """For an adverb of manner ("asynchronously"): the content words next to it in its
    clause, the verb it qualifies among them ("Data is replicated asynchronously" ->
    replic; "the cache writes to the database asynchronously" -> write, databas). Other
    words qualify what follows them (``_near``)."""
    if not _MANNER.search(word):
        return set()
    out: set[str] = set()
    for toks in _clause_words(text):
        for i, t in enumerate(toks):
            if t == word:
                near = toks[max(0, i - 5) : i] + toks[i + 1 : i + 3]
                out |= {stem(x) for x in near if _is_content(x)}
    return out


def _content_around(text: str, word: str, before: bool) -> AbstractSet[str]:
    """The first content word before (or after) each use of ``word`` in its clause,
    skipping particles ("indexes slow down writes" -> index / write)."""
    out: set[str] = set()
    for toks in _clause_words(text):
        for i, t in enumerate(toks):
            if t != word:
                continue
            side = reversed(toks[max(0, i - 3) : i]) if before else toks[i + 1 : i + 4]
            got = next((x for x in side if _is_content(x)), None)
            if got is not None:
                out.add(stem(got))
    return out


def _predicated(flips: list[tuple[str, str]], c_pred: str, s_pred: str) -> bool:
    """Each flipped word opens what its sentence says of the shared subject ("The
    valve is open" / "The valve is a closed fitting")."""

    def head(text: str) -> set[str]:
        return set(lower_tokens(text)[:3])

    return any(a.lower() in head(c_pred) and b.lower() in head(s_pred) for a, b in flips)


def _framed(flips: list[tuple[str, str]], claim: str, sent: str) -> bool:
    """The flipped words stand between the same two words on both sides: "indexes
    speed up writes" / "indexes slow down writes" (the same thing, said to change the
    same thing the other way)."""
    return any(
        _content_around(claim, a, True) & _content_around(sent, b, True)
        and _content_around(claim, a, False) & _content_around(sent, b, False)
        for a, b in flips
    )


def _than_flip(flips: list[tuple[str, str]], claim: str, sent: str) -> bool:
    """Two comparisons with the same reference ("smaller than physical memory" /
    "looks larger and more contiguous than the physical memory"), each with one word
    of the flipped pair as its comparative (a few words before its "than")."""

    def before_than(text: str, word: str) -> bool:
        toks = lower_tokens(text)
        return any(
            t == word and "than" in toks[i + 1 : i + 5] for i, t in enumerate(toks)
        )

    return any(before_than(claim, a) and before_than(sent, b) for a, b in flips)


def _is_content(word: str) -> bool:
    return word.isalpha() and _content(word)


def _within(a: AbstractSet[str], b: AbstractSet[str]) -> bool:
    """Every stem of ``a`` is in ``b``, allowing one-letter spelling variants
    ('precis' / 'preciss': the notes' typo)."""
    return bool(a) and all(x in b or any(_close(x, y) for y in b) for x in a)


# Words between a direction and what it applies to ("a small increase in the bias").
_DEGREE = frozenset(
    "the a an in of its their this that bit little lot small slight slightly much "
    "greatly significantly somewhat".split()
)


def _directions(text: str) -> dict[str, set[str]]:
    """What the text says goes up or down: {noun stem: {"up" | "down"}} ("reduces the
    variance" -> variance down; "a small increase in the bias" -> bias up)."""
    toks = lower_tokens(text)
    out: dict[str, set[str]] = {}
    for i, t in enumerate(toks):
        d = DIRECTION.get(t)
        if d is None:
            continue
        if any(x in NEGATIONS for x in toks[max(0, i - 3) : i]):
            d = "down" if d == "up" else "up"
        for u in toks[i + 1 : i + 6]:
            if u in _DEGREE:
                continue
            if u not in DIRECTION and _content(u):
                out.setdefault(stem(u), set()).add(d)
            break
    return out


def opposite_direction(
    claim: str, sentences: list[NoteSentence], qterms: AbstractSet[str]
) -> Finding | None:
    """The claim says a thing goes one way where a note sentence about the same thing
    says the other, and no note sentence says it goes the claim's way ("averaging
    mainly reduces the bias, at the cost of more variance" against "averaging ...
    with the goal of reducing the variance")."""
    c_dirs = {n: d for n, d in _directions(claim).items() if len(d) == 1}
    if not c_dirs:
        return None
    per = [(kp, sent, _directions(sent)) for kp, sent, _ in sentences]
    said: dict[str, set[str]] = {}
    for _, _, d in per:
        for n, ds in d.items():
            said.setdefault(n, set()).update(ds)
    c_stems = stem_set(claim)
    moved = {stem(w) for w in DIRECTION}
    for kp, sent, d in per:
        for n, cd in c_dirs.items():
            if n not in d or len(d[n]) != 1 or cd == d[n] or cd <= said.get(n, set()):
                continue
            anchors = (c_stems & stem_set(sent)) - set(c_dirs) - moved - set(qterms)
            if len(anchors) >= 2:
                return quoting(kp, "Your notes say the opposite", sent, "opposite-direction")
    return None
