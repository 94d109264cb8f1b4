"""The dashboard's decision loop page: the decisions made in the window shown (with every
outcome) beside the window before, conversion by source and type, revenue by type, how well
predictions matched outcomes, and what the outcomes say."""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any

from fastapi.responses import HTMLResponse

from ledger.interfaces.http.page_frame import head_line, page
from ledger.interfaces.http.page_parts import Card, difference, interval, kpis, paragraphs
from ledger.interfaces.http.shown import Shown, controls, dates, link, windows
from ledger.present import charts
from ledger.present.charts import Bar
from projections.formats import number
from projections.insights import describe_evidence

if TYPE_CHECKING:
    from ledger.app.facade import Ledger


DECISION_CARDS = (
    Card("decisions", "decisions"),
    Card("customers", "customers"),
    Card("conversion rate", "rate", "pt"),
    Card("revenue", "revenue", "$"),
)
"""The decisions made in the window shown, beside the window before."""


def decisions(led: Ledger, shown: Shown) -> HTMLResponse:
    """The decision loop page, every figure from one snapshot of the ledger."""
    with led.snapshot(shown.as_of) as view:  # a bad as_of is named before a bad window
        span, before = windows(led, shown)
        within = shown.window()
        calibration = view.calibration()
        groups = view.conversion_metrics("combination", None, **within)
        by_source = view.conversion_metrics("source", None, **within)
        by_type = view.roi_by_type(**within)
        insights = view.insights(**within)
        prior = None if before is None else view.conversion_metrics(by="source", **dates(before))
    name = shown.called(span.as_json())
    body = [head_line(calibration, shown.as_of), "<h1>Decision loop</h1>"]
    body.append(controls("/decisions", shown))
    body.append(f"<h2>Decisions made {escape(name)} (decided_at), with every outcome</h2>")
    body.append(_decision_kpis(by_source, prior, None if before is None else before.label))
    if by_source:
        body.append(
            "<p>Receipts (formulas, numbers, events; JSON): "
            + " · ".join(
                link("/api/decisions/explain", r["source_type"], shown, source=r["source_type"])
                for r in by_source
            )
            + "</p>"
        )
    for title, rows, key in (
        ("Conversion rate by source (%, with its 95% Wilson interval)", by_source, "source_type"),
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
                        interval(r.get("conversion_rate_interval")),
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
    body.append(_calibration(calibration))
    body.append("<h2>Insights</h2>")
    body.append(
        paragraphs(
            [
                f"<b>{escape(i['title'])}</b> {escape(i['description'])} "
                f'<span class="note">({escape(describe_evidence(i["evidence"]))})</span>'
                for i in insights
            ],
            "Not enough decisions for insights yet.",
        )
    )
    return page("Decision loop", body, shown)


def _calibration(calibration: dict[str, Any]) -> str:
    """How well past predictions matched outcomes: the Brier score, its decomposition and
    the reliability chart."""
    parts = ["<h2>Calibration (every scored decision, all time)</h2>"]
    brier = calibration.get("brier_score")
    parts.append(
        f"<p>Brier score {escape('–' if brier is None else f'{brier:.4f}')} over "
        f"{int(calibration.get('count', 0))} decisions with outcomes whose opportunity was "
        "scored (0 is perfect; always guessing 50% scores 0.25).</p>"
    )
    if calibration.get("count"):
        parts.append(
            "<p>Brier = reliability "
            f"{calibration['reliability']:.4f} (lower is better) − resolution "
            f"{calibration['resolution']:.4f} (higher is better) + uncertainty "
            f"{calibration['uncertainty']:.4f} + within buckets "
            f"{calibration['within_bucket_spread']:.4f}; expected calibration error "
            f"{number(calibration['expected_calibration_error'] * 100)} points.</p>"
        )
    parts.append(
        charts.reliability("Predicted against observed conversion", calibration["buckets"])
    )
    return "".join(parts)


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
    return kpis(*(c.of(now, difference(now, then, c.key), against) for c in DECISION_CARDS))
