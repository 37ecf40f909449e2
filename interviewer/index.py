"""The index: chunks of the corpus (notes and cached references) with their vectors
in Chroma, kept in sync incrementally by per-file content hashes.

Beside the Chroma store, the index dir holds ``manifest.json`` (what was indexed,
with which embedder) and ``chunks.json`` (every chunk's text and metadata, so that
BM25 and the grader can load the corpus without importing Chroma or LlamaIndex)."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, ValidationError

from interviewer.chunking import Chunk
from interviewer.corpus import Document, FileProblem, file_hash, iter_note_files, load_corpus
from interviewer.errors import StoreError
from interviewer.files import write_atomic

if TYPE_CHECKING:
    from interviewer.embeddings import Embedder
    from interviewer.settings import Settings

SCHEMA_VERSION = 2  # 2: headings without link markup, no empty parent chunks
MANIFEST = "manifest.json"
CHUNKS = "chunks.json"
UPSERT_BATCH = 256

Progress = Callable[[str, int, int], None]


class FileEntry(BaseModel):
    hash: str
    kind: str = "note"
    sections: int = 0
    chunk_ids: list[str] = Field(default_factory=list)
    problem: str | None = None


class Manifest(BaseModel):
    schema_version: int = SCHEMA_VERSION
    embedder: str
    dim: int
    collection: str
    corpus_dir: str
    updated_at: float = 0.0
    files: dict[str, FileEntry] = Field(default_factory=dict)


class SyncReport(BaseModel):
    files_added: list[str] = Field(default_factory=list)
    files_changed: list[str] = Field(default_factory=list)
    files_removed: list[str] = Field(default_factory=list)
    files_unchanged: int = 0
    sections_added: int = 0
    sections_removed: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0
    chunks_embedded: int = 0
    total_files: int = 0
    total_sections: int = 0
    total_chunks: int = 0
    problems: list[FileProblem] = Field(default_factory=list)
    rebuilt_reason: str | None = None
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.files_added or self.files_changed or self.files_removed)


class IndexStatus(BaseModel):
    present: bool
    current: bool
    corpus_dir: str
    index_dir: str
    store_mode: str
    embedder: str | None = None
    files: int = 0
    sections: int = 0
    chunks: int = 0
    references: int = 0
    stale_files: list[str] = Field(default_factory=list)
    message: str = ""


# ---- Chroma behind a small interface ---------------------------------------------------


class ChunkStore:
    """The few Chroma operations we use. Collections are created without an
    embedding function: Chroma's default one downloads a model, so we always
    supply vectors ourselves."""

    def __init__(self, settings: Settings, collection: str) -> None:
        try:
            import chromadb
            from chromadb.config import Settings as ChromaSettings
        except ImportError as exc:  # pragma: no cover - broken install
            raise StoreError(f"chromadb is not importable: {exc}") from None
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if settings.chroma_host:
                self._client = chromadb.HttpClient(
                    host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
                )
            else:
                path = settings.index_dir / "chroma"
                try:
                    path.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    # Rebuilding cannot help here: the data dir itself is not writable.
                    raise StoreError(
                        f"cannot create the index at {path}: {exc.strerror or exc} "
                        "(set INTERVIEWER_HOME to a writable dir)"
                    ) from None
                self._client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            self._collection = self._client.get_or_create_collection(
                collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
        except StoreError:
            raise
        except Exception as exc:  # Chroma raises many types; all mean "cannot open"
            where = settings.store_mode
            if not settings.chroma_host:
                where = str(settings.index_dir / "chroma")
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise StoreError(
                f"cannot open the Chroma store at {where}: {first} "
                "(run `interviewer index --rebuild` to recreate it)"
            ) from None

    def count(self) -> int:
        return int(self._collection.count())

    def upsert(self, chunks: list[Chunk], vectors: Any) -> None:
        import numpy as np

        for start in range(0, len(chunks), UPSERT_BATCH):
            part = chunks[start : start + UPSERT_BATCH]
            self._collection.upsert(
                ids=[c.id for c in part],
                embeddings=np.asarray(vectors[start : start + UPSERT_BATCH], dtype=np.float32),
                documents=[c.embed_text for c in part],
                metadatas=[c.chroma_metadata() for c in part],
            )

    def delete(self, ids: list[str]) -> None:
        for start in range(0, len(ids), UPSERT_BATCH):
            self._collection.delete(ids=ids[start : start + UPSERT_BATCH])

    def query(self, vector: Any, n: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first."""
        import numpy as np

        if n <= 0:
            return []
        found = self._collection.query(
            query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
            n_results=n,
            include=["distances"],
        )
        ids = found["ids"][0] if found["ids"] else []
        dists = (found.get("distances") or [[]])[0] or []
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=False)]

    def drop(self, name: str) -> None:
        # A missing collection is nothing to drop.
        with contextlib.suppress(Exception):
            self._client.delete_collection(name)


def collection_name(settings: Settings) -> str:
    # One collection per corpus dir, so a shared Chroma server never mixes corpora.
    return f"interviewer-{settings.index_dir.name}"[:63]


# ---- manifest and chunk snapshot -----------------------------------------------------


def _write_json_atomic(path: Path, data: Any) -> None:
    write_atomic(path, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def read_manifest(index_dir: Path) -> Manifest | None:
    """The manifest, or None when absent. Raises StoreError when it is unreadable."""
    path = index_dir / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise StoreError(f"{path}: unreadable index manifest ({exc})") from None
    try:
        manifest = Manifest.model_validate(data)
        if manifest.schema_version != SCHEMA_VERSION:
            raise ValueError("schema version")
        return manifest
    except (ValidationError, ValueError):
        raise StoreError(
            f"{path}: index written by another version of interviewer "
            "(run `interviewer index --rebuild`)"
        ) from None


def load_chunks(index_dir: Path) -> list[Chunk]:
    path = index_dir / CHUNKS
    if not path.is_file():
        return []
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return [Chunk.model_validate(r) for r in rows]
    except (ValueError, OSError, ValidationError) as exc:
        raise StoreError(
            f"{path}: unreadable chunk snapshot ({exc}); run `interviewer index --rebuild`"
        ) from None


def _reference_documents(corpus_dir: Path) -> list[Document]:
    try:
        from interviewer.references import load_cached_references
    except ImportError:
        return []
    return load_cached_references(corpus_dir)


def reference_files(corpus_dir: Path) -> list[Path]:
    ref_dir = corpus_dir / "references"
    return sorted(ref_dir.glob("*.json")) if ref_dir.is_dir() else []


def _disk_hash(path: Path, max_bytes: int) -> str:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return f"too-large:{size}:{path.stat().st_mtime_ns}"
        return file_hash(path.read_bytes())
    except OSError:
        return "unreadable"


def current_hashes(corpus_dir: Path, max_bytes: int) -> dict[str, str]:
    """Hashes of what the index should reflect, cheap enough for every search."""
    hashes: dict[str, str] = {}
    for path in iter_note_files(corpus_dir):
        hashes[path.relative_to(corpus_dir).as_posix()] = _disk_hash(path, max_bytes)
    for meta in reference_files(corpus_dir):
        text = meta.with_suffix(".txt")
        try:
            digest = file_hash(meta.read_bytes() + (text.read_bytes() if text.is_file() else b""))
        except OSError:
            continue
        hashes["references/" + text.name] = digest
    return hashes


def _doc_hash(doc: Document, corpus_dir: Path) -> str:
    if doc.kind == "reference":
        meta = corpus_dir / Path(doc.source).with_suffix(".json")
        text = corpus_dir / doc.source
        try:
            return file_hash(meta.read_bytes() + (text.read_bytes() if text.is_file() else b""))
        except OSError:
            return doc.content_hash
    return doc.content_hash


# ---- sync ------------------------------------------------------------------------------


def sync_index(
    settings: Settings,
    progress: Progress | None = None,
    *,
    rebuild: bool = False,
    embedder: Embedder | None = None,
) -> SyncReport:
    """Bring the index in line with the corpus: only new or changed files are chunked
    and embedded, files gone from the corpus are removed. A file that fails to load
    is reported and keeps what the index already had of it."""
    from interviewer.chunking import chunk_document
    from interviewer.corpus import check_corpus_dir
    from interviewer.embeddings import get_embedder

    started = time.perf_counter()
    corpus_dir = settings.corpus_dir
    check_corpus_dir(corpus_dir)
    index_dir = settings.index_dir
    report = SyncReport()
    embedder = embedder or get_embedder(settings)
    name = collection_name(settings)

    manifest: Manifest | None
    try:
        manifest = None if rebuild else read_manifest(index_dir)
    except StoreError as exc:
        manifest, report.rebuilt_reason = None, str(exc)
    if manifest is not None and (manifest.embedder != embedder.name or manifest.collection != name):
        report.rebuilt_reason = (
            f"index was built with {manifest.embedder}; rebuilding for {embedder.name}"
        )
        manifest = None
    store = ChunkStore(settings, name)
    if manifest is None:
        store.drop(name)
        store = ChunkStore(settings, name)
        old_chunks: dict[str, Chunk] = {}
        manifest = Manifest(
            embedder=embedder.name, dim=embedder.dim, collection=name, corpus_dir=str(corpus_dir)
        )
    else:
        try:
            old_chunks = {c.id: c for c in load_chunks(index_dir)}
        except StoreError as exc:
            # The snapshot is derived data: rebuild it rather than refuse to index.
            report.rebuilt_reason = str(exc).split("; run `")[0] + "; rebuilding"
            old_chunks = {}
            manifest.files = {}
        if store.count() != len(old_chunks):
            # The store and the snapshot disagree (e.g. a crash between the two writes).
            report.rebuilt_reason = (
                report.rebuilt_reason or "Chroma store and chunk snapshot differ; rebuilding"
            )
            store.drop(name)
            store = ChunkStore(settings, name)
            old_chunks = {}
            manifest.files = {}

    loaded = load_corpus(corpus_dir, max_bytes=settings.max_file_bytes)
    report.problems = list(loaded.problems)
    documents = loaded.documents + _reference_documents(corpus_dir)
    failed_sources = {p.source for p in loaded.problems if "metadata ignored" not in p.message}
    failed_sources -= {d.source for d in documents}

    new_files: dict[str, FileEntry] = {}
    to_embed: list[Chunk] = []
    to_delete: list[str] = []
    for doc in documents:
        digest = _doc_hash(doc, corpus_dir)
        before = manifest.files.get(doc.source)
        if before is not None and before.hash == digest:
            new_files[doc.source] = before
            report.files_unchanged += 1
            continue
        chunks = chunk_document(doc, settings.chunk_size_tokens, settings.chunk_overlap_tokens)
        new_files[doc.source] = FileEntry(
            hash=digest, kind=doc.kind, sections=len(doc.sections), chunk_ids=[c.id for c in chunks]
        )
        old_ids = set(before.chunk_ids) if before else set()
        fresh = [c for c in chunks if c.id not in old_ids]
        to_embed.extend(fresh)
        to_delete.extend(old_ids - {c.id for c in chunks})
        report.chunks_added += len(fresh)
        if before is None:
            report.files_added.append(doc.source)
            report.sections_added += len(doc.sections)
        else:
            report.files_changed.append(doc.source)
            report.sections_added += max(0, len(doc.sections) - before.sections)
            report.sections_removed += max(0, before.sections - len(doc.sections))
        for c in chunks:
            old_chunks[c.id] = c
    problems = {p.source: p.message for p in loaded.problems}
    for source in failed_sources:
        # Keep the last good version of a now-broken file, but record the broken
        # file's hash so that the index counts as current until the file changes again.
        before = manifest.files.get(source)
        new_files[source] = FileEntry(
            hash=_disk_hash(corpus_dir / source, settings.max_file_bytes),
            kind="note",
            sections=before.sections if before else 0,
            chunk_ids=before.chunk_ids if before else [],
            problem=problems.get(source),
        )
    for source, entry in manifest.files.items():
        if source in new_files:
            continue
        report.files_removed.append(source)
        report.sections_removed += entry.sections
        to_delete.extend(entry.chunk_ids)

    if to_delete:
        store.delete(sorted(set(to_delete)))
        for cid in to_delete:
            old_chunks.pop(cid, None)
        report.chunks_removed = len(set(to_delete))
    total = len(to_embed)
    if progress:
        progress("embedding", 0, total)
    batch = max(1, settings.embed_batch_size * 2)
    for start in range(0, total, batch):
        part = to_embed[start : start + batch]
        vectors = embedder.embed([c.embed_text for c in part])
        store.upsert(part, vectors)
        report.chunks_embedded += len(part)
        if progress:
            progress("embedding", min(total, start + batch), total)

    manifest.files = new_files
    manifest.updated_at = time.time()
    manifest.corpus_dir = str(corpus_dir)
    order = {cid: i for entry in new_files.values() for i, cid in enumerate(entry.chunk_ids)}
    keep = {cid for entry in new_files.values() for cid in entry.chunk_ids}
    snapshot = sorted(
        (c for c in old_chunks.values() if c.id in keep),
        key=lambda c: (c.source, order.get(c.id, 0)),
    )
    _write_json_atomic(index_dir / CHUNKS, [c.model_dump(mode="json") for c in snapshot])
    if settings.multilingual != "off":
        # Cross-language search: keep its second vectors in step, once they exist.
        from interviewer.multilingual_index import refresh_if_present

        refresh_if_present(index_dir, snapshot)
    _write_json_atomic(index_dir / MANIFEST, manifest.model_dump(mode="json"))
    report.total_files = len(new_files)
    report.total_sections = sum(e.sections for e in new_files.values())
    report.total_chunks = len(snapshot)
    report.seconds = time.perf_counter() - started
    return report


def index_status(settings: Settings, *, open_store: bool = True) -> IndexStatus:
    """Is there an index for this corpus, and does it reflect the files on disk?"""
    corpus_dir = settings.corpus_dir
    status = IndexStatus(
        present=False,
        current=False,
        corpus_dir=str(corpus_dir),
        index_dir=str(settings.index_dir),
        store_mode=settings.store_mode,
    )
    if not corpus_dir.is_dir():
        status.message = f"corpus dir {corpus_dir} does not exist"
        return status
    try:
        manifest = read_manifest(settings.index_dir)
    except StoreError as exc:
        status.message = str(exc)
        return status
    if manifest is None:
        status.message = "no index yet: run `interviewer index`"
        return status
    status.present = True
    status.embedder = manifest.embedder
    status.files = sum(1 for e in manifest.files.values() if e.kind == "note")
    status.references = sum(1 for e in manifest.files.values() if e.kind == "reference")
    status.sections = sum(e.sections for e in manifest.files.values())
    status.chunks = sum(len(e.chunk_ids) for e in manifest.files.values())
    on_disk = current_hashes(corpus_dir, settings.max_file_bytes)
    stale = sorted(
        s
        for s in set(on_disk) | set(manifest.files)
        if on_disk.get(s) != (manifest.files[s].hash if s in manifest.files else None)
    )
    status.stale_files = stale
    status.current = not stale
    if open_store:
        try:
            count = ChunkStore(settings, manifest.collection).count()
        except StoreError as exc:
            status.current = False
            status.message = str(exc)
            return status
        if count != status.chunks:
            status.current = False
            status.message = f"Chroma holds {count} chunks, the manifest {status.chunks}"
            return status
    status.message = "up to date" if status.current else f"{len(stale)} file(s) changed"
    return status
