"""Real processes: concurrent appenders through the CLI, and a batch killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ledger import Ledger
from ledger.app.batch_lines import parse_line
from ledger.audit.chain import verify_chain
from tests.conftest import event_count

CLI = [sys.executable, "-m", "ledger"]


def run_cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, "--db", str(db), *args], capture_output=True, text=True)


def write_batch(path: Path, patterns: int, executions: int, key_prefix: str = "k") -> int:
    with path.open("w") as handle:
        for p in range(patterns):
            handle.write(
                json.dumps(
                    {
                        "command": "approve",
                        "pattern_id": f"p{p}",
                        "estimated_time_seconds": 60,
                        "estimated_cost": 0.015,
                        "idempotency_key": f"{key_prefix}-approve-{p}",
                    }
                )
                + "\n"
            )
        for i in range(executions):
            handle.write(
                json.dumps(
                    {
                        "command": "execution",
                        "pattern_id": f"p{i % patterns}",
                        "execution_time_seconds": 45.2,
                        "actual_cost": 0.012,
                        "success": i % 10 != 0,
                        "idempotency_key": f"{key_prefix}-{i}",
                    }
                )
                + "\n"
            )
    return patterns + executions


def test_four_shell_processes_appending_at_once_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    assert (
        run_cli(
            db,
            "pattern",
            "approve",
            "p",
            "--estimated-time-seconds",
            "60",
            "--estimated-cost",
            "0.015",
        ).returncode
        == 0
    )
    per_worker = 6
    script = "; ".join(
        f"{' '.join(CLI)} --db {db} record execution --pattern-id p "
        f"--execution-time-seconds 45 --actual-cost 0.01 --success --workflow-id {{w}} || exit 1"
        for _ in range(per_worker)
    )
    workers = [
        subprocess.Popen(
            ["sh", "-c", script.format(w=w)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(4)
    ]
    # and four concurrent batches, one transaction per line, for sustained contention
    batches = []
    for w in range(4):
        path = tmp_path / f"b{w}.jsonl"
        path.write_text(
            "".join(
                json.dumps(
                    {
                        "command": "execution",
                        "pattern_id": "p",
                        "execution_time_seconds": 1,
                        "actual_cost": 0.01,
                        "success": True,
                    }
                )
                + "\n"
                for _ in range(150)
            )
        )
        batches.append(
            subprocess.Popen(
                [*CLI, "--db", str(db), "record", "batch", str(path), "--chunk-size", "1"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    for proc in workers + batches:
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        assert "locked" not in err.lower()
    assert event_count(db) == 1 + 4 * per_worker + 4 * 150
    with Ledger.open(db) as led:
        assert verify_chain(led.service)["ok"]  # seq gap-free and chained
        assert led.pattern_roi("p")["total_executions"] == 4 * per_worker + 4 * 150
        assert led.verify(projections=True)["projections"]["ok"]


def test_record_batch_reports_bad_lines_and_skips_them(tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    lines = [
        {
            "command": "approve",
            "pattern_id": "p",
            "estimated_time_seconds": 60,
            "estimated_cost": 0.015,
        },
        {
            "command": "execution",
            "pattern_id": "p",
            "execution_time_seconds": 1,
            "actual_cost": -1,
            "success": True,
        },
        {
            "command": "execution",
            "pattern_id": "ghost",
            "execution_time_seconds": 1,
            "actual_cost": 1,
            "success": True,
        },
        {"command": "launch", "pattern_id": "p"},
        {
            "command": "execution",
            "pattern_id": "p",
            "execution_time_seconds": 1,
            "actual_cost": 0.01,
            "success": True,
        },
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    run = run_cli(db, "record", "batch", str(path), "--json")
    assert run.returncode == 2
    out = json.loads(run.stdout)
    assert (out["accepted"], out["rejected"]) == (2, 4)
    assert [e["line"] for e in out["errors"]] == [2, 3, 4, 6]
    assert "actual_cost" in out["errors"][0]["error"]
    assert out["errors"][1]["field"] == "pattern_id"
    assert "command" in out["errors"][2]["error"]
    assert event_count(db) == 2


def test_sigkill_midway_leaves_a_clean_prefix_and_a_rerun_completes(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    path = tmp_path / "big.jsonl"
    total = write_batch(path, patterns=5, executions=30_000)
    proc = subprocess.Popen(
        [*CLI, "--db", str(db), "record", "batch", str(path), "--chunk-size", "500"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if event_count(db) > 2000:
                break
        except Exception:  # the file may be mid-creation
            pass
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stored = event_count(db)
    assert 0 < stored < total, "kill landed before or after the batch; test proves nothing"
    assert stored % 500 == 0, "a chunk was half-applied"
    with Ledger.open(db) as led:
        assert verify_chain(led.service)["ok"]
        assert led.verify(projections=True)["projections"]["ok"]
    rerun = run_cli(db, "record", "batch", str(path), "--json")
    assert rerun.returncode == 0, rerun.stderr
    result = json.loads(rerun.stdout)
    assert result["duplicates"] == stored and result["accepted"] == total - stored
    with Ledger.open(db) as led:
        assert verify_chain(led.service)["checked"] == total
        assert sum(r["total_executions"] for r in led.roi_summary()) == 30_000
        assert led.verify(projections=True)["projections"]["ok"]


@pytest.mark.slow
def test_sigkill_repeatedly_then_complete(tmp_path: Path) -> None:
    """Torture: kill the same batch several times at random points, then finish it."""
    import random

    db = tmp_path / "t.db"
    path = tmp_path / "big.jsonl"
    total = write_batch(path, patterns=20, executions=200_000)
    for _ in range(5):
        proc = subprocess.Popen(
            [*CLI, "--db", str(db), "record", "batch", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(random.uniform(0.5, 3))
        proc.kill()
        proc.wait()
        with Ledger.open(db) as led:
            assert verify_chain(led.service)["ok"]
    assert run_cli(db, "record", "batch", str(path)).returncode == 0
    with Ledger.open(db) as led:
        assert verify_chain(led.service)["checked"] == total
        assert led.verify(projections=True)["projections"]["ok"]


def test_a_reader_never_sees_a_half_rebuilt_projection(tmp_path: Path) -> None:
    """Found by attacking the Python API: while another process rebuilt, a long-lived
    reader saw empty or partial tables (NotFoundError, totals of 49,999 of 200,000)."""
    db = tmp_path / "r.db"
    with Ledger.open(db) as led:
        led.approve_pattern("p", 60, "0.05")
        lines = (
            (
                n,
                parse_line(
                    n,
                    json.dumps(
                        {
                            "command": "execution",
                            "pattern_id": "p",
                            "execution_time_seconds": 1,
                            "actual_cost": "0.01",
                            "success": True,
                        }
                    ),
                ),
            )
            for n in range(1, 30_001)
        )
        led.execute_batch(lines)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    rebuilder = subprocess.Popen(
        [sys.executable, "-c",
         "import subprocess, sys\n"
         "for _ in range(3):\n"
         f"    subprocess.run([sys.executable, '-m', 'ledger', '--db', {str(db)!r}, 'rebuild'],"
         " check=True, capture_output=True)"],
        env=env,
    )  # fmt: skip
    seen: set[object] = set()
    with Ledger.open(db) as reader:
        while rebuilder.poll() is None:
            try:
                seen.add(reader.pattern_roi("p")["total_executions"])
            except Exception as exc:  # any failure to read is the defect
                seen.add(type(exc).__name__)
    assert rebuilder.wait() == 0
    assert seen == {30_000}, seen
