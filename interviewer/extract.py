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


def html_to_text(
    body: bytes,
    charset: str | None = None,
    url: str | None = None,
    *,
    links: bool = False,
    notes: bool = False,
) -> Extracted:
    """The page's main content with its headings (and, with ``links``, its links as
    Markdown links). ``notes``: the page becomes a note, so its collapsible question
    blocks are kept as such. Raises ValueError when there is none."""
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
        include_links=links,
    )
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    html = decode(body, charset)
    if (_heading_count(html) >= 2 and not re.search(r"(?m)^#{1,6} ", text)) or (
        notes and _SUMMARY_TAG.search(html) and "<summary" not in text
    ):
        # The extractor dropped the page's headings, or its collapsible question
        # blocks: they are the notes' structure.
        text = html_to_markdown(html, links=links, details=notes) or text
    if not text:
        raise ValueError("no readable text found in the HTML")
    title = getattr(doc, "title", None) or _title_tag(body, charset)
    return Extracted(kind="html", title=_clean_title(title), text=text)


_HEADING_TAG = re.compile(r"<h[1-6][\s>]", re.IGNORECASE)
_SUMMARY_TAG = re.compile(r"<details[\s>].*?<summary[\s>]", re.IGNORECASE | re.DOTALL)
_SKIP_TAGS = {"script", "style", "nav", "footer", "header", "aside", "form", "noscript",
              "svg", "button", "iframe", "template"}  # fmt: skip
_BLOCK_TAGS = {"p", "div", "section", "article", "main", "table", "tr", "blockquote",
               "details", "summary", "dl", "dt", "dd", "figure", "figcaption", "br"}  # fmt: skip


def _heading_count(html: str) -> int:
    return len(_HEADING_TAG.findall(html))


def html_to_markdown(html: str, *, links: bool = True, details: bool = False) -> str:
    """A plain HTML-to-Markdown walk of the page's main part (``<main>``, ``<article>``
    or ``<body>``, without navigation, scripts and footers): headings as ``#``, list
    items as ``-``, emphasis kept, links as ``[text](url)``; with ``details``,
    ``<details><summary>`` blocks kept as raw HTML, as Markdown notes write them."""
    import lxml.html

    try:
        root = lxml.html.fromstring(html)
    except (ValueError, TypeError, lxml.etree.ParserError):
        return ""
    main = next(iter(root.xpath("//main") or root.xpath("//article") or root.xpath("//body")),
                root)  # fmt: skip
    out: list[str] = []

    def inline(el: lxml.html.HtmlElement) -> str:
        parts = [el.text or ""]
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in _SKIP_TAGS:
                parts.append(child.tail or "")
                continue
            inner = inline(child)
            if tag == "a" and links and child.get("href", "").startswith(("http://", "https://")):
                inner = f"[{inner.strip()}]({child.get('href')})"
            elif tag in ("b", "strong") and inner.strip():
                inner = f"**{inner.strip()}**"
            elif tag in ("i", "em") and inner.strip():
                inner = f"*{inner.strip()}*"
            elif tag == "code" and inner.strip():
                inner = f"`{inner.strip()}`"
            parts.append(inner + (child.tail or ""))
        return " ".join("".join(parts).split())

    def walk(el: lxml.html.HtmlElement, depth: int = 0) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag in _SKIP_TAGS:
            return
        if re.fullmatch(r"h[1-6]", tag):
            text = inline(el)
            if text:
                out.extend([f"{'#' * int(tag[1])} {text}", ""])
            return
        if tag == "li":
            out.append("  " * depth + "- " + inline_own(el))
            for child in el:
                if child.tag in ("ul", "ol"):
                    walk(child, depth + 1)
            return
        if tag in ("ul", "ol"):
            for child in el:
                walk(child, depth)
            out.append("")
            return
        if tag == "pre":
            out.extend(["```", el.text_content().rstrip(), "```", ""])
            return
        if tag == "details" and details:
            # A collapsible block stays one, as Markdown notes write it (raw HTML):
            # its summary is a question and the rest its answer.
            summary = next((c for c in el if c.tag == "summary"), None)
            title = inline(summary) if summary is not None else ""
            out.extend(["<details>", f"<summary>{title}</summary>", ""])
            if el.text and el.text.strip():
                out.extend([" ".join(el.text.split()), ""])
            for child in el:
                if child is not summary:
                    walk(child, depth)
                if child.tail and child.tail.strip():
                    out.extend([" ".join(child.tail.split()), ""])
            out.extend(["</details>", ""])
            return
        if tag == "dl":
            # A definition list: each term a bold label over its definition, the way
            # notes write "- **Term** — definition".
            term: str | None = None
            for child in el:
                ctag = child.tag if isinstance(child.tag, str) else ""
                if ctag == "dt":
                    if term:
                        out.append(f"- **{term}**")
                    term = inline(child).strip("* ")
                elif ctag == "dd":
                    text = inline(child)
                    out.append(f"- **{term}** — {text}" if term else f"  {text}")
                    term = None
            if term:
                out.append(f"- **{term}**")
            out.append("")
            return
        has_blocks = any(
            isinstance(c.tag, str) and (c.tag in _BLOCK_TAGS or c.tag in ("ul", "ol", "pre")
                                        or re.fullmatch(r"h[1-6]", c.tag))
            for c in el
        )  # fmt: skip
        if not has_blocks:
            text = inline(el)
            if text:
                out.extend([text, ""])
            return
        if el.text and el.text.strip():
            out.extend([" ".join(el.text.split()), ""])
        for child in el:
            walk(child, depth)
            if child.tail and child.tail.strip():
                out.extend([" ".join(child.tail.split()), ""])

    def inline_own(li: lxml.html.HtmlElement) -> str:
        clone = lxml.html.fromstring(lxml.html.tostring(li))
        for sub in clone.xpath("./ul|./ol"):
            sub.getparent().remove(sub)
        return inline(clone)

    walk(main)
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


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
        outline = _outline(reader)
    except (PyPdfError, OSError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not a readable PDF ({' '.join(str(exc).split())[:120]})") from None
    parts: list[str] = []
    for number, raw in enumerate(pages, 1):
        lines = [_escape_heading(line.rstrip()) for line in raw.splitlines()]
        if outline:
            # The PDF's own outline gives the headings, where its titles start.
            for level, name in outline.get(number - 1, []):
                heading = f"{'#' * min(6, level + 1)} {name}"
                at = next((i for i, ln in enumerate(lines)
                           if " ".join(ln.split()).lower() == name.lower()), None)  # fmt: skip
                if at is None:
                    lines.insert(0, heading)
                else:
                    lines[at] = heading
            body_text = "\n".join(lines).strip()
            if body_text:
                parts.append(body_text)
            continue
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


def _outline(reader: object) -> dict[int, list[tuple[int, str]]]:
    """Outline (bookmark) titles by 0-based page: {page: [(depth, title), ...]}."""
    found: dict[int, list[tuple[int, str]]] = {}

    def walk(items: list, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
                continue
            try:
                page = reader.get_destination_page_number(item)  # type: ignore[attr-defined]
            except Exception:  # a broken destination: skip that entry only
                continue
            title = " ".join(str(getattr(item, "title", "") or "").split())
            if title and page is not None and page >= 0:
                found.setdefault(page, []).append((depth, title[:200]))

    try:
        walk(list(reader.outline), 1)  # type: ignore[attr-defined]
    except Exception:  # no outline, or one pypdf cannot read: pages it is
        return {}
    return found


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
