"""Subjects a question contrasts ("INNER JOIN and a LEFT JOIN", "WHERE vs HAVING",
"UNION and UNION ALL"), and which of them a statement is about. Coverage asks a claim
to name the subject of a point about one of them; the swapped-subject rule compares
what each side says.

A name is a stem ("inner") or a phrase of stems ("union all"); a statement is about
the longest names its opening words hold ("UNION ALL keeps ..." is about "union all",
not "union"). An acronym of a contrasted phrase names it too ("SGD" for "Stochastic
Gradient Descent", "PK" for "primary key")."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from collections.abc import Set as AbstractSet
from itertools import takewhile
from typing import TYPE_CHECKING

from interviewer.text import ANAPHORS, LABEL, split_sentences, stem, text_terms, words

if TYPE_CHECKING:
    from interviewer.grading.models import KeyPoint

_COORDINATOR = frozenset({"and", "or", "vs", "versus", "nor", ",", "/"})
_PRONOUN = ANAPHORS | {"its", "their"}
# A statement is about the subjects it opens with ("A LEFT JOIN with ...", "HAVING
# filters ..."), not those it mentions later ("Atomicity means a transaction ...").
SUBJECT_WORDS = 3
# Words a statement may open with before its subject ("In write-through, ...").
_LEAD = frozenset({"in", "with", "for", "on", "under", "using", "a", "an", "the"})


# An opening clause of time or condition with no subject of its own: a participle right
# after the conjunction, and what it takes, up to the comma ("If signed in, ...",
# "When grading the essays by hand, ..."). An auxiliary in it makes the participle
# the clause's subject ("When caching is off, ..."), as does a compared name that is a
# whole subject ("Sorting vs hashing?": "When sorting, ..." is about sorting).
_SUBORDINATE = re.compile(
    r"^\s*(?P<lead>(?:when|whenever|while|once|if|after|before|until|unless)\s+"
    r"[a-z]+(?:ing|ed|en)(?:\s+[\w'-]+){0,5}?)\s*,\s*(?P<rest>\S.*)$",
    re.S,
)
_AUXILIARY = frozenset(
    {"is", "are", "was", "were", "be", "been", "has", "have", "had", "do", "does", "did"}
)


def _subjectless_lead(text: str, names: AbstractSet[str]) -> str | None:
    """What follows an opening clause without a subject of its own, if the text has one."""
    m = _SUBORDINATE.match(text[:1].lower() + text[1:])
    if m is None:
        return None
    lead, rest = words(m.group("lead")), words(m.group("rest"))
    named = _name_matches(m.group("lead"), names) - getattr(names, "partial", frozenset())
    if any(w.lower() in _AUXILIARY for w in lead) or named:
        return None
    if not rest or rest[0].lower() in _PRONOUN:
        return None
    return m.group("rest")


class SubjectNames(frozenset[str]):
    """Contrasted names, with the acronyms that stand for them (``aliases``: the
    lower-cased acronym -> the names it stands for)."""

    aliases: dict[str, frozenset[str]]
    # Names that are one word of a longer phrase ("proof" of "the proof basket"): a
    # participle of it ("When proofing, ...") is an activity, not that subject.
    partial: frozenset[str]

    def __new__(
        cls,
        names: Iterable[str] = (),
        aliases: dict[str, frozenset[str]] | None = None,
        partial: Iterable[str] = (),
    ) -> SubjectNames:
        self = super().__new__(cls, names)
        self.aliases = {a: n & self for a, n in (aliases or {}).items() if n & self}
        self.partial = frozenset(partial) & self
        return self


# A sentence the notes end without a capital after ("... 0 in the child. exec replaces
# the program ..."): two statements, the second opening with a lower-case name.
_LOWER_START = re.compile(r"(?<=[a-z0-9)\]])\.\s+(?=[a-z])")
_ABBREVIATION = re.compile(r"\b(?:e\.\s?g|i\.\s?e|etc|vs|cf|approx|incl|resp|al|fig|eq)\.", re.I)


def statements(text: str) -> list[str]:
    """The sentences of a text, also split where one ends before a lower-case word
    (not after "e.g.")."""
    out: list[str] = []
    for sent in split_sentences(text):
        safe = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", "\x00"), sent)
        out.extend(
            p.replace("\x00", ".").strip() for p in _LOWER_START.split(safe) if p.strip()
        )
    return out


def _stems_of(text: str) -> list[str]:
    return text_terms(text).unigrams


def contrasted(question: str) -> set[str]:
    """Names that tell apart the phrases on either side of a coordinator: "INNER JOIN
    and a LEFT JOIN" -> inner, left; "Batch Gradient Descent and Stochastic Gradient
    Descent" -> batch, stochast; "L1 vs L2 regularization" -> l1, l2; "UNION and UNION
    ALL" -> union, union all (one phrase holds the other). A topic word alone ("How to
    check overfitting?") contrasts nothing."""
    return set(_contrasted_phrases(question)[0])


def _contrasted_phrases(question: str) -> tuple[set[str], list[list[str]]]:
    """The names, and the surface words of every contrasted phrase (for acronyms)."""
    toks = re.findall(r"[A-Za-z0-9][\w'-]*|[,/]", question)
    stems_ = [
        stem(t.lower()) if t.lower() not in _COORDINATOR and _stems_of(t) else None for t in toks
    ]
    out: set[str] = set()
    phrases: list[list[str]] = []
    for k, t in enumerate(toks):
        if t.lower() not in _COORDINATOR:
            continue
        left_n = len(_phrase(stems_[max(0, k - 3) : k][::-1]))
        left = stems_[k - left_n : k]
        start = k + 2 if k + 1 < len(toks) and toks[k + 1].lower() in ("a", "an", "the") else k + 1
        right_n = len(_phrase(stems_[start : start + 3]))
        right = stems_[start : start + right_n]
        if not left or not right or left == right:
            continue
        phrases += [toks[k - left_n : k], toks[start : start + right_n]]
        ls, rs = [s for s in left if s], [s for s in right if s]
        if set(ls) < set(rs) or set(rs) < set(ls):
            # One phrase holds the other ("UNION" / "UNION ALL"): both, whole.
            out |= {" ".join(ls), " ".join(rs)}
        elif set(ls) & set(rs):
            # Parallel phrases with a shared head: their other words tell them apart.
            out |= set(ls) ^ set(rs)
        else:
            out |= {ls[-1], rs[0]}
    return out, phrases


def _phrase(stems_: Sequence[str | None]) -> list[str | None]:
    """Up to three stems, up to the first word that is not a term."""
    return list(takewhile(lambda x: x is not None, stems_[:3]))


def acronyms(
    phrases: Iterable[Sequence[str]], names: AbstractSet[str]
) -> dict[str, frozenset[str]]:
    """Acronyms of the contrasted phrases (the initials of their words, two to five):
    "Stochastic Gradient Descent" -> sgd, "primary key" -> pk; each stands for the
    names its phrase holds."""
    out: dict[str, set[str]] = {}
    for surface in phrases:
        found = initials_of(surface)
        got = names_in(" ".join(found[1]), names) if found else set()
        if found and got:
            out.setdefault(found[0].lower(), set()).update(got)
    return {a: frozenset(n) for a, n in out.items()}


def initials_of(surface: Sequence[str]) -> tuple[str, list[str]] | None:
    """The acronym a phrase can go by (the initials of its two to five content words,
    in capitals) and those words; None when it has no such acronym."""
    content = [w for w in surface if _stems_of(w)]
    initials = "".join(w[0] for w in content).upper()
    if 2 <= len(content) <= 5 and initials.isalpha():
        return initials, content
    return None


def _matches(stems_: Sequence[str], names: Collection[str]) -> set[str]:
    """The longest names found as runs of ``stems_`` ("union all", not also "union")."""
    found: list[tuple[int, int, str]] = []
    for name in names:
        parts = name.split(" ")
        n = len(parts)
        for i in range(len(stems_) - n + 1):
            if list(stems_[i : i + n]) == parts:
                found.append((i, i + n, name))
    return {
        name for i, j, name in found
        if not any(a <= i and j <= b and (b - a) > (j - i) for a, b, _ in found)
    }  # fmt: skip


def _aliased(tokens: Iterable[str], names: AbstractSet[str]) -> set[str]:
    aliases = getattr(names, "aliases", None) or {}
    out: set[str] = set()
    for t in tokens:
        # An acronym is written in capitals ("PK", "SGDs"): "pk" in prose is no name.
        bare = t[:-1] if t.endswith("s") and t[:-1].isupper() else t
        if len(bare) >= 2 and bare.isupper():
            out |= aliases.get(bare.lower(), frozenset())
    return out


def names_in(text: str, names: AbstractSet[str]) -> set[str]:
    """The names a text mentions anywhere (longest match; acronyms count)."""
    if not names:
        return set()
    return _name_matches(text, names) | _aliased(words(text), names)


def _joined(a: str, b: str, pieces: AbstractSet[str]) -> str | None:
    """The hyphenated piece of a name that two words written apart make ("check in"
    for check-in), if any."""
    got = stem(f"{a}-{b}".lower().strip("'"))
    return got if got in pieces else None


def _whole_compounds(text: str, pieces: AbstractSet[str] = frozenset()) -> list[str]:
    """The text's stems with each hyphenated word kept whole, as a question's names
    are made ("Sign-in vs sign-up?" -> sign-in, sign-up): its parts alone may not tell
    it apart ("in" is a stop word). ``pieces``: the hyphenated words of the names,
    also found written with a space or as one word ("sign up", "signup")."""
    out: list[str] = []
    toks = words(text)
    glued = {p.replace("-", ""): p for p in pieces}
    i = 0
    while i < len(toks):
        tok = toks[i]
        pair = _joined(tok, toks[i + 1], pieces) if i + 1 < len(toks) else None
        if pair is not None:
            out.append(pair)
            i += 2
            continue
        if "-" in tok.strip("-"):
            out.append(stem(tok.lower().strip("'")))
        elif stem(tok.lower()) in glued:
            out.append(glued[stem(tok.lower())])
        else:
            out.extend(_stems_of(tok))
        i += 1
    return out


def _name_matches(text: str, names: Collection[str]) -> set[str]:
    """The names found in the text, by its stems or, for hyphenated names, by its
    hyphenated words whole (also written apart or joined)."""
    found = _matches(_stems_of(text), names)
    pieces = {p for n in names for p in n.split(" ") if "-" in p}
    if pieces:
        found |= _matches(_whole_compounds(text, pieces), names)
    return found


def subject_names(text: str, names: AbstractSet[str]) -> set[str]:
    """The contrasted names a statement opens with."""
    if not names:
        return set()
    rest = _subjectless_lead(text, names)
    if rest is not None:
        # "When kneading, the baker folds ...": a clause without a subject of its own
        # sets the time or condition; the statement's subject follows it. (A clause
        # with its own, "When a left row has no match, the right columns are NULL",
        # says what the statement is about.)
        text = rest
    toks = words(text)
    while toks and toks[0].lower() in _LEAD:
        toks = toks[1:]
    head = toks[:SUBJECT_WORDS]
    got = _name_matches(" ".join(toks[: SUBJECT_WORDS + 1]), names)
    # (One word more for a two-word name that ends the opening: "A LEFT JOIN".)
    got = {n for n in got if _first_at(toks, n) < SUBJECT_WORDS}
    return got | _aliased(head, names)


def _first_at(toks: Sequence[str], name: str) -> int:
    first = name.split(" ")[0]
    for i, t in enumerate(toks):
        if _stems_of(t)[:1] == [first] or ("-" in t and first in _stems_of(t)):
            return i
        if "-" in first and (
            stem(t.lower().strip("'")) in (first, first.replace("-", ""))
            or (i + 1 < len(toks) and _joined(t, toks[i + 1], {first}) is not None)
        ):
            return i
    return len(toks)


def sentence_subjects(sentences: list[tuple[str, str]], names: AbstractSet[str]) -> list[set[str]]:
    """For (group, sentence) pairs in order: the contrasted names each is about; a
    sentence that opens with a pronoun is about its predecessor's (same group)."""
    out: list[set[str]] = []
    prev: tuple[str, set[str]] | None = None
    for group, sent in sentences:
        first = (words(sent)[:1] or [""])[0].lower()
        if first in _PRONOUN and prev is not None and prev[0] == group:
            got = set(prev[1])
        else:
            got = subject_names(sent, names)
            if not got:
                # "The scores on the holdout data ...": the one name it mentions.
                anywhere = names_in(sent, names)
                got = anywhere if len(anywhere) == 1 else set()
        out.append(got)
        prev = (group, got)
    return out


# ---- the subjects of one question -----------------------------------------------------


def question_contrast(
    question: str, points: Sequence[KeyPoint]
) -> tuple[SubjectNames, dict[str, frozenset[str]]]:
    """The names a question's subjects go by, and for each point about some but not
    all of them ("What is the difference between an INNER JOIN and a LEFT JOIN?"):
    the names of its subjects, one of which a claim must use to earn credit for it.

    Names come from the question's coordinated phrases when its points use them (some
    points open with a name, others with another). Without such a contrast, the
    subjects the note sentences open with serve the swapped-subject rule only (no
    credit needs them): question words or labels ("**Isolation**: ...") that each open
    their own sentences ("fork creates ...", "exec replaces ...")."""
    found, phrases = _contrasted_phrases(question)
    phrase_names = SubjectNames(
        found,
        partial={
            n for p in phrases if len([w for w in p if _stems_of(w)]) > 1
            for n in _name_matches(" ".join(p), found)
        },
    )  # fmt: skip
    # A point is about the subjects it opens with ("A LEFT JOIN with ...", "HAVING
    # filters ..."), not those it mentions later ("Atomicity means a transaction").
    stems = {kp.id: subject_names(kp.text, phrase_names) for kp in points}
    used = [t for t in phrase_names if 0 < sum(t in s for s in stems.values()) < len(points)]
    out: dict[str, frozenset[str]] = {}
    if len(points) >= 2:
        for kp in points:
            mine = frozenset(t for t in used if t in stems[kp.id])
            if mine and mine != frozenset(used):
                out[kp.id] = mine
    if out:
        return SubjectNames(used, acronyms(phrases, set(used)), phrase_names.partial), out
    return SubjectNames(opening_names(question, points)), {}


def opening_names(question: str, points: Sequence[KeyPoint]) -> set[str]:
    """Names the question coordinates (or the points' short labels) that each open
    their own note sentences, two or more of them, none opening a sentence another
    opens:
    "What do fork and exec do?" over "fork creates ...", "exec replaces ..." -> fork,
    exec. A topic that opens every sentence, or two words that always open together
    ("system call"), contrast nothing."""
    candidates = set(contrasted(question))
    for kp in points:
        if kp.label and len(kp.label.split()) <= 3:
            candidates.update(_stems_of(kp.label))
    if len(candidates) < 2:
        return set()
    sents: list[str] = []
    for kp in points:
        # (A semicolon joins two statements: "X sets ...; Y gives ...".)
        sents.extend(p for s in statements(kp.text) for p in re.split(r";\s+", s))
    opened: dict[str, set[int]] = {}
    for n, sent in enumerate(sents):
        m = LABEL.match(sent)
        head = m.group(1) if m and len(m.group(1).split()) <= 3 else sent
        for name in subject_names(head, candidates):
            opened.setdefault(name, set()).add(n)
    # Two names that open the same sentences are one subject in two words: keep the
    # one written first ("Rye (pumpernickel) bread": rye).
    by_set: dict[frozenset[int], str] = {}
    for name in sorted(opened, key=lambda n: (_first_at(words(sents[min(opened[n])]), n), n)):
        by_set.setdefault(frozenset(opened[name]), name)
    chosen = {s: name for s, name in by_set.items() if len(s) < len(sents)}
    # A word that opens the sentences of several names is the head they share
    # ("light roast", "dark roast"): it tells none of them apart. (Only
    # one such head: two are two lists, "Calculate X", "Calculate Y" and "A target
    # variable", "B target variable", and no one contrast.)
    heads = [s for s in chosen if sum(1 for other in chosen if other < s) >= 2]
    if len(heads) == 1:
        del chosen[heads[0]]
    keep = [
        name for s, name in chosen.items()
        if not any(s & other for other in chosen if other != s)
    ]  # fmt: skip
    return set(keep) if len(keep) >= 2 else set()
