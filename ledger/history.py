"""Temporal projection rows: every projection table keeps each version of each row with the
seq range in which it held, so a past state is an index lookup, not a replay.

Beside each table `t` the database holds:

- `t__h`, the versions: the table's columns plus `seq_from` (the seq whose fold made the
  version), `seq_to` (the seq whose fold replaced it; `OPEN` while current) and `gone` (1 for
  a tombstone: the row was deleted at `seq_from`).
- `t__k`, every key the table ever held (for per-key lookups in tables whose rows change
  often, such as per-pattern totals).

Triggers keep them in step with the live table inside the same transaction, reading the seq
being folded from `history_clock`. The projector folds in *units* of at most `UNIT` events
and sets the clock to each unit's last seq; a unit of several events is noted in
`history_units`, because a seq inside it is not a version boundary: its state is the state
before the unit plus a fold of the unit's first events (`AsOfState`), at most `UNIT` of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from events import RecordedEvent
from events.sql import Cursor, Sql
from projections.base import Projection, Table, fold

if TYPE_CHECKING:
    from ledger.eventlog import EventLog

UNIT = 250
"""Most events folded under one history version in bulk work (a batch, catch-up, rebuild);
an as-of inside a unit folds at most this many events on top of the unit's start."""

MOST_INLINED = 20_000
"""Most values a read inlines for the rows a fold inside a unit changed (SQLite takes 32,766
parameters a statement); beyond it (a retraction that rewrote thousands of rows inside one
unit) that read replays the log to its seq instead."""

OPEN = 9223372036854775807
"""`seq_to` of a version still current (the largest 64-bit integer)."""

INFRASTRUCTURE = (
    "CREATE TABLE IF NOT EXISTS history_clock (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL,"
    " generation INTEGER NOT NULL)",
    "INSERT INTO history_clock (id, seq, generation) SELECT 1, 0, 0 WHERE NOT EXISTS "
    "(SELECT 1 FROM history_clock)",
    "CREATE TABLE IF NOT EXISTS history_units (projection TEXT NOT NULL,"
    " end_seq INTEGER NOT NULL, start_seq INTEGER NOT NULL, PRIMARY KEY (projection, end_seq))",
)


def _names(table: Table) -> list[str]:
    return [c[0] for c in table.columns]


def _match(key: Sequence[str], left: str, right: str) -> str:
    return " AND ".join(f"{left}.{k} = {right}.{k}" for k in key)


def create(db: Sql, table: Table, kind: str, types: Mapping[str, str]) -> None:
    """The history and key tables of `table`, and the triggers that fill them."""
    for statement in INFRASTRUCTURE:
        db.execute(statement)
    key = table.primary_key
    columns = [f"{name} {types.get(t, t)}" for name, t, _ in table.columns]
    integer = types.get("INTEGER", "INTEGER")
    db.execute(
        f"CREATE TABLE IF NOT EXISTS {table.name}__h ({', '.join(columns)},"
        f" seq_from {integer} NOT NULL, seq_to {integer} NOT NULL, gone {integer} NOT NULL,"
        f" PRIMARY KEY ({', '.join(key)}, seq_from))"
    )
    if table.per_event:
        db.execute(f"CREATE INDEX IF NOT EXISTS {table.name}__h_seq ON {table.name}__h (seq_from)")
    else:
        key_columns = [c for c in columns if c.split()[0] in key]
        db.execute(
            f"CREATE TABLE IF NOT EXISTS {table.name}__k ({', '.join(key_columns)},"
            f" PRIMARY KEY ({', '.join(key)}))"
        )
    if kind == "sqlite":
        _sqlite_triggers(db, table)
    else:
        _postgres_triggers(db, table)


def drop(db: Sql, table: Table, kind: str) -> None:
    """Drop the history of `table` (its triggers go with the live table)."""
    db.execute(f"DROP TABLE IF EXISTS {table.name}__h")
    db.execute(f"DROP TABLE IF EXISTS {table.name}__k")
    if kind != "sqlite":
        db.execute(f"DROP FUNCTION IF EXISTS {table.name}__hf() CASCADE")


def _steps(table: Table, change: str, row: str, clock: str) -> list[str]:
    """What one change (INSERT, UPDATE or DELETE) of a live row does to its history, `row`
    naming the row (NEW or OLD) and `clock` the seq being folded.

    Every change writes the version it leaves at `clock` (a tombstone for a delete), over any
    version this same unit already wrote. A per-event table also closes the version it
    replaces (`seq_to`), which its past scan reads; a totals table's past is read key by key,
    the latest version at or before a seq, and needs no closing. A new totals key is noted.
    """
    key, h = table.primary_key, f"{table.name}__h"
    names = _names(table)
    values = ", ".join(f"{row}.{n}" for n in names)
    gone = 1 if change == "DELETE" else 0
    updates = ", ".join(f"{n} = excluded.{n}" for n in [*names, "seq_to", "gone"] if n not in key)
    steps = []
    if table.per_event and change != "INSERT":
        same = " AND ".join(f"{k} = {row}.{k}" for k in key)
        steps.append(
            f"UPDATE {h} SET seq_to = {clock} WHERE {same} AND seq_to = {OPEN}"
            f" AND seq_from < {clock} AND gone = 0"
        )
    steps.append(
        f"INSERT INTO {h} ({', '.join(names)}, seq_from, seq_to, gone)"
        f" VALUES ({values}, {clock}, {OPEN}, {gone})"
        f" ON CONFLICT ({', '.join(key)}, seq_from) DO UPDATE SET {updates}"
    )
    if not table.per_event and change == "INSERT":
        steps.append(
            f"INSERT INTO {table.name}__k ({', '.join(key)})"
            f" VALUES ({', '.join(f'{row}.{k}' for k in key)}) ON CONFLICT DO NOTHING"
        )
    return steps


def _sqlite_triggers(db: Sql, table: Table) -> None:
    clock = "(SELECT seq FROM history_clock WHERE id = 1)"
    for change, row in (("INSERT", "new"), ("UPDATE", "new"), ("DELETE", "old")):
        body = "; ".join(_steps(table, change, row, clock))
        db.execute(
            f"CREATE TRIGGER IF NOT EXISTS {table.name}__h_{change.lower()} AFTER {change} ON"
            f" {table.name} BEGIN {body}; END"
        )


def _postgres_triggers(db: Sql, table: Table) -> None:
    insert, update, delete = (
        "; ".join(_steps(table, change, row, "c"))
        for change, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))
    )
    db.execute(
        f"CREATE OR REPLACE FUNCTION {table.name}__hf() RETURNS trigger LANGUAGE plpgsql AS $$"
        " DECLARE c BIGINT; BEGIN SELECT seq INTO c FROM history_clock WHERE id = 1;"
        f" IF TG_OP = 'INSERT' THEN {insert}; ELSIF TG_OP = 'UPDATE' THEN {update};"
        f" ELSE {delete}; END IF; RETURN NULL; END $$"
    )
    db.execute(f"DROP TRIGGER IF EXISTS {table.name}__h_t ON {table.name}")  # before PG 14:
    db.execute(  # no CREATE OR REPLACE TRIGGER
        f"CREATE TRIGGER {table.name}__h_t AFTER INSERT OR UPDATE OR DELETE ON"
        f" {table.name} FOR EACH ROW EXECUTE FUNCTION {table.name}__hf()"
    )


def set_clock(db: Sql, seq: int) -> None:
    """The seq the next changes are versioned at (the last seq of the unit being folded)."""
    db.execute("UPDATE history_clock SET seq = ? WHERE id = 1", (seq,))


def note_units(db: Sql, units: Iterable[tuple[str, int, int]]) -> None:
    """Units of several events: (projection, first seq folded, last seq)."""
    db.executemany(
        "INSERT INTO history_units (projection, start_seq, end_seq) VALUES (?, ?, ?)"
        " ON CONFLICT (projection, end_seq) DO UPDATE SET start_seq = excluded.start_seq",
        list(units),
    )


def forget_units(db: Sql, projection: str) -> None:
    """A projection being refolded from scratch loses its units with its history, and the
    generation moves on: as-of states worked out from the old units no longer hold."""
    db.execute("DELETE FROM history_units WHERE projection = ?", (projection,))
    db.execute("UPDATE history_clock SET generation = generation + 1 WHERE id = 1")


def generation(db: Sql) -> int:
    """How many times any projection's history was refolded (0 before any history)."""
    row = db.execute("SELECT generation FROM history_clock WHERE id = 1").fetchone()
    return -1 if row is None else int(row[0])


# -- reading the past ----------------------------------------------------------------------


def rows_at(table: Table, seq: int, kind: str) -> str:
    """A SELECT of `table`'s columns as they stood at `seq` (seq is an int, inlined)."""
    names = _names(table)
    h = f"{table.name}__h"
    seq = int(seq)
    if table.per_event:
        return (
            f"SELECT {', '.join(names)} FROM {h}"
            f" WHERE seq_from <= {seq} AND seq_to > {seq} AND gone = 0"
        )
    # Each key's latest version at or before seq, found key by key in the (key, seq_from)
    # index, which each planner must be led to: PostgreSQL by a LATERAL lookup per key;
    # SQLite (no LATERAL) by IN over the keys. Joined plainly, both scanned every version
    # and ran the lookup for each (7 ms and 3 ms instead of 0.2 and 0.05 for 10 keys).
    key = table.primary_key
    match = " AND ".join(f"x.{k} = k.{k}" for k in key)
    if kind != "sqlite":
        return (
            f"SELECT {', '.join(f'h.{n}' for n in names)} FROM {table.name}__k k CROSS JOIN"
            f" LATERAL (SELECT * FROM {h} x WHERE {match} AND x.seq_from <= {seq}"
            " ORDER BY x.seq_from DESC LIMIT 1) h WHERE h.gone = 0"
        )
    latest = f"(SELECT max(x.seq_from) FROM {h} x WHERE {match} AND x.seq_from <= {seq})"
    keys = ", ".join(f"k.{k}" for k in key)
    return (
        f"SELECT {', '.join(f'h.{n}' for n in names)} FROM {h} h"
        f" WHERE ({', '.join(f'h.{k}' for k in key)}, h.seq_from) IN"
        f" (SELECT {keys}, {latest} FROM {table.name}__k k) AND h.gone = 0"
    )


class Overlay(NamedTuple):
    """The rows of one table that a fold inside a unit changed: their keys, and the rows
    those keys hold at the as-of seq (a key absent from `rows` did not exist then)."""

    keys: list[tuple[Any, ...]]
    rows: list[tuple[Any, ...]]


class AsOfState(NamedTuple):
    """What a read as of `seq` needs: the seq, and the overlays of tables whose projection
    folded a unit containing it (None: too many rows to inline, replay instead)."""

    seq: int
    overlays: dict[str, Overlay] | None


def containing_units(
    db: Sql, projections: Sequence[Projection], seq: int
) -> dict[str, tuple[int, int]]:
    """Projection name -> (first, last seq) of its unit that has `seq` strictly inside."""
    found: dict[str, tuple[int, int]] = {}
    for p in projections:
        row = db.execute(
            "SELECT start_seq, end_seq FROM history_units WHERE projection = ? AND end_seq > ?"
            " ORDER BY end_seq LIMIT 1",
            (p.name, seq),
        ).fetchone()
        if row is not None and int(row[0]) <= seq:
            found[p.name] = (int(row[0]), int(row[1]))
    return found


def keys_changed(db: Sql, table: Table, end: int) -> list[tuple[Any, ...]]:
    """Keys of `table` with a version made by the unit ending at `end` (a per-event table
    by its seq index; a totals table key by key, its keys being few)."""
    key = ", ".join(table.primary_key)
    if table.per_event:
        sql = f"SELECT {key} FROM {table.name}__h WHERE seq_from = ?"
    else:
        sql = (
            f"SELECT {', '.join(f'k.{k}' for k in table.primary_key)} FROM {table.name}__k k"
            f" WHERE EXISTS (SELECT 1 FROM {table.name}__h h WHERE"
            f" {_match(table.primary_key, 'h', 'k')} AND h.seq_from = ?)"
        )
    return [tuple(r) for r in db.execute(sql, (end,)).fetchall()]


def rows_of_keys(
    db: Sql, table: Table, seq: int, keys: Sequence[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """The rows these keys held at `seq` (absent keys did not exist then): a per-event
    table's in one query per 500 keys, a totals table's key by key (they are few)."""
    names = _names(table)
    h = f"{table.name}__h"
    out: list[tuple[Any, ...]] = []
    if table.per_event and len(table.primary_key) == 1:
        for start in range(0, len(keys), 500):
            chunk = [k[0] for k in keys[start : start + 500]]
            rows = db.execute(
                f"SELECT {', '.join(names)} FROM {h} WHERE {table.primary_key[0]} IN"
                f" ({', '.join('?' * len(chunk))}) AND seq_from <= ? AND seq_to > ? AND gone = 0",
                (*chunk, seq, seq),
            ).fetchall()
            out.extend(tuple(r) for r in rows)
        return out
    match = " AND ".join(f"{k} = ?" for k in table.primary_key)
    for k in keys:
        row = db.execute(
            f"SELECT {', '.join(names)}, gone FROM {h} WHERE {match} AND seq_from <= ?"
            " ORDER BY seq_from DESC LIMIT 1",
            (*k, seq),
        ).fetchone()
        if row is not None and not row[-1]:
            out.append(tuple(row[:-1]))
    return out


class AsOfSql:
    """A read transaction that sees every projection table as it stood at a past seq.

    Each statement names projection tables as usual; a CTE of the same name, put in front,
    shadows each one with its rows at that seq (tables a fold inside a unit changed get the
    folded rows in place of their keys' versions), and the log's `events` with its rows up
    to the seq, so the log's own readers (head, streams) answer as of it too.
    """

    def __init__(
        self, db: Sql, state: AsOfState, tables: Mapping[str, Table], kind: str,
        types: Mapping[str, str],
    ) -> None:  # fmt: skip
        import re

        self.db = db
        self.state = state
        self.tables = tables
        self.kind = kind
        self.types = types
        names = sorted([*tables, "events"], key=len)[::-1]
        self.pattern = re.compile(r"\b(" + "|".join(names) + r")\b")

    def _cte(self, name: str) -> tuple[str, list[Any]]:
        if name == "events":  # the log as of the seq: its rows up to it
            source = "main.events" if self.kind == "sqlite" else "events"
            return f"events AS (SELECT * FROM {source} WHERE seq <= {self.state.seq})", []
        table = self.tables[name]
        body = rows_at(table, self.state.seq, self.kind)
        overlay = (self.state.overlays or {}).get(name)
        if overlay is None or not overlay.keys:
            return f"{name} AS ({body})", []
        key = table.primary_key
        params: list[Any] = []
        marks = ", ".join("?" for _ in key)
        excluded = ", ".join(f"({marks})" for _ in overlay.keys)
        for k in overlay.keys:
            params.extend(k)
        alias = "h." if not table.per_event else ""
        body += f" AND ({', '.join(alias + k for k in key)}) NOT IN (VALUES {excluded})"
        if overlay.rows:  # VALUES, not a UNION per row: SQLite caps compound SELECTs at 500
            casts = ", ".join(self._placeholder(t) for _, t, _ in table.columns)
            body += " UNION ALL VALUES " + ", ".join(f"({casts})" for _ in overlay.rows)
            for r in overlay.rows:
                params.extend(r)
        return f"{name} AS ({body})", params

    def _placeholder(self, portable: str) -> str:
        if self.kind == "sqlite":
            return "?"
        return f"CAST(? AS {self.types.get(portable, portable)})"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        """Run a read with each projection table it names shadowed as of the seq."""
        names = sorted(set(self.pattern.findall(sql)))
        if not names:
            return self.db.execute(sql, params)
        ctes, pre = [], []
        for name in names:
            text, values = self._cte(name)
            ctes.append(text)
            pre.extend(values)
        return self.db.execute(f"WITH {', '.join(ctes)} {sql}", [*pre, *params])

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any:
        """Reads never write."""
        raise TypeError("an as-of view is read-only")


def fold_inside(
    db: Sql,
    log: EventLog,
    projections: Sequence[Projection],
    units: Mapping[str, tuple[int, int]],
    seq: int,
) -> dict[str, Overlay] | None:
    """For each projection whose unit (ending at units[name]) has `seq` inside: the rows that
    unit changed, as they stood at `seq` — its state before the unit, folded with the unit's
    events up to `seq` in a scratch database. None when they are too many to inline."""
    import sqlite3

    overlays: dict[str, Overlay] = {}
    if not units:  # a version boundary of every projection: nothing to fold
        return overlays
    inlined = 0
    first = min(start for start, _ in units.values())
    tail = log.read_after(db, first - 1, seq - first + 1, upto=seq)  # read once for all
    scratch = sqlite3.connect(":memory:", isolation_level=None)
    try:
        for p in projections:
            if p.name not in units:
                continue
            start, end = units[p.name]
            keys = {t.name: keys_changed(db, t, end) for t in p.tables}
            p.create(scratch, {})
            for t in p.tables:
                before = rows_of_keys(db, t, start - 1, keys[t.name])
                if before:
                    marks = ", ".join("?" for _ in t.columns)
                    scratch.executemany(f"INSERT INTO {t.name} VALUES ({marks})", before)
            fold(scratch, p, [e for e in tail if e.seq >= start], SourceReader(log, db))
            for t in p.tables:
                names = ", ".join(_names(t))
                rows = scratch.execute(f"SELECT {names} FROM {t.name}").fetchall()
                overlays[t.name] = Overlay(keys[t.name], [tuple(r) for r in rows])
                inlined += len(keys[t.name]) * len(t.primary_key) + len(rows) * len(t.columns)
    finally:
        scratch.close()
    return overlays if inlined <= MOST_INLINED else None


class SourceReader:
    """Reads the log of the source ledger while a scratch database folds (`EventLog`'s
    reading methods, bound to the source's read transaction)."""

    def __init__(self, log: EventLog, db: Sql) -> None:
        self.log = log
        self.db = db

    def read_stream(
        self, db: Sql, stream_id: str, upto_seq: int, event_types: Iterable[str] = ()
    ) -> list[RecordedEvent]:
        return self.log.read_stream(self.db, stream_id, upto_seq, event_types)

    def read_event(self, db: Sql, seq: int) -> RecordedEvent | None:
        return self.log.read_event(self.db, seq)
