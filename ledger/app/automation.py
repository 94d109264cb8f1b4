"""Automation ROI on the ledger: pattern commands and every ROI query (README "Automation ROI")."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from commands import patterns as pattern_commands
from commands.base import NotFoundError
from commands.fields import normal_id
from events.sql import Sql
from ledger.core.moments import Day, Now
from ledger.core.periods import Window, option_text
from ledger.core.service import AsOf, LedgerCore
from ledger.errors import InputError
from ledger.store.eventlog import Head
from ledger.validation import build_command
from projections import daily_stats, roi_analytics, roi_queries
from projections import executions as execution_queries
from projections import patterns as pattern_queries

MAX_LIMIT = 50


def check_limit(limit: int) -> int:
    """The limit every list takes (README "The ROI commands"): 1..50, anything else is an input
    error naming the field."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InputError(
            f"limit: must be a whole number from 1 to {MAX_LIMIT} (got {limit!r})",
            {"field": "limit", "min": 1, "max": MAX_LIMIT},
        )
    return limit


class PatternLedger(LedgerCore):
    """Approve, revise, revoke and run patterns; read their ROI."""

    def approve_pattern(
        self,
        pattern_id: str,
        estimated_time_seconds: Any,
        estimated_cost: Any,
        **options: Any,
    ) -> dict[str, Any]:
        """Approve a pattern (options: approved_by, description, confidence, approved_at)."""
        return self._run(
            pattern_commands.ApprovePattern,
            dict(
                pattern_id=pattern_id,
                estimated_time_seconds=estimated_time_seconds,
                estimated_cost=estimated_cost,
                **options,
            ),
        )

    def revise_pattern(self, pattern_id: str, **options: Any) -> dict[str, Any]:
        """Revise a pattern's estimated_time_seconds and/or estimated_cost."""
        return self._run(
            pattern_commands.RevisePatternEstimates, dict(pattern_id=pattern_id, **options)
        )

    def revoke_pattern(self, pattern_id: str, reason: str, **options: Any) -> dict[str, Any]:
        """Revoke a pattern."""
        return self._run(
            pattern_commands.RevokePattern, dict(pattern_id=pattern_id, reason=reason, **options)
        )

    def record_execution(
        self,
        pattern_id: str,
        execution_time_seconds: Any,
        actual_cost: Any,
        success: bool,
        **options: Any,
    ) -> dict[str, Any]:
        """Record one execution; estimates default to the pattern's current ones."""
        result = self._run(
            pattern_commands.RecordExecution,
            dict(
                pattern_id=pattern_id,
                execution_time_seconds=execution_time_seconds,
                actual_cost=actual_cost,
                success=success,
                **options,
            ),
        )
        return execution_result(result, pattern_id)

    def list_patterns(self, as_of: AsOf = None) -> list[dict[str, Any]]:
        """The pattern registry."""
        with self.reading(as_of) as db:
            return pattern_queries.list_patterns(db)

    def pattern_detail(self, pattern_id: str, as_of: AsOf = None) -> dict[str, Any]:
        """One pattern as the registry has it, with every change to it in order: approvals,
        estimate revisions, revocations, confidence updates and costs (each with when it
        happened and when the ledger learned it), and how many executions it has."""
        from ledger.store.eventlog import SELECT_EVENTS, decode_row

        pattern_id = _lookup(pattern_id)
        upto = self.resolve_as_of(as_of)
        with self.reading(as_of) as db:
            row = pattern_queries.get_pattern(db, pattern_id)
            if row is None:
                raise _unknown(db, pattern_id)
            found = db.execute(
                f"{SELECT_EVENTS} WHERE stream_id = ? AND event_type <> 'PatternExecutionRecorded'"
                " AND seq <= ? ORDER BY seq",
                (f"pattern:{pattern_id}", upto),
            ).fetchall()
            runs = execution_queries.execution_counts(db, pattern_id)[0]
        changes = []
        for recorded in map(decode_row, found):
            fields = recorded.event.payload()
            fields.pop("pattern_id", None)
            changes.append({
                "seq": recorded.seq, "event_type": recorded.event_type,
                "occurred_at": recorded.occurred_at, "recorded_at": recorded.recorded_at,
                "fields": fields,
            })  # fmt: skip
        return {**row, "executions": int(runs), "changes": changes}

    def pattern_roi(
        self,
        pattern_id: str,
        as_of: AsOf = None,
        *,
        since: Day = None,
        until: Day = None,
        period: str | None = None,
        now: Now = None,
    ) -> dict[str, Any]:
        """One pattern's ROI summary with status, confidence, rating and interval: all time,
        or only its executions that happened in a window of business time."""
        pattern_id = _lookup(pattern_id)
        span = business_window(self, since, until, period, now, as_of)
        point = self.point_shown(now, as_of)
        with self.reading(as_of) as db:
            if span is None:
                row = roi_queries.pattern_roi(db, pattern_id)
            else:
                rows = roi_queries.roi_summary_between(db, *span, pattern_id=pattern_id)
                row = rows[0] if rows else None
            if row is None:
                raise _unknown(db, pattern_id)
            return {**row, "ownership": _ownership(db, row, span, point)}

    def explain_roi(
        self,
        pattern_id: str,
        as_of: AsOf = None,
        *,
        since: Day = None,
        until: Day = None,
        period: str | None = None,
        now: Now = None,
    ) -> dict[str, Any]:
        """A receipt for a pattern's ROI: each figure's formula with its numbers, the
        executions it comes from (count and seq range) and the head it was computed at."""
        from ledger.app import explain

        ledger: Any = self  # the whole Ledger: this mixin is one of its parts
        return explain.roi(
            ledger, pattern_id, as_of, since=since, until=until, period=period, now=now
        )

    def record_cost(
        self, pattern_id: str, amount: Any, label: str, **options: Any
    ) -> dict[str, Any]:
        """Record what a pattern costs to have, apart from its runs: `recurrence` "one-off"
        (default; at `incurred_at`) or "monthly" (from `incurred_at`, until `until`)."""
        return self._run(
            pattern_commands.RecordPatternCost,
            dict(pattern_id=pattern_id, amount=amount, label=label, **options),
        )

    def pattern_costs(self, pattern_id: str, as_of: AsOf = None) -> list[dict[str, Any]]:
        """The costs recorded for a pattern (not its runs), oldest first."""
        from projections import costs

        pattern_id = _lookup(pattern_id)
        with self.reading(as_of) as db:
            if pattern_queries.get_pattern(db, pattern_id) is None:
                raise _unknown(db, pattern_id)
            return [c.as_json() for c in costs.costs_of(db, pattern_id)]

    def roi_summary(
        self,
        as_of: AsOf = None,
        *,
        since: Day = None,
        until: Day = None,
        period: str | None = None,
        now: Now = None,
    ) -> list[dict[str, Any]]:
        """Every pattern's ROI summary, by total cost saved: all time, or only the executions
        whose `executed_at` falls in a window of business time (`since` inclusive, `until`
        exclusive, or a `period` such as 2026-11 or last-30d ending at `now`); `as_of` is the
        other clock, the ledger as it stood at a seq or recording time."""
        span = business_window(self, since, until, period, now, as_of)
        with self.reading(as_of) as db:
            return _summary_rows(db, span)

    def executions(
        self, pattern_id: str, limit: int | None = None, as_of: AsOf = None
    ) -> list[dict[str, Any]]:
        """A pattern's executions, newest first."""
        pattern_id = _lookup(pattern_id)
        with self.reading(as_of) as db:
            return execution_queries.list_executions(db, pattern_id, limit)

    # -- ROI analytics (README "Automation ROI") --------------------------------------------
    def _known_row(self, db: Sql, pattern_id: str) -> dict[str, Any]:
        pattern_id = _lookup(pattern_id)
        row = roi_queries.pattern_roi(db, pattern_id)
        if row is None:
            raise _unknown(db, pattern_id)
        return row

    def effectiveness(self, pattern_id: str, as_of: AsOf = None) -> dict[str, Any]:
        """The pattern's rating and the recommendation that quotes its figures."""
        pattern_id = _lookup(pattern_id)
        with self.reading(as_of) as db:
            return roi_analytics.effectiveness_of(self._known_row(db, pattern_id))

    def top_performers(
        self,
        limit: int = 10,
        as_of: AsOf = None,
        *,
        since: Day = None,
        until: Day = None,
        period: str | None = None,
        now: Now = None,
    ) -> list[dict[str, Any]]:
        """Patterns with at least rules.MIN_TOP executions, by ROI (limit 1..50); over a
        window of business time when one is given."""
        check_limit(limit)
        span = business_window(self, since, until, period, now, as_of)
        with self.reading(as_of) as db:
            rows = _summary_rows(db, span)
        return roi_analytics.top_performers(rows, limit)

    def underperformers(
        self,
        limit: int = 10,
        as_of: AsOf = None,
        *,
        since: Day = None,
        until: Day = None,
        period: str | None = None,
        now: Now = None,
    ) -> list[dict[str, Any]]:
        """Patterns with at least rules.MIN_RATED executions rated poor or failed, worst first
        (limit 1..50); over a window of business time when one is given."""
        check_limit(limit)
        span = business_window(self, since, until, period, now, as_of)
        with self.reading(as_of) as db:
            rows = _summary_rows(db, span)
        return roi_analytics.underperformers(rows, limit)

    def roi_report(
        self, pattern_id: str, as_of: AsOf = None, now: Now = None, executions: int = 50
    ) -> dict[str, Any]:
        """Summary, rating, recent executions and recommendations, stamped with the head."""
        pattern_id = _lookup(pattern_id)
        when = self.point_shown(now, as_of)
        with self.reading(as_of) as db:
            head = self.log.head(db)
            row = self._known_row(db, pattern_id)
            days = daily_stats.pattern_days(db, pattern_id)
            registry = pattern_queries.get_pattern(db, pattern_id)
            recent = execution_queries.list_executions(
                db, pattern_id, min(max(0, executions), 10**6)
            )
            mine = [
                a
                for a in roi_analytics.alerts(
                    [row], {pattern_id: registry} if registry else {}, days, when
                )
            ]
        current = registry["confidence"] if registry else None
        return {
            "pattern_id": pattern_id,
            "summary": row,
            "effectiveness": roi_analytics.effectiveness_of(row),
            "executions": recent,
            "recommendations": roi_analytics.recommendations(row, days, mine, current),
            "alerts": mine,
            "as_of_seq": head.seq,
            "as_of_hash": head.hash,
        }

    def dashboard(
        self,
        now: Now = None,
        as_of: AsOf = None,
        *,
        since: Day = None,
        until: Day = None,
        period: str | None = None,
    ) -> dict[str, Any]:
        """Patterns tracked, this month's executions and savings, the best and the worst; and
        under "window" the portfolio's figures over a window of business time (`period`, or
        `since`/`until`; the last 30 days by default) beside the window before it, with the
        change (no comparison for a window open at either end)."""
        from ledger.core.periods import previous, window

        when = self.point_shown(now, as_of)
        chosen = window(
            option_text(since),
            option_text(until),
            period or (None if since or until else "last-30d"),
            when,
        )
        before = previous(chosen) if chosen.since and chosen.until else None
        spans = [window_days(chosen), None if before is None else window_days(before)]
        with self.reading(as_of) as db:
            head = self.log.head(db)
            rows = roi_queries.roi_summary(db)
            first, last = roi_analytics.dashboard_days(when)
            known = {r["pattern_id"] for r in rows}
            # one read of the daily rows covers the month, the window and the one before
            # (by default the last 30 days and the 30 before: the month's own span)
            wanted = [first.isoformat(), last.isoformat()]
            for span in spans:
                lo, hi = span or (date.min.isoformat(), date.max.isoformat())
                wanted = [min(wanted[0], lo), max(wanted[1], hi)]
            days = [d for d in daily_stats.daily_rows(db, *wanted) if d["pattern_id"] in known]
        month = [d for d in days if first.isoformat() <= d["day"] <= last.isoformat()]
        current = _portfolio_figures(days, spans[0])
        prior = None if before is None else _portfolio_figures(days, spans[1])
        return {
            **roi_analytics.dashboard(rows, month, when),
            "window": {
                "window": chosen.as_json(),
                "compared_with": None if before is None else before.as_json(),
                "current": current,
                "previous": prior,
                "change": None if prior is None else roi_analytics.change(current, prior),
            },
            "now": when.isoformat().replace("+00:00", "Z"),
            "as_of_seq": head.seq,
            "as_of_hash": head.hash,
        }

    def alerts(self, now: Now = None, as_of: AsOf = None) -> list[dict[str, Any]]:
        """failure_spike, negative_roi, underutilization, performance_degradation."""
        when = self.point_shown(now, as_of)
        with self.reading(as_of) as db:
            rows = roi_queries.roi_summary(db)
            registry = {p["pattern_id"]: p for p in pattern_queries.list_patterns(db)}
            days = daily_stats.daily_rows(
                db, (when.date() - timedelta(days=36)).isoformat(), when.date().isoformat()
            )
        return roi_analytics.alerts(rows, registry, days, when)

    def roi_summary_compared(
        self,
        compare: str = "previous",
        as_of: AsOf = None,
        *,
        since: Day = None,
        until: Day = None,
        period: str | None = None,
        now: Now = None,
    ) -> dict[str, Any]:
        """The ROI summary of a window beside another: `compare` is 'previous' (the period
        of the same kind before, or the window of equal length before) or any period.
        Answers `{"window", "compared_with", "current", "previous", "change"}`; both read
        from one snapshot of the ledger (as of `as_of`)."""
        return comparison(
            self, compare, since, until, period, now, as_of, _summary_rows,
            roi_queries.compare_summaries,
        )  # fmt: skip

    def roi_restatement(
        self,
        as_of: AsOf,
        *,
        since: Day = None,
        until: Day = None,
        period: str | None = None,
        now: Now = None,
        limit: int = 50,
    ) -> dict[str, Any]:
        """A window's ROI as the ledger knew it at `as_of` (a seq or recording time) beside
        what it knows now, the change, and the events recorded since that changed it:
        executions that happened in the window but were recorded later, and retractions of
        executions in the window (the first `limit` (1..50), oldest first, and how many in
        all)."""
        from events.timeutil import parse_timestamp
        from ledger.core.periods import window

        if as_of is None:
            raise InputError(
                "as_of: a restatement holds what the ledger knew then against now; give "
                "--as-of SEQ|TIMESTAMP",
                {"field": "as_of"},
            )
        check_limit(limit)
        then_seq = self.resolve_as_of(as_of)

        span = window(option_text(since), option_text(until), period, self.point_shown(now, as_of))
        bounds = {
            "since": None if span.since is None else span.since.date().isoformat(),
            "until": None if span.until is None else span.until.date().isoformat(),
        }
        if (span.since, span.until) != (None, None):
            window_days(span)  # whole UTC days only, refused naming the option
        with self.reading():
            head = self.head()
            current = self.roi_summary(**bounds)
            then = self.roi_summary(then_seq, **bounds)
            changed: list[dict[str, Any]] = []
            total = 0
            for e in self._events_since(then_seq, head.seq):
                if e.event_type == "PatternExecutionRecorded":
                    when = e.occurred_at
                    what = "execution recorded since"
                    pid = e.event.pattern_id
                else:
                    target = self.events(after=e.event.target_seq - 1, limit=1)[0]
                    if target.event_type != "PatternExecutionRecorded":
                        continue
                    when = target.occurred_at
                    what = f"retraction of the execution at seq {target.seq}"
                    pid = target.event.pattern_id  # type: ignore[attr-defined]
                if not span.holds(parse_timestamp(when)):
                    continue
                total += 1
                changed.append(
                    {
                        "seq": e.seq,
                        "recorded_at": e.recorded_at,
                        "event_type": e.event_type,
                        "pattern_id": pid,
                        "happened_at": when,
                        "what": what,
                    }
                )
        then_head = self.head(then_seq)
        return {
            "window": span.as_json(),
            "as_of_seq": then_head.seq,
            "as_of_recorded_at": then_head.recorded_at,
            "now_seq": head.seq,
            "now_recorded_at": head.recorded_at,
            "then": then,
            "now": current,
            "change": roi_queries.compare_summaries(current, then),
            "changed_by": sorted(changed, key=lambda c: c["seq"])[:limit],
            "changed_by_total": total,
        }

    def _events_since(self, after: int, upto: int) -> Iterator[Any]:
        """Executions and retractions recorded after seq `after` up to `upto`, oldest first,
        a page at a time."""
        for kind in ("PatternExecutionRecorded", "EventRetracted"):
            cursor = after
            while cursor < upto:
                page = self.events(after=cursor, limit=1000, event_type=kind, as_of=upto)
                if not page:
                    break
                yield from page
                cursor = page[-1].seq

    def trend(
        self, pattern_id: str, period: str = "day", as_of: AsOf = None
    ) -> list[dict[str, Any]]:
        """Success rate, savings and ROI per day, ISO week or month."""
        pattern_id = _lookup(pattern_id)
        if period not in roi_analytics.PERIODS:
            raise InputError(
                f"period: must be one of {', '.join(roi_analytics.PERIODS)} (got {period!r})",
                {"field": "period"},
            )
        with self.reading(as_of) as db:
            self._known_row(db, pattern_id)
            days = daily_stats.pattern_days(db, pattern_id)
        return roi_analytics.trend(days, period)

    def portfolio_trend(
        self, period: roi_analytics.Period = "month", as_of: AsOf = None
    ) -> list[dict[str, Any]]:
        """The trend of all patterns together."""
        with self.reading(as_of) as db:
            days = daily_stats.daily_rows(db, date.min.isoformat(), date.max.isoformat())
        return roi_analytics.trend(days, period)

    def update_confidence(self, pattern_id: str | None = None) -> list[dict[str, Any]]:
        """The closed loop: set each approved pattern's confidence from its rating, in one
        transaction; only changed values are recorded (as PatternConfidenceUpdated)."""
        with self.reading() as db:
            if pattern_id is None:
                targets = [
                    p["pattern_id"]
                    for p in pattern_queries.list_patterns(db)
                    if p["status"] == "approved"
                ]
            else:
                targets = [pattern_id]
        results = []
        with self.unit_of_work() as uow:
            for target in targets:
                cmd = build_command(pattern_commands.UpdateConfidence, {"pattern_id": target})
                before = uow.pattern(target)
                events, _ = self.dispatch(uow, cmd)  # through the bus, like every command
                uow.flush()
                row = roi_queries.pattern_roi(uow.db, target)
                results.append(
                    {
                        "pattern_id": target,
                        "effectiveness_rating": row["effectiveness_rating"] if row else None,
                        "total_executions": row["total_executions"] if row else 0,
                        "old_confidence": before.confidence,
                        "new_confidence": uow.pattern(target).confidence,
                        "changed": bool(events),
                        "seq": events[0].seq if events else None,
                    }
                )
        return results

    def roi_markdown(self, now: Now = None, as_of: AsOf = None) -> str:
        """The portfolio report as Markdown, stating the head it was computed from."""
        return self.roi_markdown_with_head(now, as_of)[0]

    def roi_markdown_with_head(self, now: Now = None, as_of: AsOf = None) -> tuple[str, Head]:
        """The Markdown report and the head it states, read in one snapshot (a write landing
        between its queries could otherwise make the figures newer than the stated head)."""
        when = self.point_shown(now, as_of)
        view = self.view(as_of)
        with view.reading():  # every query below joins this one read transaction
            return _markdown(view, when)


def _markdown(self: PatternLedger, when: datetime) -> tuple[str, Head]:
    from ledger.present.reports.roi_markdown import render

    head = self.head()
    summary = self.roi_summary()
    text = render(
        {
            "generated_at": when.isoformat().replace("+00:00", "Z"),
            "as_of_seq": head.seq,
            "as_of_hash": head.hash,
            "summary": summary,
            "effectiveness": [roi_analytics.effectiveness_of(r) for r in summary],
            "dashboard": self.dashboard(now=when),
            "top_performers": self.top_performers(10),
            "underperformers": self.underperformers(10),
            "alerts": self.alerts(now=when),
            "trend": self.portfolio_trend("month"),
        }
    )
    return text, head


def execution_result(result: dict[str, Any], pattern_id: str) -> dict[str, Any]:
    """The source's response for a recorded execution, on top of the common keys."""
    return {
        **result,
        "execution_id": result["seq"],
        "pattern_id": pattern_id,
        "message": (
            "Execution already recorded (same idempotency key); nothing appended"
            if result["duplicate"]
            else "Execution recorded successfully"
        ),
    }


def business_window(
    self: LedgerCore, since: Day, until: Day, period: str | None, now: Now, as_of: AsOf
) -> tuple[str, str] | None:
    """The first and last UTC day a window of business time covers (None: all time). A
    window read from per-day aggregates starts and ends at UTC midnights: a timestamp in the
    middle of a day is refused naming its option (give a date)."""
    from ledger.core.periods import window

    return window_days(
        window(option_text(since), option_text(until), period, self.point_shown(now, as_of))
    )


Rows = list[dict[str, Any]]


def comparison(
    led: LedgerCore,
    compare: str,
    since: Day,
    until: Day,
    period: str | None,
    now: Now,
    as_of: AsOf,
    read: Callable[[Sql, tuple[str, str] | None], Rows],
    change: Callable[[Rows, Rows], Rows],
) -> dict[str, Any]:
    """A window's rows beside another's (`compare`: 'previous' or any period), both `read`
    from one snapshot: `{"window", "compared_with", "current", "previous", "change"}`."""
    from ledger.core.periods import compared, window

    point = led.point_shown(now, as_of)
    current = window(option_text(since), option_text(until), period, point)
    other = compared(current, compare, point)
    spans = [window_days(current), window_days(other)]
    with led.reading(as_of) as db:
        rows = [read(db, span) for span in spans]
    return {
        "window": current.as_json(),
        "compared_with": other.as_json(),
        "current": rows[0],
        "previous": rows[1],
        "change": change(rows[0], rows[1]),
    }


def _summary_rows(db: Sql, span: tuple[str, str] | None) -> list[dict[str, Any]]:
    """The ROI summary rows: all time, or of the days of `span` (first, last)."""
    if span is None:
        return roi_queries.roi_summary(db)
    return roi_queries.roi_summary_between(db, *span)


def _ownership(
    db: Sql, row: dict[str, Any], span: tuple[str, str] | None, point: datetime
) -> dict[str, Any]:
    """What the pattern cost to have in the window (its recorded one-off and monthly costs
    charged by the point shown), its savings and ROI after them, and its payback date."""
    from projections import costs
    from projections.roi_math import roi_percentage

    mine = costs.costs_of(db, row["pattern_id"])
    if not mine:  # nothing to charge: the figures are the run figures (no day read)
        return {
            "costs_recorded": 0,
            "costs_usd": Decimal(0),
            "net_savings_after_costs_usd": row["total_cost_saved_usd"],
            "roi_with_costs_percentage": row["roi_percentage"],
            "payback_date": None,
        }
    lo, hi = span or (date.min.isoformat(), date.max.isoformat())
    first = None if lo == date.min.isoformat() else date.fromisoformat(lo)
    last = None if hi == date.max.isoformat() else date.fromisoformat(hi)
    days = daily_stats.pattern_days(db, row["pattern_id"])
    inside = daily_stats.totals(d for d in days if lo <= d["day"] <= hi)
    saved, spent = inside.total_cost_saved_usd, inside.total_investment_usd
    charged = costs.total(mine, first, last, point)
    payback = costs.payback_day([(d["day"], d["cost_saved_usd"]) for d in days], mine, point)
    return {
        "costs_recorded": len(mine),
        "costs_usd": charged,
        "net_savings_after_costs_usd": saved - charged,
        "roi_with_costs_percentage": roi_percentage(saved - charged, spent + charged),
        "payback_date": None if payback is None else payback.isoformat(),
    }


def _portfolio_figures(days: list[dict[str, Any]], span: tuple[str, str] | None) -> dict[str, Any]:
    """The portfolio's executions, success rate, savings and ROI over the days of `span`
    (all time when None), from daily rows."""
    first, last = span or (date.min.isoformat(), date.max.isoformat())
    return roi_analytics.window(days, date.fromisoformat(first), date.fromisoformat(last))


def window_days(span: Window) -> tuple[str, str] | None:
    """`business_window` for a window already parsed."""
    if span.since is None and span.until is None:
        return None
    for field, end in (("since", span.since), ("until", span.until)):
        if end is not None and end != datetime(end.year, end.month, end.day, tzinfo=UTC):
            raise InputError(
                f"{field}: {end:%Y-%m-%dT%H:%M:%SZ} is not a UTC midnight; windows are counted "
                "in whole UTC days: give a date (e.g. 2026-11-01)",
                {"field": field},
            )
    first, last = span.days()
    return first or date.min.isoformat(), last or date.max.isoformat()


def _lookup(pattern_id: str) -> str:
    """An id as stored (NFC); one no database can hold (a lone surrogate) is unknown."""
    pattern_id = normal_id(pattern_id)
    try:
        pattern_id.encode("utf-8")
    except UnicodeEncodeError:
        raise NotFoundError(f"unknown pattern {pattern_id!r}", field="pattern_id") from None
    return pattern_id


def _unknown(db: Sql, pattern_id: str) -> NotFoundError:
    """The refusal of an unknown pattern, with the closest known id when one is close."""
    from ledger.core.suggest import with_hint

    refusal = NotFoundError(f"unknown pattern {pattern_id!r}", field="pattern_id")
    return with_hint(refusal, db, pattern_id)
