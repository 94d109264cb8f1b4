"""`schedule run`: APScheduler 3 in the foreground, driven by what the log says is missing."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from datetime import datetime
from types import FrameType
from typing import Any

from ledger.interfaces.scheduler.config import ScheduleConfig
from ledger.interfaces.scheduler.jobs import catch_up
from ledger.interfaces.scheduler.timetable import Job, build_jobs

log = logging.getLogger("roi_ledger.scheduler")

WallClock = Callable[[], datetime]
"""The time now, for deciding which jobs are due (a test hands a fixed one)."""


def run_forever(location: str | None, config: ScheduleConfig, clock: WallClock) -> None:
    """Catch up, then run every job on its trigger plus a catch-up sweep each tick, until
    SIGINT or SIGTERM (a running job is allowed to finish)."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.blocking import BlockingScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    metrics = None
    if config.metrics_file:
        from ledger.interfaces.metrics import Metrics

        metrics = Metrics()
        metrics.watch_current()
    jobs = build_jobs(config)
    scheduler = BlockingScheduler(
        timezone=config.zone,
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(max_workers=1)},  # jobs never overlap
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )

    def run(selected: list[Job]) -> None:
        catch_up(location, selected, clock(), config, metrics)

    for job in jobs:
        scheduler.add_job(run, job.trigger, args=[[job]], id=job.name, name=job.name)
    scheduler.add_job(
        run,
        IntervalTrigger(seconds=config.tick_seconds, timezone=config.zone),
        args=[jobs],
        id="catch-up",
        name="catch-up",
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        log.info("received %s: stopping after the running job", signal.Signals(signum).name)
        scheduler.shutdown(wait=True)

    previous: dict[int, Any] = {
        sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)
    }
    log.info(
        "scheduler starting (timezone %s, reports in %s); catching up first",
        config.timezone,
        config.reports_dir,
    )
    try:
        run(jobs)  # what `schedule catch-up` does, before the first trigger
        scheduler.start()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.info("scheduler stopped")
