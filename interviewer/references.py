"""The reference cache: the pages that the notes link to, fetched once and kept under
``<corpus>/references/`` so that indexing can chunk them next to the notes.

Layout (one id per URL, readable and unique: ``<host-path-slug>-<hash>``):

- ``references/<id>.txt``: the page's readable text (Markdown-like, with headings);
- ``references/<id>.json``: its record (URL, final URL, title, fetch date, content hash,
  HTTP status, content type, the sections that cite it);
- ``references/failed/<id>.json``: the last failed attempt for a link (reason, time,
  number of attempts). Failed links are retried on every run; a page fetched earlier
  keeps its last good text when a refresh fails.

Fetching goes through :mod:`interviewer.web`, which refuses private addresses."""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, ValidationError

from interviewer.corpus import HEADING, Document, Section, load_corpus, section_id
from interviewer.errors import InterviewerError
from interviewer.files import write_atomic
from interviewer.settings import Settings
from interviewer.text import FENCE as _FENCE

if TYPE_CHECKING:
    from interviewer.extract import Extracted
    from interviewer.web import Page

REFERENCES_DIR = "references"
FAILED_DIR = "failed"
MAX_REDIRECTS = 5
PER_HOST = 2  # politeness: at most this many requests to one host at a time
PART_CHARS = 2000  # headless text is cut into sections of about this size


class FetchFailed(InterviewerError):
    """``interviewer add URL`` could not fetch the page."""


class CitingSection(BaseModel):
    source: str
    heading: str
    line: int

    @property
    def label(self) -> str:
        return f"{self.source} § {self.heading}"


class ReferenceRecord(BaseModel):
    id: str
    url: str
    final_url: str | None = None
    title: str | None = None
    fetched_at: str | None = None
    content_hash: str | None = None
    status: int | None = None
    content_type: str | None = None
    kind: str | None = None
    chars: int = 0
    citing: list[CitingSection] = Field(default_factory=list)
    added_by_user: bool = False
    error: str | None = None
    error_at: str | None = None
    attempts: int = 0


Outcome = Literal["fetched", "cached", "failed", "stale"]


class FetchOutcome(BaseModel):
    url: str
    id: str
    outcome: Outcome = Field(
        description="fetched now; cached earlier (not fetched again); failed; stale = "
        "a refresh failed, the earlier text is kept"
    )
    title: str | None = None
    status: int | None = None
    reason: str | None = None
    citing: list[str] = Field(default_factory=list)


class FetchReport(BaseModel):
    corpus_dir: str
    links: int = 0
    fetched: int = 0
    cached: int = 0
    failed: int = 0
    stale: int = 0
    pruned: int = 0
    seconds: float = 0.0
    outcomes: list[FetchOutcome] = Field(default_factory=list)


# ---- ids and files ---------------------------------------------------------------------


def reference_id(url: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", url.split("://", 1)[-1].lower()).strip("-")
    digest = hashlib.sha256(url.encode()).hexdigest()[:10]
    return f"{words[:60].strip('-') or 'page'}-{digest}"


def references_dir(corpus_dir: Path) -> Path:
    return corpus_dir / REFERENCES_DIR


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _write_record(path: Path, record: ReferenceRecord) -> None:
    text = json.dumps(record.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    data = text.encode()
    try:
        if path.read_bytes() == data:
            return  # unchanged: keep the file (and the index's hash of it) as it was
    except OSError:
        pass
    write_atomic(path, data)


def _read_record(path: Path) -> ReferenceRecord | None:
    try:
        return ReferenceRecord.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, ValueError):
        return None  # a damaged record is treated as never fetched


def read_records(corpus_dir: Path) -> dict[str, ReferenceRecord]:
    """Records of references with stored text, by URL."""
    ref_dir = references_dir(corpus_dir)
    records: dict[str, ReferenceRecord] = {}
    if ref_dir.is_dir():
        for path in sorted(ref_dir.glob("*.json")):
            record = _read_record(path)
            if record is not None and path.with_suffix(".txt").is_file():
                records[record.url] = record
    return records


def read_failures(corpus_dir: Path) -> dict[str, ReferenceRecord]:
    """The last failed attempt of each link that failed, by URL."""
    failed_dir = references_dir(corpus_dir) / FAILED_DIR
    failures: dict[str, ReferenceRecord] = {}
    if failed_dir.is_dir():
        for path in sorted(failed_dir.glob("*.json")):
            record = _read_record(path)
            if record is not None:
                failures[record.url] = record
    return failures


def remove_reference(corpus_dir: Path, ref_id: str) -> bool:
    ref_dir = references_dir(corpus_dir)
    found = False
    for path in (
        ref_dir / f"{ref_id}.json",
        ref_dir / f"{ref_id}.txt",
        ref_dir / FAILED_DIR / f"{ref_id}.json",
    ):
        if path.is_file():
            path.unlink()
            found = True
    return found


# ---- links of the notes -----------------------------------------------------------------


def collect_links(documents: Iterable[Document]) -> dict[str, list[CitingSection]]:
    """Every http(s) link of every section, by canonical URL, with the citing sections."""
    from interviewer.web import ALLOWED_SCHEMES, canonical_url

    links: dict[str, list[CitingSection]] = {}
    for doc in documents:
        for section in doc.sections:
            for link in section.links:
                url = canonical_url(link.url)
                if url.split(":", 1)[0].lower() not in ALLOWED_SCHEMES:
                    continue
                citing = CitingSection(
                    source=section.source, heading=section.heading, line=link.line
                )
                bucket = links.setdefault(url, [])
                key = (citing.source, citing.heading)
                if not any((c.source, c.heading) == key for c in bucket):
                    bucket.append(citing)
    return links


# ---- fetching ---------------------------------------------------------------------------


class _Fetcher:
    """One client and per-host limits, shared by the worker threads of a run."""

    def __init__(self, settings: Settings) -> None:
        from interviewer.web import make_client

        self.settings = settings
        self.client = make_client(
            allow_private=settings.allow_private_urls,
            timeout_s=settings.fetch_timeout_s,
            connect_timeout_s=settings.connect_timeout_s,
            max_connections=max(2, settings.fetch_concurrency * 2),
        )
        self._hosts: dict[str, threading.Semaphore] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def _host_slot(self, url: str) -> threading.Semaphore:
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            host = ""
        with self._lock:
            return self._hosts.setdefault(host, threading.Semaphore(PER_HOST))

    def download(self, url: str) -> tuple[Page, Extracted]:
        """Fetch ``url`` and extract its text, in memory. Raises FetchError (one line)."""
        from interviewer.extract import detect_kind, extract
        from interviewer.web import FetchError, fetch

        with self._host_slot(url):
            page = fetch(
                self.client,
                url,
                max_bytes=self.settings.fetch_max_bytes,
                max_redirects=MAX_REDIRECTS,
                deadline_s=self.settings.fetch_timeout_s * 3,
            )
        kind = detect_kind(page.content_type, page.body, urlsplit(page.final_url).path)
        if kind is None:
            what = page.content_type or "unknown"
            raise FetchError(f"unsupported content type {what}", page.status)
        try:
            return page, extract(page.body, kind, page.charset, page.final_url)
        except ValueError as exc:
            raise FetchError(str(exc), page.status) from None

    def store(self, corpus_dir: Path, url: str, record: ReferenceRecord) -> ReferenceRecord:
        page, extracted = self.download(url)
        return save_reference(corpus_dir, record, page, extracted)


def save_reference(
    corpus_dir: Path, record: ReferenceRecord, page: Page, extracted: Extracted
) -> ReferenceRecord:
    """Store a downloaded page's text and record; clears an earlier failure."""
    text = extracted.text.strip() + "\n"
    ref_dir = references_dir(corpus_dir)
    fresh = record.model_copy(
        update=dict(
            final_url=page.final_url,
            title=extracted.title or _title_from_url(record.url),
            fetched_at=_now(),
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
            status=page.status,
            content_type=page.content_type,
            kind=extracted.kind,
            chars=len(text),
            error=None,
            error_at=None,
            attempts=record.attempts + 1,
        )
    )
    write_atomic(ref_dir / f"{record.id}.txt", text.encode())
    _write_record(ref_dir / f"{record.id}.json", fresh)
    (ref_dir / FAILED_DIR / f"{record.id}.json").unlink(missing_ok=True)
    return fresh


def _title_from_url(url: str) -> str:
    rest = url.split("://", 1)[-1].split("?", 1)[0].rstrip("/")
    host, _, path = rest.partition("/")
    tail = path.rsplit("/", 1)[-1]
    return f"{host}{' / ' + tail if tail else ''}"


def _record_failure(corpus_dir: Path, record: ReferenceRecord, exc: Exception) -> ReferenceRecord:
    from interviewer.safety import one_line

    failed = record.model_copy(
        update=dict(
            error=one_line(str(exc)) or type(exc).__name__,
            error_at=_now(),
            status=getattr(exc, "status", None),
            attempts=record.attempts + 1,
        )
    )
    _write_record(references_dir(corpus_dir) / FAILED_DIR / f"{record.id}.json", failed)
    return failed


def fetch_references(
    settings: Settings,
    *,
    refresh: bool = False,
    progress: Callable[[FetchOutcome], None] | None = None,
) -> FetchReport:
    """Fetch every link of the notes that is not cached yet (all of them with
    ``refresh``), record failures with their reason, and drop cached pages that no
    note cites any more (pages added with ``interviewer add URL`` stay). Never raises
    for a single link."""
    from interviewer.safety import one_line
    from interviewer.web import FetchError

    started = time.perf_counter()
    corpus_dir = settings.corpus_dir
    loaded = load_corpus(corpus_dir, max_bytes=settings.max_file_bytes)
    links = collect_links(loaded.documents)
    records = read_records(corpus_dir)
    failures = read_failures(corpus_dir)
    report = FetchReport(corpus_dir=str(corpus_dir), links=len(links))
    ref_dir = references_dir(corpus_dir)

    # Cited no more: forget it (the notes changed); failures of such links too.
    for url, record in records.items():
        if url not in links and not record.added_by_user:
            remove_reference(corpus_dir, record.id)
            report.pruned += 1
    for url, record in failures.items():
        if url not in links and url not in records:
            (ref_dir / FAILED_DIR / f"{record.id}.json").unlink(missing_ok=True)

    todo: list[tuple[str, ReferenceRecord]] = []
    for url, citing in links.items():
        known = records.get(url)
        if known is not None:
            known = known.model_copy(update={"citing": citing})
            _write_record(ref_dir / f"{known.id}.json", known)
            if not refresh:
                _report(report, progress, _outcome(known, "cached"))
                continue
        previous = failures.get(url)
        base = known or ReferenceRecord(id=reference_id(url), url=url)
        if previous is not None:
            base = base.model_copy(update={"attempts": previous.attempts})
        todo.append((url, base.model_copy(update={"citing": citing})))

    if todo:
        fetcher = _Fetcher(settings)

        def work(item: tuple[str, ReferenceRecord]) -> FetchOutcome:
            url, record = item
            try:
                return _outcome(fetcher.store(corpus_dir, url, record), "fetched")
            except Exception as exc:  # noqa: BLE001 - one odd link never stops the run
                if not isinstance(exc, FetchError | ValueError | OSError):
                    exc = FetchError(f"{type(exc).__name__}: {one_line(str(exc), 200)}")
                failed = _record_failure(corpus_dir, record, exc)
                return _outcome(failed, "stale" if url in records else "failed")

        try:
            workers = max(1, min(settings.fetch_concurrency, len(todo)))
            with concurrent.futures.ThreadPoolExecutor(workers, "fetch") as pool:
                for outcome in pool.map(work, todo):
                    _report(report, progress, outcome)
        finally:
            fetcher.close()
    report.outcomes.sort(key=lambda o: (o.outcome != "failed", o.url))
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _outcome(record: ReferenceRecord, outcome: Outcome) -> FetchOutcome:
    return FetchOutcome(
        url=record.url,
        id=record.id,
        outcome=outcome,
        title=record.title,
        status=record.status,
        reason=record.error if outcome in ("failed", "stale") else None,
        citing=[c.label for c in record.citing],
    )


def _report(
    report: FetchReport, progress: Callable[[FetchOutcome], None] | None, outcome: FetchOutcome
) -> None:
    report.outcomes.append(outcome)
    setattr(report, outcome.outcome, getattr(report, outcome.outcome) + 1)
    if progress is not None:
        progress(outcome)


def download(settings: Settings, url: str) -> tuple[Page, Extracted]:
    """Fetch one URL and extract its text, in memory (``interviewer add URL`` stores it
    only once every input is known to be good). Raises FetchFailed."""
    from interviewer.web import FetchError, check_scheme

    try:
        check_scheme(url)
        fetcher = _Fetcher(settings)
        try:
            return fetcher.download(url)
        finally:
            fetcher.close()
    except (FetchError, OSError) as exc:
        from interviewer.safety import one_line, strip_credentials

        raise FetchFailed(f"{strip_credentials(url)}: {one_line(str(exc))}") from None


def store_user_reference(
    corpus_dir: Path, url: str, page: Page, extracted: Extracted
) -> ReferenceRecord:
    """Store a page the user added: kept even when no note cites it."""
    known = read_records(corpus_dir).get(url)
    record = known or ReferenceRecord(id=reference_id(url), url=url)
    record = record.model_copy(update={"added_by_user": True})
    return save_reference(corpus_dir, record, page, extracted)


# ---- documents for the indexer ----------------------------------------------------------


def load_cached_references(corpus_dir: Path) -> list[Document]:
    """Every stored reference as a ``kind="reference"`` document, split into sections by
    the page's own headings (or into parts of about PART_CHARS characters when it has
    none). Reads files only: no network, no extraction."""
    documents: list[Document] = []
    ref_dir = references_dir(corpus_dir)
    if not ref_dir.is_dir():
        return documents
    for meta_path in sorted(ref_dir.glob("*.json")):
        record = _read_record(meta_path)
        text_path = meta_path.with_suffix(".txt")
        if record is None:
            continue
        try:
            data = text_path.read_bytes()
        except OSError:
            continue
        text = data.decode("utf-8", errors="replace")
        source = f"{REFERENCES_DIR}/{text_path.name}"
        title = record.title or _title_from_url(record.url)
        citing = [c.label for c in record.citing]
        documents.append(
            Document(
                source=source,
                path=text_path,
                content_hash=hashlib.sha256(data + json.dumps(citing).encode()).hexdigest(),
                kind="reference",
                title=title,
                metadata={
                    "url": record.url,
                    "title": title,
                    "fetched_at": record.fetched_at or "",
                    "status": record.status or 0,
                    "citing_sections": json.dumps(citing, ensure_ascii=False),
                },
                sections=split_reference_text(source, title, text),
            )
        )
    return documents


def split_reference_text(source: str, title: str, text: str) -> list[Section]:
    lines = text.split("\n")
    headings: list[tuple[int, str]] = []
    in_fence = False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (m := HEADING.match(line)):
            headings.append((i, m.group(2).strip()))

    blocks: list[tuple[int, int, list[str]]] = []  # (first line idx, last line idx, path)
    first = headings[0][0] if headings else len(lines)
    if headings:
        blocks.append((0, first - 1, [title]))
        for n, (idx, heading) in enumerate(headings):
            end = headings[n + 1][0] - 1 if n + 1 < len(headings) else len(lines) - 1
            same = heading.casefold() == title.casefold()
            blocks.append((idx, end, [title] if same else [title, heading]))
    else:
        blocks.extend(_parts(lines, title))

    sections: list[Section] = []
    for start, end, path in blocks:
        body_start = start + 1 if headings and start in {h[0] for h in headings} else start
        body = "\n".join(lines[body_start : end + 1]).strip()
        if not body:
            continue
        while end > start and not lines[end].strip():
            end -= 1
        sections.append(
            Section(
                id=section_id(source, path, start + 1),
                source=source,
                heading_path=path,
                level=len(path) - 1,
                line_start=start + 1,
                line_end=end + 1,
                text=body,
                doc_title=title,
            )
        )
    return sections


def _parts(lines: list[str], title: str) -> list[tuple[int, int, list[str]]]:
    """Consecutive paragraphs grouped up to about PART_CHARS characters."""
    groups: list[tuple[int, int]] = []
    start, size = 0, 0
    for i, line in enumerate(lines):
        size += len(line) + 1
        paragraph_end = not line.strip() or i == len(lines) - 1
        if paragraph_end and size >= PART_CHARS:
            groups.append((start, i))
            start, size = i + 1, 0
    if start < len(lines) and any(line.strip() for line in lines[start:]):
        groups.append((start, len(lines) - 1))
    if len(groups) == 1:
        return [(groups[0][0], groups[0][1], [title])]
    return [(a, b, [title, f"part {n} of {len(groups)}"]) for n, (a, b) in enumerate(groups, 1)]
