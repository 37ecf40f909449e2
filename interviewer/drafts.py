"""The answer being typed, kept on disk line by line so that Ctrl-C, a crash or
``kill -9`` loses nothing: ``resume`` offers it back.

One append-only file per session (``<data dir>/drafts/<session id>.jsonl``); each
typed line appends one small JSON record and is flushed to disk (fdatasync) before
the next line is read. A record sets line ``i`` of the draft of one question (or
follow-up) and its length ``n``; replaying the records gives the draft. When the
answer is saved to the sessions database the file is emptied."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel, Field


class Draft(BaseModel):
    """An unfinished answer: to question ``turn`` of the session plan, or to its
    follow-up number ``follow_up`` (0: the question itself)."""

    session_id: str
    turn: int
    follow_up: int = 0
    question: str = ""
    lines: list[str] = Field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()

    def key(self) -> tuple[int, int]:
        return (self.turn, self.follow_up)


def _fsync(fd: int) -> None:
    try:
        os.fdatasync(fd)
    except (AttributeError, OSError):  # no fdatasync (macOS), or a filesystem without it
        os.fsync(fd)


class DraftWriter:
    """Records the successive states of one answer as it is typed."""

    def __init__(self, store: DraftStore, session_id: str, turn: int, follow_up: int,
                 question: str, start: list[str] | None = None) -> None:  # fmt: skip
        self.store = store
        self.session_id = session_id
        self.turn = turn
        self.follow_up = follow_up
        self.question = question
        # What the file already holds for this answer (a draft offered back).
        self._written: list[str] = list(start or [])

    def update(self, lines: list[str]) -> None:
        """The answer now reads ``lines``: write what changed, durably."""
        records = [
            {"i": i, "s": line}
            for i, line in enumerate(lines)
            if i >= len(self._written) or self._written[i] != line
        ]
        if not records and len(lines) == len(self._written):
            return
        base = {"turn": self.turn, "fu": self.follow_up, "q": self.question, "n": len(lines)}
        if not records:
            records = [{"i": -1, "s": ""}]  # only shorter
        data = "".join(
            json.dumps({**base, **r}, ensure_ascii=False) + "\n" for r in records
        ).encode("utf-8")
        self.store._append(self.session_id, data)
        self._written = list(lines)

    def clear(self) -> None:
        self.store.discard(self.session_id)
        self._written = []


class DraftStore:
    """The drafts dir of a data dir. Failing to write a draft never stops a session:
    ``problem`` then says why (the CLI warns once)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.problem: str | None = None

    def path(self, session_id: str) -> Path:
        return self.directory / f"{session_id}.jsonl"

    def writer(self, session_id: str, turn: int, follow_up: int = 0, question: str = "",
               start: list[str] | None = None) -> DraftWriter:  # fmt: skip
        return DraftWriter(self, session_id, turn, follow_up, question, start)

    def _append(self, session_id: str, data: bytes) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path(session_id), os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    data = b"\n" + data  # after a torn record: start on a line of its own
                os.write(fd, data)
                _fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            self.problem = f"cannot save the answer being typed in {self.directory}: " + (
                exc.strerror or str(exc)
            )

    def load(self, session_id: str) -> Draft | None:
        """The draft left in the file, if any line of it was typed. A torn last record
        (power loss mid-write) is ignored."""
        try:
            raw = self.path(session_id).read_bytes()
        except OSError:
            return None
        draft: Draft | None = None
        for line in raw.decode("utf-8", "replace").splitlines():
            try:
                rec = json.loads(line)
                key = (int(rec["turn"]), int(rec["fu"]))
                i, n, text = int(rec["i"]), int(rec["n"]), str(rec["s"])
            except (ValueError, KeyError, TypeError):
                continue
            if draft is None or draft.key() != key:
                draft = Draft(
                    session_id=session_id, turn=key[0], follow_up=key[1],
                    question=str(rec.get("q", "")),
                )  # fmt: skip
            lines = draft.lines
            if i >= 0:
                lines.extend([""] * (i + 1 - len(lines)))
                lines[i] = text
            del lines[max(n, 0):]
        if draft is None or not draft.text:
            return None
        return draft

    def discard(self, session_id: str) -> None:
        path = self.path(session_id)
        try:
            if path.exists():
                path.unlink()
        except OSError as exc:
            self.problem = f"cannot remove the saved draft {path}: {exc.strerror or exc}"
