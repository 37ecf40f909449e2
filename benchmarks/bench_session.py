"""Grounded-core latency per session turn, no LLM, in-process: the time from an
answer submitted to its feedback shown and saved (grade_grounded + FSRS review +
SQLite commit), over the bundled questions with varied answers.

Target (issue 4): p95 under 150 ms, so feedback appears at once.

    python benchmarks/bench_session.py [--corpus DIR] [--rounds N] [--json]

Answers per question: the eval fixtures' answers for it (evals/fixtures/**/*.yaml),
plus synthetic ones: "I don't know", the first key point only, all key points
verbatim, and another question's key points (off-topic).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


LENGTH_BUCKETS = [("1-60", 60), ("61-200", 200), ("201+", 10**9)]


def length_bucket(answer: str) -> str:
    words = len(answer.split())
    return next(name for name, top in LENGTH_BUCKETS if words <= top)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def fixture_answers() -> dict[str, list[str]]:
    by_question: dict[str, list[str]] = {}
    # Fixtures live in one folder per corpus; only the bundled corpus's questions match.
    for path in sorted((REPO / "evals" / "fixtures").rglob("*.yaml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            if isinstance(item, dict) and item.get("question") and item.get("answer"):
                by_question.setdefault(str(item["question"]).strip(), []).append(
                    str(item["answer"])
                )
    return by_question


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=REPO / "corpus")
    parser.add_argument("--rounds", type=int, default=3, help="passes over all answers")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    os.environ.setdefault("INTERVIEWER_HOME", tempfile.mkdtemp(prefix="interviewer-bench-"))
    sys.path.insert(0, str(REPO))
    from interviewer.grading import Grader
    from interviewer.scheduling import corpus_key, review
    from interviewer.settings import load_settings
    from interviewer.store import PlannedQuestion, SessionRecord, SessionStore, TurnRecord, utcnow

    settings = load_settings(corpus=args.corpus, use_llm=False)
    started = time.perf_counter()
    grader = Grader.open(settings, use_llm=False)
    open_s = time.perf_counter() - started
    questions = grader.questions()
    fixtures = fixture_answers()
    graded = [q for q in questions if q.notes_status == "ok" and q.key_points]
    cases: list[tuple[object, str]] = []
    for i, q in enumerate(questions):
        answers = list(fixtures.get(q.text.strip(), []))
        answers.append("I don't know.")
        if q.key_points:
            answers.append(q.key_points[0].text)
            answers.append("\n".join(kp.text for kp in q.key_points))
        if graded:
            other = graded[(i + 1) % len(graded)]
            if other.id != q.id:
                answers.append(" ".join(kp.text for kp in other.key_points[:4]))
        cases.extend((q, a) for a in answers)

    key = corpus_key(settings)
    now = utcnow()
    grade_ms: list[float] = []
    turn_ms: list[float] = []
    # Grading embeds every claim of the answer: long answers cost more.
    by_length: dict[str, list[float]] = {name: [] for name, _ in LENGTH_BUCKETS}
    with SessionStore(settings.sessions_db) as store:
        record = store.create_session(
            SessionRecord(
                id="bench",
                corpus=key,
                corpus_dir=str(settings.corpus_dir),
                created_at=now,
                updated_at=now,
                plan=[PlannedQuestion(id=q.id, text=q.text) for q, _ in cases],
            )
        )
        # Warm-up: first-call costs (lazy caches) are not per-turn latency.
        for q, a in cases[:3]:
            grader.grade_grounded(q, a)  # type: ignore[arg-type]
        index = 0
        for _ in range(args.rounds):
            for q, answer in cases:
                t0 = time.perf_counter()
                fb = grader.grade_grounded(q, answer)  # type: ignore[arg-type]
                t1 = time.perf_counter()
                card = review(
                    store.card(key, q.id),  # type: ignore[attr-defined]
                    corpus=key,
                    question_id=q.id,  # type: ignore[attr-defined]
                    score=fb.score,
                )
                store.save_turn(
                    record.id,
                    TurnRecord(
                        index=index,
                        question_id=q.id,  # type: ignore[attr-defined]
                        question=q.text,  # type: ignore[attr-defined]
                        answer=answer,
                        feedback=fb,
                    ),
                    card,
                )
                t2 = time.perf_counter()
                index += 1
                grade_ms.append((t1 - t0) * 1000)
                turn_ms.append((t2 - t0) * 1000)
                by_length[length_bucket(answer)].append((t2 - t0) * 1000)

    # The draft store writes (and fdatasyncs) every line typed: its cost per line is
    # paid while typing, not between the answer and its feedback.
    from interviewer.drafts import DraftStore

    drafts = DraftStore(settings.sessions_db.parent / "drafts")
    draft_ms: list[float] = []
    for q, answer in cases[:40]:
        writer = drafts.writer("bench", 0, 0, q.text)  # type: ignore[attr-defined]
        lines: list[str] = []
        for line in answer.splitlines() or [answer]:
            lines.append(line)
            t0 = time.perf_counter()
            writer.update(lines)
            draft_ms.append((time.perf_counter() - t0) * 1000)
        writer.clear()

    result = {
        "questions": len(questions),
        "answers": len(cases),
        "turns_timed": len(turn_ms),
        "grader_open_s": round(open_s, 2),
        "grade_ms": {
            "p50": round(statistics.median(grade_ms), 1),
            "p95": round(percentile(grade_ms, 0.95), 1),
            "max": round(max(grade_ms), 1),
        },
        "turn_ms": {
            "p50": round(statistics.median(turn_ms), 1),
            "p95": round(percentile(turn_ms, 0.95), 1),
            "max": round(max(turn_ms), 1),
        },
        "turn_ms_by_answer_words": {
            name: {
                "turns": len(v),
                "p50": round(statistics.median(v), 1),
                "p95": round(percentile(v, 0.95), 1),
            }
            for name, v in by_length.items()
            if v
        },
        "draft_line_ms": {
            "lines": len(draft_ms),
            "p50": round(statistics.median(draft_ms), 2),
            "p95": round(percentile(draft_ms, 0.95), 2),
        },
        "target_p95_ms": 150,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"{result['questions']} questions, {result['answers']} answers x {args.rounds} rounds "
        f"= {result['turns_timed']} turns (grader opened in {open_s:.2f} s)"
    )
    for name in ("grade_ms", "turn_ms"):
        r = result[name]
        print(f"{name:9s} p50 {r['p50']:7.1f}  p95 {r['p95']:7.1f}  max {r['max']:7.1f}")  # type: ignore[index]
    for name, r in result["turn_ms_by_answer_words"].items():  # type: ignore[attr-defined]
        print(f"  answers of {name:>8s} words: {r['turns']:4d} turns, p50 {r['p50']:7.1f}  "
              f"p95 {r['p95']:7.1f}")
    d = result["draft_line_ms"]
    print(f"draft line saved (fdatasync): p50 {d['p50']:.2f} ms  p95 {d['p95']:.2f} ms "  # type: ignore[index]
          f"over {d['lines']} lines")  # type: ignore[index]
    print(f"target: turn p95 < {result['target_p95_ms']} ms")


if __name__ == "__main__":
    main()
