"""The PostgreSQL backend: the same log, guards and projections for writers on many machines.

Writers serialise on a transaction-scoped advisory lock, so seq stays gap-free and the hash
chain linear; readers get a REPEATABLE READ snapshot. Projections use the same portable SQL
as on SQLite: `?` placeholders are rewritten to psycopg's `%s`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from ledger.errors import InputError, StorageError
from ledger.store import shown
from ledger.store.base import (
    ADDED_COLUMNS,
    ALARM_DDL,
    CHECKPOINTS_DDL,
    LAST_VERIFY_DDL,
    LOG_HEAD_DDL,
    LOG_HEAD_START,
    SUPPORT_TABLES,
    events_ddl,
)

WRITE_LOCK = 7_215_002_611
"""The advisory lock id every append holds (an arbitrary constant of roi-ledger's)."""

LOG_DDL = (
    events_ddl("BIGINT"),
    """
CREATE OR REPLACE FUNCTION roi_ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'events is append-only: %% refused', TG_OP;
END
$$ LANGUAGE plpgsql""",
    """
CREATE OR REPLACE TRIGGER events_refuse_update_delete BEFORE UPDATE OR DELETE ON events
FOR EACH ROW EXECUTE FUNCTION roi_ledger_refuse_change()""",
    """
CREATE OR REPLACE TRIGGER events_refuse_truncate BEFORE TRUNCATE ON events
FOR EACH STATEMENT EXECUTE FUNCTION roi_ledger_refuse_change()""",
    CHECKPOINTS_DDL,
    ALARM_DDL,
    LAST_VERIFY_DDL,
    LOG_HEAD_DDL,
    *(f"ALTER TABLE {t} ADD COLUMN IF NOT EXISTS {c} {k}" for t, c, k in ADDED_COLUMNS),
    LOG_HEAD_START,
)


@lru_cache(maxsize=512)
def to_psycopg(sql: str) -> str:
    """Portable `?` placeholders to psycopg's `%s` (literal `%` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PgSql:
    """The `Sql` protocol over a psycopg connection."""

    kind = "postgresql"

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._conn.execute(to_psycopg(sql), tuple(params))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self._conn.cursor() as cursor:
            cursor.executemany(to_psycopg(sql), [tuple(r) for r in rows])


class PostgresBackend:
    """A ledger in a PostgreSQL database (selected by a postgresql:// URL)."""

    kind = "postgresql"
    column_types: Mapping[str, str] = {"INTEGER": "BIGINT", "REAL": "DOUBLE PRECISION"}
    """PostgreSQL's REAL is a 4-byte float and INTEGER 4 bytes: projections need 8 of each."""

    def __init__(self, url: str) -> None:
        import importlib.util

        if importlib.util.find_spec("psycopg") is None:
            raise StorageError("PostgreSQL needs psycopg: pip install 'roi-ledger[postgres]'")
        self.location = url
        self._lock = threading.RLock()
        """One connection, so one transaction at a time: threads sharing a ledger take turns."""
        self._depth = 0
        """Transactions this backend has open (a read inside a write joins it). Kept here:
        inside a pipeline psycopg's transaction_status still reads IDLE after BEGIN."""
        self._connect()

    def _connect(self) -> None:
        """A new connection (at start, and after the server dropped the last one)."""
        import psycopg

        try:
            self._conn = psycopg.connect(self.location, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            text = str(exc).strip()
            reason = text.splitlines()[0] if text else type(exc).__name__
            raise StorageError(
                f"PostgreSQL: cannot connect to {shown(self.location)}: {reason}",
                {"db": shown(self.location)},
            ) from None
        self._sql = PgSql(self._conn)

    def _usable(self) -> None:
        """Reconnect if the last connection was closed or broken (a restarted server, a
        terminated backend); called only between transactions, so nothing half-done is
        lost."""
        if self._conn.closed or self._conn.broken:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._connect()

    @contextmanager
    def write(self) -> Iterator[PgSql]:
        """BEGIN, take the append lock, … COMMIT (ROLLBACK on any exception); a database
        error comes out as one StorageError saying what to do."""
        import psycopg

        with self._lock:
            self._usable()
            committing = False
            self._depth += 1
            try:
                # pipeline mode: statements whose results are not read (the inserts, the
                # projections' writes, COMMIT) go out without waiting for a round trip each
                with self._conn.pipeline():
                    self._conn.execute("BEGIN")
                    self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
                    yield self._sql
                    committing = True
                    self._conn.execute("COMMIT")
            except psycopg.Error as exc:
                self._rollback()
                raise self._error(exc, committing) from None
            except BaseException:
                self._rollback()
                raise
            finally:
                self._depth -= 1

    @contextmanager
    def read(self) -> Iterator[PgSql]:
        """A REPEATABLE READ snapshot (or, inside an open transaction, that transaction)."""
        import psycopg

        with self._lock:
            if self._depth:
                yield self._sql
                return
            self._usable()
            self._depth += 1
            try:
                self._begin_read()
                yield self._sql
            except psycopg.Error as exc:
                raise self._error(exc) from None
            finally:
                self._depth -= 1
                self._rollback()

    def _begin_read(self) -> None:
        """BEGIN a read; if the server dropped the connection since the last transaction,
        connect again and retry once (nothing was done in it yet, so nothing is lost)."""
        import psycopg

        try:
            self._conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        except psycopg.OperationalError:
            if not self._conn.broken:
                raise
            self._usable()
            self._conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def _rollback(self) -> None:
        """End the open transaction, if the connection still has one."""
        import psycopg
        from psycopg.pq import TransactionStatus

        if self._conn.info.transaction_status != TransactionStatus.IDLE:
            with contextlib.suppress(psycopg.Error):
                self._conn.execute("ROLLBACK")

    def _error(self, exc: Exception, committing: bool = False) -> StorageError:
        """A server error as one line saying what happened and what to do."""
        import psycopg

        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        errors = psycopg.errors
        if isinstance(exc, errors.IntegrityError):
            message = (
                f"the database refused the write ({text}): its projections no longer match "
                "the log (were tables changed by hand?). Nothing was written; run "
                "`roi-ledger verify --projections`, then `roi-ledger rebuild`"
            )
        elif isinstance(exc, errors.DiskFull):
            message = f"the server's disk is full ({text}); nothing of this transaction was written"
        elif isinstance(
            exc, psycopg.errors.ReadOnlySqlTransaction | psycopg.errors.InsufficientPrivilege
        ):
            message = f"the server refused to record ({text}): a read-only replica or role?"
        elif isinstance(exc, psycopg.OperationalError) and committing:
            message = (
                f"lost the connection to the server while committing ({text}): the write "
                "may or may not be stored. Send it again with the same idempotency key (a "
                "stored one then appends nothing), or check `roi-ledger log`"
            )
        elif isinstance(exc, psycopg.OperationalError):
            message = (
                f"lost the connection to the server ({text}); nothing was written. The next "
                "request connects again"
            )
        else:
            message = text
        return StorageError(f"PostgreSQL: {message}", {"db": shown(self.location)})

    def has_schema(self) -> bool:
        """Whether `events` exists in the current search path."""
        row = self._conn.execute("SELECT to_regclass('events')").fetchone()
        return row is not None and row[0] is not None

    def ensure_schema(self, create: bool = True) -> None:
        """Create the log, its guards and the checkpoint table (serialised by the lock); with
        `create` false, refuse a database that holds no ledger instead."""
        with self._lock:
            self._prepare(create)

    def _prepare(self, create: bool) -> None:
        added = " OR ".join(
            f"(attrelid = to_regclass('{t}') AND attname = '{c}')" for t, c, _ in ADDED_COLUMNS
        )
        present = self._conn.execute(
            "SELECT "
            + ", ".join(f"to_regclass('{t}')" for t in ("events", *SUPPORT_TABLES))
            + f", (SELECT count(*) FROM pg_attribute WHERE NOT attisdropped AND ({added}))"
        ).fetchone()
        if (
            present is not None
            and all(name is not None for name in present[:-1])
            and present[-1] == len(ADDED_COLUMNS)
        ):
            return
        if not create and (present is None or present[0] is None):
            raise InputError(
                f"no ledger in {shown(self.location)}: create one with `roi-ledger init`",
                {"field": "db"},
            )
        with self.write():
            for statement in LOG_DDL:
                self._conn.execute(statement.replace("%%", "%"))

    def close(self) -> None:
        """Close the connection (after any transaction another thread has open)."""
        with self._lock:
            self._conn.close()

    def copy_to(self, path: Path) -> tuple[int, str]:
        """Not for PostgreSQL: pg_dump (or `roi-ledger export`) copies a server's database."""
        raise StorageError("backup copies SQLite files; for PostgreSQL use pg_dump")
