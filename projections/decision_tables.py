"""The decision read model's tables: each decision folded with its outcomes, each outcome,
and the (source, type) groups: all time, per UTC day decided, and per whole days to the
first customer. Declared once: the projection (projections/decisions.py) creates them, its
fold and queries (projections/decision_fold.py, projections/decision_rows.py) name their
columns from them.
"""

from __future__ import annotations

from projections.base import Column, Table

DECISIONS = Table(
    "decisions",
    (
        ("decision_id", "TEXT", ""),
        ("decided_at", "TEXT", "NOT NULL"),
        ("opportunity_type", "TEXT", "NOT NULL"),
        ("opportunity_source", "TEXT", "NOT NULL"),
        ("opportunity_content", "TEXT", ""),
        ("opportunity_score", "REAL", ""),
        ("sender", "TEXT", ""),
        ("action_taken", "TEXT", "NOT NULL"),
        ("decision_maker", "TEXT", ""),
        ("context", "TEXT", "NOT NULL"),
        ("opportunity_id", "TEXT", ""),
        ("logged_seq", "INTEGER", "NOT NULL"),
        ("outcomes", "INTEGER", "NOT NULL"),
        ("responded", "INTEGER", "NOT NULL"),
        ("customer", "INTEGER", "NOT NULL"),
        ("deal", "INTEGER", "NOT NULL"),
        ("revenue", "TEXT", "NOT NULL"),
        ("first_customer_at", "TEXT", ""),
        ("first_customer_outcome", "INTEGER", ""),
        ("first_deal_at", "TEXT", ""),
        ("first_deal_outcome", "INTEGER", ""),
        ("conversion_seconds", "INTEGER", ""),
        ("last_outcome_at", "TEXT", ""),
        ("updated_at", "TEXT", "NOT NULL"),
    ),
    ("decision_id",),
    indexes=(
        ("idx_decisions_decided_at", "decided_at"),
        ("idx_decisions_opportunity", "opportunity_id"),
    ),
    per_event=True,
    seq_columns=("logged_seq",),
)
"""Each decision folded with every outcome so far (projections/decision_rows.py: DecisionRow)."""

OUTCOMES = Table(
    "outcomes",
    (
        ("id", "INTEGER", ""),
        ("decision_id", "TEXT", "NOT NULL"),
        ("outcome_type", "TEXT", "NOT NULL"),
        ("outcome_status", "TEXT", "NOT NULL"),
        ("revenue_generated", "TEXT", "NOT NULL"),
        ("customer_acquired", "INTEGER", "NOT NULL"),
        ("deal_closed", "INTEGER", "NOT NULL"),
        ("response_received", "INTEGER", "NOT NULL"),
        ("time_to_outcome_hours", "REAL", "NOT NULL"),
        ("notes", "TEXT", ""),
        ("occurred_at", "TEXT", "NOT NULL"),
        ("recorded_at", "TEXT", "NOT NULL"),
    ),
    ("id",),
    indexes=(("idx_outcomes_decision", "decision_id"), ("idx_outcomes_occurred_at", "occurred_at")),
    per_event=True,
    seq_columns=("id",),
)
"""One row per outcome of a decision still logged, its id the outcome event's seq."""

GROUP_KEY: tuple[Column, ...] = (
    ("source_type", "TEXT", "NOT NULL"),
    ("opportunity_type", "TEXT", "NOT NULL"),
)
"""A (source, type) group: the key of every group table."""

GROUP_TOTALS: tuple[Column, ...] = (
    ("total_decisions", "INTEGER", "NOT NULL"),
    ("total_responses", "INTEGER", "NOT NULL"),
    ("total_customers", "INTEGER", "NOT NULL"),
    ("total_deals_closed", "INTEGER", "NOT NULL"),
    ("total_revenue", "TEXT", "NOT NULL"),
    ("conversion_seconds", "INTEGER", "NOT NULL"),
    ("conversions_timed", "INTEGER", "NOT NULL"),
    ("revenue_squares", "TEXT", "NOT NULL"),
)
"""A group's totals, in `Contribution`'s order (projections/conversion_math.py): all time in
`conversion_metrics`, per UTC day of decided_at in `conversion_daily`."""

DAY: Column = ("day", "TEXT", "NOT NULL")
"""The UTC day a decision was decided (decided_at's date)."""

GROUPS = Table(
    "conversion_metrics",
    (*GROUP_KEY, *GROUP_TOTALS, ("last_updated", "TEXT", "NOT NULL")),
    ("source_type", "opportunity_type"),
)
DAYS = Table(
    "conversion_daily",
    (*GROUP_KEY, DAY, *GROUP_TOTALS),
    ("source_type", "opportunity_type", "day"),
    indexes=(("idx_conversion_daily_day", "day"),),
)
DURATIONS = Table(
    "conversion_durations",
    (*GROUP_KEY, DAY, ("days", "INTEGER", "NOT NULL"), ("customers", "INTEGER", "NOT NULL")),
    ("source_type", "opportunity_type", "day", "days"),
    indexes=(("idx_conversion_durations_day", "day"),),
)
"""How many of a group's decisions decided on a day took so many whole days to their first
customer (Kaplan–Meier)."""
