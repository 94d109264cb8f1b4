"""The decision read model's rows as stored, and the queries that read them back: a
decision's row (`DecisionRow`), a (source, type) group's totals (`TOTALS`), and the groups
all time, per day decided and per whole days to the first customer.

How events change these rows is projections/decision_fold.py; the tables are declared in
projections/decision_tables.py. Kept apart from the projection class so that registering the
projection, which every append does, does not load any of this.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from events.sql import Sql
from events.timeutil import parse_timestamp
from projections.conversion_math import Contribution
from projections.decision_tables import DAYS, DECISIONS, GROUP_TOTALS

DECISION_COLUMNS = tuple(name for name, _, _ in DECISIONS.columns)
"""A `decisions` row's columns, in `DecisionRow.as_db`'s order."""


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
    first_customer_outcome: int | None = None
    """The outcome (its id, the event's seq) that first acquired a customer, by when it
    happened, ties to the lower seq: a decision is one customer, however many say so."""
    first_deal_at: str | None = None
    first_deal_outcome: int | None = None
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
            str(self.revenue), self.first_customer_at, self.first_customer_outcome,
            self.first_deal_at, self.first_deal_outcome, self.conversion_seconds,
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


def decision_state(db: Sql, decision_id: str) -> tuple[datetime | None, int | None]:
    """(decided_at, logged seq) of a decision, or (None, None)."""
    row = db.execute(
        "SELECT decided_at, logged_seq FROM decisions WHERE decision_id = ?", (decision_id,)
    ).fetchone()
    return (None, None) if row is None else (parse_timestamp(row[0]), int(row[1]))


TOTALS = tuple(name for name, _, _ in GROUP_TOTALS)
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


SELECT_DAYS = f"SELECT {', '.join(name for name, _, _ in DAYS.columns)} FROM conversion_daily"
"""Every column of `conversion_daily`: (source, type, day decided, the group's totals)."""


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
    rows = _days(db, SELECT_DAYS, first_day, last_day)
    totals: dict[tuple[str, str], Contribution] = {}
    for r in rows:
        one = contribution_of(r[3:])
        totals[(r[0], r[1])] = totals.get((r[0], r[1]), Contribution()) + one
    return [(s, k, totals[(s, k)]) for s, k in sorted(totals)]
