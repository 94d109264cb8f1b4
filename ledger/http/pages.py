"""The dashboard: server-rendered HTML pages with SVG charts, no JavaScript, nothing fetched
from elsewhere. Each page reads through the same `Ledger` methods as the JSON API, takes
`as_of` (and `now`), and says which head of the log its figures come from.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse

from ledger import charts
from ledger.charts import Bar
from ledger.cli.output import pct
from ledger.http.routes import ledger_of, path_segment

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header{background:#1f3a5f;color:#fff;padding:.6rem 1.2rem}header a{color:#fff;margin-right:1rem}
main{padding:1rem 1.2rem;max-width:980px}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem}
.head{font-size:.85rem;color:#444}.kpis{display:flex;flex-wrap:wrap;gap:.8rem}
.kpi{background:#fff;border:1px solid #ccc;padding:.5rem .8rem;min-width:10rem}
.kpi b{display:block;font-size:1.3rem}table{border-collapse:collapse;background:#fff}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}
svg text{font-size:12px;fill:#1b1b1b}svg rect{fill:#3b6ea5}svg .interval,svg polyline,
svg .axis,svg .diagonal{stroke:#1b1b1b;stroke-width:1.5;fill:none}svg circle{fill:#b5531f}
svg .frame{fill:none;stroke:#999}.alert{border-left:4px solid #b5531f;padding-left:.5rem}
"""

PERIODS = ("day", "week", "month")


def mount(app: FastAPI) -> None:
    """Add the dashboard's pages to the app."""

    @app.get("/", include_in_schema=False, response_class=HTMLResponse)
    def portfolio(
        request: Request, as_of: str | None = None, now: str | None = None
    ) -> HTMLResponse:
        led = ledger_of(request)
        view = led.view(as_of)
        with view.reading():  # one snapshot for every figure below
            dash = view.dashboard(now=now)
            summary = view.roi_summary()
            alerts = view.alerts(now=now)
        body = [_head(dash, request, as_of), "<h1>Portfolio</h1>", _kpis(dash)]
        body.append("<h2>Success rate by pattern (with its 95% Wilson interval)</h2>")
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
        body.append("<h2>Patterns</h2>")
        body.append(
            _table(
                ["pattern", "ROI", "rating", "success rate", "executions", "saved"],
                [
                    [
                        _link(
                            _pattern_path(r["pattern_id"]), r["pattern_id"], as_of
                        ),
                        pct(r["roi_percentage"]),
                        r["effectiveness_rating"],
                        pct(r["success_rate"], 100),
                        str(r["total_executions"]),
                        _money(r["total_cost_saved_usd"]),
                    ]
                    for r in summary
                ],
            )
        )
        body.append("<h2>Alerts</h2>")
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
        return _page("Portfolio", body, as_of)

    @app.get("/patterns/{pattern_id:path}", include_in_schema=False, response_class=HTMLResponse)
    def pattern(
        request: Request,
        pattern_id: str,
        period: str = Query("day"),
        as_of: str | None = None,
        now: str | None = None,
    ) -> HTMLResponse:
        led = ledger_of(request)
        view = led.view(as_of)
        with view.reading():
            report = view.roi_report(pattern_id, now=now, executions=20)
            trend = view.trend(pattern_id, period)
        summary = {**report["summary"], **report["effectiveness"]}
        body = [_head(report, request, as_of), f"<h1>Pattern {escape(pattern_id)}</h1>"]
        body.append(
            '<div class="kpis">'
            + _kpi("ROI", pct(summary["roi_percentage"]))
            + _kpi("rating", summary["effectiveness_rating"])
            + _kpi("success rate", pct(summary["success_rate"], 100))
            + _kpi("executions", str(summary["total_executions"]))
            + _kpi("cost saved", _money(summary["total_cost_saved_usd"]))
            + "</div>"
        )
        body.append(
            "".join(f"<p><b>Recommendation.</b> {escape(r)}</p>" for r in report["recommendations"])
        )
        links = " · ".join(_link(_pattern_path(pattern_id), p, as_of, period=p) for p in PERIODS)
        body.append(f"<p>Trend per {links}</p>")
        body.append(f"<h2>Success rate per {escape(period)}</h2>")
        points = [(t["period"], t["success_rate"]) for t in trend]
        body.append(charts.line(f"Success rate per {period}", points, unit="rate"))
        body.append(f"<h2>Cost saved per {escape(period)} (USD)</h2>")
        body.append(
            charts.line(
                f"Cost saved per {period}", [(t["period"], t["cost_saved_usd"]) for t in trend]
            )
        )
        body.append("<h2>Recent executions</h2>")
        body.append(
            _table(
                ["executed", "success", "seconds", "cost"],
                [
                    [
                        escape(str(e.get("executed_at", ""))),
                        "yes" if e.get("success") else "no",
                        escape(str(e.get("execution_time_seconds"))),
                        _money(e.get("actual_cost")),
                    ]
                    for e in report["executions"]
                ],
            )
        )
        return _page(f"Pattern {pattern_id}", body, as_of)

    @app.get("/decisions", include_in_schema=False, response_class=HTMLResponse)
    def decisions(request: Request, as_of: str | None = None) -> HTMLResponse:
        led = ledger_of(request)
        view = led.view(as_of)
        with view.reading():
            calibration = view.calibration()
            groups = view.conversion_metrics()
            by_source = view.conversion_metrics(by="source")
            by_type = view.roi_by_type()
            insights = view.insights()
        body = [_head(calibration, request, as_of), "<h1>Decision loop</h1>"]
        for title, rows, name in (
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
                            if name
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
            )
        )
        body.append("<h2>Calibration</h2>")
        brier = calibration.get("brier_score")
        body.append(
            f"<p>Brier score {escape('–' if brier is None else f'{brier:.4f}')} over "
            f"{int(calibration.get('count', 0))} decisions with outcomes whose opportunity was "
            "scored (0 is perfect; always guessing 50% scores 0.25).</p>"
        )
        body.append(
            charts.reliability("Predicted against observed conversion", calibration["buckets"])
        )
        body.append("<h2>Insights</h2>")
        body.append(
            _paragraphs(
                [
                    f"<b>{escape(i['title'])}</b> {escape(i['description'])} "
                    f"(confidence {float(i['confidence_score']):.0%})"
                    for i in insights
                ],
                "Not enough decisions for insights yet.",
            )
        )
        return _page("Decision loop", body, as_of)

    @app.get("/ledger", include_in_schema=False, response_class=HTMLResponse)
    def ledger_page(request: Request, as_of: str | None = None) -> HTMLResponse:
        led = ledger_of(request)
        view = led.view(as_of)
        head = view.head()
        events = view.events(0, 20, newest=True)
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
        body.append("<h2>Last events</h2>")
        body.append(
            _table(
                ["seq", "type", "stream", "occurred", "recorded"],
                [
                    [
                        str(e.seq),
                        escape(e.event_type),
                        escape(e.stream_id),
                        escape(e.occurred_at),
                        escape(e.recorded_at),
                    ]
                    for e in reversed(events)
                ],
            )
        )
        return _page("Ledger", body, as_of)


def _page(title: str, body: list[str], as_of: str | None) -> HTMLResponse:
    nav = "".join(
        _link(path, name, as_of) for path, name in
        (("/", "Portfolio"), ("/decisions", "Decisions"), ("/ledger", "Ledger"), ("/docs", "API"))
    )  # fmt: skip
    html = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} · '
        f"roi-ledger</title><meta name=viewport content='width=device-width'><style>{STYLE}"
        f"</style></head><body><header>{nav}</header><main>{''.join(body)}</main></body></html>"
    )
    return HTMLResponse(html)


def _head(result: dict[str, Any], request: Request, as_of: str | None) -> str:
    seq, digest = result.get("as_of_seq"), str(result.get("as_of_hash", ""))
    past = f" (as of {escape(as_of)})" if as_of is not None else " (live)"
    return (
        f'<p class="head" data-seq="{seq}" data-hash="{escape(digest, quote=True)}">Figures from '
        f"the log at seq {seq}, hash <code>{escape(digest[:16])}…</code>{past}.</p>"
    )


def _kpis(dash: dict[str, Any]) -> str:
    """The dashboard's KPIs: the month's, and the last 30 days' with their change against
    the 30 days before (the same length)."""
    last, change = dash["last_30_days"], dash["change"]
    return (
        '<div class="kpis">'
        + _kpi("patterns", str(dash["total_patterns"]))
        + _kpi("average success rate", pct(dash["average_success_rate"], 100))
        + _kpi(f"executions in {dash['month']}", str(dash["executions_this_month"]))
        + _kpi(f"cost saved in {dash['month']}", _money(dash["cost_saved_this_month_usd"]))
        + _kpi(
            "executions, last 30 days",
            f"{last['total_executions']} ({_signed(change['total_executions'], '')} on the "
            "30 days before)",
        )
        + _kpi(
            "cost saved, last 30 days",
            f"{_money(last['cost_saved_usd'])} ({_signed(change['cost_saved_usd'], '$')})",
        )
        + _kpi(
            "success rate, last 30 days",
            f"{pct(last['success_rate'], 100)} ({_signed(change['success_rate'], 'pt')})",
        )
        + "</div>"
    )


def _signed(value: Any, unit: str) -> str:
    """A change with its sign written out ('+3', '−$0.12', '+4.0 pt'); '–' when unknown."""
    if value is None:
        return "–"
    v = float(value)
    sign = "+" if v >= 0 else "−"
    if unit == "$":
        return f"{sign}${abs(v):,.2f}"
    if unit == "pt":
        return f"{sign}{abs(v) * 100:.1f} pt"
    return f"{sign}{abs(v):,.0f}"


def _kpi(name: str, value: str, raw: bool = False) -> str:
    return f'<div class="kpi">{escape(name)}<b>{value if raw else escape(value)}</b></div>'


def _table(headers: list[str], rows: list[list[str]]) -> str:
    if not rows:
        return "<p>Nothing to show.</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _link(path: str, text: str, as_of: str | None, **params: str) -> str:
    query = {k: v for k, v in {**params, "as_of": as_of}.items() if v is not None}
    href = path + ("?" + urlencode(query) if query else "")
    return f'<a href="{escape(href, quote=True)}">{escape(text)}</a>'


def _pair(interval: Any) -> tuple[float, float] | None:
    return None if not interval else (float(interval[0]), float(interval[1]))


def _paragraphs(items: list[str], empty: str, attrs: str = "") -> str:
    """One paragraph per item (already escaped HTML), or one saying there are none."""
    open_tag = f"<p {attrs}>" if attrs else "<p>"
    return "".join(f"{open_tag}{item}</p>" for item in items) or f"<p>{escape(empty)}</p>"


def _money(value: Any) -> str:
    return "–" if value is None else f"${float(value):,.2f}"


def _pattern_path(pattern_id: str) -> str:
    return f"/patterns/{path_segment(pattern_id)}"
