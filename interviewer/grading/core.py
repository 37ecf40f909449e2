"""The core of a key point: its first statement without the elaboration that follows
("A mutex is a lock with ownership: one thread acquires it, and only that thread
releases it, ..." -> "A mutex is a lock with ownership").

A terse answer states the core of a point and leaves the detail out ("Mutex: owned
lock, one holder"); measured against the whole point its few words look like a weak
match. Coverage also measures each claim against the core, so that the statement a
point makes is credited however much the notes say around it."""

from __future__ import annotations

import re
from functools import lru_cache

from interviewer.text import split_sentences, text_terms, top_level_parts

# Where a statement's elaboration starts: a semicolon, a colon, a dash, or a comma
# before a clause that adds to what was said ("..., which needs a sort", "..., so at
# most one thread ...", "..., and only that thread ...").
_BREAK = re.compile(
    r"\s*(?:;|:\s|\s[-–—]\s|,\s(?:which|so|and|but|while|whereas|because|since|as|"
    r"e\.g\.|i\.e\.|for example|such as|unless|although|though)\b)",
    re.I,
)
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
    core = _BREAK.split(first, maxsplit=1)[0].strip().rstrip(".,;:")
    core = (head + core).strip()
    n = len(core.split())
    if n < MIN_CORE_WORDS or n > MAX_CORE_SHARE * len(text.split()):
        return None
    return core


def core_terms(core: str, terms: list[str]) -> list[str]:
    """The point's key terms that its core uses (every word of a two-word term)."""
    have = set(text_terms(core).unigrams)
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
    from interviewer.grading.contrast import _contrasted_phrases, initials_of

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
