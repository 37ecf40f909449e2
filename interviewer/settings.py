"""Settings: environment variables (``INTERVIEWER_*``), an optional TOML config
file and command-line overrides, resolved once and passed down explicitly."""

from __future__ import annotations

import hashlib
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from interviewer.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent


def _source_checkout_dir(name: str) -> Path | None:
    """The top-level ``corpus/`` or ``prompts/`` of a source checkout, if we run from one."""
    root = PACKAGE_DIR.parent
    candidate = root / name
    if (root / "pyproject.toml").is_file() and candidate.is_dir():
        return candidate
    return None


def bundled_corpus_dir() -> Path:
    """The default corpus shipped with the package (or the checkout's ``corpus/``)."""
    return _source_checkout_dir("corpus") or PACKAGE_DIR / "_data" / "corpus"


def bundled_prompts_dir() -> Path:
    return _source_checkout_dir("prompts") or PACKAGE_DIR / "_data" / "prompts"


def default_home() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "interviewer"


def is_inside_installed_package(path: Path) -> bool:
    """True for a path inside site-packages: never write there."""
    resolved = path.resolve()
    return any(part in ("site-packages", "dist-packages") for part in resolved.parts)


class Settings(BaseSettings):
    """Everything configurable. Field ``x`` is read from ``INTERVIEWER_X``."""

    model_config = SettingsConfigDict(env_prefix="INTERVIEWER_", extra="ignore")

    home: Path = Field(default_factory=default_home, description="Data dir (index, sessions).")
    corpus: Path | None = Field(default=None, description="Corpus dir; default: bundled notes.")
    prompts_dir: Path = Field(default_factory=bundled_prompts_dir)

    # Chroma: embedded by default; a server when chroma_host is set.
    chroma_host: str | None = None
    chroma_port: int = 8000

    # Embeddings: the packaged offline ONNX model, or an Ollama embedding model.
    embedding_backend: Literal["onnx", "ollama"] = "onnx"
    ollama_embedding_model: str = "nomic-embed-text"
    embed_batch_size: int = 32

    # Chunking.
    chunk_size_tokens: int = 256
    chunk_overlap_tokens: int = 32
    max_file_bytes: int = 5_000_000
    # A second writer of the same index waits this long for the first, then gives up.
    index_lock_wait_s: float = 10.0

    # Retrieval. The fusion values below were fitted on the tuning split of
    # evals/retrieval/ (never the held-out one) by benchmarks/fit_retrieval.py;
    # re-fit them there rather than by hand.
    top_k: int = 5
    candidates: int = 15  # candidates taken from each retriever
    rrf_k: float = 3  # reciprocal rank fusion constant
    # Weights of each ranked list (English model dense, BM25, multilingual dense) for
    # an English query and an English chunk, and below, the foreign_* ones for a query
    # and a chunk in different languages (in notes that mix languages, each chunk
    # pairs with the query by its own language: retrieval.language_pairs).
    dense_weight: float = 1.0
    bm25_weight: float = 0.5
    heading_weight: float = 0.0  # BM25 on the heading path, added to the text score
    # Dense score of a chunk: its vector's similarity plus this times its best
    # sentence window's (interviewer/window_index.py).
    window_weight: float = 1.5
    stub_weight: float = 0.8  # factor on a stub section's score in each retriever
    # Multilingual dense search (multilingual-e5-small) for queries in a language
    # other than the notes'; its vectors are built at the first such query. "off": never.
    multilingual: Literal["auto", "off"] = "auto"
    multilingual_weight: float = 0.0
    foreign_dense_weight: float = 0.5
    foreign_bm25_weight: float = 0.0
    foreign_multilingual_weight: float = 2.0
    # Query and chunk in one language other than English (retrieval.NATIVE_PAIR).
    native_dense_weight: float = 0.5
    native_bm25_weight: float = 0.0
    native_multilingual_weight: float = 1.5
    # A query term that only one section of the notes holds (a number, an identifier, a
    # rare name) puts BM25's best chunk first when its BM25 score is at least this many
    # times that of any other section (0: off).
    exact_margin: float = 2.0
    # Dense search's best section goes first when its dense score (similarity plus
    # window_weight times its best window's) leads every other section's by at least
    # this much, whatever BM25 says (English query and chunk; 0: off).
    dense_margin: float = 0.1

    # LLM via Ollama.
    model: str = "qwen2.5:7b-instruct"
    use_llm: bool = True
    ollama_host: str = Field(
        default_factory=lambda: os.environ.get("OLLAMA_HOST", "http://127.0.0.1:11434")
    )
    llm_timeout_s: float = 120.0
    connect_timeout_s: float = 2.0
    keep_alive: str | None = "10m"
    temperature: float = 0.2
    seed: int | None = None
    num_predict: int = 1024
    num_ctx: int | None = None

    # References.
    fetch_timeout_s: float = 10.0
    fetch_max_bytes: int = 5_000_000
    fetch_concurrency: int = 4
    allow_private_urls: bool = False

    @field_validator("home", "corpus", "prompts_dir", "chroma_host", mode="before")
    @classmethod
    def _empty_is_unset(cls, v: Any, info: ValidationInfo) -> Any:
        # `INTERVIEWER_HOME=` (set but empty) means "the default", never the current dir.
        if isinstance(v, str) and not v.strip():
            return default_home() if info.field_name == "home" else (
                bundled_prompts_dir() if info.field_name == "prompts_dir" else None
            )
        return v

    @field_validator("home", "corpus", "prompts_dir", mode="after")
    @classmethod
    def _expand(cls, v: Path | None) -> Path | None:
        # A relative path means relative to where the command was started: made absolute
        # now, so that sessions, indexes and messages never depend on a later cwd.
        return Path(os.path.abspath(v.expanduser())) if v is not None else None

    # ---- derived paths -------------------------------------------------------------
    @property
    def corpus_dir(self) -> Path:
        if self.corpus is not None:
            return self.corpus
        user_default = self.home / "corpus"
        # `interviewer add` on the bundled corpus creates a user corpus that becomes default.
        if (user_default / ".interviewer-corpus").is_file():
            return user_default
        return bundled_corpus_dir()

    @property
    def index_dir(self) -> Path:
        """Each corpus dir gets its own index, so two corpora never mix."""
        resolved = str(self.corpus_dir.resolve())
        digest = hashlib.sha256(resolved.encode()).hexdigest()[:12]
        name = self.corpus_dir.resolve().name or "corpus"
        return self.home / "indexes" / f"{name}-{digest}"

    @property
    def sessions_db(self) -> Path:
        return self.home / "sessions.sqlite3"

    @property
    def store_mode(self) -> str:
        if self.chroma_host:
            return f"http://{self.chroma_host}:{self.chroma_port}"
        return "embedded"


def config_file_path() -> Path:
    explicit = os.environ.get("INTERVIEWER_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME")
    base = Path(xdg) if xdg else Path.home() / ".config"
    return base / "interviewer" / "config.toml"


def load_settings(**overrides: Any) -> Settings:
    """Config file < environment < explicit overrides (``None`` overrides are ignored)."""
    from_file: dict[str, Any] = {}
    path = config_file_path()
    if path.is_file():
        try:
            from_file = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
            raise ConfigError(f"{path}: invalid config file: {exc}") from exc
    unknown = sorted(k for k in from_file if k not in Settings.model_fields)
    if unknown:
        raise ConfigError(f"{path}: unknown setting {unknown[0]!r} (names as in the README)")
    try:
        env_settings = Settings()
    except ValidationError as exc:
        raise ConfigError(_invalid(exc, "environment variable INTERVIEWER_{NAME}")) from None
    merged = dict(from_file)
    # Environment wins over the file: keep only values that the environment did set.
    for name in env_settings.model_fields_set:
        merged[name] = getattr(env_settings, name)
    if "ollama_host" not in env_settings.model_fields_set and os.environ.get("OLLAMA_HOST"):
        # Ollama's own variable is the environment too (it is read by a default factory,
        # so pydantic does not count it as set).
        merged["ollama_host"] = os.environ["OLLAMA_HOST"]
    merged.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**merged) if merged else env_settings
    except ValidationError as exc:
        raise ConfigError(_invalid(exc, f"{path} or an option")) from None


def _invalid(exc: ValidationError, where: str) -> str:
    """One line for the first invalid value: which setting, what was given, why."""
    err = exc.errors()[0]
    name = str(err["loc"][0]) if err.get("loc") else "?"
    given = err.get("input")
    shown = f" = {given!r}" if isinstance(given, str | int | float | bool) else ""
    return (
        f"invalid setting {name}{shown} (from the {where.replace('{NAME}', name.upper())}): "
        f"{err['msg']}"
    )
