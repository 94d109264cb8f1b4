"""The scheduled jobs: when each falls due, which periods are missing from the log, and how
each period's report is produced, written and recorded.

A period is named from its trigger's fire time: a local date for daily jobs, an ISO week for
the weekly summary, a UTC minute for alerts (a local hour repeats when clocks go back).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from commands.base import DomainError
from commands.ledger import RecordReport
from events.timeutil import format_timestamp
from ledger.app.facade import Ledger
from ledger.core.inputs import read_json
from ledger.core.moments import moment
from ledger.core.outputs import write_atomically
from ledger.errors import InputError, LedgerError
from ledger.interfaces.scheduler.config import ScheduleConfig, parse_time, parse_weekly
from ledger.present.encoding import jsonable
from ledger.present.reports.markdown import inline
from ledger.validation import build_command

if TYPE_CHECKING:
    from ledger.interfaces.metrics import Metrics

log = logging.getLogger("roi_ledger.scheduler")

Trigger = Any  # an APScheduler 3 trigger: get_next_fire_time(previous, now)


@dataclass(frozen=True)
class Job:
    """One scheduled job."""

    name: str
    describe: str
    trigger: Trigger
    label: Callable[[datetime], str]
    produce: Callable[[Ledger, datetime, str, ScheduleConfig, str | None], list[str]] | None
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
    from ledger.present.reports.period_review import week_before

    return week_before(fire.date())


def _week_over(fire: datetime) -> datetime:
    """When the week `_week_before` names is over: the Monday after it, UTC midnight."""
    monday = fire.date() - timedelta(days=fire.date().isoweekday() - 1)
    return datetime.combine(monday, datetime.min.time(), UTC)


def _day_over(fire: datetime) -> datetime:
    """The end of the (UTC) day a summary fired on covers: midnight after its date."""
    return datetime.combine(fire.date() + timedelta(days=1), datetime.min.time(), UTC)


# -- producers --------------------------------------------------------------------------------
def daily_summary(
    ledger: Ledger, fire: datetime, period: str, config: ScheduleConfig, as_of: str | None
) -> list[str]:
    """The decision summary of the period's day."""
    summary = ledger.daily_summary(period)
    files = ledger.save_summary(summary, config.reports / "decision-summaries")
    return [str(f) for f in files]


def weekly_summary(
    ledger: Ledger, fire: datetime, period: str, config: ScheduleConfig, as_of: str | None
) -> list[str]:
    """The decision summary of the 7 days ending on the fire date."""
    summary = ledger.weekly_summary(fire.date())
    files = ledger.save_summary(summary, config.reports / "decision-summaries")
    return [str(f) for f in files]


def roi_report(
    ledger: Ledger, fire: datetime, period: str, config: ScheduleConfig, as_of: str | None
) -> list[str]:
    """The Markdown portfolio report, as the ledger stood at the fire time."""
    path = config.reports / "roi" / f"roi-report-{period}.md"
    text = ledger.roi_markdown(now=fire, as_of=as_of)
    write_atomically(path, text, ledger=ledger.location)
    return [str(path)]


def roi_alerts(
    ledger: Ledger, fire: datetime, period: str, config: ScheduleConfig, as_of: str | None
) -> list[str]:
    """The alerts as the ledger stood at the fire time, as JSON and Markdown, each with its
    state (`new`, or `firing` since the run that raised it) and those resolved since the
    last run: the lifecycle is settled in the log (ledger/app/alerting.py), so the webhook is
    told of each raising and resolution once."""
    from ledger.app.alerting import settle

    head = ledger.head(as_of)
    lifecycle = settle(ledger, ledger.alerts(now=fire, as_of=as_of), period)
    alerts = lifecycle["alerts"]
    stem = config.reports / "alerts" / f"roi-alerts-{period}"
    body = {
        "period": period,
        "now": fire.astimezone(UTC).isoformat(),
        "alerts": alerts,
        "resolved": lifecycle["resolved"],
        "as_of_seq": head.seq,
        "as_of_hash": head.hash,
    }
    write_atomically(
        stem.with_suffix(".json"),
        json.dumps(jsonable(body), indent=2) + "\n",
        ledger=ledger.location,
    )
    lines = [f"# ROI alerts {period}", "", f"As of seq {head.seq} (`{head.hash}`).", ""]
    lines += [
        f"- **{a['severity']}** {inline(a['pattern_id'])} — {a['alert_type']}"
        f" ({'new' if a['state'] == 'new' else 'firing since ' + str(a['since'])}): "
        f"{inline(a['message'])}"
        for a in alerts
    ] or ["No alerts."]
    if lifecycle["resolved"]:
        lines += ["", "Resolved since the last run:", ""]
        lines += [f"- {inline(a['pattern_id'])} — {a['alert_type']}" for a in lifecycle["resolved"]]
    write_atomically(stem.with_suffix(".md"), "\n".join(lines) + "\n", ledger=ledger.location)
    return [str(stem.with_suffix(".json")), str(stem.with_suffix(".md"))]


def portfolio_review(
    ledger: Ledger, fire: datetime, period: str, config: ScheduleConfig, as_of: str | None
) -> list[str]:
    """The month's portfolio review (JSON and Markdown), beside the month before."""
    from ledger.present.reports import period_review

    data = period_review.portfolio_review(ledger, period, as_of, now=fire)
    stem = config.reports / "roi" / f"portfolio-review-{period}"
    return _write_pair(ledger, stem, data, period_review.render_review(data))


def new_underperformers(
    ledger: Ledger, fire: datetime, period: str, config: ScheduleConfig, as_of: str | None
) -> list[str]:
    """The week's new underperformers (JSON and Markdown), against the week before."""
    from ledger.present.reports import period_review

    data = period_review.new_underperformers(ledger, period, as_of, now=fire)
    stem = config.reports / "roi" / f"new-underperformers-{period}"
    return _write_pair(ledger, stem, data, period_review.render_underperformers(data))


def _write_pair(ledger: Ledger, stem: Path, data: dict[str, Any], markdown: str) -> list[str]:
    json_path, md_path = stem.with_suffix(".json"), stem.with_suffix(".md")
    write_atomically(json_path, json.dumps(jsonable(data), indent=2) + "\n", ledger=ledger.location)
    write_atomically(md_path, markdown, ledger=ledger.location)
    return [str(json_path), str(md_path)]


def update_confidence(
    ledger: Ledger, fire: datetime, period: str, config: ScheduleConfig, as_of: str | None
) -> list[str]:
    """The closed loop; its changes are events of their own, so no file."""
    changed = [r for r in ledger.update_confidence() if r["changed"]]
    log.info("update-confidence %s: %d pattern(s) changed", period, len(changed))
    return []


def rescore(
    ledger: Ledger, fire: datetime, period: str, config: ScheduleConfig, as_of: str | None
) -> list[str]:
    """Re-score the opportunities file when it exists (unchanged predictions record nothing)."""
    source = Path(config.opportunities)
    if not source.exists():
        return []
    scored = ledger.score_opportunities(read_json(source, "opportunities"))
    out = Path(config.scored_output)
    write_atomically(
        out,
        json.dumps(jsonable(scored), indent=2, ensure_ascii=False) + "\n",
        ledger=ledger.location,
    )
    return [str(out)]


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
            _local_date, daily_summary, unlimited, days, window_end=_day_over),
        Job("weekly-summary", f"weekly, {config.weekly_summary_at}",
            at(week_h, week_m, week_day), _iso_week, weekly_summary, unlimited,
            lambda c: timedelta(weeks=c.max_catch_up + 1), window_end=_day_over),
        Job("roi-report", f"daily at {config.roi_report_at}", at(report_h, report_m),
            _local_date, roi_report, unlimited, days, as_of_fire=True),
        Job("portfolio-review", f"monthly, on the 1st at {config.portfolio_review_at}",
            at(review_h, review_m, monthday=1), _month_before, portfolio_review, unlimited,
            lambda c: timedelta(days=31 * (c.max_catch_up + 1)), window_end=_month_over),
        Job("new-underperformers", f"weekly, {config.new_underperformers_at}",
            at(under_h, under_m, under_day), _week_before, new_underperformers, unlimited,
            lambda c: timedelta(weeks=c.max_catch_up + 1), window_end=_week_over),
        Job("roi-alerts", f"every {every} min" if every < 60 else "hourly",
            # every N minutes of absolute time: kept in UTC, so clock changes cannot skip or
            # repeat a period (local-time cron loses hours across a fold)
            CronTrigger(minute=f"*/{every}" if every < 60 else "0", timezone=UTC),
            _utc_minute, roi_alerts, lambda c: max(1, 24 * 60 // c.alerts_every_minutes),
            one_day, as_of_fire=True, appends_events=True),
        Job("update-confidence", f"daily at {config.update_confidence_at}", at(conf_h, conf_m),
            _local_date, update_confidence, lambda c: 1, lambda c: timedelta(days=2),
            appends_events=True),
        Job("rescore", f"every {config.rescore_every_minutes} min (if the file exists)",
            IntervalTrigger(minutes=config.rescore_every_minutes, timezone=UTC),
            _utc_minute, rescore, lambda c: 1,
            lambda c: timedelta(minutes=2 * c.rescore_every_minutes), recorded=False),
    ]  # fmt: skip


def fire_times(trigger: Trigger, start: datetime, end: datetime) -> Iterator[datetime]:
    """Every fire time in [start, end], oldest first (stepping past repeats at DST folds).

    The cursor is ours: given a previous fire time, APScheduler 3 starts just after it and
    ignores `now`, and across a fold it can answer the same time again.
    """
    cursor = start
    previous = None
    while True:
        fire = trigger.get_next_fire_time(None, cursor)
        if fire is None or fire > end:
            return
        if previous is not None and fire <= previous:
            cursor += timedelta(minutes=1)  # APScheduler repeats a fire time across a fold
            continue
        yield fire
        previous = fire
        cursor = fire + timedelta(seconds=1)


def walk_start(first: datetime, zone: Any) -> datetime:
    """Where finding periods starts for a log whose first event happened at `first`: local
    midnight of the earlier of its UTC date and its local date.

    A summary covers UTC days but is named after its fire's local date, so the period
    holding the first event is named after that event's UTC date. East of UTC its local
    date is a day later (Kiritimati, +14: 12:00Z on 03-01 is 02:00 on 03-02 there); starting
    from that local midnight skipped the fire named 03-01 and left the event in no summary.
    """
    local = first.astimezone(zone)
    day = min(local.date(), first.astimezone(UTC).date())
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def missing(
    ledger: Ledger, job: Job, now: datetime, config: ScheduleConfig
) -> list[tuple[datetime, str]]:
    """Of the latest N periods due since the first event (looking back no further than the
    job's catch-up window), those the log has no report for."""
    first = ledger.first_occurred_at()
    if first is None:
        return []
    began = datetime.fromisoformat(first.replace("Z", "+00:00"))
    start = walk_start(began, config.zone)
    start = max(start, (now - job.lookback(config)).astimezone(config.zone))
    if job.as_of_fire:
        # A snapshot shows the ledger as it stood at its fire time. Before the first fact was
        # recorded it stood empty: on a backfilled ledger (record batch, import, demo) such
        # a period is not filed as an empty report, nor counted done; it has no snapshot.
        known = ledger.first_recorded_at()
        if known is not None:
            start = max(start, datetime.fromisoformat(known.replace("Z", "+00:00")))
    done = ledger.reports_produced(job.name) if job.recorded else set()
    first_fire: dict[str, datetime] = {}  # one fire per period: a local time can repeat
    for fire in fire_times(job.trigger, start, now):
        first_fire.setdefault(job.label(fire), fire)
    due = [
        (fire, period)
        for period, fire in first_fire.items()
        # a report of a stretch of days is due once its days are over, and only if they
        # reach the first thing that happened (a month before it would be an empty review)
        if job.window_end is None or began < job.window_end(fire) <= now
    ]
    return [(f, p) for f, p in due[-job.catch_up_limit(config) :] if p not in done]


def run_period(
    ledger: Ledger, job: Job, fire: datetime, period: str, config: ScheduleConfig
) -> list[str] | None:
    """Produce one period and record it; None when another scheduler already had.

    Everything happens under the ledger's write lock, in one transaction: the check that the
    period is still missing, the report computed from that snapshot (so its as_of is exact),
    the files written (atomically), and the ReportGenerated appended. A crash before the
    commit leaves no record, so the next run produces the period again.
    """
    assert job.produce is not None
    started = time.monotonic()
    as_of = format_timestamp(fire) if job.as_of_fire else None
    if not job.recorded:
        files = job.produce(ledger, fire, period, config, as_of)
        _log_run(job, period, files, started)
        return files
    key = f"report:{job.name}:{period}"
    early = job.produce(ledger, fire, period, config, as_of) if job.appends_events else None
    with ledger.unit_of_work() as uow:
        if uow.duplicate(key) is not None:
            log.info("%s %s already produced; skipped", job.name, period)
            return None
        head = ledger.head(as_of)  # inside this transaction: its as_of is exact
        files = early if early is not None else job.produce(ledger, fire, period, config, as_of)
        cmd = build_command(
            RecordReport,
            {
                "kind": job.name,
                "period": period,
                "as_of_seq": head.seq,
                "as_of_hash": head.hash,
                "files": files,
                "idempotency_key": key,
            },
        )
        ledger.dispatch(uow, cmd)
    _log_run(job, period, files, started)
    return files


def _log_run(job: Job, period: str, files: list[str], started: float) -> None:
    """One line per job run: what, which period, which files, how long."""
    elapsed = time.monotonic() - started
    log.info(
        "%s %s -> %s (%.2fs)", job.name, period, ", ".join(files) or "no file", elapsed,
        extra={"job": job.name, "period": period, "files": files,
               "duration_ms": round(elapsed * 1000, 3)},
    )  # fmt: skip


def catch_up(
    location: str | None,
    jobs: list[Job],
    now: datetime,
    config: ScheduleConfig,
    metrics: Metrics | None = None,
    on_period: Callable[[str, str], None] | None = None,
) -> list[dict[str, Any]]:
    """Produce every missing period of these jobs up to `now` (never ahead of the clock). A
    job that fails is logged and left for the next tick; the others go on. With the alerts
    job among them and a webhook set, then tell it of every undelivered alert transition;
    with `metrics` and a metrics file set, rewrite the file."""
    now = moment(now, recording=True)
    check_reports_dir(config)
    results: list[dict[str, Any]] = []
    with Ledger.open(location, create=False) as ledger:
        for job in jobs:
            started = time.monotonic()
            try:
                for fire, period in missing(ledger, job, now, config):
                    files = run_period(ledger, job, fire, period, config)
                    if files is not None and (job.recorded or files):
                        results.append({"job": job.name, "period": period, "files": files})
                    if metrics is not None:
                        metrics.job_run(job.name, time.monotonic() - started, failed=False)
                    if on_period is not None:
                        on_period(job.name, period)
                    started = time.monotonic()
            except (LedgerError, DomainError) as exc:
                log.error("%s failed: %s; it will be retried at the next tick", job.name, exc,
                          extra={"job": job.name, "error": str(exc)})  # fmt: skip
                results.append({"job": job.name, "error": str(exc)})
                if metrics is not None:
                    metrics.job_run(job.name, time.monotonic() - started, failed=True)
            except Exception as exc:
                log.exception("%s failed; it will be retried at the next tick", job.name,
                              extra={"job": job.name})  # fmt: skip
                results.append({"job": job.name, "error": f"{type(exc).__name__}: {exc}"})
                if metrics is not None:
                    metrics.job_run(job.name, time.monotonic() - started, failed=True)
        hook = config.webhook()
        if hook is not None and any(job.name == "roi-alerts" for job in jobs):
            _deliver(ledger, hook, metrics)
        if metrics is not None and config.metrics_file:
            from ledger.interfaces.metrics import write_textfile

            metrics.current = ledger
            try:
                write_textfile(metrics, config.metrics_file, ledger.location)
            finally:
                metrics.current = None
    return results


def _deliver(ledger: Ledger, hook: Any, metrics: Metrics | None) -> None:
    """Tell the webhook of every undelivered alert transition (never fatal to the tick)."""
    from ledger.app.alerting import deliver_pending

    def counted(ok: bool) -> None:
        if metrics is not None:
            metrics.deliveries.labels("delivered" if ok else "failed").inc()

    try:
        deliver_pending(ledger, hook, on_result=counted)
    except (LedgerError, DomainError) as exc:
        log.error("alert delivery stopped: %s; it will be retried at the next tick", exc)


def check_reports_dir(config: ScheduleConfig) -> None:
    """The reports folder can be created and written into, or one input error saying why."""
    import tempfile

    folder = config.reports
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise InputError(
            f"reports_dir: cannot write into {folder}: {exc.strerror or exc}; "
            "choose a folder you can write to (--reports-dir or ROI_LEDGER_REPORTS_DIR)",
            {"field": "reports_dir", "value": str(folder)},
        ) from None
