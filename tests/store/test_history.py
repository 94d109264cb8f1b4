"""Row versions (ledger/store/versions.py): as-of reads come from them, not from replays; they are
checked by `verify --projections`, rebuilt with their projection, and read-only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ledger import Ledger
from ledger.core import snapshots as views
from ledger.errors import InputError
from ledger.store import as_of
from ledger.store import versions as history

NOW = "2026-03-01T12:00:00Z"


def fill(led: Ledger, executions: int = 30) -> None:
    led.approve_pattern("alpha", estimated_time_seconds=60, estimated_cost="0.02")
    led.approve_pattern("beta", estimated_time_seconds=30, estimated_cost="0.01")
    for i in range(executions):
        led.record_execution(
            "alpha" if i % 3 else "beta",
            execution_time_seconds=20 + i,
            actual_cost="0.005",
            success=i % 4 != 0,
        )
    led.log_decision("d1", "golf", "email", "replied")
    led.record_outcome("d1", "conversion", "success", revenue_generated="120")


def test_as_of_reads_replay_nothing(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    """The defect issue 12 names: every as-of read replayed the log from seq 1."""
    fill(ledger)
    expected = ledger.roi_summary(as_of=12)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("an as-of read replayed the log")

    monkeypatch.setattr(views, "replay", refuse)
    monkeypatch.setattr("ledger.core.reading.replay", refuse)
    for seq in (1, 12, 20, ledger.head().seq - 1):
        ledger.roi_summary(as_of=seq)
        ledger.conversion_metrics(as_of=seq)
        ledger.roi_report("alpha", as_of=seq)
    assert ledger.roi_summary(as_of=12) == expected
    assert (
        ledger.roi_summary(as_of=12)[0]["total_executions"]
        + ledger.roi_summary(as_of=12)[1]["total_executions"]
        == 10
    )


def test_verify_finds_a_history_row_edited_by_hand(tmp_path: Path) -> None:
    """History is part of what `verify --projections` proves: a version changed behind the
    ledger's back would change past answers, so it is a difference, named."""
    import sqlite3

    path = tmp_path / "ledger.db"
    with Ledger.open(path) as led:
        fill(led)
        assert led.verify(projections=True)["ok"]
    with sqlite3.connect(path) as conn:
        conn.execute(
            "UPDATE pattern_roi_summary__h SET total_executions = 999 WHERE seq_from ="
            " (SELECT max(seq_from) FROM pattern_roi_summary__h)"
        )
    with Ledger.open(path) as led:
        result = led.verify(projections=True)
    assert not result["ok"]
    tables = {d["table"] for d in result["projections"]["differences"]}
    assert tables == {"pattern_roi_summary history"}


def test_an_as_of_view_refuses_to_record(ledger: Ledger) -> None:
    fill(ledger, 3)
    view = ledger.view(2)
    with pytest.raises(InputError, match="as_of: a view as of seq 2 is read-only"):
        view.record_execution("alpha", execution_time_seconds=1, actual_cost="0", success=True)
    assert ledger.head().seq == 7
    with ledger.service.reading(2) as db, pytest.raises(TypeError, match="read-only"):
        db.executemany("DELETE FROM patterns", [])


def test_a_view_states_its_own_head_and_log(ledger: Ledger) -> None:
    fill(ledger, 3)
    view = ledger.view(4)
    assert view.head().seq == 4
    assert [e.seq for e in view.events(0, 100)] == [1, 2, 3, 4]
    assert ledger.head().seq == 7
    view.close()  # a view shares its ledger's database: closing it closes nothing
    assert ledger.roi_summary()


def test_a_ledger_made_before_history_gains_it_on_open(tmp_path: Path) -> None:
    """An older ledger has no row versions: its projections' versions are behind, so opening
    it refolds them, history included, and as-of reads answer from it."""
    import sqlite3

    path = tmp_path / "ledger.db"
    with Ledger.open(path) as led:
        fill(led, 12)
        expected = [led.roi_summary(as_of=seq) for seq in range(1, led.head().seq + 1)]
    with sqlite3.connect(path) as conn:  # as an older release left it
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for name in names:
            if name.endswith(("__h", "__k")) or name.startswith("history_"):
                conn.execute(f"DROP TABLE {name}")
        conn.execute("UPDATE projection_checkpoints SET version = version - 1")
    with Ledger.open(path) as led:
        assert [led.roi_summary(as_of=seq) for seq in range(1, led.head().seq + 1)] == expected
        assert led.verify(projections=True)["ok"]


def test_a_seq_inside_a_rebuilt_unit_folds_only_that_unit(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a rebuild, versions are kept per unit of up to history.UNIT events; a seq inside
    one is its start's versions plus a fold of the unit's first events, nothing before."""
    monkeypatch.setattr(history, "UNIT", 10)
    fill(ledger, 40)
    live = {seq: ledger.roi_summary(as_of=seq) for seq in range(1, ledger.head().seq + 1)}
    ledger.rebuild()
    for seq, summary in live.items():
        assert ledger.roi_summary(as_of=seq) == summary, seq
    ledger.service.views.clear()
    with ledger.service.reading(25) as db:
        assert isinstance(db, as_of.AsOfSql)
        assert db.state.overlays == {}  # nothing folded before a read names a table
        db.execute("SELECT count(*) FROM pattern_roi_summary").fetchone()
        overlays, keys = db.state.overlays, db.state.keys
    assert overlays["pattern_roi_summary"].keys  # 25 is inside the unit 21..30
    assert set(overlays) == {"pattern_roi_summary"}  # only the projection the read named
    assert all(len(k) <= 10 for k in keys.values())


def test_a_unit_with_too_many_changed_rows_to_inline_is_replayed(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A retraction inside a unit can rewrite thousands of rows: past SQLite's parameter
    limit, that one read replays the log to its seq instead of failing."""
    monkeypatch.setattr(history, "UNIT", 50)
    fill(ledger, 40)
    live = {seq: ledger.roi_report("alpha", as_of=seq, now=NOW) for seq in range(4, 30)}
    ledger.rebuild()
    monkeypatch.setattr(as_of, "MOST_INLINED", 5)
    for seq, report in live.items():
        with ledger.service.reading(seq) as db:
            assert not isinstance(db, as_of.AsOfSql)  # the replay's own database
        assert ledger.roi_report("alpha", as_of=seq, now=NOW) == report
