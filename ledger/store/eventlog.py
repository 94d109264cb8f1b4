"""Portable reads and appends on the `events` table (the same SQL on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from events import GENESIS_HASH, RecordedEvent
from events.sql import Sql
from ledger.store.base import EVENT_COLUMNS

_SELECT = f"SELECT {EVENT_COLUMNS} FROM events"
SELECT_EVENTS = _SELECT
"""The columns `decode_row` reads, for a query of the log's own (add WHERE … ORDER BY)."""
_OWN_RECORDS = "('ReportGenerated', 'AlertRaised', 'AlertResolved', 'AlertDelivered')"
"""The scheduler's records of its own work, which are no facts about the world."""
_INSERT = f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"


class Head(NamedTuple):
    """The last event of the log (seq 0 and the genesis hash when empty)."""

    seq: int
    hash: str
    recorded_at: str | None


def _alarm(row: Sequence[Any]) -> dict[str, Any]:
    """An `integrity_alarm` row (first_bad_seq, problem, noted_at, seen_seq, seen_hash)."""
    return {
        "first_bad_seq": int(row[0]),
        "problem": row[1],
        "noted_at": row[2],
        "seen_seq": None if row[3] is None else int(row[3]),
        "seen_hash": row[4],
    }


class WriteStart(NamedTuple):
    """What a write reads first (`EventLog.write_start`)."""

    head: Head
    recorded: tuple[int, str] | None
    alarm: dict[str, Any] | None
    checkpoints: dict[str, tuple[int, int]]


ROW_TYPES: tuple[type | tuple[type, ...], ...] = (
    int, str, int, str, int, str, str, str, (str, type(None)), str, str,
)  # fmt: skip
"""The Python type of each stored column (`EVENT_COLUMNS` order) as the backends return it."""

_ROW_SHAPES = frozenset(
    (int, str, int, str, int, str, str, str, key, str, str) for key in (str, type(None))
)


def well_typed(row: Sequence[Any]) -> bool:
    """Whether every column of a stored row has its type (a payload stored as a BLOB, text
    that was not UTF-8, a NULL hash: all altered rows, whatever their bytes)."""
    return tuple(map(type, row)) in _ROW_SHAPES


def decode_row(row: Sequence[Any]) -> RecordedEvent:
    """A stored row to its envelope with the decoded, upcast event.

    A current-version row is parsed from its stored text by its own class's validator (the
    type column already says which class); older versions are upcast and go through the
    registry's discriminated union.
    """
    from events.registry import EVENT_CLASSES, decode_event  # not needed on appends

    seq, stream_id, version, event_type, schema_version = row[0], row[1], row[2], row[3], row[4]
    payload = row[7]
    cls = EVENT_CLASSES.get(event_type)
    try:
        if not well_typed(row):
            kinds = {bytes: "a BLOB", type(None): "missing or not UTF-8 text"}
            raise TypeError(
                "a column holds " + (kinds.get(type(payload)) or "a value of the wrong type")
            )
        if cls is not None and schema_version == cls.schema_version:
            event = cls.model_validate_json(payload)
        else:
            event = decode_event(event_type, schema_version, json.loads(payload))
    except (ValueError, TypeError, KeyError) as exc:
        from pydantic import ValidationError

        from ledger.errors import UnreadableEvent
        from ledger.validation import clip, describe, field_errors

        if isinstance(exc, ValidationError):
            first = describe(field_errors(exc)).removeprefix("invalid input: ")
        else:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        reason = clip(ascii(first)[1:-1], 200)
        raise UnreadableEvent(
            f"seq {seq!r}: the stored row is not an event ({reason}); it was altered: run "
            "`roi-ledger verify`",
            {"seq": seq, "reason": reason},
        ) from None
    return RecordedEvent(
        seq,
        stream_id,
        version,
        event_type,
        schema_version,
        row[5],
        row[6],
        payload,
        row[8],
        row[9],
        row[10],
        event,
    )


def undecodable(exc: Exception) -> bool:
    """Whether a read failed on stored text that is not UTF-8 (SQLite stores any bytes it is
    given as TEXT; reading them back fails the whole statement)."""
    return type(exc).__module__ == "sqlite3" and "decode" in str(exc).lower()


class EventLog:
    """Queries on the log. Every method runs inside the caller's transaction."""

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
