"""Fault injection into `rebuild`: SIGKILL at seeded random points, then check the
ledger and finish the run (tests/faults/support.py says what is checked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger import Ledger
from tests.conftest import Cli, dump_projections
from tests.faults.support import (
    FAST,
    SLOW,
    Faults,
    behind,
    chain,
    check_ledger,
    cli_json,
    summary,
    timed,
    window,
    write_lines,
)


def rebuild(faults: Faults, startup: float, tmp_path: Path, target: int, events: int) -> None:
    path = tmp_path / "rebuild.jsonl"
    write_lines(path, events, "r")
    db = tmp_path / "rebuild.db"
    cli = Cli(db)
    assert cli_json(cli, faults, "record", "batch", str(path))["accepted"] == events
    took, done = timed(cli, faults, "rebuild")
    assert done["events"] == events
    with Ledger.open(db) as led:
        projections = dump_projections(led)
    log = chain(db)
    delays = window(startup, took)

    for attempt in range(4 * target):
        if faults.kills >= target:
            break
        if not faults.kill(db, ["rebuild", "--json"], delays):
            faults.landed["finished first"] += 1
            continue
        what = f"SIGKILL {attempt + 1} of rebuild"
        faults.landed["projections behind the log" if behind(db) else "projections whole"] += 1
        check_ledger(db, faults, what)
        assert chain(db) == log, faults.why(f"{what}: the log changed")
        with Ledger.open(db) as led:
            assert dump_projections(led) == projections, faults.why(f"{what}: projections")
    out = cli_json(cli, faults, "rebuild")
    assert out["events"] == events and out["chain"]["ok"], faults.why(str(out))
    assert chain(db) == log
    check_ledger(db, faults, "rebuild completed")
    summary(faults, "rebuild")
    assert faults.kills >= target, faults.why(f"only {faults.kills} of {target} kills landed")


def test_sigkill_then_rerun_leaves_a_sound_ledger(
    faults: Faults, startup: float, tmp_path: Path
) -> None:
    """A kill or two: quick enough for every CI run."""
    rebuild(faults, startup, tmp_path, FAST["rebuild"], events=3000)


@pytest.mark.slow
def test_sigkill_loop_torture(faults: Faults, startup: float, tmp_path: Path) -> None:
    """Many kills, over fresh and half-done runs alike."""
    rebuild(faults, startup, tmp_path, SLOW["rebuild"], events=15_000)
