"""`interviewer index`: sync the index with the corpus."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from interviewer._cli.common import (
    ChromaHostOpt,
    ChromaPortOpt,
    CorpusOpt,
    JsonOpt,
    err_console,
    print_json,
    settings_from,
    walks_notes_once,
)

if TYPE_CHECKING:
    from rich.console import Console


@contextmanager
def embedding_progress(err: Console, *, quiet: bool) -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on the terminal while chunks are embedded (``index``, and ``add``,
    ``remove`` and ``fetch-references`` when they re-index): a large file takes minutes."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        # Off in pipes and logs too: a bar there only leaves a stray blank line.
        disable=quiet or not err.is_terminal,
    ) as bar:
        task = bar.add_task("embedding chunks", total=None)

        def on_progress(stage: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        yield on_progress


@walks_notes_once
def index(
    corpus: CorpusOpt = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Drop the index and rebuild it.")
    ] = False,
    json_out: JsonOpt = False,
    chroma_host: ChromaHostOpt = None,
    chroma_port: ChromaPortOpt = None,
) -> None:
    """Sync the index: only new or changed files are re-chunked and re-embedded."""
    from interviewer._cli.checks import check_corpus
    from interviewer.index import sync_index

    settings = settings_from(corpus, chroma_host, chroma_port)
    check_corpus(settings, corpus)
    err = err_console()
    with embedding_progress(err, quiet=json_out) as on_progress:
        report = sync_index(settings, on_progress, rebuild=rebuild)
    if json_out:
        data = report.model_dump(mode="json")
        data["corpus_dir"] = str(settings.corpus_dir)
        print_json(data)
        return
    from rich.markup import escape

    from interviewer._cli.common import rebuilds_said, unread_lines

    unread = unread_lines(settings)
    # One line per problem (soft wrap): scripts grep these, and file names are not markup.
    for problem in [*map(str, report.problems), *unread]:
        err.print(
            f"[yellow]warning:[/] {escape(str(problem))}", markup=True, highlight=False,
            soft_wrap=True,
        )  # fmt: skip
    if report.rebuilt_reason and report.rebuilt_reason not in rebuilds_said:
        err.print(
            f"[yellow]note:[/] {escape(report.rebuilt_reason)}", markup=True, highlight=False,
            soft_wrap=True,
        )  # fmt: skip
    err.print(
        f"indexed {settings.corpus_dir} in {report.seconds:.1f}s\n"
        f"  files:    +{len(report.files_added)} added, ~{len(report.files_changed)} changed, "
        f"-{len(report.files_removed)} removed, {report.files_unchanged} unchanged "
        f"({report.total_files} in all)\n"
        f"  sections: +{report.sections_added} added, -{report.sections_removed} removed "
        f"({report.total_sections} in all)\n"
        f"  chunks:   +{report.chunks_added} added ({report.chunks_embedded} embedded), "
        f"-{report.chunks_removed} removed ({report.total_chunks} in all)",
        highlight=False,
        markup=False,
    )
