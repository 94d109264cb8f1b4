"""The embedded SQLite backend: WAL, synchronous=FULL, a busy timeout, BEGIN IMMEDIATE writes.

Plain `sqlite3` on purpose: it is on the hot path of a one-event shell command, where
importing anything bigger would cost more than the write itself.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ledger.errors import StorageError
from ledger.storage.base import CHECKPOINTS_DDL

BUSY_TIMEOUT_MS = 60_000

LOG_DDL = (
    """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    stream_id TEXT NOT NULL,
    stream_version INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    schema_version INTEGER NOT NULL,
    occurred_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    payload TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (stream_id, stream_version)
)""",
    """
CREATE TRIGGER IF NOT EXISTS events_refuse_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events is append-only: UPDATE refused'); END""",
    """
CREATE TRIGGER IF NOT EXISTS events_refuse_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events is append-only: DELETE refused'); END""",
    CHECKPOINTS_DDL,
)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


class SqliteBackend:
    """A ledger in one SQLite file (or `:memory:` for scratch replays)."""

    kind = "sqlite"

    def __init__(self, path: Path | str, *, scratch: bool = False) -> None:
        self.location = str(path)
        self._scratch = scratch
        try:
            self._conn = sqlite3.connect(
                self.location,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_MS / 1000,
                check_same_thread=False,
            )
        except sqlite3.OperationalError as exc:
            raise StorageError(f"cannot open {self.location}: {exc}") from exc
        self._conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if scratch:
            self._conn.execute("PRAGMA journal_mode=OFF")
            self._conn.execute("PRAGMA synchronous=OFF")
        else:
            self._enable_wal()
            self._conn.execute("PRAGMA synchronous=FULL")

    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying connection (for SQLite-only tools such as backup)."""
        return self._conn

    def _enable_wal(self) -> None:
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                mode = self._conn.execute("PRAGMA journal_mode").fetchone()[0]
                if mode != "wal":
                    self._conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise StorageError(f"cannot open {self.location}: {exc}") from exc
                time.sleep(0.01)

    def _begin(self, statement: str) -> None:
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self._conn.execute(statement)
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise StorageError(f"{self.location}: {exc}") from exc
                time.sleep(0.005)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any exception."""
        self._begin("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A deferred transaction: one snapshot for every statement inside. Inside an open
        transaction (e.g. a report computed under the write lock) it reads within that one."""
        if self._conn.in_transaction:
            yield self._conn
            return
        self._begin("BEGIN")
        try:
            yield self._conn
        finally:
            self._conn.execute("COMMIT")

    def copy_to(self, path: Path) -> tuple[int, str]:
        """Copy the whole database, one consistent snapshot, into a new file at `path`;
        answers the (seq, hash) of the head the copy holds."""
        target = sqlite3.connect(path)
        try:
            self._conn.backup(target)
            row = target.execute(
                "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        except sqlite3.Error as exc:
            raise StorageError(f"backup to {path} failed: {exc}") from None
        finally:
            target.close()
        return (0, "0" * 64) if row is None else (int(row[0]), str(row[1]))

    def has_schema(self) -> bool:
        """Whether the log table exists yet."""
        row = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'"
        ).fetchone()
        return row is not None

    def ensure_schema(self) -> None:
        """Create the log, its triggers and the checkpoint table (one transaction)."""
        if self.has_schema() and self._has_triggers():
            return
        with self.write() as db:
            for statement in LOG_DDL:
                db.execute(statement)

    def _has_triggers(self) -> bool:
        count = self._conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'"
        ).fetchone()[0]
        return bool(count >= 2)

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()
