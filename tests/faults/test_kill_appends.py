"""Fault injection into single appends (one `record execution` after another): SIGKILL at
seeded random points, then check the ledger and finish the run (see tests/faults/support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli, event_count
from tests.faults.support import (
    FAST,
    SLOW,
    Faults,
    at,
    check_ledger,
    cli_json,
    log_rows,
    should_kill,
    summary,
)


# -- 1. single appends ----------------------------------------------------------------------
def single_plan(count: int) -> list[list[str]]:
    """An approval, then decisions, executions and outcomes in turn, each with its key and
    its time given (so a retry is the very same command)."""
    plan = [
        ["pattern", "approve", "p", "--estimated-time-seconds", "60", "--estimated-cost",
         "0.015", "--approved-at", at(0), "--idempotency-key", "single-0"],
    ]  # fmt: skip
    while len(plan) < count:
        i = len(plan)
        key = ["--idempotency-key", f"single-{i}"]
        decision = f"d{(i - 1) // 3}"
        step = (i - 1) % 3
        if step == 0:
            plan.append(
                ["record", "decision", "--decision-id", decision, "--type", "consulting",
                 "--source", "email", "--action", "replied", "--score", "70",
                 "--decided-at", at(i), *key]
            )  # fmt: skip
        elif step == 1:
            plan.append(
                ["record", "execution", "--pattern-id", "p", "--execution-time-seconds", "41.5",
                 "--actual-cost", "0.011", "--success", "--workflow-id", str(i),
                 "--executed-at", at(i), *key]
            )  # fmt: skip
        else:
            plan.append(
                ["record", "outcome", "--decision-id", decision, "--outcome-type", "conversion",
                 "--status", "success", "--revenue", "125.50", "--customer-acquired",
                 "--occurred-at", at(i), *key]
            )  # fmt: skip
    return plan


def single_appends(faults: Faults, startup: float, tmp_path: Path, target: int, size: int) -> None:
    plan = single_plan(size)
    clean_db = tmp_path / "single-clean.db"
    took, _ = faults.run(clean_db, *plan[0], "--json")  # the slowest: it creates the schema
    clean = Cli(clean_db)
    for cmd in plan[1:]:
        assert cli_json(clean, faults, *cmd)["duplicate"] is False
    expected = log_rows(clean_db)
    assert len(expected) == len(plan)
    # a single append's own work is a few milliseconds at the very end of its process: aim
    # at the whole run, tail included (a kill that comes too late just finds it finished)
    delays = (0.8 * startup, 1.1 * took)

    for cycle in range(4 * target):
        if faults.kills >= target:
            break
        db = tmp_path / f"single-{cycle}.db"
        cli = Cli(db)
        for i, cmd in enumerate(plan):
            assert event_count(db) == i, faults.why(f"cycle {cycle}: before command {i}")
            committed = None
            if should_kill(faults, target, len(plan) - i) and faults.kill(
                db, [*cmd, "--json"], delays
            ):
                what = f"SIGKILL of single append {i} ({cmd[1]}) in cycle {cycle}"
                check_ledger(db, faults, what)
                stored = event_count(db)
                assert stored in (i, i + 1), faults.why(f"{what}: {stored} events (half-applied?)")
                committed = stored == i + 1
                faults.landed["after its commit" if committed else "before its commit"] += 1
            # the retry with the same key (or, when not killed, the command itself)
            answer = cli_json(cli, faults, *cmd)
            if committed is not None:
                assert answer["duplicate"] is committed, faults.why(f"retry of {i}: {answer}")
            assert answer["seq"] == i + 1, faults.why(f"cycle {cycle}: command {i}: {answer}")
            assert event_count(db) == i + 1, faults.why(f"cycle {cycle}: after command {i}")
        # the whole loop once more, as a client that lost every answer would: nothing new
        for cmd in plan:
            assert cli_json(cli, faults, *cmd)["duplicate"] is True
        assert log_rows(db) == expected, faults.why(f"cycle {cycle}: log differs from a clean run")
        check_ledger(db, faults, f"cycle {cycle} completed")
    summary(faults, "single appends")
    assert faults.kills >= target, faults.why(f"only {faults.kills} of {target} kills landed")


def test_sigkill_then_rerun_leaves_a_sound_ledger(
    faults: Faults, startup: float, tmp_path: Path
) -> None:
    """A kill or two: quick enough for every CI run."""
    single_appends(faults, startup, tmp_path, FAST["single"], size=4)


@pytest.mark.slow
def test_sigkill_loop_torture(faults: Faults, startup: float, tmp_path: Path) -> None:
    """Many kills, over fresh and half-done runs alike."""
    single_appends(faults, startup, tmp_path, SLOW["single"], size=16)
