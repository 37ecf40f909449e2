"""What an answer left out of a point it made only in part.

A point often says several things ("Type I error is a false positive, while Type II
error is a false negative"; "the handler checks the access is legal, finds a free
frame, evicting a victim page ..., reads the page in, restarts the instruction"). An
answer that makes one of them touches the point; the feedback should still say which
of its parts were left out, as a missed point of their own in the notes' words.

A part is left out when the answer uses none (a fifth at most) of the words that tell
it from the point's other parts and the question, and no claim is a close paraphrase
of it. A covered point with such a part that holds the question's own words ("how does
it differ from a sloop?" and "unlike a sloop it carries two masts"), which the answer
never uses, is only partly covered."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from interviewer.grading.assess import _defines
from interviewer.grading.coverage import Assessment, label_in, label_sets
from interviewer.grading.cues import alternation, cue_regex
from interviewer.text import (
    STATEMENT_BREAK,
    content_word_count,
    split_sentences,
    text_terms,
    top_level_parts,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from interviewer.grading.answer import Claim
    from interviewer.grading.grader import Grader
    from interviewer.grading.models import KeyPoint, Question

_OPENER = re.compile(r"^(?:" + alternation("subordinate_openers") + r")(?![\w-])", re.I)
_EXAMPLE = cue_regex("illustration")
_ASIDE = re.compile(r"\([^()]*\)")
_PREDICATE = re.compile(r"^(?:is|are|was|were|has|have|can|will|may|must)\b", re.I)
REST = "~rest"  # the id suffix of a point's left-out parts


def parts_of(text: str) -> list[str]:
    """The statements of a point: its sentences cut at semicolons, colons, dashes and
    top-level commas (brackets kept with their part)."""
    out: list[str] = []
    for sent in split_sentences(" ".join(text.split())):
        pieces = [p.strip(" .,;:") for x in STATEMENT_BREAK.split(sent) for p in top_level_parts(x)]
        lead = ""
        for n, p in enumerate(pieces):
            if not p:
                continue
            if _OPENER.match(p) and not lead and n + 1 < len(pieces):
                lead = p  # "If X, Y": the clause leans on the next one
                continue
            if lead:
                p, lead = lead + ", " + p, ""
            elif _EXAMPLE.match(p) and len(pieces) > 1:
                continue  # a trailing "..., for example in X": no statement
            if out and _PREDICATE.match(p):
                out[-1] += ", " + p  # "X, is Y": a comma inside one statement
            else:
                out.append(p)
    # (Fewer content words make a label or an aside: "Briefly stated", "On the
    # other hand".)
    return [p for p in out if content_word_count(p) >= 2 and len(p.split()) >= 3]


def _left_out(
    parts: Sequence[str], used: set[str], qterms: set[str]
) -> tuple[list[int], dict[int, set[str]]]:
    """Indexes of the parts whose own words (not the question's, not another part's)
    the answer (its stems ``used``) mostly lacks, and per such part the question's
    words it holds that the point's first part does not."""
    # (An aside in brackets is no part of what the part states.)
    stems = [set(text_terms(_ASIDE.sub(" ", p)).unigrams) for p in parts]
    out: list[int] = []
    asked: dict[int, set[str]] = {}
    for i, own in enumerate(stems):
        others = set().union(*(s for k, s in enumerate(stems) if k != i))
        telling = own - others - qterms
        if telling and 5 * len(telling & used) <= len(telling):
            out.append(i)
            if i:
                # (The first part's question words are the point's subject, which a
                # terse answer leaves unsaid: "A flowchart: internal nodes test ...".)
                asked[i] = (own & qterms) - stems[0]
    return out, asked


def remainders(
    g: Grader,
    points: Sequence[KeyPoint],
    assessments: dict[str, Assessment],
    claims: Sequence[Claim],
    q: Question,
) -> dict[str, KeyPoint]:
    """Per point the answer made (partly or whole), the parts it left out, as a point
    of their own (weighed by their share of the point's words) keyed by the point's
    id; their assessments are added (missed). A covered point whose left-out part holds
    the question's words the answer never uses is set partly covered."""
    if not claims:
        return {}
    used: set[str] = set().union(*(c.terms for c in claims))
    qterms = set(text_terms(q.text).unigrams)
    cvecs = None
    out: dict[str, KeyPoint] = {}
    for kp in points:
        parts = parts_of(kp.text) if assessments[kp.id].status != "missed" else []
        if len(parts) < 2 or any(label_in(ls, used) for ls in label_sets(kp)):
            continue  # (a named item is made by its name: "Bowline (rescue loop)")
        if kp.label and parts[0].startswith(kp.label):
            parts = parts[1:]  # (a label is a name, not a statement)
        idx, asked = _left_out(parts, used, qterms)
        if idx[:1] == [0] and _defines(parts[0], qterms):
            # (The answer's own definition of the question's subject touched the
            # point: its wording is no part left out.)
            idx = idx[1:]
        if not idx:
            continue
        # A close paraphrase of a part makes it, whatever its words.
        if cvecs is None:
            cvecs = g._embed_claims([c.text for c in claims])
        sims = (g._embed_many([parts[i] for i in idx]) @ cvecs.T).max(axis=1)
        if len(idx) == len(parts):
            # No part made by its words: the answer made (in part) the one it is
            # closest to.
            sims[int(sims.argmax())] = 1.0
        idx = [i for i, s in zip(idx, sims, strict=True) if s < g.params.sim_paraphrase]
        if not idx:
            continue
        a = assessments[kp.id]
        if a.status == "covered":
            # (Only the parts still left out after the paraphrase check count.)
            if not set().union(*(asked.get(i, set()) for i in idx)) - used:
                continue
            assessments[kp.id] = Assessment("partial", a.sim, a.lex, a.evidence, a.credit)
        text = "; ".join(parts[i] for i in idx)
        share = len(text.split()) / max(1, len(kp.text.split()))
        rest = kp.model_copy(update={
            "id": kp.id + REST, "text": text[:1].upper() + text[1:] + ".",
            "importance": round(kp.importance * min(1.0, share), 3),
            "label": None, "subject": None, "kind": "fact",
        })  # fmt: skip
        assessments[rest.id] = Assessment("missed", a.sim, a.lex, None)
        out[kp.id] = rest
    return out
