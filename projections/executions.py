"""`pattern_executions`: one row per recorded execution, as the source's table, exact amounts.

Read from the log itself, not stored twice (issue 23): `pattern_executions` is a view over
the log's `PatternExecutionRecorded` events that no retraction has withdrawn. An execution's
id is its event's seq. Two partial indexes on the log make it fast: a pattern's executions
by (stream, time of the run), and the retractions by the seq they withdraw.

Its past needs no row versions either: as of seq S it is the same view over the log's first
S events (ledger/store/as_of.py shadows `events` and then the view, in that order).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from events.sql import Sql, dialect
from projections.base import Projection

COLUMNS = (
    "id",
    "pattern_id",
    "workflow_id",
    "execution_time_seconds",
    "estimated_time_seconds",
    "actual_cost",
    "estimated_cost",
    "success",
    "error_message",
    "executed_at",
    "recorded_at",
)
EXECUTION = "PatternExecutionRecorded"


def _field(kind: str, name: str, source: str = "e") -> str:
    """One payload field of event `source` as SQL: its text (amounts are stored as exact
    decimal text), an integer, or 1/0 for the success flag — the same values on both."""
    whole = name in ("workflow_id", "target_seq")  # as pydantic reads them: 5, 5.0 or "5"
    if kind == "sqlite":  # json_extract gives numbers as numbers and true/false as 1/0
        value = f"json_extract({source}.payload, '$.{name}')"
        return f"CAST({value} AS INTEGER)" if whole else value
    text = f"(({source}.payload)::jsonb ->> '{name}')"
    if whole:
        return f"({text})::numeric::bigint"
    if name == "success":
        return f"(CASE WHEN ({text})::boolean THEN 1 ELSE 0 END)"
    return text


def withdrawn(kind: str) -> str:
    """`events r` rows that retract the event `e` (found through the retractions' index)."""
    return (
        f"SELECT 1 FROM events r WHERE r.event_type = 'EventRetracted'"
        f" AND {_field(kind, 'target_seq', 'r')} = e.seq"
    )


def select_executions(kind: str) -> str:
    """The view's SELECT: every execution in the log no retraction withdrew, as rows of the
    source's table (`FROM events e`, so a caller may add `AND e.stream_id = ?`)."""
    payload = ("pattern_id", "workflow_id", "execution_time_seconds", "estimated_time_seconds",
               "actual_cost", "estimated_cost", "success", "error_message")  # fmt: skip
    columns = ", ".join(
        ["e.seq AS id"]
        + [f"{_field(kind, name)} AS {name}" for name in payload]
        + ["e.occurred_at AS executed_at", "e.recorded_at AS recorded_at"]
    )
    return (
        f"SELECT {columns} FROM events e WHERE e.event_type = '{EXECUTION}'"
        f" AND NOT EXISTS ({withdrawn(kind)})"
    )


def _indexes(kind: str) -> tuple[str, ...]:
    target = _field(kind, "target_seq", "events").replace("events.payload", "payload")
    return (
        "CREATE INDEX IF NOT EXISTS events_executions ON events (stream_id, occurred_at, seq)"
        f" WHERE event_type = '{EXECUTION}'",
        "DROP INDEX IF EXISTS events_retractions",  # version 4's, on the uncast value
        f"CREATE INDEX IF NOT EXISTS events_retracted_seqs ON events (({target}))"
        " WHERE event_type = 'EventRetracted'",
    )


class PatternExecutions(Projection):
    """View `pattern_executions` (it folds nothing: the log is its rows)."""

    name = "pattern_executions"
    version = 6  # 2: 8-byte columns on PostgreSQL; 3: row versions; 4-6: a view over the log
    handles = frozenset()
    tables = ()

    def views(self, kind: str) -> dict[str, str]:
        return {"pattern_executions": select_executions(kind)}

    def check(self, db: Sql) -> list[str]:
        """The view must be there, be a view, show exactly the log's executions, and the
        log's two indexes must exist (dropped, reads would scan; forged, a table in its
        place would show made-up runs to SQL and to `export --analytics`)."""
        kind = dialect(db)
        if kind == "sqlite":
            found = db.execute(
                "SELECT type FROM sqlite_master WHERE name = 'pattern_executions'"
            ).fetchone()
            indexes = {r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'"
            ).fetchall()}  # fmt: skip
        else:
            found = db.execute(
                "SELECT CASE relkind WHEN 'v' THEN 'view' ELSE 'table' END FROM pg_class"
                " WHERE oid = to_regclass('pattern_executions')"
            ).fetchone()
            indexes = {r[0] for r in db.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'events'"
                " AND schemaname = current_schema()"
            ).fetchall()}  # fmt: skip
        problems = [
            f"the log's index {name} is missing: reads scan instead"
            for name in ("events_executions", "events_retracted_seqs")
            if name not in indexes
        ]
        if found is None or found[0] != "view":
            what = "missing" if found is None else f"a {found[0]}, not the view over the log"
            return [f"pattern_executions is {what}", *problems]
        columns = [r[0] for r in db.execute(
            "SELECT name FROM pragma_table_info('pattern_executions') ORDER BY cid"
            if kind == "sqlite"
            else "SELECT column_name FROM information_schema.columns WHERE table_name ="
            " 'pattern_executions' AND table_schema = current_schema() ORDER BY ordinal_position"
        ).fetchall()]  # fmt: skip
        if columns != list(COLUMNS):
            return ["pattern_executions is a view of other columns, not the view over the log"]
        body = select_executions(kind)
        db.execute("SAVEPOINT view_check")  # a view of other types fails the comparison
        try:
            differs = any(
                db.execute(f"SELECT 1 FROM ({one} EXCEPT {other}) d LIMIT 1").fetchone()
                for one, other in (
                    ("SELECT * FROM pattern_executions", body),
                    (body, "SELECT * FROM pattern_executions"),
                )
            )
        except Exception:  # PostgreSQL: types that cannot be compared
            db.execute("ROLLBACK TO SAVEPOINT view_check")
            return ["pattern_executions is a view of other types, not the view over the log"]
        db.execute("RELEASE SAVEPOINT view_check")
        if differs:
            problems.insert(0, "pattern_executions does not show the log's executions")
        return problems

    def create(self, db: Sql, types: Mapping[str, str]) -> None:
        """The log's two indexes and the view (an older ledger's table and its row versions
        make way for it)."""
        kind = dialect(db)
        self.drop(db)
        for statement in _indexes(kind):
            db.execute(statement)
        db.execute(f"CREATE VIEW pattern_executions AS {select_executions(kind)}")

    def drop(self, db: Sql) -> None:
        """Drop the view, or the table and row versions a ledger made before it."""
        kind = dialect(db)
        found = db.execute(
            "SELECT type FROM sqlite_master WHERE name = 'pattern_executions'"
            if kind == "sqlite"
            else "SELECT CASE relkind WHEN 'v' THEN 'view' ELSE 'table' END FROM pg_class"
            " WHERE oid = to_regclass('pattern_executions')"
        ).fetchone()
        if found is not None:
            db.execute(f"DROP {found[0].upper()} pattern_executions")
        db.execute("DROP TABLE IF EXISTS pattern_executions__h")
        if kind != "sqlite":
            db.execute("DROP FUNCTION IF EXISTS pattern_executions__hf() CASCADE")


def list_executions(
    db: Sql, pattern_id: str, limit: int | None = None, newest_first: bool = True
) -> list[dict[str, Any]]:
    """A pattern's executions, newest first by default (read from the log by its stream,
    through the executions' index)."""
    order = "DESC" if newest_first else "ASC"
    sql = (
        f"{select_executions(dialect(db))} AND e.stream_id = ?"
        f" ORDER BY e.occurred_at {order}, e.seq {order}"
    )
    params: tuple[Any, ...] = (f"pattern:{pattern_id}",)
    if limit is not None:
        sql += " LIMIT ?"
        params = (*params, limit)
    return [_row(r) for r in db.execute(sql, params).fetchall()]


def execution_counts(
    db: Sql, pattern_id: str, since: str | None = None, until: str | None = None
) -> tuple[int, int | None, int | None, int]:
    """A pattern's executions (optionally those run in [since, until)): how many, the first
    and last id, how many succeeded."""
    kind = dialect(db)
    sql = (
        f"SELECT count(*), min(e.seq), max(e.seq), coalesce(sum({_field(kind, 'success')}), 0)"
        f" FROM events e WHERE e.stream_id = ? AND e.event_type = '{EXECUTION}'"
        f" AND NOT EXISTS ({withdrawn(kind)})"
    )
    params: list[Any] = [f"pattern:{pattern_id}"]
    if since is not None:
        sql += " AND e.occurred_at >= ?"
        params.append(since)
    if until is not None:
        sql += " AND e.occurred_at < ?"
        params.append(until)
    count, first, last, successful = db.execute(sql, params).fetchone()
    return int(count), first, last, int(successful)


def _row(row: Sequence[Any]) -> dict[str, Any]:
    out = dict(zip(COLUMNS, row, strict=True))
    for key in (
        "execution_time_seconds",
        "estimated_time_seconds",
        "actual_cost",
        "estimated_cost",
    ):  # stored as exact text; a payload of another writer may hold a JSON number instead,
        # which SQLite reads as a float: its shortest text is the number as written
        value = out[key]
        out[key] = Decimal(str(value) if isinstance(value, float) else value)
    out["success"] = bool(out["success"])
    out["execution_id"] = out["id"]
    return out
