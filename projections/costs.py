"""`pattern_costs`: what each pattern costs to have, apart from its runs, and the arithmetic
of those costs over a window of business time and against the savings (the payback date).

A one-off cost is charged once, at its `incurred_at`. A monthly cost is charged at its
`incurred_at` and then each month on the same day of the month (the month's last day when it
is shorter: a licence started on Jan 31 is charged on Feb 28), until `until` (exclusive). A
charge counts in the window holding its date and only once it has happened: never after the
point shown (`--now`, or the recording time of `--as-of`). Costs are few per pattern, so
the charges are computed at read time and the read stays flat as the log grows.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from events import RecordedEvent
from events.sql import Sql
from events.timeutil import parse_timestamp
from projections.base import Projection, StreamReader, Table

COLUMNS = ("seq", "pattern_id", "incurred_at", "amount", "recurrence", "until", "label")


class PatternCosts(Projection):
    """Table `pattern_costs`: one row per recorded cost (its seq the key)."""

    name = "pattern_costs"
    version = 1
    handles = frozenset({"PatternCostRecorded"})
    tables = (
        Table(
            "pattern_costs",
            (
                ("seq", "INTEGER", ""),
                ("pattern_id", "TEXT", "NOT NULL"),
                ("incurred_at", "TEXT", "NOT NULL"),
                ("amount", "TEXT", "NOT NULL"),
                ("recurrence", "TEXT", "NOT NULL"),
                ("until", "TEXT", ""),
                ("label", "TEXT", "NOT NULL"),
            ),
            ("seq",),
            indexes=(("idx_pattern_costs_pattern", "pattern_id"),),
            per_event=True,
            seq_columns=("seq",),
        ),
    )

    def apply(self, db: Sql, events: Sequence[RecordedEvent], reader: StreamReader) -> None:
        """One row per cost."""
        rows = []
        for recorded in events:
            e: Any = recorded.event
            rows.append(
                (
                    recorded.seq,
                    e.pattern_id,
                    recorded.occurred_at,
                    str(e.amount),
                    e.recurrence,
                    e.until,
                    e.label,
                )
            )
        db.executemany(
            f"INSERT INTO pattern_costs ({', '.join(COLUMNS)})"
            f" VALUES ({', '.join('?' * len(COLUMNS))})",
            rows,
        )

    def retract(
        self, db: Sql, target: RecordedEvent, retraction: RecordedEvent, reader: StreamReader
    ) -> None:
        """The retracted cost's row goes."""
        db.execute("DELETE FROM pattern_costs WHERE seq = ?", (target.seq,))


@dataclass(frozen=True)
class Cost:
    """One recorded cost."""

    seq: int
    pattern_id: str
    incurred_at: datetime
    amount: Decimal
    recurrence: str
    until: datetime | None
    label: str

    def as_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "pattern_id": self.pattern_id,
            "incurred_at": self.incurred_at.isoformat().replace("+00:00", "Z"),
            "amount_usd": self.amount,
            "recurrence": self.recurrence,
            "until": None if self.until is None else self.until.isoformat().replace("+00:00", "Z"),
            "label": self.label,
        }


def costs_of(db: Sql, pattern_id: str | None = None) -> list[Cost]:
    """The costs recorded for a pattern (every pattern's when None), oldest first."""
    sql = f"SELECT {', '.join(COLUMNS)} FROM pattern_costs"
    params: list[Any] = []
    if pattern_id is not None:
        sql += " WHERE pattern_id = ?"
        params.append(pattern_id)
    return [
        Cost(
            int(r[0]),
            r[1],
            parse_timestamp(r[2]),
            Decimal(r[3]),
            r[4],
            None if r[5] is None else parse_timestamp(r[5]),
            r[6],
        )
        for r in db.execute(sql + " ORDER BY seq", params).fetchall()
    ]


def _month(start: datetime, k: int) -> datetime:
    """`start` moved k months on, its day clamped to the month's last."""
    index = start.year * 12 + start.month - 1 + k
    year, month = divmod(index, 12)
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return start.replace(year=year, month=month + 1, day=day)


def charges(
    cost: Cost, first: date | None, last: date | None, point: datetime
) -> list[tuple[datetime, Decimal]]:
    """The charges of `cost` dated on a UTC day from `first` to `last` (None: open) that have
    happened by `point`, each (when, amount)."""
    if cost.recurrence == "one-off":
        when = cost.incurred_at
        inside = (first is None or when.date() >= first) and (last is None or when.date() <= last)
        return [(when, cost.amount)] if inside and when <= point else []
    k = 0
    if first is not None:  # skip the months before the window
        k = max(0, (first.year - cost.incurred_at.year) * 12 + first.month
                - cost.incurred_at.month - 1)  # fmt: skip
    out = []
    while True:
        if cost.incurred_at.year * 12 + cost.incurred_at.month + k > 9999 * 12 + 12:
            break
        when = _month(cost.incurred_at, k)
        if when > point or (cost.until is not None and when >= cost.until):
            break
        if last is not None and when.date() > last:
            break
        if first is None or when.date() >= first:
            out.append((when, cost.amount))
        k += 1
    return out


def total(costs: Iterable[Cost], first: date | None, last: date | None, point: datetime) -> Decimal:
    """The sum of every charge of `costs` in the window that has happened by `point`."""
    return sum(
        (amount for cost in costs for _, amount in charges(cost, first, last, point)),
        Decimal(0),
    )


def payback_day(
    saved_per_day: Iterable[tuple[str, Decimal]], costs: Sequence[Cost], point: datetime
) -> date | None:
    """The first UTC day from which the cumulative net savings (`saved_per_day`: ISO day,
    cost saved that day; from the first run on) have covered the cumulative costs charged
    so far on every day up to `point` (so a monthly cost that overtakes the savings again
    moves it); None when they do not cover them at `point`, or there are no costs. Savings
    made before the first cost count towards it: already covered, it pays back that day."""
    charged: dict[str, Decimal] = {}
    for cost in costs:
        for when, amount in charges(cost, None, point.date(), point):
            day = when.date().isoformat()
            charged[day] = charged.get(day, Decimal(0)) + amount
    if not charged:
        return None
    saved = dict(saved_per_day)
    first_charge = min(charged)
    covered_since: str | None = None
    net = Decimal(0)
    for day in sorted(set(saved) | set(charged)):
        if day > point.date().isoformat():
            break
        net += saved.get(day, Decimal(0)) - charged.get(day, Decimal(0))
        if day < first_charge:
            continue  # savings before the first cost count towards it, but no payback yet
        if net >= 0 and covered_since is None:
            covered_since = day
        elif net < 0:
            covered_since = None
    return None if covered_since is None else date.fromisoformat(covered_since)
