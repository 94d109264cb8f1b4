"""Fault injection into `schedule catch-up`: SIGKILL at seeded random points, then check the
ledger and finish the run (tests/faults/support.py says what is checked)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, event_count
from tests.faults.support import (
    FAST,
    PAST,
    SLOW,
    TEMP_FILE,
    Faults,
    check_ledger,
    cli_json,
    clone,
    summary,
    timed,
    whole,
    window,
)


# -- 5. scheduled reports ---------------------------------------------------------------------
def report_events(db: Path, reports: Path) -> dict[str, dict[str, Any]]:
    """Each report stream's events: stream -> its one ReportGenerated payload (files relative
    to the reports folder), plus how many events the stream holds."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT stream_id, event_type, payload FROM events "
            "WHERE stream_id LIKE 'report:%' ORDER BY seq"
        ).fetchall()
    out: dict[str, dict[str, Any]] = {}
    for stream, kind, payload in rows:
        body = json.loads(payload)
        entry = out.setdefault(stream, {"events": 0})
        entry["events"] += 1
        entry["type"] = kind
        entry["files"] = [str(Path(f).relative_to(reports)) for f in body.get("files", [])]
        entry["as_of_seq"] = body.get("as_of_seq")
    return out


def report_files(reports: Path, faults: Faults, what: str, *, final: bool) -> set[str]:
    """Every report file is whole. A temp file a killed run left is no report: it is allowed
    beside its final file, which must exist (whole) once the run has completed (`final`).
    Returns the report files' paths relative to `reports`."""
    names: set[str] = set()
    temps: list[Path] = []
    for path in reports.rglob("*"):
        if path.is_dir():
            continue
        if TEMP_FILE.match(path.name):
            temps.append(path)
            continue
        problem = whole(path)
        assert problem is None, faults.why(f"{what}: {path} is {problem}")
        names.add(str(path.relative_to(reports)))
    for temp in temps:
        match = TEMP_FILE.match(temp.name)
        assert match is not None
        target = temp.with_name(match["name"])
        if final:
            assert target.exists(), faults.why(f"{what}: {temp} left, and no {target.name}")
            faults.landed["temp file left beside its whole report"] += 1
    return names


def check_recorded(db: Path, reports: Path, faults: Faults, what: str) -> dict[str, Any]:
    """Every report stream holds exactly one ReportGenerated event, whose files exist, are
    whole, and (the JSON ones) state the head the event recorded: the files on disk are the
    ones the log says were produced."""
    recorded = report_events(db, reports)
    for stream, entry in recorded.items():
        assert (entry["events"], entry["type"]) == (1, "ReportGenerated"), faults.why(
            f"{what}: {stream} holds {entry}"
        )
        for name in entry["files"]:
            path = reports / name
            assert path.exists(), faults.why(f"{what}: {stream} recorded {name}, not on disk")
            problem = whole(path)
            assert problem is None, faults.why(f"{what}: {path} is {problem}")
            if path.suffix == ".json":
                stated = json.loads(path.read_text()).get("as_of_seq")
                assert stated == entry["as_of_seq"], faults.why(
                    f"{what}: {name} says as_of_seq {stated}, its event {entry['as_of_seq']}"
                )
    return recorded


def scheduled_reports(
    faults: Faults, startup: float, tmp_path: Path, target: int, days: int
) -> None:
    template = tmp_path / "demo.db"
    cli_json(Cli(template), faults, "demo", "--days", str(days), "--now", PAST)
    demo_events = event_count(template)

    def args(reports: Path) -> list[str]:
        return ["schedule", "catch-up", "--now", PAST, "--reports-dir", str(reports), "--json"]

    clean_db, clean_reports = tmp_path / "reports-clean.db", tmp_path / "reports-clean"
    clone(template, clean_db)
    took, done = timed(Cli(clean_db), faults, *args(clean_reports)[:-1])
    assert not any(r.get("error") for r in done), done
    clean_count = event_count(clean_db)
    clean_recorded = check_recorded(clean_db, clean_reports, faults, "clean catch-up")
    clean_files = report_files(clean_reports, faults, "clean catch-up", final=True)
    # the demo was recorded after PAST, so catch-up files the summaries of its days but no
    # snapshot (ROI report, alerts) of a moment before the ledger knew anything (issue 19)
    assert not any(":roi-" in stream for stream in clean_recorded), sorted(clean_recorded)
    assert len(clean_recorded) > 50 and clean_count > demo_events + 50
    per_cycle = min(3, target)

    for cycle in range(4 * target):
        if faults.kills >= target:
            break
        db, reports = tmp_path / f"reports-{cycle}.db", tmp_path / f"reports-{cycle}"
        clone(template, db)
        for attempt in range(per_cycle):
            done_share = len(report_events(db, reports)) / len(clean_recorded)
            left = max(1 - done_share, 0.2)
            if faults.kills >= target or not faults.kill(
                db, args(reports), window(startup, took, left)
            ):
                break
            what = f"SIGKILL {attempt + 1} of schedule catch-up in cycle {cycle}"
            check_ledger(db, faults, what)
            if reports.exists():
                report_files(reports, faults, what, final=False)
            recorded = check_recorded(db, reports, faults, what)
            faults.landed[
                "midway"
                if 0 < len(recorded) < len(clean_recorded)
                else "before any report"
                if not recorded
                else "after all"
            ] += 1
        results = cli_json(Cli(db), faults, *args(reports)[:-1])
        assert not any(r.get("error") for r in results), faults.why(str(results))
        what = f"cycle {cycle} completed"
        assert event_count(db) == clean_count, faults.why(
            f"{what}: {event_count(db)} events, a clean run has {clean_count}"
        )
        recorded = check_recorded(db, reports, faults, what)
        assert recorded == clean_recorded, faults.why(f"{what}: report events differ")
        assert report_files(reports, faults, what, final=True) == clean_files, faults.why(what)
        assert cli_json(Cli(db), faults, *args(reports)[:-1]) == [], faults.why("not caught up")
        assert event_count(db) == clean_count
        check_ledger(db, faults, what)
    summary(faults, "schedule catch-up")
    assert faults.kills >= target, faults.why(f"only {faults.kills} of {target} kills landed")


def test_sigkill_then_rerun_leaves_a_sound_ledger(
    faults: Faults, startup: float, tmp_path: Path
) -> None:
    """A kill or two: quick enough for every CI run."""
    scheduled_reports(faults, startup, tmp_path, FAST["reports"], days=60)


@pytest.mark.slow
def test_sigkill_loop_torture(faults: Faults, startup: float, tmp_path: Path) -> None:
    """Many kills, over fresh and half-done runs alike."""
    scheduled_reports(faults, startup, tmp_path, SLOW["reports"], days=60)
