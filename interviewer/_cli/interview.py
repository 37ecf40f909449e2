"""`interviewer interview` and `interviewer resume`: the session loop of
``interviewer.session`` rendered with rich. Answers come from the terminal, or from
stdin (each ended by a line '.') when stdin is not a terminal."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from interviewer._cli.checks import check_corpus, warn_line
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
)
from interviewer.plurals import counted

if TYPE_CHECKING:
    from rich.console import Console

    from interviewer.drafts import Draft
    from interviewer.feedback import Feedback
    from interviewer.grading import KeyPoint
    from interviewer.session import AnswerDraft, AskedQuestion, DraftChoice, SessionOutcome
    from interviewer.settings import Settings
    from interviewer.store import SessionRecord

SAVED_MESSAGE = "session saved; `interviewer resume` to continue"
DRAFT_KEPT = " (the answer you were typing too: it offers it back)"

TopicOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--topic", "-t", metavar="TOPIC", help="Ask only questions of this topic (repeatable)."
    ),
]
QuestionsOpt = Annotated[
    int, typer.Option("--questions", "-n", min=1, max=500, help="Questions in the session.")
]
FollowUpsOpt = Annotated[
    int,
    typer.Option("--follow-ups", "-f", min=0, max=10, help="Follow-ups per answer, at most."),
]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Order unseen questions reproducibly.")]
VerboseOpt = Annotated[
    bool,
    typer.Option("--verbose", "-v", help="Full feedback panels (in a session, /more shows them)."),
]


FIRST_RUN_HINT = (
    "How it works: type your answer over as many lines as you like, then a line "
    "holding only '.' to send it. Commands (alone on a line): /hint reveals a key "
    "point (costs score), /skip, /more shows the last feedback in full, /quit saves "
    "and leaves (`interviewer resume` goes on)."
)
WAITING_FOR_MODEL = "waiting for the model's review… (your answer is saved)"
BUILDING_BANK = (
    "loading your notes: building their questions and key points (the first run after "
    "they change; large notes take minutes)…"
)
SHORT_HINT = "End your answer with a line holding only '.'. Commands: /hint /skip /more /quit"


def _one_line(console: Console) -> bool:
    """Soft wrap (one line, whatever the width) for pipes and logs, which grep it; on a
    terminal, wrap at words so that no word is cut at the right edge."""
    return not console.is_terminal


class _Interrupted(KeyboardInterrupt):
    """Ctrl-C while a line was being typed; ``partial`` holds that line."""

    def __init__(self, partial: str) -> None:
        super().__init__()
        self.partial = partial


class RichIO:
    """``SessionIO`` on a terminal or pipes. With --json everything goes to stderr
    so that stdout holds only the transcript."""

    def __init__(
        self,
        console: Console,
        *,
        interactive: bool,
        to_stderr: bool,
        verbose: bool = False,
        first_run: bool = False,
        follow_ups: bool = True,
    ) -> None:
        from interviewer.session import AnswerReader

        self.console = console
        self.interactive = interactive
        self.to_stderr = to_stderr
        self.verbose = verbose
        self.first_run = first_run
        self.follow_ups = follow_ups
        self._streamed = False
        self._waiting = False  # "waiting for the model" is on screen
        self._model_error: str | None = None  # the last failure of the model layer shown
        self._explained = False
        self._readline_mod: Any = None
        self._queued: list[str] = []
        if interactive:
            try:
                import readline  # line editing, and a draft line can be edited in place

                # A Tab in a pasted answer is text, not a request to complete a file name.
                readline.parse_and_bind("tab: tab-insert")
                self._readline_mod = readline
            except ImportError:  # pragma: no cover - Windows
                pass
        self.reader = AnswerReader(self._readline, interactive=interactive)
        # Bytes that are not UTF-8 are kept and decoded (see _cli.typed), never dropped.
        from interviewer._cli.typed import keep_bytes

        keep_bytes()
        self._plain_tty = False  # line editing off: the terminal does not send UTF-8

    # -- input -------------------------------------------------------------------------
    def _readline(self, prompt: str, prefill: str | None = None) -> str | None:
        if not self.interactive:
            line = sys.stdin.readline()
            return None if line == "" else self._typed(line.rstrip("\r\n"))
        if self._queued:
            return self._queued.pop(0)
        line = self._input(prompt, prefill)
        line = None if line is None else self._typed(line)
        if line is not None and ("\n" in line or "\r" in line):
            # A bracketed paste comes back as one string: the answer reader (the '.'
            # line, the draft) works line by line.
            first, *rest = line.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            self._queued.extend(rest)
            return first
        return line

    def _typed(self, line: str) -> str:
        from interviewer._cli.typed import stdin_source, typed_text

        text, warning = typed_text(line, stdin_source())
        if warning is not None and not self._plain_tty:
            # GNU readline in a UTF-8 locale garbles such bytes: lines are read plainly
            # from now on, every byte kept.
            self._plain_tty = True
            garbled = "; line editing is off (the line just typed may have lost letters)"
            self.notice(warning + (garbled if self._readline_mod else ""))
        return text

    def _input(self, prompt: str, prefill: str | None) -> str | None:
        if self._plain_tty:
            (sys.stderr if self.to_stderr else sys.stdout).write(prompt)
            (sys.stderr if self.to_stderr else sys.stdout).flush()
            line = sys.stdin.readline()
            return None if line == "" else line.rstrip("\r\n")
        rl = self._readline_mod
        if rl is not None and prefill is not None:
            rl.set_startup_hook(lambda: rl.insert_text(prefill))
        try:
            if self.to_stderr:
                sys.stderr.write(prompt)
                sys.stderr.flush()
                return input()
            return input(prompt)
        except EOFError:
            return None
        except KeyboardInterrupt:
            # What was typed on the current line is part of the draft too.
            partial = ""
            if rl is not None:
                try:
                    partial = rl.get_line_buffer()
                except Exception:  # noqa: BLE001 - best effort only
                    partial = ""
            raise _Interrupted(partial) from None
        finally:
            if rl is not None and prefill is not None:
                rl.set_startup_hook(None)

    def read_answer(self, draft: AnswerDraft | None = None) -> str | None:
        return self.reader.read(draft)

    def offer_draft(self, draft: Draft) -> DraftChoice:
        from rich.text import Text

        from interviewer.render import clean

        text = clean(draft.text)
        shown = text if len(text) <= 600 else text[:600] + "…"
        self.console.print(Text("You had started:", style="bold yellow"))
        self.console.print(Text("  " + shown.replace("\n", "\n  ")))
        if not self.interactive:
            self.info("kept; the answer goes on after it")
            return "keep"
        # Lines come back to edit only where input() goes through readline: both
        # stdin and stdout on the terminal.
        can_edit = self._readline_mod is not None and sys.stdout.isatty()
        prompt = (
            "Keep it (k), edit it (e) or start over (s)? [k] "
            if can_edit
            else "Keep it (k) or start over (s)? [k] "
        )
        while True:
            try:
                if self.to_stderr:  # stdout holds only the JSON transcript
                    sys.stderr.write(prompt)
                    sys.stderr.flush()
                    choice = input().strip().lower()
                else:
                    choice = input(prompt).strip().lower()
            except EOFError:
                return "keep"
            if choice in ("", "k", "keep"):
                self.info("kept: go on typing after it, '.' to send")
                return "keep"
            if can_edit and choice in ("e", "edit"):
                self.info("each line comes back to edit; Enter keeps it; '.' sends the rest as is")
                return "edit"
            if choice in ("s", "start over", "discard", "d"):
                return "discard"

    # -- output ------------------------------------------------------------------------
    def notice(self, message: str) -> None:
        self.console.print(
            f"[yellow]note:[/] {_escape(message)}", markup=True, highlight=False,
            soft_wrap=_one_line(self.console),
        )  # fmt: skip

    def info(self, message: str) -> None:
        self.console.print(
            f"[dim]{_escape(message)}[/]", markup=True, highlight=False,
            soft_wrap=_one_line(self.console),
        )  # fmt: skip

    def ask(self, question: AskedQuestion) -> None:
        from rich.text import Text

        from interviewer.render import question_panel

        if self.first_run and not self._explained:
            self.console.print(Text(FIRST_RUN_HINT, style="dim"))
        self.console.print(question_panel(question, self.console.width))
        if self.interactive and not self._explained and not self.first_run:
            self.console.print(Text(SHORT_HINT, style="dim"))
        self._explained = True

    def hint(self, point: KeyPoint, number: int) -> None:
        from rich.padding import Padding
        from rich.text import Text

        from interviewer.render import clean

        line = Text(f"hint {number}", style="bold yellow")
        line.append(f" (costs points): {clean(point.text)}")
        self.console.print(line)
        # Padded, not prefixed: a long heading wraps under the citation, not at column 0.
        where = Text(clean(point.citation.label(), one_line=True), style="dim")
        self.console.print(Padding(where, (0, 0, 0, 2), expand=False))

    def critique_start(self) -> None:
        # The header waits for the first piece of critique: a model that fails sends
        # none, and its one line of error stands alone.
        self._streamed = False
        if self.console.is_terminal:
            # A model may think for a minute before its first word: say so, on a line
            # that the critique's header (or the failure line) then writes over.
            self.console.file.write(f"\r{WAITING_FOR_MODEL}")
            self.console.file.flush()
            self._waiting = True

    def _clear_waiting(self) -> None:
        if self._waiting:
            # Erase the whole line: on a narrow terminal the notice may have wrapped
            # past a cleared width, and the line's own length is not the screen's.
            self.console.file.write("\r\x1b[2K")
            self.console.file.flush()
            self._waiting = False

    def token(self, text: str) -> None:
        from interviewer.render import clean

        if not self._streamed:
            self._clear_waiting()
            self.console.print("[bold]Model critique:[/] ", markup=True, end="")
        self._streamed = True
        self.console.file.write(clean(text))
        self.console.file.flush()

    def feedback(self, feedback: Feedback, stage: Literal["grounded", "model"]) -> None:
        from interviewer.render import compact_feedback, full_feedback, model_feedback

        width = self.console.width
        if stage == "model":
            self._clear_waiting()
            if self._streamed:
                self.console.print()
            error = feedback.model_error
            if error and error == self._model_error:
                # The same failure as last time (the server went away): said once in full.
                self.console.print(
                    "model layer still failing, as above; the grounded feedback stands.",
                    style="yellow", markup=False, highlight=False,
                )  # fmt: skip
                return
            self._model_error = error
            self.console.print(model_feedback(feedback, width))
        elif self.verbose:
            self.console.print(full_feedback(feedback, width))
        else:
            # In a session the follow-up is asked next in its own panel.
            self.console.print(compact_feedback(feedback, width, follow_up=not self.follow_ups))

    def more(self, feedback: Feedback | None) -> None:
        from interviewer.render import full_feedback

        if feedback is None:
            self.info("no feedback yet: /more shows the last feedback in full")
            return
        self.console.print(full_feedback(feedback, self.console.width))


def _escape(text: str) -> str:
    from rich.markup import escape

    from interviewer.render import clean

    return escape(clean(text))


def _render_summary(console: Console, outcome: SessionOutcome) -> None:
    from rich.table import Table

    t = outcome.transcript
    remaining = len(t.remaining())
    if not t.turns:
        # Nothing answered: no score table to show.
        console.print(
            f"No answers in session {t.session.id} yet; `interviewer resume {t.session.id}` "
            "starts it again.",
            highlight=False,
            soft_wrap=_one_line(console),
        )
        return
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
    if remaining:
        console.print(
            f"{counted(remaining, 'question')} left: `interviewer resume {t.session.id}` "
            "to continue.",
            highlight=False,
            soft_wrap=_one_line(console),
        )
    console.print(
        f"Report: interviewer report {t.session.id}", highlight=False, soft_wrap=_one_line(console)
    )


def _open_and_run(
    settings: Settings,
    *,
    json_out: bool,
    verbose: bool = False,
    new_options: Any = None,
    resume_record: SessionRecord | None = None,
) -> None:
    from interviewer.drafts import DraftStore
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
    if _bank_pending(settings):
        # Silent, this takes minutes on large notes (about 25 s of CPU per 1,000 questions).
        chatter.print(f"[dim]{BUILDING_BANK}[/]", markup=True, highlight=False)
    else:
        chatter.print("[dim]loading your notes…[/]", markup=True)
    grader = Grader.open(settings, use_llm=engine.use_llm)

    def warn(message: str) -> None:
        chatter.print(
            f"warning: {message}", markup=False, highlight=False, soft_wrap=_one_line(chatter)
        )

    from interviewer._cli.checks import skipped_files

    for skipped in skipped_files(settings):
        warn(skipped)  # a file of the notes that no question can come from

    with SessionStore(settings.sessions_db, on_warning=warn) as store:
        drafts = DraftStore(settings.sessions_db.parent / "drafts")
        first_run = False
        if resume_record is not None:
            record = resume_record
            if record.corpus != corpus_key(settings):
                chatter.print(
                    "[yellow]note:[/] the notes dir differs from the session's", markup=True
                )
            done = len(store.turns(record.id))
            chatter.print(
                f"resuming session {record.id} ({record.created_at:%Y-%m-%d %H:%M} UTC) on "
                f"{record.corpus_dir}: {len(record.plan) - done} of "
                f"{counted(len(record.plan), 'question')} left",
                markup=False,
                highlight=False,
                soft_wrap=_one_line(chatter),
            )
        else:
            first_run = interactive and not store.list_sessions(limit=1)
            left = store.last_resumable(corpus_key(settings))
            if left is not None and drafts.load(left.id) is not None:
                chatter.print(
                    f"note: session {left.id} has an answer you had started; "
                    f"`interviewer resume {left.id}` offers it back",
                    markup=False,
                    highlight=False,
                    soft_wrap=_one_line(chatter),
                )
            record = start_session(grader, store, settings, new_options, engine=engine.engine)
        io = RichIO(
            console,
            interactive=interactive,
            to_stderr=json_out,
            verbose=verbose,
            first_run=first_run,
            follow_ups=record.options.follow_ups > 0,
        )
        session = Interview(grader, store, io, record, engine=engine, drafts=drafts)
        try:
            outcome = session.run()
        except KeyboardInterrupt:
            # One line, whether or not an answer was being typed.
            kept = drafts.load(record.id) is not None
            chatter.print(
                f"\n{SAVED_MESSAGE}{DRAFT_KEPT if kept else ''}",
                markup=False,
                highlight=False,
                soft_wrap=_one_line(chatter),
            )
            if json_out:
                print_json(store.transcript(record.id).model_dump(mode="json"))
            raise typer.Exit(130) from None
    if json_out:
        print_json(outcome.transcript.model_dump(mode="json"))
        _render_summary(chatter, outcome)
    else:
        _render_summary(console, outcome)


def _bank_pending(settings: Settings) -> bool:
    """Whether the question bank is to be built: none cached, one of another extraction
    version (an upgrade), or a file the loader reads (notes, fetched references) newer
    than it. By file times, so cheap: a file touched but unchanged only costs the
    longer notice."""
    import re

    from interviewer.corpus import iter_note_files
    from interviewer.grading.bank import BANK_FILE
    from interviewer.grading.models import EXTRACTION_VERSION
    from interviewer.index import reference_files

    bank = settings.index_dir / BANK_FILE
    try:
        built = bank.stat().st_mtime
        with bank.open("rb") as f:
            head = f.read(64).decode("utf-8", "replace")
        # The bank's JSON starts with its version (the model's first field).
        m = re.match(r'\{\s*"version"\s*:\s*(\d+)', head)
        if m is None or int(m.group(1)) != EXTRACTION_VERSION:
            return True
        root = settings.corpus_dir
        files = [*iter_note_files(root), *reference_files(root)]
        newest = max((p.stat().st_mtime for p in files), default=0.0)
    except OSError:
        return True
    return newest > built


def _check_model_flags(model: str | None, no_llm: bool) -> None:
    from interviewer.errors import ConfigError

    if model and no_llm:
        raise ConfigError("use --model or --no-llm, not both")


@walks_notes_once
def interview(
    topic: TopicOpt = None,
    questions: QuestionsOpt = 5,
    follow_ups: FollowUpsOpt = 1,
    model: ModelOpt = None,
    no_llm: NoLlmOpt = False,
    corpus: CorpusOpt = None,
    json_out: JsonOpt = False,
    seed: SeedOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Mock interview on your notes: questions, grounded feedback, follow-ups. End
    each answer with a line holding only '.'; /hint, /skip, /more, /quit."""
    from interviewer.store import SessionOptions

    _check_model_flags(model, no_llm)
    settings = settings_from(corpus=corpus, model=model, no_llm=no_llm)
    check_corpus(settings, corpus)
    options = SessionOptions(
        topics=list(topic or []), questions=questions, follow_ups=follow_ups, seed=seed,
        no_llm=no_llm,
    )  # fmt: skip
    try:
        _open_and_run(settings, json_out=json_out, verbose=verbose, new_options=options)
    except KeyboardInterrupt:
        # Before the session exists (while loading): nothing to save.
        err_console().print("\ninterrupted", markup=False)
        raise typer.Exit(130) from None


@walks_notes_once
def resume(
    session: Annotated[
        str | None,
        typer.Argument(
            help="Session id or prefix (default: the newest unfinished session of the "
            "corpus, else of any corpus)."
        ),
    ] = None,
    model: ModelOpt = None,
    no_llm: NoLlmOpt = False,
    corpus: CorpusOpt = None,
    json_out: JsonOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Continue an unfinished session where it stopped, with the answer you were
    typing if any."""
    from interviewer.errors import CorpusError
    from interviewer.scheduling import corpus_key
    from interviewer.session import resumable_session
    from interviewer.store import SessionStore

    _check_model_flags(model, no_llm)
    base = settings_from(corpus=corpus, model=model, no_llm=no_llm)
    if corpus is not None:
        check_corpus(base, corpus)
    with SessionStore(base.sessions_db, on_warning=warn_line) as store:
        record = resumable_session(store, session, corpus=corpus_key(base))
    if session is None and record.corpus != corpus_key(base):
        err = err_console()
        err.print(
            f"note: no unfinished session on {base.corpus_dir}; resuming the newest one "
            "of another corpus",
            markup=False,
            highlight=False,
            soft_wrap=_one_line(err),
        )
    corpus_dir = Path(record.corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError(f"{corpus_dir}: the notes dir of session {record.id} is gone")
    # A session started with --no-llm stays off the model unless --model asks for it.
    no_llm = no_llm or (record.options.no_llm and model is None)
    settings = settings_from(corpus=corpus_dir, model=model, no_llm=no_llm)
    try:
        _open_and_run(settings, json_out=json_out, verbose=verbose, resume_record=record)
    except KeyboardInterrupt:
        err_console().print(f"\n{SAVED_MESSAGE}", markup=False)
        raise typer.Exit(130) from None
