"""`export --analytics FILE.db`: the projections, as of a point, in a standalone SQLite file
built with sqlite-utils — primary and foreign keys, full-text search on decisions and
outcomes, and a Datasette metadata file beside it — so `datasette FILE.db` explores them.

Amounts, stored in the ledger as exact decimal text, become numbers here (Datasette sorts
and sums them); the exact figures stay in the ledger. Works from either backend.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.errors import InputError

if TYPE_CHECKING:
    from ledger.app.facade import Ledger
    from ledger.core.moments import AsOf

TABLES: tuple[tuple[str, str, tuple[str, ...], list[tuple[str, str, str]], str], ...] = (
    ("patterns", "patterns", ("pattern_id",), [], "Approved automation patterns"),
    ("executions", "pattern_executions", ("id",), [("pattern_id", "patterns", "pattern_id")],
     "Every recorded execution (id = its event's seq)"),
    ("roi_summaries", "pattern_roi_summary", ("pattern_id",),
     [("pattern_id", "patterns", "pattern_id")], "ROI per pattern"),
    ("daily_stats", "pattern_daily_stats", ("pattern_id", "day"),
     [("pattern_id", "patterns", "pattern_id")], "Executions and savings per pattern per day"),
    ("decisions", "decisions", ("decision_id",), [], "Decisions taken on opportunities"),
    ("outcomes", "outcomes", ("id",), [("decision_id", "decisions", "decision_id")],
     "What came of each decision (id = its event's seq)"),
    ("predictions", "opportunity_predictions", ("id",), [],
     "Recorded predictions for scored opportunities"),
)  # fmt: skip
"""(name in the file, projection table, primary key, foreign keys, description)."""

SEARCHABLE = {"decisions": ["opportunity_content", "action_taken", "sender"], "outcomes": ["notes"]}
"""Tables given full-text search in the file, and their columns."""


def _is_amount(column: str, values: list[Any]) -> bool:
    """A text column whose every value is a decimal number (an amount, a rate)."""
    if column.endswith(("_id", "_at")) or column in ("day", "period", "context"):
        return False
    present = [v for v in values if v is not None]
    if not present or not all(isinstance(v, str) for v in present):
        return False
    try:
        return all(Decimal(v).is_finite() for v in present)
    except InvalidOperation:
        return False


def export(ledger: Ledger, target: Path, as_of: AsOf = None) -> dict[str, Any]:
    """Write the analytics file (and `<stem>.metadata.json` beside it); a new path only."""
    import sqlite_utils

    from ledger.core.outputs import atomic_path

    if target.name in ("", ".", "..") or str(target).endswith(("/", "\\")):
        raise InputError(
            f"analytics: {str(target)[:200]!r} is not a file name; give a path like out.db",
            {"field": "analytics"},
        )
    metadata_path = target.with_name(f"{target.stem}.metadata.json")
    for path in (target, metadata_path):
        try:
            exists = path.exists()
        except OSError as exc:  # a name too long, a path through a file…
            raise InputError(
                f"analytics: cannot use {str(path)[:200]}: {exc.strerror}", {"field": "analytics"}
            ) from None
        if exists:
            raise InputError(f"analytics: {path} exists; choose a new path", {"field": "analytics"})
    counts: dict[str, int] = {}
    with ledger.service.reading(as_of) as src:
        head = ledger.service.log.head(src)
        extracted = {}
        for name, table, _, _, _ in TABLES:
            query = f"SELECT * FROM {table}"
            if table == "pattern_executions":  # from the log itself, whatever the view holds
                from events.sql import dialect
                from projections.executions import select_executions

                query = select_executions(dialect(src))
            cursor: Any = src.execute(query)
            rows = cursor.fetchall()
            columns = [d[0] for d in cursor.description]
            extracted[name] = (columns, rows)
    insights = ledger.insights(as_of=head.seq)
    conversions = [
        {**{k: v for k, v in c.items() if k != "conversion_rate_interval"},
         "conversion_rate_lower": (c["conversion_rate_interval"] or [None, None])[0],
         "conversion_rate_upper": (c["conversion_rate_interval"] or [None, None])[1]}
        for c in ledger.conversion_metrics(as_of=head.seq)
    ]  # fmt: skip
    with atomic_path(target, ledger.location, "analytics", make_parents=False) as tmp:
        db = sqlite_utils.Database(tmp)
        try:
            for name, _, key, foreign, _ in TABLES:
                columns, rows = extracted[name]
                amounts = {c for i, c in enumerate(columns) if _is_amount(c, [r[i] for r in rows])}
                records = [
                    {c: (float(v) if c in amounts and v is not None else v)
                     for c, v in zip(columns, r, strict=True)}
                    for r in rows
                ]  # fmt: skip
                types = {c: (float if c in amounts else _type_of(c, records)) for c in columns}
                db[name].create(  # type: ignore[union-attr]
                    types, pk=key[0] if len(key) == 1 else key, foreign_keys=foreign
                )
                db[name].insert_all(records)  # type: ignore[union-attr]
                counts[name] = len(records)
            db["conversion_metrics"].insert_all(  # type: ignore[union-attr]
                [{k: (float(v) if isinstance(v, Decimal) else v) for k, v in c.items()}
                 for c in conversions] or [{"source_type": "", "opportunity_type": ""}],
                pk=("source_type", "opportunity_type"),
            )  # fmt: skip
            if not conversions:
                db.execute("DELETE FROM conversion_metrics")
            counts["conversion_metrics"] = len(conversions)
            db["insights"].insert_all(  # type: ignore[union-attr]
                [{k: (float(v) if isinstance(v, Decimal) else v) for k, v in i.items()}
                 for i in insights] or [{"insight_type": None}],
            )  # fmt: skip
            if not insights:
                db.execute("DELETE FROM insights")
            counts["insights"] = len(insights)
            for name, fields in SEARCHABLE.items():
                db[name].enable_fts(fields, fts_version="FTS5")  # type: ignore[union-attr]
        finally:
            db.conn.close()
    stem = target.stem
    metadata = {
        "title": "roi-ledger analytics",
        "description": (
            f"The projections of {ledger.location} as of seq {head.seq} (hash {head.hash}). "
            "Amounts are numbers here; the exact figures and the hash-chained log stay in the "
            "ledger."
        ),
        "databases": {
            stem: {
                "tables": {
                    name: {"description": text, "count": counts.get(name, 0)}
                    for name, _, _, _, text in TABLES
                }
                | {
                    "conversion_metrics": {
                        "description": "Conversion per (source, type), with its 95% Wilson "
                        "interval",
                        "count": counts.get("conversion_metrics", 0),
                    },
                    "insights": {"description": "What the outcomes say, as of the same point"},
                }
            }
        },
    }
    from ledger.core.outputs import write_atomically

    write_atomically(
        metadata_path, json.dumps(metadata, indent=2) + "\n", ledger=ledger.location,
        field="analytics",
    )  # fmt: skip
    return {
        "file": str(target),
        "metadata": str(metadata_path),
        "as_of_seq": head.seq,
        "as_of_hash": head.hash,
        "tables": counts,
    }


def _type_of(column: str, records: list[dict[str, Any]]) -> type:
    for record in records:
        value = record[column]
        if value is not None:
            return type(value) if type(value) in (int, float, str) else str
    return str
