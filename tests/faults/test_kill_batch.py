"""Fault injection into `record batch`: SIGKILL at seeded random points, then check the
ledger and finish the run (tests/faults/support.py says what is checked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli, event_count
from tests.faults.support import (
    FAST,
    SLOW,
    Faults,
    check_ledger,
    cli_json,
    log_rows,
    summary,
    timed,
    window,
    write_lines,
)


def record_batch(
    faults: Faults, startup: float, tmp_path: Path, target: int, lines: int, chunk: int
) -> None:
    path = tmp_path / "batch.jsonl"
    keys = write_lines(path, lines, "b")
    args = ["record", "batch", str(path), "--chunk-size", str(chunk), "--json"]
    clean_db = tmp_path / "batch-clean.db"
    took, done = timed(Cli(clean_db), faults, *args[:-1])
    assert done["accepted"] == lines
    expected = log_rows(clean_db)
    assert [r[4] for r in expected] == keys
    per_cycle = min(3, target)

    for cycle in range(4 * target):
        if faults.kills >= target:
            break
        db = tmp_path / f"batch-{cycle}.db"
        for attempt in range(per_cycle):
            left = max(1 - event_count(db) / lines, 0.3)  # a rerun skips duplicates quickly
            if faults.kills >= target or not faults.kill(db, args, window(startup, took, left)):
                break
            what = f"SIGKILL {attempt + 1} of record batch in cycle {cycle}"
            check_ledger(db, faults, what)
            stored = log_rows(db)
            # a clean prefix: exactly the first lines of the file, as a clean run stored them
            assert stored == expected[: len(stored)], faults.why(f"{what}: not a clean prefix")
            # whole chunks: lines commit `chunk` at a time, counted from the file's start
            assert len(stored) % chunk == 0 or len(stored) == lines, faults.why(
                f"{what}: {len(stored)} events, not whole chunks of {chunk}"
            )
            faults.landed[
                "midway" if 0 < len(stored) < lines else "before any" if not stored else "after all"
            ] += 1
        before = len(log_rows(db))
        out = cli_json(Cli(db), faults, *args[:-1])
        assert (out["accepted"], out["duplicates"], out["rejected"]) == (
            lines - before,
            before,
            0,
        ), faults.why(f"cycle {cycle}: rerun after {before} stored: {out}")
        assert log_rows(db) == expected, faults.why(f"cycle {cycle}: log differs from a clean run")
        again = cli_json(Cli(db), faults, *args[:-1])
        assert (again["accepted"], again["duplicates"]) == (0, lines), faults.why(str(again))
        assert event_count(db) == lines
        check_ledger(db, faults, f"cycle {cycle} completed")
    summary(faults, "record batch")
    assert faults.kills >= target, faults.why(f"only {faults.kills} of {target} kills landed")


def test_sigkill_then_rerun_leaves_a_sound_ledger(
    faults: Faults, startup: float, tmp_path: Path
) -> None:
    """A kill or two: quick enough for every CI run."""
    record_batch(faults, startup, tmp_path, FAST["batch"], lines=3000, chunk=25)


@pytest.mark.slow
def test_sigkill_loop_torture(faults: Faults, startup: float, tmp_path: Path) -> None:
    """Many kills, over fresh and half-done runs alike."""
    record_batch(faults, startup, tmp_path, SLOW["batch"], lines=8000, chunk=25)
