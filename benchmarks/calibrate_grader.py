"""Fit the grounded grader's thresholds and weights on the eval fixtures, honestly:
leave one corpus out. For each corpus, the values are fitted on the other corpora
and measured on it; the final values are fitted on every corpus. Wrong-claim rules
whose precision on held-out corpora is under 0.9 become advisory ("differs from your
notes, check", no score effect).

    python benchmarks/calibrate_grader.py [--fixtures DIR] [--only-corpus NAME ...]
        [--fields a,b] [--passes N] [--max-cases N] [--out FILE] [--dry-run] [--json]

Search: one field at a time over its candidates (``TUNABLE`` of
``interviewer.grading.params``), the others held at their defaults; each fold and
the final fit take, per field, the candidate with the best objective on their
training corpora and combine those greedily (a change is kept only if the
combination improves), then (with --passes > 1) refine that point field by field. Every evaluation grades the
fixtures of one corpus with the real grader and is cached, so folds share the work.

Objective, per training corpus then averaged (each corpus weighs the same): score
in range + missed-point recall + share of correct answers scoring >= 6 + share of
reversed answers scoring <= 5, minus 4 x the false-flag rate on correct answers
(false flags are the costlier error), minus the shortfall from each target.

Writes ``interviewer/grading/calibration.json``: the fitted values, the advisory
rules, the sha256 of the fixtures and corpora they came from, the per-corpus
leave-one-out numbers and the rules' held-out precision. The grading runs are CPU
heavy: on 2 cores a full run takes tens of minutes (--max-cases and --fields make
development runs short).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from interviewer.evals import (  # noqa: E402
    CaseResult,
    FixtureSet,
    LoadedCase,
    Metrics,
    RuleStats,
    compute_metrics,
    corpus_label,
    find_root,
    load_fixtures,
    sealed_dirs,
    select_corpora,
)

DEFAULT_OUT = REPO / "interviewer" / "grading" / "calibration.json"
PRECISION_FLOOR = 0.9
# The targets on each held-out corpus: (metric, bound, at least?).
TARGETS: tuple[tuple[str, float, bool], ...] = (
    ("correct_false_flag_rate", 0.03, False),
    ("missing_recall", 0.85, True),
    ("score_in_range", 0.85, True),
    ("correct_score_ok", 0.90, True),
    ("reversed_score_ok", 0.80, True),
)
REPORTED = tuple(name for name, _, _ in TARGETS) + (
    "correct_advisory_rate",
    "claim_precision",
    "false_flag_rate",
)

Values = dict[str, Any]
# Grades every case of one corpus with the given values; returns their results.
Evaluate = Callable[[Values, str], list[CaseResult]]


# ---- data ---------------------------------------------------------------------------


def data_hash(fixtures_dir: Path, fixtures: FixtureSet, root: Path) -> str:
    """sha256 over the fixture files and every corpus they name (path and bytes), so a
    calibration says exactly which data it was fitted on."""
    digest = hashlib.sha256()
    sealed = sealed_dirs(fixtures_dir)
    files = sorted(
        p for p in fixtures_dir.rglob("*")
        if p.suffix in (".yaml", ".yml") and p.relative_to(fixtures_dir).parts[0] not in sealed
    )  # fmt: skip
    for path in files:
        digest.update(b"fixture\0" + path.relative_to(fixtures_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    for corpus in sorted({c.case.corpus for c in fixtures.cases if c.case.corpus}):
        path = (root / corpus).resolve()
        members = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for member in members:
            digest.update(b"corpus\0" + corpus.encode() + b"\0" + member.name.encode() + b"\0")
            digest.update(member.read_bytes() + b"\0")
    return digest.hexdigest()


def group_by_corpus(fixtures: FixtureSet, max_cases: int | None) -> dict[str, list[LoadedCase]]:
    groups: dict[str, list[LoadedCase]] = {}
    for loaded in fixtures.cases:
        groups.setdefault(corpus_label(loaded.case.corpus), []).append(loaded)
    if max_cases:
        groups = {k: spread(v, max_cases) for k, v in groups.items()}
    return groups


def spread(cases: list[LoadedCase], n: int) -> list[LoadedCase]:
    """Up to ``n`` cases spread over the list (every kind of answer stays in)."""
    if len(cases) <= n:
        return cases
    step = len(cases) / n
    return [cases[int(i * step)] for i in range(n)]


# ---- objective and search -----------------------------------------------------------


def objective(m: Metrics) -> float:
    """Higher is better; a missing metric (nothing to measure) counts as met."""

    def get(name: str, default: float) -> float:
        v = getattr(m, name)
        return default if v is None else float(v)

    value = (
        get("score_in_range", 1.0)
        + get("missing_recall", 1.0)
        + get("correct_score_ok", 1.0)
        + get("reversed_score_ok", 1.0)
        - 4 * get("correct_false_flag_rate", 0.0)
    )
    for name, bound, at_least in TARGETS:
        v = get(name, bound)
        value -= max(0.0, bound - v) if at_least else 4 * max(0.0, v - bound)
    return value


def key_of(values: Values) -> str:
    return json.dumps(values, sort_keys=True, default=str)


class Search:
    """Cached evaluations and the field-at-a-time search over them."""

    def __init__(
        self,
        evaluate: Evaluate,
        corpora: Sequence[str],
        defaults: Values,
        grid: dict[str, list[Any]],
        on_eval: Callable[[str, Values, float], None] | None = None,
    ) -> None:
        self.evaluate = evaluate
        self.corpora = list(corpora)
        self.defaults = dict(defaults)
        self.grid = grid
        self._cache: dict[tuple[str, str], list[CaseResult]] = {}
        self.on_eval = on_eval
        self.evaluations = 0

    def results(self, values: Values, corpus: str) -> list[CaseResult]:
        key = (key_of(values), corpus)
        if key not in self._cache:
            t0 = time.perf_counter()
            self._cache[key] = self.evaluate(values, corpus)
            self.evaluations += 1
            if self.on_eval:
                self.on_eval(corpus, values, time.perf_counter() - t0)
        return self._cache[key]

    def metrics(self, values: Values, corpus: str) -> Metrics:
        return compute_metrics(self.results(values, corpus), {})

    def score(self, values: Values, corpora: Iterable[str]) -> float:
        names = list(corpora)
        return sum(objective(self.metrics(values, c)) for c in names) / max(1, len(names))

    def fit(self, corpora: Sequence[str], passes: int = 1) -> Values:
        """Pass 1: each field's best candidate with the others at their defaults
        (one at a time, so every fold reuses the same evaluations); then the winners
        are added greedily, largest gain first, each kept only if it still improves
        the combination (changes that help alone can hurt together). Later passes:
        coordinate ascent from that point."""
        base = self.score(self.defaults, corpora)
        winners: list[tuple[float, str, Any]] = []
        for name, candidates in self.grid.items():
            scored = [
                (self.score(self.defaults | {name: v}, corpora), -i, v)
                for i, v in enumerate(candidates)
            ]
            top = max(scored, key=lambda t: (t[0], t[1]))
            if top[0] > base:
                winners.append((top[0] - base, name, top[2]))
        best, current = dict(self.defaults), base
        for _, name, value in sorted(winners, key=lambda w: -w[0]):
            trial = best | {name: value}
            trial_score = self.score(trial, corpora)
            if trial_score > current:
                best, current = trial, trial_score
        for _ in range(passes - 1):
            changed = False
            for name, candidates in self.grid.items():
                for v in candidates:
                    trial = best | {name: v}
                    trial_score = self.score(trial, corpora)
                    if trial_score > current:
                        best, current, changed = trial, trial_score, True
            if not changed:
                break
        return best


def pool_rules(stats: Iterable[dict[str, RuleStats]]) -> dict[str, RuleStats]:
    pooled: dict[str, RuleStats] = {}
    for rules in stats:
        for name, r in rules.items():
            p = pooled.setdefault(name, RuleStats())
            p.flags += r.flags
            p.right += r.right
            p.wrong += r.wrong
            p.advisory += r.advisory
    for p in pooled.values():
        judged = p.right + p.wrong
        p.precision = round(p.right / judged, 4) if judged else None
    return pooled


def advisory_from(
    pooled: dict[str, RuleStats],
    current: Iterable[str] = (),
    floor: float = PRECISION_FLOOR,
    min_judged: int = 5,
) -> list[str]:
    """The advisory rules after calibration: a rule under the precision floor on
    held-out corpora becomes advisory; an advisory rule that proved precise there (at
    least ``min_judged`` judged flags) penalises again; a rule with too little evidence
    keeps its setting. The unnamed bucket and the model's claims are not rules of the
    grounded core."""
    advisory = set(current)
    for name, r in pooled.items():
        if name in ("unknown", "model") or r.precision is None:
            continue
        if r.precision < floor:
            advisory.add(name)
        elif r.right + r.wrong >= min_judged:
            advisory.discard(name)
    return sorted(advisory)


def calibrate(
    search: Search, passes: int = 1, advisory_field: str | None = "advisory_rules"
) -> dict[str, Any]:
    """Leave-one-corpus-out folds, the rules' held-out precision, the final fit, and the
    final values measured on every corpus (in-sample, for reference).

    In each fold the values are fitted on the other corpora, and so are the advisory
    rules (from the rules' precision there); the fold's numbers are then measured on
    the corpus left out. The final advisory rules come from the rules' precision on
    the corpora left out, pooled over the folds."""
    corpora = search.corpora
    current = list(search.defaults.get(advisory_field, [])) if advisory_field else []
    folds: dict[str, Any] = {}
    held_rules: list[dict[str, RuleStats]] = []
    for held in corpora:
        train = [c for c in corpora if c != held]
        values = search.fit(train, passes) if train else dict(search.defaults)
        if advisory_field and advisory_field in search.defaults:
            seen = pool_rules(search.metrics(values, c).rules for c in train)
            values = values | {advisory_field: advisory_from(seen, current)}
        m = search.metrics(values, held)
        # Which claims a rule finds does not depend on it being advisory.
        held_rules.append(m.rules)
        folds[held] = {
            "fitted_on": train,
            "values": values,
            "metrics": {k: getattr(m, k) for k in REPORTED} | {"cases": m.cases},
            "targets_met": targets_met(m),
        }
    pooled = pool_rules(held_rules)
    advisory = advisory_from(pooled, current)
    final = search.fit(corpora, passes)
    if advisory_field and advisory_field in search.defaults:
        final[advisory_field] = advisory
    in_sample, defaults = {}, {}
    for c in corpora:
        m = search.metrics(final, c)
        in_sample[c] = {k: getattr(m, k) for k in REPORTED} | {"cases": m.cases}
        m = search.metrics(search.defaults, c)
        defaults[c] = {k: getattr(m, k) for k in REPORTED} | {"cases": m.cases}
    return {
        "values": final,
        "advisory_rules": advisory,
        "loo": folds,
        "rules_held_out": {k: v.model_dump() for k, v in pooled.items()},
        "in_sample": in_sample,
        "defaults": defaults,
    }


def targets_met(m: Metrics) -> dict[str, bool | None]:
    out: dict[str, bool | None] = {}
    for name, bound, at_least in TARGETS:
        v = getattr(m, name)
        out[name] = None if v is None else (v >= bound if at_least else v <= bound)
    return out


# ---- the real grader ----------------------------------------------------------------


def grader_params() -> Any:
    try:
        return importlib.import_module("interviewer.grading.params")
    except ImportError as exc:
        raise SystemExit(
            f"error: the grader exposes no parameters yet (interviewer.grading.params: {exc})"
        ) from None


def real_evaluate(
    groups: dict[str, list[LoadedCase]], root: Path, params_mod: Any, jobs: int
) -> tuple[Evaluate, Values, dict[str, list[Any]]]:
    """An evaluator that grades one corpus's cases with the product's grader under the
    given values (no model), and the defaults and grid to search. Each corpus's grader
    is opened once; every evaluation grades with a copy under other values
    (``Grader.with_params``: same bank, embedder and caches)."""
    from interviewer.embeddings import get_embedder
    from interviewer.evals import CorpusGraders, GraderAdapter, ScoreContext, run_cases
    from interviewer.grading import Grader
    from interviewer.settings import load_settings

    settings = load_settings(use_llm=False)
    embedder = get_embedder(settings)
    ctx = ScoreContext(lambda: embedder)
    model = params_mod.GradingParams
    defaults: Values = model().model_dump(mode="json")
    grid: dict[str, list[Any]] = {k: list(v) for k, v in params_mod.TUNABLE.items()}
    base = CorpusGraders(settings, root, lambda s: Grader.open(s, use_llm=False))

    class WithParams(CorpusGraders):
        def __init__(self, params: Any) -> None:
            super().__init__(settings, root, base._opener)
            self.params = params

        def for_case(self, case: Any) -> Any:
            return GraderAdapter(base.for_case(case).with_params(self.params))

    def evaluate(values: Values, corpus: str) -> list[CaseResult]:
        graders = WithParams(model.model_validate(values))
        return run_cases(FixtureSet(cases=groups[corpus]), graders, ctx, jobs=jobs)

    return evaluate, defaults, grid


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fixtures", type=Path, default=REPO / "evals" / "fixtures")
    ap.add_argument("--only-corpus", action="append", default=[], help="Repeatable.")
    ap.add_argument("--fields", default="", help="Comma-separated TUNABLE fields to search.")
    ap.add_argument("--passes", type=int, default=1)
    ap.add_argument("--max-cases", type=int, default=0, help="Cases per corpus (0: all).")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--dry-run", action="store_true", help="Print, write nothing.")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    # A sealed (blind) set is never read here: nothing may be fitted on it.
    sealed = sealed_dirs(args.fixtures)
    if sealed:
        print(f"skipping sealed fixture dirs: {', '.join(sorted(sealed))}", file=sys.stderr)
    fixtures = load_fixtures(args.fixtures, skip_dirs=sealed)
    if fixtures.problems:
        for p in fixtures.problems:
            print(f"fixture error: {p}", file=sys.stderr)
        return 1
    if args.only_corpus:
        fixtures = select_corpora(fixtures, args.only_corpus)
    root = find_root(args.fixtures)
    groups = group_by_corpus(fixtures, args.max_cases or None)
    params_mod = grader_params()
    evaluate, defaults, grid = real_evaluate(groups, root, params_mod, args.jobs)
    if args.fields:
        wanted = [f.strip() for f in args.fields.split(",") if f.strip()]
        unknown = [f for f in wanted if f not in grid]
        if unknown:
            print(f"error: not tunable: {', '.join(unknown)}", file=sys.stderr)
            return 2
        grid = {k: grid[k] for k in wanted}

    def on_eval(corpus: str, values: Values, seconds: float) -> None:
        changed = {k: v for k, v in values.items() if defaults.get(k) != v}
        print(f"  graded {corpus} {changed or 'defaults'} in {seconds:.1f} s", file=sys.stderr)

    search = Search(evaluate, list(groups), defaults, grid, on_eval=on_eval)
    t0 = time.perf_counter()
    report = calibrate(search, passes=args.passes)
    report = {
        "version": 1,
        "fitted": datetime.now(UTC).isoformat(timespec="seconds"),
        "data_sha256": "sha256:" + data_hash(args.fixtures, fixtures, root),
        "fixtures": len(fixtures.cases),
        "sealed_skipped": sorted(sealed),
        "cases_per_corpus": {k: len(v) for k, v in groups.items()},
        "searched": list(grid),
        "evaluations": search.evaluations,
        "seconds": round(time.perf_counter() - t0, 1),
    } | report
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print_report(report)
    if not args.dry_run:
        write(params_mod, report, args.out)
        print(f"wrote {args.out}", file=sys.stderr)
    return 0


def write(params_mod: Any, report: dict[str, Any], out: Path) -> None:
    """In the grader's calibration format: ``params`` (the fitted values that differ
    from the defaults) and ``data_hash``; the rest of the report rides along."""
    values = report["values"]
    extra = {k: v for k, v in report.items() if k not in ("values", "data_sha256")}
    params = params_mod.GradingParams.model_validate(values)
    defaults = params_mod.GradingParams().model_dump(mode="json")
    fitted = {k: v for k, v in params.model_dump(mode="json").items() if defaults.get(k) != v}
    data = {"params": fitted, "data_hash": report["data_sha256"]} | extra
    out.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")


def print_report(report: dict[str, Any]) -> None:
    def fmt(v: Any) -> str:
        return "n/a" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v)

    print(f"data sha256 {report['data_sha256'][:16]}, {report['fixtures']} fixtures, "
          f"{report['evaluations']} evaluations in {report['seconds']} s")  # fmt: skip
    print("\nleave one corpus out (fitted on the others, measured on this one):")
    names = list(REPORTED)
    print("corpus".ljust(24) + "".join(n[:22].rjust(24) for n in names))
    for corpus, fold in report["loo"].items():
        row = corpus[:23].ljust(24)
        row += "".join(fmt(fold["metrics"][n]).rjust(24) for n in names)
        print(row)
    print("\nrules, precision on held-out corpora:")
    for name, r in report["rules_held_out"].items():
        print(f"  {name}: {r['right']} right, {r['wrong']} wrong of {r['flags']} flags, "
              f"precision {fmt(r['precision'])}")  # fmt: skip
    print("\nfor reference, every corpus with the final values / with the defaults:")
    for corpus in report["in_sample"]:
        final, base = report["in_sample"][corpus], report["defaults"][corpus]
        row = corpus[:23].ljust(24)
        row += "".join(f"{fmt(final[n])}/{fmt(base[n])}".rjust(24) for n in names)
        print(row)
    print(f"\nadvisory rules: {', '.join(report['advisory_rules']) or 'none'}")
    print("final values:", json.dumps(report["values"], sort_keys=True, default=str))


if __name__ == "__main__":
    raise SystemExit(main())
