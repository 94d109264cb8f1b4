"""The dashboard: server-rendered HTML pages with SVG charts, no JavaScript, nothing fetched
from elsewhere. Each page reads through the same `Ledger` methods as the JSON API, takes
`as_of` (and `now`), and says which head of the log its figures come from.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response

from events.timeutil import format_timestamp
from ledger.interfaces.http.params import ledger_of, path_segment
from ledger.present import charts
from ledger.present.charts import Bar
from projections.formats import change, money, number, percent
from projections.insights import describe_evidence

if TYPE_CHECKING:
    from ledger.core.periods import Window

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{background:#1f3a5f;color:#fff;padding:.6rem 1.2rem}header a{color:#fff;margin-right:1rem}
main{padding:1rem 1.2rem;max-width:1320px}time span{white-space:nowrap}code{overflow-wrap:anywhere}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}
.head{font-size:.85rem;color:#444}.kpis{display:flex;flex-wrap:wrap;gap:.8rem}
.kpi{background:#fff;border:1px solid #ccc;padding:.5rem .8rem;min-width:10rem}
.kpi b{display:block;font-size:1.3rem}table{border-collapse:collapse;background:#fff}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
svg text{font-size:12px;fill:#1b1b1b}svg rect{fill:#3b6ea5}svg .interval,svg polyline,
svg .axis,svg .diagonal{stroke:#1b1b1b;stroke-width:1.5;fill:none}svg circle{fill:#b5531f}
svg .frame{fill:none;stroke:#999}
svg.chart{max-width:960px;display:block}svg.narrow{display:none}
.alert{border-left:4px solid #b5531f;padding-left:.5rem}
.note{font-size:.85rem;color:#444}.periods{margin:.4rem 0}
.controls{margin:.4rem 0;font-size:.9rem}.controls input{width:9rem}
.up{color:#1d6b2f}.down{color:#a3261b}a.download{font-size:.8rem;font-weight:400}
td.good{color:#1d6b2f;font-weight:600}td.warn{color:#8a5a00;font-weight:600}
td.bad{color:#a3261b;font-weight:600}td.info{color:#1f3a5f}
@media (max-width:640px){main{padding:.6rem}td,th{padding:.2rem .3rem;font-size:.8rem}
td{overflow-wrap:anywhere}.kpi{min-width:8rem}svg.wide{display:none}svg.narrow{display:block}}
"""

PAGE = 20
"""Events on a page of the ledger page."""

PERIODS = ("day", "week", "month")
"""The buckets of a pattern's trend (`per`; `period=day|week|month` still names one)."""

PRESETS = (
    ("All time", None),
    ("This month", "this-month"),
    ("Last month", "last-month"),
    ("Last 30 days", "last-30d"),
    ("Last 90 days", "last-90d"),
)
"""The period selector's links; any other window goes in the form or the URL."""


class Shown(NamedTuple):
    """What a page shows: the point of the log (`as_of`, a seq or recording time), the
    moment windows count back from (`now`), and a window of business time (`period`, or
    `since`/`until`). Empty form fields count as not given."""

    as_of: str | None = None
    now: str | None = None
    period: str | None = None
    since: str | None = None
    until: str | None = None

    @classmethod
    def of(cls, *values: str | None) -> Shown:
        return cls(*((v.strip() or None) if v is not None else None for v in values))

    @property
    def windowed(self) -> bool:
        return any((self.period, self.since, self.until))

    def window(self) -> dict[str, str | None]:
        """The window's keyword arguments for a `Ledger` read."""
        return {"since": self.since, "until": self.until, "period": self.period, "now": self.now}

    def query(self, **changes: str | None) -> dict[str, str]:
        """This state as URL parameters, with `changes` (None drops one)."""
        values = {**self._asdict(), **changes}
        return {k: v for k, v in values.items() if v is not None}


FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
    '<rect width="16" height="16" rx="3" fill="#1f6f43"/>'
    '<rect x="3" y="9" width="2.5" height="4" fill="#fff"/>'
    '<rect x="6.75" y="6" width="2.5" height="7" fill="#fff"/>'
    '<rect x="10.5" y="3" width="2.5" height="10" fill="#fff"/></svg>'
)


def mount(app: FastAPI) -> None:
    """Add the dashboard's pages to the app."""

    @app.get("/favicon.svg", include_in_schema=False)
    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        """The tab's icon: a rising bar chart (no 404 on every page)."""
        return Response(FAVICON, media_type="image/svg+xml",
                        headers={"Cache-Control": "max-age=86400"})  # fmt: skip

    @app.get("/", include_in_schema=False, response_class=HTMLResponse)
    def portfolio(
        request: Request,
        as_of: str | None = None,
        now: str | None = None,
        period: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> HTMLResponse:
        shown = Shown.of(as_of, now, period, since, until)
        led = ledger_of(request)
        view = led.view(shown.as_of)
        with view.reading():  # one snapshot for every figure below
            dash = view.dashboard(
                now=shown.now, since=shown.since, until=shown.until, period=shown.period
            )
            summary = view.roi_summary(**shown.window())
            alerts = view.alerts(now=shown.now)
            weekly = view.portfolio_trend("week")
        name = _name(dash["window"]["window"]) if shown.windowed else "all time"
        body = [_head(dash, request, shown.as_of), "<h1>Portfolio</h1>", _controls("/", shown)]
        body.append(_kpis(dash))
        body.append(
            f"<h2>Success rate by pattern, {escape(name)} (with its 95% Wilson interval)</h2>"
        )
        body.append(
            charts.bars(
                "Success rate by pattern",
                [
                    Bar(r["pattern_id"], r["success_rate"], _pair(r["success_rate_interval"]))
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
            f"{_download('/api/roi-tracking/summary', shown, now=None)}</h2>"
        )
        body.append(
            _table(
                ["pattern", "ROI", "rating", "success rate", "executions", "saved"],
                [
                    [
                        _link(_pattern_path(r["pattern_id"]), r["pattern_id"], shown),
                        percent(r["roi_percentage"]),
                        r["effectiveness_rating"],
                        percent(r["success_rate"], scale=100),
                        str(r["total_executions"]),
                        money(r["total_cost_saved_usd"]),
                    ]
                    for r in summary
                ],
            )
        )
        body.append(
            "<h2>Alerts (at the point shown) "
            f"{_download('/api/roi-tracking/alerts', shown, period=None, since=None, until=None)}"
            "</h2>"
        )
        body.append(
            _paragraphs(
                [
                    f"<b>{escape(a['severity'])}</b> {escape(a['pattern_id'])}: "
                    f"{escape(a['message'])}"
                    for a in alerts
                ],
                "No alerts.",
                'class="alert"',
            )
        )
        return _page("Portfolio", body, shown)

    @app.get("/patterns/{pattern_id:path}", include_in_schema=False, response_class=HTMLResponse)
    def pattern(
        request: Request,
        pattern_id: str,
        per: str | None = Query(None, description="The trend's bucket: day, week or month."),
        period: str | None = None,
        as_of: str | None = None,
        now: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> HTMLResponse:
        if per is None and period in PERIODS:  # the trend's bucket, as older links name it
            per, period = period, None
        per = per or "day"
        if per not in PERIODS:
            from ledger.errors import InputError

            raise InputError(
                f"per: the trend's bucket is day, week or month (got {per[:20]!r})",
                {"field": "per"},
            )
        shown = Shown.of(as_of, now, period, since, until)
        led = ledger_of(request)
        view = led.view(shown.as_of)
        span, before = _windows(led, shown)
        with view.reading():
            report = view.roi_report(pattern_id, now=shown.now, executions=20)
            trend = view.trend(pattern_id, per)
            current = view.pattern_roi(pattern_id, **_dates(span))
            prior = None if before is None else view.pattern_roi(pattern_id, **_dates(before))
        name = _name(span.as_json()) if shown.windowed else "all time"
        body = [_head(report, request, shown.as_of), f"<h1>Pattern {escape(pattern_id)}</h1>"]
        body.append(_controls(_pattern_path(pattern_id), shown, {"per": per}))
        against = None if before is None else before.label
        body.append(
            f"<h2>{escape(name)}</h2>"
            '<div class="kpis">'
            + _kpi_delta("ROI", percent(current["roi_percentage"]), _diff(current, prior,
                         "roi_percentage"), "pt%", against)
            + _kpi("rating", current["effectiveness_rating"]
                   + ("" if prior is None else f" (was {prior['effectiveness_rating']})"))
            + _kpi_delta("success rate", percent(current["success_rate"], scale=100),
                         _rate_diff(current, prior), "pt", against)
            + _kpi_delta("executions", str(current["total_executions"]),
                         _diff(current, prior, "total_executions"), "", against)
            + _kpi_delta("cost saved", money(current["total_cost_saved_usd"]),
                         _diff(current, prior, "total_cost_saved_usd"), "$", against)
            + "</div>"
        )  # fmt: skip
        body.append(
            "".join(f"<p><b>Recommendation.</b> {_prose(r)}</p>" for r in report["recommendations"])
        )
        receipt = f"/api/roi-tracking/explain/{path_segment(pattern_id)}"
        body.append(
            "<p>"
            + _link(receipt, "Receipt: each figure's formula, its numbers and its events", shown)
            + " (JSON)</p>"
        )
        links = " · ".join(_link(_pattern_path(pattern_id), p, shown, per=p) for p in PERIODS)
        body.append(f"<p>Trend per {links}</p>")
        if shown.windowed:
            trend = [t for t in trend if _in(span, t["start"])]
        body.append(f"<h2>Success rate per {escape(per)}</h2>")
        points = [(t["period"], t["success_rate"]) for t in trend]
        body.append(charts.line(f"Success rate per {per}", points, unit="rate"))
        body.append(f"<h2>Cost saved per {escape(per)} (USD)</h2>")
        body.append(
            charts.line(
                f"Cost saved per {per}",
                [(t["period"], t["cost_saved_usd"]) for t in trend],
                unit="$",
            )
        )
        report_csv = f"/api/roi-tracking/report/{path_segment(pattern_id)}"
        body.append(
            "<h2>Recent executions "
            f"{_download(report_csv, shown, period=None, since=None, until=None)}</h2>"
        )
        body.append(
            _table(
                ["executed", "success", "seconds", "cost"],
                [
                    [
                        _when(str(e.get("executed_at", ""))),
                        "yes" if e.get("success") else "no",
                        escape(str(e.get("execution_time_seconds"))),
                        money(e.get("actual_cost")),
                    ]
                    for e in report["executions"]
                ],
            )
        )
        return _page(f"Pattern {pattern_id}", body, shown)

    @app.get("/decisions", include_in_schema=False, response_class=HTMLResponse)
    def decisions(
        request: Request,
        as_of: str | None = None,
        now: str | None = None,
        period: str | None = None,
        since: str | None = None,
        until: str | None = None,
    ) -> HTMLResponse:
        shown = Shown.of(as_of, now, period, since, until)
        led = ledger_of(request)
        view = led.view(shown.as_of)
        span, before = _windows(led, shown)
        within = shown.window()
        with view.reading():
            calibration = view.calibration()
            groups = view.conversion_metrics("combination", None, **within)
            by_source = view.conversion_metrics("source", None, **within)
            by_type = view.roi_by_type(**within)
            insights = view.insights(**within)
            prior = (
                None if before is None else view.conversion_metrics(by="source", **_dates(before))
            )
        name = _name(span.as_json()) if shown.windowed else "all time"
        body = [_head(calibration, request, shown.as_of), "<h1>Decision loop</h1>"]
        body.append(_controls("/decisions", shown))
        body.append(f"<h2>Decisions made {escape(name)} (decided_at), with every outcome</h2>")
        body.append(_decision_kpis(by_source, prior, None if before is None else before.label))
        if by_source:
            body.append(
                "<p>Receipts (formulas, numbers, events; JSON): "
                + " · ".join(
                    _link("/api/decisions/explain", r["source_type"], shown,
                          source=r["source_type"])
                    for r in by_source
                )
                + "</p>"
            )  # fmt: skip
        for title, rows, key in (
            (
                "Conversion rate by source (%, with its 95% Wilson interval)",
                by_source,
                "source_type",
            ),
            ("Conversion rate by source and type (%)", groups, None),
        ):
            body.append(f"<h2>{escape(title)}</h2>")
            body.append(
                charts.bars(
                    title,
                    [
                        Bar(
                            r["source_type"]
                            if key
                            else f"{r['source_type']} / {r['opportunity_type']}",
                            r["conversion_rate"],
                            _pair(r.get("conversion_rate_interval")),
                        )
                        for r in rows
                    ],
                    scale=100,
                    unit="%",
                )
            )
        body.append("<h2>Revenue by opportunity type (USD)</h2>")
        top = max((float(r["total_revenue"]) for r in by_type), default=1.0)
        body.append(
            charts.bars(
                "Revenue by opportunity type",
                [Bar(r["opportunity_type"], r["total_revenue"]) for r in by_type],
                scale=top,
                unit="$",
            )
        )
        body.append("<h2>Calibration (every scored decision, all time)</h2>")
        brier = calibration.get("brier_score")
        body.append(
            f"<p>Brier score {escape('–' if brier is None else f'{brier:.4f}')} over "
            f"{int(calibration.get('count', 0))} decisions with outcomes whose opportunity was "
            "scored (0 is perfect; always guessing 50% scores 0.25).</p>"
        )
        if calibration.get("count"):
            body.append(
                "<p>Brier = reliability "
                f"{calibration['reliability']:.4f} (lower is better) − resolution "
                f"{calibration['resolution']:.4f} (higher is better) + uncertainty "
                f"{calibration['uncertainty']:.4f} + within buckets "
                f"{calibration['within_bucket_spread']:.4f}; expected calibration error "
                f"{number(calibration['expected_calibration_error'] * 100)} points.</p>"
            )
        body.append(
            charts.reliability("Predicted against observed conversion", calibration["buckets"])
        )
        body.append("<h2>Insights</h2>")
        body.append(
            _paragraphs(
                [
                    f"<b>{escape(i['title'])}</b> {escape(i['description'])} "
                    f'<span class="note">({escape(describe_evidence(i["evidence"]))})</span>'
                    for i in insights
                ],
                "Not enough decisions for insights yet.",
            )
        )
        return _page("Decision loop", body, shown)

    @app.get("/ledger", include_in_schema=False, response_class=HTMLResponse)
    def ledger_page(
        request: Request,
        as_of: str | None = None,
        now: str | None = None,
        before: int | None = Query(None, ge=1, le=2**53, description="Events before this seq."),
    ) -> HTMLResponse:
        shown = Shown.of(as_of, now)
        as_of = shown.as_of
        led = ledger_of(request)
        view = led.view(as_of)
        head = view.head()
        top = head.seq if before is None else min(before - 1, head.seq)
        first = max(0, top - PAGE)
        events = view.events(first, top - first) if top > first else []
        alarm = led.alarm()
        body = [_head({"as_of_seq": head.seq, "as_of_hash": head.hash}, request, as_of)]
        body.append("<h1>The ledger</h1>")
        body.append(
            '<div class="kpis">'
            + _kpi("head seq", str(head.seq))
            + _kpi("digest", f"<code>{head.seq}:{escape(head.hash[:16])}…</code>", raw=True)
            + _kpi(
                "chain",
                "broken: run roi-ledger verify"
                if alarm
                else "no break known (roi-ledger verify proves it)",
            )
            + "</div>"
        )
        body.append(f"<p>Full digest: <code>{head.seq}:{escape(head.hash)}</code></p>")
        body.append(
            f"<h2>Events {first + 1}–{top} of {head.seq} "
            f"{_download('/api/ledger/events', shown, now=None, after=str(first), limit=str(PAGE))}"
            "</h2>"
            if events
            else "<h2>Events</h2>"
        )
        pages = []
        if top < head.seq:
            newer = top + PAGE
            pages.append(
                _link(
                    "/ledger",
                    "← newer",
                    shown,
                    before=None if newer >= head.seq else str(newer + 1),
                )
            )
        if first > 0:
            pages.append(_link("/ledger", "older →", shown, before=str(first + 1)))
        body.append(f'<p class="pages">{" · ".join(pages)}</p>' if pages else "")
        body.append(
            _table(
                ["seq", "event (open for its payload)", "stream", "happened", "recorded"],
                [
                    [
                        str(e.seq),
                        f"<details><summary>{escape(e.event_type)}</summary><pre>"
                        f"{escape(json.dumps(e.event.payload(), indent=1, ensure_ascii=False))}"
                        "</pre></details>",
                        escape(e.stream_id),
                        _when(e.occurred_at),
                        _when(e.recorded_at),
                    ]
                    for e in reversed(events)
                ],
            )
        )
        return _page("Ledger", body, shown)


def _page(title: str, body: list[str], shown: Shown) -> HTMLResponse:
    nav = "".join(
        _link(path, name, shown if path != "/docs" else Shown()) for path, name in
        (("/", "Portfolio"), ("/decisions", "Decisions"), ("/ledger", "Ledger"), ("/docs", "API"))
    )  # fmt: skip
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} · '
        f"roi-ledger</title><meta name=viewport content='width=device-width'>"
        f'<link rel="icon" href="/favicon.svg" type="image/svg+xml"><style>{STYLE}'
        f"</style></head><body><header>{nav}</header><main>{''.join(body)}</main></body></html>"
    )
    return HTMLResponse(html)


def error_page(status: int, message: str, field: str | None = None) -> HTMLResponse:
    """A refusal on a dashboard page, as a page: what went wrong, in the API's words (the
    field it names in `data-field`), and the way back. Nothing is echoed unescaped."""
    named = "" if field is None else f' data-field="{escape(field, quote=True)}"'
    body = [
        f"<h1>{status}</h1><p class=error{named}>{escape(message)}</p>",
        "<p><a href=/>Back to the portfolio</a></p>",
    ]
    page = _page("Not shown", body, Shown())
    page.status_code = status
    return page


def _head(result: dict[str, Any], request: Request, as_of: str | None) -> str:
    seq, digest = result.get("as_of_seq"), str(result.get("as_of_hash", ""))
    past = f" (as of {escape(as_of)})" if as_of is not None else " (live)"
    return (
        f'<p class="head" data-seq="{seq}" data-hash="{escape(digest, quote=True)}">Figures from '
        f"the log at seq {seq}, hash <code>{escape(digest[:16])}…</code>{past}.</p>"
    )


def _kpis(dash: dict[str, Any]) -> str:
    """The portfolio's KPIs over the window shown (the last 30 days unless one is chosen),
    each with its change against the window before (of the same kind, or length)."""
    shown = dash["window"]
    current, change = shown["current"], shown["change"] or {}
    before = shown["compared_with"]
    label = shown["window"]["period"]
    against = None if before is None else before["period"].removesuffix(" " + label)
    name = _name(shown["window"])
    return (
        '<div class="kpis">'
        + _kpi("patterns tracked", str(dash["total_patterns"]))
        + _kpi_delta(f"executions, {name}", str(current["total_executions"]),
                     change.get("total_executions"), "", against)
        + _kpi_delta(f"cost saved, {name}", money(current["cost_saved_usd"]),
                     change.get("cost_saved_usd"), "$", against)
        + _kpi_delta(f"success rate, {name}", percent(current["success_rate"], scale=100),
                     change.get("success_rate"), "pt", against)
        + _kpi_delta(f"ROI, {name}", percent(current["roi_percentage"]),
                     change.get("roi_percentage"), "pt%", against)
        + "</div>"
    )  # fmt: skip


def _decision_kpis(
    rows: list[dict[str, Any]], prior: list[dict[str, Any]] | None, against: str | None
) -> str:
    """Decisions, customers, conversion rate and revenue of the decisions shown, each beside
    the window before."""

    def figures(of: list[dict[str, Any]]) -> dict[str, Any]:
        made = sum(int(r["total_decisions"]) for r in of)
        customers = sum(int(r["total_customers"]) for r in of)
        return {
            "decisions": made,
            "customers": customers,
            "rate": Decimal(customers) / Decimal(made) if made else None,
            "revenue": sum((Decimal(str(r["total_revenue"])) for r in of), Decimal(0)),
        }

    now = figures(rows)
    then = None if prior is None else figures(prior)
    return (
        '<div class="kpis">'
        + _kpi_delta("decisions", str(now["decisions"]), _diff(now, then, "decisions"), "",
                     against)
        + _kpi_delta("customers", str(now["customers"]), _diff(now, then, "customers"), "",
                     against)
        + _kpi_delta("conversion rate", percent(now["rate"], scale=100),
                     _diff(now, then, "rate"), "pt", against)
        + _kpi_delta("revenue", money(now["revenue"]), _diff(now, then, "revenue"), "$",
                     against)
        + "</div>"
    )  # fmt: skip


def _kpi_delta(name: str, value: str, delta: Any, unit: str, against: str | None) -> str:
    """A KPI with its change on the window before ('–' when either is unknown); nothing
    when there is no window before (all time, or a window open at one end)."""
    if against is None:
        return _kpi(name, value)
    tone = "" if delta is None or delta == 0 else (' class="up"' if delta > 0 else ' class="down"')
    note = f"{change(delta, unit)} on {against}"
    return _kpi(name, f"{escape(value)} <span{tone}>({escape(note)})</span>", raw=True)


def _diff(current: dict[str, Any], prior: dict[str, Any] | None, key: str) -> Any:
    """current[key] − prior[key], None where either is unknown."""
    if prior is None or current.get(key) is None or prior.get(key) is None:
        return None
    return Decimal(str(current[key])) - Decimal(str(prior[key]))


def _rate_diff(current: dict[str, Any], prior: dict[str, Any] | None) -> Any:
    """The change of a success rate; unknown when either window had no runs."""
    if prior is None or 0 in (current["total_executions"], prior["total_executions"]):
        return None
    return _diff(current, prior, "success_rate")


def _name(window: dict[str, Any]) -> str:
    """A window's name for a heading ('last 30 days' for last-30d)."""
    label = str(window["period"])
    if label.startswith("last-") and label.endswith("d"):
        return f"last {label[5:-1]} days"
    return label


def _windows(led: Any, shown: Shown) -> tuple[Window, Window | None]:
    """The window a page shows and the one before it (None when open at either end)."""
    from ledger.core.periods import previous, window
    from ledger.core.service import as_of_value

    span = window(shown.since, shown.until, shown.period, led.point_shown(shown.now,
                  as_of_value(shown.as_of)))  # fmt: skip
    return span, previous(span) if span.since and span.until else None


def _dates(span: Window) -> dict[str, str | None]:
    """A window as the since/until of a read."""
    return {
        "since": None if span.since is None else format_timestamp(span.since),
        "until": None if span.until is None else format_timestamp(span.until),
    }


def _in(span: Window, day: str) -> bool:
    """Whether a trend bucket starting on `day` starts inside the window."""
    return span.holds(datetime.fromisoformat(day).replace(tzinfo=UTC))


def _kpi(name: str, value: str, raw: bool = False) -> str:
    return f'<div class="kpi">{escape(name)}<b>{value if raw else escape(value)}</b></div>'


def _table(headers: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return "<p>Nothing to show.</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(c) for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


MEANING = {
    "excellent": "good", "good": "good", "acceptable": "warn", "poor": "bad", "failed": "bad",
    "high": "bad", "critical": "bad", "medium": "warn", "low": "info",
}  # fmt: skip
"""Ratings and severities that carry a colour (the word stays: never colour alone)."""


def _cell(html: str) -> str:
    """A table cell; a rating, a severity or negative money is coloured by its meaning."""
    meaning = MEANING.get(html) or ("bad" if html.startswith("-$") else None)
    return f'<td class="{meaning}">{html}</td>' if meaning else f"<td>{html}</td>"


def _when(stamp: str) -> str:
    """A timestamp to read: date and time to the second (UTC), the exact value on hover.
    A narrow column may break it between the date and the time of day, never inside either."""
    from projections.formats import to_the_second

    parts = "</span> <span>".join(escape(part) for part in to_the_second(stamp).split(" ", 1))
    exact = escape(stamp, quote=True)
    return f'<time datetime="{exact}" title="{exact}"><span>{parts}</span></time>'


def _prose(text: str) -> str:
    """A sentence of ours with `code` in it, as HTML."""
    import re

    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))


def _download(path: str, shown: Shown, **changes: str | None) -> str:
    """A link to the same figures from the API as CSV (its `?format=csv`)."""
    query = shown.query(**changes, format="csv")
    href = path + "?" + urlencode(query)
    return f'<a class="download" href="{escape(href, quote=True)}" download>CSV</a>'


def _link(path: str, text: str, shown: Shown, **changes: str | None) -> str:
    query = shown.query(**changes)
    href = path + ("?" + urlencode(query) if query else "")
    return f'<a href="{escape(href, quote=True)}">{escape(text)}</a>'


def _controls(path: str, shown: Shown, extra: dict[str, str] | None = None) -> str:
    """The period selector and the time-travel control: plain links and one GET form."""
    clear = {"period": None, "since": None, "until": None}
    links = " · ".join(
        f"<b>{escape(name)}</b>"
        if (value == shown.period and not (shown.since or shown.until))
        else _link(path, name, shown, **{**clear, "period": value}, **(extra or {}))
        for name, value in PRESETS
    )
    hidden = "".join(
        f'<input type="hidden" name="{escape(k, quote=True)}" value="{escape(v, quote=True)}">'
        for k, v in {**({"now": shown.now} if shown.now else {}), **(extra or {})}.items()
    )

    def field(name: str, label: str, kind: str, value: str | None, hint: str) -> str:
        return (
            f'<label>{escape(label)} <input type="{kind}" name="{name}" '
            f'value="{escape(value or "", quote=True)}" placeholder="{escape(hint, quote=True)}"'
            f' title="{escape(hint, quote=True)}"></label> '
        )

    form = (
        f'<form method="get" action="{escape(path, quote=True)}" class="controls">'
        + field("period", "period", "text", shown.period, "2026-11, 2026-Q4, last-30d…")
        + field("since", "from", "date", shown.since, "first day (UTC), executed/decided")
        + field("until", "until", "date", shown.until, "day after the last (UTC)")
        + field("as_of", "as of", "text", shown.as_of, "a seq or a recording time")
        + hidden
        + '<button type="submit">Show</button></form>'
    )
    return (
        f'<nav class="periods">Period (when things happened): {links}</nav>{form}'
        '<p class="note">A period counts what happened in it (executed_at, decided_at); '
        "“as of” is the other clock: the ledger as it stood at a seq or recording time.</p>"
    )


def _pair(interval: Any) -> tuple[float, float] | None:
    return None if not interval else (float(interval[0]), float(interval[1]))


def _paragraphs(items: list[str], empty: str, attrs: str = "") -> str:
    """One paragraph per item (already escaped HTML), or one saying there are none."""
    open_tag = f"<p {attrs}>" if attrs else "<p>"
    return "".join(f"{open_tag}{item}</p>" for item in items) or f"<p>{escape(empty)}</p>"


def _pattern_path(pattern_id: str) -> str:
    return f"/patterns/{path_segment(pattern_id)}"
