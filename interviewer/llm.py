"""The model layer: a small interface of ours (``ChatModel``), its Ollama
implementation, and ``LLM``, the wrapper the features use (plain chat, structured
output validated by pydantic with one corrective retry, an optional response cache).

Invalid model output never raises: ``LLM.structured`` returns a typed failure.
Transport problems raise subclasses of ``LLMError`` whose one-line message says
what to do (install/start Ollama, pull the model, ...).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import string
import time
import urllib.parse
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from interviewer.errors import ConfigError, LLMError

if TYPE_CHECKING:
    import ollama

    from interviewer.settings import Settings

INSTALL_HINT = (
    "install Ollama from https://ollama.com/download and start it with `ollama serve` "
    "(or set OLLAMA_HOST), or run with --no-llm"
)
RETRY_PROMPT = "structured_retry.md"
# How much of an invalid reply is echoed back to the model in the retry.
MAX_ECHOED_CHARS = 4000


# ---- errors ---------------------------------------------------------------------------
class LLMUnreachableError(LLMError):
    """Nothing answers at the Ollama host."""


class ModelMissingError(LLMError):
    """The server runs but does not have the model."""


class LLMTimeoutError(LLMError):
    """The server accepted the request but sent nothing for too long."""


class LLMConnectionLostError(LLMError):
    """The connection broke in the middle of a reply."""

    def __init__(self, message: str, partial: str = "") -> None:
        super().__init__(message)
        self.partial = partial


# ---- data crossing the interface ------------------------------------------------------
Role = Literal["system", "user", "assistant"]


class Message(BaseModel):
    role: Role
    content: str

    @classmethod
    def system(cls, content: str) -> Message:
        return cls(role="system", content=content)

    @classmethod
    def user(cls, content: str) -> Message:
        return cls(role="user", content=content)

    @classmethod
    def assistant(cls, content: str) -> Message:
        return cls(role="assistant", content=content)


class GenerateOptions(BaseModel):
    """Sampling options; ``None`` means "not sent" (the server default applies)."""

    temperature: float | None = None
    seed: int | None = None
    num_predict: int | None = None
    num_ctx: int | None = None

    def to_ollama(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)

    @classmethod
    def from_settings(cls, settings: Settings) -> GenerateOptions:
        return cls(
            temperature=settings.temperature,
            seed=settings.seed,
            num_predict=settings.num_predict,
            num_ctx=settings.num_ctx,
        )


class Generation(BaseModel):
    """One reply of a model."""

    text: str
    model: str
    done_reason: str | None = None
    prompt_tokens: int | None = None
    eval_tokens: int | None = None
    duration_s: float = 0.0

    @property
    def truncated(self) -> bool:
        """True when generation stopped at the token limit (``num_predict``)."""
        return self.done_reason == "length"


T = TypeVar("T", bound=BaseModel)


class StructuredResult(BaseModel, Generic[T]):
    """The outcome of ``LLM.structured``: a validated value, or why there is none."""

    value: T | None = None
    error: str | None = None
    raw: str = ""
    attempts: int = 0
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.value is not None and self.error is None


# ---- the interface --------------------------------------------------------------------
class ChatModel(ABC):
    """A chat model backend. One method; everything else lives in ``LLM``."""

    name: str

    @abstractmethod
    def generate(
        self,
        messages: list[Message],
        *,
        format: dict[str, Any] | str | None = None,
        options: GenerateOptions,
        stream: bool = False,
        on_token: Callable[[str], None] | None = None,
    ) -> Generation:
        """Reply to ``messages``. ``format`` is ``"json"`` or a JSON schema. With
        ``stream`` the text arrives piece by piece through ``on_token``.
        Raises ``LLMError`` subclasses for transport problems only."""


# ---- Ollama ---------------------------------------------------------------------------
def base_url(host: str) -> str:
    """The URL the official client derives from ``OLLAMA_HOST``: a bare host gets
    ``http://`` and port 11434; an explicit scheme without port gets 80/443."""
    host = host.strip() or "127.0.0.1:11434"
    if "://" in host:
        scheme, rest = host.split("://", 1)
        default_port = 443 if scheme == "https" else 80
    else:
        scheme, rest, default_port = "http", host, 11434
    split = urllib.parse.urlsplit(f"{scheme}://{rest}")
    hostname = split.hostname or "127.0.0.1"
    if ":" in hostname:  # IPv6 literal
        hostname = f"[{hostname}]"
    path = split.path.strip("/")
    return f"{scheme}://{hostname}:{split.port or default_port}" + (f"/{path}" if path else "")


def normalise_model_name(name: str) -> str:
    """Ollama treats ``qwen2.5`` and ``qwen2.5:latest`` as the same model."""
    last = name.rsplit("/", 1)[-1]
    return name if ":" in last else f"{name}:latest"


class OllamaModel(ChatModel):
    """A model served by Ollama, spoken to with the official ``ollama`` client."""

    def __init__(
        self,
        model: str,
        host: str,
        *,
        timeout_s: float = 120.0,
        connect_timeout_s: float = 2.0,
        keep_alive: str | None = None,
    ) -> None:
        import httpx
        import ollama

        self.name = model
        self.host = base_url(host)
        self.timeout_s = timeout_s
        self.keep_alive = keep_alive
        self._client = ollama.Client(
            host=self.host, timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s)
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> OllamaModel:
        return cls(
            settings.model,
            settings.ollama_host,
            timeout_s=settings.llm_timeout_s,
            connect_timeout_s=settings.connect_timeout_s,
            keep_alive=settings.keep_alive,
        )

    def generate(
        self,
        messages: list[Message],
        *,
        format: dict[str, Any] | str | None = None,
        options: GenerateOptions,
        stream: bool = False,
        on_token: Callable[[str], None] | None = None,
    ) -> Generation:
        started = time.perf_counter()
        parts: list[str] = []
        last: ollama.ChatResponse | None = None
        with _translated_errors(self, parts):
            kwargs: dict[str, Any] = dict(
                model=self.name,
                messages=[m.model_dump() for m in messages],
                format=format,
                options=options.to_ollama(),
                keep_alive=self.keep_alive,
            )
            if not stream:
                last = self._client.chat(**kwargs, stream=False)
                parts.append(last.message.content or "")
            else:
                for part in self._client.chat(**kwargs, stream=True):
                    piece = part.message.content or ""
                    if piece:
                        parts.append(piece)
                        if on_token is not None:
                            on_token(piece)
                    last = part
                if last is None or not last.done:
                    raise LLMConnectionLostError(
                        f"Ollama at {self.host} ended the reply before it was complete",
                        partial="".join(parts),
                    )
        return Generation(
            text="".join(parts),
            model=self.name,
            done_reason=last.done_reason,
            prompt_tokens=last.prompt_eval_count,
            eval_tokens=last.eval_count,
            duration_s=time.perf_counter() - started,
        )


@contextmanager
def _translated_errors(m: OllamaModel, parts: list[str]) -> Iterator[None]:
    """Turn client, httpx and socket errors into our one-line ``LLMError``s."""
    import httpx
    import ollama

    try:
        yield
    except ollama.ResponseError as exc:
        raise response_error(exc, m.name, m.host) from exc
    except (httpx.ConnectError, httpx.ConnectTimeout, ConnectionError) as exc:
        # The client turns a refused connection into a bare ConnectionError
        # (non-streaming) or lets httpx.ConnectError through (streaming).
        raise LLMUnreachableError(f"Ollama is not reachable at {m.host}: {INSTALL_HINT}") from exc
    except httpx.TimeoutException as exc:
        raise LLMTimeoutError(
            f"Ollama at {m.host} sent nothing for {m.timeout_s:g} s ({m.name}); "
            "raise INTERVIEWER_LLM_TIMEOUT_S or use a smaller model"
        ) from exc
    except (httpx.TransportError, json.JSONDecodeError) as exc:
        raise LLMConnectionLostError(
            f"the connection to Ollama at {m.host} broke during the reply "
            f"({type(exc).__name__}); is `ollama serve` still running?",
            partial="".join(parts),
        ) from exc
    except ValidationError as exc:
        raise LLMError(f"Ollama at {m.host} sent a reply this client cannot read") from exc


def response_error(exc: ollama.ResponseError, model: str, host: str) -> LLMError:
    message = " ".join(str(exc.error).split())
    if exc.status_code == 404 and "model" in message.lower():
        return ModelMissingError(
            f"model {model!r} is not available in Ollama at {host}; run: ollama pull {model}"
        )
    if exc.status_code == 404:
        return LLMError(f"{host} answered 404 ({message}): is OLLAMA_HOST an Ollama server?")
    return LLMError(f"Ollama at {host} refused the request ({exc.status_code}): {message}")


# ---- helpers for doctor ---------------------------------------------------------------
def server_version(host: str, timeout_s: float = 1.0) -> str:
    """The server's version (``GET /api/version``); raises ``LLMUnreachableError``."""
    import httpx

    url = base_url(host)
    try:
        r = httpx.get(f"{url}/api/version", timeout=timeout_s)
        r.raise_for_status()
        return str(r.json().get("version", "unknown"))
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        raise LLMUnreachableError(f"Ollama is not reachable at {url}: {INSTALL_HINT}") from exc


def ping(host: str, timeout_s: float = 1.0) -> bool:
    try:
        server_version(host, timeout_s)
    except LLMUnreachableError:
        return False
    return True


def list_models(host: str, timeout_s: float = 2.0) -> list[str]:
    """Names of the models the server has (``GET /api/tags``)."""
    import httpx
    import ollama

    url = base_url(host)
    client = ollama.Client(host=url, timeout=httpx.Timeout(timeout_s, connect=timeout_s))
    try:
        listing = client.list()
    except ollama.ResponseError as exc:
        raise LLMError(
            f"{url} answered /api/tags with {exc.status_code}: is OLLAMA_HOST an Ollama server?"
        ) from exc
    except (httpx.HTTPError, ConnectionError, ValidationError) as exc:
        raise LLMUnreachableError(f"Ollama is not reachable at {url}: {INSTALL_HINT}") from exc
    finally:
        client.close()
    return [m.model for m in listing.models if m.model]


def has_model(name: str, available: Iterable[str]) -> bool:
    wanted = normalise_model_name(name)
    return any(normalise_model_name(a) == wanted for a in available)


# ---- cache ----------------------------------------------------------------------------
class ResponseCache(Protocol):
    """Stores model replies by request key (see ``cache_key``)."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, value: str) -> None: ...


def cache_key(
    model: str,
    messages: list[Message],
    format: dict[str, Any] | str | None,
    options: GenerateOptions,
) -> str:
    payload = {
        "model": model,
        "messages": [m.model_dump() for m in messages],
        "format": format,
        "options": options.to_ollama(),
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class SQLiteResponseCache:
    """A cache in one SQLite file; safe across threads and processes (one
    connection per call, WAL journal)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with closing(self._connect()) as db, db:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS replies ("
                    "key TEXT PRIMARY KEY, value TEXT NOT NULL, created REAL NOT NULL)"
                )
        except (sqlite3.Error, OSError) as exc:
            raise ConfigError(f"{path}: cannot open the LLM response cache: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10.0)

    def get(self, key: str) -> str | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT value FROM replies WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def put(self, key: str, value: str) -> None:
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT OR REPLACE INTO replies (key, value, created) VALUES (?, ?, ?)",
                (key, value, time.time()),
            )

    def __len__(self) -> int:
        with closing(self._connect()) as db:
            return int(db.execute("SELECT COUNT(*) FROM replies").fetchone()[0])


def default_cache_path(settings: Settings) -> Path:
    return settings.home / "llm-cache.sqlite3"


# ---- output checks --------------------------------------------------------------------
_FENCE = re.compile(r"^\s*```(?:json)?\s*\n?(.*?)\n?```\s*$", re.DOTALL)


def _strip_fences(text: str) -> str:
    match = _FENCE.match(text)
    return match.group(1) if match else text


def describe_validation_error(exc: ValidationError, limit: int = 5) -> str:
    """A compact one-line summary, e.g. ``points.0.text: Field required``."""
    items = []
    for err in exc.errors()[:limit]:
        loc = ".".join(str(p) for p in err["loc"]) or "(root)"
        items.append(f"{loc}: {err['msg']}")
    more = len(exc.errors()) - limit
    if more > 0:
        items.append(f"and {more} more")
    return "; ".join(items)


def _has_text(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, Mapping):
        return any(_has_text(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_text(v) for v in value)
    return False


def _has_text_slots(value: Any) -> bool:
    """Whether a value has any place where text could be (a string, list or null)."""
    if value is None or isinstance(value, str | list | tuple):
        return True
    if isinstance(value, Mapping):
        return any(_has_text_slots(v) for v in value.values())
    return False


def is_empty_value(value: BaseModel) -> bool:
    """What counts as an empty reply: schema-valid, but with no text anywhere, i.e.
    every string blank, every list empty, every optional null. A schema with only
    numbers and booleans is never empty."""
    data = value.model_dump()
    return _has_text_slots(data) and not _has_text(data)


# ---- the wrapper the features use -----------------------------------------------------
class LLM:
    """Chat and structured output on top of a ``ChatModel``. Owns the corrective
    retry for invalid structured output and the optional response cache."""

    def __init__(
        self,
        model: ChatModel,
        *,
        options: GenerateOptions | None = None,
        prompts_dir: Path,
        cache: ResponseCache | None = None,
        structured_retries: int = 1,
    ) -> None:
        self.model = model
        self.options = options or GenerateOptions()
        self.prompts_dir = prompts_dir
        self.cache = cache
        self.structured_retries = structured_retries
        self._retry_template: string.Template | None = None

    @property
    def name(self) -> str:
        return self.model.name

    def generate(
        self,
        messages: list[Message],
        *,
        format: dict[str, Any] | str | None = None,
        on_token: Callable[[str], None] | None = None,
        options: GenerateOptions | None = None,
    ) -> Generation:
        """One call, with the full ``Generation`` (done_reason, token counts)."""
        return self.model.generate(
            messages,
            format=format,
            options=options or self.options,
            stream=on_token is not None,
            on_token=on_token,
        )

    def chat(
        self,
        messages: list[Message],
        on_token: Callable[[str], None] | None = None,
        *,
        cache: ResponseCache | None = None,
    ) -> str:
        """Plain text. With ``on_token`` the reply streams; a cached reply is passed
        to ``on_token`` in one piece. A reply cut at ``num_predict`` is returned as is."""
        store = cache if cache is not None else self.cache
        key = cache_key(self.name, messages, None, self.options) if store is not None else ""
        if store is not None and (hit := store.get(key)) is not None:
            if on_token is not None:
                on_token(hit)
            return hit
        gen = self.generate(messages, on_token=on_token)
        if store is not None and gen.text.strip() and not gen.truncated:
            store.put(key, gen.text)
        return gen.text

    def structured(
        self,
        messages: list[Message],
        schema: type[T],
        *,
        cache: ResponseCache | None = None,
        allow_empty: bool = False,
        options: GenerateOptions | None = None,
    ) -> StructuredResult[T]:
        """A reply that validates as ``schema``, or a failure saying why. Sends the
        JSON schema as Ollama's ``format``; on invalid JSON, failed validation, a
        reply cut at the token limit or an empty reply (see ``is_empty_value``;
        ``allow_empty`` turns that check off) it retries once with the error in the
        prompt. Transport errors (``LLMError``) still raise."""
        store = cache if cache is not None else self.cache
        opts = options or self.options
        json_schema = schema.model_json_schema()
        history = list(messages)
        raw = ""
        error: str | None = None
        attempts = 0
        cut = False
        for attempt in range(1 + self.structured_retries):
            if attempt:
                history = [
                    *history,
                    Message.assistant(raw[:MAX_ECHOED_CHARS]),
                    Message.user(self._retry_prompt(error or "invalid reply")),
                ]
            key = cache_key(self.name, history, json_schema, opts) if store is not None else ""
            hit = store.get(key) if store is not None else None
            if hit is not None:
                value, error = self._check(hit, None, schema, allow_empty, opts)
                if value is not None:
                    return StructuredResult[T](
                        value=value, raw=hit, attempts=attempt + 1, cached=True
                    )
            attempts = attempt + 1
            gen = self.model.generate(history, format=json_schema, options=opts, stream=False)
            raw, cut = gen.text, gen.truncated
            value, error = self._check(raw, gen.done_reason, schema, allow_empty, opts)
            if value is not None:
                if store is not None:
                    store.put(key, raw)
                return StructuredResult[T](value=value, raw=raw, attempts=attempts)
        if cut:
            error = f"{error} (raise INTERVIEWER_NUM_PREDICT)"
        return StructuredResult[T](error=error, raw=raw, attempts=attempts)

    @staticmethod
    def _check(
        raw: str,
        done_reason: str | None,
        schema: type[T],
        allow_empty: bool,
        options: GenerateOptions,
    ) -> tuple[T | None, str | None]:
        if done_reason == "length":
            limit = f"num_predict={options.num_predict}" if options.num_predict else "the limit"
            # (Said to the model on a retry, whose prompt asks for a shorter reply, and
            # to the user: no instruction to either here.)
            return None, (
                f"the reply was cut off at the token limit ({limit}) before the JSON was "
                "complete"
            )
        if not raw.strip():
            return None, "the reply was empty; a JSON object was expected"
        try:
            value = schema.model_validate_json(_strip_fences(raw).strip())
        except ValidationError as exc:
            if any(e["type"] == "json_invalid" for e in exc.errors()):
                return None, f"the reply is not valid JSON ({exc.errors()[0]['msg']})"
            return None, f"the reply does not match the schema: {describe_validation_error(exc)}"
        if not allow_empty and is_empty_value(value):
            return None, "the reply has no content: every text field is empty"
        return value, None

    def _retry_prompt(self, error: str) -> str:
        if self._retry_template is None:
            path = self.prompts_dir / RETRY_PROMPT
            try:
                self._retry_template = string.Template(path.read_text(encoding="utf-8"))
            except OSError as exc:
                raise ConfigError(f"{path}: prompt file is missing ({exc.strerror})") from exc
        return self._retry_template.safe_substitute(error=error).strip()


def make_llm(settings: Settings, *, cache: ResponseCache | None = None) -> LLM | None:
    """The LLM the settings describe, or ``None`` when the LLM is off (``--no-llm``).
    Does not contact the server."""
    if not settings.use_llm:
        return None
    return LLM(
        OllamaModel.from_settings(settings),
        options=GenerateOptions.from_settings(settings),
        prompts_dir=settings.prompts_dir,
        cache=cache,
    )
