"""`interviewer questions`: the question bank as it will be asked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from interviewer._cli.common import (
    CorpusOpt,
    JsonOpt,
    ModelOpt,
    err_console,
    out_console,
    print_json,
    settings_from,
)

if TYPE_CHECKING:
    from interviewer.settings import Settings


def questions(
    corpus: CorpusOpt = None,
    topic: Annotated[
        list[str] | None,
        typer.Option("--topic", "-t", help="Only questions of this topic (repeatable)."),
    ] = None,
    json_out: JsonOpt = False,
    word: Annotated[
        bool,
        typer.Option(
            "--word-topics",
            help="Ask the Ollama model to word the questions of topic headings first "
            "(cached; a question your notes wrote is never replaced).",
        ),
    ] = False,
    model: ModelOpt = None,
) -> None:
    """List every question the interviewer can ask: id, question, kind (heading, bold,
    list, qa, details, table, topic, generated), where it is in the notes, stub flag and
    number of key points."""
    from interviewer._cli.checks import check_corpus
    from interviewer.plurals import counted
    from interviewer.question_bank import bank_rows, open_grader, word_topics

    settings = settings_from(corpus, model=model)
    check_corpus(settings, corpus)
    grader = open_grader(settings)
    if word:
        from interviewer.llm import LLMUnreachableError, base_url

        try:
            report = word_topics(settings, grader=grader)
        except LLMUnreachableError:
            # The generic hint says "or run with --no-llm", which this command has not:
            # the way out here is to leave the flag out.
            raise LLMUnreachableError(
                f"Ollama is not reachable at {base_url(settings.ollama_host)}: --word-topics "
                "needs it (install it from https://ollama.com/download and start it with "
                "`ollama serve`, or set OLLAMA_HOST); without the flag the questions are "
                "listed as your notes word them"
            ) from None
        err_console().print(report.message, markup=False, highlight=False)
    rows = bank_rows(settings, list(topic or []), grader=grader)
    if json_out:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    from rich.markup import escape

    console = out_console()
    if not rows:
        console.print("no questions in the notes")
        _why_none(settings)
        return
    for r in rows:
        lines = f"{r.source}:{r.line_start}-{r.line_end}"
        stub = " [yellow]stub[/]" if r.is_stub else ""
        console.print(
            f"[bold]{escape(r.question)}[/]{stub}\n"
            f"  [dim]{r.id} · {r.kind} · {escape(lines)} · {counted(r.key_points, 'key point')}"
            f" · {escape(r.topic)}[/]"
        )
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items(), key=lambda kv: -kv[1]))
    console.print(f"\n{counted(len(rows), 'question')} ({summary})")


def _why_none(settings: Settings) -> None:
    """With no question to list, say which files could not be read (on stderr)."""
    from interviewer.corpus import load_corpus
    from interviewer.errors import InterviewerError

    try:
        problems = load_corpus(settings.corpus_dir).problems
    except (InterviewerError, OSError):
        return  # only an explanation: the listing stands
    err = err_console()
    for p in problems:
        err.print(f"warning: {p.source}: {p.message}", markup=False, highlight=False)
