"""Material of the notes under a question (list items, sentences) and its cleaning into
candidate key points, including compound points split into parallel clauses. (Not
`interviewer.units`, which reads question/answer units out of the notes.)"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from interviewer.corpus import TODO_PATTERNS, Section
from interviewer.grading.cues import MILD_DOUBT, POINTER, STRONG_DOUBT
from interviewer.grading.naming import _VERBS_S, META, REMARK, is_aside, name_point
from interviewer.grading.points import wrapped_line
from interviewer.language import is_foreign, trim_foreign_tail
from interviewer.subjects import bare_subject
from interviewer.text import (
    ANAPHOR_WORDS,
    DEFINITIONAL,
    FENCE,
    LABEL,
    LIST_ITEM,
    NAME_DOT,
    clean_markdown,
    content_word_count,
    split_sentences,
    stem_set,
    top_level_parts,
)
from interviewer.units import answer_line, ends_open


@dataclass
class Unit:
    """A candidate key point before cleaning: one list item or one sentence."""

    text: str
    line_start: int
    line_end: int
    section: Section
    is_list: bool = False
    depth: int = 0
    position: float = 0.0
    paragraph: int = -1  # sentences of one paragraph share it; list items have -1


def material_units(lines: list[str], sections: list[Section]) -> list[Unit]:
    """List items (with their continuation lines) and paragraph sentences of the given
    sections, each with its 1-based line range."""
    units: list[Unit] = []
    for sec in sections:
        first = sec.first_body_line
        # Quote and callout markers, HTML-only lines: not words of the answer.
        body = [(n, answer_line(lines[n - 1])) for n in range(first, sec.line_end + 1)
                if n - 1 < len(lines)]  # fmt: skip
        in_fence = False
        para: list[tuple[int, str]] = []
        item: list[tuple[int, str]] | None = None
        item_indent = 0
        item_depth = 0
        indents: list[int] = []

        def flush(sec: Section = sec) -> None:
            """End the open paragraph or list item (never both are open)."""
            nonlocal para, item
            if para:
                units.extend(_sentences_of(para, sec))
            if item:
                text = " ".join(t.strip() for _, t in item)
                units.append(Unit(text, item[0][0], item[-1][0], sec, True, item_depth))  # noqa: B023 - the open item's depth
            para, item = [], None

        head: list[str] | None = None  # the open table's header cells
        for n, raw in body:
            if FENCE.match(raw):
                flush()
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            if n < len(lines) and _TABLE_ROW.match(lines[n - 1]) and _TABLE_RULE.match(lines[n]):
                # A table's header row (the one above the ruler) names what the
                # cells of each row below say; it is no statement itself.
                flush()
                head = _cells(lines[n - 1])
                continue
            if _TABLE_ROW.match(raw):
                # A table row is a statement about its first cell. (A row
                # ``answer_line`` read as a question's answer or a glossary entry
                # is text no more.)
                flush()
                if not _TABLE_RULE.match(raw):
                    units.append(Unit(_row_text(_cells(raw), head), n, n, sec, True))
                continue
            if not raw.strip():
                flush()
                continue
            head = None
            expanded = raw.replace("\t", "    ")
            m = LIST_ITEM.match(expanded)
            if m:
                flush()
                indent = len(m.group(1))
                while indents and indents[-1] > indent:
                    indents.pop()
                if not indents or indents[-1] < indent:
                    indents.append(indent)
                item_depth = len(indents) - 1
                item_indent = indent
                item = [(n, m.group(2))]
                continue
            lead = len(expanded) - len(expanded.lstrip())
            if item is not None:
                if lead > item_indent:
                    item.append((n, raw))  # continuation line of the item
                    continue
                flush()
            if lead >= 4 and not para and not indents:
                # Markdown's indented code block (a notebook's output cell, a listing):
                # it opens after a blank line, outside a list, and says nothing.
                continue
            para.append((n, raw))
            indents.clear()
        flush()
    units = _without_reading_lists(_join_introduced_lists(units))
    total = max(1, len(units) - 1)
    for i, u in enumerate(units):
        u.position = i / total
    return units


# Markdown table lines: a row between pipes, and the ruler under the header.
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?(?:\s*:?-+:?\s*\|)+\s*(?::?-+:?\s*)?$")  # GFM: one dash will do


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def _row_text(cells: list[str], head: list[str] | None) -> str:
    """'threading: good for I/O work; parallel? no' out of a row and its header: the
    first cell labels the row, each other cell is said under its column's name."""
    names = (head or [])[1:] + [""] * len(cells)
    parts = [
        c if not h else f"{h} {c}" if h.endswith(("?", ":")) else f"{h}: {c}"
        for h, c in zip(names, cells[1:], strict=False) if c
    ]  # fmt: skip
    if cells[0] and parts:
        return f"{cells[0]}: " + "; ".join(parts)
    return cells[0] or "; ".join(parts)


# A statement that introduces a list ("All packets arrive in order, through:") and the
# short items that complete it are one point; longer or labelled items are points of
# their own ("Early stopping: stop before ...").
INTRO_MIN_CONTENT = 6
JOINED_ITEM_WORDS = 12
JOINED_ITEMS_MAX = 8


def _join_introduced_lists(units: list[Unit]) -> list[Unit]:
    out: list[Unit] = []
    i = 0
    while i < len(units):
        u = units[i]
        items: list[Unit] = []
        if not u.is_list and u.text.rstrip().endswith(":"):
            intro = clean_markdown(u.text)
            j, prev = i + 1, u
            while (
                j < len(units) and units[j].is_list and units[j].depth == 0
                and units[j].section.id == u.section.id
                and units[j].line_start - prev.line_end <= 2
            ):  # fmt: skip
                items.append(units[j])
                prev = units[j]
                j += 1
            nested = j < len(units) and units[j].is_list and units[j].depth > 0
            texts = [clean_markdown(it.text).rstrip(" .;,") for it in items]
            if not (
                content_word_count(intro) >= INTRO_MIN_CONTENT
                and 2 <= len(items) <= JOINED_ITEMS_MAX and not nested
                and all(t and len(t.split()) <= JOINED_ITEM_WORDS for t in texts)
                and not any(LABEL.match(t) for t in texts)
            ):  # fmt: skip
                items = []
        if items:
            text = u.text.rstrip() + " " + "; ".join(texts) + "."
            out.append(Unit(text, u.line_start, items[-1].line_end, u.section,
                            paragraph=u.paragraph))  # fmt: skip
            i += 1 + len(items)
            continue
        out.append(u)
        i += 1
    return out


# A list item that is nothing but a link: "[Title of an article](https://...)".
_LINK_ONLY = re.compile(r"^\s*!?\[[^\]]+\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*\)\s*[.,;]?\s*$")


def _without_reading_lists(units: list[Unit]) -> list[Unit]:
    """Units without reading lists: two or more adjacent list items that are each only
    a link name sources to read ("Key differences between X and Y" as a link), not
    claims an answer should make."""
    drop: set[int] = set()
    run: list[int] = []

    def close() -> None:
        if len(run) >= 2:
            drop.update(run)
        run.clear()

    for i, u in enumerate(units):
        if u.is_list and _LINK_ONLY.match(u.text):
            prev = units[run[-1]] if run else None
            if prev is not None and (
                prev.section.id != u.section.id or u.line_start - prev.line_end > 1
            ):
                close()
            run.append(i)
        else:
            close()
    close()
    return [u for i, u in enumerate(units) if i not in drop]


# Full stops inside brackets or inline code end no sentence ("OVER (PARTITION BY ...
# ORDER BY ...)", "SUM(...)"): hidden from the sentence splitter.
_BRACKETED = re.compile(r"`[^`]*`|\((?:[^()]|\([^()]*\))*\)")


def _split_protected(text: str) -> list[str]:
    hidden = _BRACKETED.sub(lambda m: m.group(0).replace(".", "\x01"), text)
    return [s.replace("\x01", ".") for s in split_sentences(hidden)]


def _sentences_of(para: list[tuple[int, str]], sec: Section) -> list[Unit]:
    joined = ""
    starts: list[tuple[int, int]] = []  # (char offset, line number)
    lines = [raw for _, raw in para]
    for k, (n, raw) in enumerate(para):
        if joined:
            # Notes often use a bare line break as a separator ("Low variance, high
            # bias: Underfitting" / "High variance, ..."): make it a sentence end.
            if (
                not re.search(r"[.!?:;,(\-–—]$", joined) and raw.strip()[:1].isupper()
                and not ends_open(joined)  # "such as bcrypt or" / "Argon2)."
                and not wrapped_line(lines[k - 1], raw, lines)  # a hard-wrapped sentence
            ):  # fmt: skip
                joined += "."
            joined += " "
        starts.append((len(joined), n))
        joined += raw.strip()
    out: list[Unit] = []
    offset = 0
    for sent in _split_protected(joined):
        at = joined.find(sent[:20], offset)
        at = at if at >= 0 else offset
        end = at + len(sent)
        offset = end
        first = max((ln for off, ln in starts if off <= at), default=para[0][0])
        last = max((ln for off, ln in starts if off < end), default=first)
        out.append(Unit(sent, first, last, sec, paragraph=para[0][0]))
    return out


_CONDITIONAL = re.compile(r"\b(would|might|could)\b", re.I)
_CONTRAST = re.compile(r"^\s*(however|but|on the other hand|in contrast|instead)\b", re.I)


_PRONOUN_LEAD = re.compile(
    rf"^(?:(?:but|and|so|also|thus|hence),?\s+)?(?:{ANAPHOR_WORDS})\b"
    r"(?!\s+(?:is|was)\s+(?:not\s+)?(?:the\s+same|possible|important|necessary|easy|hard)\b)",
    re.I,
)


def _paragraph_scope(cands: list[Candidate]) -> list[Candidate]:
    """What a sentence means depends on the sentences before it in its paragraph:

    - a hedge scopes over what elaborates it: after "precission, which, as I
      understand it, is how sure the model was", the paragraph's next sentences are
      weighed down, and those about the same thing ("So ... precission would be the
      certainty ...") are doubtful too, until the paragraph turns ("However");
    - a leading pronoun ("It will tell us how many times the model was correct")
      refers to the previous sentence's subject ("accuracy"): kept as its context."""
    hedged: frozenset[str] | None = None
    para_of_hedge = -2
    last_subject: str | None = None
    last_para = -2
    for c in cands:
        para = c.unit.paragraph
        if para != last_para:
            last_subject = None
        last_para = para
        if para < 0 or para != para_of_hedge or _CONTRAST.match(c.text):
            hedged = None
        doubt = _doubts(c.text)
        if hedged is not None and not doubt and "=" not in c.text:
            # (A formula is stated, not hedged: "F1 = 2PR / (P + R)" after "(??)".)
            c.importance *= 0.6
            stems = stem_set(c.text)
            if _CONDITIONAL.search(c.text) or len(stems & hedged) >= 1:
                c.doubtful = True
        if para >= 0 and doubt:
            hedged = stem_set(c.text)
            para_of_hedge = para
        if para >= 0 and _PRONOUN_LEAD.match(c.text) and not c.label:
            c.context = last_subject
        subject, _ = name_point(c.text, c.label)
        if subject and not _PRONOUN_LEAD.match(c.text):
            last_subject = bare_subject(subject)
    return cands


# ---- compound points ------------------------------------------------------------------------
#
# "A decision tree is a structure in which each internal node represents a test, each
# branch represents the outcome, and each leaf node represents a class label": three
# claims in one sentence. As one point, an answer that makes all of them could only be
# judged on the whole sentence; the grader also judges each clause and credits the
# share of clauses made (the point stays one point: one citation, one missed entry).

# Clause words that may precede the verb: "each internal node", "the validation set".
_CLAUSE_LEAD = re.compile(r"^(?:each|every|the|a|an|its|their|all|some|one)\b", re.I)
MIN_PARALLEL = 3  # clauses; two ("X does A, Y does B") are often a contrast, kept whole


def _clause_verb(part: str) -> tuple[str, str] | None:
    """(lead word, verb) of a part that reads "<each|the ...> <1-4 words> <verb> ...",
    if it does."""
    toks = [t.lower().strip("\"“”") for t in part.split()]
    if len(toks) < 3 or not _CLAUSE_LEAD.match(toks[0]):
        return None
    for j in range(1, min(len(toks) - 1, 5)):
        t = toks[j]
        if t in _VERBS_S or t in ("is", "are") or (
            re.fullmatch(r"[a-z]{3,}s", t) and not re.search(r"(ss|us|is|ics)$", t)
            and toks[0] in ("each", "every") and j >= 2
        ):
            return toks[0], t
    return None


def parallel_clauses(text: str) -> list[str] | None:
    """The clauses of a sentence that enumerates parallel claims (", each X represents
    Y, each Z considers W": one verb, or "each"/"every" and a verb), the first with the
    sentence's head; None when it does not."""
    parts = top_level_parts(text.rstrip(" ."))
    if len(parts) < MIN_PARALLEL:
        return None
    found = [_clause_verb(p) for p in parts]
    last = len(parts) - 1
    tail = found[last]
    if tail is None:
        return None
    lead, verb = tail

    def parallel(x: tuple[str, str] | None) -> bool:
        return x is not None and (x[1] == verb or x[0] == lead in ("each", "every"))

    # The run of parallel clauses ends the sentence.
    first = last
    while first - 1 >= 1 and parallel(found[first - 1]):
        first -= 1
    head = ", ".join(parts[:first])
    # The head holds the first clause ("... in which each internal node represents
    # ...").
    key = lead if lead in ("each", "every") else verb
    if not re.search(rf"\b{re.escape(key)}\b", head, re.I):
        return None
    clauses = [head] + parts[first:]
    if len(clauses) < MIN_PARALLEL or any(content_word_count(c) < 2 for c in clauses):
        return None
    stripped = [c.strip(" ,;") for c in clauses]
    return [c[:1].upper() + c[1:] + ("" if c.endswith((".", "!", "?")) else ".") for c in stripped]


@dataclass
class Candidate:
    text: str
    unit: Unit
    importance: float
    doubtful: bool
    label: str | None
    quoted: bool
    aside: bool = False
    context: str | None = None


def clean_unit(unit: Unit) -> list[Candidate]:
    """The unit as key points: none when it is not one (a URL, a 'From:' line, a
    reminder, another language, a pointer to a source, a fragment). A list item whose later
    sentences hedge ("... I believe it actually increases it!") gives its firm part
    and its hedged part as two points, so that the doubt does not sink the point."""
    raw = unit.text.strip()
    if TODO_PATTERNS.match(raw):
        return []
    aside = is_aside(raw)
    text = clean_markdown(raw)
    if not text or TODO_PATTERNS.match(text):
        return []
    sents = split_sentences(text)
    cut = next((i for i, x in enumerate(sents[1:], start=1) if _doubts(x)), None)
    if unit.is_list and cut is not None and not STRONG_DOUBT.search(" ".join(sents[:cut])):
        firm = _clean_text(" ".join(sents[:cut]), unit, aside=aside)
        hedged = _clean_text(" ".join(sents[cut:]), unit, part=True, aside=aside)
        return [c for c in (firm, hedged) if c is not None]
    one = _clean_text(text, unit, aside=aside)
    return [one] if one is not None else []


def _doubts(text: str) -> bool:
    return bool(STRONG_DOUBT.search(text) or MILD_DOUBT.search(text))


@functools.lru_cache(maxsize=1024)
def _foreign_answer(body: str) -> bool:
    return is_foreign(body)


# A whole short statement, "<subject> is <property>." ("The protocol is stateless."):
# a claim however few its words, unlike a title ("The variance / bias trade-off.").
_BARE_STATEMENT = re.compile(
    r"^[A-Z][\w/-]*(?:\s+[\w/-]+){0,2}\s+(?:is|are)\s+(?:not\s+)?[a-z][\w-]+(?:\s+[a-z]+ly)?\.$"
)


# A short sentence with a verb ("Data is replicated asynchronously.", "After a write,
# reads will see it."): a statement, however few its content words.
# (At most four words before the verb, and no "to" right before it: "What to do
# next." and "Things to do in Paris." are titles.)
_SHORT_CLAIM = re.compile(
    r"^[A-Z][\w/'-]*(?:,?\s+[\w/'-]+){0,3}?\s+(?<!\bto\s)"
    r"(?:is|are|was|were|will|can|may|must|does|do|has|have)\s+(?:not\s+)?"
    r"[a-z][\w-]*(?:\s+[\w-]+){0,3}\.$"
)


def _clean_text(text: str, unit: Unit, part: bool = False, aside: bool = False) -> Candidate | None:
    # Another language inside English notes is an aside (a reminder, a half-translated
    # line); an answer written wholly in that language is the answer.
    if not _foreign_answer(unit.section.text):
        if is_foreign(text):
            return None
        text = trim_foreign_tail(text)
    if not text:
        return None
    if POINTER.search(text):
        return None
    quoted = bool(re.match(r"^[\"“]", text)) or (
        text.count('"') + text.count("“") >= 2 and len(text) > 80
    )
    text = text.strip('"“” ')
    n_content = content_word_count(text)
    if unit.is_list and n_content >= 2 and not text.endswith(":"):
        pass  # "Ridge (L2 norm)", "Multidimensional Scaling": a short item names a point
    elif n_content < 3 and not (n_content == 2 and _BARE_STATEMENT.match(text)):
        return None
    elif (
        n_content < 4 and not LABEL.match(text) and not DEFINITIONAL.search(text)
        and not _SHORT_CLAIM.match(text)
    ):  # fmt: skip
        return None  # "The variance / bias trade-off.": a title, not a claim
    if text.endswith(":") and content_word_count(text) < 6:
        return None  # "Possible solutions:" introduces a list; it says nothing itself
    if META.search(text):
        return None  # about the notes, not the subject: nothing an answer should say
    label: str | None = None
    m = LABEL.match(text)
    if not part and m and 1 <= len(m.group(1).split()) <= 6 and content_word_count(m.group(1)) >= 1:
        label = m.group(1).strip().rstrip(":").strip()
    elif not part and (n := NAME_DOT.match(text)):
        label = n.group(1)  # "AdaGrad. Useful for sparse data ...": a name, then its notes
    strong = bool(STRONG_DOUBT.search(text))
    importance = 1.0
    if unit.is_list and not part:
        importance += 0.3
    if label:
        importance += 0.2
    if DEFINITIONAL.search(text[:120]):
        importance += 0.25
    heading = unit.section.heading_path[-1].lower() if unit.section.heading_path else ""
    if re.search(r"\b(final|summary|tl;?dr|key points?|in short|conclusion)\b", heading):
        importance += 0.2
    elif re.search(r"\b(initial|first attempt|draft|old|before)\b", heading):
        importance -= 0.15
    # Notes are often written in the order things were learnt, not by importance: the
    # position counts a little.
    importance += 0.08 * (1.0 - unit.position)
    n_words = len(text.split())
    if n_words > 60 or n_words < 6:
        importance *= 0.85
    if quoted:
        importance *= 0.9
    if aside:
        importance *= 0.5  # "See also: ...", "e.g. ...", a parenthetical
    elif REMARK.search(text):
        importance *= 0.6  # "I could keep going, but ...", "This idea is very straightforward"
    if strong:
        importance *= 0.5
        # Trim the "I think," lead-in so the point reads as the note's claim.
        text = re.sub(r"^(?:so,?\s*)?I (?:think|believe|guess),?\s*", "", text, flags=re.I)
        text = text[:1].upper() + text[1:]
    elif MILD_DOUBT.search(text):
        importance *= 0.75
    return Candidate(text, unit, importance, strong, label, quoted, aside)
