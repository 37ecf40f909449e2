"""`interviewer doctor`: check Ollama, the model, embeddings, the index and the store,
and print the exact fix for each failure."""

from __future__ import annotations

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
)

_MARKS = {"pass": "[green]ok[/]", "fail": "[bold red]FAIL[/]", "skip": "[yellow]skipped[/]"}


def doctor(
    json_out: JsonOpt = False,
    no_llm: NoLlmOpt = False,
    model: ModelOpt = None,
    corpus: CorpusOpt = None,
) -> None:
    """Check that everything is in place; exit 0 only when every check passes."""
    from rich.markup import escape
    from rich.table import Table

    from interviewer.doctor import run_doctor

    settings = settings_from(corpus=corpus, model=model, no_llm=no_llm)
    with err_console().status("checking...", spinner="dots"):
        report = run_doctor(settings)
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
    failed = report.failed()
    if failed:
        console.print()
        console.print("[bold]To fix:[/]")
        width = max(len(c.name) for c in failed) + 1
        for check in failed:
            if check.fix:
                # Never wrapped: people copy these commands.
                line = f"  {check.name + ':':<{width}} {check.fix}"
                console.print(line, markup=False, highlight=False, soft_wrap=True)
    elif not report.llm_checked:
        console.print("\nall grounded-core checks pass (Ollama not checked: --no-llm)")
    else:
        console.print("\nall checks pass")
    raise typer.Exit(0 if report.ok else 1)
