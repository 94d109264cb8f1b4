"""The embedded SQLite backend: WAL, synchronous=FULL, a busy timeout, BEGIN IMMEDIATE writes.

Plain `sqlite3` on purpose: it is on the hot path of a one-event shell command, where
importing anything bigger would cost more than the write itself.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from ledger.errors import InputError, StorageError
from ledger.store.base import (
    ADDED_COLUMNS,
    ALARM_DDL,
    CHECKPOINTS_DDL,
    EVENT_COLUMNS,
    LAST_VERIFY_DDL,
    LOG_HEAD_DDL,
    LOG_HEAD_START,
    SUPPORT_TABLES,
    events_ddl,
)
from ledger.store.sqlite_errors import BUSY_TIMEOUT_MS, retry_while_busy, storage_error

LOG_DDL = (
    events_ddl("INTEGER"),
    """
CREATE TRIGGER IF NOT EXISTS events_refuse_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events is append-only: UPDATE refused'); END""",
    """
CREATE TRIGGER IF NOT EXISTS events_refuse_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events is append-only: DELETE refused'); END""",
    CHECKPOINTS_DDL,
    ALARM_DDL,
    LAST_VERIFY_DDL,
    LOG_HEAD_DDL,
    LOG_HEAD_START,
)


class SqliteBackend:
    """A ledger in one SQLite file (or `:memory:` for scratch replays)."""

    kind = "sqlite"
    column_types: Mapping[str, str] = {}
    """SQLite takes the portable types as they are."""

    def __init__(self, path: Path | str, *, scratch: bool = False) -> None:
        self.location = str(path)
        self._scratch = scratch
        self._lock = threading.RLock()
        """One connection, so one transaction at a time: threads sharing a ledger take turns
        (re-entrant, so a read inside this thread's own write joins it)."""
        try:
            self._conn = sqlite3.connect(
                self.location,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_MS / 1000,
                check_same_thread=False,
            )
        except sqlite3.Error as exc:
            raise storage_error(self.location, exc) from None
        try:
            self._conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        except sqlite3.Error as exc:
            self._conn.close()
            raise storage_error(self.location, exc) from None
        self._file: tuple[int, int] | None = None
        """The ledger file's identity (device, inode) when first seen: a file deleted or
        replaced under an open connection is noticed before the next transaction."""
        self._watch = not scratch and self.location != ":memory:"
        self._remove = scratch and self.location != ":memory:"
        """A scratch replay on disk deletes its file when closed."""

    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying connection (for SQLite-only tools such as backup)."""
        return self._conn

    def _enable_wal(self) -> None:
        def enable() -> None:
            mode = self._conn.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal":
                self._conn.execute("PRAGMA journal_mode=WAL")

        retry_while_busy(enable, 0.01)

    def _same_file(self) -> None:
        """The path still names the file this connection has open; else a StorageError (a
        deleted ledger would take every later write with it when the process ends; a
        replaced one would split them between two files)."""
        if not self._watch:
            return
        try:
            info = os.stat(self.location)
        except FileNotFoundError:
            info = None
        identity = None if info is None else (info.st_dev, info.st_ino)
        if self._file is None and identity is not None:
            self._file = identity
        elif identity != self._file:
            raise StorageError(
                f"{self.location} was {'deleted' if identity is None else 'replaced'} while this "
                "process had it open: nothing more is read or written through the old file. "
                "Restart the process (restore the ledger first if it was deleted by mistake)",
                {"db": self.location, "field": "db"},
            )

    def _begin(self, statement: str) -> None:
        self._same_file()
        try:
            retry_while_busy(lambda: self._conn.execute(statement), 0.005)
        except sqlite3.OperationalError as exc:
            raise storage_error(self.location, exc) from None

    def _rollback(self) -> None:
        """Undo the open transaction, unless SQLite already has (it does on a full disk)."""
        if self._conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):  # it ended already: nothing left to undo
                self._conn.execute("ROLLBACK")

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any exception; a database error comes out
        as one StorageError saying what to do."""
        with self._lock:
            self._begin("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise storage_error(self.location, exc) from None
            except BaseException:
                self._rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A deferred transaction: one snapshot for every statement inside. Inside an open
        transaction (e.g. a report computed under the write lock) it reads within that one."""
        with self._lock:
            if self._conn.in_transaction:
                yield self._conn
                return
            self._begin("BEGIN")
            try:
                yield self._conn
            except sqlite3.Error as exc:
                raise storage_error(self.location, exc) from None
            finally:
                self._rollback()

    def copy_to(self, path: Path) -> tuple[int, str]:
        """Copy the whole database, one consistent snapshot, into a new file at `path`;
        answers the (seq, hash) of the head the copy holds."""
        try:
            target = sqlite3.connect(path)
        except sqlite3.Error as exc:
            raise storage_error(str(path), exc) from None
        try:
            self._conn.backup(target)
            row = target.execute(
                "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1"
            ).fetchone()
        except sqlite3.Error as exc:
            raise storage_error(str(path), exc) from None
        finally:
            target.close()
        return (0, "0" * 64) if row is None else (int(row[0]), str(row[1]))

    def has_schema(self) -> bool:
        """Whether the log table exists yet."""
        return self._count("type = 'table' AND name = 'events'") > 0

    def ensure_schema(self, create: bool = True) -> None:
        """Check the file is a ledger (or, with `create`, an empty database to make one in),
        set WAL and full sync, and create whatever of the log's tables is missing.

        A SQLite database that holds other tables and no ledger is refused untouched: neither
        its journal mode nor its tables are changed.
        """
        with self._lock:
            self._prepare(create)

    def _prepare(self, create: bool) -> None:
        self._check_is_ledger(create)
        try:
            if self._scratch:
                self._conn.execute("PRAGMA journal_mode=OFF")
                self._conn.execute("PRAGMA synchronous=OFF")
            else:
                self._enable_wal()
                self._conn.execute("PRAGMA synchronous=FULL")
        except sqlite3.Error as exc:
            raise storage_error(self.location, exc) from None
        tables = ", ".join(f"'{t}'" for t in SUPPORT_TABLES)
        # a support table counts once it has every column added since it first shipped
        added = " AND ".join(f"(name <> '{t}' OR sql LIKE '%{c}%')" for t, c, _ in ADDED_COLUMNS)
        if (
            self.has_schema()
            and self._count("type = 'trigger' AND tbl_name = 'events'") >= 2
            and self._count(f"type = 'table' AND name IN ({tables}) AND {added}")
            == len(SUPPORT_TABLES)
        ):
            return
        with self.write() as db:
            for statement in LOG_DDL:
                db.execute(statement)
            for table, column, kind in ADDED_COLUMNS:
                present = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
                if column not in present:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def _check_is_ledger(self, create: bool) -> None:
        try:
            tables = {
                r[0]
                for r in self._conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            columns = [r[1] for r in self._conn.execute("PRAGMA table_info(events)")]
        except sqlite3.Error as exc:
            raise storage_error(self.location, exc) from None
        expected = [c.strip() for c in EVENT_COLUMNS.split(",")]
        if "events" in tables and columns != expected:
            raise InputError(
                f"{self.location} is not a roi-ledger database: its events table has other "
                "columns. Choose another --db",
                {"field": "db", "value": self.location},
            )
        if "events" not in tables and tables:
            shown = ", ".join(sorted(tables)[:5])
            raise InputError(
                f"{self.location} is a SQLite database but not a roi-ledger ledger (it holds "
                f"{shown}{'…' if len(tables) > 5 else ''}); it was left untouched. "
                "Choose another --db",
                {"field": "db", "value": self.location},
            )
        if not tables and not create:
            raise InputError(
                f"no ledger at {self.location} (the file is empty): create one with "
                "`roi-ledger init`",
                {"field": "db", "value": self.location},
            )

    def _count(self, where: str) -> int:
        try:
            with self._lock:
                sql = f"SELECT count(*) FROM sqlite_master WHERE {where}"
                row = self._conn.execute(sql).fetchone()
        except sqlite3.Error as exc:
            raise storage_error(self.location, exc) from None
        return int(row[0])

    def close(self) -> None:
        """Close the connection (after any transaction another thread has open); a scratch
        file goes with it."""
        with self._lock:
            self._conn.close()
            if self._remove:
                for suffix in ("", "-journal", "-wal", "-shm"):
                    with contextlib.suppress(OSError):
                        os.unlink(self.location + suffix)
