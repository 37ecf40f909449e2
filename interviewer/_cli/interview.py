"""`interviewer interview` and `interviewer resume`: the session loop of
``interviewer.session`` rendered with rich. Answers come from the terminal, or from
stdin (each ended by a line '.') when stdin is not a terminal."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

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

if TYPE_CHECKING:
    from rich.console import Console

    from interviewer.feedback import Feedback
    from interviewer.grading import KeyPoint
    from interviewer.session import AskedQuestion, SessionOutcome
    from interviewer.settings import Settings
    from interviewer.store import SessionRecord

SAVED_MESSAGE = "session saved; `interviewer resume` to continue"

TopicOpt = Annotated[
    list[str] | None,
    typer.Option("--topic", "-t", help="Ask only questions of this topic (repeatable)."),
]
QuestionsOpt = Annotated[
    int, typer.Option("--questions", "-n", min=1, max=500, help="Questions in the session.")
]
FollowUpsOpt = Annotated[
    int,
    typer.Option("--follow-ups", "-f", min=0, max=10, help="Follow-ups per answer, at most."),
]
SeedOpt = Annotated[
    int | None, typer.Option("--seed", help="Order unseen questions reproducibly.")
]


class RichIO:
    """``SessionIO`` on a terminal or pipes. With --json everything goes to stderr
    so that stdout holds only the transcript."""

    def __init__(self, console: Console, *, interactive: bool, to_stderr: bool) -> None:
        from interviewer.session import AnswerReader

        self.console = console
        self.interactive = interactive
        self.to_stderr = to_stderr
        self._streamed = False
        self._explained = False
        self.reader = AnswerReader(self._readline, interactive=interactive)

    # -- input -------------------------------------------------------------------------
    def _readline(self, prompt: str) -> str | None:
        if not self.interactive:
            line = sys.stdin.readline()
            return None if line == "" else line.rstrip("\r\n")
        try:
            if self.to_stderr:
                sys.stderr.write(prompt)
                sys.stderr.flush()
                return input()
            return input(prompt)
        except EOFError:
            return None

    def read_answer(self) -> str | None:
        return self.reader.read()

    # -- output ------------------------------------------------------------------------
    def notice(self, message: str) -> None:
        self.console.print(f"[yellow]note:[/] {_escape(message)}", markup=True, highlight=False)

    def info(self, message: str) -> None:
        self.console.print(f"[dim]{_escape(message)}[/]", markup=True, highlight=False)

    def ask(self, question: AskedQuestion) -> None:
        from rich.panel import Panel

        if question.kind == "follow_up":
            title = f"Follow-up {question.follow_up} on question {question.number}"
            style = "magenta"
        else:
            title = f"Question {question.number}/{question.total}"
            style = "cyan"
        if question.topic:
            title += f" · {question.topic}"
        subtitle = f"{question.source} § {question.heading}" if question.source else None
        # Notes are data, not rich markup: "arr[i]" or "[/]" in a heading must print as is.
        body = _escape(question.text)
        if question.notes_status != "ok":
            body += "\n[dim](no notes yet under this heading: nothing to grade against)[/]"
        self.console.print(
            Panel(
                body,
                title=_escape(title),
                subtitle=_escape(subtitle) if subtitle else None,
                border_style=style,
            )
        )
        if self.interactive and not self._explained:
            self._explained = True
            self.console.print(
                "[dim]End your answer with a line holding only '.' (or two empty lines). "
                "Commands: /hint /skip /repeat /quit[/]",
                markup=True,
            )

    def hint(self, point: KeyPoint, number: int) -> None:
        self.console.print(
            f"[bold yellow]hint {number}[/] (costs points): {_escape(point.text)}\n"
            f"  [dim]{_escape(point.citation.label())}[/]",
            markup=True,
        )

    def critique_start(self) -> None:
        self._streamed = False
        self.console.print("[bold]Model critique:[/] ", markup=True, end="")

    def token(self, text: str) -> None:
        self._streamed = True
        self.console.file.write(text)
        self.console.file.flush()

    def feedback(self, feedback: Feedback, stage: Literal["grounded", "model"]) -> None:
        if stage == "model":
            self.console.print()
            self.console.print(render_model_feedback(feedback))
        else:
            self.console.print(render_feedback(feedback))


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _score_style(score: float) -> str:
    return "green" if score >= 8.5 else "yellow" if score >= 6 else "red"


def _bullets(rows: list[tuple[str, list[tuple[str, str]]]]) -> Any:
    """Bulleted items with a hanging indent: (main text, [(extra line, style)])."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=3, justify="right")
    grid.add_column(ratio=1)
    for main, extras in rows:
        text = Text(main)
        for extra, style in extras:
            text.append("\n" + extra, style=style)
        grid.add_row("•", text)
    return grid


def _claim_rows(claims: list[Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    rows = []
    for claim in claims:
        extras = [(f"→ {claim.correction}", "")] if claim.correction else []
        if claim.citation is not None:
            extras.append((claim.citation.label(), "dim"))
        elif not claim.in_notes:
            extras.append(("(not in your notes)", "dim"))
        rows.append((claim.text, extras))
    return rows


def render_feedback(fb: Feedback) -> Any:
    """The grounded feedback: score, covered, partly covered, missed (with the note's
    words and citation), wrong claims and the sources."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    parts: list[Any] = []
    if not fb.grounded or fb.notes_status != "ok":
        parts.append(
            Text(
                "No notes to ground a critique for this question, so it is not graded. "
                "Write notes under its heading to be graded on it.",
                style="yellow",
            )
        )
        if fb.critique:
            parts.append(Text(fb.critique))
        return Panel(Group(*parts), title="Feedback", border_style="yellow")

    def points(label: str, items: list[Any], style: str, with_source: bool) -> None:
        if not items:
            return
        parts.append(Text(label, style=f"bold {style}"))
        parts.append(
            _bullets(
                [
                    (p.text, [(p.citation.label(), "dim")] if with_source and p.citation else [])
                    for p in items
                ]
            )
        )

    points("Covered", fb.covered, "green", False)
    points("Partly covered", fb.partial, "yellow", True)
    points("Missed", fb.missed, "red", True)
    if fb.incorrect:
        parts.append(Text("Wrong or imprecise", style="bold red"))
        parts.append(_bullets(_claim_rows(fb.incorrect)))
    if fb.critique:
        parts.append(Text(fb.critique, style="italic"))
    if fb.citations:
        parts.append(Text("Sources", style="bold"))
        parts.append(_bullets([(c.label(), []) for c in fb.citations]))
    if fb.hints_used:
        parts.append(Text(f"{fb.hints_used} hint(s) used", style="dim"))
    score = Text(f"Score {fb.score:.1f}/10", style=f"bold {_score_style(fb.score)}")
    return Panel(Group(*parts) if parts else Text(""), title=score, border_style="blue")


def render_model_feedback(fb: Feedback) -> Any:
    """What the model layer changed: its score and the claims it flagged."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    if fb.model_error:
        return Text(
            f"model layer failed ({fb.model_error}); the grounded feedback stands.",
            style="yellow",
        )
    parts: list[Any] = [
        Text(f"Score {fb.score:.1f}/10 ({fb.engine})", style=f"bold {_score_style(fb.score)}")
    ]
    model_claims = [c for c in fb.incorrect if c.source == "model"]
    if model_claims:
        parts.append(Text("Wrong or imprecise, says the model", style="bold red"))
        parts.append(_bullets(_claim_rows(model_claims)))
    return Panel(Group(*parts), title="Model review", border_style="magenta")


def _render_summary(console: Console, outcome: SessionOutcome) -> None:
    from rich.table import Table

    t = outcome.transcript
    table = Table(title=f"Session {t.session.id}", show_lines=False)
    table.add_column("#", justify="right")
    table.add_column("Question")
    table.add_column("Score", justify="right")
    table.add_column("Follow-ups")
    for turn in t.turns:
        if turn.skipped:
            score = "skipped"
        elif turn.feedback is None or turn.feedback.notes_status != "ok":
            score = "no notes"
        else:
            score = f"{turn.feedback.score:.1f}"
        follow = ", ".join(
            "skipped" if f.skipped or f.feedback is None else f"{f.feedback.score:.1f}"
            for f in turn.follow_ups
        )
        table.add_row(str(turn.index + 1), _escape(turn.question), score, follow or "-")
    console.print(table)
    remaining = len(t.remaining())
    if remaining:
        console.print(f"{remaining} question(s) left: `interviewer resume` to continue.")
    console.print(f"Report: interviewer report {t.session.id}")


def _open_and_run(
    settings: Settings,
    *,
    json_out: bool,
    new_options: Any = None,
    resume_record: SessionRecord | None = None,
) -> None:
    from interviewer.grading import Grader
    from interviewer.scheduling import corpus_key
    from interviewer.session import Interview, engine_status, start_session
    from interviewer.store import SessionStore

    interactive = sys.stdin.isatty()
    console = err_console() if json_out else out_console()
    # Panels wrap their text; soft wrapping would crop it at the panel's edge.
    console.soft_wrap = False
    chatter = err_console()
    engine = engine_status(settings)
    chatter.print("[dim]loading your notes…[/]", markup=True)
    grader = Grader.open(settings, use_llm=engine.use_llm)
    io = RichIO(console, interactive=interactive, to_stderr=json_out)
    with SessionStore(settings.sessions_db) as store:
        if resume_record is not None:
            record = resume_record
            if record.corpus != corpus_key(settings):
                chatter.print(
                    "[yellow]note:[/] the notes dir differs from the session's", markup=True
                )
            done = len(store.turns(record.id))
            chatter.print(
                f"resuming session {record.id}: {len(record.plan) - done} of "
                f"{len(record.plan)} question(s) left"
            )
        else:
            record = start_session(grader, store, settings, new_options, engine=engine.engine)
        session = Interview(grader, store, io, record, engine=engine)
        try:
            outcome = session.run()
        except KeyboardInterrupt:
            chatter.print(f"\n{SAVED_MESSAGE}", markup=False)
            if json_out:
                print_json(store.transcript(record.id).model_dump(mode="json"))
            raise typer.Exit(130) from None
    if json_out:
        print_json(outcome.transcript.model_dump(mode="json"))
        _render_summary(chatter, outcome)
    else:
        _render_summary(console, outcome)


def _check_model_flags(model: str | None, no_llm: bool) -> None:
    from interviewer.errors import ConfigError

    if model and no_llm:
        raise ConfigError("use --model or --no-llm, not both")


def interview(
    topic: TopicOpt = None,
    questions: QuestionsOpt = 5,
    follow_ups: FollowUpsOpt = 1,
    model: ModelOpt = None,
    no_llm: NoLlmOpt = False,
    corpus: CorpusOpt = None,
    json_out: JsonOpt = False,
    seed: SeedOpt = None,
) -> None:
    """Mock interview on your notes: questions, grounded feedback, follow-ups."""
    from interviewer.store import SessionOptions

    _check_model_flags(model, no_llm)
    settings = settings_from(corpus=corpus, model=model, no_llm=no_llm)
    options = SessionOptions(
        topics=list(topic or []), questions=questions, follow_ups=follow_ups, seed=seed,
        no_llm=no_llm,
    )  # fmt: skip
    try:
        _open_and_run(settings, json_out=json_out, new_options=options)
    except KeyboardInterrupt:
        # Before the session exists (while loading): nothing to save.
        err_console().print("\ninterrupted", markup=False)
        raise typer.Exit(130) from None


def resume(
    session: Annotated[
        str | None, typer.Argument(help="Session id or prefix (default: the last unfinished).")
    ] = None,
    model: ModelOpt = None,
    no_llm: NoLlmOpt = False,
    json_out: JsonOpt = False,
) -> None:
    """Continue an unfinished session where it stopped."""
    from interviewer.errors import CorpusError
    from interviewer.session import resumable_session
    from interviewer.store import SessionStore

    _check_model_flags(model, no_llm)
    base = settings_from(model=model, no_llm=no_llm)
    with SessionStore(base.sessions_db) as store:
        record = resumable_session(store, session)
    corpus_dir = Path(record.corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError(f"{corpus_dir}: the session's notes dir is gone")
    # A session started with --no-llm stays off the model unless --model asks for it.
    no_llm = no_llm or (record.options.no_llm and model is None)
    settings = settings_from(corpus=corpus_dir, model=model, no_llm=no_llm)
    try:
        _open_and_run(settings, json_out=json_out, resume_record=record)
    except KeyboardInterrupt:
        err_console().print(f"\n{SAVED_MESSAGE}", markup=False)
        raise typer.Exit(130) from None
