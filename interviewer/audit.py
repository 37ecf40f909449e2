"""A report on the notes themselves: questions without notes (or with only stub
notes), reminder lines (TODO-like, in English or Spanish), links that are dead or not
fetched yet, questions asked twice across documents, and, when a model is available,
claims of a note that its own fetched references contradict.

Fetched pages are untrusted: they reach the model only inside delimited data blocks,
and a reported contradiction is kept only when both of its quotes are found verbatim
in the note and in the reference, so a page cannot make the audit say what it likes."""

from __future__ import annotations

import hashlib
import re
import string
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from interviewer.corpus import Document, Section, load_corpus, question_text, scan_notes
from interviewer.errors import ConfigError, LLMError
from interviewer.feedback import Citation
from interviewer.plurals import counted
from interviewer.references import (
    load_cached_references,
    read_failures,
    read_records,
    references_dir,
)
from interviewer.settings import Settings

if TYPE_CHECKING:
    from interviewer.llm import LLM

# all-MiniLM cosine between question headings of two documents: paraphrases of one
# question ("Explain PCA intuitively" / "Explain Principal Component Analysis") score
# 0.73-0.82, neighbouring topics ("PCA" / "LDA vs PCA") 0.5-0.62.
DUPLICATE_SIMILARITY = 0.72
CONTRADICTION_PROMPT = "audit_contradictions.md"
MAX_NOTE_CHARS = 3000
MAX_REFERENCE_CHARS = 6000
MAX_PAIRS = 40  # note-reference pairs checked by the model in one audit
DEAD_STATUSES = {404, 410, 451}


class Location(BaseModel):
    source: str
    heading: str
    line: int


class StubQuestion(Location):
    state: Literal["empty", "stub"] = Field(
        description="empty: nothing under the question; stub: only reminders, links or a few words"
    )
    excerpt: str = ""


class TodoLine(Location):
    text: str


class LinkIssue(Location):
    url: str
    state: Literal["dead", "failed", "not-fetched", "stale"]
    reason: str


class DuplicateQuestion(BaseModel):
    question: str
    other: str
    first: Location
    second: Location
    similarity: float
    how: Literal["same text", "similar meaning"]


class UncertainShape(Location):
    """A question/answer unit read with less than certainty, or question-like text that
    was not read as a unit."""

    question: str | None = None
    kind: str | None = None
    reason: str


class Contradiction(BaseModel):
    note_claim: str
    reference_says: str
    explanation: str
    note: Citation
    reference: Citation


class AuditReport(BaseModel):
    corpus_dir: str
    documents: int = 0
    questions: int = Field(default=0, description="Units the interviewer can ask.")
    units_by_kind: dict[str, int] = Field(default_factory=dict)
    uncertain_shapes: list[UncertainShape] = Field(default_factory=list)
    stub_questions: list[StubQuestion] = Field(default_factory=list)
    todo_lines: list[TodoLine] = Field(default_factory=list)
    link_issues: list[LinkIssue] = Field(default_factory=list)
    duplicates: list[DuplicateQuestion] = Field(default_factory=list)
    contradictions: list[Contradiction] = Field(default_factory=list)
    contradiction_check: str = Field(
        default="", description="What the model check did, or why it was skipped."
    )
    problems: list[str] = Field(default_factory=list)


# ---- the checks that need no model ------------------------------------------------------


def _descendants(doc: Document, index: int) -> list[Section]:
    head = doc.sections[index].heading_path
    found = []
    for section in doc.sections[index + 1 :]:
        if len(section.heading_path) <= len(head) or section.heading_path[: len(head)] != head:
            break
        found.append(section)
    return found


def stub_questions(documents: list[Document]) -> list[StubQuestion]:
    """Questions with no substantive notes under them, their subsections included."""
    found: list[StubQuestion] = []
    for doc in documents:
        for i, section in enumerate(doc.sections):
            if not section.is_question:
                continue
            below = [section, *_descendants(doc, i)]
            if any(not s.is_stub for s in below):
                continue
            texts = [s.text.strip() for s in below if s.text.strip()]
            found.append(
                StubQuestion(
                    source=section.source,
                    heading=section.heading,
                    line=section.line_start,
                    state="stub" if texts else "empty",
                    excerpt=_excerpt(" ".join(texts)),
                )
            )
    return found


def _excerpt(text: str, limit: int = 160) -> str:
    """Plain text of a stub's notes: images dropped, links as their text (a report
    rendered as Markdown must not turn them into pictures or move them around)."""
    from interviewer.units import plain

    return plain(re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text))[:limit]


def unit_shapes(documents: list[Document]) -> tuple[dict[str, int], list[UncertainShape]]:
    """How many units of each shape, and the places whose shape is uncertain."""
    kinds: dict[str, int] = {}
    uncertain: list[UncertainShape] = []
    for doc in documents:
        for section in doc.sections:
            if section.unit_kind:
                kinds[section.unit_kind] = kinds.get(section.unit_kind, 0) + 1
            if section.unit_kind and section.uncertain:
                uncertain.append(
                    UncertainShape(
                        source=section.source, heading=section.heading,
                        line=section.line_start, question=section.question,
                        kind=section.unit_kind, reason=section.uncertain,
                    )
                )  # fmt: skip
        for note in doc.shape_notes:
            uncertain.append(
                UncertainShape(
                    source=note.source, heading=note.heading, line=note.line, reason=note.reason
                )
            )
    uncertain.sort(key=lambda u: (u.source, u.line))
    return kinds, uncertain


def _lines(doc: Document) -> list[str]:
    try:
        return doc.path.read_text(encoding="utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError):
        return []


def todo_lines(documents: list[Document]) -> list[TodoLine]:
    found: list[TodoLine] = []
    for doc in documents:
        lines = _lines(doc)
        for section in doc.sections:
            used: set[int] = set()
            for todo in section.todo_lines:
                line = next(
                    (
                        n
                        for n in range(section.line_start, section.line_end + 1)
                        if n not in used and n <= len(lines) and lines[n - 1].strip() == todo
                    ),
                    section.line_start,
                )
                used.add(line)
                found.append(
                    TodoLine(source=section.source, heading=section.heading, line=line, text=todo)
                )
    return found


def link_issues(documents: list[Document], corpus_dir: Path) -> list[LinkIssue]:
    """Every link of the notes that has no fetched text, or whose last fetch failed."""
    from interviewer.web import canonical_url

    records = read_records(corpus_dir)
    failures = read_failures(corpus_dir)
    found: list[LinkIssue] = []
    for doc in documents:
        for section in doc.sections:
            for link in section.links:
                url = canonical_url(link.url)
                failed = failures.get(url)
                state: Literal["dead", "failed", "not-fetched", "stale"]
                if url in records:
                    if failed is None:
                        continue
                    state = "stale"
                    reason = f"last refresh failed ({failed.error}); older text kept"
                elif failed is not None:
                    state = "dead" if failed.status in DEAD_STATUSES else "failed"
                    reason = failed.error or "failed"
                else:
                    state = "not-fetched"
                    reason = "not fetched yet: run `interviewer fetch-references`"
                found.append(
                    LinkIssue(
                        source=section.source, heading=section.heading, line=link.line,
                        url=url, state=state, reason=reason,
                    )
                )  # fmt: skip
    return found


def _normalise(question: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", question.casefold()).split())


def duplicate_questions(
    documents: list[Document], embed: Callable[[list[str]], object] | None
) -> list[DuplicateQuestion]:
    """The same question in two places (same words, anywhere), or the same question in
    other words in two documents (when ``embed`` is given)."""
    import numpy as np

    items = [
        (section, section.question or question_text(section.heading_path[-1]))
        for doc in documents
        for section in doc.sections
        if section.is_question
    ]
    found: list[DuplicateQuestion] = []
    seen: set[tuple[int, int]] = set()

    def loc(section: Section) -> Location:
        return Location(source=section.source, heading=section.heading, line=section.line_start)

    groups: dict[str, list[int]] = defaultdict(list)
    for i, (_, text) in enumerate(items):
        if _normalise(text):
            groups[_normalise(text)].append(i)
    for members in groups.values():
        for a, b in zip(members, members[1:], strict=False):
            seen.add((a, b))
            found.append(
                DuplicateQuestion(
                    question=items[a][1], other=items[b][1], first=loc(items[a][0]),
                    second=loc(items[b][0]), similarity=1.0, how="same text",
                )
            )  # fmt: skip

    if embed is not None and len({s.source for s, _ in items}) > 1:
        vectors = np.asarray(embed([text for _, text in items]), dtype=np.float32)
        sims = vectors @ vectors.T
        for a in range(len(items)):
            for b in range(a + 1, len(items)):
                if items[a][0].source == items[b][0].source or (a, b) in seen:
                    continue
                if _normalise(items[a][1]) == _normalise(items[b][1]):
                    continue
                if sims[a, b] >= DUPLICATE_SIMILARITY:
                    found.append(
                        DuplicateQuestion(
                            question=items[a][1], other=items[b][1], first=loc(items[a][0]),
                            second=loc(items[b][0]), similarity=round(float(sims[a, b]), 3),
                            how="similar meaning",
                        )
                    )  # fmt: skip
    found.sort(key=lambda d: -d.similarity)
    return found


# ---- contradictions with the references (needs a model) -----------------------------------


class ClaimConflict(BaseModel):
    """One disagreement, as the model reports it."""

    note_quote: str = Field(description="The note's claim, copied word for word from the NOTE.")
    reference_quote: str = Field(
        description="The passage that contradicts it, copied word for word from the REFERENCE."
    )
    explanation: str = Field(description="One sentence: why the two cannot both be true.")


class ConflictReply(BaseModel):
    contradictions: list[ClaimConflict] = Field(default_factory=list)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]{3,}", text.casefold())}


def _squash(text: str) -> str:
    """For finding a quote in a text: case, markup and spacing do not count."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def _relevant_passages(note: Section, reference: Document) -> list[Section]:
    """The reference sections sharing the most words with the note, within budget."""
    note_words = _words(note.text)
    ranked = sorted(
        reference.sections,
        key=lambda s: -len(note_words & _words(s.text)) / (1 + len(_words(s.text))) ** 0.5,
    )
    chosen: list[Section] = []
    size = 0
    for section in ranked:
        if size + len(section.text) > MAX_REFERENCE_CHARS and chosen:
            continue
        chosen.append(section)
        size += len(section.text)
    return sorted(chosen, key=lambda s: s.line_start)


def data_block(kind: str, text: str) -> str:
    """Untrusted text inside markers that the text itself cannot contain: the marker
    carries a hash of the text, and any look-alike inside is defused."""
    tag = f"{kind}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"
    safe = text.replace("<<<", "< < <").replace(">>>", "> > >")
    return f"<<<BEGIN {tag}>>>\n{safe}\n<<<END {tag}>>>"


def load_contradiction_prompt(prompts_dir: Path) -> tuple[string.Template, string.Template]:
    """(system, user) templates from prompts/audit_contradictions.md, split at the line
    ``=== USER ===``."""
    path = prompts_dir / CONTRADICTION_PROMPT
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: prompt file is missing ({exc.strerror})") from None
    system, sep, user = text.partition("\n=== USER ===\n")
    if not sep:
        raise ConfigError(f"{path}: no '=== USER ===' line between system and user prompt")
    return string.Template(system.strip()), string.Template(user.strip())


def _quote_line(lines: list[str], start: int, end: int, quote: str) -> int:
    """The 1-based line within [start, end] where the quote's first words are."""
    head = " ".join(_squash(quote).split()[:5])
    for n in range(start, min(end, len(lines)) + 1):
        if head and head in _squash(lines[n - 1]):
            return n
    return start


def contradictions(
    documents: list[Document],
    references: list[Document],
    llm: LLM,
    prompts_dir: Path,
    corpus_dir: Path,
) -> tuple[list[Contradiction], str]:
    """Ask the model, for each note section and each fetched page it links to, whether
    they disagree; keep only answers whose quotes are really in both texts."""
    from interviewer.web import canonical_url

    system, user = load_contradiction_prompt(prompts_dir)
    by_url = {str(r.metadata.get("url")): r for r in references}
    pairs = [
        (section, by_url[url])
        for doc in documents
        for section in doc.sections
        if section.text.strip()
        for url in dict.fromkeys(canonical_url(link.url) for link in section.links)
        if url in by_url
    ]
    if not pairs:
        return [], f"no note links to a fetched reference; nothing for {llm.name} to check"
    from interviewer.llm import Message

    files: dict[Path, list[str]] = {}

    def lines_of(path: Path) -> list[str]:
        if path not in files:
            try:
                files[path] = path.read_text(encoding="utf-8-sig").split("\n")
            except (OSError, UnicodeDecodeError):
                files[path] = []
        return files[path]

    found: list[Contradiction] = []
    rejected = failed = 0
    for section, reference in pairs[:MAX_PAIRS]:
        passages = _relevant_passages(section, reference)
        ref_text = "\n\n".join(p.text for p in passages)
        note_text = section.text[:MAX_NOTE_CHARS]
        messages = [
            Message.system(system.safe_substitute()),
            Message.user(
                user.safe_substitute(
                    note_source=section.source,
                    note_heading=section.heading,
                    note=data_block("NOTE", note_text),
                    reference_title=reference.title or "",
                    reference_url=str(reference.metadata.get("url", "")),
                    reference=data_block("REFERENCE", ref_text),
                )
            ),
        ]
        result = llm.structured(messages, ConflictReply, allow_empty=True)
        if not result.ok or result.value is None:
            failed += 1
            continue
        for claim in result.value.contradictions:
            in_note = _squash(claim.note_quote) and _squash(claim.note_quote) in _squash(note_text)
            in_ref = _squash(claim.reference_quote) and _squash(claim.reference_quote) in _squash(
                ref_text
            )
            if not (in_note and in_ref):
                rejected += 1  # not grounded in the texts: invented, or steered by the page
                continue
            passage = next(
                (p for p in passages if _squash(claim.reference_quote) in _squash(p.text)),
                passages[0],
            )
            note_line = _quote_line(
                lines_of(corpus_dir / section.source),
                section.line_start, section.line_end, claim.note_quote,
            )  # fmt: skip
            ref_line = _quote_line(
                lines_of(corpus_dir / reference.source),
                passage.line_start, passage.line_end, claim.reference_quote,
            )  # fmt: skip
            found.append(
                Contradiction(
                    note_claim=claim.note_quote.strip(),
                    reference_says=claim.reference_quote.strip(),
                    explanation=claim.explanation.strip(),
                    note=Citation(
                        source=section.source, heading=section.heading,
                        line_start=note_line, line_end=note_line,
                    ),
                    reference=Citation(
                        source=reference.source, heading=passage.heading, kind="reference",
                        url=str(reference.metadata.get("url", "")),
                        line_start=ref_line, line_end=ref_line,
                    ),
                )
            )  # fmt: skip
    checked = min(len(pairs), MAX_PAIRS)
    summary = f"{llm.name} checked {counted(checked, 'note-reference pair')}"
    if len(pairs) > MAX_PAIRS:
        summary += f" (of {len(pairs)}; the rest were skipped)"
    if rejected:
        summary += (
            f"; {counted(rejected, 'claimed contradiction')} dropped (quotes not found in the "
            "texts)"
        )
    if failed:
        summary += f"; {counted(failed, 'pair')} without a usable reply"
    return found, summary


# ---- the whole audit --------------------------------------------------------------------


def _model_or_reason(settings: Settings) -> tuple[LLM | None, str]:
    from interviewer.llm import has_model, list_models, make_llm

    llm = make_llm(settings)
    if llm is None:
        return None, "skipped: the model is off (--no-llm)"
    try:
        available = list_models(settings.ollama_host, timeout_s=settings.connect_timeout_s)
    except LLMError as exc:
        return None, f"skipped: {exc}"
    if not has_model(settings.model, available):
        model = settings.model
        return None, f"skipped: model {model} is not in Ollama (run: ollama pull {model})"
    return llm, ""


def run_audit(settings: Settings, *, use_embeddings: bool = True) -> AuditReport:
    corpus_dir = settings.corpus_dir
    folder = scan_notes(corpus_dir)  # one walk: the notes read and those not read
    loaded = load_corpus(corpus_dir, max_bytes=settings.max_file_bytes, folder=folder)
    documents = loaded.documents
    report = AuditReport(
        corpus_dir=str(corpus_dir),
        documents=len(documents),
        questions=sum(s.is_question for d in documents for s in d.sections),
        problems=[str(p) for p in [*loaded.problems, *folder.unread]],
    )
    report.units_by_kind, report.uncertain_shapes = unit_shapes(documents)
    report.stub_questions = stub_questions(documents)
    report.todo_lines = todo_lines(documents)
    report.link_issues = link_issues(documents, corpus_dir)

    embed = None
    if use_embeddings and len(documents) > 1:
        from interviewer.embeddings import get_embedder

        embed = get_embedder(settings).embed
    report.duplicates = duplicate_questions(documents, embed)

    references = load_cached_references(corpus_dir) if references_dir(corpus_dir).is_dir() else []
    if not references:
        report.contradiction_check = (
            "skipped: no fetched references (run `interviewer fetch-references`)"
        )
        return report
    llm, why_not = _model_or_reason(settings)
    if llm is None:
        report.contradiction_check = why_not
        return report
    try:
        report.contradictions, report.contradiction_check = contradictions(
            documents, references, llm, settings.prompts_dir, corpus_dir
        )
    except LLMError as exc:
        report.contradiction_check = f"stopped: {exc}"
    return report


# ---- rendering ----------------------------------------------------------------------------


def render_markdown(report: AuditReport) -> str:
    out = [f"# Audit of {report.corpus_dir}", ""]
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(report.units_by_kind.items()))
    out.append(
        f"{counted(report.documents, 'document')}, {counted(report.questions, 'question')}"
        f"{' (' + kinds + ')' if kinds else ''}: "
        f"{len(report.stub_questions)} without real notes, "
        f"{counted(len(report.todo_lines), 'reminder line')}, "
        f"{counted(len(report.link_issues), 'link problem')}, "
        f"{counted(len(report.duplicates), 'duplicated question')}, "
        f"{counted(len(report.contradictions), 'contradiction')} with references."
    )
    out += ["", "## Questions without notes", ""]
    out += [
        f"- {q.source}:{q.line} {q.heading} ({q.state}{': ' + q.excerpt if q.excerpt else ''})"
        for q in report.stub_questions
    ] or ["None."]
    if report.uncertain_shapes:
        out += ["", "## Shapes read with less than certainty", ""]
        out += [
            f"- {u.source}:{u.line} {u.question or u.heading}"
            f"{' (' + u.kind + ')' if u.kind else ''}: {u.reason}"
            for u in report.uncertain_shapes
        ]
    out += ["", "## Reminders (TODO lines)", ""]
    out += [f"- {t.source}:{t.line} {t.heading}: {t.text}" for t in report.todo_lines] or ["None."]
    out += ["", "## Links", ""]
    out += [
        f"- {i.source}:{i.line} {i.heading}: {i.url} ({i.state}: {i.reason})"
        for i in report.link_issues
    ] or ["All linked pages are fetched."]
    out += ["", "## Duplicated questions", ""]
    out += [
        f"- \"{d.question}\" ({d.first.source}:{d.first.line}) and \"{d.other}\" "
        f"({d.second.source}:{d.second.line}): {d.how}, {d.similarity:.2f}"
        for d in report.duplicates
    ] or ["None."]
    out += ["", "## Contradictions with references", ""]
    if report.contradiction_check:
        out += [f"_{report.contradiction_check}_", ""]
    for c in report.contradictions:
        out += [
            f"- Note {c.note.label()}: \"{c.note_claim}\"",
            f"  Reference {c.reference.url} ({c.reference.heading}): \"{c.reference_says}\"",
            f"  {c.explanation}",
        ]
    if report.problems:
        out += ["", "## Files that could not be read", ""]
        out += [f"- {p}" for p in report.problems]
    return "\n".join(out) + "\n"
