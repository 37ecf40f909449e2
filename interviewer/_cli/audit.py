"""`interviewer audit`: a report on the notes (stubs, reminders, links, duplicates and,
with a model, contradictions with their own references)."""

from __future__ import annotations

from typing import Annotated

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
    write_text,
)


@walks_notes_once
def audit(
    corpus: CorpusOpt = None,
    json_out: JsonOpt = False,
    fmt: Annotated[
        str, typer.Option("--format", help="text (a terminal report) or md (Markdown).")
    ] = "text",
    model: ModelOpt = None,
    no_llm: NoLlmOpt = False,
    no_embeddings: Annotated[
        bool,
        typer.Option("--no-embeddings", help="Find duplicated questions by their words only."),
    ] = False,
) -> None:
    """Report questions without notes, TODO-like reminders, dead or unfetched links,
    duplicated questions and (with an Ollama model) claims your references contradict."""
    from interviewer.audit import render_markdown, run_audit

    if fmt not in ("text", "md"):
        raise typer.BadParameter("must be text or md", param_hint="--format")
    from interviewer._cli.checks import check_corpus

    settings = settings_from(corpus, model=model, no_llm=no_llm)
    check_corpus(settings, corpus)
    if not json_out:
        err_console().print(f"auditing {settings.corpus_dir} ...", highlight=False, markup=False)
    report = run_audit(settings, use_embeddings=not no_embeddings)
    if json_out:
        print_json(report.model_dump(mode="json"))
        return
    if fmt == "md":
        write_text(render_markdown(report))
        return
    from rich.markdown import Markdown

    # Markdown must wrap inside its list items: with soft wrap, rich crops each item
    # at the terminal width and the URLs and reasons are lost.
    out_console().print(Markdown(render_markdown(report)), soft_wrap=False)
