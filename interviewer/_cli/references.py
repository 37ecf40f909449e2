"""`interviewer fetch-references`: fetch the pages the notes link to, then re-index."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from interviewer._cli.common import (
    ChromaHostOpt,
    ChromaPortOpt,
    CorpusOpt,
    JsonOpt,
    err_console,
    out_console,
    print_json,
    settings_from,
)
from interviewer.plurals import counted

if TYPE_CHECKING:
    from interviewer.settings import Settings


def reindex(settings: Settings, quiet: bool) -> dict[str, object]:
    """Sync the index after the corpus or the reference cache changed."""
    from interviewer._cli.index import embedding_progress
    from interviewer.index import sync_index

    with embedding_progress(err_console(), quiet=quiet) as on_progress:
        report = sync_index(settings, on_progress)
    if not quiet:
        err_console().print(
            f"index: +{len(report.files_added)} added, ~{len(report.files_changed)} changed, "
            f"-{len(report.files_removed)} removed ({counted(report.total_chunks, 'chunk')})",
            highlight=False, markup=False,
        )
    return report.model_dump(mode="json")


def fetch_references(
    corpus: CorpusOpt = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Fetch pages again even when cached.")
    ] = False,
    no_index: Annotated[
        bool, typer.Option("--no-index", help="Only fetch; do not update the index.")
    ] = False,
    json_out: JsonOpt = False,
    chroma_host: ChromaHostOpt = None,
    chroma_port: ChromaPortOpt = None,
) -> None:
    """Fetch the pages your notes link to (text only) so that search and grading can use
    them. Failed links are recorded with the reason and retried on the next run.

    Exit status: 0 when at least one page is available (fetched now or cached before)
    or the notes have no links; 1 when links exist but none could be fetched."""
    from rich.markup import escape

    from interviewer._cli.checks import check_corpus
    from interviewer.documents import ensure_writable_corpus
    from interviewer.references import FetchOutcome, fetch_references

    settings = settings_from(corpus, chroma_host, chroma_port)
    check_corpus(settings, corpus)
    settings, created = ensure_writable_corpus(settings)
    err = err_console()
    if created and not json_out:
        err.print(
            f"created your own corpus at {settings.corpus_dir} (a copy of the bundled notes); "
            "it is the default from now on",
            highlight=False, markup=False,
        )
    marks = {"fetched": "[green]fetched[/]", "cached": "[dim]cached[/]",
             "failed": "[red]failed[/]", "stale": "[yellow]stale[/]"}

    def on_outcome(o: FetchOutcome) -> None:
        if o.outcome != "cached":
            why = f"  {escape(o.reason)}" if o.reason else ""
            err.print(f"{marks[o.outcome]} {escape(o.url)}{why}", highlight=False)

    report = fetch_references(settings, refresh=refresh, progress=None if json_out else on_outcome)
    index = None if no_index else reindex(settings, quiet=json_out)
    # Links, and not one page to show for them: a script must see that as a failure.
    nothing = report.links > 0 and report.fetched + report.cached + report.stale == 0
    if json_out:
        data = report.model_dump(mode="json")
        data["index"] = index
        data["user_corpus_created"] = created
        print_json(data)
        if nothing:
            raise typer.Exit(1)
        return
    out_console().print(
        f"{counted(report.links, 'link')}: {report.fetched} fetched, {report.cached} cached, "
        f"{report.failed} failed, {report.stale} kept from an earlier fetch, "
        f"{report.pruned} no longer cited and removed ({report.seconds:.1f}s)",
        highlight=False, markup=False,
    )
    if report.failed:
        out_console().print("failed links are retried on the next run", style="dim")
    if nothing:
        err.print(
            f"error: none of the {counted(report.links, 'link')} could be fetched", markup=False,
            highlight=False, soft_wrap=True,
        )  # fmt: skip
        raise typer.Exit(1)
