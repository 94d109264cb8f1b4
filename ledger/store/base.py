"""The protocol every storage backend implements, and the log's portable DDL."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from events.sql import Sql

EVENT_SCHEMA = (
    ("seq", "SEQ PRIMARY KEY"),
    ("stream_id", "TEXT NOT NULL"),
    ("stream_version", "INTEGER NOT NULL"),
    ("event_type", "TEXT NOT NULL"),
    ("schema_version", "INTEGER NOT NULL"),
    ("occurred_at", "TEXT NOT NULL"),
    ("recorded_at", "TEXT NOT NULL"),
    ("payload", "TEXT NOT NULL"),
    ("idempotency_key", "TEXT UNIQUE"),
    ("prev_hash", "TEXT NOT NULL"),
    ("hash", "TEXT NOT NULL"),
)
"""The log's one table, column by column. `SEQ` is each backend's 64-bit integer key: SQLite's
INTEGER (the rowid) or PostgreSQL's BIGINT."""

EVENT_COLUMNS = ", ".join(name for name, _ in EVENT_SCHEMA)


def events_ddl(seq_type: str) -> str:
    """`CREATE TABLE events` for a backend whose 64-bit key type is `seq_type`."""
    columns = ",\n".join(
        f"    {name} {spec.replace('SEQ', seq_type, 1)}" for name, spec in EVENT_SCHEMA
    )
    return (
        "CREATE TABLE IF NOT EXISTS events (\n"
        f"{columns},\n    UNIQUE (stream_id, stream_version)\n)"
    )


CHECKPOINTS_DDL = """
CREATE TABLE IF NOT EXISTS projection_checkpoints (
    name TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL
)"""


def one_row_table(name: str, *columns: str) -> str:
    """`CREATE TABLE` for a table of at most one row: its `id` is always 1, so a second
    insert fails and a reader asks for `WHERE id = 1`."""
    lines = ",\n".join(f"    {c}" for c in ("id INTEGER PRIMARY KEY CHECK (id = 1)", *columns))
    return f"\nCREATE TABLE IF NOT EXISTS {name} (\n{lines}\n)"


ALARM_DDL = one_row_table(
    "integrity_alarm",
    "first_bad_seq BIGINT NOT NULL",
    "problem TEXT NOT NULL",
    "noted_at TEXT NOT NULL",
    "seen_seq BIGINT",
    "seen_hash TEXT",
)
"""At most one row: the log was found broken (by verify, rebuild or catch-up) and has not
verified since. Every write transaction reads it, so appends onto a broken chain warn.
`seen_seq`/`seen_hash` are the head the ledger had recorded when the alarm was raised: it
clears only once the log holds that very event again (restored), never because new events
filled the same seqs."""

LAST_VERIFY_DDL = one_row_table(
    "last_verify",
    "ok INTEGER NOT NULL",
    "verified_at TEXT NOT NULL",
    "head_seq BIGINT NOT NULL",
    "problem TEXT",
)
"""At most one row: the outcome of the newest `verify` (chain, digests or projections), for
the metrics: whether it passed, when, and the head it reached."""

LOG_HEAD_DDL = one_row_table("log_head", "seq BIGINT NOT NULL", "hash TEXT NOT NULL")
"""The newest event the ledger has folded, with its hash, moved in the same transaction as
every append: a log whose newest events were cut no longer reaches it
(ledger/audit/integrity.py)."""

LOG_HEAD_START = (
    "INSERT INTO log_head (id, seq, hash) SELECT 1, seq, hash FROM events"
    " WHERE NOT EXISTS (SELECT 1 FROM log_head) ORDER BY seq DESC LIMIT 1"
)
"""A ledger made before `log_head` existed starts it at its current head."""

SUPPORT_TABLES = ("projection_checkpoints", "integrity_alarm", "log_head")
"""Tables beside `events` that every ledger has (created for older ledgers on open)."""

ADDED_COLUMNS = (
    ("integrity_alarm", "seen_seq", "BIGINT"),
    ("integrity_alarm", "seen_hash", "TEXT"),
)
"""Columns added to support tables after they first shipped (added to older ledgers on open)."""


class Backend(Protocol):
    """A place the log and its projections live. Only the ledger service opens transactions."""

    location: str
    kind: str
    column_types: Mapping[str, str]
    """Portable projection column types (TEXT, INTEGER, REAL) to this backend's own."""

    def write(self) -> AbstractContextManager[Sql]:
        """A transaction that holds the log's write lock from its first statement."""
        ...

    def read(self) -> AbstractContextManager[Sql]:
        """A read-only transaction over one consistent snapshot."""
        ...

    def ensure_schema(self, create: bool = True) -> None:
        """Create the log, its append-only guards and the checkpoint table if missing (with
        `create` false, refuse a store that holds no ledger instead)."""
        ...

    def has_schema(self) -> bool:
        """Whether the log table exists yet."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...

    def copy_to(self, path: Path) -> tuple[int, str]:
        """Copy the whole store into a new file (SQLite only); the (seq, hash) it holds."""
        ...
