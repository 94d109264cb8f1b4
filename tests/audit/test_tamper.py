"""Tampering by someone with write access to the database, on both backends: a cut tail, its
seqs refilled, an edited past row version, rows whose columns hold the wrong type. Each must
fail `verify` (exit 1, naming the seq), refuse `rebuild`, and keep the alarm standing until
the log holds again what the ledger had seen."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ledger import Ledger
from ledger.errors import IntegrityError
from ledger.interfaces.http.app import create_app
from tests.conftest import BACKENDS, Cli, fresh_location

HEAD = 12


@pytest.fixture(params=BACKENDS)
def location(request: pytest.FixtureRequest) -> Iterator[str]:
    with fresh_location(request.param) as where:
        yield where


def tamper(location: str, *statements: str, fetch: str | None = None) -> list[Any]:
    """What an attacker with write access does: the guards off, then raw SQL. PostgreSQL's
    triggers are skipped with session_replication_role; SQLite's are dropped (the next open
    puts them back)."""
    if location.startswith("postgresql"):
        import psycopg

        with psycopg.connect(location, autocommit=True) as conn:
            conn.execute("SET session_replication_role = replica")
            rows = [tuple(r) for r in conn.execute(fetch).fetchall()] if fetch else []
            for statement in statements:
                conn.execute(statement)
        return rows
    with sqlite3.connect(location) as conn:
        conn.execute("DROP TRIGGER IF EXISTS events_refuse_update")
        conn.execute("DROP TRIGGER IF EXISTS events_refuse_delete")
        rows = [tuple(r) for r in conn.execute(fetch).fetchall()] if fetch else []
        for statement in statements:
            conn.execute(statement)
    return rows


def fill(location: str, runs: int = HEAD - 1) -> dict[str, Any]:
    """An approval and `runs` executions; the digest of the head."""
    with Ledger.open(location) as led:
        led.approve_pattern("p", "60", "0.015")
        for i in range(runs):
            led.record_execution("p", "45", "0.012", i % 4 != 3)
        return led.digest()


def append(location: str) -> dict[str, Any]:
    with Ledger.open(location) as led:
        return led.record_execution("p", "30", "0.01", True)


def verify(location: str) -> dict[str, Any]:
    with Ledger.open(location, catch_up=False) as led:
        return led.verify()


def cut(location: str, after: int) -> list[Any]:
    """Delete the events after seq `after`; the rows deleted, as they were."""
    return tamper(
        location,
        f"DELETE FROM events WHERE seq > {after}",
        fetch=f"SELECT * FROM events WHERE seq > {after} ORDER BY seq",
    )


def restore(location: str, rows: list[Any]) -> None:
    marks = ", ".join(["?" if not location.startswith("postgresql") else "%s"] * 11)
    if location.startswith("postgresql"):
        import psycopg

        with psycopg.connect(location, autocommit=True) as conn:
            conn.execute("SET session_replication_role = replica")
            conn.cursor().executemany(f"INSERT INTO events VALUES ({marks})", rows)
    else:
        with sqlite3.connect(location) as conn:
            conn.executemany(f"INSERT INTO events VALUES ({marks})", rows)


def test_a_cut_tail_fails_verify_and_rebuild_and_refuses_appends(location: str) -> None:
    """The defect: with the newest events deleted, `verify` and `rebuild` opened the ledger
    without asking what it remembered of its head, and both passed."""
    fill(location)
    cut(location, 8)
    result = verify(location)
    assert not result["ok"] and result["first_bad_seq"] == 9
    assert "ends at seq 8" in result["problem"] and "deleted" in result["problem"]
    cli = Cli(location)
    assert cli("verify").exit_code == 1
    error = cli.error("rebuild", code=1)
    assert error["details"]["first_bad_seq"] == 9 and "rebuild refused" in error["error"]
    refused = cli.error(
        "record", "execution", "--pattern-id", "p", "--execution-time-seconds", "5",
        "--actual-cost", "0.01", "--success", code=1,
    )  # fmt: skip
    assert "deleted" in refused["error"] and "seqs of deleted" in refused["error"]
    with Ledger.open(location, catch_up=False) as led:
        assert led.head().seq == 8  # nothing was appended onto the cut log
        assert led.service.alarm() is not None


def test_refilling_the_cut_seqs_never_clears_the_alarm(location: str) -> None:
    """The defect: once the alarm was up, appending until the deleted seqs existed again and
    running verify (even the open GET /api/ledger/verify) cleared it."""
    fill(location)
    cut(location, 8)
    assert not verify(location)["ok"]
    with Ledger.open(location, catch_up=False) as led:
        with pytest.raises(IntegrityError):
            led.rebuild()
        forced = led.rebuild(force=True)  # accept the log as it is: appends work again
        assert forced["cut"]["first_bad_seq"] == 9
    for _ in range(HEAD):  # past the seq the ledger had seen
        assert "warning" in append(location)
    for _ in range(2):
        result = verify(location)
        assert not result["ok"] and result["first_bad_seq"] == 9
        assert f"seq {HEAD}" in result["problem"] and "restore" in result["problem"]
    with TestClient(create_app(location), base_url="http://localhost") as client:
        answer = client.get("/api/ledger/verify")
        assert answer.status_code == 200 and answer.json()["ok"] is False
    assert not verify(location)["ok"]


def test_the_alarm_clears_once_the_log_holds_again_what_was_seen(location: str) -> None:
    fill(location)
    rows = cut(location, 8)
    assert not verify(location)["ok"]
    restore(location, rows)  # the deleted events, put back exactly (a restored backup)
    result = verify(location)
    assert result["ok"] and result["checked"] == HEAD
    with Ledger.open(location) as led:
        assert led.service.alarm() is None
        assert "warning" not in led.record_execution("p", "30", "0.01", True)


def test_a_cut_and_refilled_tail_is_caught_by_the_hash_the_ledger_recorded(
    location: str,
) -> None:
    """Events deleted and others chained in their place (here by forcing a rebuild and
    appending, then wiping the alarm and putting back the recorded head, as an attacker
    who writes rows by hand would leave it): the recorded head's hash differs."""
    digest = fill(location)
    cut(location, 8)
    with Ledger.open(location, catch_up=False) as led:
        led.rebuild(force=True)
        for _ in range(HEAD - 8):
            led.record_execution("p", "1", "0.5", False)
        assert led.head().seq == HEAD and led.head().hash != digest["hash"]
    tamper(
        location,
        "DELETE FROM integrity_alarm",
        f"UPDATE log_head SET hash = '{digest['hash']}'",
    )
    result = verify(location)
    assert not result["ok"] and result["first_bad_seq"] == HEAD
    assert "replaced" in result["problem"]
    assert Cli(location)("record", "outcome", "--decision-id", "x", "--outcome-type", "r",
                         "--status", "success").exit_code == 1  # fmt: skip


def test_an_edited_past_version_fails_verify_projections(location: str) -> None:
    """The defect: editing a superseded row version forged `--as-of` answers while
    `verify --projections` compared history only at the head, and said OK; when it did find
    a difference, the column labelled "rebuilt" showed the tampered value."""
    with Ledger.open(location) as led:
        led.approve_pattern("p", "60", "0.015")
        for _ in range(4):
            led.record_execution("p", "45", "0.012", True)
        truth = led.pattern_roi("p", as_of=3)["total_cost_saved_usd"]
    tamper(
        location,
        "UPDATE pattern_roi_summary__h SET total_cost_saved_usd = '999.99'"
        " WHERE pattern_id = 'p' AND seq_from = 3",
    )
    with Ledger.open(location) as led:
        assert str(led.pattern_roi("p", as_of=3)["total_cost_saved_usd"]) == "999.99"
        report = led.verify(projections=True)
    assert not report["ok"]
    (difference,) = report["projections"]["differences"]
    assert difference == {
        "table": "pattern_roi_summary history",
        "key": ["p", 3],
        "column": "total_cost_saved_usd",
        "live": "999.99",
        "rebuilt": str(truth),
    }


def test_verify_projections_proves_versions_made_every_way(location: str) -> None:
    """No false alarm: versions made by single appends, a batch in units, a retraction, a
    rebuild of one projection and more appends after it all equal a replay's."""
    from ledger.app.batch import run_batch
    from ledger.app.batch_lines import parse_line

    with Ledger.open(location) as led:
        led.approve_pattern("p", "60", "0.015")
        lines = [
            f'{{"command": "execution", "pattern_id": "p", "execution_time_seconds": {i % 50},'
            f' "actual_cost": 0.01, "success": {"true" if i % 3 else "false"}}}'
            for i in range(600)
        ]
        run_batch(led.service, ((n, parse_line(n, line)) for n, line in enumerate(lines, 1)))
        led.retract(5, "typo")
        led.log_decision("d1", "consulting", "email", "call")
        led.rebuild(["pattern_roi_summary"])
        led.record_execution("p", "45", "0.012", True)
        led.record_outcome("d1", "reply", "success", response_received=True)
        report = led.verify(projections=True)
    assert report["ok"], report["projections"]["differences"][:3]


def test_forged_history_units_are_reported(location: str) -> None:
    """Units decide where versions begin: one the projector never makes is named, and one
    that looks right but was not the live ledger's shows in the versions it implies."""
    fill(location)
    tamper(
        location,
        "INSERT INTO history_units (projection, start_seq, end_seq) VALUES"
        " ('pattern_roi_summary', 9, 3)",
    )
    with Ledger.open(location) as led:
        report = led.verify(projections=True)
    assert not report["ok"]
    assert report["projections"]["differences"][0]["table"] == "history_units"
    tamper(
        location,
        "DELETE FROM history_units",
        "INSERT INTO history_units (projection, start_seq, end_seq) VALUES"
        " ('pattern_roi_summary', 3, 7)",
    )
    with Ledger.open(location) as led:
        report = led.verify(projections=True)
    assert not report["ok"]
    tables = {d["table"] for d in report["projections"]["differences"]}
    assert tables == {"pattern_roi_summary history"}


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE events SET payload = CAST(payload AS BLOB) WHERE seq = 5",
        "UPDATE events SET payload = CAST(X'7B22FF1B5B33316D' AS TEXT) WHERE seq = 5",
        "UPDATE events SET hash = CAST(hash AS BLOB) WHERE seq = 5",
        "UPDATE events SET stream_version = 'five' WHERE seq = 5",
    ],
    ids=["blob-payload", "not-utf8", "blob-hash", "text-version"],
)
def test_a_column_of_the_wrong_type_is_an_altered_row(
    db_path: Any, tmp_path: Any, change: str
) -> None:
    """The defect: a payload stored as a BLOB crashed verify, rebuild and export with a
    traceback (GET /api/ledger/verify answered 500) and raised no alarm; text that was not
    UTF-8 failed with "Could not decode to UTF-8" and no seq, echoing the raw bytes."""
    fill(str(db_path))
    tamper(str(db_path), change)
    cli = Cli(db_path)
    for args in (("verify",), ("verify", "--projections")):
        result = cli(*args)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "seq 5: contents do not match its hash" in result.stdout
        assert "\x1b" not in result.output and "\ufffd" not in result.output
    assert cli.json("verify", code=1)["first_bad_seq"] == 5
    error = cli.error("rebuild", code=1)
    assert error["details"]["first_bad_seq"] == 5
    exported = tmp_path / "out.jsonl"
    error = cli.error("export", "--output", str(exported), code=1)
    assert "seq 5: contents do not match its hash" in error["error"]
    assert not exported.exists()
    for args in (("log",), ("history", "pattern:p")):
        result = cli(*args)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "seq 5" in result.output and "\ufffd" not in result.output
    with Ledger.open(db_path, catch_up=False) as led:
        alarm = led.service.alarm()
        assert alarm is not None and alarm["first_bad_seq"] == 5
    with TestClient(create_app(str(db_path)), base_url="http://localhost") as client:
        answer = client.get("/api/ledger/verify")
        assert answer.status_code == 200 and answer.json()["first_bad_seq"] == 5


def test_a_postgresql_column_retyped_to_bytes_is_an_altered_row() -> None:
    """PostgreSQL keeps each column's type, but one with write access can change it."""
    from tests.conftest import PG_URL, pg_schema_url

    if not PG_URL:
        pytest.skip("ROI_LEDGER_TEST_PG_URL is not set: no PostgreSQL server")
    for url in pg_schema_url(PG_URL):
        fill(url)
        tamper(
            url,
            "DROP VIEW pattern_executions",  # PostgreSQL will not retype a column a view or
            "DROP INDEX events_retracted_seqs",  # an index expression reads: the attacker
            "ALTER TABLE events ALTER COLUMN payload TYPE bytea USING convert_to(payload, 'UTF8')",
        )  # drops them first
        result = verify(url)
        assert not result["ok"] and result["first_bad_seq"] == 1
        assert "contents do not match its hash" in result["problem"]


def test_history_seq_columns_and_checkpoints_all_remember_the_head(location: str) -> None:
    """Whichever record of the head survives the attacker, verify finds the cut: with the
    recorded head, the checkpoints and the versions' clock and units rewritten, the
    totals' row versions. (The executions are read from the log itself since issue 23, so
    they are no record of it.) Only rewriting every record escapes (docs/RELIABILITY.md)."""
    fill(location)
    cut(location, 8)
    tamper(
        location,
        "DELETE FROM log_head",
        "UPDATE projection_checkpoints SET position = 8",
        "UPDATE history_clock SET seq = 8",
        "DELETE FROM history_units WHERE end_seq > 8",
    )
    result = verify(location)
    assert result["first_bad_seq"] == 9 and "row versions of" in result["problem"]
