"""`interviewer grade`: grade one answer against the notes."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from interviewer._cli.checks import check_corpus
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
from interviewer.plurals import counted

if TYPE_CHECKING:
    from rich.console import Console

    from interviewer.feedback import Feedback

VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Every panel: all points, claims and sources.")
]


def grade(
    question: Annotated[
        str,
        typer.Option(
            "--question", "-q", help="The question (a heading of your notes or free text)."
        ),
    ],
    answer: Annotated[
        str, typer.Option("--answer", "-a", help="The answer; '-' reads it from stdin.")
    ],
    hints: Annotated[
        int, typer.Option("--hints", min=0, help="Hints used (each costs a point).")
    ] = 0,
    json_out: JsonOpt = False,
    model: ModelOpt = None,
    no_llm: NoLlmOpt = False,
    corpus: CorpusOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Grade one answer: covered and missed points of your notes, wrong claims, a
    follow-up question. Uses the model too when Ollama serves it (unless --no-llm)."""
    from interviewer.grading import Grader, GradingError
    from interviewer.render import compact_feedback, model_feedback

    text = _read_stdin() if answer == "-" else answer
    if not question.strip():
        raise GradingError("--question is empty")
    if not text.strip():
        # Nothing to grade, so nothing to follow up on either.
        source = "stdin" if answer == "-" else "--answer"
        raise GradingError(
            f"no answer given ({source} is empty): pass the answer with --answer TEXT, "
            "or --answer - to read it from stdin"
        )
    settings = settings_from(corpus=corpus, model=model, no_llm=no_llm)
    check_corpus(settings, corpus)
    grader = Grader.open(settings)
    if json_out:
        feedback = grader.grade(question, text, hints_used=hints)
        print_json(feedback.model_dump(mode="json"))
        return
    console = out_console()
    grounded = grader.grade_grounded(question, text, hints_used=hints)
    if verbose:
        render(console, grounded)
    else:
        _show(console, compact_feedback(grounded, console.width, more_hint="--verbose"))
    if grader.llm is None:
        return
    streamed: list[str] = []

    def on_token(piece: str) -> None:
        if not streamed:
            console.print(f"[bold]Critique[/] [dim]({settings.model})[/]")
        streamed.append(piece)
        console.print(piece, end="", markup=False, highlight=False, soft_wrap=True)

    refined = grader.refine_with_llm(grounded, question, text, on_token=on_token)
    if streamed:
        console.print()
    if refined.model_error:
        err_console().print(
            f"[yellow]model layer unavailable:[/] {refined.model_error}; the grounded grade stands",
            markup=True,
            highlight=False,
            soft_wrap=True,  # one line, however narrow the terminal
        )
        return
    if verbose:
        render(console, refined, model_stage=True)
    else:
        _show(console, model_feedback(refined, console.width))


def render(console: Console, fb: Feedback, *, model_stage: bool = False) -> None:
    """The full panels (--verbose): score, covered, missed, wrong claims, citations."""
    from rich.markup import escape
    from rich.panel import Panel
    from rich.text import Text

    from interviewer.render import clean, fit_title, to_check_panel

    width = console.width

    def where(c: object) -> str:
        from interviewer.feedback import Citation

        return c.label() if isinstance(c, Citation) else ""

    if not fb.grounded:
        _show(
            console,
            Panel(
                Text(clean(fb.critique) or "No notes to grade against."),
                title="Not graded: no notes for this question",
                border_style="yellow",
            ),
        )
        if model_stage and fb.engine != "grounded":
            title = fit_title(f"Critique ({fb.engine})", width)
            _show(console, Panel(Text(clean(fb.critique)), title=Text(title)))
        return
    # One decimal, as `interview` shows it.
    title = f"Score {fb.score:.1f}/10  [dim]({escape(fb.engine)})[/]"
    body = Text(clean(fb.critique))
    if fb.hints_used:
        body.append(f"\n{counted(fb.hints_used, 'hint')} used", style="dim")
    _show(console, Panel(body, title=title, border_style="green" if fb.score >= 7 else "yellow"))
    if not model_stage and (fb.covered or fb.partial):
        lines = [f"[green]✓[/] {escape(_cut(p.text))}" for p in fb.covered]
        lines += [f"[yellow]~[/] {escape(_cut(p.text))}" for p in fb.partial]
        _show(console, Panel("\n".join(lines), title="Covered", border_style="green"))
    if fb.missed:
        lines = [
            f"[red]✗[/] {escape(_cut(p.text))}\n   [dim]{escape(where(p.citation))}[/]"
            for p in fb.missed
        ]
        _show(
            console, Panel("\n".join(lines), title="Missed (from your notes)", border_style="red")
        )
    if fb.incorrect:
        lines = []
        for c in fb.incorrect:
            src = where(c.citation) if c.citation else "not in your notes"
            who = "model" if c.source == "model" else "notes"
            lines.append(
                f"[red]![/] {escape(_cut(c.text))}\n   {escape(_cut(c.correction, 300))}\n"
                f"   [dim]{who}: {escape(src)}[/]"
            )
        _show(console, Panel("\n".join(lines), title="Wrong claims", border_style="red"))
    if (checks := to_check_panel(fb)) is not None:
        _show(console, checks)
    if fb.follow_up:
        _show(console, Panel(Text(clean(fb.follow_up)), title="Follow-up", border_style="cyan"))
    if fb.citations and not model_stage:
        _show(
            console,
            Panel(
                "\n".join(escape(c.label()) for c in fb.citations[:8]),
                title="Citations",
                border_style="dim",
            ),
        )


def _show(console: Console, renderable: object) -> None:
    # The console soft-wraps (long prose lines stay whole); a panel must wrap its own
    # lines to the terminal's width instead, or they are cropped.
    console.print(renderable, soft_wrap=False)


def _cut(text: str, n: int = 240) -> str:
    from interviewer.render import shorten

    return shorten(text, n)


def _read_stdin() -> str:
    """The piped answer, its bytes that are not UTF-8 decoded (see ``_cli.typed``), said
    in one line on stderr."""
    from interviewer._cli.typed import keep_bytes, stdin_source, typed_text

    keep_bytes()
    text, warning = typed_text(sys.stdin.read(), stdin_source())
    if warning:
        err_console().print(f"note: {warning}", markup=False, highlight=False, soft_wrap=True)
    return text
