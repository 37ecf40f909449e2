"""Load the notes: files -> documents -> heading sections (with links, line ranges,
stub and question flags). Pure Python and fast; chunking lives in ``chunking``."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from interviewer import lexicon
from interviewer.errors import CorpusError
from interviewer.text import FENCE

# Plain text, read for its own structure (a ".tsv" is a flashcard export: question, tab,
# answer).
TEXT_SUFFIXES = {".txt", ".tsv"}
# Markdown under its other names, and Markdown with code chunks (R Markdown, Quarto, MDX).
MARKDOWN_SUFFIXES = {
    ".md", ".markdown", ".mdown", ".mkd", ".mkdn", ".mdwn", ".rmd", ".qmd", ".mdx"
}  # fmt: skip
NOTE_SUFFIXES = MARKDOWN_SUFFIXES | TEXT_SUFFIXES
# Documents that a notes dir may hold but the loader does not read in place: what each
# is, and whether `add` converts it into a Markdown note.
UNREAD_SUFFIXES: dict[str, tuple[str, bool]] = {
    ".ipynb": ("a Jupyter notebook", True),
    ".html": ("an HTML page", True),
    ".htm": ("an HTML page", True),
    ".xhtml": ("an HTML page", True),
    ".pdf": ("a PDF", True),
    ".org": ("Org-mode notes", True),
    ".rst": ("reStructuredText", True),
    ".docx": ("a Word document", False),
    ".doc": ("a Word document", False),
    ".odt": ("an OpenDocument text", False),
    ".rtf": ("a rich-text document", False),
    ".adoc": ("AsciiDoc", False),
    ".tex": ("a LaTeX source", False),
    ".csv": ("a CSV table", False),
    ".epub": ("an e-book", False),
    ".pages": ("a Pages document", False),
}
# Files that live in a corpus dir but are not notes.
SKIPPED_DIRS = {".git", "references", "__pycache__", ".interviewer"}
BINARY_SNIFF_BYTES = 8192

# First words of a heading that asks, and those of them that set a task (they ask only
# with an object after them): per-language cue data (units_cues.txt).
QUESTION_STARTS = lexicon.words("heading_question_starts")
TASK_STARTS = lexicon.words("heading_task_starts")
TASK_OBJECTS = lexicon.words("task_objects")
# Lines that are reminders to oneself rather than notes ("TODO", "entender ...").
TODO_PATTERNS = re.compile(
    r"^\s*(?:[-*]\s*)?(?:" + lexicon.alternation("reminders") + r")\b", re.IGNORECASE
)
# A whole line that only says the answer is still to be written ("tbd", "add notes").
PLACEHOLDER = re.compile(r"^(?:" + lexicon.alternation("placeholders") + r")$", re.IGNORECASE)
# Words that only point elsewhere ("see [the docs](...)").
POINTER_WORDS = lexicon.words("pointer_words")
# Hedging that makes a line a guess, not an answer ("I think ...", "maybe ...").
GUESS = lexicon.regex("guesses")
# An answer of this many words is never a stub; a shorter one is when no line of it is a
# sentence of its own.
STUB_WORDS = 12
LINK_MD = re.compile(r"\[([^\]]*)\]\((https?://[^)\s]+)\)")
LINK_WIKI_SRC = re.compile(r"\[\[([^\]]+)\]\]\((https?://[^)\s]+)\)")
# "[[src](https://...)]": a Markdown link wrapped in brackets, used as a source marker.
LINK_BRACKETED = re.compile(r"\[\[([^\]]*)\]\((https?://[^)\s]+)\)\]")
LINK_BARE = re.compile(r"(?<![(<\[])\bhttps?://[^\s)>\]\"']+")
QUOTES = "“”\"„«»"
# (A closing run of "#" needs a space before it, as in CommonMark: "## C#" names C#.)
HEADING = re.compile(r"^(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")


class Link(BaseModel):
    url: str
    text: str = ""
    line: int


class Section(BaseModel):
    """One heading of a document and the text under it (up to the next heading)."""

    id: str
    source: str = Field(description="File path relative to the corpus dir, POSIX style.")
    heading_path: list[str]
    level: int
    line_start: int = Field(description="1-based line of the heading (or first line).")
    line_end: int = Field(description="1-based last line, inclusive.")
    text: str = Field(description="Body under the heading, without the heading line.")
    links: list[Link] = Field(default_factory=list)
    is_stub: bool = False
    is_question: bool = False
    todo_lines: list[str] = Field(default_factory=list)
    doc_title: str | None = None
    tags: list[str] = Field(default_factory=list)
    # The question/answer unit this section is (see ``interviewer.units``).
    unit_kind: str | None = Field(default=None, description="Set when the section is a unit.")
    question: str | None = Field(default=None, description="The unit's question, as asked.")
    unit_id: str | None = Field(default=None, description="The unit whose answer it is part of.")
    unit_question: str | None = None
    body_line: int = Field(default=0, description="1-based first answer line (0: after heading).")
    uncertain: str | None = None
    has_units: bool = False
    virtual: bool = Field(default=False, description="A unit cut out of a heading section.")

    @property
    def first_body_line(self) -> int:
        if self.body_line:
            return self.body_line
        return self.line_start + (1 if self.level > 0 else 0)

    @property
    def heading(self) -> str:
        return " > ".join(self.heading_path)

    @property
    def title(self) -> str:
        return self.heading_path[-1] if self.heading_path else self.source


class Document(BaseModel):
    source: str
    path: Path
    content_hash: str
    kind: Literal["note", "reference"] = "note"
    title: str | None = None
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    sections: list[Section] = Field(default_factory=list)
    shape_notes: list[Any] = Field(
        default_factory=list, description="units.ShapeNote: question-like text not asked."
    )


class FileProblem(BaseModel):
    """A file that could not be loaded; the rest of the corpus still loads."""

    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


class LoadResult(BaseModel):
    documents: list[Document] = Field(default_factory=list)
    problems: list[FileProblem] = Field(default_factory=list)


# ---- questions and stubs ------------------------------------------------------------


def looks_like_question(heading: str) -> bool:
    text = _strip_numbering(heading).strip().strip("“”\"'").strip()
    if not text:
        return False
    if "?" in text:
        return True
    # "Epoch vs. Batch vs. Iteration." asks for a comparison.
    if re.search(r"\s(?:vs\.?|versus)\s", text, re.IGNORECASE):
        return True
    first = re.split(r"[\s/,:;(]+", text.lower(), maxsplit=1)[0]
    if first not in QUESTION_STARTS:
        return False
    if first in TASK_STARTS:
        # "Reverse a linked list", "Design Mint.com" ask; "Reverse proxy (web server)"
        # and "Name resolution" name a topic: a task has an object after its verb (a
        # determiner, a name, or a few words), or ends like a sentence.
        words = re.sub(r"\([^()]*\)", " ", text).split()
        second = words[1] if len(words) > 1 else ""
        return (
            len(words) >= 3
            or text.rstrip().endswith((".", "?", "!"))
            or second.lower() in TASK_OBJECTS
            or second[:1].isupper()
        )
    return True


def _strip_numbering(heading: str) -> str:
    # "1) What's ...", "12. What ...", "Q3: What ...", "1.2 What ...", "2.3.1. What ..."
    # (a section number needs the space after it: "99.9% availability" is no number;
    # and words after it: "0.1 + 0.2 != 0.3: why?" opens with a number of the question).
    return re.sub(r"^\s*(?:q?\d+(?:\.\d+)+\.?\s+(?=[^\W\d]|[¿¡\"'“(\[*_`])|q?\d+[.):](?!\d)\s*)",
                  "", heading, flags=re.IGNORECASE)  # fmt: skip


# "[[Page]]", "[[Page|shown text]]", "[[Page#part]]": a wiki link (Obsidian and others)
# reads as the text it shows; an embed ("![[diagram.png]]") shows no words.
_WIKI = re.compile(r"(!?)\[\[([^\]|#]*)(?:#([^\]|]*))?(?:\|([^\]]*))?\]\]")
# A heading emphasised as a whole ("## **What is X?**"): the emphasis is no word of it.
_WRAPPED = re.compile(r"^(\*\*\*|___|\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1$")


_LOCAL_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\((?![a-z][a-z0-9+.-]*:)[^)\s]*\)", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def _wiki_text(m: re.Match[str]) -> str:
    if m.group(1):
        return ""
    shown = m.group(4) or m.group(2) or m.group(3) or ""
    return shown.strip()


_CODE = re.compile(r"(`+)[^`]*?\1")


def wiki_to_text(text: str) -> str:
    """Wiki links as the words they show: "What is a [[Pod|pod]]?" -> "What is a pod?".
    Code is left alone ("`lst[[1]]`" indexes a list)."""
    if "[[" not in text:
        return text
    if "`" not in text:
        return _WIKI.sub(_wiki_text, text)
    out: list[str] = []
    at = 0
    for m in _CODE.finditer(text):
        out.extend((_WIKI.sub(_wiki_text, text[at : m.start()]), m.group(0)))
        at = m.end()
    out.append(_WIKI.sub(_wiki_text, text[at:]))
    return "".join(out)


def clean_heading(heading: str) -> str:
    """A heading without link markup: "Q? [[src](url)]" -> "Q?", "[text](url)" -> "text".
    The links themselves stay in the section's ``links``."""
    text = LINK_BRACKETED.sub("", heading)
    text = LINK_WIKI_SRC.sub("", text)
    text = LINK_MD.sub(lambda m: m.group(1), text)
    # A link within the page ("[What is X?](#x)") and HTML ("<a name="x"></a>") show
    # only their text.
    text = _LOCAL_LINK.sub(lambda m: m.group(1), text)
    text = re.sub(r"\s+", " ", _HTML_TAG.sub(" ", wiki_to_text(text))).strip()
    m = _WRAPPED.match(text)
    return m.group(2).strip() if m else text


def question_text(heading: str) -> str:
    """The heading as a question to ask: numbering and trailing links removed."""
    text = _strip_numbering(heading)
    text = LINK_BRACKETED.sub("", text)
    text = LINK_WIKI_SRC.sub("", text)
    text = LINK_MD.sub(lambda m: m.group(1), text)
    text = re.sub(r"\s+", " ", wiki_to_text(text)).strip()
    # Tags after the question ("What is X? #networking") are no words of it.
    text = re.sub(r"(?<=\?)(?:\s+#[A-Za-z][\w/-]*)+$", "", text)
    # Unwrap a quoted heading, but not '“a” or “b”': stripping its ends would leave
    # the inner quotes unbalanced.
    enclosed = len(text) > 2 and text[0] in QUOTES and text[-1] in QUOTES
    if enclosed and not any(c in QUOTES for c in text[1:-1]):
        text = text[1:-1].strip()
    return text


def todo_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if TODO_PATTERNS.match(line)]


def _markup_free(line: str) -> str:
    """A line without quote and list markers, emphasis and enclosing punctuation."""
    t = re.sub(r"^\s*(?:>\s*)*(?:(?:[-*+•]|\d{1,3}[.)])\s+)?", "", line)
    t = re.sub(r"[*_`~]", "", t)
    return t.strip(" \t.:;!,\"'()[]<>")


def is_placeholder(line: str) -> bool:
    """A line that only says the answer is still to be written: a reminder ("TODO ..."),
    a placeholder ("tbd", "add notes here", "..."), or nothing but punctuation."""
    if TODO_PATTERNS.match(line):
        return True
    stripped = line.strip().strip("*_`>")
    if stripped and PLACEHOLDER.match(stripped.strip()):
        return True
    t = _markup_free(line)
    return not re.search(r"[A-Za-zÀ-ÿ0-9]", t) or bool(PLACEHOLDER.match(t))


def _without_links(line: str) -> str:
    return LINK_BARE.sub("", LINK_MD.sub(lambda m: m.group(1), line)).strip()


def substantive_words(text: str) -> int:
    """Words of notes in ``text``: reminders, placeholders and bare links left out, a
    link counted by its text."""
    total = 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line or is_placeholder(line):
            continue
        without_links = _without_links(line)
        if without_links and re.search(r"[A-Za-zÀ-ÿ]{2,}", without_links):
            total += len(without_links.split())
    return total


# Any Markdown link or image (relative targets too, "[[text]](url)" too) and any URL.
_ANY_LINK = re.compile(r"!?\[\[?[^\]]*\]?\]\([^)]*\)\]?")
_ANY_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+|\bwww\.\S+", re.IGNORECASE)


def without_links(text: str) -> str:
    """Text with its links, images and URLs removed (their words too)."""
    return _ANY_URL.sub(" ", _ANY_LINK.sub(" ", re.sub(r"<br\s*/?>", "\n", text)))


def is_sentence_line(line: str) -> bool:
    """A line that says something of its own: three words or more besides its links
    and markup, not a placeholder, not only a pointer to a link ("see [docs](..)"),
    not a guess ("I think ..."), not left unfinished ("size, stride, ...")."""
    if not line.strip() or is_placeholder(line):
        return False
    rest = _ANY_URL.sub(" ", _ANY_LINK.sub(" ", line))
    has_link = rest != line
    words = re.findall(r"[A-Za-zÀ-ÿ0-9]+(?:['’-][A-Za-zÀ-ÿ0-9]+)*", _markup_free(rest))
    if len(words) < 3 or sum(1 for w in words if re.search(r"[A-Za-zÀ-ÿ]", w)) < 2:
        return False
    if has_link and words[0].lower() in POINTER_WORDS:
        return False
    if GUESS.search(line):
        return False  # a guess the notes have not settled
    if line.rstrip().endswith(("...", "…")):
        return False  # trails off: the writer left it unfinished
    return not PLACEHOLDER.match(" ".join(words))


def is_stub_text(text: str) -> bool:
    """True when a section has no real notes of its own: empty, only links, only
    reminders and placeholders ("TODO", "tbd", "add notes", "..."), or a few words that
    make no sentence. A short but real answer ("A primary key identifies a row.") is
    not a stub."""
    if substantive_words(text) >= STUB_WORDS:
        return False
    return not any(is_sentence_line(line) for line in text.splitlines())


# ---- parsing --------------------------------------------------------------------------


# Front matter is a few lines of metadata: more than this is not front matter.
MAX_FRONT_MATTER_BYTES = 64_000


def _yaml_without_aliases(block: str) -> Any:
    """``yaml.safe_load`` that refuses anchors and aliases: a few hundred bytes of
    nested aliases ("billion laughs") would otherwise expand to gigabytes."""
    import yaml

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None, None, "YAML aliases are not allowed", event.start_mark
                )
            return super().compose_node(parent, index)

    loader = NoAliasLoader(block)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def parse_front_matter(text: str) -> tuple[dict[str, Any], int, str | None]:
    """Return (metadata, number of lines it spans, problem). Broken front matter is
    reported and ignored; the body still loads."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return {}, 0, None
    for i in range(1, min(len(lines), 200)):
        if lines[i].strip() in ("---", "..."):
            import yaml

            block = "\n".join(lines[1:i])
            if len(block.encode("utf-8", "replace")) > MAX_FRONT_MATTER_BYTES:
                return {}, i + 1, (
                    f"front matter over {MAX_FRONT_MATTER_BYTES // 1000} KB; metadata ignored"
                )
            try:
                data = _yaml_without_aliases(block) or {}
            except yaml.YAMLError as exc:
                mark = getattr(exc, "problem_mark", None)
                where = f" at line {mark.line + 2}" if mark is not None else ""
                if "aliases are not allowed" in str(exc):
                    return {}, i + 1, f"YAML aliases in the front matter{where}; metadata ignored"
                return {}, i + 1, f"broken YAML front matter{where}; metadata ignored"
            except RecursionError:
                return {}, i + 1, "front matter nested too deeply; metadata ignored"
            if not isinstance(data, dict):
                return {}, i + 1, "front matter is not a mapping; metadata ignored"
            return data, i + 1, None
    return {}, 0, "front matter starts with '---' but never ends; treated as text"


def _links(text: str, first_line: int) -> list[Link]:
    found: list[Link] = []
    seen: set[str] = set()
    for offset, line in enumerate(text.split("\n")):
        spans: list[tuple[int, int]] = []
        # "[[src]](url)" first: the Markdown pattern would not see through "]]".
        for m in LINK_WIKI_SRC.finditer(line):
            spans.append(m.span())
            url = m.group(2).rstrip(".,;")
            if url not in seen:
                seen.add(url)
                found.append(Link(url=url, text=m.group(1), line=first_line + offset))
        for m in LINK_MD.finditer(line):
            if any(a <= m.start() < b for a, b in spans):
                continue
            spans.append(m.span())
            url = m.group(2).rstrip(".,;")
            if url not in seen:
                seen.add(url)
                found.append(Link(url=url, text=m.group(1).strip("[]"), line=first_line + offset))
        for m in LINK_BARE.finditer(line):
            if any(a <= m.start() < b for a, b in spans):
                continue
            url = m.group(0).rstrip(".,;:\"'")
            if url not in seen:
                seen.add(url)
                found.append(Link(url=url, text="", line=first_line + offset))
    return found


def _tags(meta: dict[str, Any]) -> list[str]:
    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in re.split(r"[,\s]+", tags) if t.strip()]
    return [str(t) for t in tags] if isinstance(tags, list) else []


def section_id(source: str, heading_path: list[str], line_start: int) -> str:
    key = f"{source}\x00{' > '.join(heading_path)}\x00{line_start}"
    return hashlib.sha1(key.encode()).hexdigest()[:16]


_SETEXT_LINE = re.compile(r"^ {0,3}(?:=+|-{2,})\s*$")
_BLOCK_START = re.compile(r"^\s*(?:[-*+>|#<]|\d{1,3}[.)]\s|```|~~~)")


def _setext_title(lines: list[str], i: int, first: int) -> bool:
    """Line ``i`` underlines the line above it as a heading ("Title" over "=====" or
    "-----"): that line is a paragraph of one line (a blank line, or the start, before
    it), no list item, quote, table row or heading."""
    if i - 1 < first or not _SETEXT_LINE.match(lines[i]):
        return False
    title = lines[i - 1]
    if not title.strip() or title[:1].isspace() or _BLOCK_START.match(title):
        return False
    return i - 2 < first or not lines[i - 2].strip()


_COMMENT_OPEN = re.compile(r"<!--|(?:^|(?<=\s))%%")
_COMMENT_CLOSE = {"<!--": "-->", "%%": "%%"}


def _comment_end(lines: list[str], i: int, opener: str) -> int | None:
    """The line where a comment opened on line ``i`` and left open there closes; None
    when it never does (or a code fence comes first). An Obsidian comment over lines
    opens and closes at the edges of its lines ("%%" alone on a line, as Obsidian
    writes it), so a stray "%%" in a sentence opens none."""
    close = _COMMENT_CLOSE[opener]
    if not lines[i].lstrip().startswith(opener):
        return None  # "Open it with <!-- and ...": a mention in a sentence
    for j in range(i + 1, len(lines)):
        if FENCE.match(lines[j]):
            return None
        if lines[j].rstrip().endswith(close):
            return j  # (an arrow "a --> b" in a sentence closes nothing)
    return None


def hide_comments(text: str) -> str:
    """``text`` with its comments blanked out, line breaks kept (so line numbers stay
    the file's): HTML comments (``<!-- ... -->``) and Obsidian's (``%% ... %%``) are
    notes to oneself that a reader of the rendered page never sees. Code is kept as
    written, and a comment that never closes is text (hiding the rest of the file
    would lose it)."""
    if "<!--" not in text and "%%" not in text:
        return text
    lines = text.split("\n")
    out: list[str] = []
    in_fence = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if FENCE.match(line) or in_fence:
            in_fence = in_fence != bool(FENCE.match(line))
            out.append(line)
            i += 1
            continue
        kept, rest, changed = "", line, False
        while True:
            # (Code spans are masked: "`<!--`" is code, not a comment.)
            masked = re.sub(r"`[^`]*`", lambda c: " " * len(c.group(0)), rest)
            m = _COMMENT_OPEN.search(masked)
            if m is None:
                break
            opener = m.group(0)
            close = _COMMENT_CLOSE[opener]
            end = rest.find(close, m.end())
            if opener == "%%" and not (
                kept == "" and not rest[: m.start()].strip()
                and (end < 0 or not rest[end + len(close) :].strip())
            ):
                # "Write %% in the format string; %% is ...": a comment of one line
                # opens and closes it ("%% note %%"), as Obsidian writes one.
                break
            if end >= 0:
                kept, rest, changed = kept + rest[: m.start()] + " ", rest[end + len(close) :], True
                continue
            j = _comment_end(lines, i, opener)
            if j is None:
                break
            out.append((kept + rest[: m.start()]).rstrip())
            out.extend("" for _ in range(i + 1, j))
            i = j
            at = lines[j].rfind(close) if opener == "%%" else lines[j].find(close)
            kept, rest, changed = "", lines[j][at + len(close) :], True
        out.append((kept + rest).rstrip() if changed else line)
        i += 1
    return "\n".join(out)


def parse_markdown(
    source: str, text: str, shape_notes: list[Any] | None = None
) -> tuple[dict[str, Any], list[Section], str | None]:
    # (``text`` comes from decode_text, its comments already blanked out.)
    meta, fm_lines, problem = parse_front_matter(text)
    title = str(meta["title"]) if meta.get("title") else None
    tags = _tags(meta)
    lines = text.split("\n")
    headings: list[tuple[int, int, str]] = []  # (line index, level, title)
    underlined: set[int] = set()  # title lines of setext headings (text over === / ---)
    in_fence = False
    for i in range(fm_lines, len(lines)):
        line = lines[i]
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        m = HEADING.match(line)
        if m:
            headings.append((i, len(m.group(1)), clean_heading(m.group(2))))
        elif _setext_title(lines, i, fm_lines):
            headings.append((i - 1, 1 if "=" in line else 2, clean_heading(lines[i - 1].strip())))
            underlined.add(i - 1)

    sections: list[Section] = []

    def add(start: int, end: int, level: int, path: list[str], body_start: int) -> None:
        body = "\n".join(lines[body_start : end + 1]).strip("\n")
        sections.append(
            Section(
                id=section_id(source, path, start + 1),
                source=source,
                heading_path=path,
                level=level,
                line_start=start + 1,
                line_end=end + 1,
                text=body,
                links=_links("\n".join(lines[start : end + 1]), start + 1),
                is_stub=is_stub_text(body),
                is_question=bool(path) and looks_like_question(path[-1]),
                todo_lines=todo_lines(body),
                doc_title=title,
                tags=tags,
            )
        )

    # Text before the first heading is a section of its own (named after the document).
    first = headings[0][0] if headings else len(lines)
    preamble = "\n".join(lines[fm_lines:first]).strip()
    if preamble:
        name = title or Path(source).stem
        add(fm_lines, first - 1, 0, [name], fm_lines)
        sections[-1].is_question = False

    stack: list[tuple[int, str]] = []
    for n, (idx, level, heading) in enumerate(headings):
        end = headings[n + 1][0] - 1 if n + 1 < len(headings) else len(lines) - 1
        while end > idx and not lines[end].strip():
            end -= 1
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, heading))
        body_start = idx + 2 if idx in underlined else idx + 1
        add(idx, end, level, [h for _, h in stack], body_start)
        if idx in underlined:
            sections[-1].body_line = body_start + 1
    from interviewer.units import assign_unit_ids, mark_topics, split_sections

    sections = split_sections(source, lines, sections, shape_notes)
    # A heading whose notes sit in its sub-sections ("My final answer") is not a stub.
    for i, section in enumerate(sections):
        if not section.is_stub or section.level == 0:
            continue
        for child in sections[i + 1 :]:
            if child.level <= section.level:
                break
            if not child.is_stub:
                section.is_stub = False
                break
    mark_topics(sections)
    assign_unit_ids(sections)
    return meta, sections, problem


def parse_text(source: str, text: str, shape_notes: list[Any] | None = None) -> list[Section]:
    """A plain text file, read like Markdown: its own structure (title lines over
    blank-line blocks, lines that ask, ``Q:``/``A:`` pairs, lists) gives its sections
    and units. Line numbers are those of the file."""
    if not text.strip():
        return []
    lines, k, card_tags = _export_fields(text.split("\n"))
    if k:
        text = "\n".join(lines)
        if not text.strip():
            return []
    _meta, sections, _problem = parse_markdown(source, text_to_markdown(text), shape_notes)
    lines = text.split("\n")
    for sec in sections:
        # A "Q:" block made a heading of its own (see text_to_markdown) is still the
        # notes' question/answer pair.
        if sec.unit_kind == "heading" and _TXT_Q.match(lines[sec.line_start - 1]):
            sec.unit_kind = "qa"
        found = [t for n in range(sec.line_start, sec.line_end + 1) for t in card_tags.get(n, [])]
        if found:
            # (A new list: sections may share the document's.)
            sec.tags = list(dict.fromkeys([*sec.tags, *found]))
    return sections


def _export_fields(lines: list[str]) -> tuple[list[str], int, dict[int, list[str]]]:
    """A text file's lines as the notes reader sees them (a new list, line numbers
    kept): a flashcard export's settings and header row blanked, the columns they
    declare to hold no notes (tags, the deck, a card id) taken out of every card.
    Returns the lines, how many lines opened the file as its settings and header, and
    each card line's tags (1-based line: tags)."""
    lines = list(lines)
    k = 0
    columns: dict[int, str] = {}  # 0-based column -> "tags" or "drop"
    tab_separated = True
    while k < len(lines) and (_EXPORT_HEADER.match(lines[k]) or _EXPORT_NAMES.match(lines[k])):
        # A flashcard export's settings ("#separator:tab", "#tags column:3") are no notes;
        # those that name a column say which fields of each card are no notes either.
        declared = _EXPORT_COLUMN.match(lines[k])
        if declared and int(declared.group(2)) >= 1:
            kind = _column_kind(declared.group(1))
            if kind:
                columns[int(declared.group(2)) - 1] = kind
        named = _EXPORT_NAMES.match(lines[k])
        if named:
            # "#columns:Guid<TAB>Deck<TAB>Front<TAB>Back<TAB>Tags" names every column.
            _name_columns(named.group(1).split("\t"), columns)
        sep = _EXPORT_SEPARATOR.match(lines[k])
        if sep:
            tab_separated = sep.group(1).lower() == "tab"
        lines[k] = ""
        k += 1
    if k < len(lines) and _column_names(lines[k]):
        # "Question<TAB>Answer<TAB>Deck": the export's header row, not a title; a column
        # it names as tags holds the cards' tags, one it names as the deck (a card id,
        # a note type) no notes.
        _name_columns(lines[k].split("\t"), columns)
        lines[k] = ""
        k += 1
    card_tags = _take_columns(lines, k, columns) if columns and tab_separated else {}
    return lines, k, card_tags


def _column_kind(name: str) -> str | None:
    """What a flashcard export's column named ``name`` holds for the notes reader:
    "tags", "drop" (the deck, a card id, a note type: which card, not what it teaches)
    or None (notes)."""
    low = " ".join(name.split()).lower()
    if low in _TAG_COLUMNS:
        return "tags"
    return "drop" if low in _CARD_SETTING_COLUMNS else None


def _name_columns(names: list[str], columns: dict[int, str]) -> None:
    """Columns named by a header (row or "#columns:" line) that hold no notes, added to
    ``columns`` (a "#... column:N" setting already read wins)."""
    for n, name in enumerate(names):
        kind = _column_kind(name)
        if kind:
            columns.setdefault(n, kind)


def note_lines(doc: Document) -> list[str]:
    """The lines of a document's file as its sections read them (their line numbers
    index it): what a reader of the raw notes (the grader's key points) should see.
    Empty when the file cannot be read now."""
    try:
        text = decode_text(doc.path.read_bytes())
    except (OSError, ValueError):
        return []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if doc.path.suffix.lower() in TEXT_SUFFIXES:
        lines = _export_fields(lines)[0]
    return lines


def _take_columns(lines: list[str], first: int, columns: dict[int, str]) -> dict[int, list[str]]:
    """Remove the declared columns that hold no notes from every tab-separated line from
    ``first`` on (in place; line numbers stay). Returns each line's tags (1-based line:
    tags), from its tags column."""
    tags: dict[int, list[str]] = {}
    for n in range(first, len(lines)):
        if "\t" not in lines[n]:
            continue
        fields = lines[n].split("\t")
        kept = [f for c, f in enumerate(fields) if c not in columns]
        found = [
            t for c, f in enumerate(fields) if columns.get(c) == "tags" for t in f.split()
        ]  # fmt: skip
        if found:
            tags[n + 1] = found
        lines[n] = "\t".join(kept)
    return tags


def label_pattern(
    kind: Literal["question", "answer"], spanish_letters: bool = False, *, colon: bool = False
) -> str:
    """A regex fragment (no groups) for a question or answer label and its punctuation:
    "Q:", "Q3.", "Question 2)", "Pregunta:", "A1)", "Ans.", "R:", a flashcard's
    "Front:" / "Back:". A one-letter label other than "q" takes a colon, or a number
    then "." or ")": alone, "A." may open a sentence. ``spanish_letters`` adds the
    one-letter Spanish labels ("P:", "R:"), which need the document's language.
    ``colon``: only labels that end in a colon ("Q:", "**Pregunta**:", "Q3 :")."""
    words = lexicon.words(f"{kind}_labels")
    if spanish_letters:
        words = words | lexicon.words(f"{kind}_letters_es")
    longer = sorted((w for w in words if len(w) > 1), key=len, reverse=True)
    # (Bold may close before the colon: "**Pregunta**: ...".)
    bold = r"(?:\*\*|__)?"
    end = rf"{bold}\s*:" if colon else rf"{bold}[:.)]"
    parts = [rf"(?:{'|'.join(map(re.escape, longer))})\s*\d{{0,3}}\s*{end}"] if longer else []
    for w in sorted(w for w in words if len(w) == 1):
        letter = re.escape(w)
        if w == "q" or colon:
            parts.append(rf"{letter}\s*\d{{0,3}}\s*{end}")
        else:
            parts.append(rf"{letter}\s*\d{{0,3}}\s*{bold}:|{letter}\s*\d{{1,3}}\s*{bold}[.)]")
    parts.append(r"front\s*:" if kind == "question" else r"back\s*:")
    return "|".join(parts)


# What may come before a label on its line: quote marks, a list marker, bold's opening.
LABEL_LEAD = r"^\s*(?:>\s*)*(?:(?:[-*+•]|\d{1,3}[.)])\s+)?(?:\*\*|__)?\s*"


@lru_cache(maxsize=16)
def label_line(
    kind: Literal["question", "answer"],
    spanish_letters: bool = False,
    *,
    capture: bool = False,
    colon: bool = False,
) -> re.Pattern[str]:
    """A line that opens with a question or answer label (see :func:`label_pattern`),
    maybe quoted, listed or bold. ``capture``: group 1 is the text after the label."""
    rest = r"\s*(?:\*\*|__)?\s*(.*)$" if capture else ""
    labels = label_pattern(kind, spanish_letters, colon=colon)
    return re.compile(rf"{LABEL_LEAD}(?:{labels}){rest}", re.IGNORECASE)


Q_LABEL = label_pattern("question")
A_LABEL = label_pattern("answer")
Q_LABEL_ES = label_pattern("question", spanish_letters=True)
A_LABEL_ES = label_pattern("answer", spanish_letters=True)


def _column_names(line: str) -> bool:
    """A tab-separated row whose every cell names a column ("Question<TAB>Answer",
    "Term<TAB>Definition")."""
    cells = [" ".join(c.split()).lower() for c in line.split("\t")]
    if len(cells) < 2 or not all(cells):
        return False
    return all(c in _COLUMN_NAMES for c in cells)


# Names of the columns that say which card a line is (a name may be words: "tipo de nota").
_CARD_SETTING_COLUMNS = frozenset(x.lower() for x in lexicon.lines("card_setting_columns"))
# Every name a column of a flashcard export or a question table goes by (units_cues.txt).
_COLUMN_NAMES = _CARD_SETTING_COLUMNS.union(
    *(lexicon.words(f"{kind}_columns")
      for kind in ("question", "answer", "term", "definition", "tag", "export"))
)  # fmt: skip


# The settings lines that open a flashcard export (Anki: "#separator:tab", "#html:true").
_EXPORT_HEADER = re.compile(r"^#[a-z][a-z ]{0,30}:\S*\s*$")
# Settings that name a column ("#tags column:3") and the field separator.
_EXPORT_COLUMN = re.compile(r"^#([a-z]+) column:(\d{1,3})\s*$", re.IGNORECASE)
# Anki's header line that names the columns, separated as the cards' fields are.
_EXPORT_NAMES = re.compile(r"^#columns:(.*\S)\s*$", re.IGNORECASE)
_EXPORT_SEPARATOR = re.compile(r"^#separator:(\S+)", re.IGNORECASE)
_TAG_COLUMNS = lexicon.words("tag_columns")
_TXT_LIST = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")
# (A "P:" block here must ask to be a question.)
_TXT_LABEL = re.compile(rf"^\s*(?:{Q_LABEL_ES}|{A_LABEL_ES})", re.IGNORECASE)
_TXT_Q = re.compile(rf"^\s*(?:{Q_LABEL_ES})\s*(\S.*)$", re.IGNORECASE)
_TXT_A = re.compile(rf"^\s*(?:{A_LABEL_ES})", re.IGNORECASE)
_SETEXT = re.compile(r"^\s*(=+|-+)\s*$")
# "1.2 Parsing", "2. Middle end": a numbered outline's titles.
_OUTLINE = re.compile(r"^(\d{1,3}(?:\.\d{1,3})*)\.?\s+(\S.*)$")


def _outline_title(
    lines: list[str], k: int, next_k: int | None, blocks: frozenset[int] = frozenset()
) -> int | None:
    """The depth (1, 2, ...) of an outline title at line ``k``: a short numbered line,
    not indented and not a sentence, over the text or the sub-title it numbers. A
    single number ("2. Middle end") is a title only over its own sub-title ("2.1 ...")
    or as one of ``blocks`` (see ``_numbered_blocks``), so a plain numbered list stays a
    list."""
    raw = lines[k]
    m = _OUTLINE.match(raw)
    if m is None or raw[:1].isspace() or next_k is None:
        return None
    number, title = m.group(1), m.group(2).strip()
    if len(title.split()) > 8 or re.search(r"[.,;:!?]$", title) or not title[:1].isalnum():
        return None
    depth = number.count(".") + 1
    below = _OUTLINE.match(lines[next_k])
    if depth == 1:
        sub = below is not None and below.group(1).startswith(number + ".")
        return 1 if sub or k in blocks else None
    if below is not None and below.group(1).count(".") + 1 <= depth and next_k == k + 1:
        return None  # "1.1 x" then "1.2 y": a list of numbered items, no text under them
    return depth


def _numbered_blocks(lines: list[str]) -> frozenset[int]:
    """Numbered titles of blocks ("1. Cache-aside" over its paragraph, a blank line, then
    "2. Write-through" over its own): a short numbered line after a blank line, with a
    sentence (not a list item, not a lower-case run-on) right below it. Two with
    consecutive numbers are needed: a list's items follow one another with no text
    between them, so they are never such blocks."""
    found: dict[int, int] = {}
    for k, raw in enumerate(lines):
        m = _OUTLINE.match(raw)
        if m is None or "." in m.group(1) or raw[:1].isspace() or (k and lines[k - 1].strip()):
            continue
        title = m.group(2).strip()
        if len(title.split()) > 8 or re.search(r"[.,;:!?]$", title) or not title[:1].isalnum():
            continue
        below = lines[k + 1] if k + 1 < len(lines) else ""
        if not below.strip() or below[:1].isspace() or _TXT_LIST.match(below):
            continue
        if below.strip()[:1].islower() or _OUTLINE.match(below):
            continue
        found[k] = int(m.group(1))
    numbers = set(found.values())
    return frozenset(k for k, n in found.items() if n - 1 in numbers or n + 1 in numbers)


def _dense_questions(lines: list[str]) -> set[int]:
    """Question lines of cards written with no blank line between them ("What is X?"
    over its answer, then the next question at once): a line that asks, opens with a
    capital, follows a line that ends a sentence (or opens the file) and is followed by
    an answer that does not ask. Two or more are needed: one alone may be a question
    inside a paragraph."""
    found: set[int] = set()
    for k, raw in enumerate(lines):
        line = raw.strip()
        if not line.endswith("?") or len(line.split()) > 40 or raw[:1].isspace():
            continue
        if not (line[:1].isupper() or line[:1] in "¿¡") or _TXT_LIST.match(raw):
            continue
        before = lines[k - 1].strip() if k > 0 else ""
        after = lines[k + 1].strip() if k + 1 < len(lines) else ""
        if before and not re.search(r"[.!)\]\"'”]$", before) and k > 1:
            continue
        if not after or after.endswith("?") or after.startswith("#"):
            continue
        found.add(k)
    # (Those after a blank line are read as any text file's lines that ask.)
    dense = {k for k in found if k > 0 and lines[k - 1].strip()}
    return dense if len(dense) >= 2 else set()


def text_to_markdown(text: str) -> str:
    """Plain text as Markdown with the same lines: a short title line that opens a block
    becomes a heading (``#`` for the file's first line, ``##`` after), so does a line
    that asks on its own (with the text below as its answer) and a line underlined with
    ``===`` or ``---``. Everything else is kept as it is."""
    lines = text.split("\n")
    out = list(lines)
    n = len(lines)

    def blank(k: int) -> bool:
        return k < 0 or k >= n or not lines[k].strip()

    def next_text(k: int) -> int | None:
        j = k + 1
        while j < n and not lines[j].strip():
            j += 1
        return j if j < n else None

    dense = _dense_questions(lines)
    blocks = _numbered_blocks(lines)
    seen_text = False
    titled = False  # a block title was seen: it covers its block, not what follows
    for k, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        first = not seen_text
        seen_text = True
        depth = _outline_title(lines, k, next_text(k), blocks)
        if depth is not None and not first:
            out[k] = "#" * min(depth + 1, 6) + " " + line
            titled = True
            continue
        q = _TXT_Q.match(raw) if titled and blank(k - 1) else None
        if q is not None and (blank(k + 1) or _TXT_A.match(lines[k + 1])) and (
            q.group(1).rstrip().endswith("?") or looks_like_question(q.group(1))
        ):
            # A "Q:" block after a titled block is a question of its own, not a part
            # of that title's notes: it becomes a sibling heading.
            out[k] = "## " + q.group(1).strip()
            continue
        if k in dense:
            out[k] = "## " + line
            titled = True
            continue
        if line.startswith("#") or _TXT_LIST.match(raw) or _TXT_LABEL.match(raw):
            continue
        if k + 1 < n and _SETEXT.match(lines[k + 1]) and not blank(k) and blank(k - 1):
            out[k] = ("# " if first else "## ") + line
            out[k + 1] = ""
            continue
        if not blank(k - 1):
            continue
        following = next_text(k)
        if following is None:
            continue
        words = line.split()
        if line.endswith("?") and len(words) <= 40:
            out[k] = "## " + line
            titled = True
            continue
        # A short line with no sentence punctuation that opens a block is its title
        # (unless the next line goes on with its sentence, in lower case).
        goes_on = not blank(k + 1) and lines[k + 1].strip()[:1].islower()
        if (
            len(words) <= 8 and not re.search(r"[.,;!?]$", line) and line[:1].isalnum()
            and not goes_on
        ):  # fmt: skip
            opens = first and (blank(k + 1) or k + 1 in dense)
            out[k] = ("# " if opens else "## ") + line.rstrip(":")
            titled = titled or out[k].startswith("## ")
    return "\n".join(out)


# ---- files ------------------------------------------------------------------------------


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class NotesFolder:
    """One walk of a notes folder: the note files read in place (sorted) and the
    documents that are not (a notebook, a PDF, Org-mode notes), each with what to do
    about it. ``error``: the folder could not be listed (the note files then raise it,
    as reading them would; the unread list is just empty)."""

    root: Path
    notes: tuple[Path, ...] = ()
    unread: tuple[FileProblem, ...] = ()
    error: OSError | None = None


# The walks of the command under way (see ``one_walk``): folder -> its walk.
_WALKS: ContextVar[dict[Path, NotesFolder] | None] = ContextVar("notes_walks", default=None)


@contextmanager
def one_walk() -> Iterator[None]:
    """Within this block every :func:`scan_notes` of a folder sees one walk of it. A
    command that reads the notes in several places (the index's freshness, the bank, the
    list of files not read) opens it; code that adds or removes note files must not
    run inside it."""
    token = _WALKS.set({})
    try:
        yield
    finally:
        _WALKS.reset(token)


def scan_notes(corpus_dir: Path) -> NotesFolder:
    """The note files of ``corpus_dir`` and the documents there that are not read in
    place, from one walk of the folder (the same one within :func:`one_walk`)."""
    walks = _WALKS.get()
    if walks is not None and corpus_dir in walks:
        return walks[corpus_dir]
    folder = _walk(corpus_dir)
    if walks is not None:
        walks[corpus_dir] = folder
    return folder


def _walk(corpus_dir: Path) -> NotesFolder:
    try:
        paths = sorted(corpus_dir.rglob("*"))
    except OSError as exc:
        return NotesFolder(root=corpus_dir, error=exc)
    notes: list[Path] = []
    unread: list[FileProblem] = []
    for path in paths:
        rel = path.relative_to(corpus_dir)
        hidden = any(part in SKIPPED_DIRS or part.startswith(".") for part in rel.parts[:-1])
        if hidden or path.name.startswith("."):
            continue
        suffix = path.suffix.lower()
        if suffix in NOTE_SUFFIXES:
            if path.is_file():
                notes.append(path)
            continue
        kind = UNREAD_SUFFIXES.get(suffix)
        if kind is None or path.name in SKIPPED_DIRS:
            continue
        if not path.is_file() or _converted_beside(path):
            continue
        what, converted = kind
        if converted:
            why = f"{what}, not read in place; `interviewer add` converts it into a note"
        else:
            why = f"{what}, not read; save it as Markdown or plain text (or PDF) to use it"
        unread.append(FileProblem(source=rel.as_posix(), message=why))
    return NotesFolder(root=corpus_dir, notes=tuple(notes), unread=tuple(unread))


def iter_note_files(corpus_dir: Path) -> Iterable[Path]:
    """The note files read in place, sorted (see :func:`scan_notes`)."""
    folder = scan_notes(corpus_dir)
    if folder.error is not None:
        raise folder.error
    return iter(folder.notes)


# (UTF-32 first: its little-endian mark starts with UTF-16's.)
_UTF_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _converted_beside(path: Path) -> bool:
    """A note converted from ``path`` (by ``add``) lies beside it."""
    note = path.with_suffix(".md")
    try:
        with note.open("rb") as fh:
            head = fh.read(2048).decode("utf-8", "replace")
    except OSError:
        return False
    found = re.search(r"^converted_from:\s*(.+?)\s*$", head, re.MULTILINE)
    return found is not None and found.group(1).strip("'\"") == path.name


def unread_files(corpus_dir: Path) -> list[FileProblem]:
    """The documents in the corpus dir that are not read in place (a notebook, a PDF,
    Org-mode notes, a Word file), each with what to do about it, so that no notes are
    left out without a word. One that ``add`` converted already (its note beside it)
    is read through that note. (See :func:`scan_notes`.)"""
    if not corpus_dir.is_dir():
        return []
    return list(scan_notes(corpus_dir).unread)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), or UTF-16/32 with their BOM (as Windows editors save
    "Unicode" text: its NUL bytes make no binary file). Raises ValueError with a one-line
    reason. Comments come back blanked out (see :func:`hide_comments`): every reader of
    the notes (the loader, the grader's key points) sees the same text."""
    return hide_comments(_decoded(data))


def _decoded(data: bytes) -> str:
    for bom, codec in _UTF_BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError:
                raise ValueError(
                    f"starts with a {codec.upper()} byte order mark but is not valid "
                    f"{codec.upper()}; re-save the file as UTF-8"
                ) from None
    if b"\x00" in data[:BINARY_SNIFF_BYTES]:
        raise ValueError("binary file (contains NUL bytes); skipped")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at line {line}); "
            "re-save the file as UTF-8"
        ) from None


def load_document(corpus_dir: Path, path: Path, max_bytes: int) -> Document:
    """Load one note file. Raises ValueError with a one-line reason."""
    source = path.relative_to(corpus_dir).as_posix()
    size = path.stat().st_size
    if size > max_bytes:
        raise ValueError(
            f"file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB limit; skipped "
            "(raise INTERVIEWER_MAX_FILE_BYTES to index it)"
        )
    data = path.read_bytes()
    text = decode_text(data).replace("\r\n", "\n").replace("\r", "\n")
    doc = Document(source=source, path=path, content_hash=file_hash(data))
    if path.suffix.lower() in TEXT_SUFFIXES:
        doc.sections = parse_text(source, text, doc.shape_notes)
        return doc
    meta, sections, problem = parse_markdown(source, text, doc.shape_notes)
    doc.title = str(meta["title"]) if meta.get("title") else None
    doc.tags = _tags(meta)
    doc.metadata = {k: v for k, v in meta.items() if isinstance(v, str | int | float | bool)}
    doc.sections = sections
    if problem:
        doc.metadata["front_matter_problem"] = problem
    return doc


def check_corpus_dir(corpus_dir: Path) -> None:
    if not corpus_dir.exists():
        raise CorpusError(f"corpus dir {corpus_dir} does not exist")
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus path {corpus_dir} is not a directory")


def load_corpus(
    corpus_dir: Path, max_bytes: int = 5_000_000, folder: NotesFolder | None = None
) -> LoadResult:
    """Load every note file (of ``folder``, a walk of the corpus dir the caller has
    already made, else a walk now); a bad file becomes a problem, never an exception."""
    check_corpus_dir(corpus_dir)
    result = LoadResult()
    folder = folder or scan_notes(corpus_dir)
    if folder.error is not None:
        raise folder.error
    for path in folder.notes:
        source = path.relative_to(corpus_dir).as_posix()
        try:
            doc = load_document(corpus_dir, path, max_bytes)
        except (ValueError, OSError) as exc:
            result.problems.append(FileProblem(source=source, message=str(exc)))
            continue
        if not doc.sections:
            result.problems.append(FileProblem(source=source, message="empty file; skipped"))
            continue
        if "front_matter_problem" in doc.metadata:
            result.problems.append(
                FileProblem(source=source, message=str(doc.metadata["front_matter_problem"]))
            )
        result.documents.append(doc)
    return result
