"""`interviewer history`, `report` and `progress`: read-only views of the saved
sessions and of the FSRS memory of weak spots."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from interviewer.plurals import counted

if TYPE_CHECKING:
    from interviewer.store import Transcript

from interviewer._cli.checks import check_corpus
from interviewer._cli.common import (
    CorpusOpt,
    JsonOpt,
    out_console,
    print_json,
    settings_from,
    write_text,
)


class ReportFormat(StrEnum):
    md = "md"
    json = "json"


def history(
    limit: Annotated[int, typer.Option("--limit", "-l", min=1, help="Sessions to list.")] = 20,
    json_out: JsonOpt = False,
) -> None:
    """List past sessions, newest first (--json: with their transcripts)."""
    from interviewer._cli.checks import warn_line
    from interviewer.errors import StoreError
    from interviewer.store import SessionStore

    settings = settings_from()
    warnings: list[str] = []
    pending = 0
    transcripts: list[Transcript] = []
    if settings.sessions_db.exists():
        with SessionStore(settings.sessions_db, on_warning=warn_line) as store:
            for r in store.list_sessions(limit=limit):
                try:
                    transcripts.append(store.transcript(r.id))
                except StoreError as exc:
                    warn_line(str(exc))
                    store.warnings.append(str(exc))
            warnings = store.warnings
            pending = store.pending_count()
    if json_out:
        data: dict[str, object] = {
            "sessions": [t.model_dump(mode="json") for t in transcripts]
        }
        if warnings:
            data["warnings"] = warnings
        print_json(data)
        return
    console = out_console()
    if pending:
        console.print(
            f"{counted(pending, 'write')} waiting for the locked sessions database; shown below "
            "and saved when it is free.",
            highlight=False,
        )
    if not transcripts:
        console.print("No sessions yet: start one with `interviewer interview`.")
        return
    from rich.table import Table

    # No outer edge: the six columns then fit an 80-column terminal without folding.
    table = Table(title="Sessions", show_edge=False, pad_edge=False)
    for name, justify, no_wrap in (
        ("Session", "left", True),
        ("Started (UTC)", "left", True),
        ("Status", "left", True),
        ("Asked", "right", True),
        ("Mean", "right", True),
        ("Engine", "left", False),
    ):
        table.add_column(
            name, justify=justify, no_wrap=no_wrap, overflow="fold"  # type: ignore[arg-type]
        )
    for t in transcripts:
        s = t.session
        scores = [
            turn.feedback.score
            for turn in t.turns
            if turn.feedback is not None and turn.feedback.notes_status == "ok"
        ]
        mean = f"{sum(scores) / len(scores):.1f}" if scores else "-"
        table.add_row(
            s.id,
            f"{s.created_at:%Y-%m-%d %H:%M}",
            s.status,
            f"{len(t.turns)}/{len(s.plan)}",
            mean,
            s.engine,
        )
    console.print(table, soft_wrap=False)


def report(
    session: Annotated[
        str | None, typer.Argument(help="Session id or prefix (default: the latest).")
    ] = None,
    format: Annotated[
        ReportFormat, typer.Option("--format", help="md (Markdown) or json.")
    ] = ReportFormat.md,
    json_out: Annotated[
        bool, typer.Option("--json", help="Print JSON for machines (same as --format json).")
    ] = False,
) -> None:
    """Per-question scores, weak topics and what to reread, with citations."""

    from interviewer.errors import StoreError
    from interviewer.session_report import build_report, report_markdown
    from interviewer.store import SessionStore

    settings = settings_from()
    if not settings.sessions_db.exists():
        raise StoreError("no sessions yet: start one with `interviewer interview`")
    from interviewer._cli.checks import warn_line

    with SessionStore(settings.sessions_db, on_warning=warn_line) as store:
        record = store.resolve(session)
        result = build_report(store.transcript(record.id))
    if json_out or format is ReportFormat.json:
        print_json(result.model_dump(mode="json"))
    else:
        write_text(report_markdown(result))


def progress(corpus: CorpusOpt = None, json_out: JsonOpt = False) -> None:
    """Mastery per topic of the notes, from the FSRS memory of past answers."""
    from datetime import UTC, datetime

    from interviewer.grading import Grader
    from interviewer.scheduling import corpus_key, topic_mastery
    from interviewer.store import SessionStore

    settings = settings_from(corpus=corpus, no_llm=True)
    check_corpus(settings, corpus)
    questions = Grader.open(settings, use_llm=False).questions()
    key = corpus_key(settings)
    cards = {}
    if settings.sessions_db.exists():
        from interviewer._cli.checks import warn_line

        with SessionStore(settings.sessions_db, on_warning=warn_line) as store:
            cards = store.cards(key)
    now = datetime.now(UTC)
    topics = topic_mastery(questions, cards, now)
    seen = sum(t.seen for t in topics)
    due = sum(t.due for t in topics)
    if json_out:
        print_json(
            {
                "corpus": key,
                "corpus_dir": str(settings.corpus_dir),
                "questions": len(questions),
                "seen": seen,
                "due": due,
                "topics": [t.model_dump(mode="json") for t in topics],
            }
        )
        return
    from rich.markup import escape
    from rich.table import Table

    from interviewer.render import clean

    console = out_console()
    table = Table(title=escape(f"Progress on {settings.corpus_dir}"))
    table.add_column("Topic")
    table.add_column("Mastery", justify="right")
    table.add_column("Seen", justify="right")
    table.add_column("Due", justify="right")
    table.add_column("Weak", justify="right")
    table.add_column("Mean score", justify="right")
    for t in topics:
        bar = "█" * round(t.mastery * 10) + "·" * (10 - round(t.mastery * 10))
        table.add_row(
            escape(clean(t.topic, one_line=True)),
            f"{bar} {t.mastery:.0%}",
            f"{t.seen}/{t.questions}",
            str(t.due),
            str(t.weak),
            "-" if t.mean_score is None else f"{t.mean_score:.1f}",
        )
    console.print(table, soft_wrap=False)
    console.print(
        f"{seen} of {counted(len(questions), 'question')} answered at least once; "
        f"{due} due for review."
    )
