"""`interviewer doctor`: is everything in place? Each check gives a verdict and, when
it fails, the exact command that fixes it. Checks that depend on a failed one are
skipped (so without Ollama the model checks cost nothing).

What the grounded core needs (embeddings, the notes, an undamaged index) is required:
a failure there fails the doctor. The model is optional (a warning with its fix)
unless ``require_llm``; so is an index that is missing or behind the notes, because
the next search or interview builds it."""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from interviewer.errors import InterviewerError, LLMError

if TYPE_CHECKING:
    from interviewer.index import IndexStatus
    from interviewer.settings import Settings

Verdict = Literal["pass", "fail", "warn", "skip"]
PROBE_PROMPT = "doctor_probe.md"
# The probe needs a few dozen tokens; a cap keeps a slow model's check short.
PROBE_NUM_PREDICT = 200
# Doctor must answer fast when Ollama is absent: the reachability probe never
# waits longer than this for a connection.
PING_TIMEOUT_S = 1.0


class Check(BaseModel):
    name: str
    verdict: Verdict
    detail: str
    fix: str | None = None
    required: bool = True
    seconds: float = 0.0


class DoctorReport(BaseModel):
    ok: bool = Field(description="No required check failed (warnings allowed).")
    llm_checked: bool
    llm_required: bool = False
    ollama_host: str
    model: str
    corpus_dir: str
    index_dir: str
    store_mode: str
    checks: list[Check]
    unread: list[str] = Field(
        default_factory=list,
        description="Documents of the notes dir not read in place, each 'path: what to do'.",
    )

    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.verdict == "fail"]

    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.verdict == "warn"]


class DoctorProbe(BaseModel):
    """The structured-output round trip asks the model for this object."""

    ready: bool
    answer: str


class _Fail(Exception):
    """A check's failure with its fix (internal to this module)."""

    def __init__(self, detail: str, fix: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fix = fix


class _Warn(_Fail):
    """Not a failure: the command works without it (or will build it itself)."""


def _index_fix(settings: Settings, rebuild: bool = False) -> str:
    cmd = "interviewer index" + (" --rebuild" if rebuild else "")
    if settings.corpus is not None:
        cmd += f" --corpus {settings.corpus}"
    if settings.chroma_host:
        cmd += f" --chroma-host {settings.chroma_host} --chroma-port {settings.chroma_port}"
    return cmd


def _llm_fix(exc: LLMError, settings: Settings) -> str:
    from interviewer.llm import (
        INSTALL_HINT,
        LLMConnectionLostError,
        LLMTimeoutError,
        LLMUnreachableError,
        ModelMissingError,
    )

    if isinstance(exc, LLMUnreachableError):
        return INSTALL_HINT
    if isinstance(exc, ModelMissingError):
        return f"ollama pull {settings.model}"
    if isinstance(exc, LLMTimeoutError):
        return (
            f"raise INTERVIEWER_LLM_TIMEOUT_S (now {settings.llm_timeout_s:g}) "
            "or pick a smaller model with --model"
        )
    if isinstance(exc, LLMConnectionLostError):
        return "check that `ollama serve` keeps running (see its log)"
    return "see the Ollama server log (`ollama serve`)"


# ---- the checks --------------------------------------------------------------------
def _check_ollama(settings: Settings) -> str:
    from interviewer.llm import INSTALL_HINT, LLMUnreachableError, base_url, server_version

    try:
        version = server_version(settings.ollama_host, PING_TIMEOUT_S)
    except LLMUnreachableError as exc:
        raise _Fail(f"nothing answers at {base_url(settings.ollama_host)}", INSTALL_HINT) from exc
    return f"Ollama {version} at {base_url(settings.ollama_host)}"


def _check_model(settings: Settings) -> str:
    from interviewer.llm import has_model, list_models

    try:
        models = list_models(settings.ollama_host, timeout_s=max(PING_TIMEOUT_S, 2.0))
    except LLMError as exc:
        raise _Fail(str(exc), _llm_fix(exc, settings)) from exc
    if not has_model(settings.model, models):
        shown = ", ".join(models[:6]) or "none"
        raise _Fail(
            f"{settings.model} is not pulled (the server has: {shown})",
            f"ollama pull {settings.model}",
        )
    return f"{settings.model} is available"


def _check_structured(settings: Settings) -> str:
    from interviewer.llm import GenerateOptions, Message, make_llm

    llm = make_llm(settings)
    assert llm is not None  # only called when the LLM is on
    prompt_path = settings.prompts_dir / PROBE_PROMPT
    try:
        prompt = prompt_path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise _Fail(f"{prompt_path}: prompt file is missing", "reinstall interviewer") from exc
    cap = min(settings.num_predict, PROBE_NUM_PREDICT) if settings.num_predict else None
    options = GenerateOptions.from_settings(settings).model_copy(update={"num_predict": cap})
    started = time.perf_counter()
    try:
        result = llm.structured([Message.user(prompt)], DoctorProbe, options=options)
    except LLMError as exc:
        raise _Fail(str(exc), _llm_fix(exc, settings)) from exc
    if not result.ok:
        raise _Fail(
            f"{settings.model} gave no valid JSON in {result.attempts} tries: {result.error}",
            _json_fix(settings),
        )
    return f"schema-valid JSON from {settings.model} in {time.perf_counter() - started:.1f} s"


# Ollama follows a JSON schema in its replies from this version on.
STRUCTURED_SINCE = (0, 5)


def _json_fix(settings: Settings) -> str:
    """Advise an update only to a server older than structured outputs: on a newer one
    the model itself does not follow the schema."""
    from interviewer.llm import server_version

    try:
        version = server_version(settings.ollama_host, PING_TIMEOUT_S)
    except LLMError:
        version = "unknown"
    parts = re.findall(r"\d+", version)[:2]
    if len(parts) == 2 and tuple(int(p) for p in parts) >= STRUCTURED_SINCE:
        return f"try another model with --model (Ollama {version} supports structured output)"
    return "update Ollama (structured outputs need 0.5 or later) or try another model with --model"


def _check_embeddings(settings: Settings) -> str:
    from interviewer.embeddings import get_embedder

    try:
        embedder = get_embedder(settings)
        vectors = embedder.embed(["doctor: does the embedding model load?"])
    except LLMError as exc:
        raise _Fail(str(exc), f"ollama pull {settings.ollama_embedding_model}") from exc
    except InterviewerError as exc:
        raise _Fail(str(exc), "reinstall interviewer: pip install -c constraints.txt .") from exc
    row = [float(x) for x in vectors[0]] if len(vectors) else []
    norm = math.sqrt(sum(x * x for x in row))
    if len(vectors) != 1 or not row or not math.isfinite(norm) or abs(norm - 1.0) > 1e-3:
        raise _Fail(
            f"{embedder.name} returned an unusable vector (norm {norm:.3f})",
            "reinstall interviewer: pip install -c constraints.txt .",
        )
    where = "offline, packaged ONNX model" if settings.embedding_backend == "onnx" else "Ollama"
    return f"{embedder.name}: {len(row)} dims ({where})"


def _check_index(settings: Settings, status: IndexStatus) -> str:
    from interviewer.embeddings import MINILM_NAME

    if not settings.corpus_dir.is_dir():
        what = "is not a directory" if settings.corpus_dir.exists() else "does not exist"
        raise _Fail(
            f"corpus dir {settings.corpus_dir} {what}",
            "pass --corpus DIR or set INTERVIEWER_CORPUS to your notes folder",
        )
    if not status.present:
        if "another version" in status.message or "unreadable" in status.message:
            raise _Fail(status.message, _index_fix(settings, rebuild=True))
        from interviewer.index import bank_questions

        bank = bank_questions(settings)
        detail = "no search index yet; the first `interviewer search` builds it"
        if bank is not None:
            detail = (
                f"question bank ready ({bank} questions, built by an interview or grade); "
                + detail
            )
        raise _Warn(detail, _index_fix(settings))
    expected = (
        MINILM_NAME if settings.embedding_backend == "onnx"
        else f"ollama:{settings.ollama_embedding_model}"
    )
    if status.embedder and status.embedder != expected:
        raise _Fail(
            f"the index was built with {status.embedder}, the settings use {expected}",
            _index_fix(settings, rebuild=True),
        )
    from interviewer.errors import StoreError
    from interviewer.index import load_chunks

    try:
        load_chunks(settings.index_dir)
    except StoreError as exc:
        # Search and grading read this snapshot: a damaged one is a failed check.
        raise _Fail(str(exc).split("; run `")[0], _index_fix(settings)) from exc
    if not status.current:
        changed = ", ".join(status.stale_files[:5])
        more = f" and {len(status.stale_files) - 5} more" if len(status.stale_files) > 5 else ""
        detail = f"{status.message}: {changed}{more}" if changed else status.message
        # The next search or interview syncs it: behind the notes is not broken.
        raise _Warn(
            (detail or "the index is out of date") + " (synced at the next search)",
            _index_fix(settings),
        )
    return f"{status.files} files, {status.sections} sections, {status.chunks} chunks, up to date"


def _check_store(settings: Settings, status: IndexStatus) -> str:
    """The store must answer: a fresh test query (in a child process, where a damaged
    vector file can crash nothing of ours) and as many chunks as the index lists."""
    from interviewer.errors import StoreError
    from interviewer.index import check_store, read_manifest

    server_fix = (
        f"start the Chroma server: chroma run --path DIR --port {settings.chroma_port}"
    )
    try:
        manifest = read_manifest(settings.index_dir)
        if manifest is None:
            raise _Fail("no index yet", _index_fix(settings))
        problem = check_store(settings, manifest, deep=True)
    except StoreError as exc:
        fix = server_fix if settings.chroma_host else _index_fix(settings, rebuild=True)
        raise _Fail(str(exc).split(" (run `")[0], fix) from exc
    if problem:
        fix = (
            _index_fix(settings, rebuild=True)
            if not settings.chroma_host or "holds" in problem
            else server_fix
        )
        raise _Fail(problem, fix)
    return f"Chroma ({settings.store_mode}) answers a test query; {status.chunks} chunks"


def _run(name: str, fn: Callable[[], str], *, required: bool = True) -> Check:
    started = time.perf_counter()
    try:
        detail = fn()
        verdict: Verdict = "pass"
        fix = None
    except _Fail as exc:
        warn = isinstance(exc, _Warn) or not required
        verdict, detail, fix = ("warn" if warn else "fail"), exc.detail, exc.fix
    except InterviewerError as exc:
        verdict, detail, fix = "fail", str(exc).splitlines()[0], None
    except Exception as exc:  # a diagnostic tool reports, it does not crash
        verdict, detail, fix = "fail", f"{type(exc).__name__}: {exc}".splitlines()[0], None
    if verdict == "fail" and not required:
        verdict = "warn"
    return Check(
        name=name, verdict=verdict, detail=detail, fix=fix, required=required,
        seconds=round(time.perf_counter() - started, 3),
    )


def _skip(name: str, reason: str, *, required: bool = True) -> Check:
    return Check(name=name, verdict="skip", detail=reason, required=required)


def run_doctor(
    settings: Settings,
    *,
    on_check: Callable[[Check], None] | None = None,
    require_llm: bool = False,
) -> DoctorReport:
    """Run every check. With ``settings.use_llm`` False only what the grounded core
    needs (embeddings, index, store). The model checks are warnings unless
    ``require_llm``. ``on_check`` sees each result as it comes."""
    from interviewer.corpus import scan_notes
    from interviewer.llm import base_url

    checks: list[Check] = []

    def add(check: Check) -> Check:
        checks.append(check)
        if on_check is not None:
            on_check(check)
        return check

    if settings.use_llm or require_llm:
        need = require_llm
        reachable = (
            add(_run("ollama", lambda: _check_ollama(settings), required=need)).verdict == "pass"
        )
        if reachable:
            has = (
                add(_run("model", lambda: _check_model(settings), required=need)).verdict
                == "pass"
            )
        else:
            has = add(_skip("model", "Ollama is not reachable", required=need)).verdict == "pass"
        if has:
            add(_run("structured output", lambda: _check_structured(settings), required=need))
        else:
            add(_skip("structured output", "the model is not available", required=need))

    add(_run("embeddings", lambda: _check_embeddings(settings)))

    from interviewer.index import index_status

    status_holder: list[IndexStatus] = []

    def index_check() -> str:
        status_holder.append(index_status(settings, open_store=False))
        return _check_index(settings, status_holder[0])

    add(_run("index", index_check))
    if status_holder and status_holder[0].present:
        add(_run("store", lambda: _check_store(settings, status_holder[0])))
    else:
        add(_skip("store", "there is no index to open"))

    return DoctorReport(
        ok=not any(c.verdict == "fail" for c in checks),
        llm_checked=settings.use_llm or require_llm,
        llm_required=require_llm,
        ollama_host=base_url(settings.ollama_host),
        model=settings.model,
        corpus_dir=str(settings.corpus_dir),
        index_dir=str(settings.index_dir),
        store_mode=settings.store_mode,
        checks=checks,
        unread=[str(p) for p in scan_notes(settings.corpus_dir).unread],
    )
