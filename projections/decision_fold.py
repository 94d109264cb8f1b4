"""How each decision event changes the decision read model, and the writes that follow: a
decision's row folded with its outcomes (`fold`), each outcome's own row, and the (source,
type) groups moved by the exact change of each decision's contribution (`store`): all
time, per day decided, and per whole days to the first customer.

Loaded when a decision event is folded (projections/decisions.py), never on other appends.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from events import RecordedEvent
from events.sql import Sql
from events.timeutil import parse_timestamp
from projections.base import Table
from projections.conversion_math import Contribution
from projections.decision_rows import SELECT_DAYS, DecisionRow, contribution_of, load_group, stored
from projections.decision_tables import DAYS, DECISIONS, DURATIONS, GROUPS, OUTCOMES

if TYPE_CHECKING:
    from events.decisions import DecisionLogged, OutcomeRecorded


def upsert(table: Table) -> str:
    """An INSERT of a whole row of `table` that replaces the row of the same key."""
    columns = [name for name, _, _ in table.columns]
    key = table.primary_key
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    return (
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
    )


DECISION_UPSERT = upsert(DECISIONS)
GROUP_UPSERT = upsert(GROUPS)
DAY_UPSERT = upsert(DAYS)
DURATION_UPSERT = upsert(DURATIONS)
OUTCOME_INSERT = (
    f"INSERT INTO outcomes ({', '.join(name for name, _, _ in OUTCOMES.columns)})"
    f" VALUES ({', '.join('?' * len(OUTCOMES.columns))})"
)


def logged(recorded: RecordedEvent) -> DecisionRow:
    """The row a DecisionLogged starts."""
    e = cast("DecisionLogged", recorded.event)
    return DecisionRow(
        e.decision_id, recorded.occurred_at, e.opportunity_type, e.opportunity_source,
        e.opportunity_content, e.opportunity_score, e.sender, e.action_taken, e.decision_maker,
        json.dumps(e.context, sort_keys=True), e.opportunity_id, recorded.seq,
        updated_at=recorded.recorded_at,
    )  # fmt: skip


def with_outcome(row: DecisionRow, recorded: RecordedEvent) -> DecisionRow:
    """The row after one more outcome."""
    e = cast("OutcomeRecorded", recorded.event)
    when = recorded.occurred_at
    # the first by when it happened; of two at the same time, the one recorded first (the
    # fold runs in log order, so a later tie never replaces it)
    customer = e.customer_acquired and (
        row.first_customer_at is None or when < row.first_customer_at
    )
    deal = e.deal_closed and (row.first_deal_at is None or when < row.first_deal_at)
    last = row.last_outcome_at
    return replace(
        row,
        outcomes=row.outcomes + 1,
        responded=row.responded or e.response_received,
        customer=row.customer or e.customer_acquired,
        deal=row.deal or e.deal_closed,
        revenue=row.revenue + e.revenue_generated,
        first_customer_at=when if customer else row.first_customer_at,
        first_customer_outcome=recorded.seq if customer else row.first_customer_outcome,
        first_deal_at=when if deal else row.first_deal_at,
        first_deal_outcome=recorded.seq if deal else row.first_deal_outcome,
        last_outcome_at=recorded.occurred_at
        if last is None or recorded.occurred_at > last
        else last,
        updated_at=recorded.recorded_at,
    )


def hours_between(start: str, end: str) -> float:
    """Hours from one stored timestamp to another."""
    return (parse_timestamp(end) - parse_timestamp(start)).total_seconds() / 3600


def outcome_row(recorded: RecordedEvent, decided_at: str) -> tuple[Any, ...]:
    """An `outcomes` row (id = the event's seq)."""
    e = cast("OutcomeRecorded", recorded.event)
    return (
        recorded.seq, e.decision_id, e.outcome_type, e.outcome_status, str(e.revenue_generated),
        int(e.customer_acquired), int(e.deal_closed), int(e.response_received),
        round(hours_between(decided_at, recorded.occurred_at), 6), e.notes,
        recorded.occurred_at, recorded.recorded_at,
    )  # fmt: skip


def fold(db: Sql, rows: dict[str, DecisionRow | None], events: Iterable[RecordedEvent]) -> None:
    """Fold decision events, in log order, into `rows` (decision id -> its row so far, None
    before it is logged; changed in place), and insert the `outcomes` rows they add."""
    outcome_rows: list[tuple[Any, ...]] = []
    for recorded in events:
        decision_id: str = recorded.event.decision_id  # type: ignore[attr-defined]
        row = rows.get(decision_id)
        if recorded.event_type == "DecisionLogged":
            rows[decision_id] = logged(recorded)
        elif row is not None:
            rows[decision_id] = with_outcome(row, recorded)
            outcome_rows.append(outcome_row(recorded, row.decided_at))
    db.executemany(OUTCOME_INSERT, outcome_rows)


def store(
    db: Sql,
    before: dict[str, DecisionRow | None],
    after: dict[str, DecisionRow | None],
    when: str,
) -> None:
    """Write each decision's row as it is `after` (gone where None), and move its groups by
    the change from its contribution `before` (a group's time: the last event touching it,
    `when` for a decision gone)."""
    deltas: dict[tuple[str, str], Contribution] = {}
    touched: dict[tuple[str, str], str] = {}  # group -> time of the last event touching it
    daily: dict[tuple[str, str, str], Contribution] = {}  # (group, day decided) -> delta
    durations: dict[tuple[str, str, str, int], int] = {}  # (group, day, whole days) -> ±n
    for decision_id, new in after.items():
        old = before[decision_id]
        moment = when if new is None else new.updated_at
        for row, sign in ((old, -1), (new, 1)):
            if row is None:
                continue
            key = (row.opportunity_source, row.opportunity_type)
            c = row.contribution()
            signed = c if sign > 0 else -c
            deltas[key] = deltas.get(key, Contribution()) + signed
            touched[key] = max(touched.get(key, ""), moment)
            day = (*key, row.decided_at[:10])
            daily[day] = daily.get(day, Contribution()) + signed
            seconds = row.conversion_seconds
            if seconds is not None:
                took = (*day, max(0, seconds) // 86_400)
                durations[took] = durations.get(took, 0) + sign
        if new is None:
            db.execute("DELETE FROM decisions WHERE decision_id = ?", (decision_id,))
    db.executemany(DECISION_UPSERT, [r.as_db() for r in after.values() if r is not None])
    rows = []
    for (source, kind), delta in deltas.items():
        total = (load_group(db, source, kind) or Contribution()) + delta
        if total.decisions == 0:
            db.execute(
                "DELETE FROM conversion_metrics WHERE source_type = ? AND opportunity_type = ?",
                (source, kind),
            )
            continue
        rows.append((source, kind, *stored(total), touched[(source, kind)]))
    db.executemany(GROUP_UPSERT, rows)
    store_days(db, daily)
    store_durations(db, durations)


def store_days(db: Sql, deltas: dict[tuple[str, str, str], Contribution]) -> None:
    """Add each (source, type, UTC day of decided_at) delta to its `conversion_daily` row;
    a row left with no decision goes (no phantom day after a retraction)."""
    # every touched day is written, even by a zero delta, exactly as its group total is:
    # the stored text of a sum (0 or 0.000) then follows the same additions either way
    changed = deltas
    if not changed:
        return
    first = min(day for _, _, day in changed)
    last = max(day for _, _, day in changed)
    existing = {
        (r[0], r[1], r[2]): contribution_of(r[3:])
        for r in db.execute(f"{SELECT_DAYS} WHERE day >= ? AND day <= ?", (first, last)).fetchall()
        if (r[0], r[1], r[2]) in changed
    }
    rows, gone = [], []
    for key, delta in changed.items():
        total = existing.get(key, Contribution()) + delta
        if total.decisions == 0:
            gone.append(key)
            continue
        rows.append((*key, *stored(total)))
    if gone:
        db.executemany(
            "DELETE FROM conversion_daily"
            " WHERE source_type = ? AND opportunity_type = ? AND day = ?",
            gone,
        )
    db.executemany(DAY_UPSERT, rows)


def store_durations(db: Sql, deltas: dict[tuple[str, str, str, int], int]) -> None:
    """Add each (source, type, day decided, whole days to the first customer) count delta to
    its `conversion_durations` row; a row left at 0 goes."""
    changed = {key: n for key, n in deltas.items() if n}
    if not changed:
        return
    first = min(key[2] for key in changed)
    last = max(key[2] for key in changed)
    counts = {
        (r[0], r[1], r[2], int(r[3])): int(r[4])
        for r in db.execute(
            "SELECT source_type, opportunity_type, day, days, customers FROM conversion_durations"
            " WHERE day >= ? AND day <= ?",
            (first, last),
        ).fetchall()
    }
    rows: list[tuple[Any, ...]] = []
    gone: list[tuple[Any, ...]] = []
    for key, n in changed.items():
        total = counts.get(key, 0) + n
        if total > 0:
            rows.append((*key, total))
        else:
            gone.append(key)
    if gone:
        db.executemany(
            "DELETE FROM conversion_durations WHERE source_type = ? AND opportunity_type = ?"
            " AND day = ? AND days = ?",
            gone,
        )
    db.executemany(DURATION_UPSERT, rows)
