"""Options and helpers shared by the command modules: settings from flags,
consoles (stdout for results, stderr for chatter), JSON output, errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

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


def out_console() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def print_json(data: Any) -> None:
    """Write JSON to stdout, nothing else (pipes rely on it)."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console().print(f"[bold red]error:[/] {message}", markup=True, highlight=False)
    return typer.Exit(code)
