"""The projection check of `verify --projections`: two databases' projection tables, compared
row by row (the service folds the fresh one in a scratch replay and opens both reads)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import zip_longest
from typing import Any

from events.sql import Sql
from projections.base import Projection

MAX_DIFFS = 50


def diff_tables(live: Sql, fresh: Sql, projections: Sequence[Projection]) -> list[dict[str, Any]]:
    """The first MAX_DIFFS differences between the live and the freshly folded tables."""
    differences: list[dict[str, Any]] = []
    for projection in projections:
        for table in projection.tables:
            differences.extend(_diff_table(live, fresh, table.name, table.primary_key))
            if len(differences) >= MAX_DIFFS:
                return differences[:MAX_DIFFS]
    return differences


def _rows(db: Sql, table: str, key: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    order = ", ".join(key)
    position = 0
    while True:
        batch = db.execute(
            f"SELECT * FROM {table} ORDER BY {order} LIMIT 5000 OFFSET ?", (position,)
        ).fetchall()
        if not batch:
            return
        yield from (tuple(r) for r in batch)
        position += len(batch)


def _columns(db: Sql, table: str) -> list[str]:
    cursor: Any = db.execute(f"SELECT * FROM {table} LIMIT 0")
    return [d[0] for d in cursor.description]


def _diff_table(live: Sql, fresh: Sql, table: str, key: Sequence[str]) -> list[dict[str, Any]]:
    columns = _columns(live, table)
    key_index = [columns.index(k) for k in key]
    out: list[dict[str, Any]] = []
    live_rows = {tuple(r[i] for i in key_index): r for r in _rows(live, table, key)}
    for row in _rows(fresh, table, key):
        pk = tuple(row[i] for i in key_index)
        current = live_rows.pop(pk, None)
        if current is None:
            out.append({"table": table, "key": list(pk), "problem": "missing from live"})
            continue
        for name, a, b in zip_longest(columns, current, row):
            if a != b:
                out.append(
                    {"table": table, "key": list(pk), "column": name, "live": a, "rebuilt": b}
                )
    for pk in live_rows:
        out.append({"table": table, "key": list(pk), "problem": "not in the rebuilt projection"})
    return out
