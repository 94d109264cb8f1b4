"""The timetable: every scheduled job with its trigger, how its periods are named, how far
back catching up looks, and when a report of a stretch of days falls due.

A period is named from its trigger's fire time: a local date for daily jobs, an ISO week for
the weekly summary, a UTC minute for alerts (a local hour repeats when clocks go back).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ledger.interfaces.scheduler import producers
from ledger.interfaces.scheduler.config import ScheduleConfig, parse_time, parse_weekly
from ledger.interfaces.scheduler.producers import Producer
from ledger.present.reports.period_review import week_before

Trigger = Any  # an APScheduler 3 trigger: get_next_fire_time(previous, now)


@dataclass(frozen=True)
class Job:
    """One scheduled job."""

    name: str
    describe: str
    trigger: Trigger
    label: Callable[[datetime], str]
    produce: Producer | None
    """Writes a period's files: (ledger, fire time, period, settings, as_of) -> paths."""
    catch_up_limit: Callable[[ScheduleConfig], int]
    lookback: Callable[[ScheduleConfig], timedelta]
    """How far back catching up looks for missing periods (covers `catch_up_limit` of them):
    finding what is missing never walks the fire times since the first event."""
    window_end: Callable[[datetime], datetime] | None = None
    """For a report of a stretch of days (a summary): when its days are over. It is due only
    then, so no decision of its days is left out of the filed report."""
    as_of_fire: bool = False
    """A snapshot report (the ROI report, alerts): computed as the ledger stood at its fire
    time, so one caught up later says what it would have said then."""
    recorded: bool = True
    appends_events: bool = False
    """Runs its own transactions (so before, not under, the report's write lock); such a job
    must be idempotent, as two schedulers may both run it before one records the period."""


def _local_date(fire: datetime) -> str:
    return fire.date().isoformat()


def _iso_week(fire: datetime) -> str:
    year, week, _ = fire.date().isocalendar()
    return f"{year}-W{week:02d}"


def _utc_minute(fire: datetime) -> str:
    return fire.astimezone(UTC).strftime("%Y-%m-%dT%H%MZ")


def _month_before(fire: datetime) -> str:
    """The month before the fire's local month: the one a review on the 1st looks back on."""
    first = fire.date().replace(day=1) - timedelta(days=1)
    return f"{first:%Y-%m}"


def _month_over(fire: datetime) -> datetime:
    """When the month before the fire's month is over: the 1st of the fire's month, UTC."""
    return datetime.combine(fire.date().replace(day=1), datetime.min.time(), UTC)


def _week_before(fire: datetime) -> str:
    return week_before(fire.date())


def _week_over(fire: datetime) -> datetime:
    """When the week `_week_before` names is over: the Monday after it, UTC midnight."""
    monday = fire.date() - timedelta(days=fire.date().isoweekday() - 1)
    return datetime.combine(monday, datetime.min.time(), UTC)


def _day_over(fire: datetime) -> datetime:
    """The end of the (UTC) day a summary fired on covers: midnight after its date."""
    return datetime.combine(fire.date() + timedelta(days=1), datetime.min.time(), UTC)


def build_jobs(config: ScheduleConfig) -> list[Job]:
    """Every job with its trigger, in the configured timezone."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    from ledger.interfaces.scheduler.config import DAYS
    from ledger.interfaces.scheduler.triggers import LocalTime

    zone = config.zone
    daily_h, daily_m = parse_time(config.daily_summary_at, "daily_summary_at")
    report_h, report_m = parse_time(config.roi_report_at, "roi_report_at")
    conf_h, conf_m = parse_time(config.update_confidence_at, "update_confidence_at")
    week_day, week_h, week_m = parse_weekly(config.weekly_summary_at, "weekly_summary_at")
    review_h, review_m = parse_time(config.portfolio_review_at, "portfolio_review_at")
    under_day, under_h, under_m = parse_weekly(
        config.new_underperformers_at, "new_underperformers_at"
    )
    every = config.alerts_every_minutes

    def at(hour: int, minute: int, day: str | None = None, monthday: int | None = None) -> Trigger:
        # not CronTrigger: it skips the day after a spring-forward day (see triggers.py)
        return LocalTime(hour, minute, zone, None if day is None else DAYS.index(day), monthday)

    def unlimited(c: ScheduleConfig) -> int:
        return c.max_catch_up

    def days(c: ScheduleConfig) -> timedelta:
        return timedelta(days=c.max_catch_up + 1)

    def one_day(c: ScheduleConfig) -> timedelta:
        return timedelta(days=1, hours=1)

    return [
        Job("daily-summary", f"daily at {config.daily_summary_at}", at(daily_h, daily_m),
            _local_date, producers.daily_summary, unlimited, days, window_end=_day_over),
        Job("weekly-summary", f"weekly, {config.weekly_summary_at}",
            at(week_h, week_m, week_day), _iso_week, producers.weekly_summary, unlimited,
            lambda c: timedelta(weeks=c.max_catch_up + 1), window_end=_day_over),
        Job("roi-report", f"daily at {config.roi_report_at}", at(report_h, report_m),
            _local_date, producers.roi_report, unlimited, days, as_of_fire=True),
        Job("portfolio-review", f"monthly, on the 1st at {config.portfolio_review_at}",
            at(review_h, review_m, monthday=1), _month_before, producers.portfolio_review,
            unlimited, lambda c: timedelta(days=31 * (c.max_catch_up + 1)),
            window_end=_month_over),
        Job("new-underperformers", f"weekly, {config.new_underperformers_at}",
            at(under_h, under_m, under_day), _week_before, producers.new_underperformers,
            unlimited, lambda c: timedelta(weeks=c.max_catch_up + 1), window_end=_week_over),
        Job("roi-alerts", f"every {every} min" if every < 60 else "hourly",
            # every N minutes of absolute time: kept in UTC, so clock changes cannot skip or
            # repeat a period (local-time cron loses hours across a fold)
            CronTrigger(minute=f"*/{every}" if every < 60 else "0", timezone=UTC),
            _utc_minute, producers.roi_alerts,
            lambda c: max(1, 24 * 60 // c.alerts_every_minutes),
            one_day, as_of_fire=True, appends_events=True),
        Job("update-confidence", f"daily at {config.update_confidence_at}", at(conf_h, conf_m),
            _local_date, producers.update_confidence, lambda c: 1, lambda c: timedelta(days=2),
            appends_events=True),
        Job("rescore", f"every {config.rescore_every_minutes} min (if the file exists)",
            IntervalTrigger(minutes=config.rescore_every_minutes, timezone=UTC),
            _utc_minute, producers.rescore, lambda c: 1,
            lambda c: timedelta(minutes=2 * c.rescore_every_minutes), recorded=False),
    ]  # fmt: skip
