"""Replaying the log: as-of views, rebuilds and the projection check of `verify --projections`.

An as-of view is a scratch in-memory SQLite ledger holding the events up to a seq, with every
projection folded from them: the same code that folds live appends, so answers are identical.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import zip_longest
from typing import TYPE_CHECKING, Any, TypeVar

from events.sql import Sql
from ledger.projector import Progress, bulk_work
from ledger.storage.sqlite import SqliteBackend
from projections.base import Projection

if TYPE_CHECKING:
    from ledger.service import LedgerCore as Ledger

MAX_DIFFS = 50


L = TypeVar("L", bound="Ledger")


def replay_into_scratch(
    source: L, upto: int, db: Sql | None = None, progress: Progress | None = None
) -> L:
    """A scratch ledger with the source's events ≤ upto and freshly folded projections."""
    scratch = type(source)(SqliteBackend(":memory:", scratch=True), clock=source.clock)
    scratch.backend.ensure_schema()

    def copy(src: Sql) -> None:
        for rows in source.log.iter_raw(src, 0, upto):
            with scratch.backend.write() as dst:
                scratch.log.insert_rows(dst, rows)

    if db is None:
        with source.backend.read() as src:
            copy(src)
    else:
        copy(db)
    scratch.catch_up(progress)
    return scratch


def rebuild(
    ledger: Ledger, names: Sequence[str] | None = None, progress: Progress | None = None
) -> dict[str, Any]:
    """Drop and refold the named projections (all by default) in one transaction: a reader
    sees the old projections until the new ones are whole."""
    selected = select(ledger, names)
    with bulk_work(), ledger.backend.write() as db:
        ledger.projector.reset(db, selected)
        head = ledger.log.head(db).seq
        ledger.projector.catch_up(db, head, progress=progress)
    return {"projections": [p.name for p in selected], "events": head}


def select(ledger: Ledger, names: Sequence[str] | None) -> list[Projection]:
    """Projections by name; unknown names are an input error listing the known ones."""
    from ledger.errors import InputError

    if not names:
        return list(ledger.projector.projections)
    unknown = [n for n in names if n not in ledger.projector.by_name]
    if unknown:
        known = ", ".join(ledger.projector.by_name)
        raise InputError(
            f"projection: unknown {', '.join(unknown)}; known projections: {known}",
            {"field": "projection", "known": list(ledger.projector.by_name)},
        )
    return [ledger.projector.by_name[n] for n in names]


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


def diff_projections(ledger: Ledger, progress: Progress | None = None) -> dict[str, Any]:
    """Rebuild every projection into a scratch database and compare it row by row with live."""
    differences: list[dict[str, Any]] = []
    with ledger.backend.read() as live:
        head = ledger.log.head(live).seq
        scratch = replay_into_scratch(ledger, head, live, progress)
        try:
            with scratch.backend.read() as fresh:
                for projection in ledger.projector.projections:
                    for table in projection.tables:
                        differences.extend(_diff_table(live, fresh, table.name, table.primary_key))
                        if len(differences) >= MAX_DIFFS:
                            break
        finally:
            scratch.close()
    return {"ok": not differences, "head": head, "differences": differences[:MAX_DIFFS]}


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
