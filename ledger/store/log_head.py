"""The head of a log (`Head`), and what the ledger keeps beside its log that every write
reads first: the head it recorded folding (`log_head`, held against the log by
ledger/audit/integrity.py) and the integrity alarm (the log was found broken). Queries
inside the caller's transaction, the same SQL on both backends.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from events import GENESIS_HASH
from events.sql import Sql


class Head(NamedTuple):
    """The last event of the log (seq 0 and the genesis hash when empty)."""

    seq: int
    hash: str
    recorded_at: str | None


class WriteStart(NamedTuple):
    """What a write reads first (`EventLog.write_start`)."""

    head: Head
    recorded: tuple[int, str] | None
    alarm: dict[str, Any] | None
    checkpoints: dict[str, tuple[int, int]]


def _alarm(row: Sequence[Any]) -> dict[str, Any]:
    """An `integrity_alarm` row (first_bad_seq, problem, noted_at, seen_seq, seen_hash)."""
    return {
        "first_bad_seq": int(row[0]),
        "problem": row[1],
        "noted_at": row[2],
        "seen_seq": None if row[3] is None else int(row[3]),
        "seen_hash": row[4],
    }


class LogRecords:
    """Queries on the recorded head and the integrity alarm: `EventLog` has them, so the
    service asks its one log for both."""

    def alarm(self, db: Sql) -> dict[str, Any] | None:
        """The standing integrity alarm (the log was found broken), if any."""
        row = db.execute(
            "SELECT first_bad_seq, problem, noted_at, seen_seq, seen_hash FROM integrity_alarm"
            " WHERE id = 1"
        ).fetchone()
        return None if row is None else _alarm(row)

    def raise_alarm(
        self,
        db: Sql,
        first_bad_seq: int,
        problem: str,
        noted_at: str,
        seen: tuple[int, str | None] | None = None,
    ) -> None:
        """Record that the log was found broken at `first_bad_seq` (the earliest finding
        stands until the log verifies again), with the head the ledger had recorded then
        (`seen`), which the log must hold again before the alarm clears. A later finding
        keeps the first one's `seen`: it is the older evidence."""
        current = self.alarm(db)
        if current is not None and current["first_bad_seq"] <= first_bad_seq:
            return
        if current is not None and current["seen_seq"] is not None:
            seen = (current["seen_seq"], current["seen_hash"])
        db.execute("DELETE FROM integrity_alarm")
        db.execute(
            "INSERT INTO integrity_alarm (id, first_bad_seq, problem, noted_at, seen_seq,"
            " seen_hash) VALUES (1, ?, ?, ?, ?, ?)",
            (first_bad_seq, problem, noted_at, *(seen or (None, None))),
        )

    def clear_alarm(self, db: Sql) -> None:
        """The log verifies again (restored from a backup, say): no more warnings."""
        db.execute("DELETE FROM integrity_alarm")

    def write_start(self, db: Sql) -> WriteStart:
        """What every write reads before anything else, in one statement (one round trip on
        PostgreSQL, where it runs under the append lock): the log's head, the head the
        ledger recorded (`recorded_head`), the standing alarm (`alarm`) and the projections'
        checkpoints (name -> (version, position))."""
        rows = db.execute(
            "SELECT 's', e.hash, e.seq, h.seq, e.recorded_at, a.first_bad_seq, h.hash,"
            " a.problem, a.noted_at, a.seen_seq, a.seen_hash FROM (SELECT 1 AS one) o"
            " LEFT JOIN (SELECT seq, hash, recorded_at FROM events ORDER BY seq DESC LIMIT 1) e"
            " ON 1 = 1 LEFT JOIN log_head h ON h.id = 1 LEFT JOIN integrity_alarm a ON a.id = 1"
            " UNION ALL SELECT 'c', name, version, position, NULL, NULL, NULL, NULL, NULL, NULL,"
            " NULL FROM projection_checkpoints"
        ).fetchall()
        row = next(r for r in rows if r[0] == "s")
        head = Head(0, GENESIS_HASH, None) if row[2] is None else Head(row[2], row[1], row[4])
        recorded = None if row[3] is None else (row[3], row[6])
        alarm = None if row[5] is None else _alarm((row[5], *row[7:11]))
        marks = {r[1]: (int(r[2]), int(r[3])) for r in rows if r[0] == "c"}
        return WriteStart(head, recorded, alarm, marks)

    def recorded_head(self, db: Sql) -> tuple[int, str] | None:
        """The newest event the ledger recorded folding (seq, hash): what its log must still
        reach (None on a ledger whose record was removed)."""
        row = db.execute("SELECT seq, hash FROM log_head WHERE id = 1").fetchone()
        return None if row is None else (row[0], row[1])

    def note_head(self, db: Sql, seq: int, digest: str) -> None:
        """Move the recorded head forward to a newly folded event (never back)."""
        db.execute(
            "INSERT INTO log_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE"
            " SET seq = excluded.seq, hash = excluded.hash WHERE log_head.seq < excluded.seq",
            (seq, digest),
        )
