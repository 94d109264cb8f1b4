"""The PostgreSQL backend: the same log, guards and projections for writers on many machines.

Writers serialise on a transaction-scoped advisory lock, so seq stays gap-free and the hash
chain linear; readers get a REPEATABLE READ snapshot. Projections use the same portable SQL
as on SQLite: `?` placeholders are rewritten to psycopg's `%s`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from ledger.errors import StorageError
from ledger.storage.base import CHECKPOINTS_DDL

WRITE_LOCK = 7_215_002_611
"""The advisory lock id every append holds (an arbitrary constant of roi-ledger's)."""

LOG_DDL = (
    """
CREATE TABLE IF NOT EXISTS events (
    seq BIGINT PRIMARY KEY,
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
)


@lru_cache(maxsize=512)
def to_psycopg(sql: str) -> str:
    """Portable `?` placeholders to psycopg's `%s` (literal `%` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


class PgSql:
    """The `Sql` protocol over a psycopg connection."""

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

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError as exc:
            raise StorageError(
                "PostgreSQL needs psycopg: pip install 'roi-ledger[postgres]'"
            ) from exc
        self.location = url
        try:
            self._conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise StorageError(f"cannot connect to {url}: {exc}".strip()) from exc
        self._sql = PgSql(self._conn)

    @contextmanager
    def write(self) -> Iterator[PgSql]:
        """BEGIN, take the append lock, … COMMIT (ROLLBACK on any exception)."""
        self._conn.execute("BEGIN")
        try:
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            yield self._sql
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[PgSql]:
        """A REPEATABLE READ snapshot (or, inside an open transaction, that transaction)."""
        from psycopg.pq import TransactionStatus

        if self._conn.info.transaction_status != TransactionStatus.IDLE:
            yield self._sql
            return
        self._conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            yield self._sql
        finally:
            self._conn.execute("COMMIT")

    def has_schema(self) -> bool:
        """Whether `events` exists in the current search path."""
        row = self._conn.execute("SELECT to_regclass('events')").fetchone()
        return row is not None and row[0] is not None

    def ensure_schema(self) -> None:
        """Create the log, its guards and the checkpoint table (serialised by the lock)."""
        if self.has_schema():
            return
        with self.write():
            for statement in LOG_DDL:
                self._conn.execute(statement.replace("%%", "%"))

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def copy_to(self, path: Path) -> tuple[int, str]:
        """Not for PostgreSQL: pg_dump (or `roi-ledger export`) copies a server's database."""
        raise StorageError("backup copies SQLite files; for PostgreSQL use pg_dump")
