"""Checks of what the user passed, with messages that name what the user did."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from interviewer.settings import Settings


def corpus_origin(flag: Path | None) -> str:
    """Where the corpus dir came from, in the user's terms."""
    if flag is not None:
        return "given with --corpus"
    if os.environ.get("INTERVIEWER_CORPUS", "").strip():
        return "set by INTERVIEWER_CORPUS; pass --corpus DIR or fix the variable"
    return "from the config file or the default; pass --corpus DIR"


def check_corpus(settings: Settings, flag: Path | None) -> None:
    """The corpus dir exists and is a dir; else one line saying where it came from."""
    from interviewer.errors import CorpusError

    corpus_dir = settings.corpus_dir
    if not corpus_dir.exists():
        raise CorpusError(f"corpus dir {corpus_dir} does not exist ({corpus_origin(flag)})")
    if not corpus_dir.is_dir():
        hint = ""
        if corpus_dir.is_file():
            # A notes file where the folder of notes was meant: say both ways out.
            hint = (
                f"; pass the folder that holds it (--corpus {corpus_dir.parent}), or copy it "
                f"into your notes with `interviewer add {corpus_dir}`"
            )
        raise CorpusError(
            f"corpus path {corpus_dir} is not a directory ({corpus_origin(flag)}){hint}"
        )


def skipped_files(settings: Settings) -> list[str]:
    """"source: why" for each note file the index could not read (it is left out of
    search and sessions), from the index manifest: cheap, and empty with no index;
    then the documents of the notes dir that are not read in place (a notebook, a PDF,
    Org-mode notes), with what to do about them."""
    from interviewer._cli.common import unread_lines
    from interviewer.errors import InterviewerError
    from interviewer.index import read_manifest

    unread = unread_lines(settings)
    try:
        manifest = read_manifest(settings.index_dir)
    except (InterviewerError, OSError):
        return unread
    if manifest is None:
        return unread
    return [
        f"{source}: {entry.problem}"
        for source, entry in sorted(manifest.files.items())
        if entry.problem
    ] + unread


# More documents left out than this are summed up in one line (a vault's attachments
# would bury the listing); `audit` names each.
UNREAD_SHOWN = 3


def summarised(lines: list[str]) -> list[str]:
    """The warnings about documents not read in place, a long list summed up."""
    if len(lines) <= UNREAD_SHOWN + 1:
        return lines
    rest = len(lines) - UNREAD_SHOWN
    return [
        *lines[:UNREAD_SHOWN],
        f"and {rest} more documents not read in place; `interviewer audit` lists them all",
    ]


def warn_line(message: str) -> None:
    """A warning (a damaged row skipped, a database moved aside): one line on stderr."""
    from rich.console import Console

    Console(stderr=True, highlight=False).print(
        f"warning: {message}", markup=False, highlight=False, soft_wrap=True
    )


def hide_flag_types() -> None:
    """Typer's help shows a type beside every option, ``<bool>`` for on/off flags
    too, where it reads as if the flag took a value. Flags show none."""
    from typer.core import TyperOption

    shown = TyperOption.display_type_rich
    if getattr(shown, "_hides_flags", False):
        return

    def display_type_rich(self: TyperOption, ctx: object) -> str | None:
        if self.is_flag and self.metavar is None:
            return None
        return shown(self, ctx)  # type: ignore[arg-type]

    display_type_rich._hides_flags = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]
