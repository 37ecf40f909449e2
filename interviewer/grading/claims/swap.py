"""Rule family: the same predicate attached to another subject (swapped definitions)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer.grading.claims.inversion import _within
from interviewer.grading.claims.registry import Finding, quoting
from interviewer.grading.claims.subject import _DEF_VERBS
from interviewer.grading.contrast import names_in, subject_names
from interviewer.grading.cues import cue_list, lower_words, negated
from interviewer.grading.models import KeyPoint
from interviewer.text import STOPWORDS, split_clauses, stem, stem_set, words
from interviewer.text import clip as _short

if TYPE_CHECKING:
    from collections.abc import Set as AbstractSet

    from interviewer.grading.claims.registry import NoteSentence, Parsed


def subject_conflicts(
    claim: str, c_parsed: Parsed, sentences: list[NoteSentence]
) -> Finding | None:
    c_subj, c_verb, c_pred = c_parsed
    c_pred_stems = set(stem_set(c_pred) - c_subj)
    if c_verb not in _DEF_VERBS:
        c_pred_stems.add(stem(c_verb))
    if len(c_pred_stems) < 2:
        return None
    about = [
        (kp, sent, p) for kp, sent, p in sentences
        if p is not None and p[0] and (_within(p[0], c_subj) or _within(c_subj, p[0]))
    ]  # fmt: skip

    def pred_of(p: Parsed) -> AbstractSet[str]:
        out = set(stem_set(p[2]) - p[0])
        if p[1] not in _DEF_VERBS:
            out.add(stem(p[1]))
        return out

    # other-subject: the claim matches a note sentence about another subject better
    # than any about its own, with a word that the notes never use of its own subject
    # ('perceived' quality: DSSIM, not PSNR).
    # Two measures of a match: the share of the note's predicate the claim uses, and
    # the overlap of the two predicates (a long note sentence, a short claim).
    def overlap(pred: AbstractSet[str]) -> float:
        return len(pred & c_pred_stems) / max(1, min(len(pred), len(c_pred_stems)))

    single_clause = not re.search(r";|,\s*(?:and|or|so)\b|\b(?:while|whereas|but|unlike)\b", claim)

    if about and not any(negated(sent) for _, sent, _ in about):
        own_words = set().union(*(pred_of(p) for _, _, p in about))
        own_best = max(len(pred_of(p) & c_pred_stems) / max(1, len(pred_of(p))) for *_, p in about)
        own_overlap = max(overlap(pred_of(p)) for *_, p in about)
        for kp, sent, p in sentences:
            if p is None or not p[0] or _within(p[0], c_subj) or _within(c_subj, p[0]):
                continue
            if p[0] & c_subj and not single_clause:
                continue  # (subjects sharing words, "stochastic / batch gradient descent",
                # are told apart only in a one-clause claim)
            pred = pred_of(p)
            hit = pred & c_pred_stems
            frac = len(hit) / max(1, len(pred))
            # (The overlap measure only for a one-clause claim: "for a categorical
            # target use X; for a continuous one, Y" speaks of two subjects.)
            better = (frac >= 2 / 3 and frac > own_best) or (
                single_clause and overlap(pred) >= 0.5 and overlap(pred) >= own_overlap + 0.2
            )
            if len(hit) >= 2 and better and hit - own_words:
                said = f"“{_short(sent, 160)}”; and of this: “{_short(about[0][1], 140)}”"
                lead = "Your notes say that of something else"
                return Finding(kp, f"{lead}: {said}", "other-subject")

    # Agreement: a note sentence about the subject that says (some of) the same. One
    # shared everyday word in a longer claim ("prediction" in "how sure the model is
    # about its prediction" and "the share of predicted positives") is not agreement.
    def agrees(pred: AbstractSet[str]) -> bool:
        shared = pred & c_pred_stems
        return len(shared) >= 2 or (bool(shared) and len(c_pred_stems) < 4)

    if any(agrees(pred_of(p)) or negated(sent) for _, sent, p in about):
        return None
    # conflicting-definition: the claim defines its subject in prose ("is how sure
    # the model is"; not "are learned greedily", not a formula such as "TP / (TP +
    # FP)", which may abbreviate the notes' words)
    first = (re.findall(r"[A-Za-z]+", c_pred)[:1] or [""])[0].lower()
    prose = [w for w in words(c_pred) if w.isalpha() and not w.isupper() and len(w) > 2]
    defines = (
        c_verb in _DEF_VERBS
        and not re.search(r"(ed|en)$", first)
        and not first.endswith("ly")
        and len(prose) >= 2
    )
    if about and defines and any(p[1] in _DEF_VERBS for _, _, p in about):
        kp, sent, _ = next((x for x in about if x[2][1] in _DEF_VERBS), about[0])
        return quoting(kp, "Your notes define it differently", sent, "conflicting-definition", 220)
    return None


_QUANT = dict(line.split() for line in cue_list("quantifiers"))


def _predicate(text: str, names: AbstractSet[str]) -> set[str]:
    """Content stems and quantifier classes ('only', 'all', 'none') of a statement,
    without the subjects' names."""
    quant = {"q:" + _QUANT[w] for w in lower_words(text) if w in _QUANT}
    return (set(stem_set(text)) | quant) - set(names)


_ASIDE = re.compile(r"\([^)]*\)")

# A claim that opens by listing names ("FIFO, LRU and clock ...").
_LISTED = re.compile(r"^\s*(?:\w[\w'’-]*\s*){1,3}(?:\([^)]*\)\s*)?(?:,|and\b|or\b|/)", re.I)


def _content_word(w: str) -> bool:
    return w.isalnum() and w.lower() not in STOPWORDS


def name_heads(question: str, names: AbstractSet[str]) -> frozenset[str]:
    """The word that two contrasted names share as their head ("a validation set and a
    test set", "an INNER JOIN and a LEFT JOIN"): part of each name, it says nothing of
    either."""
    toks = [stem(w.lower()) for w in words(question)]
    after: dict[str, set[str]] = {}
    for name in names:
        last = name.split(" ")[-1]
        for i, t in enumerate(toks[:-1]):
            if t == last:
                after.setdefault(toks[i + 1], set()).add(name)
    return frozenset(h for h, of in after.items() if len(of) >= 2 and h not in names)


# Where a note sentence turns to another subject: a semicolon, or a comma before
# "while"/"whereas" (outside brackets).
_TURN = re.compile(r";\s*|,\s*(?=(?:while|whereas)\b)|\s+(?=whereas\b)", re.I)


# A clause placed at a time or on a condition ("B takes over once X").
_HAND_OFF = re.compile(
    r"\b(?:once|until|till|unless|after|before|when|whenever|then|instead|rather)\b", re.I
)
# What a claim says its subject does instead of something else ("A keeps X instead of
# doing Y"): the Y is set apart from the subject, as the notes may set it of another.
_INSTEAD = re.compile(r"\b(?:instead of|rather than|unlike)\b(?P<tail>[^;.]*)", re.I)


def clause_subjects(
    sent: str, subj: set[str], names: AbstractSet[str]
) -> list[tuple[str, set[str]]]:
    """The clauses of a note sentence with the contrasted names each is about: the
    sentence's own subjects for its first clause, and a later clause's opening names
    (none: those of the clause before, "...; it ..."); a sentence about one subject
    throughout is one clause."""
    hidden = _ASIDE.sub(lambda m: m.group(0).replace(";", "\x00"), sent)
    parts = [p.replace("\x00", ";") for p in _TURN.split(hidden) if p.strip()]
    if len(parts) < 2:
        return [(sent, subj)]
    out = [(parts[0], subj)]
    for part in parts[1:]:
        got = subject_names(part, names) or out[-1][1]
        if _HAND_OFF.search(part):
            # "B takes over once X" also says when the subject before it stops: the
            # clause is about both.
            got = got | out[-1][1]
        if got == out[-1][1]:
            # (Clauses about the same subject stay one statement of it.)
            out[-1] = (f"{out[-1][0]}; {part}", got)
        else:
            out.append((part, got))
    return out if len(out) > 1 else [(sent, subj)]


def contrast_swap(
    claim: str,
    names: AbstractSet[str],
    sentences: list[NoteSentence],
    subjects: list[set[str]],
    heads: AbstractSet[str] = frozenset(),
) -> Finding | None:
    """The question contrasts subjects ("INNER JOIN and a LEFT JOIN", "WHERE and
    HAVING"); the claim opens with one of them and says of it what the notes say of
    another: its predicate matches a note sentence about only the other subject better
    than any about its own, with words the notes never use of its own ("A left join
    only keeps the rows that match in both tables"). ``subjects``: the names each note
    sentence is about (``contrast.sentence_subjects``); ``heads``: words of the names
    that count as neither side's (``name_heads``)."""
    names_heads = set(names) | set(heads)
    named = subject_names(claim, names)
    if len(named) != 1:
        return None
    # A negated claim compares with negated note sentences only ("durability means
    # transactions do not see each other's state": what the notes say of isolation).
    neg = negated(claim)
    if _LISTED.match(claim):
        return None  # "FIFO, LRU, clock": names listed, nothing said of them
    own_name = next(iter(named))
    first = [w for w in words(claim) if _content_word(w)][:1]
    opens = bool(first) and stem(first[0].lower()) == own_name.split(" ")[0]
    pred = _predicate(claim, names_heads)
    if len(pred) < 2:
        return None
    own: list[set[str]] = []
    other: list[tuple[KeyPoint, str, set[str]]] = []
    # Each clause of a note sentence is about the name it opens with ("A cheque needs a
    # signature; a card needs a PIN" says nothing of a cheque's PIN).
    clauses = [
        (kp, sent, part, subj)
        for (kp, sent, _), whole in zip(sentences, subjects, strict=True)
        for part, subj in clause_subjects(sent, whole, names)
    ]
    for kp, sent, part, subj in clauses:
        if subj == {own_name}:
            own.append(_predicate(part, names_heads))
        elif (
            subj and own_name not in subj and (negated(part) or not neg)
            # A sentence that also names the claim's subject ("First-come, first-served:
            # short jobs wait behind long ones") may say it of both, unless the claim
            # opens with that name ("FCFS runs jobs ..." does not).
            and (opens or own_name not in names_in(_ASIDE.sub(" ", part), names))
        ):
            # (An aside in brackets, "(pipes, sockets, shared memory)", lists examples:
            # it says nothing of the other subject that a claim could have taken.)
            said = _ASIDE.sub(" ", part)
            if not neg:
                # A plain claim takes nothing from what the notes deny of the other
                # subject ("a deep copy copies the inner objects, so nothing is shared"
                # does not say "shared" of it).
                said = " ".join(c for c in split_clauses(said) if not negated(c))
            other.append((kp, sent, _predicate(said, names_heads)))
    if not own or not other:
        return None
    own_words = set().union(*own)
    own_best = max(len(pred & p) for p in own)
    best: tuple[int, KeyPoint, str] | None = None
    foil: set[str] = set().union(
        *(_predicate(m.group("tail"), names_heads) for m in _INSTEAD.finditer(claim))
    )
    for kp, sent, p in other:
        if len(foil & p) >= 2:
            continue  # the claim itself sets the other subject's words apart
        hit = pred & p
        # (A tie with the subject's own sentences is broken by the other subject's
        # words: "threads ... are isolated", said of processes only.)
        ahead = len(hit) > own_best or (len(hit) == own_best >= 3 and hit - own_words)
        if (
            len(hit) >= 2
            and ahead
            and 2 * len(hit) >= len(pred)
            and hit - own_words
            and (best is None or len(hit) > best[0])
        ):
            best = (len(hit), kp, sent)
    if best is None:
        return None
    return quoting(best[1], "Your notes say that of something else", best[2], "swapped-subject")
