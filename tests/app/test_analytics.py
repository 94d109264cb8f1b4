"""`export --analytics FILE.db`: the projections in a standalone SQLite file with keys,
full-text search and Datasette metadata, from either backend, as of any point."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from ledger import Ledger
from ledger.app.analytics import export
from ledger.errors import InputError
from tests.conftest import BACKENDS, Cli, fresh_location
from tests.store.test_search import book


def fill(led: Ledger) -> None:
    led.approve_pattern("alpha", estimated_time_seconds=60, estimated_cost="0.02")
    for i in range(4):
        led.record_execution(
            "alpha", execution_time_seconds=30 + i, actual_cost="0.01", success=i != 2
        )
    book(led)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_file_holds_the_projections_with_keys_and_search(backend: str, tmp_path: Path) -> None:
    with fresh_location(backend) as location, Ledger.open(location) as led:
        fill(led)
        result = export(led, tmp_path / "a.db")
        summary, conversions = led.roi_summary(), led.conversion_metrics()
        insights = led.insights()
        past = export(led, tmp_path / "past.db", as_of=5)
    assert result["tables"]["executions"] == 4 and result["tables"]["decisions"] == 3
    with sqlite3.connect(tmp_path / "a.db") as db:
        row = db.execute(
            "SELECT total_executions, total_cost_saved_usd, roi_percentage FROM roi_summaries"
        ).fetchone()
        assert row[0] == summary[0]["total_executions"]
        assert row[1] == float(summary[0]["total_cost_saved_usd"])  # a number, for Datasette
        rates = dict(db.execute("SELECT source_type, conversion_rate FROM conversion_metrics"))
        assert rates == {c["source_type"]: float(c["conversion_rate"]) for c in conversions}
        keys = db.execute("PRAGMA foreign_key_list(outcomes)").fetchall()
        assert [(k[2], k[3], k[4]) for k in keys] == [("decisions", "decision_id", "decision_id")]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        found = db.execute(
            "SELECT d.decision_id FROM decisions d JOIN decisions_fts f ON f.rowid = d.rowid"
            " WHERE decisions_fts MATCH 'slice' ORDER BY 1"
        ).fetchall()
        assert found == [("d1",), ("d3",)]
        # three decisions in three groups: too few for any insight (a group needs 3)
        assert insights == [] and db.execute("SELECT count(*) FROM insights").fetchone() == (0,)
    metadata = json.loads((tmp_path / "a.metadata.json").read_text())
    assert str(result["as_of_seq"]) in metadata["description"]
    assert metadata["databases"]["a"]["tables"]["executions"]["count"] == 4
    assert past["as_of_seq"] == 5 and past["tables"]["executions"] == 4
    assert past["tables"]["decisions"] == 0


def test_it_writes_a_new_file_only_never_the_ledger(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    with Ledger.open(path) as led:
        fill(led)
        for target in (path, tmp_path / "a.db"):
            if target != path:
                export(led, target)
            with pytest.raises(InputError, match="exists; choose a new path"):
                export(led, target)
    cli = Cli(path)
    error = cli.error("export", "--analytics", str(tmp_path / "b.db"), "--after", "3")
    assert error["details"]["field"] == "analytics"
    done = cli.json("export", "--analytics", str(tmp_path / "c.db"), "--as-of", "2")
    assert done["tables"]["patterns"] == 1 and done["tables"]["executions"] == 1


def test_a_path_that_is_no_file_name_is_refused_in_words(tmp_path: Path) -> None:
    """The defects (an attack): '' and '/' said "PosixPath('.') has an empty name", a name
    over 255 bytes "[Errno 36]", both exit 1 without the field."""
    cli = Cli(tmp_path / "l.db")
    cli.json("init")
    for target in ("", "/", str(tmp_path / ("a" * 300 + ".db"))):
        error = cli.error("export", "--analytics", target)
        assert error["details"]["field"] == "analytics", target


def test_the_insights_table_holds_the_ledgers_insights(tmp_path: Path) -> None:
    with Ledger.open(tmp_path / "i.db") as led:
        for i in range(4):
            led.log_decision(f"e{i}", "golf", "email", "replied")
            led.log_decision(f"t{i}", "golf", "twitter", "replied")
        for i in range(3):
            led.record_outcome(f"e{i}", "sale", "success", revenue="100", customer_acquired=True)
        led.record_outcome("t0", "sale", "success", revenue="50", customer_acquired=True)
        insights = led.insights()
        export(led, tmp_path / "a.db")
    assert insights
    with sqlite3.connect(tmp_path / "a.db") as db:
        rows = db.execute("SELECT insight_type, title, data_points FROM insights").fetchall()
    assert rows == [(i["insight_type"], i["title"], i["data_points"]) for i in insights]
