"""`interviewer questions`: the question bank as it will be asked."""

from __future__ import annotations

import contextlib
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
    walks_notes_once,
)

if TYPE_CHECKING:
    from interviewer.settings import Settings


@walks_notes_once
def questions(
    corpus: CorpusOpt = None,
    topic: Annotated[
        list[str] | None,
        typer.Option(
            "--topic", "-t", metavar="TOPIC", help="Only questions of this topic (repeatable)."
        ),
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
    skipped = _unreadable(settings)
    for line in skipped:
        # The questions of a file that could not be read are missing from the bank: say
        # so (on stderr, so that the listing or the JSON stays clean).
        err_console().print(f"warning: {line}", markup=False, highlight=False, soft_wrap=True)
    if json_out:
        print_json([r.model_dump(mode="json") for r in rows])
        return
    from rich.markup import escape

    console = out_console()
    if not rows:
        console.print("no questions in the notes")
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


def _unreadable(settings: Settings) -> list[str]:
    """"source: why" for each notes file that could not be read: from the index's
    manifest when there is an index (cheap), else from reading the corpus."""
    from interviewer._cli.checks import skipped_files
    from interviewer.corpus import load_corpus
    from interviewer.errors import InterviewerError
    from interviewer.index import read_manifest

    with contextlib.suppress(InterviewerError, OSError):
        if read_manifest(settings.index_dir) is not None:
            return skipped_files(settings)
    from interviewer._cli.common import unread_lines

    try:
        problems = load_corpus(settings.corpus_dir, settings.max_file_bytes).problems
    except (InterviewerError, OSError):
        return []  # only an explanation: the listing stands
    unread = unread_lines(settings)
    return [f"{p.source}: {p.message}" for p in problems] + unread
