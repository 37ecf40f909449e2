"""The sessions database: WAL mode, every turn committed as it happens, nothing
half-written after a crash or Ctrl-C."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from interviewer.errors import StoreError
from interviewer.feedback import Citation, Feedback, Point
from interviewer.scheduling import CardState, review
from interviewer.store import (
    FollowUpRecord,
    PlannedQuestion,
    SessionRecord,
    SessionStore,
    TurnRecord,
)

T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def session(sid: str, when: datetime = T0, plan: int = 3) -> SessionRecord:
    return SessionRecord(
        id=sid,
        corpus="notes-abc",
        corpus_dir="/tmp/notes",
        created_at=when,
        updated_at=when,
        plan=[PlannedQuestion(id=f"q{i}", text=f"Question {i}?") for i in range(plan)],
    )


def turn(index: int, score: float = 5.0) -> TurnRecord:
    cite = Citation(source="notes.md", heading="A > B", line_start=3, line_end=9)
    fb = Feedback(
        question=f"Question {index}?",
        score=score,
        missed=[Point(text="a point", citation=cite)],
        citations=[cite],
    )
    return TurnRecord(
        index=index, question_id=f"q{index}", question=f"Question {index}?", answer="x", feedback=fb
    )


def test_database_is_in_wal_mode(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    with SessionStore(db) as store:
        assert store.journal_mode.lower() == "wal"
    # The mode is persistent: a plain connection sees it too.
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_transcript_roundtrip_with_follow_ups_and_cards(tmp_path: Path) -> None:
    with SessionStore(tmp_path / "s.sqlite3") as store:
        store.create_session(session("s1"))
        card = review(None, corpus="notes-abc", question_id="q0", score=3.0, now=T0)
        store.save_turn("s1", turn(0, 3.0), card)
        store.save_follow_up(
            "s1", 0, FollowUpRecord(index=0, question="And a point?", answer="y")
        )
        store.save_turn("s1", turn(1).model_copy(update={"skipped": True, "feedback": None}))
    with SessionStore(tmp_path / "s.sqlite3") as store:
        t = store.transcript("s1")
        assert [x.index for x in t.turns] == [0, 1]
        assert t.turns[0].feedback is not None and t.turns[0].feedback.score == 3.0
        assert t.turns[0].feedback.missed[0].citation.heading == "A > B"  # type: ignore[union-attr]
        assert [f.question for f in t.turns[0].follow_ups] == ["And a point?"]
        assert t.turns[1].skipped
        assert [q.id for q in t.remaining()] == ["q2"]
        cards = store.cards("notes-abc")
        assert set(cards) == {"q0"} and cards["q0"].last_score == 3.0
        assert store.cards("other-corpus") == {}


def test_resolve_and_last_resumable(tmp_path: Path) -> None:
    with SessionStore(tmp_path / "s.sqlite3") as store:
        with pytest.raises(StoreError, match="no sessions yet"):
            store.resolve(None)
        store.create_session(session("20260110-120000-aaaa"))
        store.create_session(session("20260110-130000-bbbb", T0 + timedelta(hours=1)))
        store.set_status("20260110-130000-bbbb", "finished")
        assert store.resolve(None).id == "20260110-130000-bbbb"
        assert store.resolve("20260110-12").id == "20260110-120000-aaaa"
        with pytest.raises(StoreError, match="ambiguous"):
            store.resolve("20260110")
        with pytest.raises(StoreError, match="no session"):
            store.resolve("nope")
        last = store.last_resumable()
        assert last is not None and last.id == "20260110-120000-aaaa"


def test_a_file_that_is_not_a_database_is_moved_aside_and_kept(tmp_path: Path) -> None:
    bad = tmp_path / "s.sqlite3"
    garbage = b"this is not sqlite" * 100
    bad.write_bytes(garbage)
    seen: list[str] = []
    with SessionStore(bad, on_warning=seen.append) as store:
        assert store.list_sessions() == []
        store.create_session(session("s1"))
    [kept] = list(tmp_path.glob("s.sqlite3.damaged-*"))
    assert kept.read_bytes() == garbage  # moved, never deleted
    assert len(seen) == 1 and kept.name in seen[0] and "not a readable database" in seen[0]
    with SessionStore(bad) as store:
        assert [r.id for r in store.list_sessions()] == ["s1"]
        assert store.warnings == []


def test_an_emptied_database_is_moved_aside_and_reported(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    with SessionStore(db) as store:
        store.create_session(session("s1"))
    for side in ("-wal", "-shm"):
        Path(f"{db}{side}").unlink(missing_ok=True)
    db.write_bytes(b"")
    with SessionStore(db) as store:
        assert store.list_sessions() == []
        [warning] = store.warnings
        assert "empty (0 bytes)" in warning and "moved aside" in warning
    assert len(list(tmp_path.glob("s.sqlite3.damaged-*"))) == 1


def test_a_database_whose_tables_are_gone_is_moved_aside(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    with SessionStore(db) as store:
        store.create_session(session("s1"))
    with sqlite3.connect(db) as raw:
        for table in ("turns", "follow_ups", "cards", "sessions"):
            raw.execute(f"DROP TABLE {table}")
    with SessionStore(db) as store:
        assert store.list_sessions() == []
        assert any("tables are gone" in w and "moved aside" in w for w in store.warnings)
        store.create_session(session("s2"))  # a working database again
    kept = [p for p in tmp_path.glob("s.sqlite3.damaged-*") if not p.name.endswith(("wal", "shm"))]
    assert len(kept) == 1


def _damage(db: Path, sql: str, params: tuple[object, ...] = ()) -> None:
    with sqlite3.connect(db) as raw:
        raw.execute(sql, params)


def test_damaged_rows_are_skipped_with_a_warning_naming_them(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    with SessionStore(db) as store:
        store.create_session(session("s1"))
        store.create_session(session("s2", T0 + timedelta(hours=1)))
        store.create_session(session("s3", T0 + timedelta(hours=2)))
        for i in range(3):
            card = review(None, corpus="notes-abc", question_id=f"q{i}", score=5.0, now=T0)
            store.save_turn("s1", turn(i), card)
        store.save_follow_up("s1", 0, FollowUpRecord(index=0, question="And?", answer="y"))
    _damage(db, "UPDATE turns SET data = '{\"index\": 1, broken' WHERE idx = 1")
    _damage(db, "UPDATE follow_ups SET data = '[]'")
    _damage(db, "UPDATE cards SET data = '{\"corpus\": 3}' WHERE question_id = 'q2'")
    # Valid JSON, but the scheduler's card inside is not.
    _damage(db, "UPDATE cards SET data = json_set(data, '$.card', json('{}'))"
                " WHERE question_id = 'q1'")  # fmt: skip
    _damage(db, "UPDATE sessions SET data = '{\"id\": \"s2\", \"oops\": 1}' WHERE id = 's2'")
    with SessionStore(db) as store:
        assert [r.id for r in store.list_sessions()] == ["s3", "s1"]
        assert [t.index for t in store.turns("s1")] == [0, 2]
        assert store.turns("s1")[0].follow_ups == []
        assert set(store.cards("notes-abc")) == {"q0"}
        assert store.card("notes-abc", "q2") is None
        text = "\n".join(store.warnings)
        assert "session row s2" in text
        assert "turn (question 2) of session s1" in text
        assert "follow-up 1 of question 1" in text
        assert "card of question q2" in text and "card of question q1" in text
        assert all("\n" not in w and "{'" not in w for w in store.warnings)  # no raw dicts
        with pytest.raises(StoreError, match="session s2 is damaged"):
            store.transcript("s2")


def test_a_locked_database_keeps_the_answer_and_writes_it_later(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    with SessionStore(db) as store:
        store.create_session(session("s1"))
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        seen: list[str] = []
        with SessionStore(db, lock_wait_s=0.3, on_warning=seen.append) as store:
            card = review(None, corpus="notes-abc", question_id="q0", score=6.0, now=T0)
            assert store.save_turn("s1", turn(0, 6.0), card) is False  # spooled
            assert store.save_turn("s1", turn(1, 2.0)) is False
            # Not lost, and already visible to readers of this store.
            assert [t.index for t in store.turns("s1")] == [0, 1]
            assert store.card("notes-abc", "q0") is not None
            assert store.pending_count() == 2
            assert any("locked" in w and "pending" in w for w in seen)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT count(*) FROM turns").fetchone()[0] == 0
    # The next open writes what waited, in order, and removes the spool.
    with SessionStore(db) as store:
        assert store.pending_count() == 0
        assert not store.pending_path.exists()
    with sqlite3.connect(db) as raw:
        rows = raw.execute("SELECT idx, score FROM turns ORDER BY idx").fetchall()
        assert rows == [(0, 6.0), (1, 2.0)]
        assert raw.execute("SELECT count(*) FROM cards").fetchone()[0] == 1


def test_a_short_lock_is_waited_for(tmp_path: Path) -> None:
    import threading

    db = tmp_path / "s.sqlite3"
    with SessionStore(db) as store:
        store.create_session(session("s1"))
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(1.5, lambda: holder.execute("ROLLBACK"))
    timer.start()
    try:
        with SessionStore(db, lock_wait_s=10) as store:
            assert store.save_turn("s1", turn(0)) is True  # waited past the busy timeout
            assert store.pending_count() == 0 and store.warnings == []
    finally:
        timer.join()
        holder.close()


class _InterruptedCard(CardState):
    """A card whose serialisation is interrupted, as Ctrl-C would mid-write."""

    def model_dump_json(self, **_: Any) -> str:  # type: ignore[override]
        raise KeyboardInterrupt


def test_interrupt_inside_a_write_leaves_nothing_half_written(tmp_path: Path) -> None:
    with SessionStore(tmp_path / "s.sqlite3") as store:
        store.create_session(session("s1"))
        store.save_turn("s1", turn(0))
        card = _InterruptedCard(corpus="notes-abc", question_id="q1", card={})
        with pytest.raises(KeyboardInterrupt):
            store.save_turn("s1", turn(1), card)
        # The turn row written before the interrupt was rolled back with it.
        assert [t.index for t in store.turns("s1")] == [0]
        store.save_turn("s1", turn(2))  # the connection is still usable
    with SessionStore(tmp_path / "s.sqlite3") as store:
        assert [t.index for t in store.turns("s1")] == [0, 2]


CHILD = textwrap.dedent(
    """
    import sys, time
    from typing import Any
    from tests.test_store import session, turn
    from interviewer.scheduling import CardState
    from interviewer.store import SessionStore

    class Stalled(CardState):
        def model_dump_json(self, **_: Any) -> str:
            print("writing", flush=True)
            time.sleep(60)
            return ""

    store = SessionStore(__import__("pathlib").Path(sys.argv[1]))
    store.create_session(session("s1"))
    store.save_turn("s1", turn(0, 7.0))
    store.save_turn("s1", turn(1), Stalled(corpus="notes-abc", question_id="q1", card={}))
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_committed_turn_survives_a_crash_mid_write(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite3"
    repo = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db)],
        cwd=repo,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(repo)},
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "writing"
        # The second turn's transaction is open and holds the write lock: crash now.
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    with SessionStore(db) as store:
        turns = store.turns("s1")
        assert [t.index for t in turns] == [0]
        assert turns[0].feedback is not None and turns[0].feedback.score == 7.0
        store.save_turn("s1", turn(1))  # the lock died with the process
        assert [t.index for t in store.turns("s1")] == [0, 1]
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="root ignores file permissions"
)
def test_a_read_only_data_dir_still_shows_the_sessions(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    db = home / "s.sqlite3"
    with SessionStore(db) as store:
        store.create_session(session("s1"))
        store.save_turn("s1", turn(0, 7.0))
    for side in ("-wal", "-shm"):
        assert not Path(f"{db}{side}").exists()  # checkpointed on close
    db.chmod(0o444)
    home.chmod(0o555)
    try:
        with SessionStore(db) as store:
            assert store.readonly and "read-only" in store.warnings[0]
            assert [t.index for t in store.turns("s1")] == [0]
            with pytest.raises(StoreError, match="read-only"):
                store.save_turn("s1", turn(1))
    finally:
        home.chmod(0o755)
        db.chmod(0o644)
