"""Receipts: each figure with its formula, the numbers filled in, the events it comes from and
the head of the log it was computed at, so anyone can recompute a claim from the log.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, Unpack

from ledger.errors import InputError
from ledger.queries.context import WindowArgs, chosen_window

if TYPE_CHECKING:
    from ledger.app.facade import Ledger
    from ledger.core.moments import AsOf
    from ledger.core.periods import Window


def _n(value: Any) -> str:
    """A figure as the receipt prints it: exact, without trailing noise."""
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def _within(span: Window, column: str, params: list[Any]) -> str:
    """The SQL that keeps `column` (a stored timestamp) inside the window; its values are
    appended to `params`."""
    from events.timeutil import format_timestamp

    sql = ""
    for op, end in ((">=", span.since), ("<", span.until)):
        if end is not None:
            sql += f" AND {column} {op} ?"
            params.append(format_timestamp(end))
    return sql


def _line(figure: str, formula: str, filled: str, value: Any) -> dict[str, Any]:
    return {"figure": figure, "formula": formula, "filled_in": filled, "value": value}


def roi(
    ledger: Ledger,
    pattern_id: str,
    as_of: AsOf = None,
    **window: Unpack[WindowArgs],
) -> dict[str, Any]:
    """A pattern's ROI figures with their formulas and the executions they come from."""
    from events.timeutil import format_timestamp
    from projections.executions import execution_counts

    view = ledger.view(as_of)
    span = chosen_window(ledger.service, window, as_of)
    with view.service.reading() as db:
        head = view.head()
        row = view.pattern_roi(pattern_id, **window)
        count, first, last, successful = execution_counts(
            db,
            row["pattern_id"],
            None if span.since is None else format_timestamp(span.since),
            None if span.until is None else format_timestamp(span.until),
        )
    saved, spent = row["total_cost_saved_usd"], row["total_investment_usd"]
    failed = row["total_failed_cost_usd"]
    total, ok = row["total_executions"], row["successful_executions"]
    lines = [
        _line("success_rate", "successful ÷ total executions", f"{ok} ÷ {total}",
              row["success_rate"]),
        _line("total_cost_saved_usd", "Σ (estimated − actual cost) over successful runs",
              f"over {ok} successful runs", saved),
        _line("total_investment_usd", "Σ actual cost of successful runs",
              f"over {ok} successful runs", spent),
        _line("roi_percentage", "cost saved ÷ investment × 100",
              f"{_n(saved)} ÷ {_n(spent)} × 100", row["roi_percentage"]),
        _line("total_failed_cost_usd", "Σ actual cost of failed runs",
              f"over {total - ok} failed runs", failed),
        _line("net_roi_percentage", "(cost saved − failed runs' cost) ÷ (investment + failed "
              "runs' cost) × 100",
              f"({_n(saved)} − {_n(failed)}) ÷ ({_n(spent)} + {_n(failed)}) × 100",
              row["net_roi_percentage"]),
        _line("average_cost_saved_usd", "cost saved ÷ all executions",
              f"{_n(saved)} ÷ {total}", row["average_cost_saved_usd"]),
    ]  # fmt: skip
    if row["failed_runs_lose_time"]:
        time_saved, lost = row["total_time_saved_seconds"], row["total_failed_time_seconds"]
        lines.append(
            _line("net_time_saved_seconds", "time saved − Σ execution time of failed runs "
                  "(the approval says failed runs lose time)",
                  f"{_n(time_saved)} − {_n(lost)}", row["net_time_saved_seconds"])
        )  # fmt: skip
    stream = f"pattern:{row['pattern_id']}"
    return {
        "pattern_id": row["pattern_id"],
        "window": span.as_json(),
        "as_of_seq": head.seq,
        "as_of_hash": head.hash,
        "figures": lines,
        "events": {
            "stream": stream,
            "event_type": "PatternExecutionRecorded",
            "executions": int(count),
            "successful": int(successful),
            "first_seq": first,
            "last_seq": last,
            "note": "retracted executions are excluded; the window reads executed_at",
        },
        "recompute": f"roi-ledger log --stream {stream} --type PatternExecutionRecorded "
        f"--as-of {head.seq} --limit 100000 --json",
    }


def conversion(
    ledger: Ledger,
    source: str,
    kind: str | None = None,
    as_of: AsOf = None,
    **window: Unpack[WindowArgs],
) -> dict[str, Any]:
    """A source's (or a source and type's) conversion figures with their formulas and the
    decisions and outcomes they come from."""

    if not isinstance(source, str) or not source.strip():
        raise InputError("source: required, a non-empty string", {"field": "source"})
    view = ledger.view(as_of)
    span = chosen_window(ledger.service, window, as_of)
    by = "source" if kind is None else "combination"
    with view.service.reading() as db:
        head = view.head()
        rows = view.conversion_metrics(by, **window)
        sql = (
            "SELECT count(*), min(logged_seq), max(logged_seq) FROM decisions"
            " WHERE opportunity_source = ?"
        )
        params: list[Any] = [source]
        if kind is not None:
            sql += " AND opportunity_type = ?"
            params.append(kind)
        sql += _within(span, "decided_at", params)
        count, first, last = db.execute(sql, params).fetchone()
        outcomes = db.execute(
            "SELECT count(*) FROM outcomes o JOIN decisions d ON o.decision_id = d.decision_id"
            + sql[sql.index(" WHERE") :]
            .replace("opportunity_", "d.opportunity_")
            .replace("decided_at", "d.decided_at"),
            params,
        ).fetchone()[0]
    match = [
        r for r in rows
        if r["source_type"] == source and (kind is None or r["opportunity_type"] == kind)
    ]  # fmt: skip
    if not match:
        what = source if kind is None else f"{kind} from {source}"
        raise InputError(f"source: no decisions of {what} in this window", {"field": "source"})
    r = match[0]
    n = r["total_decisions"]
    interval = r["conversion_rate_interval"]
    lines = [
        _line("conversion_rate", "customers ÷ decisions × 100",
              f"{r['total_customers']} ÷ {n} × 100", r["conversion_rate"]),
        _line("conversion_rate_interval", "Wilson score interval, 95 %",
              f"{r['total_customers']} of {n}", interval),
        _line("response_rate", "decisions with a response ÷ decisions × 100",
              f"{r['total_responses']} ÷ {n} × 100", r["response_rate"]),
        _line("avg_revenue_per_decision", "Σ revenue ÷ decisions",
              f"{_n(r['total_revenue'])} ÷ {n}", r["avg_revenue_per_decision"]),
    ]  # fmt: skip
    return {
        "source_type": source,
        "opportunity_type": kind,
        "window": {**span.as_json(), "axis": "business time (decided_at): a cohort view"},
        "as_of_seq": head.seq,
        "as_of_hash": head.hash,
        "figures": lines,
        "events": {
            "decisions": int(count),
            "first_seq": first,
            "last_seq": last,
            "outcomes": int(outcomes),
            "note": "each decision (DecisionLogged, stream decision:<id>) with every outcome "
            "it has (OutcomeRecorded); retracted events are excluded",
        },
        "recompute": f"roi-ledger log --type DecisionLogged --as-of {head.seq} --limit 100000 "
        "--json (then the OutcomeRecorded of those decisions)",
    }
