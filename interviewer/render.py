"""How questions and feedback look in the terminal (rich renderables; nothing is
printed here). Two sizes of feedback: compact by default (score, at most three missed
points with their citation, wrong claims, the follow-up: about 15 lines at 80
columns) and full (every panel), for ``/more`` and ``--verbose``.

Text from notes and answers is data: it is never parsed as markup, control
characters and tabs are made harmless (a pasted answer must not shift a border), and
titles are shortened at a word, never cut inside one."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from interviewer.plurals import counted

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from interviewer.feedback import Citation, Feedback, IncorrectClaim, Point
    from interviewer.session import AskedQuestion

ELLIPSIS = "…"
MAX_MISSED = 3
MAX_WRONG = 2
MAX_CHECK = 1  # claims to check (advisory, no score effect) in the compact view
CHECK_LABEL = "Differs from your notes, check"
CHECK_NOTE = "no effect on the score"
MODEL_DISPUTES = "The model calls this wrong, but your notes back it: check"
# Escape sequences, then any other control character (newlines are handled apart).
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e]")


def clean(text: str, *, one_line: bool = False) -> str:
    """Text safe to lay out: no escape sequences or control characters, tabs as
    spaces; with ``one_line``, all whitespace runs become one space."""
    text = _ESCAPES.sub("", text).replace("\t", "    ").replace("\r\n", "\n")
    text = _CONTROLS.sub("", text.replace("\r", "\n"))
    return " ".join(text.split()) if one_line else text


def shorten(text: str, width: int) -> str:
    """``text`` on one line, at most ``width`` cells, cut after a whole word with "…"
    (a single word longer than the width is the only thing ever cut inside)."""
    from rich.cells import cell_len

    text = clean(text, one_line=True)
    if cell_len(text) <= width:
        return text
    out = ""
    for word in text.split(" "):
        candidate = f"{out} {word}" if out else word
        if cell_len(candidate) + 1 > width:
            break
        out = candidate
    if not out:
        # One overlong word (a URL, a path): cut it, the only way to fit.
        from rich.text import Text

        cut = Text(text)
        cut.truncate(max(width - 1, 1))
        out = cut.plain
    return out.rstrip(" ,;:-–—") + ELLIPSIS


def fit_title(text: str, width: int) -> str:
    """A panel title that fits a panel ``width`` cells wide (corners, padding and a
    little border stay visible on both sides)."""
    return shorten(text, max(width - 8, 10))


def _text(value: str, style: str = "") -> Any:
    from rich.text import Text

    return Text(clean(value), style=style)


def score_style(score: float) -> str:
    return "green" if score >= 8.5 else "yellow" if score >= 6 else "red"


# ---- questions --------------------------------------------------------------------------
def question_panel(question: AskedQuestion, width: int) -> RenderableType:
    """The question in a panel: its full text in the body (it wraps), a title that
    never cuts a word, and where it comes from as a dim last line."""
    from rich.panel import Panel
    from rich.text import Text

    if question.kind == "follow_up":
        title = f"Follow-up {question.follow_up} on question {question.number}"
        style = "magenta"
    else:
        title = f"Question {question.number}/{question.total}"
        style = "cyan"
    if question.topic:
        title += f" · {question.topic}"
    body = Text(clean(question.text).strip(), style="bold")
    if question.notes_status != "ok":
        body.append("\n(nothing under this heading to grade against yet)", style="dim")
    if question.source:
        where = clean(question.source, one_line=True)
        heading = clean(question.heading, one_line=True)
        # The heading is often the question itself: then the file says enough.
        if heading and heading.rsplit(" > ", 1)[-1] != clean(question.text, one_line=True):
            where += f" § {heading}"
        body.append("\n" + where, style="dim")
    return Panel(body, title=Text(fit_title(title, width)), border_style=style, width=width)


# ---- compact feedback -------------------------------------------------------------------
MAX_ITEMS = 4  # missed points and wrong claims together, in the compact view


def _where(citation: Citation, question: str, width: int) -> str:
    """A citation on one line: the file and lines, then the end of the heading path
    (the unit's question or last headings: the part that says where), with as many
    parent headings before it as fit; the document's title comes last, if at all. The
    heading is left out when it only repeats the question being asked."""
    where = citation.label().rsplit(" § ", 1)[0]
    parts = [p for p in clean(citation.heading, one_line=True).split(" > ") if p.strip()]
    if not parts or parts[-1] == clean(question, one_line=True):
        return shorten(where, width)
    room = width - len(where) - 3  # " § "
    shown = parts[-1]
    for parent in reversed(parts[:-1]):
        longer = f"{parent} > {shown}"
        if len(longer) > room:
            break
        shown = longer
    return shorten(f"{where} § {shown}", width)


def compact_feedback(
    fb: Feedback, width: int, *, follow_up: bool = True, more_hint: str = "/more"
) -> RenderableType:
    """Score and key points covered (the title), at most three missed points by name
    with their citation, wrong claims and the follow-up: about 15 lines."""
    from rich.panel import Panel
    from rich.text import Text

    inner = max(width - 4, 20)
    if not fb.grounded or fb.notes_status != "ok":
        reason = (
            "your notes hold no question like this one"
            if fb.notes_status == "none"
            else "there are no notes under this question's heading"
        )
        body = Text(
            f"Not graded: {reason} to grade against. Write some to be graded on it.",
            style="yellow",
        )
        if fb.notes_excerpt:  # notes too short to grade: the critique quotes them
            body = Text(f"Not graded. {fb.critique}", style="yellow")
        return Panel(body, title=Text("Feedback"), border_style="yellow", width=width)
    n_wrong = min(MAX_WRONG, len(fb.incorrect))
    n_check = min(MAX_CHECK, len(fb.to_check))
    n_missed = min(MAX_MISSED, len(fb.missed), max(MAX_ITEMS - n_wrong - n_check, 1))
    rows: list[tuple[str, str]] = []
    if fb.missed:
        more = f", {n_missed} shown" if len(fb.missed) > n_missed else ""
        rows.append((f"Missed ({len(fb.missed)}{more}):", "bold red"))
        for p in fb.missed[:n_missed]:
            rows.append((f"• {shorten(p.text, inner - 2)}", ""))
            if p.citation is not None:
                rows.append((f"  {_where(p.citation, fb.question, inner - 2)}", "dim"))
    if fb.incorrect:
        more = f", {n_wrong} shown" if len(fb.incorrect) > n_wrong else ""
        rows.append((f"Wrong or imprecise ({len(fb.incorrect)}{more}):", "bold red"))
        for claim in fb.incorrect[:n_wrong]:
            rows.append((f"✗ “{shorten(claim.text, inner - 4)}”", "red"))
            where = (
                _where(claim.citation, fb.question, inner)
                if claim.citation is not None
                else ("" if claim.in_notes else "not in your notes")
            )
            fix = f"→ {claim.correction.strip()}" if claim.correction.strip() else ""
            if fix and where:
                # The correction gives way to its source when both do not fit.
                room = inner - 2 - cell_len_(where) - 3
                line = f"{shorten(fix, room)} ({where})" if room >= 20 else shorten(fix, inner - 2)
            else:
                line = shorten(fix or where, inner - 2)
            rows.append((f"  {line}", "dim" if not fix else ""))
    if fb.to_check:
        # Advisory: a rule not precise enough to penalise found it, so it reads as a
        # question to the user, in yellow, never among the wrong claims.
        more = f", {n_check} shown" if len(fb.to_check) > n_check else ""
        rows.append((f"{CHECK_LABEL} ({len(fb.to_check)}{more}; {CHECK_NOTE}):", "bold yellow"))
        for claim in fb.to_check[:n_check]:
            rows.append((f"? “{shorten(claim.text, inner - 4)}”", "yellow"))
            where = _where(claim.citation, fb.question, inner) if claim.citation else ""
            note = f"notes: {claim.correction.strip()}" if claim.correction.strip() else ""
            if note and where:
                room = inner - 2 - cell_len_(where) - 3
                line = (
                    f"{shorten(note, room)} [{where}]" if room >= 20 else shorten(note, inner - 2)
                )
            else:
                line = shorten(note or where, inner - 2)
            if line:
                rows.append((f"  {line}", "dim"))
    if fb.remarks:
        # On the answer as a whole (far too long, another language...): said even when
        # every point is covered, since that alone would read as praise.
        if not rows:
            first = _nothing_missed(fb, more_hint)
            rows.append((first.plain, str(first.style)))
        rows.extend((clean(r, one_line=True), "yellow") for r in fb.remarks)
    if follow_up and fb.follow_up:
        rows.append((shorten(f"Follow-up: {fb.follow_up}", inner), "cyan"))
    if fb.hints_used:
        if not (fb.missed or fb.incorrect or fb.to_check or fb.remarks):
            # Said before the hint line, as it is without one: nothing was missed.
            first = _nothing_missed(fb, more_hint)
            rows.insert(0, (first.plain, str(first.style)))
        rows.append((f"{counted(fb.hints_used, 'hint')} used", "dim"))
    body = Text()
    for i, (line, style) in enumerate(rows):
        body.append(("\n" if i else "") + line, style=style)
    # ``missed`` holds only the top missed points: the total is the grader's count (the
    # one the critique and `interviewer questions` give), when the feedback has it.
    total = fb.points_total if fb.points_total is not None else (
        len(fb.covered) + len(fb.partial) + len(fb.missed)
    )
    title = Text(f"Score {fb.score:.1f}/10", style=f"bold {score_style(fb.score)}")
    if total:
        covered = f"{len(fb.covered)} of {total} key point{'' if total == 1 else 's'}"
        if fb.partial:
            covered += f" (+{len(fb.partial)} in part)"
        title.append(" · " + shorten(covered, max(width - 11 - title.cell_len, 1)))
    subtitle = Text(f"{more_hint}: all points and sources", style="dim") if more_hint else None
    return Panel(
        body if rows else _nothing_missed(fb, more_hint),
        title=title,
        subtitle=subtitle if total else None,
        subtitle_align="right",
        border_style="blue",
        width=width,
    )


def _nothing_missed(fb: Feedback, more_hint: str) -> Text:
    from rich.text import Text

    if fb.partial:
        return Text(
            f"Nothing missed; {counted(len(fb.partial), 'point')} covered only in part "
            f"({more_hint}).",
            style="yellow",
        )
    return Text("Every key point covered.", style="green")


def cell_len_(text: str) -> int:
    from rich.cells import cell_len

    return cell_len(text)


# ---- full feedback ----------------------------------------------------------------------
def _bullets(rows: list[tuple[str, list[tuple[str, str]]]]) -> Any:
    """Bulleted items with a hanging indent: (main text, [(extra line, style)])."""
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=1)
    grid.add_column(ratio=1)
    for main, extras in rows:
        text = Text(clean(main, one_line=True))
        for extra, style in extras:
            text.append("\n" + clean(extra, one_line=True), style=style)
        grid.add_row("•", text)
    return grid


def _claim_rows(claims: list[IncorrectClaim]) -> list[tuple[str, list[tuple[str, str]]]]:
    rows = []
    for claim in claims:
        extras = [(f"→ {claim.correction}", "")] if claim.correction else []
        if claim.citation is not None:
            extras.append((claim.citation.label(), "dim"))
        elif not claim.in_notes:
            extras.append(("(not in your notes)", "dim"))
        rows.append((claim.text, extras))
    return rows


def _check_rows(claims: list[IncorrectClaim]) -> list[tuple[str, list[tuple[str, str]]]]:
    rows = []
    for claim in claims:
        # A model's correction is its own word, not the notes' (see model_checks).
        said = "the model says" if claim.source == "model" else "notes"
        extras = [(f"{said}: {claim.correction}", "")] if claim.correction else []
        if claim.citation is not None:
            extras.append((f"[{claim.citation.label()}]", "dim"))
        rows.append((f"“{claim.text}”", extras))
    return rows


def to_check_panel(fb: Feedback, width: int | None = None) -> RenderableType | None:
    """The claims that differ from the notes by an advisory rule, as a panel of their
    own (None when there are none): to check, with no effect on the score."""
    from rich.panel import Panel
    from rich.text import Text

    if not fb.to_check:
        return None
    return Panel(
        _bullets(_check_rows(fb.to_check)),
        title=Text(f"{CHECK_LABEL} ({CHECK_NOTE})"),
        border_style="yellow",
        width=width,
    )


def full_feedback(fb: Feedback, width: int | None = None) -> RenderableType:
    """Every panel: covered, partly covered, missed (with the note's words and
    citation), wrong claims, the critique, the follow-up and the sources."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    parts: list[Any] = []
    if not fb.grounded or fb.notes_status != "ok":
        parts.append(
            Text(
                "Nothing in the notes to ground a critique for this question on, so it is "
                "not graded. Write notes under its heading to be graded on it.",
                style="yellow",
            )
        )
        if fb.critique:
            parts.append(_text(fb.critique))
        return Panel(Group(*parts), title=Text("Feedback"), border_style="yellow", width=width)

    def points(label: str, items: list[Point], style: str, with_source: bool) -> None:
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
    if fb.to_check:
        parts.append(Text(f"{CHECK_LABEL} ({CHECK_NOTE})", style="bold yellow"))
        parts.append(_bullets(_check_rows(fb.to_check)))
    if fb.critique:
        parts.append(_text(fb.critique, "italic"))
    if fb.follow_up:
        parts.append(Text("Follow-up", style="bold cyan"))
        parts.append(_text(fb.follow_up))
    if fb.citations:
        parts.append(Text("Sources", style="bold"))
        parts.append(_bullets([(c.label(), []) for c in fb.citations]))
    if fb.hints_used:
        parts.append(Text(f"{counted(fb.hints_used, 'hint')} used", style="dim"))
    score = Text(f"Score {fb.score:.1f}/10", style=f"bold {score_style(fb.score)}")
    return Panel(
        Group(*parts) if parts else Text(""), title=score, border_style="blue", width=width
    )


def model_feedback(fb: Feedback, width: int | None = None) -> RenderableType:
    """What the model layer changed: its score and the claims it flagged."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    if fb.model_error:
        return Text(
            f"model layer failed ({clean(fb.model_error, one_line=True)}); "
            "the grounded feedback stands.",
            style="yellow",
        )
    parts: list[Any] = [
        Text(f"Score {fb.score:.1f}/10 ({fb.engine})", style=f"bold {score_style(fb.score)}")
    ]
    model_claims = [c for c in fb.incorrect if c.source == "model"]
    if model_claims:
        parts.append(Text("Wrong or imprecise, says the model", style="bold red"))
        parts.append(_bullets(_claim_rows(model_claims)))
    disputed = [c for c in fb.to_check if c.source == "model"]
    if disputed:
        parts.append(Text(f"{MODEL_DISPUTES} ({CHECK_NOTE})", style="bold yellow"))
        parts.append(_bullets(_check_rows(disputed)))
    return Panel(Group(*parts), title=Text("Model review"), border_style="magenta", width=width)
