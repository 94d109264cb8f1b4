"""Fault injection into `import`: SIGKILL at seeded random points, then check the
ledger and finish the run (tests/faults/support.py says what is checked)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli, event_count
from tests.faults.support import (
    FAST,
    SLOW,
    Faults,
    chain,
    check_ledger,
    cli_json,
    summary,
    timed,
    window,
    write_lines,
)


# -- 4. import ------------------------------------------------------------------------------
def import_export(faults: Faults, startup: float, tmp_path: Path, target: int, events: int) -> None:
    path = tmp_path / "source.jsonl"
    write_lines(path, events, "i")
    source_db = tmp_path / "source.db"
    source = Cli(source_db)
    assert cli_json(source, faults, "record", "batch", str(path))["accepted"] == events
    export = tmp_path / "export.jsonl"
    assert cli_json(source, faults, "export", "--output", str(export))["exported"] == events
    digest = cli_json(source, faults, "digest")
    expected = chain(source_db)
    args = ["import", str(export), "--json"]
    clean_db = tmp_path / "import-clean.db"
    took, done = timed(Cli(clean_db), faults, *args[:-1])
    assert done["imported"] == events
    assert chain(clean_db) == expected
    per_cycle = min(3, target)

    for cycle in range(4 * target):
        if faults.kills >= target:
            break
        db = tmp_path / f"import-{cycle}.db"
        for attempt in range(per_cycle):
            left = max(1 - event_count(db) / events, 0.5)  # the file is checked whole first
            if faults.kills >= target or not faults.kill(db, args, window(startup, took, left)):
                break
            what = f"SIGKILL {attempt + 1} of import in cycle {cycle}"
            check_ledger(db, faults, what)
            stored = chain(db)
            assert stored == expected[: len(stored)], faults.why(f"{what}: not the export's prefix")
            faults.landed[
                "midway"
                if 0 < len(stored) < events
                else "before any"
                if not stored
                else "after all"
            ] += 1
        before = len(chain(db))
        out = cli_json(Cli(db), faults, *args[:-1])
        assert (out["imported"], out["already_present"]) == (events - before, before), faults.why(
            f"cycle {cycle}: import after {before} stored: {out}"
        )
        assert (out["seq"], out["hash"]) == (digest["seq"], digest["hash"]), faults.why(str(out))
        assert chain(db) == expected, faults.why(f"cycle {cycle}: not the source's log")
        again = cli_json(Cli(db), faults, *args[:-1])
        assert (again["imported"], again["already_present"]) == (0, events), faults.why(str(again))
        check_ledger(db, faults, f"cycle {cycle} completed")
    summary(faults, "import")
    assert faults.kills >= target, faults.why(f"only {faults.kills} of {target} kills landed")


def test_sigkill_then_rerun_leaves_a_sound_ledger(
    faults: Faults, startup: float, tmp_path: Path
) -> None:
    """A kill or two: quick enough for every CI run."""
    import_export(faults, startup, tmp_path, FAST["import"], events=5200)


@pytest.mark.slow
def test_sigkill_loop_torture(faults: Faults, startup: float, tmp_path: Path) -> None:
    """Many kills, over fresh and half-done runs alike."""
    import_export(faults, startup, tmp_path, SLOW["import"], events=12_000)
