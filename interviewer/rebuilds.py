"""Who hears, at once, that the index is being rebuilt and why. A sync that decides to
rebuild (an upgrade's new index format, a damaged store, another embedding model) tells
the listeners before it re-embeds, whichever command opened the index: the library only
reports, the command line says it. Light on purpose: every command opens it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

_LISTENERS: list[Callable[[str], None]] = []


@contextlib.contextmanager
def rebuild_notes(listener: Callable[[str], None]) -> Iterator[None]:
    """While open, ``listener`` hears the one-line reason of every index rebuild."""
    _LISTENERS.append(listener)
    try:
        yield
    finally:
        _LISTENERS.remove(listener)


def tell(reason: str) -> None:
    """Say ``reason`` to every listener (none: nothing)."""
    for listener in list(_LISTENERS):
        listener(reason)


def starting(reason: str) -> str:
    """A rebuild's reason (as the sync's report gives it, once done: "...; rebuilt from
    the notes") in the words said when the rebuild starts: it may yet fail or be
    interrupted."""
    return reason.replace("; rebuilt from the notes", "; rebuilding from the notes")
