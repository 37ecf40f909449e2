"""`interviewer doctor`: check Ollama, the model, embeddings, the index and the store,
and print the exact fix for each failure."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

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
    walks_notes_once,
)

if TYPE_CHECKING:
    from interviewer.doctor import Check

_MARKS = {
    "pass": "[green]ok[/]",
    "fail": "[bold red]FAIL[/]",
    "warn": "[yellow]warning[/]",
    "skip": "[dim]skipped[/]",
}


@walks_notes_once
def doctor(
    json_out: JsonOpt = False,
    no_llm: NoLlmOpt = False,
    require_llm: Annotated[
        bool,
        typer.Option(
            "--require-llm", help="Fail (exit 1) when the Ollama model is not usable."
        ),
    ] = False,
    model: ModelOpt = None,
    corpus: CorpusOpt = None,
) -> None:
    """Check that everything is in place, with the exact fix for each problem.

    Exit 1 when something the grounded core needs fails (embeddings, notes, a damaged
    index); exit 0 otherwise. Without Ollama the model checks are warnings (the core
    runs without a model) unless --require-llm."""
    from rich.markup import escape
    from rich.table import Table

    from interviewer.doctor import run_doctor

    settings = settings_from(corpus=corpus, model=model, no_llm=no_llm and not require_llm)
    with err_console().status("checking...", spinner="dots"):
        report = run_doctor(settings, require_llm=require_llm)
    if json_out:
        print_json(report.model_dump(mode="json"))
        raise typer.Exit(0 if report.ok else 1)

    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("check")
    table.add_column("result")
    table.add_column("detail", overflow="fold")
    for check in report.checks:
        table.add_row(check.name, _MARKS[check.verdict], escape(check.detail))
    console = out_console()
    console.print(table)

    def fixes(title: str, checks: list[Check]) -> None:
        with_fix = [c for c in checks if c.fix]
        if not with_fix:
            return
        console.print()
        console.print(f"[bold]{title}[/]")
        width = max(len(c.name) for c in with_fix) + 1
        for check in with_fix:
            # Never wrapped: people copy these commands.
            line = f"  {check.name + ':':<{width}} {check.fix}"
            console.print(line, markup=False, highlight=False, soft_wrap=True)

    fixes("To fix:", report.failed())
    fixes("Optional:", report.warnings())
    from interviewer._cli.checks import skipped_files, warn_line

    for line in skipped_files(settings):
        # Notes left out (unreadable, or a document not read in place) are no failure
        # of the core, but the user should know the interview will not ask them.
        warn_line(line)
    if report.failed():
        pass
    elif report.warnings():
        console.print("\nthe grounded core is ready (warnings above are optional)")
    elif not report.llm_checked:
        console.print("\nall grounded-core checks pass (Ollama not checked: --no-llm)")
    else:
        console.print("\nall checks pass")
    raise typer.Exit(0 if report.ok else 1)
