"""A test query of the embedded Chroma store, run as a child process by
``interviewer.index.probe_store``: a damaged vector segment can crash the native
library, and such a crash must end this process, not the user's command.

Usage: ``python -m interviewer.storeprobe CHROMA_DIR COLLECTION IDS_JSON``. Prints one
JSON line: ``{"count": N, "problem": null | "one line"}``."""

from __future__ import annotations

import json
import sys

# What Chroma's long, nested error messages mean, in the user's words.
_KNOWN = (
    ("hnsw", "its vector index files are damaged"),
    ("pickle", "its vector index files are damaged"),
    ("error finding id", "its vector files are missing or incomplete"),
    ("disk image is malformed", "its database file is damaged"),
    ("file is not a database", "its database file is damaged"),
    ("readonly database", "its database cannot be written (read-only data dir?)"),
)


def describe_chroma_error(text: str) -> str:
    """One short line for a Chroma error message."""
    from interviewer.safety import one_line

    low = text.lower()
    for needle, meaning in _KNOWN:
        if needle in low:
            return meaning
    return one_line(text, 120)


def probe(path: str, collection: str, ids: list[str]) -> dict[str, object]:
    import chromadb
    import numpy as np
    from chromadb.config import Settings

    try:
        client = chromadb.PersistentClient(
            path=path, settings=Settings(anonymized_telemetry=False, allow_reset=False)
        )
        col = client.get_collection(collection)
        count = int(col.count())
        if not ids:
            return {"count": count, "problem": None}
        got = col.get(ids=ids, include=["embeddings"])
    except Exception as exc:  # noqa: BLE001 - every failure is the finding
        return {
            "count": None,
            "problem": f"the Chroma store cannot be read: {describe_chroma_error(str(exc))}",
        }
    found = dict(
        zip(got["ids"], got["embeddings"] if got["embeddings"] is not None else [], strict=False)
    )
    missing = [i for i in ids if i not in found]
    if missing:
        return {
            "count": count,
            "problem": f"the Chroma store lacks {len(missing)} of {len(ids)} sampled chunks",
        }
    for cid in ids:
        vector = np.asarray(found[cid], dtype=np.float32).reshape(1, -1)
        try:
            hit = col.query(query_embeddings=vector, n_results=min(3, count), include=["distances"])
        except Exception as exc:  # noqa: BLE001
            return {
                "count": count,
                "problem": f"the Chroma store fails a query: {describe_chroma_error(str(exc))}",
            }
        near = hit["ids"][0] if hit["ids"] else []
        dists = (hit.get("distances") or [[]])[0] or []
        # A chunk's own vector must find it (or an identical twin at distance ~0).
        if not near or (near[0] != cid and not (dists and float(dists[0]) < 1e-3)):
            return {
                "count": count,
                "problem": "the Chroma store answers queries wrongly: its vector files are damaged",
            }
    return {"count": count, "problem": None}


def main(argv: list[str]) -> int:
    path, collection, ids = argv[0], argv[1], json.loads(argv[2])
    sys.stdout.write(json.dumps(probe(path, collection, ids)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
