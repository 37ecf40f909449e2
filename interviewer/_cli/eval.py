"""`interviewer eval run|score|compare`: grade the rubric fixtures, re-score stored
feedback, compare two runs. The work happens in ``interviewer.evals``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from interviewer._cli.common import (
    CorpusOpt,
    JsonOpt,
    ModelOpt,
    NoLlmOpt,
    err_console,
    out_console,
    print_json,
    settings_from,
    write_text,
)
from interviewer.plurals import counted

if TYPE_CHECKING:
    from interviewer.evals import Comparison, Results

app = typer.Typer(
    name="eval",
    help="Measure the interviewer's feedback against rubric fixtures.",
    no_args_is_help=True,
    add_completion=False,
)


class Format(StrEnum):
    md = "md"
    html = "html"


FixturesOpt = Annotated[
    Path | None,
    typer.Option("--fixtures", help="Fixtures dir or file (default: evals/fixtures)."),
]
FormatOpt = Annotated[
    Format | None,
    typer.Option("--format", help="Also write a report for people next to the results file."),
]


def _fixtures_dir(given: Path | None) -> Path:
    if given is not None:
        return given
    from interviewer.settings import PACKAGE_DIR

    for candidate in (PACKAGE_DIR.parent / "evals" / "fixtures", Path("evals") / "fixtures"):
        if candidate.is_dir():
            return candidate
    from interviewer.evals import FixtureError

    raise FixtureError("no evals/fixtures dir here; pass --fixtures DIR")


def _write_report(results: Results, results_path: Path, fmt: Format, suffix: str = "") -> Path:
    from interviewer.evals_report import render_results

    path = results_path.with_name(results_path.stem + suffix + "." + fmt.value)
    path.write_text(render_results(results, fmt.value), encoding="utf-8")
    return path


def _print_results(results: Results) -> None:
    from rich.markup import escape
    from rich.table import Table

    from interviewer.evals_report import case_status, failed_checks, metric_rows

    table = Table(title="cases", show_lines=False)
    _id_column(table, [c.id for c in results.cases])
    for col in ("status", "score", "expected", "failed checks"):
        table.add_column(col, overflow="fold")
    for case in results.cases:
        status = case_status(case)
        style = "green" if status in ("pass", "100%") else "red"
        expected = next((c.item for c in case.checks if c.kind == "score"), "")
        score = f"{case.feedback.score:g}" if case.feedback else "-"
        table.add_row(
            escape(case.id), f"[{style}]{status}[/]", score, escape(expected),
            escape("\n".join(failed_checks(case))),
        )  # fmt: skip
    metrics = Table(title="metrics")
    metrics.add_column("metric")
    metrics.add_column("value", justify="right")
    for name, value in metric_rows(results.metrics):
        metrics.add_row(name, value)
    out = out_console()
    out.print(table)
    out.print(metrics)
    _print_breakdowns(results)


# A case id is one word to search for: never wrapped at its hyphens (up to this width;
# a longer one is shortened with an ellipsis rather than split over lines).
MAX_ID_WIDTH = 40


def _id_column(table: Any, ids: list[str]) -> None:
    """The "case" column: as wide as the longest id, which is never wrapped; the other
    columns fold around it."""
    width = min(max((len(i) for i in ids), default=4), MAX_ID_WIDTH)
    table.add_column("case", no_wrap=True, overflow="ellipsis", min_width=max(width, 4))


def _print_breakdowns(results: Results) -> None:
    """Every target metric per corpus, and each wrong-claim rule's precision."""
    from rich.markup import escape
    from rich.table import Table

    from interviewer.evals_report import RULE_HEADER, corpus_table, rule_rows

    out = out_console()
    if len(results.by_corpus) > 1 or (results.by_corpus and "default" not in results.by_corpus):
        header, rows = corpus_table(results)
        per = Table(title="per corpus")
        for i, col in enumerate(header):
            per.add_column(escape(col), justify="left" if i == 0 else "right", overflow="fold")
        for row in rows:
            per.add_row(*(escape(c) for c in row))
        out.print(per)
    if results.metrics.rules:
        rules = Table(title="wrong-claim rules (all corpora)")
        for i, col in enumerate(RULE_HEADER):
            rules.add_column(col, justify="left" if i == 0 else "right")
        for row in rule_rows(results.metrics):
            rules.add_row(*(escape(c) for c in row))
        out.print(rules)


def _warn_problems(results: Results) -> None:
    from rich.markup import escape

    err = err_console()
    if results.run.partial:
        err.print(
            f"[yellow]note:[/] partial run: {results.run.completed} of {results.run.total} "
            "cases were graded before it stopped",
            markup=True, highlight=False,
        )  # fmt: skip
    for problem in results.fixture_problems:
        err.print(f"[yellow]fixture error:[/] {escape(str(problem))}", markup=True, highlight=False)
    if results.unscored:
        err.print(
            f"[yellow]note:[/] {counted(len(results.unscored), 'fixture')} without stored "
            "feedback: "
            + escape(", ".join(results.unscored)),
            markup=True,
            highlight=False,
        )


@app.command("run")
def run(
    fixtures: FixturesOpt = None,
    model: ModelOpt = None,
    no_llm: NoLlmOpt = False,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Results file (default: under the data dir).")
    ] = None,
    json_out: JsonOpt = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Cases graded at once.")] = 2,
    repeat: Annotated[
        int, typer.Option("--repeat", min=1, help="Grade each case R times (consistency).")
    ] = 1,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Bypass the model-response cache.")
    ] = False,
    fmt: FormatOpt = None,
    corpus: CorpusOpt = None,
    only_corpus: Annotated[
        list[str] | None,
        typer.Option(
            "--only-corpus",
            metavar="NAME",
            help="Grade only the fixtures of this corpus (name or path part; repeatable).",
        ),
    ] = None,
    calibration: Annotated[
        Path | None,
        typer.Option(
            "--calibration",
            help="Grade with the values of this calibration file (default: the installed ones).",
        ),
    ] = None,
) -> None:
    """Grade every fixture through the grader and score the feedback. A fixture that
    names its corpus is graded against those notes; the others against --corpus."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from interviewer.evals import default_results_path, run_eval, save_results

    if model is not None and no_llm:
        raise typer.BadParameter("--model and --no-llm exclude each other")
    settings = settings_from(corpus, model=model, no_llm=no_llm)
    if corpus is not None:
        # Fixtures that name their notes never read it: a typo would pass unseen.
        from interviewer._cli.checks import check_corpus

        check_corpus(settings, corpus)
    fixtures_dir = _fixtures_dir(fixtures)
    params = None
    if calibration is not None:
        from interviewer.grading.params import load_params

        if not calibration.is_file():
            raise typer.BadParameter(f"calibration file not found: {calibration}")
        params = load_params(calibration)
    err = err_console()
    use_llm = settings.use_llm
    if use_llm:
        from rich.markup import escape

        from interviewer.session import engine_status

        # Like `interview`: the model is used when Ollama serves it. Otherwise the run is
        # a grounded run and is labelled so, never "ollama:<model>" with no model in it.
        engine = engine_status(settings)
        if not engine.use_llm:
            use_llm = False
            err.print(
                f"[yellow]note:[/] {escape(engine.notice or 'model unavailable')} "
                "This run is recorded as grounded.",
                markup=True, highlight=False,
            )  # fmt: skip
    from interviewer.evals import EvalInterrupted

    # Known before grading: the run is saved there as it goes, so Ctrl-C or a crash
    # keeps every finished case.
    path = out or default_results_path(
        settings, f"ollama:{settings.model}" if use_llm else "grounded"
    )
    try:
        with Progress(
            TextColumn("grading"), BarColumn(), MofNCompleteColumn(),
            console=err, transient=True, disable=not err.is_terminal,
        ) as bar:  # fmt: skip
            task = bar.add_task("grading", total=None)

            def on_progress(done: int, total: int, _case: object) -> None:
                bar.update(task, completed=done, total=total)

            results = run_eval(
                settings,
                fixtures_dir,
                use_llm=use_llm,
                jobs=jobs,
                repeat=repeat,
                cache=not no_cache,
                on_progress=on_progress,
                checkpoint=path,
                only_corpus=only_corpus or (),
                params=params,
            )
    except EvalInterrupted as stopped:
        if stopped.save_error is not None:
            raise stopped.save_error from None
        run_info = stopped.results.run if stopped.results else None
        done = f"{run_info.completed} of {run_info.total} cases" if run_info else "partial"
        err.print(
            f"interrupted: partial results ({done}) in {path}",
            highlight=False, markup=False, soft_wrap=True,
        )  # fmt: skip
        raise typer.Exit(130) from None
    from interviewer.evals import ResultsError

    # A results file that cannot be written must not throw the run away: show it first.
    save_error: ResultsError | None = None
    try:
        save_results(results, path)
    except ResultsError as exc:
        save_error = exc
    _warn_problems(results)
    report = _write_report(results, path, fmt) if fmt and save_error is None else None
    if json_out:
        print_json(results.model_dump(mode="json"))
    else:
        _print_results(results)
    if save_error is not None:
        raise save_error
    err.print(f"results: {path}", highlight=False, markup=False, soft_wrap=True)
    if report:
        err.print(f"report: {report}", highlight=False, markup=False, soft_wrap=True)
    if results.fixture_problems:
        # The good fixtures' results are saved above; a broken one still fails the run,
        # so that a script or CI does not read a partial measurement as a whole one.
        files = sorted({p.file for p in results.fixture_problems})
        err.print(
            f"error: {counted(len(files), 'fixture file')} with errors ({', '.join(files)}): "
            "the other fixtures were graded",
            highlight=False, markup=False, soft_wrap=True,
        )  # fmt: skip
        raise typer.Exit(1)


@app.command("score")
def score(
    feedback: Annotated[
        Path, typer.Option("--feedback", help="A results file written by `eval run`.")
    ],
    fixtures: FixturesOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the re-scored results here.")
    ] = None,
    json_out: JsonOpt = False,
    fmt: FormatOpt = None,
) -> None:
    """Re-score the feedback stored in a results file (matched by case id), without
    grading again."""
    from interviewer.evals import load_fixtures, load_results, rescore, save_results

    stored = load_results(feedback)
    fixture_set = load_fixtures(_fixtures_dir(fixtures))
    settings = settings_from()
    results = rescore(stored, fixture_set, settings=settings)
    if out is not None:
        save_results(results, out)
    _warn_problems(results)
    report = None
    if fmt:
        report = _write_report(results, out or feedback, fmt, "" if out else ".rescored")
    if json_out:
        print_json(results.model_dump(mode="json"))
    else:
        _print_results(results)
    if report:
        err_console().print(f"report: {report}", highlight=False, markup=False, soft_wrap=True)


@app.command("compare")
def compare(
    a: Annotated[Path, typer.Argument(help="Baseline results file.")],
    b: Annotated[Path, typer.Argument(help="New results file.")],
    json_out: JsonOpt = False,
    fmt: Annotated[
        Format | None, typer.Option("--format", help="Print a Markdown or HTML report instead.")
    ] = None,
) -> None:
    """Per-case regressions and improvements (paired by case id) and metric deltas."""
    from interviewer.evals import compare_results, load_results

    cmp = compare_results(load_results(a), load_results(b))
    if json_out:
        print_json(cmp.model_dump(mode="json"))
        return
    if fmt is not None:
        from interviewer.evals_report import render_comparison

        write_text(render_comparison(cmp, fmt.value))
        return
    _print_comparison(cmp)


def _print_comparison(cmp: Comparison) -> None:
    from rich.markup import escape
    from rich.table import Table

    from interviewer.evals_report import METRIC_LABELS, fmt_delta, fmt_metric

    out = out_console()
    if cmp.settings_changed:
        from interviewer.evals_report import settings_line

        out.print(f"settings that differ (A → B): {settings_line(cmp)}", highlight=False,
                  markup=False, soft_wrap=True)  # fmt: skip
    metrics = Table(title="metrics (B - A)")
    for col in ("metric", "A", "B", "delta"):
        metrics.add_column(col, justify="left" if col == "metric" else "right")
    for d in cmp.metrics:
        style = "" if d.better is None else ("green" if d.better else "red")
        delta = fmt_delta(d.name, d.delta)
        metrics.add_row(
            METRIC_LABELS[d.name],
            fmt_metric(d.name, d.a),
            fmt_metric(d.name, d.b),
            f"[{style}]{delta}[/]" if style else delta,
        )
    out.print(metrics)
    changed = [c for c in cmp.cases if c.change != "same"]
    if changed:
        table = Table(title="changed cases")
        _id_column(table, [c.id for c in changed])
        for col in ("change", "score A", "score B", "checks"):
            table.add_column(col, overflow="fold")
        for c in changed:
            style = {"regression": "red", "improvement": "green"}.get(c.change, "yellow")
            checks = [f"broke: {x}" for x in c.broke] + [f"fixed: {x}" for x in c.fixed]
            table.add_row(
                escape(c.id),
                f"[{style}]{c.change}[/]",
                "-" if c.score_a is None else f"{c.score_a:g}",
                "-" if c.score_b is None else f"{c.score_b:g}",
                escape("\n".join(checks)),
            )
        out.print(table)
    out.print(
        f"{cmp.regressions} regression(s), {cmp.improvements} improvement(s)"
        + (" -- prompts differ" if cmp.prompts_changed else ""),
        highlight=False,
        markup=False,
    )
