"""The decision loop on the ledger: log decisions and outcomes, read conversions, ROI by
type, insights, predictions, scores, calibration and summaries (README "Decisions and outcomes")."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ledger.core.moments import Day, Now, summary_day
from ledger.core.service import AsOf, LedgerCore
from ledger.errors import InputError
from ledger.validation import build_command

if TYPE_CHECKING:
    from commands.decisions import RecordPrediction
    from events.sql import Sql
    from projections.conversion_math import Contribution
    from projections.conversions import By, Group


def _over(last: date, what: str) -> bool:
    """Whether a summary's last day (UTC) is over: today's is a summary so far (the source
    runs the daily one at 23:59); a day still to come is refused, since a summary of it
    would be filed as if it were complete."""
    from events.timeutil import utc_now
    from ledger.errors import InputError

    today = utc_now().date()
    if last > today:
        raise InputError(
            f"date: {last} has not come yet (today is {today}, UTC), so a summary of that "
            f"{what} would miss everything still to happen in it; give a date up to today",
            {"field": "date", "value": last.isoformat()},
        )
    return last < today


def opportunity_id(opportunity: dict[str, Any], index: int = 0) -> str:
    """The opportunity's own `id` (or `opportunity_id`): a non-empty string or a number, spaces
    turned to `_`; else a stable hash of its whole content (so two opportunities that differ in
    anything, their score included, never share an id)."""
    from commands.fields import check_id

    for key in ("id", "opportunity_id"):
        value = opportunity.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise InputError(
                f"opportunity {index}: {key} must be a string or a number "
                f"(got {type(value).__name__})",
                {"index": index, "field": key},
            )
        text = (str(value) if isinstance(value, str | int) else repr(value)).strip()
        try:
            return check_id(text.replace(" ", "_"))
        except ValueError as exc:
            raise InputError(
                f"opportunity {index}: {key} {exc}", {"index": index, "field": key}
            ) from None
    basis = json.dumps(opportunity, sort_keys=True, separators=(",", ":"), default=str)
    return f"opp-{hashlib.sha256(basis.encode()).hexdigest()[:16]}"


def labels_of(opportunity: dict[str, Any]) -> tuple[Any, Any]:
    """An opportunity's type and source as given: `type`/`source`, or the long names
    `opportunity_type`/`opportunity_source` (the one place either spelling is read)."""
    kind = opportunity.get("type", opportunity.get("opportunity_type"))
    return kind, opportunity.get("source", opportunity.get("opportunity_source"))


def prediction_fields(scored: dict[str, Any]) -> dict[str, Any]:
    """A scored opportunity as the fields of the RecordPrediction command that keeps it."""
    from projections.prediction_math import MODEL_VERSION

    kind, source = labels_of(scored)
    return {
        "opportunity_id": scored["opportunity_id"],
        "opportunity_type": kind,
        "opportunity_source": source,
        "original_score": float(scored["original_score"]),
        "adjusted_score": float(scored["adjusted_score"]),
        "conversion_probability": float(scored["conversion_probability"]),
        "predicted_revenue": scored["predicted_revenue"],
        "confidence": scored["confidence"],
        "similar_count": scored["similar_count"],
        "model_version": MODEL_VERSION,
    }


def _prediction_command(number: int, scored: dict[str, Any]) -> RecordPrediction:
    """The command that keeps a scored opportunity's prediction, or an input error naming
    the opportunity by its place in the input."""
    from commands.decisions import RecordPrediction

    try:
        return build_command(RecordPrediction, prediction_fields(scored))
    except InputError as exc:
        raise InputError(f"opportunity {number}: {exc.message}", exc.details) from None


def _prediction_values(cmd: RecordPrediction) -> tuple[Any, ...]:
    """A prediction's values as `latest_predictions` reads them back, for comparison."""
    return (
        cmd.opportunity_type, cmd.opportunity_source, float(cmd.original_score),
        float(cmd.adjusted_score), float(cmd.conversion_probability), cmd.predicted_revenue,
        cmd.confidence, cmd.similar_count, cmd.model_version,
    )  # fmt: skip


def _groups(db: Sql, span: tuple[str, str] | None = None) -> list[tuple[str, str, Contribution]]:
    """Every (source, type) group with its totals (the row queries load on first use); with
    `span` (first and last UTC day), only the decisions decided on those days."""
    from projections.decision_rows import groups, groups_between

    if span is None:
        return groups(db)
    first, last = span
    return groups_between(
        db,
        None if first == date.min.isoformat() else first,
        None if last == date.max.isoformat() else last,
    )


def _check_by(by: str) -> By:
    """`by` as the roll-up of the groups it names (combination, source or type), or refused."""
    from projections import conversions

    if by not in conversions.BY:
        raise InputError(
            f"by: must be one of {', '.join(conversions.BY)} (got {by!r})", {"field": "by"}
        )
    return by


def _time_rows(db: Sql, by: str, span: tuple[str, str] | None, today: str) -> list[dict[str, Any]]:
    """`time_to_conversion`'s rows from the per-day aggregates of the decisions decided in
    `span` (all when None), censored at the ISO day `today`."""
    from projections.decision_rows import days_between, durations_between
    from projections.survival import time_to_conversion

    first, last = span or (None, None)
    days = days_between(db, first, last)
    durations = durations_between(db, first, last)

    def key(source: str, kind: str) -> tuple[str | None, str | None]:
        return {"type": (None, kind), "source": (source, None), "combination": (source, kind)}[by]

    decided: dict[tuple[str | None, str | None], list[tuple[str, int, int]]] = {}
    for source, kind, day, n, customers in days:
        decided.setdefault(key(source, kind), []).append((day, n, customers))
    took: dict[tuple[str | None, str | None], list[tuple[str, int, int]]] = {}
    for source, kind, day, d, n in durations:
        took.setdefault(key(source, kind), []).append((day, d, n))
    rows = [
        {
            "source_type": group[0],
            "opportunity_type": group[1],
            **time_to_conversion(decided[group], took.get(group, []), today),
            "censored_at": today,
        }
        for group in sorted(decided, key=lambda g: (g[0] or "", g[1] or ""))
    ]
    return [row for row in rows if row["decisions"]]  # none decided by the point: no row


def _span(
    led: LedgerCore, since: Day, until: Day, period: str | None, now: Now, as_of: AsOf
) -> tuple[str, str] | None:
    from ledger.app.automation import business_window

    return business_window(led, since, until, period, now, as_of)


class DecisionLedger(LedgerCore):
    """Decisions, outcomes and everything learnt from them."""

    def log_decision(
        self,
        decision_id: str,
        opportunity_type: str,
        opportunity_source: str,
        action_taken: str,
        **options: Any,
    ) -> dict[str, Any]:
        """Log a decision (options: opportunity_content, opportunity_score, sender,
        decision_maker, context, opportunity_id, decided_at, idempotency_key)."""
        from commands.decisions import LogDecision

        return self._run(
            LogDecision,
            dict(
                decision_id=decision_id,
                opportunity_type=opportunity_type,
                opportunity_source=opportunity_source,
                action_taken=action_taken,
                **options,
            ),
        )

    def record_outcome(
        self, decision_id: str, outcome_type: str, outcome_status: str, **options: Any
    ) -> dict[str, Any]:
        """Record an outcome (options: revenue_generated, customer_acquired, deal_closed,
        response_received, notes, occurred_at, idempotency_key)."""
        from commands.decisions import RecordOutcome

        return self._run(
            RecordOutcome,
            dict(
                decision_id=decision_id,
                outcome_type=outcome_type,
                outcome_status=outcome_status,
                **options,
            ),
        )

    # -- reads --------------------------------------------------------------------------------
    def conversion_metrics(
        self,
        by: str = "combination",
        as_of: AsOf = None,
        *,
        since: Day = None,
        until: Day = None,
        period: str | None = None,
        now: Now = None,
    ) -> list[dict[str, Any]]:
        """Conversion metrics per (source, type), or rolled up per source or per type: all
        time, or the decisions decided in a window of business time (each with its outcomes,
        whenever they arrived); beside the raw rate, `converted_within_30_days`, the matured
        view (Kaplan–Meier, counted at `now` or the as-of point)."""
        from projections import conversions

        rollup = _check_by(by)
        span = _span(self, since, until, period, now, as_of)
        today = self.point_shown(now, as_of).date().isoformat()
        with self.reading(as_of) as db:
            rows = conversions.conversion_metrics(_groups(db, span), rollup)
            matured = {
                (t["source_type"], t["opportunity_type"]): t["converted_within"][-1]
                for t in _time_rows(db, by, span, today)
            }
        for row in rows:
            # the matured view beside the raw rate: converted within 30 days (Kaplan–Meier,
            # the open decisions counted until the point shown); None before any was followed
            # that long
            key = (
                row["source_type"] if by != "type" else None,
                row["opportunity_type"] if by != "source" else None,
            )
            row["converted_within_30_days"] = matured.get(key)
        return rows

    def conversion_metrics_compared(
        self,
        compare: str = "previous",
        by: str = "combination",
        as_of: AsOf = None,
        *,
        since: Day = None,
        until: Day = None,
        period: str | None = None,
        now: Now = None,
    ) -> dict[str, Any]:
        """Conversion metrics of the decisions decided in a window beside those of another
        (`compare`: 'previous' or any period): `{"window", "compared_with", "current",
        "previous", "change"}`, each group's change and a test of its conversion rates;
        both read from one snapshot (as of `as_of`)."""
        from ledger.app.automation import comparison
        from projections import conversions

        rollup = _check_by(by)
        return comparison(
            self, compare, since, until, period, now, as_of,
            lambda db, span: conversions.conversion_metrics(_groups(db, span), rollup),
            conversions.compare_conversions,
        )  # fmt: skip

    def time_to_conversion(
        self,
        by: str = "type",
        as_of: AsOf = None,
        *,
        since: Day = None,
        until: Day = None,
        period: str | None = None,
        now: Now = None,
    ) -> list[dict[str, Any]]:
        """How long decisions take to win a customer, per type, source or both, with the
        decisions still open counted (Kaplan–Meier, censored at the point shown: `now`, else
        the as-of recording time): the median days with its interval and the share converted
        within 7, 14 and 30 days; all time or the decisions decided in a window."""

        rollup = _check_by(by)
        span = _span(self, since, until, period, now, as_of)
        today = self.point_shown(now, as_of).date().isoformat()
        with self.reading(as_of) as db:
            return _time_rows(db, rollup, span, today)

    def explain_conversion(
        self,
        source: str,
        opportunity_type: str | None = None,
        as_of: AsOf = None,
        *,
        since: Day = None,
        until: Day = None,
        period: str | None = None,
        now: Now = None,
    ) -> dict[str, Any]:
        """A receipt for a source's (or source and type's) conversion figures: formulas with
        their numbers, the decisions and outcomes they come from, the head."""
        from ledger.app import explain

        ledger: Any = self  # the whole Ledger: this mixin is one of its parts
        return explain.conversion(
            ledger, source, opportunity_type, as_of,
            since=since, until=until, period=period, now=now,
        )  # fmt: skip

    def roi_by_type(
        self,
        as_of: AsOf = None,
        *,
        since: Day = None,
        until: Day = None,
        period: str | None = None,
        now: Now = None,
    ) -> list[dict[str, Any]]:
        """Revenue per opportunity type, and per source within it (all time, or the
        decisions decided in a window)."""
        from projections import conversions

        span = _span(self, since, until, period, now, as_of)
        with self.reading(as_of) as db:
            return conversions.roi_by_type(_groups(db, span))

    def insights(
        self,
        as_of: AsOf = None,
        *,
        since: Day = None,
        until: Day = None,
        period: str | None = None,
        now: Now = None,
    ) -> list[dict[str, Any]]:
        """Insights regenerated from the metrics (deterministic for a log position): all
        time, or the decisions decided in a window."""
        from projections import insights

        span = _span(self, since, until, period, now, as_of)
        today = self.point_shown(now, as_of).date().isoformat()
        with self.reading(as_of) as db:
            return insights.generate(_groups(db, span), _time_rows(db, "type", span, today))

    def predict(
        self,
        opportunity_type: str,
        opportunity_source: str,
        content: str | None = None,
        as_of: AsOf = None,
    ) -> dict[str, Any]:
        """What similar past decisions say about a new opportunity. (`content` is accepted
        for the source's signature; the model does not read text.)"""
        from projections import prediction_math as prediction

        for name, value in (("type", opportunity_type), ("source", opportunity_source)):
            if not isinstance(value, str) or not value.strip():
                raise InputError(f"{name}: required, a non-empty string", {"field": name})
        with self.reading(as_of) as db:
            groups = _groups(db)
        return prediction.predict(groups, opportunity_type.strip(), opportunity_source.strip())

    def search_decisions(
        self, query: str, limit: int = 20, as_of: AsOf = None
    ) -> list[dict[str, Any]]:
        """Decisions whose content, action, sender or outcome notes hold every word of
        `query` (a word ending in * as a prefix), newest first, with their conversion and
        revenue."""
        from ledger.store import search
        from ledger.store.as_of import AsOfSql

        if not isinstance(query, str) or not query.split():
            raise InputError("query: give at least one word to search for", {"field": "query"})
        if len(query) > 1000:
            raise InputError("query: at most 1,000 characters", {"field": "query"})
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 10_000:
            raise InputError("limit: must be a whole number from 1 to 10,000", {"field": "limit"})
        with self.reading(as_of) as db:
            live = self.projector.kind == "sqlite" and not isinstance(db, AsOfSql)
            return search.search(db, query, limit, indexed=live)

    def calibration(self, as_of: AsOf = None) -> dict[str, Any]:
        """Brier score and reliability table of recorded predictions against outcomes."""
        from projections.calibration import calibration
        from projections.predictions import scored_decisions

        with self.reading(as_of) as db:
            head = self.log.head(db)
            pairs = scored_decisions(db)
        result = calibration([(p["probability"], p["converted"]) for p in pairs])
        return {**result, "decisions": pairs, "as_of_seq": head.seq, "as_of_hash": head.hash}

    # -- scoring ------------------------------------------------------------------------------
    def score_opportunities(
        self, opportunities: Sequence[dict[str, Any]], *, record: bool = True
    ) -> list[dict[str, Any]]:
        """Each opportunity enhanced with its prediction and adjusted score, best first; with
        `record`, one OpportunityScored event each (an unchanged re-score appends nothing)."""
        if not isinstance(opportunities, list | tuple):
            raise InputError("opportunities: expected a JSON array of objects", {"field": "input"})
        with self.reading() as db:
            groups = _groups(db)
        cache: dict[tuple[str, str], dict[str, Any]] = {}
        scored = [
            self._score_one(number, opportunity, groups, cache)
            for number, opportunity in enumerate(opportunities, 1)
        ]
        # every prediction is validated before any is recorded: a refusal writes nothing
        commands = [_prediction_command(number, item) for number, item in enumerate(scored, 1)]
        scored.sort(key=lambda o: -o["adjusted_score"])
        if record:
            self._record_predictions(commands)
        return scored

    def _record_predictions(self, commands: Sequence[RecordPrediction]) -> None:
        """Record the predictions that differ from their opportunity's latest one. The key
        names that latest one too, so a value that returns after a change is recorded again
        while two scorers of the same state record it once."""
        from projections.predictions import latest_predictions

        with self.reading() as db:
            latest = latest_predictions(db, [c.opportunity_id for c in commands])
        fresh = []
        for command in commands:
            seq, known = latest.get(command.opportunity_id, (0, None))
            values = _prediction_values(command)
            if known == values:
                continue
            digest = hashlib.sha256(repr(values).encode()).hexdigest()[:16]
            key = f"score:{command.opportunity_id}:{digest}:{seq}"
            fresh.append(command.model_copy(update={"idempotency_key": key}))
        from ledger.app.batch import run_batch

        outcome = run_batch(self, enumerate(fresh, 1))
        if outcome.rejected:
            first = outcome.rejected[0]
            raise InputError(f"prediction {first['line']}: {first['error']}", outcome.rejected)

    def _score_one(
        self,
        index: int,
        opportunity: Any,
        groups: Sequence[Group],
        cache: dict[tuple[str, str], dict[str, Any]],
    ) -> dict[str, Any]:
        from projections import prediction_math as prediction

        if not isinstance(opportunity, dict):
            raise InputError(f"opportunity {index}: must be a JSON object", {"index": index})
        kind, source = labels_of(opportunity)
        if not isinstance(kind, str) or not isinstance(source, str) or not kind or not source:
            raise InputError(
                f"opportunity {index}: needs string 'type' and 'source'",
                {
                    "index": index,
                    "field": "type" if not isinstance(kind, str) or not kind else "source",
                },
            )
        from commands.fields import MAX_DEPTH, check_label, nesting

        if nesting(opportunity) > MAX_DEPTH:
            raise InputError(
                f"input: opportunity {index} nests deeper than {MAX_DEPTH} levels; flatten it",
                {"field": "input", "index": index},
            )
        for name, value in (("type", kind), ("source", source)):
            try:
                check_label(value)
            except ValueError as exc:
                raise InputError(
                    f"opportunity {index}: {name} {exc}", {"index": index, "field": name}
                ) from None
        raw = opportunity.get("score", 0)
        try:
            base = Decimal(str(raw)) if not isinstance(raw, bool) else Decimal("NaN")
        except InvalidOperation:
            base = Decimal("NaN")
        if not base.is_finite() or not 0 <= base <= 100:
            raise InputError(
                f"opportunity {index}: score must be a number from 0 to 100 (got {raw!r})",
                {"index": index, "field": "score"},
            )
        key = (kind, source)
        if key not in cache:
            cache[key] = prediction.predict(groups, kind, source)
        predicted = cache[key]
        adjusted = prediction.adjusted_score(base, predicted)
        return {
            **opportunity,
            "opportunity_id": opportunity_id(opportunity, index),
            "original_score": base,
            "adjusted_score": adjusted,
            "conversion_probability": predicted["conversion_probability"],
            "predicted_revenue": predicted["predicted_revenue"],
            "confidence": predicted["confidence"],
            "recommendation": prediction.recommendation(adjusted),
            "reasoning": prediction.score_reasoning(base, adjusted, predicted),
            "similar_count": predicted["similar_count"],
        }

    # -- summaries ----------------------------------------------------------------------------
    def daily_summary(self, day: Day = None, as_of: AsOf = None) -> dict[str, Any]:
        """Decisions, outcomes, revenue, the top outcome and key insights of one UTC day."""
        when = summary_day(day)
        complete = _over(when, "day")
        heading = f"Date: {when}" + ("" if complete else " (so far: the day is not over)")
        period = {"date": when.isoformat(), "complete": complete}
        return self._summary(when, when, period, heading, as_of)

    def weekly_summary(self, day: Day = None, as_of: AsOf = None) -> dict[str, Any]:
        """The same for the 7 days ending on `day`, named by exactly the days it covers: the
        ISO week when they are one (Monday to Sunday), else the range."""
        end = summary_day(day)
        complete = _over(end, "week")
        start = end - timedelta(days=6)
        year, week, weekday = end.isocalendar()
        label = f"{year}-W{week:02d}" if weekday == 7 else f"{start}_{end}"
        heading = f"Week: {label} ({start} – {end})"
        period = {"week": label, "start": start.isoformat(), "end": end.isoformat()}
        return self._summary(
            start, end, {**period, "complete": complete},
            heading + ("" if complete else " (so far: its last day is not over)"), as_of,
        )  # fmt: skip

    def _summary(
        self, first: date, last: date, period: dict[str, Any], heading: str, as_of: AsOf
    ) -> dict[str, Any]:
        from projections import conversions, insights, summaries

        with self.reading(as_of) as db:
            head = self.log.head(db)
            made, outcomes = summaries.period_rows(db, first, last)
            summaries.mark_firsts(db, outcomes)
            groups = _groups(db)
            timing = _time_rows(db, "type", None, last.isoformat())
        body = summaries.summarise(
            made,
            outcomes,
            insights.generate(groups, timing),
            conversions.conversion_metrics(groups),
        )
        return {
            **period,
            **body,
            "performance_summary": summaries.performance_text(heading, body),
            "as_of_seq": head.seq,
            "as_of_hash": head.hash,
            "files": [],
        }

    def save_summary(self, summary: dict[str, Any], directory: str | Path) -> tuple[Path, Path]:
        """Write a summary as JSON and Markdown into `directory`; returns both paths."""
        from ledger.present.reports.decision_summary import write

        return write(summary, Path(directory), self.location)
