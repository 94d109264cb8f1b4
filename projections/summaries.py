"""Daily and weekly decision summaries (README "Decisions and outcomes"): the period's rows,
each outcome marked as its decision's first customer or deal (the fold's answer), and the
figures summed from them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from events.sql import Sql
from events.timeutil import parse_timestamp
from projections.formats import money


def period_rows(
    db: Sql, first: date, last: date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Decisions made and outcomes recorded (by when they happened) from first to last day
    (`mark_firsts` then says which outcome was its decision's first customer and deal)."""
    lo, hi = first.isoformat(), (last + timedelta(days=1)).isoformat()
    decisions = db.execute(
        "SELECT decision_id, opportunity_type, opportunity_source, decided_at FROM decisions"
        " WHERE decided_at >= ? AND decided_at < ? ORDER BY decided_at, decision_id",
        (lo, hi),
    ).fetchall()
    outcomes = db.execute(
        "SELECT o.id, o.decision_id, o.outcome_type, o.outcome_status, o.revenue_generated,"
        " o.customer_acquired, o.deal_closed, o.response_received, o.occurred_at,"
        " d.opportunity_type, d.opportunity_source, d.decided_at"
        " FROM outcomes o JOIN decisions d ON d.decision_id = o.decision_id"
        " WHERE o.occurred_at >= ? AND o.occurred_at < ? ORDER BY o.occurred_at, o.id",
        (lo, hi),
    ).fetchall()
    return (
        [
            {"decision_id": r[0], "opportunity_type": r[1], "opportunity_source": r[2],
             "decided_at": r[3]}
            for r in decisions
        ],
        [
            {"id": r[0], "decision_id": r[1], "outcome_type": r[2], "outcome_status": r[3],
             "revenue_generated": Decimal(r[4]), "customer_acquired": bool(r[5]),
             "deal_closed": bool(r[6]), "response_received": bool(r[7]), "occurred_at": r[8],
             "opportunity_type": r[9], "opportunity_source": r[10], "decided_at": r[11]}
            for r in outcomes
        ],
    )  # fmt: skip


def mark_firsts(db: Sql, outcomes: Sequence[dict[str, Any]]) -> None:
    """Mark each outcome that was its decision's first (by when it happened) to acquire a
    customer or close a deal: a decision is one customer, however many outcomes say so."""
    from projections.decision_rows import load_many

    folded = load_many(db, {o["decision_id"] for o in outcomes})  # the rule: decision_fold
    for o in outcomes:
        row = folded.get(o["decision_id"])
        o["first_customer"] = row is not None and row.first_customer_outcome == o["id"]
        o["first_deal"] = row is not None and row.first_deal_outcome == o["id"]


def summarise(
    decisions: Sequence[dict[str, Any]],
    outcomes: Sequence[dict[str, Any]],
    insights: Sequence[dict[str, Any]],
    conversions: Sequence[dict[str, Any]],
) -> dict[str, Any]:
    """The summary's figures (the caller adds date/week, head and files)."""
    revenue = sum((o["revenue_generated"] for o in outcomes), Decimal(0))
    top = max(outcomes, key=lambda o: (o["revenue_generated"], -o["id"]), default=None)
    top_outcome = None
    if top is not None and top["revenue_generated"] > 0:
        hours = (
            parse_timestamp(top["occurred_at"]) - parse_timestamp(top["decided_at"])
        ).total_seconds() / 3600
        top_outcome = {
            "decision_id": top["decision_id"],
            "revenue": top["revenue_generated"],
            "opportunity_type": top["opportunity_type"],
            "opportunity_source": top["opportunity_source"],
            "outcome_type": top["outcome_type"],
            "time_to_close_days": round(hours / 24, 1),
        }
    return {
        "decisions_made": len(decisions),
        "decision_types": sorted({d["opportunity_type"] for d in decisions}),
        "decision_sources": sorted({d["opportunity_source"] for d in decisions}),
        "outcomes_recorded": len(outcomes),
        "revenue": revenue,
        "customers_acquired": sum(1 for o in outcomes if o.get("first_customer")),
        "deals_closed": sum(1 for o in outcomes if o.get("first_deal")),
        "top_outcome": top_outcome,
        "insights": [i["title"] for i in insights[:5]],
        "conversion_rates": [
            {
                "source_type": c["source_type"],
                "opportunity_type": c["opportunity_type"],
                "conversion_rate": c["conversion_rate"],
                "total_decisions": c["total_decisions"],
                "total_revenue": c["total_revenue"],
            }
            for c in conversions
        ],
    }


def performance_text(heading: str, s: dict[str, Any]) -> str:
    """The source's plain-text block (`performance_summary`)."""
    lines = [
        "📊 DECISION PERFORMANCE SUMMARY",
        heading,
        "",
        f"🎯 Decisions Made: {s['decisions_made']}",
        f"   Types: {', '.join(s['decision_types']) or '—'}",
        f"   Sources: {', '.join(s['decision_sources']) or '—'}",
        "",
        f"📈 Outcomes Recorded: {s['outcomes_recorded']}",
        f"   Revenue: {money(s['revenue'])}",
        f"   New customers: {s['customers_acquired']}",
        f"   Deals closed: {s['deals_closed']}",
    ]
    top = s["top_outcome"]
    if top is not None:
        lines += [
            "",
            "🏆 Top Outcome:",
            f"   {money(top['revenue'])} from {top['opportunity_type']}"
            f" ({top['opportunity_source']})",
            f"   Time to close: {top['time_to_close_days']} days",
        ]
    if s["insights"]:
        lines += ["", "💡 Key Insights:", *(f"   • {title}" for title in s["insights"])]
    return "\n".join(lines)
