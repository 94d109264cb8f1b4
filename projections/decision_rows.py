"""The decision read model's rows: how each event changes a decision's row, and the queries
that read decisions, outcomes and (source, type) groups back.

Kept apart from the projection class (projections/decisions.py) so that registering the
projection, which every append does, does not load any of this.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from events import RecordedEvent
from events.sql import Sql
from events.timeutil import parse_timestamp
from projections.conversion_math import Contribution

if TYPE_CHECKING:
    from events.decisions import DecisionLogged, OutcomeRecorded

DECISION_COLUMNS = (
    "decision_id",
    "decided_at",
    "opportunity_type",
    "opportunity_source",
    "opportunity_content",
    "opportunity_score",
    "sender",
    "action_taken",
    "decision_maker",
    "context",
    "opportunity_id",
    "logged_seq",
    "outcomes",
    "responded",
    "customer",
    "deal",
    "revenue",
    "first_customer_at",
    "conversion_seconds",
    "last_outcome_at",
    "updated_at",
)
OUTCOME_COLUMNS = (
    "id",
    "decision_id",
    "outcome_type",
    "outcome_status",
    "revenue_generated",
    "customer_acquired",
    "deal_closed",
    "response_received",
    "time_to_outcome_hours",
    "notes",
    "occurred_at",
    "recorded_at",
)
GROUP_COLUMNS = (
    "source_type",
    "opportunity_type",
    "total_decisions",
    "total_responses",
    "total_customers",
    "total_deals_closed",
    "total_revenue",
    "conversion_seconds",
    "conversions_timed",
    "revenue_squares",
    "last_updated",
)


def upsert(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in key)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        f" ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"
    )


DAY_COLUMNS = (
    "source_type",
    "opportunity_type",
    "day",
    *GROUP_COLUMNS[2:-1],
)
DAY_UPSERT = upsert("conversion_daily", DAY_COLUMNS, ("source_type", "opportunity_type", "day"))
DECISION_UPSERT = upsert("decisions", DECISION_COLUMNS, ("decision_id",))
GROUP_UPSERT = upsert("conversion_metrics", GROUP_COLUMNS, ("source_type", "opportunity_type"))
OUTCOME_INSERT = (
    f"INSERT INTO outcomes ({', '.join(OUTCOME_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(OUTCOME_COLUMNS))})"
)


@dataclass
class DecisionRow:
    """One decision as folded so far."""

    decision_id: str
    decided_at: str
    opportunity_type: str
    opportunity_source: str
    opportunity_content: str | None
    opportunity_score: float | None
    sender: str | None
    action_taken: str
    decision_maker: str | None
    context: str
    opportunity_id: str | None
    logged_seq: int
    outcomes: int = 0
    responded: bool = False
    customer: bool = False
    deal: bool = False
    revenue: Decimal = field(default_factory=lambda: Decimal(0))
    first_customer_at: str | None = None
    last_outcome_at: str | None = None
    updated_at: str = ""

    @property
    def conversion_seconds(self) -> int | None:
        """Whole seconds from the decision to its first outcome that acquired a customer."""
        if self.first_customer_at is None:
            return None
        delta = parse_timestamp(self.first_customer_at) - parse_timestamp(self.decided_at)
        return int(delta.total_seconds())

    def contribution(self) -> Contribution:
        seconds = self.conversion_seconds
        return Contribution(
            1,
            int(self.responded),
            int(self.customer),
            int(self.deal),
            self.revenue,
            seconds or 0,
            int(seconds is not None),
            self.revenue * self.revenue,
        )

    def as_db(self) -> tuple[Any, ...]:
        return (
            self.decision_id, self.decided_at, self.opportunity_type, self.opportunity_source,
            self.opportunity_content, self.opportunity_score, self.sender, self.action_taken,
            self.decision_maker, self.context, self.opportunity_id, self.logged_seq,
            self.outcomes, int(self.responded), int(self.customer), int(self.deal),
            str(self.revenue), self.first_customer_at, self.conversion_seconds,
            self.last_outcome_at, self.updated_at,
        )  # fmt: skip

    @classmethod
    def from_db(cls, row: Sequence[Any]) -> DecisionRow:
        values = dict(zip(DECISION_COLUMNS, row, strict=True))
        values.pop("conversion_seconds")
        values["revenue"] = Decimal(values["revenue"])
        for flag in ("responded", "customer", "deal"):
            values[flag] = bool(values[flag])
        return cls(**values)


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
    first = row.first_customer_at
    if e.customer_acquired and (first is None or recorded.occurred_at < first):
        first = recorded.occurred_at
    last = row.last_outcome_at
    return replace(
        row,
        outcomes=row.outcomes + 1,
        responded=row.responded or e.response_received,
        customer=row.customer or e.customer_acquired,
        deal=row.deal or e.deal_closed,
        revenue=row.revenue + e.revenue_generated,
        first_customer_at=first,
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


def load(db: Sql, decision_id: str) -> DecisionRow | None:
    """A decision's folded row."""
    row = db.execute(
        f"SELECT {', '.join(DECISION_COLUMNS)} FROM decisions WHERE decision_id = ?",
        (decision_id,),
    ).fetchone()
    return None if row is None else DecisionRow.from_db(row)


def load_many(db: Sql, decision_ids: Iterable[str]) -> dict[str, DecisionRow | None]:
    """Many decisions' folded rows (None for those not stored), one query per 500 ids."""
    wanted = sorted(decision_ids)
    out: dict[str, DecisionRow | None] = dict.fromkeys(wanted)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = db.execute(
            f"SELECT {', '.join(DECISION_COLUMNS)} FROM decisions"
            f" WHERE decision_id IN ({', '.join('?' * len(chunk))})",
            chunk,
        ).fetchall()
        for row in rows:
            decision = DecisionRow.from_db(row)
            out[decision.decision_id] = decision
    return out


TOTALS = (
    "total_decisions", "total_responses", "total_customers", "total_deals_closed",
    "total_revenue", "conversion_seconds", "conversions_timed", "revenue_squares",
)  # fmt: skip
"""A group's stored totals, in `Contribution`'s order."""


def contribution_of(values: Sequence[Any]) -> Contribution:
    """A group's totals from its stored values (in TOTALS' order)."""
    return Contribution(
        int(values[0]), int(values[1]), int(values[2]), int(values[3]), Decimal(values[4]),
        int(values[5]), int(values[6]), Decimal(values[7]),
    )  # fmt: skip


def stored(c: Contribution) -> tuple[Any, ...]:
    """A group's totals as they are stored (in TOTALS' order)."""
    return (c.decisions, c.responses, c.customers, c.deals, str(c.revenue),
            c.conversion_seconds, c.conversions_timed, str(c.revenue_squares))  # fmt: skip


def load_group(db: Sql, source: str, kind: str) -> Contribution | None:
    """A (source, type) group's totals."""
    row = db.execute(
        f"SELECT {', '.join(TOTALS)} FROM conversion_metrics"
        " WHERE source_type = ? AND opportunity_type = ?",
        (source, kind),
    ).fetchone()
    return None if row is None else contribution_of(row)


def groups(db: Sql) -> list[tuple[str, str, Contribution]]:
    """Every (source, type) group with its totals, sorted."""
    rows = db.execute(
        f"SELECT source_type, opportunity_type, {', '.join(TOTALS)} FROM conversion_metrics"
        " ORDER BY source_type, opportunity_type"
    ).fetchall()
    return [(r[0], r[1], contribution_of(r[2:])) for r in rows]


def decision_state(db: Sql, decision_id: str) -> tuple[datetime | None, int | None]:
    """(decided_at, logged seq) of a decision, or (None, None)."""
    row = db.execute(
        "SELECT decided_at, logged_seq FROM decisions WHERE decision_id = ?", (decision_id,)
    ).fetchone()
    return (None, None) if row is None else (parse_timestamp(row[0]), int(row[1]))


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
        for r in db.execute(
            f"SELECT {', '.join(DAY_COLUMNS)} FROM conversion_daily WHERE day >= ? AND day <= ?",
            (first, last),
        ).fetchall()
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
    stored = {
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
        total = stored.get(key, 0) + n
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
    db.executemany(
        upsert(
            "conversion_durations",
            ("source_type", "opportunity_type", "day", "days", "customers"),
            ("source_type", "opportunity_type", "day", "days"),
        ),
        rows,
    )


def _days(db: Sql, select: str, first_day: str | None, last_day: str | None) -> list[Sequence[Any]]:
    """The rows of `select` (a SELECT … FROM a table with a `day` column) whose day lies from
    `first_day` to `last_day` (ISO dates, both included; None is an open end)."""
    sql, params = select + " WHERE 1 = 1", []
    for op, day in ((">=", first_day), ("<=", last_day)):
        if day is not None:
            sql += f" AND day {op} ?"
            params.append(day)
    return list(db.execute(sql, params).fetchall())


def durations_between(
    db: Sql, first_day: str | None, last_day: str | None
) -> list[tuple[str, str, str, int, int]]:
    """(source, type, day decided, whole days to the first customer, customers) of the
    decisions decided from `first_day` to `last_day` (None: open)."""
    rows = _days(
        db,
        "SELECT source_type, opportunity_type, day, days, customers FROM conversion_durations",
        first_day,
        last_day,
    )
    return [(r[0], r[1], r[2], int(r[3]), int(r[4])) for r in rows]


def days_between(
    db: Sql, first_day: str | None, last_day: str | None
) -> list[tuple[str, str, str, int, int]]:
    """(source, type, day decided, decisions, customers) from `conversion_daily`."""
    rows = _days(
        db,
        "SELECT source_type, opportunity_type, day, total_decisions, total_customers"
        " FROM conversion_daily",
        first_day,
        last_day,
    )
    return [(r[0], r[1], r[2], int(r[3]), int(r[4])) for r in rows]


def groups_between(
    db: Sql, first_day: str | None, last_day: str | None
) -> list[tuple[str, str, Contribution]]:
    """`groups` counting only the decisions whose `decided_at` falls on a UTC day from
    `first_day` to `last_day` (ISO dates, both included; None is an open end): a cohort
    view, each decision with every outcome it has now, whenever the outcome arrived.
    Summed exactly, in Decimal, from `conversion_daily` — rows per group per day, so the
    read does not grow with the decisions in the window."""
    rows = _days(db, f"SELECT {', '.join(DAY_COLUMNS)} FROM conversion_daily", first_day, last_day)
    totals: dict[tuple[str, str], Contribution] = {}
    for r in rows:
        one = contribution_of(r[3:])
        totals[(r[0], r[1])] = totals.get((r[0], r[1]), Contribution()) + one
    return [(s, k, totals[(s, k)]) for s, k in sorted(totals)]
