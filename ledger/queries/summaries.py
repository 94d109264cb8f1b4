"""The source's daily and weekly decision summaries: decisions, outcomes, revenue, the top
outcome and key insights of a span of UTC days (README "Decisions and outcomes")."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ledger.core.moments import Day, summary_day
from ledger.errors import InputError
from ledger.queries.context import Read, run
from ledger.queries.decisions import groups, time_rows

if TYPE_CHECKING:
    from ledger.core.moments import AsOf
    from ledger.core.service import LedgerCore


def over(last: date, what: str) -> bool:
    """Whether a summary's last day (UTC) is over: today's is a summary so far (the source
    runs the daily one at 23:59); a day still to come is refused, since a summary of it
    would be filed as if it were complete."""
    from events.timeutil import utc_now

    today = utc_now().date()
    if last > today:
        raise InputError(
            f"date: {last} has not come yet (today is {today}, UTC), so a summary of that "
            f"{what} would miss everything still to happen in it; give a date up to today",
            {"field": "date", "value": last.isoformat()},
        )
    return last < today


def daily(service: LedgerCore, day: Day = None, as_of: AsOf = None) -> dict[str, Any]:
    """Decisions, outcomes, revenue, the top outcome and key insights of one UTC day."""
    when = summary_day(day)
    complete = over(when, "day")
    heading = f"Date: {when}" + ("" if complete else " (so far: the day is not over)")
    period = {"date": when.isoformat(), "complete": complete}
    return run(service, summary, as_of, None, when, when, period, heading)


def weekly(service: LedgerCore, day: Day = None, as_of: AsOf = None) -> dict[str, Any]:
    """The same for the 7 days ending on `day`, named by exactly the days it covers: the
    ISO week when they are one (Monday to Sunday), else the range."""
    end = summary_day(day)
    complete = over(end, "week")
    start = end - timedelta(days=6)
    year, week, weekday = end.isocalendar()
    label = f"{year}-W{week:02d}" if weekday == 7 else f"{start}_{end}"
    heading = f"Week: {label} ({start} – {end})"
    heading += "" if complete else " (so far: its last day is not over)"
    period = {"week": label, "start": start.isoformat(), "end": end.isoformat()}
    return run(service, summary, as_of, None, start, end, {**period, "complete": complete},
               heading)  # fmt: skip


def summary(
    read: Read, first: date, last: date, period: dict[str, Any], heading: str
) -> dict[str, Any]:
    """The summary of the days `first`..`last`, labelled `period` and headed `heading`."""
    from projections import conversions, insights, summaries

    db, head = read.db, read.head
    made, outcomes = summaries.period_rows(db, first, last)
    summaries.mark_firsts(db, outcomes)
    found = groups(db)
    timing = time_rows(db, "type", None, last.isoformat())
    body = summaries.summarise(
        made, outcomes, insights.generate(found, timing), conversions.conversion_metrics(found)
    )
    return {
        **period,
        **body,
        "performance_summary": summaries.performance_text(heading, body),
        "as_of_seq": head.seq,
        "as_of_hash": head.hash,
        "files": [],
    }
