"""Readable text out of HTML (trafilatura: main content without navigation, ads and
footers) and PDF (pypdf), as Markdown-like text whose headings mark the sections.
Shared by the reference cache and ``interviewer add``."""

from __future__ import annotations

import io
import logging
import re
from typing import Literal

from pydantic import BaseModel

Kind = Literal["html", "pdf", "text"]

HTML_TYPES = {"text/html", "application/xhtml+xml"}
TEXT_TYPES = {"text/plain", "text/markdown", "text/x-markdown"}
_TITLE_TAG = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


class Extracted(BaseModel):
    kind: Kind
    title: str | None = None
    text: str


def detect_kind(content_type: str, body: bytes, name: str = "") -> Kind | None:
    """What a downloaded body or a file is, from its type, its first bytes and its name."""
    head = body[:1024].lstrip().lower()
    if content_type == "application/pdf" or body[:5] == b"%PDF-":
        return "pdf"
    if content_type in HTML_TYPES or head.startswith((b"<!doctype html", b"<html")):
        return "html"
    lowered = name.lower()
    if lowered.endswith((".html", ".htm", ".xhtml")):
        return "html"
    if lowered.endswith(".pdf"):
        return "pdf"
    if content_type in TEXT_TYPES or lowered.endswith((".txt", ".md", ".markdown")):
        return "text"
    return None


def decode(body: bytes, charset: str | None) -> str:
    """Bytes to text: the declared charset, else UTF-8; undecodable bytes are replaced
    rather than failing a whole page over one byte."""
    for encoding in (charset, "utf-8"):
        if not encoding:
            continue
        try:
            return body.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


def _quiet(*names: str) -> None:
    # Both libraries log warnings about odd input; the caller reports problems itself.
    for name in names:
        logging.getLogger(name).setLevel(logging.ERROR)


def html_to_text(body: bytes, charset: str | None = None, url: str | None = None) -> Extracted:
    """The page's main content with its headings. Raises ValueError when there is none."""
    import trafilatura

    _quiet("trafilatura", "htmldate", "courlan")
    # A charset from the HTTP header wins; otherwise trafilatura reads <meta charset>.
    source: bytes | str = decode(body, charset) if charset else body
    doc = trafilatura.bare_extraction(
        source,
        url=url,
        output_format="python",
        with_metadata=True,
        include_formatting=True,
        include_tables=True,
        include_comments=False,
    )
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not text:
        raise ValueError("no readable text found in the HTML")
    title = getattr(doc, "title", None) or _title_tag(body, charset)
    return Extracted(kind="html", title=_clean_title(title), text=text)


def _title_tag(body: bytes, charset: str | None) -> str | None:
    m = _TITLE_TAG.search(body[:65536])
    return decode(m.group(1), charset) if m else None


def _clean_title(title: str | None) -> str | None:
    if not title:
        return None
    title = " ".join(title.split())
    return title[:200] or None


def pdf_to_text(body: bytes) -> Extracted:
    """One ``## Page N`` section per page with text. Raises ValueError for a PDF that
    cannot be read or holds no text (e.g. scanned images)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    _quiet("pypdf")
    try:
        reader = PdfReader(io.BytesIO(body))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("the PDF is encrypted")
        pages = [(page.extract_text() or "") for page in reader.pages]
        meta_title = reader.metadata.title if reader.metadata else None
    except (PyPdfError, OSError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a readable PDF ({' '.join(str(exc).split())[:120]})") from None
    parts: list[str] = []
    for number, raw in enumerate(pages, 1):
        lines = [_escape_heading(line.rstrip()) for line in raw.splitlines()]
        body_text = "\n".join(lines).strip()
        if body_text:
            parts.append(f"## Page {number}\n\n{body_text}")
    if not parts:
        raise ValueError("no text found in the PDF (scanned images?)")
    title = _clean_title(str(meta_title) if meta_title else None)
    if title is None:
        first = next((ln.strip() for p in pages for ln in p.splitlines() if ln.strip()), "")
        title = _clean_title(first[:120])
    return Extracted(kind="pdf", title=title, text="\n\n".join(parts))


def _escape_heading(line: str) -> str:
    # A PDF line that starts with '#' is text, not one of our page headings.
    return "\\" + line if line.lstrip().startswith("#") else line


def extract(
    body: bytes, kind: Kind, charset: str | None = None, url: str | None = None
) -> Extracted:
    if kind == "pdf":
        return pdf_to_text(body)
    if kind == "html":
        return html_to_text(body, charset, url)
    text = decode(body, charset).replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise ValueError("the document is empty")
    return Extracted(kind="text", title=None, text=text)
