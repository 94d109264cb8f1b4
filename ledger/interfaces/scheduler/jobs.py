"""Running the scheduled jobs: which of their periods are missing from the log, and each one
produced and filed once (ledger/app/filing.py), failures logged and left for the next tick.

The jobs themselves, their triggers and how their periods are named: timetable.py.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from commands.base import DomainError
from events.timeutil import format_timestamp
from ledger.app.facade import Ledger
from ledger.app.filing import file_report
from ledger.core.moments import moment
from ledger.errors import InputError, LedgerError
from ledger.interfaces.scheduler.config import ScheduleConfig
from ledger.interfaces.scheduler.timetable import Job, Trigger
from ledger.interfaces.scheduler.timetable import build_jobs as build_jobs  # for cli/schedule.py

if TYPE_CHECKING:
    from ledger.interfaces.metrics import Metrics

log = logging.getLogger("roi_ledger.scheduler")


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
    first = ledger.service.first_occurred_at()
    if first is None:
        return []
    began = datetime.fromisoformat(first.replace("Z", "+00:00"))
    start = walk_start(began, config.zone)
    start = max(start, (now - job.lookback(config)).astimezone(config.zone))
    if job.as_of_fire:
        # A snapshot shows the ledger as it stood at its fire time. Before the first fact was
        # recorded it stood empty: on a backfilled ledger (record batch, import, demo) such
        # a period is not filed as an empty report, nor counted done; it has no snapshot.
        known = ledger.service.first_recorded_at()
        if known is not None:
            start = max(start, datetime.fromisoformat(known.replace("Z", "+00:00")))
    done = ledger.service.reports_produced(job.name) if job.recorded else set()
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
    """Produce one period and, for a recorded job, file it in the log (`file_report`: all in
    one transaction under the write lock); None when another scheduler already had."""
    assert job.produce is not None
    produce = job.produce
    started = time.monotonic()
    as_of = format_timestamp(fire) if job.as_of_fire else None

    def files() -> list[str]:
        return produce(ledger, fire, period, config, as_of)

    if job.recorded:
        written = file_report(
            ledger.service, job.name, period, as_of, files, appends_events=job.appends_events
        )
        if written is None:
            log.info("%s %s already produced; skipped", job.name, period)
            return None
    else:
        written = files()
    _log_run(job, period, written, started)
    return written


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
