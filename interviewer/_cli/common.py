"""Options and helpers shared by the command modules: settings from flags,
consoles (stdout for results, stderr for chatter), JSON output, errors."""

from __future__ import annotations

import contextlib
import functools
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

# Typer ships its own copy of click: its exceptions are these, not the `click` package's.
from typer._click.exceptions import ClickException, UsageError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.segment import Segment

    from interviewer.settings import Settings

CorpusOpt = Annotated[
    Path | None,
    typer.Option("--corpus", help="Corpus dir (default: INTERVIEWER_CORPUS or bundled notes)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
ChromaHostOpt = Annotated[
    str | None, typer.Option("--chroma-host", help="Use a Chroma server at this host.")
]
ChromaPortOpt = Annotated[int | None, typer.Option("--chroma-port", help="Chroma server port.")]
ModelOpt = Annotated[
    str | None, typer.Option("--model", "-m", help="Ollama model (default INTERVIEWER_MODEL).")
]
NoLlmOpt = Annotated[
    bool, typer.Option("--no-llm", help="Grounded core only; never contact Ollama.")
]


def settings_from(
    corpus: Path | None = None,
    chroma_host: str | None = None,
    chroma_port: int | None = None,
    model: str | None = None,
    no_llm: bool = False,
    **extra: Any,
) -> Settings:
    import os

    from interviewer.settings import load_settings

    if corpus is not None:
        # Absolute (symlinks kept): JSON, titles and session records name the same dir
        # whatever the current dir was.
        corpus = Path(os.path.abspath(corpus.expanduser()))
    overrides: dict[str, Any] = dict(
        corpus=corpus, chroma_host=chroma_host, chroma_port=chroma_port, model=model, **extra
    )
    if no_llm:
        overrides["use_llm"] = False
    return load_settings(**overrides)


def _safe_console_class() -> type[Console]:
    from rich.console import Console
    from rich.segment import Segment

    from interviewer.safety import strip_control

    class SafeConsole(Console):
        """A console that cannot be made to emit a terminal escape sequence by what it
        prints: text from notes, pages, models or users is stripped of control
        characters where rich turns segments into output, below every renderable
        (panels, tables, markup). Rich's own styling and cursor control stay."""

        def _render_buffer(self, buffer: Iterable[Segment]) -> str:
            clean = (
                Segment(strip_control(text), style, control) if control is None else
                Segment(text, style, control)
                for text, style, control in buffer
            )  # fmt: skip
            return super()._render_buffer(clean)

    return SafeConsole


def out_console() -> Console:
    return _safe_console_class()(highlight=False, soft_wrap=True)


def err_console() -> Console:
    console = _safe_console_class()(stderr=True, highlight=False)
    # A warning or an error stays one line in pipes and logs (they grep it); a terminal
    # wraps at words.
    console.soft_wrap = not console.is_terminal
    return console


_C1 = re.compile("[\x7f-\x9f]")


def print_json(data: Any) -> None:
    """Write JSON to stdout, nothing else (pipes rely on it). JSON escapes C0 control
    characters itself; DEL and C1 ones (U+009B is an 8-bit CSI) are escaped too, so
    that JSON on a terminal cannot drive it, and the data stays intact."""
    global _json_documents
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    text = _C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
    _json_documents += 1


def write_text(text: str) -> None:
    """Plain text (Markdown reports) to stdout, without terminal control sequences."""
    from interviewer.safety import strip_control

    sys.stdout.write(strip_control(text))
    sys.stdout.flush()


# ---- the notes folder, walked once a command ----------------------------------------------


def walks_notes_once(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command with one walk of each notes folder (``corpus.one_walk``): the
    index's freshness, the question bank, the notes loaded and the documents not read
    all come from it. Only for commands that do not add or remove note files."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        from interviewer.corpus import one_walk

        with one_walk():
            return fn(*args, **kwargs)

    return run


def unread_lines(settings: Settings) -> list[str]:
    """"source: why" for each document of the notes dir that is not read in place (a
    notebook, a PDF, Org-mode notes), with what to do about it; a long list summed up."""
    from interviewer._cli.checks import summarised
    from interviewer.corpus import scan_notes

    return summarised([str(p) for p in scan_notes(settings.corpus_dir).unread])


# ---- errors -------------------------------------------------------------------------------
# With --json, scripts read stdout: an error is then a JSON object there too,
# {"error": {"code": ..., "message": ...}}, and the exit status is non-zero. (When the
# command already printed its JSON result, the error goes to stderr: stdout stays one
# JSON document.)

_json_errors = False
_json_documents = 0  # JSON documents written to stdout by this process
_REPORTED = "_interviewer_reported"


def wants_json(argv: Sequence[str]) -> bool:
    """Does this command line ask for JSON output (``--json`` or ``--format json``)?"""
    args = list(argv)
    if "--" in args:
        args = args[: args.index("--")]
    for i, arg in enumerate(args):
        if arg == "--json" or arg == "--format=json":
            return True
        if arg == "--format" and i + 1 < len(args) and args[i + 1] == "json":
            return True
    return False


def set_json_errors(on: bool) -> None:
    global _json_errors
    _json_errors = on


def error_code(exc: BaseException) -> str:
    """A stable, machine-readable name for an error: the ``code`` of our errors, else
    one derived from its kind."""
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code:
        return code
    if isinstance(exc, UsageError):
        return "usage"
    if isinstance(exc, KeyboardInterrupt | typer.Abort):
        return "interrupted"
    if isinstance(exc, OSError):
        return "os"
    return "internal"


def error_message(exc: BaseException) -> str:
    if isinstance(exc, ClickException):
        return exc.format_message()
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror + (f": {exc.filename}" if exc.filename else "")
    return str(exc) or type(exc).__name__


def report_error(
    message: str, code: str = "error", *, exc: BaseException | None = None, stdout_free: bool = True
) -> None:
    """One error, on one line: a JSON object on stdout in --json mode, else on stderr.
    An exception already reported (by ``json_errors``) is not reported twice."""
    from interviewer.safety import one_line

    if exc is not None:
        if getattr(exc, _REPORTED, False):
            return
        with contextlib.suppress(AttributeError):
            setattr(exc, _REPORTED, True)
    line = one_line(message, limit=2000) or code
    if _json_errors and stdout_free:
        print_json({"error": {"code": code, "message": line}})
    else:
        sys.stderr.write(f"error: {line}\n")
        sys.stderr.flush()


# Rebuild reasons already said to the user by this command (``said_rebuilds``).
rebuilds_said: list[str] = []


@contextlib.contextmanager
def said_rebuilds() -> Iterator[None]:
    """While a command runs, an index rebuild is said on stderr when it starts, in one
    line, whichever command opened the index (an upgrade's new index format included)."""
    from interviewer.rebuilds import rebuild_notes, starting

    def say(reason: str) -> None:
        rebuilds_said.append(reason)  # as the report gives it, for the commands' checks
        err_console().print(
            f"note: {starting(reason)}", markup=False, highlight=False, soft_wrap=True
        )

    rebuilds_said.clear()
    with rebuild_notes(say):
        yield


def json_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a command so that, when its JSON output was asked for, an error it raises is
    reported as the JSON error object at once; the exception then goes on as before
    (the CLI entry point sees it was reported and only sets the exit status)."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        with said_rebuilds():
            return _run(*args, **kwargs)

    def _run(*args: Any, **kwargs: Any) -> Any:
        want = bool(kwargs.get("json_out")) or str(kwargs.get("format", "")).endswith("json")
        if not want:
            return fn(*args, **kwargs)
        from interviewer.errors import InterviewerError

        previous, before = _json_errors, _json_documents
        set_json_errors(True)
        try:
            return fn(*args, **kwargs)
        except (InterviewerError, ClickException, OSError) as exc:
            report_error(
                error_message(exc), error_code(exc), exc=exc,
                stdout_free=_json_documents == before,
            )  # fmt: skip
            raise
        finally:
            set_json_errors(previous)

    return run


def fail(message: str, code: int = 1, error: str = "error") -> typer.Exit:
    if _json_errors:
        report_error(message, error)
    else:
        from rich.markup import escape

        err_console().print(f"[bold red]error:[/] {escape(message)}", markup=True, highlight=False)
    return typer.Exit(code)
