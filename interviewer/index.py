"""The index: chunks of the corpus (notes and cached references) with their vectors
in Chroma, kept in sync incrementally by per-file content hashes.

Beside the Chroma store, the index dir holds ``manifest.json`` (what was indexed,
with which embedder) and ``chunks.json`` (every chunk's text and metadata, so that
BM25 and the grader can load the corpus without importing Chroma or LlamaIndex)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator
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

# 3: question/answer units; 4: embedded text has the unit question, no URLs;
# 5: sentence-window vectors (window_index); 6: glossary rows and label list items as units;
# 7: a bold question's same-line answer kept, paragraph questions, list answers end at the margin
# 8: setext headings, one-line flashcards, a text file's Q: blocks beside its titles
# 9: Spanish topic questions with their article (or led by the topic)
# 10: topic wording: Spanish number from the notes' article; a line-opening bare noun
# 11: new note shapes (comments hidden, wiki links and "C#" in headings, Spanish labels, ...)
# 12: an export's tags column, requests under a grouping heading, Spanish list requests
# 13: list items that only open like a question ("Which is why ...") not asked; an
#     export's deck column named by its header row or "#columns:" line left out
SCHEMA_VERSION = 13
MANIFEST = "manifest.json"
CHUNKS = "chunks.json"
UPSERT_BATCH = 256
LOCK = "index.lock"
STORE_CHECK = "store-check.json"  # segment files that last passed the probe
PROBE_SAMPLES = 5
# interviewer.grading.models.BANK_FILE, named here because importing the grader takes seconds
# (tests/test_doctor.py checks that the two agree).
BANK_FILE = "keypoints.json"
PROBE_TIMEOUT_S = 120.0

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
    store_ok: bool | None = Field(
        default=None, description="The store passed its self-check (None: not checked)."
    )
    message: str = ""


# ---- Chroma behind a small interface ---------------------------------------------------


def _first_line(exc: BaseException) -> str:
    from interviewer.storeprobe import describe_chroma_error

    return describe_chroma_error(str(exc)) or type(exc).__name__


def _is_connection_error(exc: BaseException) -> bool:
    text = f"{type(exc).__name__} {exc}".lower()
    return isinstance(exc, ConnectionError) or any(
        word in text for word in ("connecterror", "connection", "could not connect", "timed out")
    )


def store_failure(settings: Settings, exc: BaseException, doing: str) -> StoreError:
    """One line for a Chroma failure, with the fix that works for this store mode."""
    if isinstance(exc, StoreError):
        return exc
    first = _first_line(exc)
    if settings.chroma_host:
        where = settings.store_mode
        if doing == "open" and _is_connection_error(exc):
            return StoreError(
                f"cannot reach the Chroma server at {where} ({first}); start it "
                f"(`chroma run --path DIR --port {settings.chroma_port}`) or unset "
                "INTERVIEWER_CHROMA_HOST to use the embedded store"
            )
        if _is_connection_error(exc):
            return StoreError(
                f"lost the Chroma server at {where} while {doing} ({first}); restart it, "
                "then run the command again"
            )
        return StoreError(f"the Chroma server at {where} failed while {doing}: {first}")
    path = settings.index_dir / "chroma"
    if "does not exist" in first or "NotFoundError" in type(exc).__name__:
        return StoreError(
            f"the index changed while it was in use ({first}); run the command again"
        )
    return StoreError(
        f"cannot {'open' if doing == 'open' else 'use'} the Chroma store at {path}: {first} "
        "(run `interviewer index --rebuild`: it recreates the store from your notes)"
    )


_READ_ONLY_COPIES: dict[Path, Path] = {}


def _read_only_copy(path: Path) -> Path:
    """Chroma cannot open a store it cannot write (its sqlite needs a journal): reading a
    read-only data dir works on a private temporary copy (one per process, removed at
    exit)."""
    import atexit
    import shutil
    import tempfile

    if path not in _READ_ONLY_COPIES:
        copy = Path(tempfile.mkdtemp(prefix="interviewer-ro-")) / "chroma"
        shutil.copytree(path, copy)
        atexit.register(shutil.rmtree, copy.parent, True)
        _READ_ONLY_COPIES[path] = copy
    return _READ_ONLY_COPIES[path]


def _writable(path: Path) -> bool:
    return all(
        os.access(p, os.W_OK) for p in (path, path / "chroma.sqlite3") if p.exists()
    )


class ChunkStore:
    """The few Chroma operations we use. Collections are created without an
    embedding function: Chroma's default one downloads a model, so we always
    supply vectors ourselves. Every failure is a one-line StoreError."""

    def __init__(self, settings: Settings, collection: str, fresh: bool = False) -> None:
        """Open ``collection``; ``fresh``: emptied first (on a server, dropped by the same
        client before it is created again, so that no empty collection shows for a
        moment before the one written to)."""
        try:
            import chromadb
            from chromadb.config import Settings as ChromaSettings
        except ImportError as exc:  # pragma: no cover - broken install
            raise StoreError(f"chromadb is not importable: {exc}") from None
        self._settings = settings
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        reached = False  # the server answered: a failure after this lost it
        try:
            if settings.chroma_host:
                self._client = chromadb.HttpClient(
                    host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
                )
                reached = True
                if fresh:
                    self.drop(collection)
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
                if not _writable(path):
                    path = _read_only_copy(path)
                self._client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            self._collection = self._client.get_or_create_collection(
                collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
        except StoreError:
            raise
        except Exception as exc:  # Chroma raises many types; all mean "cannot open"
            doing = "opening its collection" if reached else "open"
            raise store_failure(settings, exc, doing) from None

    def count(self) -> int:
        try:
            return int(self._collection.count())
        except Exception as exc:
            raise store_failure(self._settings, exc, "counting chunks") from None

    def upsert(self, chunks: list[Chunk], vectors: Any) -> None:
        import numpy as np

        try:
            for start in range(0, len(chunks), UPSERT_BATCH):
                part = chunks[start : start + UPSERT_BATCH]
                self._collection.upsert(
                    ids=[c.id for c in part],
                    embeddings=np.asarray(
                        vectors[start : start + UPSERT_BATCH], dtype=np.float32
                    ),
                    documents=[c.embed_text for c in part],
                    metadatas=[c.chroma_metadata() for c in part],
                )
        except Exception as exc:
            raise store_failure(self._settings, exc, "writing chunks") from None

    def delete(self, ids: list[str]) -> None:
        try:
            for start in range(0, len(ids), UPSERT_BATCH):
                self._collection.delete(ids=ids[start : start + UPSERT_BATCH])
        except Exception as exc:
            raise store_failure(self._settings, exc, "deleting chunks") from None

    def query(self, vector: Any, n: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first."""
        import numpy as np

        if n <= 0:
            return []
        try:
            found = self._collection.query(
                query_embeddings=np.asarray(vector, dtype=np.float32).reshape(1, -1),
                n_results=n,
                include=["distances"],
            )
        except Exception as exc:
            raise store_failure(self._settings, exc, "searching") from None
        ids = found["ids"][0] if found["ids"] else []
        dists = (found.get("distances") or [[]])[0] or []
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=False)]

    def drop(self, name: str) -> None:
        # A missing collection is nothing to drop.
        with contextlib.suppress(Exception):
            self._client.delete_collection(name)


def reset_store(settings: Settings, name: str) -> ChunkStore:
    """The vector store emptied so that it can be rebuilt from the notes, open. The
    embedded store is removed from disk entirely (whatever its damage, and leaving no
    old segment folders); on a server the collection is dropped and made again."""
    import shutil

    if settings.chroma_host:
        return ChunkStore(settings, name, fresh=True)
    path = settings.index_dir / "chroma"
    with contextlib.suppress(Exception):
        # Chroma keeps one system per path in this process (keyed by the path): forget
        # this one, or a new client would talk to the files just removed. Clients of
        # other paths (other corpora) keep theirs.
        from chromadb.api.shared_system_client import SharedSystemClient

        systems = SharedSystemClient._identifier_to_system
        if str(path) in systems:
            systems.pop(str(path), None)
            SharedSystemClient._identifier_to_refcount.pop(str(path), None)
    (settings.index_dir / STORE_CHECK).unlink(missing_ok=True)
    if path.exists():
        try:
            shutil.rmtree(path)
        except OSError as exc:
            raise StoreError(
                f"cannot remove the damaged store {path}: {exc.strerror or exc} "
                "(remove that folder by hand, then run `interviewer index`)"
            ) from None
    return ChunkStore(settings, name)


# ---- the store's self-check ------------------------------------------------------------


def _segment_fingerprint(chroma_dir: Path) -> str | None:
    """Names, sizes and contents of the vector segment files. Not their times, nor
    chroma.sqlite3 or length.bin: every open of the store rewrites those (length.bin
    with bytes that change), so they would force a probe on every run. None when
    there is no store on disk."""
    if not chroma_dir.is_dir():
        return None
    digest = hashlib.blake2b(digest_size=32)
    try:
        for path in sorted(chroma_dir.rglob("*")):
            rel = path.relative_to(chroma_dir).as_posix()
            if path.parent == chroma_dir and path.is_file():
                continue
            size = path.stat().st_size if path.is_file() else -1
            digest.update(f"{rel}\0{size}\n".encode())
            if path.is_file() and path.name != "length.bin":
                with path.open("rb") as handle:
                    digest.update(hashlib.file_digest(handle, "blake2b").digest())
    except OSError:
        return None
    return digest.hexdigest()


def _read_check(index_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((index_dir / STORE_CHECK).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_check(settings: Settings, manifest: Manifest, fingerprint: str | None) -> None:
    record = {"fingerprint": fingerprint, "collection": manifest.collection,
              "chunks": sum(len(e.chunk_ids) for e in manifest.files.values())}  # fmt: skip
    with contextlib.suppress(OSError):  # a read-only data dir only costs a probe per run
        _write_json_atomic(settings.index_dir / STORE_CHECK, record)


def _sample_ids(manifest: Manifest, n: int = PROBE_SAMPLES) -> list[str]:
    ids = [cid for entry in manifest.files.values() for cid in entry.chunk_ids]
    if len(ids) <= n:
        return ids
    step = (len(ids) - 1) / (n - 1)
    return [ids[round(i * step)] for i in range(n)]


def probe_store(settings: Settings, manifest: Manifest) -> str | None:
    """Query the embedded store in a child process (a damaged vector segment can crash
    the native library: a crash there is a finding, not the user's crash). Each
    sampled chunk's own vector must find that chunk. Returns the problem, or None."""
    import subprocess
    import sys

    path = settings.index_dir / "chroma"
    if not path.is_dir():
        return "the Chroma store is missing"
    if not _writable(path):
        path = _read_only_copy(path)
    args = [sys.executable, "-m", "interviewer.storeprobe", str(path), manifest.collection,
            json.dumps(_sample_ids(manifest))]  # fmt: skip
    try:
        proc = subprocess.run(
            args, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S,
            env={**os.environ, "PYTHONFAULTHANDLER": ""},
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return f"the Chroma store did not answer a test query in {PROBE_TIMEOUT_S:g}s"
    except OSError as exc:
        return f"cannot run the store check ({exc.strerror or exc})"
    if proc.returncode < 0:
        import signal

        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = f"signal {-proc.returncode}"
        return f"the Chroma store crashed on a test query ({name}): its vector files are damaged"
    try:
        answer = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        from interviewer.safety import one_line

        tail = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "no answer"
        return f"the Chroma store failed a test query: {one_line(tail, 160)}"
    return answer.get("problem") or None


def check_store(settings: Settings, manifest: Manifest, *, deep: bool = False) -> str | None:
    """Does the store answer, with as many chunks as the snapshot? A store whose segment
    files are unchanged since they last passed is trusted without a new probe (unless
    ``deep``). Returns the problem in one line, or None."""
    expected = sum(len(e.chunk_ids) for e in manifest.files.values())
    if settings.chroma_host:
        count = ChunkStore(settings, manifest.collection).count()
        if count != expected:
            return f"the Chroma store holds {count} chunks, the index {expected}"
        return None
    path = settings.index_dir / "chroma"
    fingerprint = _segment_fingerprint(path)
    if fingerprint is None:
        return None if expected == 0 else "the Chroma store is missing"
    known = _read_check(settings.index_dir)
    trusted = (
        not deep
        and known.get("fingerprint") == fingerprint
        and known.get("collection") == manifest.collection
        and known.get("chunks") == expected
    )
    if not trusted:
        problem = probe_store(settings, manifest)
        if problem:
            return problem
    try:
        count = ChunkStore(settings, manifest.collection).count()
    except StoreError as exc:
        return str(exc).split(" (run `")[0]
    if count != expected:
        return f"the Chroma store holds {count} chunks, the index {expected}"
    if not trusted:
        _write_check(settings, manifest, fingerprint)
    return None


# ---- one writer per index ---------------------------------------------------------------


@contextlib.contextmanager
def index_lock(settings: Settings) -> Iterator[None]:
    """Hold the index's lock file while writing it. A second writer waits up to
    ``index_lock_wait_s``, then gives up with one line."""
    index_dir = settings.index_dir
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
        handle = open(index_dir / LOCK, "a+", encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise StoreError(
            f"cannot create the index at {index_dir}: {exc.strerror or exc} "
            "(set INTERVIEWER_HOME to a writable dir)"
        ) from None
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no lock
            yield
            return
        deadline = time.monotonic() + settings.index_lock_wait_s
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.seek(0)
                    pid = handle.read().strip()
                    who = f" (process {pid})" if pid.isdigit() else ""
                    raise StoreError(
                        f"another index is running on this corpus{who}; wait for it to "
                        "finish, then run the command again"
                    ) from None
                time.sleep(0.2)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


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


def schema_change(index_dir: Path) -> str | None:
    """Why the index on disk is not this version's, in words, when it was written with
    another index schema (an upgrade of interviewer); None when it matches or there is
    no readable manifest."""
    try:
        data = json.loads((index_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    found = data.get("schema_version") if isinstance(data, dict) else None
    if not isinstance(found, int) or found == SCHEMA_VERSION:
        return None
    return (
        f"index format {found}, this version reads {SCHEMA_VERSION}: index written by "
        "another version of interviewer"
    )


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


def _file_failure(exc: BaseException) -> str:
    """One short line for a file that could not be chunked: the library's own message
    may span lines or quote a whole regular expression."""
    from interviewer.safety import one_line

    if isinstance(exc, TimeoutError):
        # The sentence splitter's regular expressions run under a time limit; its
        # message quotes the pattern, which tells the user nothing.
        return "splitting its text into sentences hit a time limit; skipped (split the file)"
    if isinstance(exc, MemoryError):
        return "too large to chunk in memory; skipped (split the file)"
    detail = one_line(str(exc), limit=120) or type(exc).__name__
    return f"could not be chunked ({type(exc).__name__}: {detail}); skipped"



def sync_index(
    settings: Settings,
    progress: Progress | None = None,
    *,
    rebuild: bool = False,
    embedder: Embedder | None = None,
    damaged: str | None = None,
) -> SyncReport:
    """Bring the index in line with the corpus: only new or changed files are chunked
    and embedded, files gone from the corpus are removed. A file that fails to load
    is reported and keeps what the index already had of it. A store that fails its
    self-check (or ``damaged``, a problem found by the caller) is rebuilt from the
    notes. One writer at a time: see ``index_lock``."""
    from interviewer.corpus import check_corpus_dir
    from interviewer.embeddings import get_embedder

    check_corpus_dir(settings.corpus_dir)
    embedder = embedder or get_embedder(settings)
    with index_lock(settings):
        return _sync_locked(settings, progress, rebuild, embedder, damaged)


def _sync_locked(
    settings: Settings,
    progress: Progress | None,
    rebuild: bool,
    embedder: Embedder,
    damaged: str | None,
) -> SyncReport:
    from interviewer.chunking import chunk_document

    started = time.perf_counter()
    corpus_dir = settings.corpus_dir
    index_dir = settings.index_dir
    report = SyncReport()
    name = collection_name(settings)

    manifest: Manifest | None
    try:
        manifest = None if rebuild or damaged else read_manifest(index_dir)
    except StoreError as exc:
        # Its advice ("run `interviewer index --rebuild`") is what happens now.
        reason = schema_change(index_dir) or str(exc).split(" (run `")[0]
        manifest, report.rebuilt_reason = None, f"{reason}; rebuilt from the notes"
    if damaged:
        report.rebuilt_reason = f"{damaged}; rebuilt from the notes"
    if manifest is not None and (manifest.embedder != embedder.name or manifest.collection != name):
        report.rebuilt_reason = (
            f"index was built with {manifest.embedder}; rebuilding for {embedder.name}"
        )
        manifest = None
    if manifest is not None:
        # Check the store before writing to it: a damaged one is rebuilt, never used.
        problem = check_store(settings, manifest)
        if problem:
            if settings.chroma_host and "holds" not in problem:
                raise StoreError(problem)
            report.rebuilt_reason = f"{problem}; rebuilt from the notes"
            manifest = None
    old_chunks: dict[str, Chunk] = {}
    if manifest is None:
        store = reset_store(settings, name)
        manifest = Manifest(
            embedder=embedder.name, dim=embedder.dim, collection=name, corpus_dir=str(corpus_dir)
        )
    else:
        store = ChunkStore(settings, name)
        try:
            old_chunks = {c.id: c for c in load_chunks(index_dir)}
        except StoreError as exc:
            # The snapshot is derived data: rebuild it rather than refuse to index.
            report.rebuilt_reason = str(exc).split("; run `")[0] + "; rebuilding"
            manifest.files = {}
        if store.count() != len(old_chunks):
            # The store and the snapshot disagree (e.g. a crash between the two writes).
            report.rebuilt_reason = (
                report.rebuilt_reason or "Chroma store and chunk snapshot differ; rebuilding"
            )
            store = reset_store(settings, name)
            old_chunks = {}
            manifest.files = {}

    if report.rebuilt_reason:
        from interviewer.rebuilds import tell

        tell(report.rebuilt_reason)
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
        try:
            chunks = chunk_document(
                doc, settings.chunk_size_tokens, settings.chunk_overlap_tokens
            )
        except Exception as exc:  # noqa: BLE001 - one bad file never stops the index
            report.problems.append(FileProblem(source=doc.source, message=_file_failure(exc)))
            if doc.kind == "note":
                failed_sources.add(doc.source)
            continue
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
    problems = {p.source: p.message for p in report.problems}
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
    # Sentence-window vectors of the English model (dense search scores a chunk by
    # its best passage too): kept in step with the snapshot.
    from interviewer.window_index import sync_windows

    sync_windows(index_dir, snapshot, embedder)
    if settings.multilingual != "off":
        # Cross-language search: keep its second vectors in step, once they exist.
        from interviewer.multilingual_index import refresh_if_present

        refresh_if_present(index_dir, snapshot)
    _write_json_atomic(index_dir / MANIFEST, manifest.model_dump(mode="json"))
    if not settings.chroma_host:
        _write_check(settings, manifest, _segment_fingerprint(index_dir / "chroma"))
    report.total_files = len(new_files)
    report.total_sections = sum(e.sections for e in new_files.values())
    report.total_chunks = len(snapshot)
    report.seconds = time.perf_counter() - started
    return report


def index_status(
    settings: Settings, *, open_store: bool = True, deep: bool = False
) -> IndexStatus:
    """Is there an index for this corpus, and does it reflect the files on disk? With
    ``open_store``, the store must also pass its self-check (``deep``: a fresh probe
    query even when its files passed before)."""
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
            problem = check_store(settings, manifest, deep=deep)
        except StoreError as exc:
            problem = str(exc)
        if problem:
            status.current = False
            status.store_ok = False
            status.message = problem + _store_fix(settings, problem)
            return status
        status.store_ok = True
    status.message = "up to date" if status.current else f"{len(stale)} file(s) changed"
    return status


def bank_questions(settings: Settings) -> int | None:
    """Questions in the question bank that an interview or `grade` saved beside the
    index (they work without the search index), or None when there is none."""
    try:
        data = json.loads((settings.index_dir / BANK_FILE).read_text(encoding="utf-8"))
        return len(data.get("questions", []))
    except (OSError, ValueError, AttributeError):
        return None


def _store_fix(settings: Settings, problem: str) -> str:
    if "(" in problem and "`" in problem:
        return ""  # the message already names its fix
    if settings.chroma_host:
        return " (check the Chroma server, then run `interviewer index`)"
    return " (run `interviewer index --rebuild`, or just search: it rebuilds from your notes)"


def ensure_index(
    settings: Settings, *, embedder: Embedder | None = None, progress: Progress | None = None
) -> SyncReport | None:
    """Make the index usable before reading it: synced when missing or stale, rebuilt
    from the notes when its store fails the self-check. None when nothing was needed;
    else the report (``rebuilt_reason`` says why a rebuild happened)."""
    status = index_status(settings, open_store=False)
    if not status.current:
        return sync_index(settings, progress, embedder=embedder)
    manifest = read_manifest(settings.index_dir)
    if manifest is None:  # pragma: no cover - status said current
        return sync_index(settings, progress, embedder=embedder)
    try:
        problem = check_store(settings, manifest)
    except StoreError as exc:
        if settings.chroma_host:
            raise
        problem = str(exc).split(" (run `")[0]
    if problem is None:
        return None
    if settings.chroma_host and "holds" not in problem:
        raise StoreError(problem + _store_fix(settings, problem))
    return sync_index(settings, progress, embedder=embedder, damaged=problem)
