"""Issue 23, fewer rows per event: an execution is stored once, in the log. The source's
`pattern_executions` table is a view over the log's execution events that no retraction
withdrew; it keeps no rows and no row versions of its own, reads fast through two partial
indexes on the log, and as of any seq is the same view over the log's first events."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ledger import Ledger
from ledger.errors import InputError
from tests.conftest import BACKENDS, fresh_location


def record(led: Ledger, runs: int) -> list[int]:
    led.approve_pattern("p", "60", "0.015")
    seqs = []
    for i in range(runs):
        done = led.record_execution(
            "p", "45.5", "0.0123456789", i % 3 != 2, executed_at=f"2026-10-{i + 1:02d}T09:00:00Z"
        )
        seqs.append(int(done["seq"]))
    return seqs


def rows(led: Ledger) -> list[dict[str, Any]]:
    with led.service.reading() as db:
        names = ("id", "pattern_id", "actual_cost", "success", "executed_at")
        found = db.execute(f"SELECT {', '.join(names)} FROM pattern_executions ORDER BY id")
        return [dict(zip(names, r, strict=True)) for r in found.fetchall()]


@pytest.mark.parametrize("backend", BACKENDS)
def test_executions_are_read_from_the_log_not_stored_twice(backend: str) -> None:
    with fresh_location(backend) as location, Ledger.open(location) as led:
        seqs = record(led, 6)
        before = led.head().seq
        led.retract(seqs[1], "recorded twice")
        listed = led.executions("p")
        assert [e["id"] for e in listed] == [s for s in reversed(seqs) if s != seqs[1]]
        assert listed[0]["actual_cost"].as_tuple().exponent == -10  # exact text, as sent
        assert str(listed[0]["execution_time_seconds"]) == "45.5"
        assert [r["id"] for r in rows(led)] == [s for s in seqs if s != seqs[1]]
        assert rows(led)[0] == {
            "id": seqs[0], "pattern_id": "p", "actual_cost": "0.0123456789", "success": 1,
            "executed_at": "2026-10-01T09:00:00.000000Z",
        }  # fmt: skip
        # as of a seq, the view over the log as it stood: the retracted run is back
        assert [e["id"] for e in led.executions("p", as_of=before)] == list(reversed(seqs))
        assert [e["id"] for e in led.executions("p", as_of=seqs[2])] == list(reversed(seqs[:3]))
        assert led.pattern_roi("p")["total_executions"] == 5
        with led.service.reading() as db:
            tables = {
                r[0]
                for r in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    if backend == "sqlite"
                    else "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                ).fetchall()
            }
        assert "pattern_executions" not in tables and "pattern_executions__h" not in tables
        assert led.verify(projections=True)["ok"]
        led.rebuild()
        assert [e["id"] for e in led.executions("p")] == [e["id"] for e in listed]


OLDER = (
    "DROP VIEW pattern_executions",
    "CREATE TABLE pattern_executions (id BIGINT PRIMARY KEY, pattern_id TEXT)",
    "CREATE TABLE pattern_executions__h (id BIGINT, seq_from BIGINT)",
    "INSERT INTO pattern_executions VALUES (2, 'p'), (3, 'p'), (4, 'p')",
    "UPDATE projection_checkpoints SET version = 3 WHERE name = 'pattern_executions'",
)
"""The table (and its row versions) as a ledger made before issue 23 kept it."""


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_ledger_with_the_older_table_gets_the_view_on_open(backend: str) -> None:
    """A ledger made before issue 23 kept a `pattern_executions` table and its versions: on
    open they make way for the view, with the same rows."""
    with fresh_location(backend) as location:
        with Ledger.open(location) as led:
            seqs = record(led, 3)
        if backend == "sqlite":
            with sqlite3.connect(location) as conn:
                conn.executescript(";".join(OLDER))
        else:
            import psycopg

            with psycopg.connect(location, autocommit=True) as pg:
                for statement in OLDER:
                    pg.execute(statement)  # type: ignore[arg-type]
        with Ledger.open(location) as led:
            assert [e["id"] for e in led.executions("p")] == list(reversed(seqs))
            assert led.verify(projections=True)["ok"]
            with led.service.reading() as db:
                found = db.execute(
                    "SELECT name, type FROM sqlite_master"
                    if backend == "sqlite"
                    else "SELECT relname, CASE relkind WHEN 'v' THEN 'view' ELSE 'table' END"
                    " FROM pg_class WHERE relnamespace = current_schema()::regnamespace"
                ).fetchall()
    kinds = dict(found)
    assert kinds["pattern_executions"] == "view" and "pattern_executions__h" not in kinds


def test_a_patterns_runs_are_found_through_the_logs_indexes(tmp_path: Path) -> None:
    """The defect the view could bring (a scan of every event for one pattern's runs, or of
    every retraction for each run) is ruled out by the plan SQLite chooses."""
    from projections.executions import select_executions

    query = (
        f"EXPLAIN QUERY PLAN {select_executions('sqlite')} AND e.stream_id = ?"
        " ORDER BY e.occurred_at DESC, e.seq DESC LIMIT 10"
    )
    with Ledger.open(tmp_path / "l.db") as led:
        record(led, 4)
        plans = []
        for as_of in (None, 3):  # live, and as of a seq (the log's prefix, never copied)
            with led.service.reading(as_of) as db:
                found = db.execute(query, ("pattern:p",)).fetchall()
                plans.append(" | ".join(str(r[-1]) for r in found))
    for plan in plans:
        assert "USING INDEX events_executions (stream_id=?)" in plan, plan
        assert "USING INDEX events_retracted_seqs (<expr>=?" in plan, plan
        assert "TEMP B-TREE" not in plan and "MATERIALIZE" not in plan, plan


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_view_reads_a_payload_as_the_fold_does(backend: str) -> None:
    """Payloads written by another writer (an older roi-ledger, an imported file) may hold
    an amount as a JSON number, or a retraction's target as "2" or 2.0: pydantic reads them
    alike, so the view must too — its rows and the folded totals never disagree."""
    from events import chain_hash

    with fresh_location(backend) as location:
        with Ledger.open(location) as led:
            led.approve_pattern("p", "60", "0.015")
            head = led.head()
            stamp = "2026-10-01T09:00:00.000000Z"
            run = ('{"actual_cost":0.01,"error_message":null,"estimated_cost":"0.015",'
                   '"estimated_time_seconds":"60","execution_time_seconds":45.5,'
                   '"pattern_id":"p","success":true,"workflow_id":7.0}')  # fmt: skip
            rows = [
                (2, "pattern:p", 2, "PatternExecutionRecorded", 1, stamp, stamp, run, None),
                (3, "pattern:p", 3, "PatternExecutionRecorded", 1, stamp, stamp, run, None),
                (4, "pattern:p", 4, "EventRetracted", 1, stamp, stamp,
                 '{"reason":"twice","target_seq":"2"}', None),
                (5, "pattern:p", 5, "EventRetracted", 1, stamp, stamp,
                 '{"reason":"twice","target_seq":3.0}', None),
                (6, "pattern:p", 6, "PatternExecutionRecorded", 1, stamp, stamp, run, None),
            ]  # fmt: skip
            chained, digest = [], head.hash
            for row in rows:
                digest = chain_hash(digest, *row)
                chained.append((*row, chained[-1][-1] if chained else head.hash, digest))
            with led.service.backend.write() as db:
                led.service.log.insert_rows(db, chained)
        with Ledger.open(location) as led:  # folds what it finds in its log
            assert led.pattern_roi("p")["total_executions"] == 1
            (only,) = led.executions("p")
            assert only["id"] == 6 and only["workflow_id"] == 7
            assert only["actual_cost"] == Decimal("0.01") and str(only["actual_cost"]) == "0.01"
            assert str(only["execution_time_seconds"]) == "45.5"
            assert [e["id"] for e in led.executions("p", as_of=4)] == [3]
            assert led.verify(projections=True)["ok"]


FORGERIES = {
    "dropped": ["DROP VIEW pattern_executions"],
    "a table in its place": [
        "DROP VIEW pattern_executions",
        "CREATE TABLE pattern_executions AS SELECT 999 AS id, 'p' AS pattern_id,"
        " NULL AS workflow_id, '1' AS execution_time_seconds, '60' AS estimated_time_seconds,"
        " '1000000' AS actual_cost, '0.015' AS estimated_cost, 1 AS success,"
        " NULL AS error_message, 'x' AS executed_at, 'x' AS recorded_at",
    ],
    "another view": [
        "DROP VIEW pattern_executions",
        "CREATE VIEW pattern_executions AS SELECT seq AS id FROM events",
    ],
    "its index dropped": ["DROP INDEX events_executions"],
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_verify_names_a_view_dropped_forged_or_unindexed(backend: str, forgery: str) -> None:
    """The defect (an attack on this change): with the view replaced by a table of made-up
    runs, or dropped, `verify --projections` still said the projections were identical to a
    rebuild — the view had no rows of its own to compare. It is checked now: there, a view,
    showing the log's executions, its indexes present; `rebuild` puts it right."""
    with fresh_location(backend) as location:
        with Ledger.open(location) as led:
            record(led, 3)
        if backend == "sqlite":
            with sqlite3.connect(location) as conn:
                conn.executescript(";".join(FORGERIES[forgery]))
        else:
            import psycopg

            with psycopg.connect(location, autocommit=True) as pg:
                for statement in FORGERIES[forgery]:
                    pg.execute(statement)  # type: ignore[arg-type]
        with Ledger.open(location) as led:
            assert len(led.executions("p")) == 3  # the log is read, whatever the view holds
            check = led.verify(projections=True)["projections"]
            assert not check["ok"]
            (problem,) = [d["problem"] for d in check["differences"]]
            assert "pattern_executions" in problem or "events_executions" in problem
            assert "roi-ledger rebuild" in problem
            led.rebuild()
            assert led.verify(projections=True)["ok"]


def test_the_analytics_file_holds_the_logs_runs_even_over_a_forged_view(
    tmp_path: Path,
) -> None:
    path = tmp_path / "l.db"
    with Ledger.open(path) as led:
        seqs = record(led, 2)
    with sqlite3.connect(path) as conn:
        conn.executescript(";".join(FORGERIES["a table in its place"]))
    from ledger.app.analytics import export

    with Ledger.open(path) as led:
        export(led, tmp_path / "a.db")
    with sqlite3.connect(tmp_path / "a.db") as conn:
        assert [r[0] for r in conn.execute("SELECT id FROM executions ORDER BY id")] == seqs


def test_as_of_shadows_a_table_however_its_name_is_cased(tmp_path: Path) -> None:
    """SQL names ignore case: `Pattern_Executions` or `EVENTS` as of a seq read the past
    too (they read the live tables)."""
    with Ledger.open(tmp_path / "l.db") as led:
        seqs = record(led, 3)
        with led.service.reading(seqs[0]) as db:
            for name in ("pattern_executions", "Pattern_Executions", "PATTERN_EXECUTIONS"):
                assert db.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == 1, name
            assert db.execute("SELECT count(*) FROM EVENTS").fetchone()[0] == seqs[0]
            assert db.execute("SELECT count(*) FROM Pattern_Roi_Summary").fetchone()[0] == 1
            with pytest.raises(InputError, match="without its schema"):  # it would read live
                db.execute("SELECT count(*) FROM main.pattern_executions")
