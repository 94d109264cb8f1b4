"""The dashboard's ROI pages: the portfolio (KPIs of the window shown beside the one before,
success rates, savings per week, every pattern, the alerts) and one pattern's page (its
KPIs, recommendations, trend and recent executions)."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING, Any

from fastapi.responses import HTMLResponse

from ledger.errors import InputError
from ledger.interfaces.http.page_frame import head_line, page
from ledger.interfaces.http.page_parts import (
    Card,
    Column,
    difference,
    interval,
    kpi,
    kpis,
    paragraphs,
    prose,
    table,
    when,
)
from ledger.interfaces.http.params import path_segment
from ledger.interfaces.http.shown import (
    Shown,
    controls,
    csv_link,
    dates,
    link,
    window_name,
    windows,
)
from ledger.present import charts
from ledger.present.charts import Bar
from projections.formats import money, percent

if TYPE_CHECKING:
    from ledger.app.facade import Ledger
    from ledger.core.periods import Window

PERIODS = ("day", "week", "month")
"""The buckets of a pattern's trend (`per`; `period=day|week|month` still names one)."""

NO_WINDOW = {"period": None, "since": None, "until": None}
"""Link changes for a read that takes no window (alerts, a report's recent executions)."""


WINDOW_CARDS = (
    Card("executions", "total_executions"),
    Card("cost saved", "cost_saved_usd", "$"),
    Card("success rate", "success_rate", "pt"),
    Card("ROI", "roi_percentage", "pt%"),
)
"""The portfolio's KPIs over the window shown (`dashboard`'s `window.current`)."""

PATTERN_CARDS = (
    Card("ROI", "roi_percentage", "pt%"),
    Card("success rate", "success_rate", "pt"),
    Card("executions", "total_executions"),
    Card("cost saved", "total_cost_saved_usd", "$"),
)
"""A pattern's KPIs over the window shown (its rating goes second)."""

TREND_CHARTS = (
    ("Success rate", "success_rate", "rate", ""),
    ("Cost saved", "cost_saved_usd", "$", " (USD)"),
)
"""A pattern's trend charts: the figure charted, its key, its unit, the heading's note."""

EXECUTION_COLUMNS: tuple[Column, ...] = (
    ("executed", lambda e: when(str(e.get("executed_at", "")))),
    ("success", lambda e: "yes" if e.get("success") else "no"),
    ("seconds", lambda e: escape(str(e.get("execution_time_seconds")))),
    ("cost", lambda e: money(e.get("actual_cost"))),
)
"""A pattern's recent executions (`roi_report`'s `executions`)."""


def summary_columns(shown: Shown) -> tuple[Column, ...]:
    """The portfolio's table of patterns (`roi_summary`), each linked to its page."""
    return (
        ("pattern", lambda r: link(pattern_path(r["pattern_id"]), r["pattern_id"], shown)),
        ("ROI", lambda r: percent(r["roi_percentage"])),
        ("rating", lambda r: r["effectiveness_rating"]),
        ("success rate", lambda r: percent(r["success_rate"], scale=100)),
        ("executions", lambda r: str(r["total_executions"])),
        ("saved", lambda r: money(r["total_cost_saved_usd"])),
    )


def portfolio(led: Ledger, shown: Shown) -> HTMLResponse:
    """The portfolio page, every figure from one snapshot of the ledger."""
    with led.snapshot(shown.as_of) as view:  # one snapshot for every figure below
        dash = view.dashboard(
            now=shown.now, since=shown.since, until=shown.until, period=shown.period
        )
        summary = view.roi_summary(**shown.window())
        alerts = view.alerts(now=shown.now)
        weekly = view.portfolio_trend("week")
    name = shown.called(dash["window"]["window"])
    body = [head_line(dash, shown.as_of), "<h1>Portfolio</h1>", controls("/", shown)]
    body.append(_portfolio_kpis(dash))
    body.append(f"<h2>Success rate by pattern, {escape(name)} (with its 95% Wilson interval)</h2>")
    body.append(
        charts.bars(
            "Success rate by pattern",
            [
                Bar(r["pattern_id"], r["success_rate"], interval(r["success_rate_interval"]))
                for r in summary
            ],
            scale=1,
            unit="rate",
        )
    )
    body.append("<h2>Cost saved per week, all patterns (USD, by when the runs happened)</h2>")
    body.append(
        charts.line(
            "Cost saved per week",
            [(w["period"], w["cost_saved_usd"]) for w in weekly],
            unit="$",
        )
        if weekly
        else "<p>No executions yet.</p>"
    )
    body.append(
        f"<h2>Patterns, {escape(name)} "
        f"{csv_link('/api/roi-tracking/summary', shown, now=None)}</h2>"
    )
    body.append(table(summary_columns(shown), summary))
    alerts_csv = csv_link("/api/roi-tracking/alerts", shown, **NO_WINDOW)
    body.append(f"<h2>Alerts (at the point shown) {alerts_csv}</h2>")
    body.append(
        paragraphs(
            [
                f"<b>{escape(a['severity'])}</b> {escape(a['pattern_id'])}: {escape(a['message'])}"
                for a in alerts
            ],
            "No alerts.",
            'class="alert"',
        )
    )
    return page("Portfolio", body, shown)


def _portfolio_kpis(dash: dict[str, Any]) -> str:
    """The portfolio's KPIs over the window shown (the last 30 days unless one is chosen),
    each with its change against the window before (of the same kind, or length)."""
    shown = dash["window"]
    current, change = shown["current"], shown["change"] or {}
    before = shown["compared_with"]
    label = shown["window"]["period"]
    against = None if before is None else before["period"].removesuffix(" " + label)
    called = f", {window_name(shown['window'])}"
    cards = [c.of(current, change.get(c.key), against, called) for c in WINDOW_CARDS]
    return kpis(kpi("patterns tracked", str(dash["total_patterns"])), *cards)


def bucket(per: str | None, period: str | None) -> tuple[str, str | None]:
    """The trend's bucket (`per`) and the window's period: an older link names the bucket
    in `period`; a bucket other than day, week or month is refused."""
    if per is None and period in PERIODS:  # the trend's bucket, as older links name it
        per, period = period, None
    per = per or "day"
    if per not in PERIODS:
        raise InputError(
            f"per: the trend's bucket is day, week or month (got {per[:20]!r})",
            {"field": "per"},
        )
    return per, period


def pattern(led: Ledger, pattern_id: str, per: str, shown: Shown) -> HTMLResponse:
    """One pattern's page: the window shown beside the one before, its trend per `per`."""
    with led.snapshot(shown.as_of) as view:  # a bad as_of is named before a bad window
        span, before = windows(led, shown)
        report = view.roi_report(pattern_id, now=shown.now, executions=20)
        trend = view.trend(pattern_id, per)
        current = view.pattern_roi(pattern_id, **dates(span))
        prior = None if before is None else view.pattern_roi(pattern_id, **dates(before))
    name = shown.called(span.as_json())
    body = [head_line(report, shown.as_of), f"<h1>Pattern {escape(pattern_id)}</h1>"]
    body.append(controls(pattern_path(pattern_id), shown, {"per": per}))
    against = None if before is None else before.label
    body.append(f"<h2>{escape(name)}</h2>")
    cards = [c.of(current, _change(current, prior, c.key), against) for c in PATTERN_CARDS]
    rating = current["effectiveness_rating"]
    was = "" if prior is None else f" (was {prior['effectiveness_rating']})"
    cards.insert(1, kpi("rating", rating + was))
    body.append(kpis(*cards))
    body.append(
        "".join(f"<p><b>Recommendation.</b> {prose(r)}</p>" for r in report["recommendations"])
    )
    receipt = f"/api/roi-tracking/explain/{path_segment(pattern_id)}"
    body.append(
        "<p>"
        + link(receipt, "Receipt: each figure's formula, its numbers and its events", shown)
        + " (JSON)</p>"
    )
    links = " · ".join(link(pattern_path(pattern_id), p, shown, per=p) for p in PERIODS)
    body.append(f"<p>Trend per {links}</p>")
    if shown.windowed:
        trend = [t for t in trend if _starts_in(span, t["start"])]
    for figure, key, unit, heading in TREND_CHARTS:
        body.append(f"<h2>{escape(figure)} per {escape(per)}{heading}</h2>")
        points = [(t["period"], t[key]) for t in trend]
        body.append(charts.line(f"{figure} per {per}", points, unit=unit))
    report_csv = f"/api/roi-tracking/report/{path_segment(pattern_id)}"
    body.append(f"<h2>Recent executions {csv_link(report_csv, shown, **NO_WINDOW)}</h2>")
    body.append(table(EXECUTION_COLUMNS, report["executions"]))
    return page(f"Pattern {pattern_id}", body, shown)


def _change(current: dict[str, Any], prior: dict[str, Any] | None, key: str) -> Any:
    """The change of a pattern's figure on the window before; a success rate's is unknown
    when either window had no runs."""
    if key == "success_rate" and (
        prior is None or 0 in (current["total_executions"], prior["total_executions"])
    ):
        return None
    return difference(current, prior, key)


def _starts_in(span: Window, day: str) -> bool:
    """Whether a trend bucket starting on `day` starts inside the window."""
    return span.holds(datetime.fromisoformat(day).replace(tzinfo=UTC))


def pattern_path(pattern_id: str) -> str:
    """A pattern's page."""
    return f"/patterns/{path_segment(pattern_id)}"
