"""Sessions on disk: SQLite in WAL mode at ``settings.sessions_db``. Every turn and
follow-up is committed as soon as it is graded (the answer being typed is kept by
``interviewer.drafts``). Rows are pydantic models stored as JSON, with a few columns
for lookups; FSRS cards live in the same file.

Damage is survived, never hidden: a row that cannot be read is skipped with a
warning naming it; a database file that is empty or not a database is moved aside
(kept, with its WAL) and a new one started; a write that cannot get the lock within
a bounded wait is spooled to ``<db>.pending.jsonl`` (fsynced) and written the next
time the database is opened or written, so an answer is never dropped."""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

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


# Total wait for the write lock (another process writing) before a write is spooled.
LOCK_WAIT_S = 6.0
SPOOLED_WAIT_S = 1.0
_BUSY_MS = 1000
_DAMAGE_WORDS = ("not a database", "malformed", "file is encrypted", "disk image")


def _is_locked(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _is_damage(exc: sqlite3.Error) -> bool:
    return any(w in str(exc).lower() for w in _DAMAGE_WORDS)


def _first_error(exc: ValidationError | ValueError) -> str:
    if isinstance(exc, ValidationError) and exc.errors():
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err.get("loc", ())) or "row"
        return f"{where}: {err.get('msg', 'invalid')}"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


class _TablesGone(Exception):
    """A database of ours (schema version set) whose tables were dropped."""


class PendingOp(BaseModel):
    """A write that could not get the lock, kept until it can be made."""

    op: Literal["create_session", "update_session", "turn", "follow_up", "card"]
    session: SessionRecord | None = None
    session_id: str | None = None
    turn: TurnRecord | None = None
    turn_index: int | None = None
    follow_up: FollowUpRecord | None = None
    card: CardState | None = None


class SessionStore:
    """One connection to the sessions database. Use as a context manager.

    ``warnings``: what was skipped or repaired (damaged rows, a database moved aside,
    writes spooled); ``on_warning`` is also called with each as it happens."""

    def __init__(
        self,
        path: Path,
        *,
        lock_wait_s: float = LOCK_WAIT_S,
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        self.path = path
        self.lock_wait_s = lock_wait_s
        self.on_warning = on_warning
        self.warnings: list[str] = []
        self.readonly = False
        self.pending_path = path.with_name(path.name + ".pending.jsonl")
        self._warned: set[str] = set()
        self._spooled = False
        from interviewer.files import open_sqlite_read_only, read_only_dir

        if path.is_file() and read_only_dir(path.parent):
            # A read-only data dir: history and reports still read it (writes fail).
            try:
                self._db = open_sqlite_read_only(path)
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{path}: cannot open the sessions database: {exc}") from exc
            self.readonly = True
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if not path.exists():
                raise StoreError(
                    f"{path}: cannot create the sessions database: {exc.strerror or exc}"
                ) from exc
        self._set_aside_if_empty()
        try:
            try:
                self._db = self._connect()
            except _TablesGone:
                self._move_aside("its tables are gone")
                self._db = self._connect()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and _is_locked(exc):
                raise StoreError(
                    f"{path}: the sessions database is locked by another process; "
                    "try again when it is done"
                ) from exc
            if not _is_damage(exc):
                self._db = self._connect_readonly(exc)
            else:
                self._move_aside(f"it is not a readable database ({exc})")
                try:
                    self._db = self._connect()
                except sqlite3.DatabaseError as again:
                    raise StoreError(
                        f"{path}: cannot open the sessions database: {again}"
                    ) from again
        except OSError as exc:
            raise StoreError(f"{path}: cannot open the sessions database: {exc}") from exc
        if not self.readonly:
            self._replay_pending()

    # ---- opening ------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        path = self.path
        # Autocommit; writes take explicit BEGIN IMMEDIATE transactions.
        db = sqlite3.connect(path, timeout=_BUSY_MS / 1000, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
            mode = self._retry(lambda: db.execute("PRAGMA journal_mode = WAL").fetchone()[0])
            if str(mode).lower() != "wal":
                raise StoreError(f"{path}: cannot switch the sessions database to WAL mode")
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{path}: sessions database is from a newer interviewer "
                    f"(schema {version} > {SCHEMA_VERSION}); upgrade interviewer"
                )
            has_tables = db.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sessions'"
            ).fetchone()[0]
            if version >= 1 and not has_tables:
                raise _TablesGone()
            if version < SCHEMA_VERSION or not has_tables:
                # Only a new (or older) database is written to here: opening one that
                # another process holds locked must not wait for that lock.
                def create() -> None:
                    db.executescript(_SCHEMA)
                    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

                self._retry(create)
            db.execute("SELECT count(*) FROM sessions").fetchone()
        except BaseException:
            db.close()
            raise
        return db

    def _connect_readonly(self, first: sqlite3.DatabaseError) -> sqlite3.Connection:
        """A database we cannot write (read-only data dir or file): read commands
        still work; a write then fails with one line."""
        if not self.path.exists():
            raise StoreError(f"{self.path}: cannot open the sessions database: {first}")
        try:
            db = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?immutable=1", uri=True, isolation_level=None
            )
            db.execute("SELECT count(*) FROM sessions").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot open the sessions database: {first}") from exc
        self.readonly = True
        self._warn(f"{self.path} is read-only here ({first}): showing it, nothing can be saved")
        return db

    def _set_aside_if_empty(self) -> None:
        """A database file emptied to 0 bytes (with no WAL to recover it from) holds
        nothing: it is moved aside and said, not silently taken as 'no sessions'."""
        try:
            size = self.path.stat().st_size
        except OSError:
            return
        wal = self.path.with_name(self.path.name + "-wal")
        wal_size = wal.stat().st_size if wal.exists() else 0
        if size == 0 and wal_size == 0:
            self._move_aside("it was empty (0 bytes)")

    def _move_aside(self, why: str) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        kept = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        n = 1
        while kept.exists():
            n += 1
            kept = self.path.with_name(f"{self.path.name}.damaged-{stamp}-{n}")
        try:
            os.replace(self.path, kept)
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    os.replace(side, kept.with_name(kept.name + suffix))
        except OSError as exc:
            raise StoreError(
                f"{self.path}: the sessions database is damaged ({why}) and cannot be moved "
                f"aside: {exc.strerror or exc}"
            ) from exc
        self._warn(
            f"the sessions database {self.path} was moved aside to {kept.name} because {why}; "
            "a new one was started (the old file is kept)"
        )

    # ---- plumbing -----------------------------------------------------------------
    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _warn(self, message: str) -> None:
        if message in self._warned:
            return
        self._warned.add(message)
        self.warnings.append(message)
        if self.on_warning is not None:
            self.on_warning(message)

    @property
    def journal_mode(self) -> str:
        return str(self._db.execute("PRAGMA journal_mode").fetchone()[0])

    def _retry(self, action: Callable[[], Any]) -> Any:
        """``action`` again while the database is locked, for ``lock_wait_s`` at most
        (each try itself waits up to the busy timeout)."""
        # Once a write had to be spooled, later writes of this store wait briefly:
        # each answer must not wait the whole bound again while the lock is held.
        wait = min(self.lock_wait_s, SPOOLED_WAIT_S) if self._spooled else self.lock_wait_s
        deadline = time.monotonic() + wait
        delay = 0.05
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if not _is_locked(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        if self.readonly:
            raise StoreError(f"{self.path}: the sessions database is read-only here")
        try:
            self._retry(lambda: self._db.execute("BEGIN IMMEDIATE"))
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
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise StoreError(f"{self.path}: cannot commit: {exc}") from exc

    def _read(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        try:
            rows: list[sqlite3.Row] = self._retry(
                lambda: list(self._db.execute(sql, params).fetchall())
            )
            return rows
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot read the sessions database: {exc}") from exc

    def _load_session(self, data: str, sid: str = "?") -> SessionRecord | None:
        try:
            return SessionRecord.model_validate_json(data)
        except (ValidationError, ValueError) as exc:
            self._warn(f"skipped damaged session row {sid} ({_first_error(exc)})")
            return None

    # ---- writes that never drop data --------------------------------------------------
    def _apply(self, db: sqlite3.Connection, op: PendingOp) -> None:
        if op.op == "create_session" and op.session is not None:
            r = op.session
            db.execute(
                "INSERT OR REPLACE INTO sessions (id, corpus, status, created_at, updated_at,"
                " data) VALUES (?, ?, ?, ?, ?, ?)",
                (r.id, r.corpus, r.status, r.created_at.isoformat(), r.updated_at.isoformat(),
                 r.model_dump_json()),
            )  # fmt: skip
        elif op.op == "update_session" and op.session is not None:
            self._put_session(db, op.session)
        elif op.op == "turn" and op.turn is not None and op.session_id is not None:
            turn = op.turn
            data = turn.model_copy(update={"follow_ups": []}).model_dump_json()
            score = turn.feedback.score if turn.feedback is not None else None
            db.execute(
                "INSERT OR REPLACE INTO turns (session_id, idx, question_id, score, data)"
                " VALUES (?, ?, ?, ?, ?)",
                (op.session_id, turn.index, turn.question_id, score, data),
            )
            if op.card is not None:
                self._put_card(db, op.card)
            db.execute(
                "UPDATE sessions SET updated_at = ? WHERE id = ?",
                (utcnow().isoformat(), op.session_id),
            )
        elif op.op == "follow_up" and op.follow_up is not None and op.session_id is not None:
            fu = op.follow_up
            score = fu.feedback.score if fu.feedback is not None else None
            db.execute(
                "INSERT OR REPLACE INTO follow_ups (session_id, turn_idx, idx, score, data)"
                " VALUES (?, ?, ?, ?, ?)",
                (op.session_id, op.turn_index, fu.index, score, fu.model_dump_json()),
            )
        elif op.op == "card" and op.card is not None:
            self._put_card(db, op.card)

    def _commit(self, op: PendingOp) -> bool:
        """Write ``op`` now, or spool it when the lock cannot be had in time (or when
        earlier writes still wait: order is kept). True when written now."""
        if not self.readonly and self._pending_ops() and not self._replay_pending():
            return self._spool(op)
        try:
            with self._write() as db:
                self._apply(db, op)
            return True
        except StoreError as exc:
            cause = exc.__cause__
            if isinstance(cause, sqlite3.OperationalError) and _is_locked(cause):
                return self._spool(op)
            raise

    @contextmanager
    def _pending_lock(self) -> Iterator[None]:
        """Appends to and replays of the spool do not interleave across processes."""
        lock = self.pending_path.with_name(self.pending_path.name + ".lock")
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX)
            except ImportError:  # pragma: no cover - Windows: best effort
                pass
            yield
        finally:
            os.close(fd)

    def _spool(self, op: PendingOp) -> bool:
        line = (op.model_dump_json() + "\n").encode("utf-8")
        try:
            with self._pending_lock():
                fd = os.open(self.pending_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                try:
                    os.write(fd, line)
                    os.fsync(fd)
                finally:
                    os.close(fd)
        except OSError as exc:
            raise StoreError(
                f"{self.path}: the sessions database is locked and the answer cannot be kept "
                f"in {self.pending_path}: {exc.strerror or exc}"
            ) from exc
        self._spooled = True
        self._warn(
            f"the sessions database is locked by another process; answers are kept in "
            f"{self.pending_path} and saved as soon as it is free"
        )
        return False

    def _pending_ops(self) -> list[PendingOp]:
        try:
            raw = self.pending_path.read_text("utf-8", errors="replace")
        except OSError:
            return []
        ops = []
        for line in raw.splitlines():
            with contextlib.suppress(ValidationError, ValueError):
                ops.append(PendingOp.model_validate_json(line))
        return ops

    def _replay_pending(self) -> bool:
        """Write the spooled ops, in order, in one transaction; True when none is left."""
        if not self.pending_path.exists():
            return True
        try:
            with self._pending_lock():
                ops = self._pending_ops()
                if ops:
                    with self._write() as db:
                        for op in ops:
                            self._apply(db, op)
                self.pending_path.unlink(missing_ok=True)
        except (StoreError, OSError):
            return False
        return True

    def pending_count(self) -> int:
        """Writes spooled and not yet in the database."""
        return len(self._pending_ops())

    # ---- sessions -----------------------------------------------------------------
    def create_session(self, record: SessionRecord) -> SessionRecord:
        self._commit(PendingOp(op="create_session", session=record))
        return record

    def update_session(self, record: SessionRecord) -> SessionRecord:
        record = record.model_copy(update={"updated_at": utcnow()})
        self._commit(PendingOp(op="update_session", session=record))
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

    def _spooled_sessions(self) -> dict[str, SessionRecord]:
        found: dict[str, SessionRecord] = {}
        for op in self._pending_ops():
            if op.session is not None:
                found[op.session.id] = op.session
        return found

    def get_session(self, session_id: str) -> SessionRecord | None:
        spooled = self._spooled_sessions().get(session_id)
        if spooled is not None:
            return spooled
        rows = self._read("SELECT data FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            return None
        record = self._load_session(rows[0][0], session_id)
        if record is None:
            raise StoreError(
                f"session {session_id} is damaged in {self.path} and cannot be shown"
            )
        return record

    def list_sessions(self, limit: int | None = None, corpus: str | None = None) -> list[
        SessionRecord
    ]:
        """Newest first; damaged rows are skipped (with a warning)."""
        sql = "SELECT id, data FROM sessions"
        params: tuple[object, ...] = ()
        if corpus is not None:
            sql += " WHERE corpus = ?"
            params = (corpus,)
        sql += " ORDER BY created_at DESC, id DESC"
        records = [self._load_session(r[1], str(r[0])) for r in self._read(sql, params)]
        found = {r.id: r for r in records if r is not None}
        for sid, spooled in self._spooled_sessions().items():
            if corpus is None or spooled.corpus == corpus:
                found[sid] = spooled
        ordered = sorted(found.values(), key=lambda r: (r.created_at, r.id), reverse=True)
        return ordered if limit is None else ordered[: max(int(limit), 0)]

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
        matches = [r for r in self.list_sessions() if r.id.startswith(ref)]
        if not matches:
            raise StoreError(f"no session {ref!r} (see `interviewer history`)")
        if len(matches) > 1:
            raise StoreError(f"session id {ref!r} is ambiguous: {len(matches)} sessions match")
        return matches[0]

    # ---- turns --------------------------------------------------------------------
    def save_turn(
        self, session_id: str, turn: TurnRecord, card: CardState | None = None
    ) -> bool:
        """Insert or replace a turn (without its follow-ups, stored on their own) and
        the question's card, in one transaction. False: spooled, written later."""
        return self._commit(PendingOp(op="turn", session_id=session_id, turn=turn, card=card))

    def save_follow_up(
        self, session_id: str, turn_index: int, follow_up: FollowUpRecord
    ) -> bool:
        return self._commit(
            PendingOp(
                op="follow_up", session_id=session_id, turn_index=turn_index, follow_up=follow_up
            )
        )

    def turns(self, session_id: str) -> list[TurnRecord]:
        """The session's turns with their follow-ups; a damaged row is skipped with a
        warning naming it."""
        follow: dict[int, dict[int, FollowUpRecord]] = {}
        for turn_idx, idx, data in self._read(
            "SELECT turn_idx, idx, data FROM follow_ups WHERE session_id = ?"
            " ORDER BY turn_idx, idx",
            (session_id,),
        ):
            try:
                follow.setdefault(turn_idx, {})[idx] = FollowUpRecord.model_validate_json(data)
            except (ValidationError, ValueError) as exc:
                self._warn(
                    f"skipped damaged follow-up {idx + 1} of question {turn_idx + 1} in "
                    f"session {session_id} ({_first_error(exc)})"
                )
        by_index: dict[int, TurnRecord] = {}
        for idx, data in self._read(
            "SELECT idx, data FROM turns WHERE session_id = ? ORDER BY idx", (session_id,)
        ):
            try:
                by_index[idx] = TurnRecord.model_validate_json(data)
            except (ValidationError, ValueError) as exc:
                self._warn(
                    f"skipped damaged turn (question {idx + 1}) of session {session_id} "
                    f"({_first_error(exc)})"
                )
        for op in self._pending_ops():
            if op.session_id != session_id:
                continue
            if op.op == "turn" and op.turn is not None:
                by_index[op.turn.index] = op.turn.model_copy(update={"follow_ups": []})
            elif op.op == "follow_up" and op.follow_up is not None and op.turn_index is not None:
                follow.setdefault(op.turn_index, {})[op.follow_up.index] = op.follow_up
        turns = []
        for index in sorted(by_index):
            turn = by_index[index]
            turn.follow_ups = [f for _, f in sorted(follow.get(index, {}).items())]
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

    def put_card(self, card: CardState) -> bool:
        return self._commit(PendingOp(op="card", card=card))

    def _load_card(self, question_id: str, data: str) -> CardState | None:
        try:
            card = CardState.model_validate_json(data)
            card.fsrs_card()  # the scheduler's own fields must load too
            return card
        except (ValidationError, ValueError, KeyError, TypeError) as exc:
            why = _first_error(exc) if isinstance(exc, ValueError) else f"bad field {exc}"
            self._warn(f"skipped damaged card of question {question_id} ({why})")
            return None

    def card(self, corpus: str, question_id: str) -> CardState | None:
        for op in reversed(self._pending_ops()):
            if op.card is not None and (op.card.corpus, op.card.question_id) == (
                corpus, question_id,
            ):  # fmt: skip
                return op.card
        rows = self._read(
            "SELECT data FROM cards WHERE corpus = ? AND question_id = ?", (corpus, question_id)
        )
        return self._load_card(question_id, rows[0][0]) if rows else None

    def cards(self, corpus: str) -> dict[str, CardState]:
        """The corpus's cards; a damaged row is skipped with a warning."""
        rows = self._read("SELECT question_id, data FROM cards WHERE corpus = ?", (corpus,))
        cards = {}
        for qid, data in rows:
            card = self._load_card(str(qid), data)
            if card is not None:
                cards[card.question_id] = card
        for op in self._pending_ops():
            if op.card is not None and op.card.corpus == corpus:
                cards[op.card.question_id] = op.card
        return cards
