"""Adding documents to the corpus and taking them out. Every input is checked (and
converted, for HTML and PDF) before anything is written, so a bad input adds nothing;
files are written through a temp file and a rename. The bundled corpus is never written:
the first change makes a user corpus in the data dir, seeded from it."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

from interviewer.corpus import (
    NOTE_SUFFIXES,
    TEXT_SUFFIXES,
    decode_text,
    parse_markdown,
    parse_text,
)
from interviewer.errors import CorpusError
from interviewer.files import write_atomic
from interviewer.references import REFERENCES_DIR, remove_reference
from interviewer.settings import Settings, bundled_corpus_dir, is_inside_installed_package

MARKER = ".interviewer-corpus"
CONVERTED_SUFFIXES = {".html", ".htm", ".xhtml", ".pdf", ".ipynb", ".org", ".rst"}
SUPPORTED_SUFFIXES = NOTE_SUFFIXES | CONVERTED_SUFFIXES
MAX_INPUT_BYTES = 100_000_000  # an HTML or PDF input; its extracted text must fit max_file_bytes


class AddedItem(BaseModel):
    input: str
    kind: Literal["note", "reference"]
    source: str = Field(description="Path relative to the corpus dir.")
    url: str | None = None
    title: str | None = None
    action: Literal["added", "unchanged", "already-in-corpus"]


class AddReport(BaseModel):
    corpus_dir: str
    user_corpus_created: bool = False
    items: list[AddedItem] = Field(default_factory=list)


class RemoveReport(BaseModel):
    corpus_dir: str
    user_corpus_created: bool = False
    removed: str
    kind: Literal["note", "reference"]
    kept_copy: str | None = Field(
        default=None, description="Where the removed note was moved to, in case you want it back."
    )


# ---- which corpus may be written ---------------------------------------------------------


def needs_user_corpus(settings: Settings) -> bool:
    """True when the corpus must not be written: it lies inside an installed package, or
    it is the bundled default that nobody chose explicitly."""
    corpus_dir = settings.corpus_dir
    if is_inside_installed_package(corpus_dir):
        return True
    return settings.corpus is None and corpus_dir.resolve() == bundled_corpus_dir().resolve()


def ensure_writable_corpus(settings: Settings) -> tuple[Settings, bool]:
    """Settings whose corpus may be written, and whether a user corpus was created now
    (at ``<home>/corpus``, seeded from the current corpus, marked so that it becomes the
    default corpus from then on)."""
    if not needs_user_corpus(settings):
        return settings, False
    target = settings.home / "corpus"
    chosen = settings.model_copy(update={"corpus": target})
    if (target / MARKER).is_file():
        return chosen, False
    if target.exists() and any(target.iterdir()):
        raise CorpusError(
            f"{target} exists but is not an interviewer corpus; move it away or pass --corpus DIR"
        )
    source = settings.corpus_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".corpus-", dir=target.parent))
    try:
        seeded = staging / "corpus"
        skip = shutil.ignore_patterns(REFERENCES_DIR, "__pycache__", "__init__.py")
        shutil.copytree(source, seeded, ignore=skip)
        for path in seeded.rglob("*"):
            # Files from a package or a read-only checkout keep their mode; the user's
            # own copy must be editable.
            path.chmod(0o755 if path.is_dir() else 0o644)
        (seeded / MARKER).write_text(
            f"Created by `interviewer` from {source}; the default corpus while this file exists.\n",
            encoding="utf-8",
        )
        if target.exists():
            target.rmdir()
        seeded.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return chosen, True


# ---- add ----------------------------------------------------------------------------------


class _Pending(BaseModel):
    """An input that was checked and converted, ready to be written."""

    input: str
    dest: str
    content: bytes
    title: str | None = None
    action: Literal["added", "unchanged", "already-in-corpus"] = "added"


def _is_url(text: str) -> bool:
    return "://" in text or text.lower().startswith(("http:", "https:", "file:"))


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _prepare_file(raw: str, corpus_dir: Path, max_file_bytes: int) -> _Pending:
    """Read and convert one file. Raises ValueError with a one-line reason."""
    path = Path(raw).expanduser()
    if not path.exists():
        raise ValueError("no such file")
    if path.is_dir():
        raise ValueError("is a directory; pass the files in it")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        kinds = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise ValueError(f"unsupported file type '{suffix or path.name}' (supported: {kinds})")
    inside = _inside(path, corpus_dir)
    if inside and suffix not in CONVERTED_SUFFIXES:
        source = path.resolve().relative_to(corpus_dir.resolve()).as_posix()
        return _Pending(input=raw, dest=source, content=b"", action="already-in-corpus")
    size = path.stat().st_size
    limit = MAX_INPUT_BYTES if suffix in CONVERTED_SUFFIXES else max_file_bytes
    if size > limit:
        raise_it = "" if suffix in CONVERTED_SUFFIXES else " (raise INTERVIEWER_MAX_FILE_BYTES)"
        raise ValueError(
            f"file is {size / 1e6:.1f} MB, over the {limit / 1e6:.1f} MB limit{raise_it}"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read it ({exc.strerror or exc})") from None

    if suffix in CONVERTED_SUFFIXES:
        content, title = _convert(data, suffix, path.stem)
        dest = f"{path.stem}.md"
        if inside:
            # A notebook (or a PDF) kept in the notes dir: its note goes beside it.
            folder = path.resolve().parent.relative_to(corpus_dir.resolve()).as_posix()
            dest = dest if folder == "." else f"{folder}/{dest}"
    else:
        try:
            text = decode_text(data)
        except ValueError as exc:
            # Why (binary, not UTF-8), without the loader's "skipped": nothing is added.
            raise ValueError(str(exc).removesuffix("; skipped")) from None
        normalised = text.replace("\r\n", "\n").replace("\r", "\n")
        if suffix in TEXT_SUFFIXES:
            sections = parse_text(path.name, normalised)
            title = None
        else:
            meta, sections, _problem = parse_markdown(path.name, normalised)
            title = str(meta["title"]) if meta.get("title") else None
        if not sections:
            raise ValueError("the file is empty")
        content, dest = data, path.name
    if len(content) > max_file_bytes:
        raise ValueError(
            f"its text is {len(content) / 1e6:.1f} MB, over the {max_file_bytes / 1e6:.1f} MB "
            "limit (raise INTERVIEWER_MAX_FILE_BYTES)"
        )
    return _Pending(input=raw, dest=dest, content=content, title=title)


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _convert(data: bytes, suffix: str, stem: str) -> tuple[bytes, str]:
    """HTML, PDF, a notebook, Org or reStructuredText -> a Markdown note with the title
    in its front matter."""
    from interviewer.extract import Extracted, html_to_text, pdf_to_text

    extracted: Extracted
    if suffix in (".ipynb", ".org", ".rst"):
        from interviewer.note_formats import (
            notebook_to_markdown,
            org_to_markdown,
            rst_to_markdown,
        )

        if suffix == ".ipynb":
            extracted = notebook_to_markdown(data)
        else:
            try:
                text = decode_text(data)
            except ValueError as exc:
                raise ValueError(str(exc).removesuffix("; skipped")) from None
            extracted = (org_to_markdown if suffix == ".org" else rst_to_markdown)(text)
    elif suffix == ".pdf":
        extracted = pdf_to_text(data)
    else:
        # A note keeps its links (as Markdown links) and its headings.
        extracted = html_to_text(data, links=True, notes=True)
    title = extracted.title or stem
    front = yaml.safe_dump(
        {"title": title, "converted_from": f"{stem}{suffix}"}, allow_unicode=True, sort_keys=False
    )
    body = extracted.text
    if extracted.kind == "pdf":
        body = f"# {title}\n\n{body}"
    return f"---\n{front}---\n\n{body.strip()}\n".encode(), title


def add_documents(settings: Settings, inputs: list[str]) -> tuple[Settings, AddReport]:
    """Add files (Markdown, text, HTML, PDF) to the corpus and URLs to the reference
    cache. All or nothing: any bad input raises CorpusError and nothing is written.
    Returns the settings of the corpus written (a new user corpus, maybe) and a report.
    Indexing is the caller's next step."""
    from interviewer.references import FetchFailed, download, store_user_reference

    if not inputs:
        raise CorpusError("nothing to add: pass files or URLs")
    corpus_dir = settings.corpus_dir
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus dir {corpus_dir} does not exist")
    problems: list[str] = []
    files: list[_Pending] = []
    urls: list[str] = []
    _refuse_code_dir(corpus_dir)
    for raw in inputs:
        if _is_url(raw):
            try:
                urls.append(_checked_url(raw))
            except ValueError as exc:
                problems.append(str(exc))
            continue
        try:
            _refuse_hidden(raw)
            files.append(_prepare_file(raw, corpus_dir, settings.max_file_bytes))
        except ValueError as exc:
            problems.append(f"{raw}: {exc}")

    seen: dict[str, str] = {}
    for item in files:
        if item.action == "already-in-corpus":
            continue
        if item.dest in seen:
            problems.append(f"{item.input}: same name {item.dest} as {seen[item.dest]}")
            continue
        seen[item.dest] = item.input
        existing = corpus_dir / item.dest
        if existing.exists():
            if existing.is_file() and existing.read_bytes() == item.content:
                item.action = "unchanged"
            else:
                problems.append(
                    f"{item.input}: {item.dest} already exists in the corpus with other content "
                    "(rename your file, or `interviewer remove` the old one first)"
                )
    if problems:
        raise CorpusError(_nothing_added(problems))

    from interviewer.web import canonical_url

    downloads = []
    for raw in dict.fromkeys(canonical_url(u) for u in urls):
        try:
            downloads.append((raw, *download(settings, raw)))
        except FetchFailed as exc:
            problems.append(str(exc))
    if problems:
        raise CorpusError(_nothing_added(problems))

    settings, created = ensure_writable_corpus(settings)
    corpus_dir = settings.corpus_dir
    report = AddReport(corpus_dir=str(corpus_dir), user_corpus_created=created)
    for item in files:
        if item.action == "added":
            write_atomic(corpus_dir / item.dest, item.content)
            # The temp file behind the atomic write is private (0600): a note is a
            # file like any other the user writes, so it takes the umask's mode.
            (corpus_dir / item.dest).chmod(0o666 & ~_umask())
        report.items.append(
            AddedItem(
                input=item.input,
                kind="note",
                source=item.dest,
                title=item.title,
                action=item.action,
            )
        )
    for url, page, extracted in downloads:
        record = store_user_reference(corpus_dir, url, page, extracted)
        report.items.append(
            AddedItem(
                input=url,
                kind="reference",
                source=f"{REFERENCES_DIR}/{record.id}.txt",
                url=url,
                title=record.title,
                action="added",
            )
        )
    return settings, report


# ---- checks of `add` against hostile or mistaken input -------------------------------------

CODE_SUFFIXES = {".py", ".pyc", ".pyd", ".so", ".dll", ".dylib", ".exe", ".whl"}


def _refuse_code_dir(corpus_dir: Path) -> None:
    """A Python package or a folder of code is not a notes folder: copying or writing
    into it would mix notes with code (or copy a whole package into a user corpus)."""
    if corpus_dir.resolve() == bundled_corpus_dir().resolve():
        return  # shipped as package data; `add` writes to a user corpus instead
    if (corpus_dir / "__init__.py").is_file():
        raise CorpusError(
            f"{corpus_dir} is a Python package, not a notes folder; nothing added "
            "(pass --corpus with the folder of your notes)"
        )
    try:
        code = sorted(
            p.name for p in corpus_dir.iterdir() if p.suffix.lower() in CODE_SUFFIXES
        )
    except OSError:
        return
    if code:
        raise CorpusError(
            f"{corpus_dir} holds code ({code[0]}{' and more' if len(code) > 1 else ''}), "
            "not only notes; nothing added (pass --corpus with the folder of your notes)"
        )


def _refuse_hidden(raw: str) -> None:
    """The indexer skips hidden files (names starting with '.'), so adding one would say
    "added" and then never be searched."""
    name = Path(raw).name
    if name.startswith("."):
        raise ValueError(
            "hidden files (name starting with '.') are not indexed; "
            f"rename it (e.g. {name.lstrip('.') or 'note.md'}) and add it again"
        )


def _checked_url(raw: str) -> str:
    """An http(s) URL to fetch, without credentials or fragment. Raises ValueError
    with one line that never shows a password."""
    from interviewer.safety import UrlError, parse_web_url, strip_credentials

    try:
        return parse_web_url(raw)
    except UrlError as exc:
        shown = strip_credentials(raw.strip())
        if str(exc).startswith("refused: only http"):
            message = f"{shown}: only http and https URLs can be added"
        else:
            message = f"{shown}: {exc}"
        raise ValueError(message) from None


def _nothing_added(problems: list[str]) -> str:
    return "nothing added: " + "; ".join(problems)


# ---- remove -------------------------------------------------------------------------------


def _locate(target: str, corpus_dir: Path) -> Path:
    raw = Path(target).expanduser()
    candidates = [raw] if raw.is_absolute() else [corpus_dir / raw, Path.cwd() / raw]
    for path in candidates:
        if path.exists():
            if not _inside(path, corpus_dir):
                raise CorpusError(f"{target} is outside the corpus {corpus_dir}; nothing removed")
            return path
    if raw.is_absolute() and not _inside(raw, corpus_dir):
        raise CorpusError(f"{target} is outside the corpus {corpus_dir}; nothing removed")
    raise CorpusError(f"{target}: no such document in the corpus {corpus_dir}")


def remove_document(settings: Settings, target: str) -> tuple[Settings, RemoveReport]:
    """Take a note (a path, relative to the corpus or the current dir) or a cached
    reference (its URL or ``references/<id>.txt``) out of the corpus. A removed note is
    moved to ``<home>/removed/`` rather than deleted. Indexing is the caller's next step."""
    from interviewer.references import read_failures, read_records
    from interviewer.web import canonical_url

    corpus_dir = settings.corpus_dir
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus dir {corpus_dir} does not exist")

    if _is_url(target):
        url = canonical_url(target)
        known = read_records(corpus_dir).get(url) or read_failures(corpus_dir).get(url)
        if known is None:
            raise CorpusError(f"{url} is not in the reference cache of {corpus_dir}")
        ref_id, label = known.id, url
    else:
        path = _locate(target, corpus_dir)
        rel = path.resolve().relative_to(corpus_dir.resolve())
        if path.is_dir():
            raise CorpusError(f"{target} is a directory; remove the files in it one by one")
        if rel.parts[0] == REFERENCES_DIR:
            ref_id, label = path.stem, rel.as_posix()
        elif path.suffix.lower() not in NOTE_SUFFIXES or any(p.startswith(".") for p in rel.parts):
            raise CorpusError(f"{target} is not a note of the corpus; nothing removed")
        else:
            ref_id, label = "", rel.as_posix()

    settings, created = ensure_writable_corpus(settings)
    corpus_dir = settings.corpus_dir
    if ref_id:
        if not remove_reference(corpus_dir, ref_id):
            raise CorpusError(f"{label} is not in the reference cache of {corpus_dir}")
        return settings, RemoveReport(
            corpus_dir=str(corpus_dir), user_corpus_created=created, removed=label, kind="reference"
        )
    source = corpus_dir / label
    stamp = time.strftime("%Y%m%d-%H%M%S")
    keep = settings.home / "removed" / stamp / label
    n = 1
    while keep.exists():
        n += 1
        keep = settings.home / "removed" / f"{stamp}-{n}" / label
    keep.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(source), str(keep))
    return settings, RemoveReport(
        corpus_dir=str(corpus_dir),
        user_corpus_created=created,
        removed=label,
        kind="note",
        kept_copy=str(keep),
    )
