"""Notes kept in other formats than Markdown, converted into Markdown notes by
``interviewer add``: a Jupyter notebook (its Markdown cells, its code as code blocks),
Org-mode notes and reStructuredText (their headings, lists, code and links). The
converters keep the structure the loader reads (headings, lists, definitions, tables);
what has no Markdown form (drawers, directives' options, comments) is left out."""

from __future__ import annotations

import json
import re
from typing import Any

from interviewer.extract import Extracted

# ---- Jupyter notebooks -------------------------------------------------------------------


def _cell_source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    if isinstance(source, list):
        return "".join(str(s) for s in source)
    return str(source)


def notebook_to_markdown(data: bytes) -> Extracted:
    """A notebook's Markdown cells as they are, its code cells as fenced code (outputs
    left out: they are results, not notes). Raises ValueError with a one-line reason."""
    try:
        nb = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ValueError("not a Jupyter notebook (not UTF-8 text)") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not a valid Jupyter notebook (bad JSON at line {exc.lineno})") from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        # nbformat 3 kept its cells in worksheets.
        sheets = nb.get("worksheets") if isinstance(nb, dict) else None
        if isinstance(sheets, list) and sheets and isinstance(sheets[0], dict):
            cells = sheets[0].get("cells")
    if not isinstance(cells, list):
        raise ValueError("not a Jupyter notebook (no cells)")
    meta: dict[str, Any] = nb["metadata"] if isinstance(nb.get("metadata"), dict) else {}
    kernel: dict[str, Any] = (
        meta["kernelspec"] if isinstance(meta.get("kernelspec"), dict) else {}
    )
    language = str(kernel.get("language") or "python")
    parts: list[str] = []
    prose: list[str] = []  # the Markdown cells: a code comment ("# load the data") is no title
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        kind = cell.get("cell_type")
        text = _cell_source(cell).strip("\n")
        if not text.strip():
            continue
        if kind == "markdown":
            parts.append(text)
            prose.append(text)
        elif kind == "code":
            fence = "````" if "```" in text else "```"
            parts.append(f"{fence}{language}\n{text}\n{fence}")
    if not any(p.strip() for p in parts):
        raise ValueError("the notebook has no Markdown or code cells with text")
    body = "\n\n".join(parts)
    title = meta.get("title") if isinstance(meta.get("title"), str) else None
    if not title:
        m = re.search(r"^#\s+(.+?)\s*#*\s*$", "\n\n".join(prose), re.MULTILINE)
        title = m.group(1) if m else None
    return Extracted(kind="text", title=title, text=body)


# ---- Org mode ----------------------------------------------------------------------------

_ORG_HEADING = re.compile(r"^(\*+)\s+(?:(?:TODO|DONE|NEXT|WAITING)\s+)?(?:\[#[A-C]\]\s+)?(.*?)"
                          r"(?:\s+:[\w@#%:]+:)?\s*$")  # fmt: skip
_ORG_KEYWORD = re.compile(r"^\s*#\+(\w+):\s*(.*)$")
_ORG_BLOCK = re.compile(r"^\s*#\+(begin|end)_(\w+)\s*(\S*)", re.IGNORECASE)
_ORG_LINK = re.compile(r"\[\[([^\]]+)\](?:\[([^\]]+)\])?\]")
_ORG_DEFINITION = re.compile(r"^(\s*[-+]\s+)(.+?)\s+::\s+(.*)$")


def _org_inline(text: str) -> str:
    def link(m: re.Match[str]) -> str:
        target, shown = m.group(1), m.group(2)
        if re.match(r"^(?:https?|ftp)://|^mailto:", target):
            return f"[{shown or target}]({target})"
        return shown or target  # a link to a file or a heading: its text

    text = _ORG_LINK.sub(link, text)
    # Emphasis markers stand next to their words, at word edges.
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])", r"**\1**", text)
    text = re.sub(r"(?<![\w/:])/(?=\S)([^/\n]+?)(?<=\S)/(?![\w/])", r"*\1*", text)
    return re.sub(r"(?<!\w)[=~](?=\S)([^=~\n]+?)(?<=\S)[=~](?!\w)", r"`\1`", text)


def org_to_markdown(text: str) -> Extracted:
    """Org-mode notes as Markdown: ``* Heading`` levels, ``#+TITLE``, source, example
    and quote blocks, ``[[url][text]]`` links, emphasis, ``- term :: definition`` items
    (as labelled items) and tables. Drawers (``:PROPERTIES:`` ... ``:END:``), comments
    and other ``#+`` settings are left out."""
    title: str | None = None
    out: list[str] = []
    block: str | None = None
    in_drawer = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        bm = _ORG_BLOCK.match(raw)
        if bm:
            kind = bm.group(2).lower()
            if bm.group(1).lower() == "begin":
                block = kind
                if kind != "quote":
                    out.append("```" + (bm.group(3) if kind == "src" else ""))
            else:
                if block not in (None, "quote"):
                    out.append("```")
                block = None
            continue
        if block is not None and block != "quote":
            out.append(raw)
            continue
        if in_drawer:
            in_drawer = raw.strip().upper() != ":END:"
            continue
        if re.match(r"^\s*:[A-Z_]+:\s*$", raw) and raw.strip().upper() != ":END:":
            in_drawer = True
            continue
        km = _ORG_KEYWORD.match(raw)
        if km:
            if km.group(1).lower() == "title" and km.group(2).strip():
                title = km.group(2).strip()
            continue
        if re.match(r"^\s*#(\s|$)", raw):
            continue  # a comment line
        hm = _ORG_HEADING.match(raw)
        if hm:
            out.append("#" * min(len(hm.group(1)), 6) + " " + _org_inline(hm.group(2)))
            continue
        line = raw
        dm = _ORG_DEFINITION.match(line)
        if dm:
            line = f"{dm.group(1)}**{dm.group(2).strip()}**: {dm.group(3)}"
        if re.match(r"^\s*\|[-+]+\|?\s*$", line):
            # "|---+---|" separates a table's header in Org; Markdown wants "|---|---|".
            line = line.replace("+", "|")
        line = _org_inline(line)
        out.append("> " + line if block == "quote" else line)
    if block not in (None, "quote"):
        out.append("```")  # a block left open: closed, so that what follows stays code
    body = "\n".join(out).strip("\n")
    if not body.strip():
        raise ValueError("the Org file has no text")
    return Extracted(kind="text", title=title, text=body)


# ---- reStructuredText --------------------------------------------------------------------

_RST_ADORNMENT = re.compile(r"^([=\-`:'\"~^_*+#<>.])\1{2,}\s*$")
_RST_DIRECTIVE = re.compile(r"^(\s*)\.\.\s+([\w:-]+)::\s*(.*)$")
_RST_ROLE = re.compile(r":[\w:-]+:`([^`]+)`")
_RST_LINK = re.compile(r"`([^`<]+?)\s*<([^>]+)>`__?")


def _rst_inline(text: str) -> str:
    text = _RST_LINK.sub(lambda m: f"[{m.group(1).strip()}]({m.group(2).strip()})", text)
    # ":ref:`text <target>`" shows its text; ":math:`x^2`" its content.
    text = _RST_ROLE.sub(lambda m: "`" + re.sub(r"\s*<[^>]*>$", "", m.group(1)) + "`", text)
    text = re.sub(r"``([^`]+)``", r"`\1`", text)
    return re.sub(r"(?<!`)`([^`]+)`_(?!_)", r"\1", text)  # a reference: its text


def rst_to_markdown(text: str) -> Extracted:
    """reStructuredText as Markdown: section titles (underlined, or over- and
    underlined; levels in the order the document first uses each style), literal blocks
    (``::`` and ``code-block``) as fenced code, admonitions as quotes, definition lists,
    inline code, links and roles. Comments and directive options are left out."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    styles: list[tuple[str, bool]] = []
    out: list[str] = []
    title: str | None = None
    i = 0
    n = len(lines)

    def indented_block(k: int) -> tuple[list[str], int]:
        """The block indented under line ``k - 1`` from line ``k`` on, dedented."""
        block: list[str] = []
        while k < n and (not lines[k].strip() or lines[k][:1].isspace()):
            block.append(lines[k])
            k += 1
        while block and not block[-1].strip():
            block.pop()
            k -= 1
        while block and not block[0].strip():
            block.pop(0)
        body = [b for b in block if b.strip()]
        margin = min((len(b) - len(b.lstrip()) for b in body), default=0)
        return [b[margin:] for b in block], k

    while i < n:
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < n else ""
        after = lines[i + 2] if i + 2 < n else ""
        # An over- and underlined title, then an underlined one.
        over = _RST_ADORNMENT.match(line)
        if over and nxt.strip() and _RST_ADORNMENT.match(after) and (
            after.strip()[:1] == line.strip()[:1]
        ):
            style = (line.strip()[0], True)
            heading, i = nxt.strip(), i + 3
        elif line.strip() and not line[:1].isspace() and _RST_ADORNMENT.match(nxt) and (
            len(nxt.strip()) >= len(line.strip()) - 1
        ):
            style = (nxt.strip()[0], False)
            heading, i = line.strip(), i + 2
        else:
            style = None
            heading = ""
        if style is not None:
            if style not in styles:
                styles.append(style)
            level = styles.index(style) + 1
            if level == 1 and title is None:
                title = heading
            out.append("#" * min(level, 6) + " " + _rst_inline(heading))
            continue
        dm = _RST_DIRECTIVE.match(line)
        if dm:
            name, arg = dm.group(2).lower(), dm.group(3).strip()
            k = i + 1
            while k < n and re.match(r"^\s+:[\w-]+:", lines[k]):
                k += 1  # the directive's options
            block, i = indented_block(k)
            if name in ("code-block", "code", "sourcecode"):
                out += [f"```{arg}", *block, "```"]
            elif name in ("image", "figure", "toctree", "contents", "include", "index"):
                continue
            else:
                # An admonition ("note", "tip", "warning") or any other: its text, quoted.
                label = f"**{name.capitalize()}:** " if name.isalpha() else ""
                quoted = [arg, *block] if arg else block
                if quoted:
                    quoted[0] = label + quoted[0]
                out += ["> " + _rst_inline(q) if q.strip() else ">" for q in quoted]
            continue
        if re.match(r"^\.\.(\s|$)", line):
            # A comment (or a link target): it and its indented lines are no notes.
            _block, i = indented_block(i + 1)
            continue
        if line.rstrip().endswith("::") and not line.lstrip().startswith(".."):
            # "Text::" opens a literal block: the text keeps one colon ("::" alone, none).
            shown = line.rstrip()[:-1] if line.rstrip()[:-2].strip() else ""
            if shown:
                out.append(_rst_inline(shown))
            k = i + 1
            while k < n and not lines[k].strip():
                k += 1
            if k < n and lines[k][:1].isspace():
                block, i = indented_block(k)
                out += ["```", *block, "```"]
                continue
            i += 1
            continue
        if (
            line.strip() and not line[:1].isspace() and nxt[:1].isspace() and nxt.strip()
            and not re.match(r"^\s*(?:[-*+]|\d+[.)])\s", line) and len(line.split()) <= 8
            and not line.rstrip().endswith((".", ":", ","))
            and (i == 0 or not lines[i - 1].strip())
        ):  # fmt: skip
            # A definition list: a term, its definition indented below it.
            block, k = indented_block(i + 1)
            out.append(_rst_inline(line.strip()))
            out += [": " + _rst_inline(b) if b.strip() and j == 0 else "  " + _rst_inline(b)
                    for j, b in enumerate(block)]  # fmt: skip
            i = k
            continue
        out.append(_rst_inline(line))
        i += 1
    body = "\n".join(out).strip("\n")
    if not body.strip():
        raise ValueError("the reStructuredText file has no text")
    return Extracted(kind="text", title=title, text=body)
