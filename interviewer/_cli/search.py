"""`interviewer search`: hybrid search over the notes and fetched references."""

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
    rebuilds_said,
    settings_from,
    walks_notes_once,
)


@walks_notes_once
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in your own words.")],
    k: Annotated[int, typer.Option("-k", "--top", min=1, max=100, help="Number of hits.")] = 5,
    mode: Annotated[str, typer.Option("--mode", help="hybrid, dense or bm25.")] = "hybrid",
    corpus: CorpusOpt = None,
    json_out: JsonOpt = False,
    chroma_host: ChromaHostOpt = None,
    chroma_port: ChromaPortOpt = None,
) -> None:
    """Search the notes (indexes first if the index is missing or stale)."""
    from interviewer.retrieval import open_retriever

    if mode not in ("hybrid", "dense", "bm25"):
        raise typer.BadParameter("must be hybrid, dense or bm25", param_hint="--mode")
    if not query.strip():
        # An empty query matches nothing: say so, rather than "no matches".
        raise typer.BadParameter(
            "it is empty, so there is nothing to look for", param_hint="QUERY"
        )
    from interviewer._cli.checks import check_corpus
    from interviewer.index import ensure_index

    settings = settings_from(corpus, chroma_host, chroma_port)
    check_corpus(settings, corpus)
    built = ensure_index(settings)
    if built is not None and built.rebuilt_reason and built.rebuilt_reason not in rebuilds_said:
        # Said once, on stderr: stdout stays the hits (or the JSON).
        err_console().print(
            f"note: {built.rebuilt_reason}", markup=False, highlight=False, soft_wrap=True
        )
    from interviewer._cli.checks import skipped_files

    err = None
    for skipped in skipped_files(settings):
        err = err or err_console()
        err.print(f"warning: {skipped}", markup=False, highlight=False, soft_wrap=True)
    retriever = open_retriever(settings, ensure_index=False)  # ensured just above
    hits = retriever.search(query, k=k, mode=mode)  # type: ignore[arg-type]
    if json_out:
        print_json([h.model_dump(mode="json") for h in hits])
        return
    console = out_console()
    if not hits:
        console.print("no matches")
        return
    from rich.markup import escape

    for rank, hit in enumerate(hits, start=1):
        where = (
            hit.url
            if hit.kind == "reference" and hit.url
            else (f"{hit.source}:{hit.line_start}-{hit.line_end}")
        )
        stub = " [dim](stub)[/]" if hit.is_stub else ""
        console.print(
            f"[bold]{rank}. {escape(hit.heading)}[/]{stub}  [dim]{escape(where)}  "
            f"score {hit.score:.4f}[/]"
        )
        text = snippet(hit.text) if hit.kind != "reference" else " ".join(hit.text.split())
        console.print("   " + escape(text[:300] + ("…" if len(text) > 300 else "")))
        if hit.kind == "reference" and hit.citing_sections:
            console.print("   [dim]cited by " + escape("; ".join(hit.citing_sections)) + "[/]")


def snippet(text: str) -> str:
    """A note's text as a line to read: the markup of its shape (quote and callout
    markers, "A:" labels, HTML tags, code fences) left out."""
    from interviewer.text import FENCE
    from interviewer.units import answer_line, plain, reveal_only

    text = reveal_only(text)
    lines = [answer_line(ln) for ln in text.split("\n") if not FENCE.match(ln)]
    return " ".join(plain(" ".join(ln for ln in lines if ln.strip())).split())
