"""Question bank of a large corpus: how long the corpus takes to read into units, the
bank to extract (once), and the bank to load once it is cached beside the index.

Target (issue 9): the bank of a 1,000-unit corpus loads in under 1 s once indexed.
It also times a rebuild after one file is edited (only new texts are embedded).

    python benchmarks/bench_bank.py [--units N] [--files F] [--rounds R] [--json]

The corpus is generated: F files mixing every shape (headings that ask, bold and
Q:/A: questions, numbered questions, <details> blocks, callouts, topic headings), with
made-up words so that no two answers repeat. The embedder is the real one.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

WORDS = (
    "alpha beta gamma delta epsilon zeta theta kappa lambda sigma omega vector matrix "
    "buffer socket kernel thread queue index shard replica ledger cursor packet frame "
    "token parser router cache bucket tensor gradient kernel filter stream batch window"
).split()


def sentence(rng: random.Random, n: int = 12) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def unit_text(i: int, rng: random.Random) -> str:
    name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}"
    answer = f"{sentence(rng)} {sentence(rng)}"
    shape = i % 7
    if shape == 0:
        return f"## What is the {name}?\n\n{answer}\n"
    if shape == 1:
        return f"**Why does the {name} matter?**\n\n{answer}\n"
    if shape == 2:
        return f"Q: How is the {name} built?\nA: {answer}\n"
    if shape == 3:
        return f"{i}. What does the {name} return?\n   {answer}\n"
    if shape == 4:
        return f"<details><summary>When is the {name} used?</summary>\n\n{answer}\n\n</details>\n"
    if shape == 5:
        return f"> [!question] Which {name} wins?\n> {answer}\n"
    return f"## {name.title()}\n\n{answer} {sentence(rng)}\n"


def make_corpus(root: Path, units: int, files: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    per = max(1, units // files)
    for f in range(files):
        parts = [f"# Notes {f}\n"]
        for i in range(f * per, min(units, (f + 1) * per)):
            if i % 7 == 1:
                # Marked questions sit under a plain heading, as in real notes.
                parts.append(f"## Part {i}\n")
            parts.append(unit_text(i, rng))
        (root / f"notes-{f:03d}.md").write_text("\n".join(parts), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="interviewer-bench-bank-"))
    os.environ["INTERVIEWER_HOME"] = str(tmp / "home")
    corpus = tmp / "corpus"
    corpus.mkdir()
    make_corpus(corpus, args.units, args.files)

    from interviewer.corpus import load_corpus
    from interviewer.embeddings import get_embedder
    from interviewer.grading import Grader
    from interviewer.settings import load_settings
    from interviewer.units import units_of

    settings = load_settings(corpus=corpus, use_llm=False)
    started = time.perf_counter()
    docs = load_corpus(corpus).documents
    read_s = time.perf_counter() - started
    n_units = sum(len(units_of(d)) for d in docs)

    embedder = get_embedder(settings)
    started = time.perf_counter()
    first = Grader(settings, embedder=embedder)
    n_questions = len(first.questions())
    extract_s = time.perf_counter() - started

    loads: list[float] = []
    for _ in range(args.rounds):
        grader = Grader(settings, embedder=embedder)
        started = time.perf_counter()
        grader.bank  # noqa: B018 - the load is what is timed
        loads.append(time.perf_counter() - started)
    # One file edited: the bank is extracted again, but only new texts are embedded
    # (the text vectors of the last build are kept beside the index).
    edited = corpus / "notes-000.md"
    edited.write_text(
        edited.read_text(encoding="utf-8") + "\n" + unit_text(args.units + 1, random.Random(1)),
        encoding="utf-8",
    )
    grader = Grader(settings, embedder=embedder)
    started = time.perf_counter()
    grader.bank  # noqa: B018 - the rebuild is what is timed
    rebuild_s = time.perf_counter() - started
    result = {
        "files": args.files,
        "units": n_units,
        "questions": n_questions,
        "read_units_s": round(read_s, 3),
        "extract_bank_once_s": round(extract_s, 2),
        "load_cached_bank_s": {
            "median": round(statistics.median(loads), 3),
            "max": round(max(loads), 3),
        },
        "rebuild_after_one_edit_s": round(rebuild_s, 2),
        "target_s": 1.0,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{n_units} units ({n_questions} questions) in {args.files} files")
    print(f"read into units:        {read_s:.3f} s")
    print(f"extract bank (once):    {extract_s:.2f} s")
    print(
        f"load cached bank:       median {statistics.median(loads):.3f} s, "
        f"max {max(loads):.3f} s over {args.rounds} rounds (target < 1 s)"
    )
    print(f"rebuild after one edit: {rebuild_s:.2f} s (known texts are not embedded again)")


if __name__ == "__main__":
    main()
