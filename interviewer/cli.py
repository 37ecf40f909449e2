"""The command line: a thin Typer layer. Each command lives in ``interviewer._cli``;
this module only wires them up and turns our errors into one-line messages."""

from __future__ import annotations

import importlib
import inspect
import io
import sys

import typer

app = typer.Typer(
    name="interviewer",
    help="A terminal mock interviewer for ML interviews, grounded in your own notes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# (module in interviewer._cli, attribute): a function becomes a command named after
# it, a Typer app becomes a command group.
COMMANDS: list[tuple[str, str, str]] = [
    # (command name, module, attribute)
    ("index", "index", "index"),
    ("search", "search", "search"),
    ("status", "status", "status"),
    ("fetch-references", "references", "fetch_references"),
    ("add", "documents", "add"),
    ("remove", "documents", "remove"),
    ("audit", "audit", "audit"),
    ("doctor", "doctor", "doctor"),
    ("interview", "interview", "interview"),
    ("resume", "interview", "resume"),
    ("history", "history", "history"),
    ("report", "history", "report"),
    ("progress", "history", "progress"),
    ("grade", "grade", "grade"),
    ("questions", "questions", "questions"),
    ("rubric", "rubric", "app"),
    ("eval", "eval", "app"),
]


def _help(doc: str | None) -> str | None:
    """A docstring as help text: its hard line breaks would show up mid-sentence in the
    help table, so each paragraph becomes one line (rich wraps it to the terminal)."""
    if not doc:
        return None
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


def _register() -> None:
    from interviewer._cli.checks import hide_flag_types
    from interviewer._cli.common import json_errors

    hide_flag_types()  # no "<bool>" beside --json, --no-llm, --help...
    for name, module, attr in COMMANDS:
        target = getattr(importlib.import_module(f"interviewer._cli.{module}"), attr)
        if isinstance(target, typer.Typer):
            for info in target.registered_commands:
                if info.help is None and info.callback is not None:
                    info.help = _help(info.callback.__doc__)
                if info.callback is not None and not hasattr(info.callback, "__wrapped__"):
                    info.callback = json_errors(info.callback)
            app.add_typer(target, name=name)
        else:
            app.command(name, help=_help(target.__doc__))(json_errors(target))


_register()


def main() -> None:
    from interviewer._cli import common
    from interviewer._cli.common import (
        ClickException,
        error_code,
        error_message,
        report_error,
        set_json_errors,
        wants_json,
    )
    from interviewer._cli.typed import typed_text
    from interviewer.errors import InterviewerError
    from interviewer.files import clean_text

    # Bytes that are not UTF-8 in an argument ("-a" typed on a Latin-1 terminal) are
    # decoded as a typed answer is (one note); any left invalid become U+FFFD, never
    # lone surrogates that the tokenizer and the JSON output cannot take.
    typed = [typed_text(arg, "an argument") for arg in sys.argv]
    sys.argv = [clean_text(arg) for arg, _note in typed]
    argv_note = next((note for _arg, note in typed if note), None)
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")
    json_mode = wants_json(sys.argv[1:])
    set_json_errors(json_mode)
    if argv_note:
        common.err_console().print(
            f"note: {argv_note}", markup=False, highlight=False, soft_wrap=True
        )

    def stdout_free() -> bool:
        return common._json_documents == 0

    try:
        if not json_mode:
            app()
            return
        # In JSON mode click must not print usage errors itself: they become JSON too.
        code = app(standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except ClickException as exc:
        report_error(error_message(exc), error_code(exc), exc=exc, stdout_free=stdout_free())
        sys.exit(exc.exit_code)
    except typer.Abort as exc:
        report_error("interrupted", "interrupted", exc=exc, stdout_free=stdout_free())
        sys.exit(130)
    except InterviewerError as exc:
        report_error(error_message(exc), error_code(exc), exc=exc, stdout_free=stdout_free())
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        if json_mode:
            report_error("interrupted", "interrupted", stdout_free=stdout_free())
        else:
            sys.stderr.write("\ninterrupted\n")
        sys.exit(130)
    except OSError as exc:
        # A safety net for what no command anticipated (a read-only data dir, a full
        # disk): one line naming the file, never a traceback.
        report_error(error_message(exc), "os", exc=exc, stdout_free=stdout_free())
        sys.exit(1)
    except Exception as exc:
        if not json_mode:
            raise
        # Scripts asked for JSON: even a bug answers with a JSON error object.
        report_error(f"{type(exc).__name__}: {exc}", "internal", stdout_free=stdout_free())
        sys.exit(1)


if __name__ == "__main__":
    main()
