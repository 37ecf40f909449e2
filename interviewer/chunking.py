"""Sections -> chunks. A chunk never crosses a section boundary (and a section belongs
to one question/answer unit at most, so a chunk never spans two units); long sections are
split further with LlamaIndex's sentence splitter, and every chunk keeps its
heading path (in its metadata and at the top of the embedded text)."""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from interviewer.corpus import Document, Section

if TYPE_CHECKING:
    from llama_index.core.node_parser import SentenceSplitter

# A Markdown link or image: its target (a URL or path) is dropped from what is embedded,
# its text kept. URLs are long runs of words ("news-detail", "machine-learning-...")
# that match many queries and say nothing about the section's subject.
_LINK = re.compile(r"!?\[([^\]]*)\]\(\s*<?[^)\s>]*>?(?:\s+\"[^\"]*\")?\s*\)")
_BARE_URL = re.compile(r"<?\bhttps?://[^\s)>\]]+>?")


def _without_urls(text: str) -> str:
    return _BARE_URL.sub("", _LINK.sub(r"\1", text))


class Chunk(BaseModel):
    id: str
    text: str = Field(description="The chunk's own text (section body or a part of it).")
    source: str
    heading: str
    section_id: str
    line_start: int
    line_end: int
    kind: Literal["note", "reference"] = "note"
    is_stub: bool = False
    is_question: bool = False
    url: str | None = None
    title: str | None = None
    citing_sections: list[str] = Field(default_factory=list)
    part: int = 0
    # The question/answer unit the chunk belongs to (a chunk never spans two units).
    unit_id: str | None = None
    question: str | None = None
    unit_kind: str | None = None

    @property
    def embed_text(self) -> str:
        """What the embedder and BM25 see: heading path first, so that a chunk deep in
        a long section still knows what question it answers, then the unit's question
        when the heading path does not already say it; link targets left out."""
        head = self.heading
        question = (self.question or "").strip()
        if question and _norm_words(question) not in _norm_words(head):
            head = f"{head}\n{question}"
        return _without_urls(f"{head}\n\n{self.text}").strip()

    def chroma_metadata(self) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "source": self.source,
            "heading": self.heading,
            "section_id": self.section_id,
            "line_start": self.line_start,
            "line_end": self.line_end,
            "kind": self.kind,
            "is_stub": self.is_stub,
            "is_question": self.is_question,
            "part": self.part,
        }
        if self.unit_id:
            meta["unit_id"] = self.unit_id
            meta["question"] = self.question or ""
            meta["unit_kind"] = self.unit_kind or ""
        # Chroma metadata values must be scalars.
        if self.url:
            meta["url"] = self.url
        if self.title:
            meta["title"] = self.title
        if self.citing_sections:
            meta["citing_sections"] = json.dumps(self.citing_sections, ensure_ascii=False)
        return meta


def _norm_words(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


@lru_cache(maxsize=4)
def _splitter(chunk_size: int, chunk_overlap: int) -> SentenceSplitter:
    # Imported here: llama_index.core takes seconds to import and only indexing needs it.
    from llama_index.core.node_parser import SentenceSplitter

    return SentenceSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)


def _chunk_id(section: Section, part: int, text: str) -> str:
    digest = hashlib.sha1(f"{section.id}\x00{part}\x00{text}".encode()).hexdigest()
    return digest[:20]


def _line_of(body: str, piece: str, body_first_line: int, fallback: int) -> int:
    probe = piece.strip()[:60]
    pos = body.find(probe) if probe else -1
    if pos < 0:
        return fallback
    return body_first_line + body.count("\n", 0, pos)


def chunk_document(
    doc: Document, chunk_size: int = 256, chunk_overlap: int = 32, max_chars: int | None = None
) -> list[Chunk]:
    """Chunks of one document. Short sections stay whole; empty sections (stubs with a
    heading only) still get a chunk, so their question can be found and asked."""
    limit = max_chars if max_chars is not None else chunk_size * 4
    url = str(doc.metadata.get("url")) if doc.metadata.get("url") else None
    citing: list[str] = []
    if doc.metadata.get("citing_sections"):
        try:
            citing = list(json.loads(str(doc.metadata["citing_sections"])))
        except (ValueError, TypeError):
            citing = []
    chunks: list[Chunk] = []
    kinds = {s.id: s.unit_kind for s in doc.sections if s.unit_kind}
    for section in doc.sections:
        body = section.text.strip()
        if not body and not section.is_stub:
            # A heading whose notes are all in its sub-sections: their chunks carry
            # its heading path already, and an empty hit helps nobody.
            continue
        body_first_line = section.first_body_line
        pieces = [body]
        if len(body) > limit:
            pieces = _splitter(chunk_size, chunk_overlap).split_text(body) or [body]
        for part, piece in enumerate(pieces):
            start = _line_of(section.text, piece, body_first_line, section.line_start)
            end = (
                section.line_end
                if len(pieces) == 1
                else min(section.line_end, start + piece.count("\n"))
            )
            chunks.append(
                Chunk(
                    id=_chunk_id(section, part, piece),
                    text=piece,
                    source=section.source,
                    heading=section.heading,
                    section_id=section.id,
                    line_start=section.line_start if len(pieces) == 1 else start,
                    line_end=end,
                    kind=doc.kind,
                    is_stub=section.is_stub,
                    is_question=section.is_question,
                    url=url,
                    title=doc.title,
                    citing_sections=citing,
                    part=part,
                    unit_id=section.unit_id,
                    question=section.unit_question,
                    unit_kind=kinds.get(section.unit_id or ""),
                )
            )
    return chunks
