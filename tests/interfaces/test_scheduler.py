"""The scheduler, on a fixed clock: the log is the record of what ran."""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import Ledger
from ledger.core.service import LedgerCore
from ledger.interfaces.scheduler import jobs as scheduler_jobs
from ledger.interfaces.scheduler.config import load
from ledger.interfaces.scheduler.jobs import catch_up, fire_times
from ledger.interfaces.scheduler.timetable import build_jobs
from tests.conftest import BACKENDS, PG_URL, Cli, pg_schema_url


@pytest.fixture(params=BACKENDS)
def db_path(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Path | str]:
    """Every scheduler test runs on both backends: a SQLite file, then a PostgreSQL schema
    (the defect: every job failed on PostgreSQL, and no test ran them there)."""
    if request.param == "sqlite":
        yield tmp_path / "ledger.db"
    else:
        assert PG_URL is not None
        yield from pg_schema_url(PG_URL)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
def config(tmp_path: Path) -> object:
    return load(
        None,
        {
            "reports_dir": str(tmp_path / "reports"),
            "opportunities": str(tmp_path / "opportunities.json"),
            "scored_output": str(tmp_path / "scored.json"),
        },
    )


@pytest.fixture
def led(db_path: Path) -> Ledger:
    """Three events, each recorded when it happened (a ledger's clock runs with the world)."""
    stamps = iter(["2026-03-01T09:00:00.000000Z", "2026-03-01T10:00:00.000000Z",
                   "2026-03-02T10:00:00.000000Z"])  # fmt: skip
    with Ledger.open(db_path) as ledger:
        ledger.service.clock = lambda: next(stamps)
        ledger.approve_pattern("p", "60", "0.3", approved_at="2026-03-01T09:00:00Z")
        ledger.log_decision("d1", "golf", "email", "replied", decided_at="2026-03-01T10:00:00Z")
        ledger.record_outcome(
            "d1",
            "conversion",
            "success",
            revenue_generated=100,
            customer_acquired=True,
            occurred_at="2026-03-02T10:00:00Z",
        )
    return ledger


def reports(db_path: Path) -> Counter[str]:
    """How many ReportGenerated events each stream holds."""
    with Ledger.open(db_path) as ledger:
        return Counter(e.stream_id for e in ledger.events(0, 10**6, "ReportGenerated"))


def only(config: object, *names: str) -> list[scheduler_jobs.Job]:
    return [j for j in build_jobs(config) if j.name in names]  # type: ignore[arg-type]


def test_catch_up_produces_every_missed_day_once(
    led: Ledger, db_path: Path, config: object
) -> None:
    daily = only(config, "daily-summary")
    first = catch_up(str(db_path), daily, at("2026-03-04T12:00:00Z"), config)  # type: ignore[arg-type]
    # first event 03-01; 23:59 has passed for 03-01, 03-02 and 03-03, not yet for 03-04
    assert [r["period"] for r in first] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    summary = Path(first[1]["files"][0])
    assert summary.name == "decision-summary-2026-03-02.json"
    body = json.loads(summary.read_text())
    assert body["revenue"] == 100.0
    assert body["as_of_seq"] == 4  # 3 events, then the record of 03-01's report
    assert catch_up(str(db_path), daily, at("2026-03-04T12:00:00Z"), config) == []  # type: ignore[arg-type]
    later = catch_up(str(db_path), daily, at("2026-03-06T00:30:00Z"), config)  # type: ignore[arg-type]
    assert [r["period"] for r in later] == ["2026-03-04", "2026-03-05"]
    assert set(reports(db_path).values()) == {1}


def test_every_report_states_its_head_and_reproduces(
    led: Ledger, db_path: Path, config: object
) -> None:
    (done,) = catch_up(
        str(db_path),
        only(config, "roi-report"),
        at("2026-03-02T00:00:00Z"),  # type: ignore[arg-type]
        config,
    )  # type: ignore[arg-type]
    text = Path(done["files"][0]).read_text()
    with Ledger.open(db_path) as ledger:
        record = ledger.events(0, 100, "ReportGenerated")[0]
        # as the ledger stood at 03-01 23:59: the approval and the decision, not the outcome
        assert record.event.as_of_seq == 2  # type: ignore[attr-defined]
        assert f"as of seq {record.event.as_of_seq}" in text  # type: ignore[attr-defined]
        assert ledger.roi_markdown(now="2026-03-01T23:59:00Z", as_of=2) == text


def test_running_a_job_twice_for_a_period_appends_one_event(
    led: Ledger, db_path: Path, tmp_path: Path
) -> None:
    cli = Cli(db_path)
    args = [
        "schedule",
        "run-job",
        "weekly-summary",
        "--now",
        "2026-03-09T00:30:00Z",
        "--reports-dir",
        str(tmp_path / "r"),
    ]
    # W10 ends with Sunday 03-08 (a summary is due once its days are over); the first event
    # is on Sunday 03-01, so that week (W09) is due too
    assert [r["period"] for r in cli.json(*args)] == ["2026-W09", "2026-W10"]
    assert cli.json(*args) == []
    assert reports(db_path) == Counter(
        {"report:weekly-summary:2026-W09": 1, "report:weekly-summary:2026-W10": 1}
    )
    assert (tmp_path / "r" / "decision-summaries" / "weekly-summary-2026-W10.md").exists()
    assert cli.error("schedule", "run-job", "nightly")["details"]["field"] == "name"


def test_two_schedulers_at_once_produce_each_report_once(
    led: Ledger, db_path: Path, config: object
) -> None:
    now = at("2026-03-20T12:00:00Z")
    all_jobs = build_jobs(config)  # type: ignore[arg-type]
    barrier = threading.Barrier(2)
    produced: list[list[dict[str, object]]] = []

    def scheduler() -> None:
        barrier.wait()
        produced.append(catch_up(str(db_path), all_jobs, now, config))  # type: ignore[arg-type]

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counts = reports(db_path)
    assert counts and set(counts.values()) == {1}
    recorded = [r for run in produced for r in run if r["job"] != "rescore"]
    assert len(recorded) == len(counts)  # between them, each period once
    with Ledger.open(db_path) as ledger:
        assert ledger.verify(projections=True)["ok"]


def test_a_failing_job_does_not_stop_the_others_and_is_retried(
    led: Ledger, db_path: Path, config: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> list[str]:
        raise OSError("disk full")

    now = at("2026-03-03T12:00:00Z")
    jobs = [
        dataclasses.replace(j, produce=broken) if j.name == "daily-summary" else j
        for j in build_jobs(config)  # type: ignore[arg-type]
    ]
    first = catch_up(str(db_path), jobs, now, config)  # type: ignore[arg-type]
    assert {"job": "daily-summary", "error": "OSError: disk full"} in first
    assert any(r["job"] == "roi-report" and "files" in r for r in first)
    assert not any(s.startswith("report:daily-summary") for s in reports(db_path))
    retried = catch_up(str(db_path), build_jobs(config), now, config)  # type: ignore[arg-type]
    assert [r["period"] for r in retried if r["job"] == "daily-summary"] == [
        "2026-03-01",
        "2026-03-02",
    ]


def test_a_crash_between_files_and_record_is_repaired(
    led: Ledger, db_path: Path, config: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: object) -> None:
        raise SystemExit("killed after writing the files")

    daily = only(config, "daily-summary")
    monkeypatch.setattr(LedgerCore, "dispatch", crash)  # the report's record, in its uow
    with pytest.raises(SystemExit):
        catch_up(str(db_path), daily, at("2026-03-02T00:00:00Z"), config)  # type: ignore[arg-type]
    written = Path(config.reports_dir) / "decision-summaries" / "decision-summary-2026-03-01.json"  # type: ignore[attr-defined]
    assert written.exists() and not reports(db_path)
    monkeypatch.undo()
    repaired = catch_up(str(db_path), daily, at("2026-03-02T00:00:00Z"), config)  # type: ignore[arg-type]
    assert [r["period"] for r in repaired] == ["2026-03-01"]
    assert reports(db_path) == Counter({"report:daily-summary:2026-03-01": 1})


def test_dst_in_a_local_timezone(tmp_path: Path) -> None:
    berlin = load(
        None,
        {"timezone": "Europe/Berlin", "daily_summary_at": "02:30", "reports_dir": str(tmp_path)},
    )
    jobs = {j.name: j for j in build_jobs(berlin)}
    # spring forward, 2026-03-29: 02:30 does not exist that day, yet the day is produced once
    days = [
        jobs["daily-summary"].label(f)
        for f in fire_times(
            jobs["daily-summary"].trigger, at("2026-03-27T00:00:00Z"), at("2026-03-31T00:00:00Z")
        )
    ]
    assert days == ["2026-03-27", "2026-03-28", "2026-03-29", "2026-03-30"]
    # fall back, 2026-10-25: 25 hours, each alerts period distinct (labelled in UTC)
    hours = [
        jobs["roi-alerts"].label(f)
        for f in fire_times(
            jobs["roi-alerts"].trigger, at("2026-10-24T22:00:00Z"), at("2026-10-25T22:59:00Z")
        )
    ]
    assert len(hours) == 25 and len(set(hours)) == 25
    assert hours[0] == "2026-10-24T2200Z" and hours[-1] == "2026-10-25T2200Z"
    utc_days = [
        jobs["weekly-summary"].label(f)
        for f in fire_times(
            jobs["weekly-summary"].trigger, at("2026-10-18T00:00:00Z"), at("2026-11-02T00:00:00Z")
        )
    ]
    assert utc_days == ["2026-W42", "2026-W43", "2026-W44"]


@pytest.mark.parametrize(
    ("zone", "spring", "at_time"),
    [
        ("America/St_Johns", "2026-03-08", "00:00"),
        ("Europe/Berlin", "2026-03-29", "00:30"),
        ("America/New_York", "2026-03-08", "00:00"),
        ("Australia/Lord_Howe", "2026-10-04", "00:00"),
        ("Pacific/Chatham", "2026-09-27", "00:30"),
        # the clocks go from 23:00 to 00:00: a skipped 23:30 must still fire on its own day
        ("America/Nuuk", "2026-03-28", "23:30"),
    ],
)
def test_the_day_after_a_spring_forward_day_is_not_skipped(
    tmp_path: Path, zone: str, spring: str, at_time: str
) -> None:
    """The defect (found by the property test below, in CI): APScheduler 3's CronTrigger,
    asked from a moment before the clocks go forward on that same day, answers the day after
    next: daily at 00:00 in America/St_Johns went 03-08 -> 03-10, so no summary was ever named
    03-09 (catch-up walked the same trigger), and the live scheduler would have skipped it
    too. Every local day and every week must have its fire, whether walked or lived."""
    from datetime import date, timedelta

    config = load(
        None,
        {"timezone": zone, "daily_summary_at": at_time, "roi_report_at": at_time,
         "update_confidence_at": at_time, "weekly_summary_at": f"mon {at_time}",
         "reports_dir": str(tmp_path)},
    )  # fmt: skip
    jobs = {j.name: j for j in build_jobs(config)}
    first = date.fromisoformat(spring) - timedelta(days=3)
    start = datetime(first.year, first.month, first.day, tzinfo=config.zone)
    end = start + timedelta(days=21, minutes=-1)  # wall-clock arithmetic: 21 local days
    expected = [(first + timedelta(days=n)).isoformat() for n in range(21)]
    for name in ("daily-summary", "roi-report", "update-confidence"):
        walked = [jobs[name].label(f) for f in fire_times(jobs[name].trigger, start, end)]
        assert walked == expected, name
        # as the live scheduler asks: after each fire, the next from that fire on
        lived, fire = [], jobs[name].trigger.get_next_fire_time(None, start)
        while fire < end:
            lived.append(jobs[name].label(fire))
            fire = jobs[name].trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
        assert lived == expected, name
    weeks = [jobs["weekly-summary"].label(f)
             for f in fire_times(jobs["weekly-summary"].trigger, start, end)]  # fmt: skip
    assert len(weeks) == 3 and len(set(weeks)) == 3, weeks
    assert all(f.weekday() == 0 for f in fire_times(jobs["weekly-summary"].trigger, start, end))


def test_utc_is_the_default_and_bad_settings_are_refused(tmp_path: Path, cli: Cli) -> None:
    assert load(None, {}).timezone == "UTC"
    toml = tmp_path / "schedule.toml"
    toml.write_text('[schedule]\ndaily_summary_at = "22:15"\ntimezone = "America/New_York"\n')
    cli.json("init")
    listed = {
        j["name"]: j
        for j in cli.json(
            "schedule", "list", "--config", str(toml), "--now", "2026-07-01T12:00:00Z"
        )
    }
    assert listed["daily-summary"]["next_run"] == "2026-07-01T22:15:00-04:00"
    assert cli.error("schedule", "list", "--timezone", "Mars/Olympus")["details"]["field"] == (
        "timezone"
    )
    toml.write_text('[schedule]\ndaily_at = "22:15"\n')
    assert cli.error("schedule", "list", "--config", str(toml))["details"]["field"] == "config"


def test_the_scheduler_process_produces_on_a_tick_and_stops_on_sigterm(
    db_path: Path | str, tmp_path: Path
) -> None:
    """Yesterday's work arriving while `schedule run` runs is summarised on its next tick.
    (The defect: the decision was dated 2026-01-05, which falls out of the 400-day catch-up
    window from 2027-02-10 on; no test may depend on today's date.)"""
    from datetime import timedelta

    out = tmp_path / "reports"
    env = {**os.environ, "ROI_LEDGER_DB": str(db_path)}
    subprocess.run(
        [sys.executable, "-m", "ledger", "init"], env=env, check=True, capture_output=True
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ledger",
            "schedule",
            "run",
            "--tick",
            "1",
            "--reports-dir",
            str(out),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    yesterday = (datetime.now(UTC) - timedelta(days=1)).replace(hour=10, minute=0)
    day = yesterday.strftime("%Y-%m-%d")
    try:
        time.sleep(1.5)
        assert not list(out.glob("**/decision-summary-*.json"))  # nothing to report yet
        with Ledger.open(db_path) as ledger:  # yesterday's work arrives while it runs
            ledger.log_decision("late", "golf", "email", "replied", decided_at=yesterday)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not list(out.glob("**/decision-summary-*.json")):
            time.sleep(0.2)
        assert list(out.glob(f"**/decision-summary-{day}.json"))
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert f"daily-summary {day} ->" in err and "scheduler stopped" in err
    assert "FAILED" not in err and "failed" not in err


def test_a_recording_job_refuses_a_now_ahead_of_the_clock(
    led: Ledger, db_path: Path, tmp_path: Path
) -> None:
    """The defect: `run-job daily-summary --now <tomorrow>` filed today's summary before the
    day was over, so its later decisions never got in; 9999-12-31 appended hundreds of
    reports, then overflowed; roi-alerts at 9999 spun for minutes."""
    cli = Cli(db_path)
    before = reports(db_path)
    for job in ("daily-summary", "roi-alerts", "weekly-summary"):
        for now in ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", _hours_ahead(30)):
            error = cli.error("schedule", "run-job", job, "--now", now, "--reports-dir",
                              str(tmp_path / "r"))  # fmt: skip
            assert error["details"]["field"] == "now"
    assert cli.error("schedule", "catch-up", "--now", _hours_ahead(30))["details"]["field"] == "now"
    assert reports(db_path) == before
    assert cli.json("schedule", "run-job", "roi-alerts", "--now", _hours_ahead(0.02),
                    "--reports-dir", str(tmp_path / "r"))  # fmt: skip


def _hours_ahead(hours: float) -> str:
    from datetime import timedelta

    moment = datetime.now(UTC) + timedelta(hours=hours)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_finding_missing_periods_walks_only_what_can_be_caught_up(
    db_path: Path, config: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The defect: every tick walked every fire time since the first event (6 s a tick for
    5-minute alerts on a year-old ledger). Count the fire times looked at, not seconds."""
    with Ledger.open(db_path) as ledger:
        ledger.approve_pattern("p", 60, "0.3", approved_at="2020-01-01T00:00:00Z")
    walked = Counter[str]()
    original = scheduler_jobs.fire_times

    def counting(trigger: object, start: datetime, end: datetime) -> object:
        for fire in original(trigger, start, end):
            walked[str(trigger)] += 1
            yield fire

    monkeypatch.setattr(scheduler_jobs, "fire_times", counting)
    settings = dataclasses.replace(config, alerts_every_minutes=5)  # type: ignore[type-var]
    now = at("2026-03-10T12:00:00Z")
    with Ledger.open(db_path) as ledger:
        for job in build_jobs(settings):
            walked.clear()
            due = scheduler_jobs.missing(ledger, job, now, settings)
            limit = job.catch_up_limit(settings)
            assert len(due) <= limit
            assert sum(walked.values()) <= limit + 2 * 24 * 12, (job.name, sum(walked.values()))


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("timezone", "5"),
        ("tick_seconds", '"abc"'),
        ("daily_summary_at", "2359"),
        ("daily_summary_at", '"25:00"'),
        ("alerts_every_minutes", "7"),
        ("alerts_every_minutes", "true"),
        ("max_catch_up", "-1"),
        ("reports_dir", "3"),
        ("weekly_summary_at", '"someday"'),
        ("rescore_every_minutes", "1e9"),
    ],
)
def test_wrong_types_in_the_schedule_toml_name_the_key(
    tmp_path: Path, cli: Cli, setting: str, value: str
) -> None:
    cli.json("init")
    toml = tmp_path / "schedule.toml"
    toml.write_text(f"[schedule]\n{setting} = {value}\n")
    result = cli("schedule", "list", "--config", str(toml))
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    assert setting in result.stderr


def test_an_unwritable_reports_dir_is_one_line_and_records_nothing(
    led: Ledger, db_path: Path
) -> None:
    """The defect: `catch-up --reports-dir /proc/x` printed 12 tracebacks."""
    cli = Cli(db_path)
    before = reports(db_path)
    for args in (["catch-up"], ["run-job", "daily-summary"]):
        result = cli("schedule", *args, "--reports-dir", "/proc/x", "--now", "2026-03-05T00:00:00Z")
        assert result.exit_code == 2, result.stderr
        assert "reports_dir" in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert reports(db_path) == before


def test_jobs_and_schedule_list_never_create_a_ledger(tmp_path: Path) -> None:
    """The defect: catch-up, run-job, export and rebuild silently created ./roi-ledger.db,
    while `schedule list` refused a fresh directory."""
    cli = Cli(tmp_path / "none.db")
    assert cli.json("schedule", "list")[0]["name"] == "daily-summary"
    for args in (["schedule", "catch-up"], ["schedule", "run-job", "roi-alerts"],
                 ["export"], ["rebuild"], ["log"], ["digest"]):  # fmt: skip
        assert cli.error(*args)["details"]["field"] == "db", args
    assert not (tmp_path / "none.db").exists()


def test_a_summary_is_filed_only_once_its_period_is_over(db_path: Path, config: object) -> None:
    """Found by attacking the scheduler: the weekly summary fired Sunday 21:00 for a week
    ending at midnight (and a Berlin 23:59 daily run is 22:59 UTC), then was never redone,
    so decisions in the gap were in no filed summary."""
    with Ledger.open(db_path) as ledger:
        ledger.log_decision("early", "t", "s", "a", decided_at="2026-11-15T10:00:00Z")
    weekly = only(config, "weekly-summary")
    assert catch_up(db_path, weekly, at("2026-11-15T21:30:00Z"), config) == []  # not over
    with Ledger.open(db_path) as ledger:
        ledger.log_decision("late", "t", "s", "a", decided_at="2026-11-15T22:00:00Z")
    [made] = catch_up(db_path, weekly, at("2026-11-16T00:10:00Z"), config)
    assert made["period"] == "2026-W46"
    stored = json.loads(Path(made["files"][0]).read_text())
    assert stored["decisions_made"] == 2 and stored["week"] == "2026-W46"
    berlin = dataclasses.replace(config, timezone="Europe/Berlin")  # type: ignore[type-var]
    daily = only(berlin, "daily-summary")
    early = catch_up(db_path, daily, at("2026-11-16T22:59:30Z"), berlin)  # 23:59 in Berlin
    assert [r["period"] for r in early] == ["2026-11-15"]  # 11-16 is not over in UTC yet
    later = catch_up(db_path, daily, at("2026-11-17T00:05:00Z"), berlin)
    assert [r["period"] for r in later] == ["2026-11-16"]


def test_a_backfilled_ledger_files_no_snapshot_of_the_time_before_it_knew_anything(
    db_path: Path, config: object
) -> None:
    """The defect (issue 19): `schedule catch-up` on the demo ledger filed 44 ROI reports
    "as of seq 0 ... Patterns tracked: 0" (every demo event was recorded today), recorded them
    as done, and never filed them again. A snapshot report of a moment before the ledger's
    first recorded fact is not filed; the summaries, which count by when things happened,
    still cover the backfilled days."""
    stamps = iter(["2026-11-21T09:00:00.000000Z"] * 3 + ["2026-11-21T09:00:01.000000Z"] * 9)
    with Ledger.open(db_path) as ledger:
        ledger.service.clock = lambda: next(stamps)
        ledger.approve_pattern("p", 60, "0.3", approved_at="2026-11-10T09:00:00Z")
        ledger.record_execution("p", 30, "0.1", True, executed_at="2026-11-12T10:00:00Z")
        ledger.log_decision("d1", "golf", "email", "replied", decided_at="2026-11-12T10:00:00Z")
    roi = catch_up(db_path, only(config, "roi-report"), at("2026-11-22T12:00:00Z"), config)
    assert [r["period"] for r in roi] == ["2026-11-21"]
    assert "as of seq 0" not in Path(roi[0]["files"][0]).read_text()
    daily = catch_up(db_path, only(config, "daily-summary"), at("2026-11-22T12:00:00Z"), config)
    assert "2026-11-12" in [r["period"] for r in daily]
    # and asked again, nothing before the first recording is due
    assert catch_up(db_path, only(config, "roi-report"), at("2026-11-22T12:00:00Z"), config) == []


def test_a_caught_up_snapshot_report_is_the_ledger_as_it_stood_at_its_fire_time(
    db_path: Path, config: object
) -> None:
    """Found by attacking the scheduler: a missed ROI report for 11-20, produced on 11-22,
    said 'Generated 2026-11-20T23:59' and '1 execution this month' beside a summary row of 5
    (the 4 recorded on 11-21 too)."""
    stamps = iter(["2026-11-19T09:00:00.000000Z", "2026-11-20T10:00:00.000000Z",
                   *[f"2026-11-21T1{i}:00:00.000000Z" for i in range(4)]])  # fmt: skip
    with Ledger.open(db_path) as ledger:
        ledger.service.clock = lambda: next(stamps)
        ledger.approve_pattern("p", 60, "0.3", approved_at="2026-11-19T09:00:00Z")
        ledger.record_execution("p", 30, "0.1", True, executed_at="2026-11-20T10:00:00Z")
        for i in range(4):
            ledger.record_execution("p", 30, "0.1", True, executed_at=f"2026-11-21T1{i}:00:00Z")
    made = catch_up(db_path, only(config, "roi-report"), at("2026-11-22T12:00:00Z"), config)
    report = {r["period"]: Path(r["files"][0]).read_text() for r in made}
    assert "| p | 1 (1 ok)" in report["2026-11-20"] and "as of seq 2" in report["2026-11-20"]
    assert "| p | 5 (5 ok)" in report["2026-11-21"]
    with Ledger.open(db_path) as ledger:
        events = {e.stream_id: e for e in ledger.events(0, 100, "ReportGenerated")}
    assert events["report:roi-report:2026-11-20"].event.as_of_seq == 2  # type: ignore[attr-defined]


def test_a_timezone_naming_a_region_folder_is_refused_in_words(tmp_path: Path) -> None:
    """The defect (found by the fuzzer): `--timezone America` names a folder of the tz
    database, and ZoneInfo raised IsADirectoryError: exit 1 with a raw OS error."""
    from tests.conftest import Cli

    error = Cli(tmp_path / "l.db").error("schedule", "list", "--timezone", "America")
    assert "unknown zone 'America'" in error["error"]


def test_catch_up_and_run_job_exit_1_naming_each_failed_job(
    led: Ledger, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job that fails makes `catch-up` and `run-job` exit 1, saying which and why (the
    defect: on PostgreSQL every job failed and the output said only "see the log")."""

    def broken(*args: object) -> list[str]:
        raise OSError("disk full")

    real = scheduler_jobs.build_jobs

    def with_broken_daily(settings: object) -> list[scheduler_jobs.Job]:
        return [
            dataclasses.replace(j, produce=broken) if j.name == "daily-summary" else j
            for j in real(settings)  # type: ignore[arg-type]
        ]

    monkeypatch.setattr(scheduler_jobs, "build_jobs", with_broken_daily)
    cli = Cli(db_path)
    for args in (["catch-up"], ["run-job", "daily-summary"]):
        result = cli("schedule", *args, "--reports-dir", str(tmp_path / "r"), "--now",
                     "2026-03-05T00:00:00Z")  # fmt: skip
        assert result.exit_code == 1, result.output
        assert "daily-summary: FAILED: OSError: disk full" in result.stdout
    # the others went on: catch-up filed every ROI report due, despite the failing job
    assert sorted(k for k in reports(db_path) if "roi-report" in k) == [
        f"report:roi-report:2026-03-0{d}" for d in range(1, 5)
    ]
    assert not any("daily-summary" in k for k in reports(db_path))


def settings_for_properties() -> Any:
    return settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


ZONES = [
    "Pacific/Kiritimati",  # +14
    "Pacific/Chatham",  # +12:45 / +13:45
    "Australia/Lord_Howe",  # +10:30 / +11, a half-hour DST shift
    "Asia/Kathmandu",  # +5:45
    "Europe/Berlin",
    "UTC",
    "America/St_Johns",  # -3:30 / -2:30
    "America/Nuuk",  # -2 / -1, the clocks going from 23:00 to 00:00
    "Pacific/Pago_Pago",  # -11
    "Etc/GMT+12",  # -12
]


@settings_for_properties()
@given(
    zone=st.sampled_from(ZONES),
    daily=st.times().map(lambda t: t.strftime("%H:%M")),
    weekly_day=st.sampled_from(["mon", "wed", "sun"]),
    weekly=st.times().map(lambda t: t.strftime("%H:%M")),
    first=st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31)).map(
        lambda d: d.replace(tzinfo=UTC)
    ),
)
def test_every_decision_lands_in_exactly_one_daily_and_one_weekly_summary(
    zone: str, daily: str, weekly_day: str, weekly: str, first: datetime
) -> None:
    """The defect: with the first decision at 12:00Z on 03-01 in Pacific/Kiritimati (+14)
    and daily summaries at 02:30, summaries started on 03-02 and the weekly on W10: that
    decision was in no summary. Summaries cover UTC days and are named after their fire's
    local date; from the first event on, every UTC day must be named exactly once."""
    from datetime import timedelta

    config = load(
        None,
        {"timezone": zone, "daily_summary_at": daily,
         "weekly_summary_at": f"{weekly_day} {weekly}", "reports_dir": "/tmp"},
    )  # fmt: skip
    jobs = {j.name: j for j in build_jobs(config)}
    start = scheduler_jobs.walk_start(first, config.zone)
    end = first + timedelta(days=22)
    day = first.date()
    daily_job = jobs["daily-summary"]
    days = {daily_job.label(f) for f in fire_times(daily_job.trigger, start, end)}
    named = sorted(days)
    assert day.isoformat() in days
    # no day left out between the first named and the last
    span = (datetime.fromisoformat(named[-1]) - datetime.fromisoformat(named[0])).days + 1
    assert span == len(named)
    assert named[0] >= (day - timedelta(days=1)).isoformat()  # and no walk from long before
    weekly_job = jobs["weekly-summary"]
    ends = sorted({f.date() for f in fire_times(weekly_job.trigger, start, end)})
    holding = [e for e in ends if e - timedelta(days=6) <= day <= e]
    assert len(holding) == 1, (ends, day)
    assert all(b - a == timedelta(days=7) for a, b in itertools.pairwise(ends))
