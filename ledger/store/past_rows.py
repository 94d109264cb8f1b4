"""The SQL that reads a projection table as it stood at a past seq, from its row versions
(ledger/store/versions.py keeps them): all its rows then (`rows_at`), the unit of history
a seq falls inside (`containing_units`), the keys a unit changed (`keys_changed`) and the
rows given keys held (`rows_of_keys`). Imported by as-of reads only (ledger/store/as_of.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from events.sql import Sql
from ledger.store.versions import column_names, key_match
from projections.base import Projection, Table


def rows_at(table: Table, seq: int, kind: str) -> str:
    """A SELECT of `table`'s columns as they stood at `seq` (seq is an int, inlined)."""
    names = column_names(table)
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
            f" {key_match(table.primary_key, 'h', 'k')} AND h.seq_from = ?)"
        )
    return [tuple(r) for r in db.execute(sql, (end,)).fetchall()]


def rows_of_keys(
    db: Sql, table: Table, seq: int, keys: Sequence[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """The rows these keys held at `seq` (absent keys did not exist then): a per-event
    table's in one query per 500 keys, a totals table's key by key (they are few)."""
    names = column_names(table)
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
