"""Text vectors kept beside the index, so that the question bank embeds each text of
the notes once: a key point repeated under nested units is embedded once per build,
and a bank rebuilt after an edit (or after an upgrade that changes the extraction)
embeds only the texts it has not seen. Profiling a cold bank build showed the
embedding of every key point as nearly all of its time."""

from __future__ import annotations

import contextlib
import hashlib
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from interviewer.settings import Settings

CACHE_FILE = "text-vectors.npz"


def _key(name: str, text: str) -> bytes:
    return hashlib.sha1(f"{name}\x00{text}".encode()).digest()


class CachedEmbedder:
    """An embedder that embeds each distinct text once and remembers the vectors of
    the texts it was asked for in ``path`` (the texts of the last build only, so the
    file never outgrows the bank). Everything else is the wrapped embedder's."""

    def __init__(self, inner: Any, path: Path | None) -> None:
        self.inner = inner
        self.name = inner.name
        self.path = path
        self._known: dict[bytes, np.ndarray] = self._read()
        self._used: dict[bytes, np.ndarray] = {}
        self.embedded = 0  # texts actually sent to the model (for benchmarks and tests)

    @property
    def dim(self) -> int:
        return int(self.inner.dim)

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.inner, attr)

    def _read(self) -> dict[bytes, np.ndarray]:
        import numpy as np

        if self.path is None or not self.path.is_file():
            return {}
        try:
            with np.load(self.path) as data:
                keys, vecs = data["keys"], data["vectors"]
        except (OSError, ValueError, KeyError):
            return {}  # a broken cache only costs a re-embedding
        if vecs.ndim != 2 or len(keys) != len(vecs):
            return {}
        return {bytes(k): v for k, v in zip(keys, vecs.astype(np.float32), strict=True)}

    def embed(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        keys = [_key(self.name, t) for t in texts]
        missing: dict[bytes, str] = {}
        for k, t in zip(keys, texts, strict=True):
            if k not in self._known and k not in missing:
                missing[k] = t
        if missing:
            vecs = self.inner.embed(list(missing.values()))
            self.embedded += len(missing)
            for k, v in zip(missing, vecs, strict=True):
                self._known[k] = np.asarray(v, dtype=np.float32)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = self._known[k]
            self._used[k] = out[i]
        if missing:
            self.save()
        return out

    def save(self) -> None:
        """Write the vectors of the texts used so far (atomically; a read-only data dir
        only costs the next build its embeddings)."""
        import numpy as np

        from interviewer.files import write_atomic

        if self.path is None or not self._used:
            return
        keys = np.array(list(self._used), dtype="S20")
        vecs = np.stack(list(self._used.values())).astype(np.float32)
        buf = io.BytesIO()
        np.savez(buf, keys=keys, vectors=vecs)
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, buf.getvalue())


def cached_embedder(settings: Settings, embedder: Any) -> CachedEmbedder:
    """The embedder, with the text vectors of this corpus's last bank build."""
    if isinstance(embedder, CachedEmbedder):
        return embedder
    return CachedEmbedder(embedder, settings.index_dir / CACHE_FILE)
