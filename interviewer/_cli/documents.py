"""`interviewer add` and `interviewer remove`: change the corpus, then re-index."""

from __future__ import annotations

from typing import Annotated

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


def _created_note(corpus_dir: object) -> None:
    err_console().print(
        f"created your own corpus at {corpus_dir} (a copy of the bundled notes); "
        "it is the default from now on",
        highlight=False, markup=False,
    )


def add(
    inputs: Annotated[
        list[str], typer.Argument(
            help="Notes files (Markdown, text, flashcard .tsv; HTML, PDF, Jupyter, Org "
            "and reStructuredText are converted) or http(s) URLs."
        )
    ],
    corpus: CorpusOpt = None,
    no_index: Annotated[
        bool, typer.Option("--no-index", help="Only add; do not update the index.")
    ] = False,
    json_out: JsonOpt = False,
    chroma_host: ChromaHostOpt = None,
    chroma_port: ChromaPortOpt = None,
) -> None:
    """Add notes to the corpus (HTML, PDF, notebooks, Org and reST become Markdown) or
    pages to the reference cache, then index what changed. A bad input adds nothing."""
    from interviewer._cli.checks import check_corpus
    from interviewer._cli.references import reindex
    from interviewer.documents import add_documents

    settings = settings_from(corpus, chroma_host, chroma_port)
    check_corpus(settings, corpus)
    settings, report = add_documents(settings, inputs)
    if report.user_corpus_created and not json_out:
        _created_note(report.corpus_dir)
    index = None if no_index else reindex(settings, quiet=json_out)
    if json_out:
        print_json({**report.model_dump(mode="json"), "index": index})
        return
    out = out_console()
    for item in report.items:
        what = item.url if item.kind == "reference" else item.input
        out.print(f"{item.action}: {what} -> {item.source}", highlight=False, markup=False)


def remove(
    target: Annotated[
        str, typer.Argument(help="A note's path (in the corpus) or a cached reference's URL.")
    ],
    corpus: CorpusOpt = None,
    no_index: Annotated[
        bool, typer.Option("--no-index", help="Only remove; do not update the index.")
    ] = False,
    json_out: JsonOpt = False,
    chroma_host: ChromaHostOpt = None,
    chroma_port: ChromaPortOpt = None,
) -> None:
    """Take a document out of the corpus and the index (a removed note is kept in the
    data dir's removed/ folder)."""
    from interviewer._cli.checks import check_corpus
    from interviewer._cli.references import reindex
    from interviewer.documents import remove_document

    settings = settings_from(corpus, chroma_host, chroma_port)
    check_corpus(settings, corpus)
    settings, report = remove_document(settings, target)
    if report.user_corpus_created and not json_out:
        _created_note(report.corpus_dir)
    index = None if no_index else reindex(settings, quiet=json_out)
    if json_out:
        print_json({**report.model_dump(mode="json"), "index": index})
        return
    kept = f" (moved to {report.kept_copy})" if report.kept_copy else ""
    out_console().print(f"removed {report.removed}{kept}", highlight=False, markup=False)
