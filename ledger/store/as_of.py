"""Reading projections as they stood at a past seq, from their row versions: which units of
history hold the seq and what they changed (`plan`), the fold of a unit's first events when
the seq falls inside one (`fold_unit`), and the read transaction that shadows every
projection table with its past rows (`AsOfSql`; the SQL per table: ledger/store/past_rows.py).
Imported by as-of reads only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from events import RecordedEvent
from events.sql import Cursor, Sql
from ledger.store.past_rows import containing_units, keys_changed, rows_at, rows_of_keys
from ledger.store.versions import column_names
from projections.base import Projection, Table, fold

if TYPE_CHECKING:
    from ledger.store.eventlog import EventLog

MOST_INLINED = 20_000
"""Most values a read may inline for the rows folds inside units changed, all tables together
(SQLite takes 32,766 parameters a statement); beyond it (a retraction that rewrote thousands
of rows inside one unit) reads as of that seq replay the log to it instead."""


class Overlay(NamedTuple):
    """The rows of one table that a fold inside a unit changed: their keys, and the rows
    those keys hold at the as-of seq (a key absent from `rows` did not exist then)."""

    keys: list[tuple[Any, ...]]
    rows: list[tuple[Any, ...]]


class AsOfState:
    """What reads as of `seq` need: each projection's unit that has the seq strictly inside
    (`units`), the keys each of its tables changed in that unit (`keys`), and the overlays
    folded so far — a projection's unit is folded the first time a read names one of its
    tables, so `roi summary` as of a seq never folds the decisions. `replay`: the keys of
    one unit are too many to inline (rows are never more than keys), so reads replay."""

    def __init__(
        self,
        seq: int,
        log: EventLog,
        projections: Sequence[Projection],
        units: dict[str, tuple[int, int]],
        keys: dict[str, list[tuple[Any, ...]]],
        replay: bool,
    ) -> None:
        import threading

        self.seq = seq
        self.log = log
        self.units = units
        self.keys = keys
        self.replay = replay
        self.owner = {t.name: p for p in projections if p.name in units for t in p.tables}
        self.overlays: dict[str, Overlay] = {}
        self.lock = threading.Lock()

    def overlay(self, db: Sql, table: str) -> Overlay | None:
        """The rows of `table` a fold inside its projection's unit changed, as they stood at
        the seq (None when the seq is a version boundary of that projection)."""
        projection = self.owner.get(table)
        if projection is None:
            return None
        with self.lock:
            if table not in self.overlays:
                self.overlays.update(
                    fold_unit(db, self.log, projection, self.units[projection.name], self.keys,
                              self.seq)
                )  # fmt: skip
            return self.overlays[table]


def plan(db: Sql, log: EventLog, projections: Sequence[Projection], seq: int) -> AsOfState:
    """The state of reads as of `seq`: which units hold it, and what each changed."""
    projections = [p for p in projections if p.handles]  # a view over the log folds nothing
    units = containing_units(db, projections, seq)
    keys: dict[str, list[tuple[Any, ...]]] = {}
    inlined = 0
    for p in projections:
        if p.name in units:
            for t in p.tables:
                keys[t.name] = keys_changed(db, t, units[p.name][1])
                inlined += len(keys[t.name]) * (len(t.primary_key) + len(t.columns))
    return AsOfState(seq, log, projections, units, keys, inlined > MOST_INLINED)


class AsOfSql:
    """A read transaction that sees every projection table as it stood at a past seq.

    Each statement names projection tables as usual; a CTE of the same name, put in front,
    shadows each one with its rows at that seq (tables a fold inside a unit changed get the
    folded rows in place of their keys' versions), and the log's `events` with its rows up
    to the seq, so the log's own readers (head, streams) answer as of it too.
    """

    def __init__(
        self, db: Sql, state: AsOfState, tables: Mapping[str, Table], kind: str,
        types: Mapping[str, str], views: Mapping[str, str] | None = None,
    ) -> None:  # fmt: skip
        import re

        self.db = db
        self.state = state
        self.tables = tables
        self.kind = kind
        self.types = types
        self.views = dict(views or {})
        """Views over the log: shadowed by their own SELECT over the shadowed `events`."""
        names = sorted([*tables, *self.views, "events"], key=len)[::-1]
        # unquoted SQL names ignore case: `Pattern_Executions` is the same table
        self.pattern = re.compile(r"\b(" + "|".join(names) + r")\b", re.IGNORECASE)
        self.qualified = re.compile(  # `d.outcomes` is a column; `main.outcomes` the table
            r"\b(?:main|temp|public)\s*\.\s*(" + "|".join(names) + r")\b", re.IGNORECASE
        )

    def _cte(self, name: str) -> tuple[str, list[Any]]:
        if name == "events":  # the log as of the seq: its rows up to it
            source = "main.events" if self.kind == "sqlite" else "events"
            # not materialized: a query reading the log twice (a view: its events and their
            # retractions) reads each through its own index, not a copy of the whole prefix
            upto = f"SELECT * FROM {source} WHERE seq <= {self.state.seq}"
            return f"events AS NOT MATERIALIZED ({upto})", []
        if name in self.views:  # over the `events` above it
            return f"{name} AS ({self.views[name]})", []
        table = self.tables[name]
        body = rows_at(table, self.state.seq, self.kind)
        overlay = self.state.overlay(self.db, name)
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
        qualified = self.qualified.search(sql)
        if qualified is not None:  # a schema's own table cannot be shadowed: refuse, do not
            from ledger.errors import InputError  # answer live under an as-of

            raise InputError(
                f"as_of: {qualified.group(0)!r} names the live table; as of a point, name "
                f"it without its schema ({qualified.group(1)!r})",
                {"field": "as_of"},
            )
        names = sorted({name.lower() for name in self.pattern.findall(sql)})
        if not names:
            return self.db.execute(sql, params)
        if any(name in self.views for name in names):  # a view reads the log as of the seq
            names = ["events", *(n for n in names if n != "events")]
        ctes, pre = [], []
        for name in names:
            text, values = self._cte(name)
            ctes.append(text)
            pre.extend(values)
        explain = "EXPLAIN QUERY PLAN "  # SQLite's plan of a read as of the seq (for tests)
        head, sql = (explain, sql[len(explain) :]) if sql.startswith(explain) else ("", sql)
        return self.db.execute(f"{head}WITH {', '.join(ctes)} {sql}", [*pre, *params])

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any:
        """Reads never write."""
        raise TypeError("an as-of view is read-only")


def fold_unit(
    db: Sql,
    log: EventLog,
    projection: Projection,
    unit: tuple[int, int],
    keys: Mapping[str, list[tuple[Any, ...]]],
    seq: int,
) -> dict[str, Overlay]:
    """For a projection whose unit (first, last seq) has `seq` inside: the rows of each table
    that unit changed (`keys`), as they stood at `seq` — the state before the unit, folded
    with the unit's events up to `seq` in a scratch database."""
    import sqlite3

    start, _ = unit
    tail = log.read_after(db, start - 1, seq - start + 1, upto=seq)
    scratch = sqlite3.connect(":memory:", isolation_level=None)
    overlays: dict[str, Overlay] = {}
    try:
        projection.create(scratch, {})
        for t in projection.tables:
            before = rows_of_keys(db, t, start - 1, keys[t.name])
            if before:
                marks = ", ".join("?" for _ in t.columns)
                scratch.executemany(f"INSERT INTO {t.name} VALUES ({marks})", before)
        fold(scratch, projection, tail, SourceReader(log, db))
        for t in projection.tables:
            names = ", ".join(column_names(t))
            rows = scratch.execute(f"SELECT {names} FROM {t.name}").fetchall()
            overlays[t.name] = Overlay(keys[t.name], [tuple(r) for r in rows])
    finally:
        scratch.close()
    return overlays


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
