"""Portable reads and appends on the `events` table (the same SQL on SQLite and PostgreSQL).

A stored row's types and its decoding are ledger/store/event_rows.py; what the ledger keeps
beside the log (its recorded head, the integrity alarm), ledger/store/log_head.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from events import GENESIS_HASH, RecordedEvent
from events.sql import Sql
from ledger.store.base import EVENT_COLUMNS
from ledger.store.event_rows import decode_row as decode_row  # ledger/ imports it from here
from ledger.store.event_rows import undecodable
from ledger.store.log_head import Head as Head  # ledger/ imports it from here
from ledger.store.log_head import LogRecords

_SELECT = f"SELECT {EVENT_COLUMNS} FROM events"
SELECT_EVENTS = _SELECT
"""The columns `decode_row` reads, for a query of the log's own (add WHERE … ORDER BY)."""
_OWN_RECORDS = "('ReportGenerated', 'AlertRaised', 'AlertResolved', 'AlertDelivered')"
"""The scheduler's records of its own work, which are no facts about the world."""
_INSERT = f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"


class EventLog(LogRecords):
    """Queries on the log (and, from `LogRecords`, on what the ledger keeps beside it). Every
    method runs inside the caller's transaction."""

    def head(self, db: Sql, upto: int | None = None) -> Head:
        """The last seq and hash (of the log as it stood at seq `upto`, if given)."""
        sql = "SELECT seq, hash, recorded_at FROM events"
        params: tuple[int, ...] = ()
        if upto is not None:
            sql, params = f"{sql} WHERE seq <= ?", (upto,)
        row = db.execute(f"{sql} ORDER BY seq DESC LIMIT 1", params).fetchone()
        return Head(0, GENESIS_HASH, None) if row is None else Head(row[0], row[1], row[2])

    def stream_version(self, db: Sql, stream_id: str) -> int:
        """The version of the stream's last event (0 for a new stream)."""
        row = db.execute(
            "SELECT max(stream_version) FROM events WHERE stream_id = ?", (stream_id,)
        ).fetchone()
        return int(row[0] or 0)

    def by_idempotency_key(self, db: Sql, key: str) -> RecordedEvent | None:
        """The event first stored for this key, if any."""
        row = db.execute(f"{_SELECT} WHERE idempotency_key = ?", (key,)).fetchone()
        return None if row is None else decode_row(row)

    def existing_keys(self, db: Sql, keys: Sequence[str]) -> set[str]:
        """Which of these idempotency keys are already in the log."""
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            rows = db.execute(
                f"SELECT idempotency_key FROM events WHERE idempotency_key IN ({marks})", chunk
            ).fetchall()
            found.update(r[0] for r in rows)
        return found

    def insert(self, db: Sql, events: Sequence[RecordedEvent]) -> None:
        """Append already chained envelopes."""
        db.executemany(_INSERT, [e.as_row() for e in events])

    def insert_rows(self, db: Sql, rows: Iterable[Sequence[Any]]) -> None:
        """Append raw rows (import and scratch replays)."""
        db.executemany(_INSERT, rows)

    def read_event(self, db: Sql, seq: int) -> RecordedEvent | None:
        """One event by its position."""
        row = db.execute(f"{_SELECT} WHERE seq = ?", (seq,)).fetchone()
        return None if row is None else decode_row(row)

    def read_after(self, db: Sql, after: int, limit: int, **filters: Any) -> list[RecordedEvent]:
        """`raw_after`'s rows, decoded into events."""
        return [decode_row(r) for r in self.raw_after(db, after, limit, **filters)]

    def raw_after(
        self,
        db: Sql,
        after: int,
        limit: int,
        upto: int | None = None,
        event_type: str | None = None,
        stream_id: str | None = None,
        newest: bool = False,
    ) -> list[Any]:
        """Up to `limit` stored rows with seq > after (≤ upto), optionally of one type or
        stream, oldest first: the first `limit` of them, or with `newest` the last."""
        where, params = ["seq > ?"], [after]
        if upto is not None:
            where.append("seq <= ?")
            params.append(upto)
        if event_type is not None:
            where.append("event_type = ?")
            params.append(event_type)  # type: ignore[arg-type]
        if stream_id is not None:
            where.append("stream_id = ?")
            params.append(stream_id)  # type: ignore[arg-type]
        order = "DESC" if newest else "ASC"
        clause = f"WHERE {' AND '.join(where)} ORDER BY seq {order} LIMIT ?"
        try:
            rows = db.execute(f"{_SELECT} {clause}", (*params, limit)).fetchall()
        except Exception as exc:
            if not undecodable(exc):
                raise
            rows = self._rows_one_by_one(db, f"SELECT seq FROM events {clause}", (*params, limit))
        return rows[::-1] if newest else rows

    def _rows_one_by_one(self, db: Sql, seqs: str, params: Sequence[Any]) -> list[Any]:
        """The rows a statement selects, read one at a time so that a row holding text that
        is not UTF-8 (written around the database's guards) comes back as an unreadable row,
        `(seq, None, …)`, which the chain check reports as altered, instead of failing the
        whole read."""
        out: list[Any] = []
        for (seq,) in db.execute(seqs, params).fetchall():
            try:
                out.append(db.execute(f"{_SELECT} WHERE seq = ?", (seq,)).fetchone())
            except Exception as exc:
                if not undecodable(exc):
                    raise
                out.append((seq, *[None] * 10))
        return out

    def iter_raw(
        self, db: Sql, after: int = 0, upto: int | None = None, batch: int = 5000
    ) -> Iterator[list[Any]]:
        """Undecoded rows in log order, a batch at a time (constant memory)."""
        position = after
        while True:
            rows = self.raw_after(db, position, batch, upto)
            if not rows:
                return
            yield rows
            position = rows[-1][0]

    def read_stream(
        self, db: Sql, stream_id: str, upto_seq: int, event_types: Iterable[str] = ()
    ) -> list[RecordedEvent]:
        """A stream's events up to a position, retracted ones left out, oldest first."""
        rows = db.execute(
            f"{_SELECT} WHERE stream_id = ? AND seq <= ? ORDER BY seq", (stream_id, upto_seq)
        ).fetchall()
        wanted = set(event_types)
        retracted = {json.loads(r[7])["target_seq"] for r in rows if r[3] == "EventRetracted"}
        return [
            decode_row(r)
            for r in rows
            if r[0] not in retracted and r[3] != "EventRetracted" and (not wanted or r[3] in wanted)
        ]

    def retracted_by(self, db: Sql, target: RecordedEvent) -> int | None:
        """The seq of the retraction of `target`, if it was retracted."""
        rows = db.execute(
            "SELECT seq, payload FROM events WHERE stream_id = ? AND event_type = ?",
            (target.stream_id, "EventRetracted"),
        ).fetchall()
        for seq, payload in rows:
            if json.loads(payload)["target_seq"] == target.seq:
                return int(seq)
        return None

    def seq_at_time(self, db: Sql, timestamp: str) -> int:
        """The last seq recorded at or before a timestamp (0 if none)."""
        row = db.execute(
            "SELECT max(seq) FROM events WHERE recorded_at <= ?", (timestamp,)
        ).fetchone()
        return int(row[0] or 0)

    def first_occurred_at(self, db: Sql) -> str | None:
        """When the earliest event (other than the scheduler's own records: reports, alerts)
        happened in the world."""
        row = db.execute(
            f"SELECT min(occurred_at) FROM events WHERE event_type NOT IN {_OWN_RECORDS}"
        ).fetchone()
        return None if row is None else row[0]

    def first_recorded_at(self, db: Sql) -> str | None:
        """When the ledger learned its first fact (report records aside): the log's
        earliest recording time, the seq order."""
        row = db.execute(
            f"SELECT recorded_at FROM events WHERE event_type NOT IN {_OWN_RECORDS}"
            " ORDER BY seq LIMIT 1"
        ).fetchone()
        return None if row is None else row[0]

    def reset_head(self, db: Sql) -> None:
        """Accept the log as it now is (`rebuild --force` over a cut log): the recorded head
        becomes the log's own."""
        db.execute("DELETE FROM log_head")
        head = self.head(db)
        if head.seq:
            db.execute(
                "INSERT INTO log_head (id, seq, hash) VALUES (1, ?, ?)", (head.seq, head.hash)
            )

    def hash_at(self, db: Sql, seq: int) -> Any:
        """The stored hash of one seq, exactly as stored (None when the log lacks it)."""
        row = db.execute("SELECT hash FROM events WHERE seq = ?", (seq,)).fetchone()
        return None if row is None else row[0]

    def count(self, db: Sql) -> int:
        """How many events the log holds."""
        return int(db.execute("SELECT count(*) FROM events").fetchone()[0])
