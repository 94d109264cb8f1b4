"""The review rhythm's reports (issue 19): a monthly portfolio review and a weekly list of
new underperformers, filed by the scheduler once per period, over business time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from ledger import Ledger
from ledger.interfaces.scheduler.config import load
from ledger.interfaces.scheduler.jobs import catch_up
from ledger.interfaces.scheduler.timetable import build_jobs
from ledger.present.reports.period_review import week_before
from tests.conftest import BACKENDS, PG_URL, pg_schema_url


@pytest.fixture(params=BACKENDS)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "ledger.db")
    else:
        assert PG_URL is not None
        yield from pg_schema_url(PG_URL)


@pytest.fixture
def config(tmp_path: Path) -> object:
    return load(None, {"reports_dir": str(tmp_path / "reports")})


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def runs(led: Ledger, pid: str, day: str, outcomes: str) -> None:
    """One run per character at 10:00 on `day`: + a success, - a failure."""
    for mark in outcomes:
        led.record_execution(pid, "30", "0.10", mark == "+", executed_at=f"{day}T10:00:00Z")


@pytest.fixture
def weeks(location: str) -> str:
    """W45 (Nov 2–8) and W46 (Nov 9–15) of 2026: `worse` fails both weeks, `newly` fails only
    in W46, `fixed` only in W45, `fine` never. Recorded on Nov 20, after both weeks."""
    with Ledger.open(location) as led:
        led.service.clock = lambda: "2026-11-20T08:00:00.000000Z"
        for pid in ("worse", "newly", "fixed", "fine"):
            led.approve_pattern(pid, "60", "0.30", approved_at="2026-10-26")
        runs(led, "worse", "2026-11-03", "---")
        runs(led, "worse", "2026-11-10", "---")
        runs(led, "newly", "2026-11-03", "+++")
        runs(led, "newly", "2026-11-10", "---")
        runs(led, "fixed", "2026-11-03", "---")
        runs(led, "fixed", "2026-11-10", "+++")
        runs(led, "fine", "2026-10-28", "+++")
        runs(led, "fine", "2026-11-10", "+++")
    return location


def only(config: object, name: str) -> list[object]:
    return [j for j in build_jobs(config) if j.name == name]  # type: ignore[arg-type]


def test_the_weekly_list_names_new_still_and_recovered_underperformers(
    weeks: str, config: object
) -> None:
    done = catch_up(weeks, only(config, "new-underperformers"), at("2026-11-20T12:00:00Z"),
                    config)  # type: ignore[arg-type]  # fmt: skip
    # the approvals happened in W44; W44, W45 and W46 are over by Friday Nov 20, W47 is not
    assert [r["period"] for r in done] == ["2026-W44", "2026-W45", "2026-W46"]
    w46 = json.loads(Path(done[-1]["files"][0]).read_text())
    assert [r["pattern_id"] for r in w46["new"]] == ["newly"]
    assert [r["pattern_id"] for r in w46["still"]] == ["worse"]
    assert w46["recovered"] == ["fixed"]
    assert w46["window"]["since"] == "2026-11-09T00:00:00.000000Z"
    markdown = Path(done[-1]["files"][1]).read_text()
    assert "# New underperformers 2026-W46" in markdown and "| newly | 3 |" in markdown
    # filed once per week: a second catch-up files nothing
    assert catch_up(weeks, only(config, "new-underperformers"), at("2026-11-20T12:00:00Z"),
                    config) == []  # type: ignore[arg-type]  # fmt: skip


def test_the_monthly_review_sets_the_month_beside_the_one_before(
    weeks: str, config: object
) -> None:
    jobs = only(config, "portfolio-review")
    # the approvals happened in October: its review is due on Nov 1, and November's only
    # once November is over; no review of a month before anything happened
    early = catch_up(weeks, jobs, at("2026-11-30T23:00:00Z"), config)  # type: ignore[arg-type]
    assert [r["period"] for r in early] == ["2026-10"]
    done = catch_up(weeks, jobs, at("2026-12-01T07:00:00Z"), config)  # type: ignore[arg-type]
    assert [r["period"] for r in done] == ["2026-11"]
    november = json.loads(Path(done[-1]["files"][0]).read_text())
    with Ledger.open(weeks) as led:
        compared = led.roi_summary_compared(period="2026-11", as_of=november["as_of_seq"])
    assert november["compared_with"]["period"] == "2026-10"
    assert november["portfolio"]["current"]["total_executions"] == 21
    assert november["portfolio"]["previous"]["total_executions"] == 3
    assert [r["pattern_id"] for r in november["patterns"]] == [
        r["pattern_id"] for r in compared["current"]
    ]
    # over the whole month: newly and fixed 3 of 6 (poor), worse 0 of 6 (failed)
    assert {r["pattern_id"] for r in november["underperformers"]} == {"worse", "newly", "fixed"}
    text = Path(done[-1]["files"][1]).read_text()
    assert "# Portfolio review 2026-11" in text and "beside 2026-10" in text
    assert catch_up(weeks, jobs, at("2026-12-05T07:00:00Z"), config) == []  # type: ignore[arg-type]


def test_a_review_waits_until_its_month_is_over_everywhere(tmp_path: Path) -> None:
    """On the 1st at 06:00 in Kiritimati (+14) November is not over in UTC yet: the review
    of November is filed at the first tick after it is over in UTC."""
    kiritimati = load(None, {"reports_dir": str(tmp_path / "r"), "timezone": "Pacific/Kiritimati"})
    location = str(tmp_path / "k.db")
    with Ledger.open(location) as led:
        led.approve_pattern("p", "60", "0.30", approved_at="2026-11-01")
        runs(led, "p", "2026-11-30", "+")
    jobs = only(kiritimati, "portfolio-review")
    # Dec 1 06:00 +14 is Nov 30 16:00 UTC
    assert catch_up(location, jobs, at("2026-11-30T17:00:00Z"), kiritimati) == []  # type: ignore[arg-type]
    (done,) = catch_up(location, jobs, at("2026-12-01T17:00:00Z"), kiritimati)  # type: ignore[arg-type]
    assert done["period"] == "2026-11"
    body = json.loads(Path(done["files"][0]).read_text())
    assert body["portfolio"]["current"]["total_executions"] == 1  # the run of Nov 30 is in


@pytest.mark.parametrize(
    ("day", "week"),
    [("2026-11-16", "2026-W46"), ("2026-11-22", "2026-W46"), ("2026-11-23", "2026-W47"),
     ("2027-01-04", "2026-W53"), ("2026-01-01", "2025-W52")],
)  # fmt: skip
def test_the_week_before_is_the_last_whole_iso_week(day: str, week: str) -> None:
    from datetime import date

    assert week_before(date.fromisoformat(day)) == week


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/St_Johns", "Pacific/Chatham"])
def test_the_monthly_trigger_fires_once_on_the_first_of_every_month(zone: str) -> None:
    from zoneinfo import ZoneInfo

    from ledger.interfaces.scheduler.jobs import fire_times
    from ledger.interfaces.scheduler.triggers import LocalTime

    trigger = LocalTime(6, 0, ZoneInfo(zone), monthday=1)
    fires = list(fire_times(trigger, at("2025-12-15T00:00:00Z"), at("2027-01-15T00:00:00Z")))
    local = [f.astimezone(ZoneInfo(zone)) for f in fires]
    assert [(f.year, f.month, f.day, f.hour) for f in local] == [
        (2026 + (m == 13), (m - 1) % 12 + 1, 1, 6) for m in range(1, 14)
    ]
    with pytest.raises(ValueError, match=r"1\.\.28"):
        LocalTime(6, 0, ZoneInfo(zone), monthday=31)
