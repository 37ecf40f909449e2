"""Index and search benchmark. Prints:

- cold index time, incremental re-index after changing one file (and how many
  chunks it re-embedded), query latency p50/p95 in-process, peak memory: on the
  bundled corpus and on a synthetic corpus of 1,000 sections;
- `interviewer search` from a cold process against the floor (a bare script that
  imports chromadb, loads the embedding model, embeds the query and queries the
  collection), both medians of several runs, with where the time goes.

    python benchmarks/bench_index.py [--runs N] [--skip-synthetic]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUERIES = [
    "my model does great on training data but poorly on new data",
    "how does momentum help optimisation",
    "which metrics for an imbalanced classifier",
    "derivative of nested functions",
    "combining weak learners",
    "choosing a split in a decision tree",
    "multi label loss",
    "what is the frobenius norm",
]
TOPICS = [
    "regularisation", "attention", "batch normalisation", "dropout", "convolutions",
    "embeddings", "tokenisation", "optimisers", "calibration", "feature scaling",
    "gradient boosting", "kernels", "clustering", "sampling", "evaluation",
]  # fmt: skip


def synthetic_corpus(dest: Path, sections: int = 1000, files: int = 20) -> None:
    rng = random.Random(7)
    words = (REPO / "corpus" / "notes" / "ml-interview-notes.md").read_text().split()
    per_file = sections // files
    for f in range(files):
        lines = [f"---\ntitle: Synthetic notes {f}\n---"]
        for s in range(per_file):
            topic = TOPICS[(f * per_file + s) % len(TOPICS)]
            lines.append(f"# Question {f}.{s}: what do you know about {topic}?")
            for _ in range(rng.randint(2, 6)):
                lines.append("- " + " ".join(rng.choice(words) for _ in range(rng.randint(8, 24))))
            lines.append("")
        (dest / f"notes-{f:02d}.md").write_text("\n".join(lines), encoding="utf-8")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench_corpus(
    name: str, corpus: Path, one_file: Path, extra_env: dict[str, str] | None = None
) -> dict[str, object]:
    """Runs in a child process so that memory and cold-start numbers are its own."""
    code = f"""
import json, resource, time, statistics, sys
from pathlib import Path
t0 = time.perf_counter()
from interviewer.settings import load_settings
from interviewer.index import sync_index
from interviewer.retrieval import open_retriever
settings = load_settings(corpus=Path({str(corpus)!r}))
cold = sync_index(settings)
cold_s = time.perf_counter() - t0
f = Path({str(one_file)!r})
f.write_text(f.read_text(encoding="utf-8") + "\\n- one more line about learning rate warmup\\n", encoding="utf-8")
t1 = time.perf_counter()
inc = sync_index(settings)
inc_s = time.perf_counter() - t1
retriever = open_retriever(settings, ensure_index=False)
lat = []
for _ in range(5):
    for q in {QUERIES!r}:
        t = time.perf_counter(); retriever.search(q, k=5); lat.append((time.perf_counter() - t) * 1000)
lat.sort()
t2 = time.perf_counter()
retriever.search("¿cómo evito que mi modelo memorice los datos de entrenamiento?", k=5)
first_foreign_s = time.perf_counter() - t2
print(json.dumps(dict(
    first_foreign_query_s=first_foreign_s,
    cold_index_s=cold_s, cold_chunks=cold.chunks_embedded, sections=cold.total_sections,
    incremental_s=inc_s, incremental_embedded=inc.chunks_embedded, incremental_files=inc.files_changed,
    total_chunks=inc.total_chunks,
    query_p50_ms=lat[len(lat)//2], query_p95_ms=lat[int(0.95*(len(lat)-1))],
    peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
)))
"""
    env = dict(os.environ, INTERVIEWER_HOME=tempfile.mkdtemp(prefix=f"bench-{name}-"))
    env.update(extra_env or {})
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise SystemExit(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


FLOOR = """
import sys, time
t0 = time.perf_counter()
import chromadb
from chromadb.config import Settings
t1 = time.perf_counter()
from interviewer.embeddings import MiniLMEmbedder
emb = MiniLMEmbedder()
t2 = time.perf_counter()
vec = emb.embed([sys.argv[2]])[0]
t3 = time.perf_counter()
client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
col = client.get_collection(sys.argv[3])
col.query(query_embeddings=[vec.tolist()], n_results=5)
t4 = time.perf_counter()
print(f"{t1-t0:.3f} {t2-t1:.3f} {t3-t2:.3f} {t4-t3:.3f}")
"""


def bench_cold_search(runs: int) -> dict[str, object]:
    home = Path(tempfile.mkdtemp(prefix="bench-cold-"))
    env = dict(os.environ, INTERVIEWER_HOME=str(home))
    exe = [sys.executable, "-m", "interviewer"]
    subprocess.run([*exe, "index"], env=env, capture_output=True, check=True)
    from interviewer.index import collection_name
    from interviewer.settings import load_settings

    os.environ["INTERVIEWER_HOME"] = str(home)
    settings = load_settings()
    chroma_path = str(settings.index_dir / "chroma")
    query = QUERIES[0]
    floor, cli, phases, cli_off, cli_es = [], [], [], [], []
    env_off = dict(env, INTERVIEWER_MULTILINGUAL="off")
    spanish = "mi modelo va muy bien con los datos de entrenamiento pero mal con datos nuevos"
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.run(
            [sys.executable, "-c", FLOOR, chroma_path, query, collection_name(settings)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        floor.append(time.perf_counter() - t)
        phases.append([float(x) for x in p.stdout.split()])
        t = time.perf_counter()
        subprocess.run([*exe, "search", query, "--json"], env=env, capture_output=True, check=True)
        cli.append(time.perf_counter() - t)
        t = time.perf_counter()
        subprocess.run(
            [*exe, "search", query, "--json"], env=env_off, capture_output=True, check=True
        )
        cli_off.append(time.perf_counter() - t)
        t = time.perf_counter()
        subprocess.run([*exe, "search", spanish, "--json"], env=env, capture_output=True, check=True)
        cli_es.append(time.perf_counter() - t)
    imports = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "interviewer", "search", query, "--json"],
        env=env,
        capture_output=True,
        text=True,
    ).stderr
    top: list[tuple[int, str]] = []
    for line in imports.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            top.append((int(parts[1]), parts[2].rstrip()))
    top_level = [(us, mod) for us, mod in top if not mod.startswith("    ")]
    top_level.sort(reverse=True)
    help_runs = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([*exe, "--help"], env=env, capture_output=True, check=True)
        help_runs.append(time.perf_counter() - t)
    return {
        "floor_median_s": statistics.median(floor),
        "cli_search_median_s": statistics.median(cli),
        "overhead_s": statistics.median(cli) - statistics.median(floor),
        "cli_search_multilingual_off_median_s": statistics.median(cli_off),
        "cli_search_spanish_median_s": statistics.median(cli_es),
        "floor_phases_median_s": {
            name: statistics.median(p[i] for p in phases)
            for i, name in enumerate(["import chromadb", "load model", "embed", "open+query"])
        },
        "heaviest_imports_s": [(mod.strip(), us / 1e6) for us, mod in top_level[:8]],
        "help_median_s": statistics.median(help_runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--cold-only", action="store_true", help="only the cold-process numbers")
    args = parser.parse_args()
    if args.cold_only:
        args.skip_synthetic = True
    work = Path(tempfile.mkdtemp(prefix="bench-corpora-"))
    bundled = work / "bundled"
    shutil.copytree(REPO / "corpus", bundled)
    results: dict[str, dict[str, object]] = {}
    if not args.cold_only:
        results["bundled"] = bench_corpus("bundled", bundled, next(bundled.rglob("*.md")))
    if not args.skip_synthetic:
        synth = work / "synthetic"
        synth.mkdir()
        synthetic_corpus(synth)
        results["synthetic-1000"] = bench_corpus("synthetic", synth, synth / "notes-07.md")
    for name, r in results.items():
        print(f"== {name}: {r['sections']} sections, {r['total_chunks']} chunks")
        print(
            f"  cold index            {r['cold_index_s']:.2f} s ({r['cold_chunks']} chunks embedded)"
        )
        print(
            f"  re-index, 1 file changed {r['incremental_s']:.2f} s "
            f"({r['incremental_embedded']} chunks re-embedded, files {r['incremental_files']})"
        )
        print(
            f"  query latency         p50 {r['query_p50_ms']:.1f} ms, p95 {r['query_p95_ms']:.1f} ms"
        )
        print(f"  peak memory (RSS)     {r['peak_rss_mb']:.0f} MB")
        print(
            f"  first query not in English {r['first_foreign_query_s']:.2f} s "
            "(builds the multilingual vectors of every chunk, once)"
        )
    cold = bench_cold_search(args.runs)
    print(f"== cold process, median of {args.runs}")
    print(f"  floor (bare chromadb + model + embed + query)  {cold['floor_median_s']:.2f} s")
    for phase, secs in cold["floor_phases_median_s"].items():  # type: ignore[union-attr]
        print(f"      {phase:<16} {secs:.3f} s")
    print(f"  interviewer search --json                      {cold['cli_search_median_s']:.2f} s")
    print(
        f"  overhead over the floor                        {cold['overhead_s']:+.2f} s (target <= 0.30)"
    )
    print(
        f"  search, multilingual off                       "
        f"{cold['cli_search_multilingual_off_median_s']:.2f} s"
    )
    print(f"  search, a Spanish query                        {cold['cli_search_spanish_median_s']:.2f} s")
    print(f"  interviewer --help                             {cold['help_median_s']:.2f} s")
    print("  heaviest top-level imports of `search`:")
    for mod, secs in cold["heaviest_imports_s"]:  # type: ignore[union-attr]
        print(f"      {mod:<28} {secs:.3f} s")


if __name__ == "__main__":
    main()
