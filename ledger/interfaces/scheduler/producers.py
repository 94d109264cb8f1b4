"""What each scheduled job writes for one period: (ledger, fire time, period, settings,
as_of) -> the paths of its files. Each is a few lines over the ledger's own reads and
writers (ledger/app/); the scheduler adds where the files go."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ledger.app.alert_report import alert_report
from ledger.app.facade import Ledger
from ledger.app.filing import write_pair
from ledger.app.scored_file import score_and_write
from ledger.core.inputs import read_json
from ledger.core.outputs import write_atomically
from ledger.interfaces.scheduler.config import ScheduleConfig
from ledger.present.reports import period_review

log = logging.getLogger("roi_ledger.scheduler")

Producer = Callable[[Ledger, datetime, str, ScheduleConfig, str | None], list[str]]
"""Writes a period's files: (ledger, fire time, period, settings, as_of) -> paths."""


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
    """The alerts as the ledger stood at the fire time, as JSON and Markdown, with their
    lifecycle settled in the log (ledger/app/alert_report.py)."""
    return alert_report(
        ledger, fire, period, config.reports / "alerts" / f"roi-alerts-{period}", as_of
    )


@dataclass(frozen=True)
class PeriodReview:
    """A review of a past period (ledger/present/reports/period_review.py), filed as
    `roi/<name>-<period>` in JSON and Markdown."""

    name: str
    gather: Callable[..., dict[str, Any]]
    """(ledger, period, as_of, now=fire) -> the review's figures."""
    render: Callable[[dict[str, Any]], str]
    """The figures as Markdown."""

    def __call__(
        self,
        ledger: Ledger,
        fire: datetime,
        period: str,
        config: ScheduleConfig,
        as_of: str | None,
    ) -> list[str]:
        data = self.gather(ledger, period, as_of, now=fire)
        stem = config.reports / "roi" / f"{self.name}-{period}"
        return write_pair(ledger.location, stem, data, self.render(data))


portfolio_review = PeriodReview(
    "portfolio-review", period_review.portfolio_review, period_review.render_review
)
"""The month's portfolio review (JSON and Markdown), beside the month before."""

new_underperformers = PeriodReview(
    "new-underperformers", period_review.new_underperformers, period_review.render_underperformers
)
"""The week's new underperformers (JSON and Markdown), against the week before."""


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
    out = Path(config.scored_output)
    score_and_write(ledger, read_json(source, "opportunities"), out)
    return [str(out)]
