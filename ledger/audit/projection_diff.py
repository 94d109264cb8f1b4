"""The projection check of `verify --projections`: two databases' projection tables - and
their row versions - compared row by row (the service folds the fresh one in a scratch
replay and opens both reads).

Both sides are read in key order a page at a time and merged, so memory stays flat however
large the tables: text keys are ordered by their bytes on both backends (SQLite's BINARY,
PostgreSQL's "C" collation), which is also Python's order of `str`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from events.sql import Sql
from ledger.store.versions import UNIT
from projections.base import Projection, Table

MAX_DIFFS = 50
PAGE = 5000


class Side(NamedTuple):
    """One database to compare: its open read and its backend's kind."""

    db: Sql
    kind: str


class Compared(NamedTuple):
    """A table to compare: its name, its key columns, and which of them are text."""

    name: str
    key: tuple[str, ...]
    text: frozenset[str]
    label: str


def compared_tables(table: Table, history: bool) -> list[Compared]:
    """The live table, and with `history` its versions (`__h`) and keys ever held (`__k`)."""
    text = frozenset(name for name, kind, _ in table.columns if kind == "TEXT")
    out = [Compared(table.name, table.primary_key, text, table.name)]
    if history:
        label = f"{table.name} history"
        out.append(Compared(f"{table.name}__h", (*table.primary_key, "seq_from"), text, label))
        if not table.per_event:
            out.append(Compared(f"{table.name}__k", table.primary_key, text, label))
    return out


def diff_tables(
    live: Side, fresh: Side, projections: Sequence[Projection], *, history: bool = False
) -> list[dict[str, Any]]:
    """The first MAX_DIFFS differences between the live and the freshly folded tables (and,
    with `history`, their row versions): `live` is what the ledger holds, `rebuilt` what the
    log folds to."""
    differences: list[dict[str, Any]] = []
    for projection in projections:
        for table in projection.tables:
            for compared in compared_tables(table, history):
                differences.extend(_diff_table(live, fresh, compared))
                if len(differences) >= MAX_DIFFS:
                    return differences[:MAX_DIFFS]
    return differences


def check_units(units: dict[str, list[tuple[int, int]]], head: int) -> list[dict[str, Any]]:
    """Problems with a ledger's noted history units: each must be a run of 2 to UNIT seqs
    within the log, apart from the projection's other units (the projector makes no other)."""
    problems: list[dict[str, Any]] = []
    for projection, spans in units.items():
        previous = 0
        for first, last in sorted(spans, key=lambda u: u[1]):
            if not (0 < first < last <= head and last - first < UNIT and first > previous):
                problems.append(
                    {
                        "table": "history_units",
                        "key": [projection, last],
                        "problem": f"seqs {first}..{last} are not a unit the projector makes",
                    }
                )
            previous = max(previous, last)
    return problems


def _order(side: Side, compared: Compared, column: str) -> str:
    """A key column as it sorts by bytes on this backend."""
    if side.kind != "sqlite" and column in compared.text:
        return f'{column} COLLATE "C"'
    return column


def _rows(side: Side, compared: Compared) -> Iterator[tuple[Any, ...]]:
    """Every row of a table in key order, a page at a time (keyset paging: each page starts
    after the last key of the one before)."""
    order = ", ".join(_order(side, compared, k) for k in compared.key)
    after: tuple[Any, ...] | None = None
    key_index: list[int] | None = None
    while True:
        where, params = "", ()
        if after is not None:
            marks = ", ".join("?" * len(after))
            where, params = f" WHERE ({order}) > ({marks})", after
        cursor: Any = side.db.execute(
            f"SELECT * FROM {compared.name}{where} ORDER BY {order} LIMIT {PAGE}", params
        )
        if key_index is None:
            names = [d[0] for d in cursor.description]
            key_index = [names.index(k) for k in compared.key]
        batch = cursor.fetchall()
        if not batch:
            return
        yield from (tuple(r) for r in batch)
        if len(batch) < PAGE:
            return
        after = tuple(batch[-1][i] for i in key_index)


def _columns(side: Side, compared: Compared) -> list[str]:
    cursor: Any = side.db.execute(f"SELECT * FROM {compared.name} LIMIT 0")
    return [d[0] for d in cursor.description]


def _diff_table(live: Side, fresh: Side, compared: Compared) -> list[dict[str, Any]]:
    columns = _columns(live, compared)
    index = [columns.index(k) for k in compared.key]
    out: list[dict[str, Any]] = []
    ours, theirs = _rows(live, compared), _rows(fresh, compared)
    a, b = next(ours, None), next(theirs, None)
    while (a is not None or b is not None) and len(out) < MAX_DIFFS:
        ka = None if a is None else tuple(a[i] for i in index)
        kb = None if b is None else tuple(b[i] for i in index)
        if b is None or (ka is not None and kb is not None and ka < kb):
            out.append(_entry(compared, ka, problem="in the live ledger, not in the rebuild"))
            a = next(ours, None)
        elif a is None or (ka is not None and kb is not None and kb < ka):
            out.append(_entry(compared, kb, problem="in the rebuild, missing from the live ledger"))
            b = next(theirs, None)
        else:
            for name, x, y in zip(columns, a, b, strict=False):
                if x != y:
                    out.append(_entry(compared, ka, column=name, live=x, rebuilt=y))
            a, b = next(ours, None), next(theirs, None)
    return out


def _entry(compared: Compared, key: tuple[Any, ...] | None, **what: Any) -> dict[str, Any]:
    return {"table": compared.label, "key": list(key or ()), **what}
