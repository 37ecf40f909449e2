"""Options and helpers shared by the command modules: settings from flags,
consoles (stdout for results, stderr for chatter), JSON output, errors."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable, Sequence
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
    from interviewer.settings import load_settings

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
    return _safe_console_class()(stderr=True, highlight=False)


def print_json(data: Any) -> None:
    """Write JSON to stdout, nothing else (pipes rely on it)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def write_text(text: str) -> None:
    """Plain text (Markdown reports) to stdout, without terminal control sequences."""
    from interviewer.safety import strip_control

    sys.stdout.write(strip_control(text))
    sys.stdout.flush()


# ---- errors -------------------------------------------------------------------------------
# With --json, scripts read stdout: every error is then a JSON object there too,
# {"error": {"code": ..., "message": ...}}, and the exit status is non-zero.

_json_errors = False


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


def report_error(message: str, code: str = "error") -> None:
    """One error, on one line: a JSON object on stdout in --json mode, else on stderr."""
    from interviewer.safety import one_line

    line = one_line(message, limit=2000) or code
    if _json_errors:
        print_json({"error": {"code": code, "message": line}})
    else:
        sys.stderr.write(f"error: {line}\n")
        sys.stderr.flush()


def json_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a command so that, when its JSON output was asked for, any error it raises
    becomes the JSON error object (the CLI entry point does the same for errors that
    happen before a command runs, such as a bad option)."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        want = bool(kwargs.get("json_out")) or str(kwargs.get("format", "")).endswith("json")
        if not (want or _json_errors):
            return fn(*args, **kwargs)
        from interviewer.errors import InterviewerError

        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except InterviewerError as exc:
            set_json_errors(True)
            report_error(str(exc), error_code(exc))
            raise typer.Exit(exc.exit_code) from None
        except ClickException as exc:
            set_json_errors(True)
            report_error(exc.format_message(), error_code(exc))
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:
            set_json_errors(True)
            where = f": {exc.filename}" if exc.filename else ""
            report_error(f"{exc.strerror or exc}{where}", "os")
            raise typer.Exit(1) from None

    return run


def fail(message: str, code: int = 1, error: str = "error") -> typer.Exit:
    if _json_errors:
        report_error(message, error)
    else:
        from rich.markup import escape

        err_console().print(f"[bold red]error:[/] {escape(message)}", markup=True, highlight=False)
    return typer.Exit(code)
