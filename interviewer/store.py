"""Sessions on disk: SQLite in WAL mode at ``settings.sessions_db``. Every turn and
follow-up is committed as soon as it is graded, so Ctrl-C or a crash loses at most
the answer being typed. Rows are pydantic models stored as JSON, with a few columns
for lookups; FSRS cards live in the same file."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from interviewer.errors import StoreError
from interviewer.feedback import Feedback
from interviewer.scheduling import CardState

SCHEMA_VERSION = 1
SessionStatus = Literal["active", "stopped", "interrupted", "finished"]
# Sessions that `resume` may continue.
RESUMABLE: tuple[str, ...] = ("active", "stopped", "interrupted")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    corpus TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_time ON sessions (created_at);
CREATE TABLE IF NOT EXISTS turns (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    question_id TEXT NOT NULL,
    score REAL,
    data TEXT NOT NULL,
    PRIMARY KEY (session_id, idx)
);
CREATE TABLE IF NOT EXISTS follow_ups (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    turn_idx INTEGER NOT NULL,
    idx INTEGER NOT NULL,
    score REAL,
    data TEXT NOT NULL,
    PRIMARY KEY (session_id, turn_idx, idx)
);
CREATE TABLE IF NOT EXISTS cards (
    corpus TEXT NOT NULL,
    question_id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (corpus, question_id)
);
"""


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_session_id(now: datetime | None = None) -> str:
    """Sortable and short enough to type: ``20261125-1941-3fa9``."""
    now = now or utcnow()
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


class SessionOptions(BaseModel):
    """What the user asked for; `resume` reuses it."""

    topics: list[str] = Field(default_factory=list)
    questions: int = 5
    follow_ups: int = 1
    seed: int | None = None
    no_llm: bool = Field(default=False, description="Started with --no-llm: resume keeps it.")


class PlannedQuestion(BaseModel):
    id: str
    text: str
    topic: str = ""


class SessionRecord(BaseModel):
    id: str
    corpus: str = Field(description="Corpus key (index dir name): cards are kept per corpus.")
    corpus_dir: str
    status: SessionStatus = "active"
    created_at: datetime
    updated_at: datetime
    engine: str = "grounded"
    options: SessionOptions = Field(default_factory=SessionOptions)
    plan: list[PlannedQuestion] = Field(default_factory=list)


class FollowUpRecord(BaseModel):
    index: int
    question: str
    answer: str = ""
    skipped: bool = False
    hints_used: int = 0
    feedback: Feedback | None = None
    created_at: datetime = Field(default_factory=utcnow)


class TurnRecord(BaseModel):
    """One planned question: its answer (or skip) and feedback; ``index`` is the
    question's position in the session plan."""

    index: int
    question_id: str
    question: str
    topic: str = ""
    answer: str = ""
    skipped: bool = False
    hints_used: int = 0
    feedback: Feedback | None = None
    follow_ups: list[FollowUpRecord] = Field(default_factory=list)
    created_at: datetime = Field(default_factory=utcnow)


class Transcript(BaseModel):
    """A session and its turns: what `interview --json`, `history --json` and
    `report --format json` print."""

    session: SessionRecord
    turns: list[TurnRecord] = Field(default_factory=list)

    def remaining(self) -> list[PlannedQuestion]:
        done = {t.index for t in self.turns}
        return [q for i, q in enumerate(self.session.plan) if i not in done]


class SessionStore:
    """One connection to the sessions database. Use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = path
        from interviewer.files import open_sqlite_read_only, read_only_dir

        if path.is_file() and read_only_dir(path.parent):
            # A read-only data dir: history and reports still read it (writes fail).
            try:
                self._db = open_sqlite_read_only(path)
                return
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{path}: cannot open the sessions database: {exc}") from exc
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit; writes take explicit BEGIN IMMEDIATE transactions.
            self._db = sqlite3.connect(path, timeout=10.0, isolation_level=None)
            self._db.execute("PRAGMA busy_timeout = 10000")
            mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"{path}: cannot switch the sessions database to WAL mode")
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.execute("PRAGMA foreign_keys = ON")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{path}: sessions database is from a newer interviewer "
                    f"(schema {version} > {SCHEMA_VERSION}); upgrade interviewer"
                )
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot open the sessions database: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"{path}: cannot create the sessions database: {exc}") from exc

    # ---- plumbing -----------------------------------------------------------------
    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def journal_mode(self) -> str:
        return str(self._db.execute("PRAGMA journal_mode").fetchone()[0])

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot write the sessions database: {exc}") from exc
        try:
            yield self._db
        except BaseException:
            # KeyboardInterrupt included: a half-written turn never lands.
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise
        else:
            try:
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{self.path}: cannot commit: {exc}") from exc

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        try:
            cur = self._db.execute(sql, params)
            return list(cur.fetchall())
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot read the sessions database: {exc}") from exc

    def _load_session(self, data: str) -> SessionRecord:
        try:
            return SessionRecord.model_validate_json(data)
        except ValidationError as exc:
            raise StoreError(f"{self.path}: unreadable session row: {exc.errors()[0]}") from exc

    # ---- sessions -----------------------------------------------------------------
    def create_session(self, record: SessionRecord) -> SessionRecord:
        with self._write() as db:
            db.execute(
                "INSERT INTO sessions (id, corpus, status, created_at, updated_at, data)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    record.corpus,
                    record.status,
                    record.created_at.isoformat(),
                    record.updated_at.isoformat(),
                    record.model_dump_json(),
                ),
            )
        return record

    def update_session(self, record: SessionRecord) -> SessionRecord:
        record = record.model_copy(update={"updated_at": utcnow()})
        with self._write() as db:
            self._put_session(db, record)
        return record

    def set_status(self, session_id: str, status: SessionStatus) -> SessionRecord:
        record = self.get_session(session_id)
        if record is None:
            raise StoreError(f"no session {session_id!r}")
        return self.update_session(record.model_copy(update={"status": status}))

    @staticmethod
    def _put_session(db: sqlite3.Connection, record: SessionRecord) -> None:
        db.execute(
            "UPDATE sessions SET status = ?, updated_at = ?, data = ? WHERE id = ?",
            (record.status, record.updated_at.isoformat(), record.model_dump_json(), record.id),
        )

    def get_session(self, session_id: str) -> SessionRecord | None:
        rows = self._read("SELECT data FROM sessions WHERE id = ?", (session_id,))
        return self._load_session(rows[0][0]) if rows else None

    def list_sessions(self, limit: int | None = None, corpus: str | None = None) -> list[
        SessionRecord
    ]:
        """Newest first."""
        sql = "SELECT data FROM sessions"
        params: tuple[object, ...] = ()
        if corpus is not None:
            sql += " WHERE corpus = ?"
            params = (corpus,)
        sql += " ORDER BY created_at DESC, id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [self._load_session(r[0]) for r in self._read(sql, params)]

    def last_resumable(self, corpus: str | None = None) -> SessionRecord | None:
        """The newest session that still has planned questions to ask."""
        for record in self.list_sessions(corpus=corpus):
            if record.status in RESUMABLE:
                return record
        return None

    def resolve(self, ref: str | None) -> SessionRecord:
        """A session by id or unique id prefix; the newest one when ``ref`` is None."""
        if ref is None:
            sessions = self.list_sessions(limit=1)
            if not sessions:
                raise StoreError("no sessions yet: start one with `interviewer interview`")
            return sessions[0]
        exact = self.get_session(ref)
        if exact is not None:
            return exact
        rows = self._read(
            "SELECT data FROM sessions WHERE substr(id, 1, ?) = ? ORDER BY created_at DESC",
            (len(ref), ref),
        )
        if not rows:
            raise StoreError(f"no session {ref!r} (see `interviewer history`)")
        if len(rows) > 1:
            raise StoreError(f"session id {ref!r} is ambiguous: {len(rows)} sessions match")
        return self._load_session(rows[0][0])

    # ---- turns --------------------------------------------------------------------
    def save_turn(
        self, session_id: str, turn: TurnRecord, card: CardState | None = None
    ) -> None:
        """Insert or replace a turn (without its follow-ups, stored on their own) and
        the question's card, in one transaction."""
        data = turn.model_copy(update={"follow_ups": []}).model_dump_json()
        score = turn.feedback.score if turn.feedback is not None else None
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO turns (session_id, idx, question_id, score, data)"
                " VALUES (?, ?, ?, ?, ?)",
                (session_id, turn.index, turn.question_id, score, data),
            )
            if card is not None:
                self._put_card(db, card)
            db.execute(
                "UPDATE sessions SET updated_at = ? WHERE id = ?",
                (utcnow().isoformat(), session_id),
            )

    def save_follow_up(self, session_id: str, turn_index: int, follow_up: FollowUpRecord) -> None:
        score = follow_up.feedback.score if follow_up.feedback is not None else None
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO follow_ups (session_id, turn_idx, idx, score, data)"
                " VALUES (?, ?, ?, ?, ?)",
                (session_id, turn_index, follow_up.index, score, follow_up.model_dump_json()),
            )

    def turns(self, session_id: str) -> list[TurnRecord]:
        follow: dict[int, list[FollowUpRecord]] = {}
        for turn_idx, data in self._read(
            "SELECT turn_idx, data FROM follow_ups WHERE session_id = ? ORDER BY turn_idx, idx",
            (session_id,),
        ):
            follow.setdefault(turn_idx, []).append(FollowUpRecord.model_validate_json(data))
        turns = []
        for (data,) in self._read(
            "SELECT data FROM turns WHERE session_id = ? ORDER BY idx", (session_id,)
        ):
            turn = TurnRecord.model_validate_json(data)
            turn.follow_ups = follow.get(turn.index, [])
            turns.append(turn)
        return turns

    def transcript(self, session_id: str) -> Transcript:
        record = self.get_session(session_id)
        if record is None:
            raise StoreError(f"no session {session_id!r}")
        return Transcript(session=record, turns=self.turns(session_id))

    # ---- cards --------------------------------------------------------------------
    @staticmethod
    def _put_card(db: sqlite3.Connection, card: CardState) -> None:
        db.execute(
            "INSERT OR REPLACE INTO cards (corpus, question_id, data) VALUES (?, ?, ?)",
            (card.corpus, card.question_id, card.model_dump_json()),
        )

    def put_card(self, card: CardState) -> None:
        with self._write() as db:
            self._put_card(db, card)

    def card(self, corpus: str, question_id: str) -> CardState | None:
        rows = self._read(
            "SELECT data FROM cards WHERE corpus = ? AND question_id = ?", (corpus, question_id)
        )
        return CardState.model_validate_json(rows[0][0]) if rows else None

    def cards(self, corpus: str) -> dict[str, CardState]:
        rows = self._read("SELECT data FROM cards WHERE corpus = ?", (corpus,))
        cards = [CardState.model_validate_json(r[0]) for r in rows]
        return {c.question_id: c for c in cards}
