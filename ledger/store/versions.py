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
before the unit plus a fold of the unit's first events, at most `UNIT` of them. Reading the
past is `ledger/store/as_of.py`; this module is what appends need.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from events.sql import Sql
from projections.base import Table

UNIT = 250
"""Most events folded under one history version in bulk work (a batch, catch-up, rebuild);
an as-of inside a unit folds at most this many events on top of the unit's start."""

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


def column_names(table: Table) -> list[str]:
    """The table's column names, in order."""
    return [c[0] for c in table.columns]


def key_match(key: Sequence[str], left: str, right: str) -> str:
    """`left.k = right.k AND …` over the key's columns."""
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
    names = column_names(table)
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
