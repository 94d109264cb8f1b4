"""When the world misbehaves — a full disk, a read-only or damaged file, tables edited by hand,
absurd input — every command answers with one clear line and exit 1 or 2, never a
traceback, and the ledger stays intact."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.test_output_files import run_with_file_limit
from tests.conftest import Cli, event_count

APPROVE = ["pattern", "approve", "p", "--estimated-time-seconds", "60", "--estimated-cost", "1"]
EXECUTION = ["record", "execution", "--pattern-id", "p", "--execution-time-seconds", "5",
             "--actual-cost", "0.01", "--success"]  # fmt: skip


def clean(result: object, codes: tuple[int, ...] = (1, 2)) -> str:
    """Exit code among `codes`, no traceback; the error text."""
    code = getattr(result, "exit_code", getattr(result, "returncode", None))
    out = getattr(result, "stdout", "") + getattr(result, "stderr", "")
    assert code in codes, (code, out)
    assert "Traceback" not in out, out
    return out


def test_a_full_disk_during_a_batch_keeps_whole_chunks_and_says_how_far_it_got(
    tmp_path: Path,
) -> None:
    """The defect: the real error was masked by 'cannot rollback - no transaction is active'."""
    cli = Cli(tmp_path / "roi-ledger.db")
    cli.json(*APPROVE)
    lines = [
        json.dumps(
            {
                "command": "execution",
                "pattern_id": "p",
                "execution_time_seconds": 1,
                "actual_cost": "0.01",
                "success": True,
                "error_message": "x" * 200,
                "idempotency_key": f"k{i}",
            }
        )
        for i in range(6000)
    ]
    (tmp_path / "many.jsonl").write_text("\n".join(lines) + "\n")
    run = run_with_file_limit(
        ["--db", "roi-ledger.db", "record", "batch", "many.jsonl", "--chunk-size", "500"],
        tmp_path,
        1_500_000,
    )
    text = clean(run, (1,))
    assert "full" in text and "recorded" in text and "run the same input again" in text
    recorded = event_count(cli.db) - 1
    assert recorded % 500 == 0 and 0 < recorded < 6000
    assert cli.json("verify", "--projections")["ok"]
    again = cli.json("record", "batch", str(tmp_path / "many.jsonl"))
    assert again["duplicates"] == recorded and again["accepted"] == 6000 - recorded
    assert event_count(cli.db) == 6001


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Cli]:
    """A ledger file nobody may write: chattr +i for root, who ignores permissions."""
    cli = Cli(tmp_path / "ro.db")
    cli.json(*APPROVE)
    path = tmp_path / "ro.db"
    path.chmod(0o444)
    immutable = os.geteuid() == 0 and shutil.which("chattr") is not None
    if immutable:
        subprocess.run(["chattr", "+i", str(path)], check=True)
    try:
        with pytest.raises(OSError):
            path.open("r+b").close()  # the file really cannot be written
        yield cli
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True)
        path.chmod(0o644)


def test_recording_into_a_read_only_ledger_is_refused_but_reading_works(read_only: Cli) -> None:
    """The defect: 'attempt to write a readonly database' as a traceback."""
    text = clean(read_only(*EXECUTION))
    assert "read-only" in text
    assert read_only.json("roi", "summary")[0]["pattern_id"] == "p"
    assert read_only.json("verify")["ok"]


def test_a_file_that_is_not_a_ledger_is_named(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database " * 50)
    for args in (["roi", "summary"], EXECUTION, ["verify"]):
        text = clean(Cli(path)(*args), (1,))
        assert "not a roi-ledger database" in text
    assert path.read_text().startswith("these are my notes")


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM projection_checkpoints",
        "DROP VIEW pattern_executions",
        "DELETE FROM pattern_roi_summary",
        "DROP TRIGGER events_refuse_delete; DELETE FROM events WHERE seq > 2",
        "DROP TABLE pattern_daily_stats",
        "UPDATE projection_checkpoints SET version = 99",
    ],
)
def test_recording_after_rows_were_deleted_by_hand_is_clean(cli: Cli, sql: str) -> None:
    cli.json(*APPROVE)
    cli.json(*EXECUTION)
    cli.json(*EXECUTION)
    with sqlite3.connect(cli.db) as conn:
        conn.executescript(sql)
    clean(cli(*EXECUTION), (0, 1, 2))
    clean(cli("roi", "summary"), (0, 1, 2))
    clean(cli("verify", "--projections"), (0, 1))


def test_summary_dates_at_the_calendar_ends_are_refused(cli: Cli) -> None:
    cli.json("init")
    for day in ("9999-12-31", "0001-01-01", "2026-02-30", "soon"):
        for weekly in ([], ["--weekly"]):
            text = clean(cli("decisions", "summary", "--date", day, *weekly), (2,))
            assert "date" in text


def test_score_on_deeply_nested_or_broken_json_is_one_line(cli: Cli, tmp_path: Path) -> None:
    cli.json("init")
    cases = {
        "deep.json": "[" * 100_000 + "]" * 100_000,
        "nan.json": '[{"type": "a", "source": "b", "score": NaN}]',
        "latin1.json": b"[]".decode() + "\n",
        "object.json": '{"type": "a"}',
        "ids.json": '[{"id": {"x": 1}, "type": "a", "source": "b"}]',
        "empty-id.json": '[{"id": "", "type": "a", "source": "b"}]',
    }
    for name, text in cases.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "latin1.json").write_bytes(b'[{"type": "caf\xe9", "source": "b"}]')
    before = event_count(cli.db)
    for name in cases:
        out = tmp_path / "scored.json"
        clean(cli("score", str(tmp_path / name), "--output", str(out)), (2,))
        assert not out.exists()
    assert event_count(cli.db) == before


def test_the_attacks_that_used_to_be_tracebacks_are_clean_refusals(cli: Cli) -> None:
    """Found by attacking the CLI: each of these was a Python traceback (exit 1)."""
    cli.json("init")
    empty = cli.json("digest")
    assert cli.json("verify", "--digest", f"{empty['seq']}:{empty['hash']}")["ok"]  # KeyError: 0
    cli.json(*APPROVE)
    refusals = [
        [*EXECUTION, "--executed-at", "9999-12-31T23:00:00-05:00"],  # OverflowError via UTC
        ["roi", "summary", "--as-of", "0001-01-01T00:00:00+01:00"],
        ["log", "--after", "99999999999999999999"],  # too large for SQLite
        ["export", "--after", "99999999999999999999"],
        ["roi", "report", "p", "--executions", "99999999999999999999"],
        ["roi", "summary", "--as-of", "²"],  # a digit to str.isdigit, not to int()
        ["roi", "summary", "--as-of", "-5"],
    ]
    for args in refusals:
        text = clean(cli(*args), (2,))
        assert "Error" in text, args


def test_a_batch_line_whose_time_leaves_the_calendar_costs_only_itself(
    cli: Cli, tmp_path: Path
) -> None:
    cli.json(*APPROVE)
    line = {"command": "execution", "pattern_id": "p", "execution_time_seconds": 1,
            "actual_cost": "0.01", "success": True}  # fmt: skip
    path = tmp_path / "b.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(x)
            for x in (line, {**line, "executed_at": "9999-12-31T23:00:00-05:00"}, line)
        )
        + "\n"
    )
    result = cli("record", "batch", str(path), "--json")
    text = clean(result, (2,))
    assert json.loads(result.stdout)["accepted"] == 2, text


def test_a_sqlite_database_that_is_not_a_ledger_is_refused_and_left_untouched(
    tmp_path: Path,
) -> None:
    """The defect: `verify` on an application's database answered 'Hash chain OK', added 11
    tables to it and switched it to WAL."""
    path = tmp_path / "app.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE users (id INTEGER)")
    before = path.read_bytes()
    for args in (["verify"], ["roi", "summary"], EXECUTION, ["init"]):
        text = clean(Cli(path)(*args), (2,))
        assert "not a roi-ledger ledger" in text and "users" in text
    assert path.read_bytes() == before
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_a_postgresql_password_is_never_printed(pg_url: str) -> None:
    from ledger.store import shown

    url = pg_url.replace("postgres@", "postgres:s3cretPW@")
    assert "s3cretPW" not in shown(url) and "***" in shown(url)
    assert "s3cretPW" not in shown(pg_url + "&password=s3cretPW")
    cli = Cli(url)
    result = cli("init", "--json")
    assert result.exit_code == 0, result.stderr
    assert "s3cretPW" not in result.stdout + result.stderr
    assert "s3cretPW" not in cli("demo", "--days", "1").stdout
    wrong = Cli(url.replace("127.0.0.1", "127.0.0.1:1"))("verify")
    assert "s3cretPW" not in wrong.stdout + wrong.stderr


def test_a_projection_that_cannot_catch_up_does_not_lock_out_verify_and_rebuild(
    cli: Cli,
) -> None:
    """Found by attacking the CLI: with one checkpoint a step behind, every command - even
    the `verify --projections` and `rebuild` its own error advised - failed the same way,
    because opening the ledger caught up first."""
    from ledger import Ledger

    cli.json(*APPROVE)
    cli.json(*EXECUTION)
    with Ledger.open(cli.db) as led:
        led.log_decision("d1", "golf", "email", "replied")
        led.record_outcome("d1", "reply", "success")
    with sqlite3.connect(cli.db) as conn:  # a step behind: its outcome would go in twice
        conn.execute(
            "UPDATE projection_checkpoints SET position = 3 WHERE name = 'decision_metrics'"
        )
    advice = clean(cli("roi", "summary"), (1,))
    assert "verify --projections" in advice and "rebuild" in advice
    clean(cli("verify", "--projections"), (0, 1))
    assert cli.json("rebuild")["events"] == 4
    assert cli.json("roi", "summary")[0]["total_executions"] == 1
    assert cli.json("verify", "--projections")["ok"]
