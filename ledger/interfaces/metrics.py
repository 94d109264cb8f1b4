"""Prometheus metrics: what `serve` exposes at `/metrics` and `schedule run --metrics-file`
writes for node_exporter's textfile collector.

Two kinds. The process's own counters (requests, appends, refusals, job runs) live in a
`Metrics` object per app or scheduler. The ledger's state (head, last verify, alerts, each
job's last period) and the business figures (per pattern: savings, ROI, success rate; per
source: conversion) are read from the ledger at scrape time, as of one head, so they equal
the API's JSON at that head. Labels are pattern ids and source types — as many series as
the ledger has patterns and sources (at most `MAX_SERIES` each; the rest are left out and
counted in `roi_ledger_series_dropped`).

Imported only by `serve` and the scheduler: recording from the shell never loads
prometheus_client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from events.timeutil import parse_timestamp, utc_now

if TYPE_CHECKING:
    from ledger.app.facade import Ledger

disable_created_metrics()  # type: ignore[no-untyped-call] # a `_created` twin of every counter only doubles the series

MAX_SERIES = 1000
"""Most patterns (and most sources) given a series each; more would swamp a Prometheus."""

DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
JOB_BUCKETS = (0.1, 0.5, 1, 5, 15, 60, 300, 900)


class Metrics:
    """One process's counters, in their own registry (several apps in one process — the
    tests — never share counts)."""

    current: Ledger | None = None
    """The ledger the scheduler has open while it writes its textfile (`watch_current`)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "roi_ledger_http_requests", "HTTP requests answered, by route template, method and "
            "status.", ["route", "method", "status"], registry=r,
        )  # fmt: skip
        self.latency = Histogram(
            "roi_ledger_http_request_duration_seconds", "Time to answer an HTTP request.",
            ["route", "method"], buckets=DURATION_BUCKETS, registry=r,
        )  # fmt: skip
        self.appends = Counter(
            "roi_ledger_appends", "Commands that appended events, by command.", ["command"],
            registry=r,
        )  # fmt: skip
        self.refusals = Counter(
            "roi_ledger_refusals", "Commands refused, by command and HTTP status.",
            ["command", "status"], registry=r,
        )  # fmt: skip
        self.retries = Counter(
            "roi_ledger_idempotent_retries", "Commands whose idempotency key had already "
            "recorded them (nothing appended), by command.", ["command"], registry=r,
        )  # fmt: skip
        self.job_runs = Counter(
            "roi_ledger_job_runs", "Scheduler job runs, by job.", ["job"], registry=r
        )
        self.job_failures = Counter(
            "roi_ledger_job_failures", "Scheduler job runs that failed, by job.", ["job"],
            registry=r,
        )  # fmt: skip
        self.job_duration = Histogram(
            "roi_ledger_job_duration_seconds", "How long a scheduler job's run took.", ["job"],
            buckets=JOB_BUCKETS, registry=r,
        )  # fmt: skip
        self.deliveries = Counter(
            "roi_ledger_alert_deliveries", "Alert webhook deliveries, by result (delivered, "
            "failed: left for the next run).", ["result"], registry=r,
        )  # fmt: skip

    def watch(self, ledger: Callable[[], Ledger | None]) -> None:
        """Read the ledger's state and figures on every scrape."""
        self.registry.register(LedgerCollector(ledger))

    def watch_current(self) -> None:
        """Read the ledger's figures from whichever ledger `current` names (the scheduler
        opens one per run)."""
        self.watch(lambda: self.current)

    def job_run(self, job: str, seconds: float, failed: bool) -> None:
        """Count one scheduler job run (a period produced, or a failure) and its time."""
        self.job_runs.labels(job).inc()
        self.job_duration.labels(job).observe(seconds)
        if failed:
            self.job_failures.labels(job).inc()

    def command(self, name: str, result: dict[str, Any] | None, status: int | None) -> None:
        """Count one command: appended, an idempotent retry, or refused with `status`."""
        if result is None:
            self.refusals.labels(name, str(status)).inc()
        elif result.get("duplicate"):
            self.retries.labels(name).inc()
        else:
            self.appends.labels(name).inc()

    def exposition(self) -> bytes:
        """The text format of everything registered."""
        from prometheus_client import generate_latest

        return generate_latest(self.registry)


class LedgerCollector(Collector):
    """The ledger's state and business figures, read on each collect."""

    def __init__(self, ledger: Callable[[], Ledger | None]) -> None:
        self.ledger = ledger

    def collect(self) -> Iterator[Metric]:
        ledger = self.ledger()
        if ledger is None:
            return
        yield from ledger_metrics(ledger, utc_now())


def _gauge(name: str, doc: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, labels=labels)


def _age(now: datetime, stamp: str | None) -> float | None:
    if stamp is None:
        return None
    return max(0.0, (now - parse_timestamp(stamp)).total_seconds())


def _number(value: Any) -> float | None:
    """A figure as a float sample; None (no sample) where the figure is undefined."""
    if value is None:
        return None
    number = float(Decimal(str(value)))
    return number if number == number and abs(number) != float("inf") else None


def ledger_metrics(ledger: Ledger, now: datetime) -> Iterator[Metric]:
    """Every ledger-derived family, as of one head."""
    from projections.alerts import list_alerts, transitions

    head = ledger.head()
    with ledger.service.reading(head.seq) as db:
        verify = db.execute(
            "SELECT ok, verified_at, head_seq FROM last_verify WHERE id = 1"
        ).fetchone()
        alarm = ledger.service.log.alarm(db)
        periods = db.execute(
            "SELECT kind, max(recorded_at) FROM report_periods GROUP BY kind ORDER BY kind"
        ).fetchall()
        firing = len(list_alerts(db, "firing"))
        pending = len(transitions(db, undelivered=True, limit=MAX_SERIES))
    g = _gauge("roi_ledger_head_seq", "The seq of the newest event in the log.")
    g.add_metric([], head.seq)
    yield g
    g = _gauge("roi_ledger_integrity_alarm", "1 while the log is known to be broken (run verify).")
    g.add_metric([], 1 if alarm else 0)
    yield g
    if verify is not None:
        g = _gauge("roi_ledger_last_verify_ok", "1 if the newest `verify` passed, else 0.")
        g.add_metric([], int(verify[0]))
        yield g
        g = _gauge("roi_ledger_last_verify_age_seconds", "Seconds since the newest `verify`.")
        g.add_metric([], _age(now, verify[1]) or 0.0)
        yield g
        g = _gauge("roi_ledger_last_verify_head_seq", "The head the newest `verify` reached.")
        g.add_metric([], int(verify[2]))
        yield g
    g = _gauge(
        "roi_ledger_job_last_period_age_seconds",
        "Seconds since each scheduled job last recorded a period (ReportGenerated).",
        ["job"],
    )
    for kind, recorded_at in periods:
        g.add_metric([kind], _age(now, recorded_at) or 0.0)
    yield g
    g = _gauge("roi_ledger_alerts_firing", "Alerts firing now (raised and not resolved).")
    g.add_metric([], firing)
    yield g
    g = _gauge(
        "roi_ledger_alert_deliveries_pending",
        "Alert raisings and resolutions no webhook has been told of yet.",
    )
    g.add_metric([], pending)
    yield g
    yield from _business(ledger, head.seq)


_PATTERN_FIGURES = (
    ("roi_ledger_pattern_executions", "Executions recorded (retractions excluded).",
     "total_executions", 1),
    ("roi_ledger_pattern_success_ratio", "Successful ÷ total executions (0..1).",
     "success_rate", 1),
    ("roi_ledger_pattern_cost_saved_usd", "Total cost saved (the source's rule), USD.",
     "total_cost_saved_usd", 1),
    ("roi_ledger_pattern_time_saved_seconds", "Total time saved, seconds.",
     "total_time_saved_seconds", 1),
    ("roi_ledger_pattern_roi_ratio", "ROI ÷ 100: cost saved ÷ actual cost of successful runs "
     "(no sample when nothing was spent).", "roi_percentage", 100),
    ("roi_ledger_pattern_net_cost_saved_usd", "Cost saved − failed runs' cost, USD.",
     "net_cost_saved_usd", 1),
)  # fmt: skip
_SOURCE_FIGURES = (
    ("roi_ledger_source_decisions", "Decisions logged.", "total_decisions", 1),
    ("roi_ledger_source_customers", "Decisions that acquired a customer.", "total_customers", 1),
    ("roi_ledger_source_conversion_ratio", "Customers ÷ decisions (0..1).", "conversion_rate",
     100),
    ("roi_ledger_source_revenue_usd", "Revenue from its decisions' outcomes, USD.",
     "total_revenue", 1),
)  # fmt: skip


def _business(ledger: Ledger, seq: int) -> Iterator[Metric]:
    """Per pattern and per source, the figures `roi summary` and `decisions conversions
    --by source` show at the same head."""
    patterns = ledger.roi_summary(as_of=seq)
    sources = ledger.conversion_metrics("source", as_of=seq)
    dropped = max(0, len(patterns) - MAX_SERIES) + max(0, len(sources) - MAX_SERIES)
    for rows, label, key, figures in (
        (patterns[:MAX_SERIES], "pattern_id", "pattern_id", _PATTERN_FIGURES),
        (sources[:MAX_SERIES], "source", "source_type", _SOURCE_FIGURES),
    ):
        for name, doc, field, scale in figures:
            g = _gauge(name, doc, [label])
            for row in rows:
                value = _number(row[field])
                if value is not None:
                    g.add_metric([str(row[key])], value / scale)
            yield g
    g = _gauge("roi_ledger_series_dropped", f"Patterns and sources past the first {MAX_SERIES}.")
    g.add_metric([], dropped)
    yield g


def write_textfile(metrics: Metrics, path: str, ledger: str | None) -> None:
    """Write the exposition atomically (node_exporter must never read half a file), never
    onto the ledger or another database; a failure is logged, never fatal to the
    scheduler."""
    import logging
    from pathlib import Path

    from ledger.core.outputs import write_atomically
    from ledger.errors import LedgerError

    try:
        text = metrics.exposition().decode("utf-8")
        write_atomically(Path(path), text, ledger=ledger, field="metrics_file")
    except LedgerError as exc:
        logging.getLogger("roi_ledger.scheduler").error("%s", exc.message)
