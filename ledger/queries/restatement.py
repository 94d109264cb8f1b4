"""A restatement: a window's ROI as the ledger knew it at a past recording point beside what
it knows now, and the events recorded since that changed it (README "Two clocks")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ledger.core.moments import Day, Now
from ledger.errors import InputError
from ledger.queries.context import WindowArgs, check_limit, chosen_window, run, window_days
from ledger.queries.roi import roi_summary
from projections import roi_queries

if TYPE_CHECKING:
    from events import RecordedEvent
    from ledger.core.moments import AsOf
    from ledger.core.service import LedgerCore


def roi_restatement(
    service: LedgerCore,
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

    if as_of is None:
        raise InputError(
            "as_of: a restatement holds what the ledger knew then against now; give "
            "--as-of SEQ|TIMESTAMP",
            {"field": "as_of"},
        )
    check_limit(limit)
    then_seq = service.resolve_as_of(as_of)
    span = chosen_window(service, {"since": since, "until": until, "period": period,
                                   "now": now}, as_of)  # fmt: skip
    bounds: WindowArgs = {
        "since": None if span.since is None else span.since.date().isoformat(),
        "until": None if span.until is None else span.until.date().isoformat(),
    }
    if (span.since, span.until) != (None, None):
        window_days(span)  # whole UTC days only, refused naming the option
    with service.reading():
        head = service.head()
        current = run(service, roi_summary, None, bounds)
        then = run(service, roi_summary, then_seq, bounds)
        changed: list[dict[str, Any]] = []
        total = 0
        for e in _events_since(service, then_seq, head.seq):
            if e.event_type == "PatternExecutionRecorded":
                when = e.occurred_at
                what = "execution recorded since"
                pid = e.event.pattern_id  # type: ignore[attr-defined]
            else:
                target = service.events(after=e.event.target_seq - 1, limit=1)[0]  # type: ignore[attr-defined]
                if target.event_type != "PatternExecutionRecorded":
                    continue
                when = target.occurred_at
                what = f"retraction of the execution at seq {target.seq}"
                pid = target.event.pattern_id  # type: ignore[attr-defined]
            if not span.holds(parse_timestamp(when)):
                continue
            total += 1
            changed.append({
                "seq": e.seq, "recorded_at": e.recorded_at, "event_type": e.event_type,
                "pattern_id": pid, "happened_at": when, "what": what,
            })  # fmt: skip
    then_head = service.head(then_seq)
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


def _events_since(service: LedgerCore, after: int, upto: int) -> Iterator[RecordedEvent]:
    """Executions and retractions recorded after seq `after` up to `upto`, oldest first,
    a page at a time."""
    for kind in ("PatternExecutionRecorded", "EventRetracted"):
        cursor = after
        while cursor < upto:
            page = service.events(after=cursor, limit=1000, event_type=kind, as_of=upto)
            if not page:
                break
            yield from page
            cursor = page[-1].seq
