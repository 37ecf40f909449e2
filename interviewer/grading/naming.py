"""Naming a point: its subject (the noun phrase it is about: "early stopping", "the
disadvantage of ridge regression") and its kind (a method, a definition, a cause ...).
Follow-up questions and the "most important missing" summary name a point by its
subject, never by a fragment of its explanation, which would give the answer away.

Not the same parser as ``interviewer.subjects`` (a question's subject), and not
mergeable with it without changing results: a point is a statement, so its subject is
the noun phrase before its verb ("Early stopping halts ..."), found from the verb
(``_verb_position``: English auxiliaries and -s verbs, words.txt); a question's
subject follows the asking part ("What is X?", "How would you tune X?"), found by
dropping question words, auxiliaries and asking verbs (in English and Spanish:
units_cues.txt), and read as "A vs B" for a comparison. Their word lists differ for
that reason (a preposition list with "of" here, without it there; auxiliaries with
negated forms here, with Spanish ones there). Shared: ``subjects.bare_subject`` drops
the article of either's subject, and the pronoun sets are ``interviewer.text``'s."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer import lexicon
from interviewer.grading.cues import alternation, cue_list, cue_regex
from interviewer.grading.models import PointKind
from interviewer.grading.terms import known_words, rarity
from interviewer.lexicon import WORDS_FILE
from interviewer.text import STAND_INS, _content

if TYPE_CHECKING:
    from collections.abc import Callable


# Word lists (interviewer/words.txt) that end a subject, open a step, stop a phrase ...
_AUX = lexicon.words("auxiliaries", WORDS_FILE)
_VERBS_S = lexicon.words("verbs_s", WORDS_FILE)
_DEF_VERBS_K = lexicon.words("definition_verbs", WORDS_FILE)
_SUBORDINATORS = lexicon.words("subordinators", WORDS_FILE)
_PREPOSITIONS = lexicon.words("prepositions", WORDS_FILE)
_EVALUATIVE = lexicon.words("evaluative", WORDS_FILE)
_DETERMINERS = frozenset({"the", "a", "an"})
_HOLLOW_HEADS = lexicon.words("hollow_heads", WORDS_FILE)
_LEAD_WORDS = "|".join(cue_list("lead_words"))
# Discourse lead-ins and leading conditions: not part of what the sentence is about.
_LEAD_IN = re.compile(
    rf"^(?:(?:(?:{_LEAD_WORDS})\b\s*,?|(?:in (?:the|a|this|that) [^,]{{1,40}}|for [^,]{{1,40}}|"
    r"if [^,]{1,60}|when [^,]{1,60}|as [^,]{1,40}|to [^,]{1,60}|while [^,]{1,60}|"
    r"although [^,]{1,60}|assuming [^,]{1,60}|according to [^,]{1,40})\s*,)\s*)+",
    re.I,
)
_PROPERTY_WORDS = re.compile(
    r"^(advantages?|disadvantages?|drawbacks?|limitations?|benefits?|costs?|downsides?|"
    r"problems?|issues?|trade-?offs?|pros|cons|strengths?|weakness(?:es)?|risks?|"
    r"upsides?|caveats?)$",
    re.I,
)
_GENERIC_LABEL = re.compile(
    r"^(?:(?:possible|main|other|some|the|my|a|few)\s+)*"
    r"(?:" + alternation("generic_labels") + r")$",
    re.I,
)
_CAUSE_SUBJECT = re.compile(
    r"^(?:too\s+(?:many|much|few|little|big|large|small|long|complex|deep)|not enough|"
    r"lack of|small|noisy|little|insufficient|excessive|overly)\b",
    re.I,
)
_CAUSE_VERB = lexicon.words("cause_verbs", WORDS_FILE)
_METHOD_VERB = lexicon.words("method_verbs", WORDS_FILE)
STEP_VERBS = lexicon.words("step_verbs", WORDS_FILE)
# "A metric to train the network: ...": the point names a role, "which X for Y?".
_CHOICE_LABEL = re.compile(r"^(?:a|an|the)\s+(\w+(?:[\s-]\w+)?)\s+(to|for)\s+(\S.*)$", re.I)
_MATHY = re.compile(r"[/*+^]|\d|\w\(")
_FORMULA_NAME = re.compile(r"([A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)\s*=\s*\S")
_NP_STOP = lexicon.words("noun_phrase_stops", WORDS_FILE)
_ASIDE_LEAD = re.compile(
    r"^\s*(?:see also\b|see\b|cf\.?\s|e\.\s?g\.|for example\b|for instance\b|"
    r"an example\b|example:|(?:note|side note|fun fact|btw|by the way)\s*:)",
    re.I,
)
# A note-taker's remark about the notes, not a point about the subject.
REMARK = cue_regex("remark")
# A remark about the notes or the writing, never about the subject: "I could keep
# going, but <link> already has a complete table", "more on this later".
META = cue_regex("meta")
# "A technique that discourages ...": a definition whose subject is the question's.
_IMPLIED_DEFINITION = re.compile(
    r"^(?:a|an|the)\s+(?:[\w-]+\s+){0,2}(?:" + "|".join(cue_list("definition_heads")) + r")\s+"
    r"(?:that|which|to|for|of|used|where|in which)\b",
    re.I,
)


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
        if not (low in (
            "can", "could", "may", "might", "should", "must", "would", "also", "then", "to",
            "just", "simply", "always", "straight", "directly", "easily",
        ) or (low in ("have", "has", "need", "needs", "want", "try") and nxt == "to")):  # fmt: skip
            break
        i += 1
    if i == 1 or i >= len(tokens):
        return None
    verb = tokens[i].strip(",;:.").lower()
    if not verb.isalpha() or verb in _AUX or verb in _NP_STOP:
        return None
    obj = _phrase(  # (an adverb ends it)
        tokens, i + 1, 8, stop=lambda low, _: low.endswith("ly") and low not in ("early", "only")
    )
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
    return _phrase(tokens, i, 10, stop=lambda low, tok: not low or "=" in tok)


def _phrase(
    tokens: list[str], start: int, size: int, stop: Callable[[str, str], bool]
) -> list[str]:
    """Up to ``size`` words from ``start``, ending before a word that stops a noun
    phrase (or ``stop(lower-case word, word)``) or with one that ends in punctuation;
    'and'/'or' inside a noun phrase (``_np_and``) do not end it."""
    out: list[str] = []
    for k, tok in enumerate(tokens[start : start + size]):
        low = tok.lower().strip(",;:.")
        if _np_and(out, tokens[start + k + 1 : start + k + 2], low):
            out.append(tok)
            continue
        if low in _NP_STOP or low == "very" or stop(low, tok):
            break
        out.append(tok)
        if re.search(r"[,;:.]$", tok):
            break
    return out


def _good_phrase(words_: list[str], min_rare: float = 0.0, *, single: bool = True) -> bool:
    if not words_:
        return False
    first = words_[0].lower().replace("’", "'")
    if first in STAND_INS or first in _SUBORDINATORS or first in _PREPOSITIONS:
        return False
    if any(w.lower().replace("’", "'") in STAND_INS - {"one"} for w in words_[1:]):
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
    if not lab or lab[0].lower() in STAND_INS:
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
