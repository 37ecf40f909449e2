"""`interviewer rubric export|import`: the key points as YAML a person can edit."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from interviewer._cli.checks import check_corpus
from interviewer._cli.common import (
    CorpusOpt,
    JsonOpt,
    err_console,
    print_json,
    settings_from,
    write_text,
)
from interviewer.plurals import counted

app = typer.Typer(
    help="Export the key points each question is graded against, edit them, import them.",
    no_args_is_help=True,
)


@app.command("export")
def export(
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write here (default: stdout).")
    ] = None,
    topic: Annotated[
        list[str] | None, typer.Option("--topic", "-t", help="Only questions on this topic.")
    ] = None,
    corpus: CorpusOpt = None,
) -> None:
    """Write the rubric (questions and their key points) as YAML."""
    from interviewer.grading import Grader, export_rubric

    settings = settings_from(corpus=corpus, no_llm=True)
    check_corpus(settings, corpus)
    grader = Grader.open(settings, use_llm=False)
    text = export_rubric(grader, topic or None)
    if out is None:
        write_text(text)
        return
    from interviewer.grading import GradingError

    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise GradingError(f"{out}: cannot write the rubric ({exc.strerror})") from None
    err_console().print(f"rubric written to {out}", highlight=False)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A rubric YAML file (from `rubric export`).")],
    corpus: CorpusOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Grade with the file's key points for the questions it covers (until you import
    them again); questions equal to your notes' points stay with the notes."""
    from interviewer.grading import Grader, GradingError, import_rubric

    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GradingError(f"{file}: cannot read the rubric ({exc})") from None
    settings = settings_from(corpus=corpus, no_llm=True)
    check_corpus(settings, corpus)
    grader = Grader.open(settings, use_llm=False)
    report = import_rubric(grader, text, str(file))
    if json_out:
        print_json(report.model_dump(mode="json"))
        return
    console = err_console()
    console.print(
        f"{counted(len(report.overridden), 'question')} overridden, {len(report.reverted)} back to "
        f"the notes, {report.unchanged} unchanged; stored in {report.path}",
        highlight=False,
    )
    for q in report.unknown:
        console.print(f"[yellow]skipped[/] (not a question of the notes): {q}", highlight=False)
