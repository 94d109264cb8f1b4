"""The CLI over the ledger core: exit codes, --json shapes, refusals that write nothing."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Cli, event_count

APPROVE = ["pattern", "approve", "p", "--estimated-time-seconds", "60", "--estimated-cost", "0.015"]


def execution(*extra: str) -> list[str]:
    return [
        "record",
        "execution",
        "--pattern-id",
        "p",
        "--execution-time-seconds",
        "45.2",
        "--actual-cost",
        "0.012",
        "--success",
        *extra,
    ]


def test_approve_record_and_read_the_roi(cli: Cli) -> None:
    approved = cli.json(*APPROVE)
    assert approved == {**approved, "seq": 1, "stream_id": "pattern:p", "duplicate": False}
    recorded = cli.json(*execution("--workflow-id", "123", "--executed-at", "2024-12-08T12:00:00Z"))
    assert recorded["execution_id"] == 2 and recorded["pattern_id"] == "p"
    assert recorded["message"] == "Execution recorded successfully"
    assert recorded["occurred_at"] == "2024-12-08T12:00:00.000000Z"
    roi = cli.json("roi", "pattern", "p")
    assert roi["total_executions"] == 1
    assert roi["total_cost_saved_usd"] == pytest.approx(0.003)
    assert roi["roi_percentage"] == 25.0
    for key in ("status", "confidence", "effectiveness_rating", "success_rate_interval"):
        assert key in roi
    summary = cli.json("roi", "summary")
    assert [row["pattern_id"] for row in summary] == ["p"]


def test_idempotent_retry_from_the_shell(cli: Cli) -> None:
    cli.json(*APPROVE)
    first = cli.json(*execution("--idempotency-key", "wf-1"))
    second = cli.json(*execution("--idempotency-key", "wf-1"))
    assert second["duplicate"] is True and second["seq"] == first["seq"]
    assert event_count(cli.db) == 2


REFUSALS = [
    (
        [
            "record",
            "execution",
            "--pattern-id",
            "nope",
            "--execution-time-seconds",
            "1",
            "--actual-cost",
            "1",
            "--success",
        ],
        "pattern_id",
    ),
    ([*execution()[:-1], "--failure", "--executed-at", "someday"], "executed_at"),
    (
        [
            "record",
            "execution",
            "--pattern-id",
            "p",
            "--execution-time-seconds",
            "-3",
            "--actual-cost",
            "1",
            "--success",
        ],
        "execution_time_seconds",
    ),
    (
        [
            "record",
            "execution",
            "--pattern-id",
            "p",
            "--execution-time-seconds",
            "1",
            "--actual-cost",
            "inf",
            "--success",
        ],
        "actual_cost",
    ),
    (
        [
            "record",
            "execution",
            "--pattern-id",
            "p",
            "--execution-time-seconds",
            "1",
            "--actual-cost",
            "1",
            "--success",
            "--estimated-cost",
            "-1",
        ],
        "estimated_cost",
    ),
    (APPROVE, "pattern_id"),  # already approved
    (
        ["pattern", "approve", "q", "--estimated-time-seconds", "x", "--estimated-cost", "1"],
        "estimated_time_seconds",
    ),
    (
        [
            "pattern",
            "approve",
            "q",
            "--estimated-time-seconds",
            "1",
            "--estimated-cost",
            "1",
            "--confidence",
            "1.5",
        ],
        "confidence",
    ),
    (["pattern", "revise", "p"], "estimated_time_seconds"),
    (["pattern", "revise", "ghost", "--estimated-cost", "1"], "pattern_id"),
    (["pattern", "revoke", "ghost", "--reason", "x"], "pattern_id"),
    (["retract", "99", "--reason", "x"], "target_seq"),
    (execution("--expected-version", "7"), "expected_version"),
]


@pytest.mark.parametrize(("args", "field"), REFUSALS)
def test_every_refusal_exits_2_names_the_field_and_writes_nothing(
    cli: Cli, args: list[str], field: str
) -> None:
    cli.json(*APPROVE)
    before = event_count(cli.db)
    error = cli.error(*args)
    assert field in json.dumps(error)
    assert event_count(cli.db) == before
    plain = cli(*args)
    assert plain.exit_code == 2 and field in plain.stderr


def test_revoked_pattern_refuses_executions(cli: Cli) -> None:
    cli.json(*APPROVE)
    cli.json("pattern", "revoke", "p", "--reason", "flaky")
    error = cli.error(*execution())
    assert "revoked (flaky)" in error["error"]
    assert [p["status"] for p in cli.json("pattern", "list")] == ["revoked"]


def test_reading_a_missing_ledger_is_an_input_error_not_a_new_file(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "typo.db")
    error = cli.error("roi", "summary")
    assert "no ledger at" in error["error"] and error["details"]["field"] == "db"
    assert not (tmp_path / "typo.db").exists()


def test_log_history_digest_and_verify(cli: Cli) -> None:
    cli.json(*APPROVE)
    for _ in range(3):
        cli.json(*execution())
    tail = cli.json("log", "--limit", "2")
    assert [e["seq"] for e in tail] == [3, 4]
    assert set(tail[0]) >= {
        "seq",
        "stream_id",
        "stream_version",
        "event_type",
        "schema_version",
        "occurred_at",
        "recorded_at",
        "payload",
        "hash",
    }
    assert [e["seq"] for e in cli.json("log", "--after", "1", "--limit", "2")] == [2, 3]
    assert len(cli.json("log", "--type", "PatternApproved")) == 1
    assert [e["stream_version"] for e in cli.json("history", "pattern:p")] == [1, 2, 3, 4]
    digest = cli.json("digest")
    plain = cli("digest")
    assert plain.stdout.strip() == f"{digest['seq']}:{digest['hash']}"
    assert cli.json("verify")["ok"] is True
    assert cli.json("verify", "--projections")["projections"]["ok"] is True
    assert cli.json("verify", "--digest", plain.stdout.strip())["digest_ok"] is True
    assert cli.error("verify", "--digest", "nonsense")["details"]["field"] == "digest"


def test_verify_exits_1_naming_the_tampered_seq(cli: Cli) -> None:
    cli.json(*APPROVE)
    cli.json(*execution())
    kept = cli("digest").stdout.strip()
    with sqlite3.connect(cli.db) as conn:
        conn.execute("DROP TRIGGER events_refuse_update")
        conn.execute("UPDATE events SET occurred_at = '2020-01-01T00:00:00.000000Z' WHERE seq = 2")
    result = cli("verify")
    assert result.exit_code == 1 and "First bad seq: 2" in result.stdout
    assert cli.json("verify", code=1)["first_bad_seq"] == 2
    assert cli("verify", "--digest", kept).exit_code == 1


def test_verify_projections_reports_a_drifted_row(cli: Cli) -> None:
    cli.json(*APPROVE)
    cli.json(*execution())
    with sqlite3.connect(cli.db) as conn:
        conn.execute("UPDATE pattern_roi_summary SET total_executions = 99")
    report = cli.json("verify", "--projections", code=1)
    # the edit reached the row and, through its history trigger, the row's current version
    table, version = report["projections"]["differences"]
    assert table == {
        **table,
        "table": "pattern_roi_summary",
        "column": "total_executions",
        "live": 99,
        "rebuilt": 1,
    }
    assert version == {**table, "table": "pattern_roi_summary history", "key": ["p", 2]}
    rebuilt = cli.json("rebuild", "--projection", "pattern_roi_summary")
    assert rebuilt["projections"] == ["pattern_roi_summary"]
    assert cli.json("verify", "--projections")["ok"] is True
    assert cli.error("rebuild", "--projection", "nope")["details"]["field"] == "projection"


def test_as_of_on_read_commands(cli: Cli) -> None:
    cli.json(*APPROVE)
    cli.json(*execution())
    cli.json(*execution())
    assert cli.json("roi", "pattern", "p", "--as-of", "2")["total_executions"] == 1
    assert cli.json("roi", "summary", "--as-of", "3")[0]["total_executions"] == 2
    assert cli.json("pattern", "list", "--as-of", "0") == []
    assert cli.error("roi", "pattern", "p", "--as-of", "0")["details"]["field"] == "pattern_id"


def test_log_reads_answer_as_of_a_past_point_what_they_answered_then(
    cli: Cli, tmp_path: Path
) -> None:
    cli.json(*APPROVE)
    cli.json(*execution())
    cli.json(*execution())
    then = {
        "log": cli.json("log"),
        "history": cli.json("history", "pattern:p"),
        "digest": cli.json("digest"),
        "tail": cli.json("log", "--limit", "2"),
        "after": cli.json("log", "--after", "1"),
    }
    stamp = then["log"][-1]["recorded_at"]
    then_export = tmp_path / "then.jsonl"
    cli.json("export", "--output", str(then_export))
    cli.json(*execution())
    cli.json("retract", "4", "--reason", "late test")
    for as_of in ("3", stamp):
        assert cli.json("log", "--as-of", as_of) == then["log"]
        assert cli.json("history", "pattern:p", "--as-of", as_of) == then["history"]
        assert cli.json("digest", "--as-of", as_of) == then["digest"]
        assert cli.json("log", "--limit", "2", "--as-of", as_of) == then["tail"]
        assert cli.json("log", "--after", "1", "--as-of", as_of) == then["after"]
    assert len(cli.json("log")) == 5
    past_export = tmp_path / "past.jsonl"
    assert cli.json("export", "--as-of", "3", "--output", str(past_export))["exported"] == 3
    assert past_export.read_text() == then_export.read_text()
    for command in (["log"], ["export"], ["history", "pattern:p"]):
        error = cli.error(*command, "--as-of", "99")
        assert error["details"]["field"] == "as_of"
        assert "beyond the head" in error["error"]


def test_retract_export_import_backup(cli: Cli, tmp_path: Path) -> None:
    cli.json(*APPROVE)
    cli.json(*execution())
    cli.json("retract", "2", "--reason", "test run")
    assert cli.json("roi", "pattern", "p")["total_executions"] == 0
    out = tmp_path / "log.jsonl"
    assert cli.json("export", "--output", str(out))["exported"] == 3
    copy = Cli(tmp_path / "copy.db")
    assert copy.json("import", str(out))["hash"] == cli.json("digest")["hash"]
    backup = tmp_path / "backup.db"
    cli.json("backup", str(backup))
    assert Cli(backup).json("digest") == cli.json("digest")
    assert cli.error("backup", str(backup))["details"]["field"] == "file"


def test_db_env_var_and_python_dash_m(tmp_path: Path) -> None:
    env = {**os.environ, "ROI_LEDGER_DB": str(tmp_path / "env.db")}
    run = subprocess.run(
        [sys.executable, "-m", "ledger", "init", "--json"], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["db"] == str(tmp_path / "env.db")


def test_usage_errors_are_json_with_json(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "ledger",
            "--db",
            str(tmp_path / "x.db"),
            "record",
            "execution",
            "--json",
        ],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert "--pattern-id" in json.loads(run.stderr)["error"]


def test_a_bad_timestamp_error_shows_the_expected_form(cli: Cli) -> None:
    cli.json(*APPROVE)
    error = cli.error(*execution("--executed-at", "last tuesday"))
    assert "executed_at" in error["error"] and "ISO-8601" in error["error"]


def test_the_tail_of_a_filtered_log_decodes_only_what_it_shows(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by attacking the CLI: `log --stream S --limit 2` decoded every event of S
    before keeping two (5 s and 570 MB on a 200k-event ledger). Count decodes, not seconds."""
    import ledger.store.eventlog as eventlog

    cli.json(*APPROVE)
    lines = "\n".join(
        json.dumps({"command": "execution", "pattern_id": "p", "execution_time_seconds": 1,
                    "actual_cost": "0.01", "success": True, "workflow_id": n})
        for n in range(500)
    )  # fmt: skip
    cli("record", "batch", "-", input=lines + "\n")
    decoded = 0
    original = eventlog.decode_row

    def counting(row: object) -> object:
        nonlocal decoded
        decoded += 1
        return original(row)  # type: ignore[arg-type]

    monkeypatch.setattr(eventlog, "decode_row", counting)
    shown = cli.json("log", "--stream", "pattern:p", "--limit", "2")
    assert [e["payload"]["workflow_id"] for e in shown] == [498, 499]
    assert decoded == 2
    typed = cli.json("log", "--type", "PatternApproved", "--limit", "1")
    assert [e["seq"] for e in typed] == [1]
