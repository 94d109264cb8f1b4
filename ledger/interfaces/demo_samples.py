"""The demo's sample data as batch-command dicts: the sample world (automations and
opportunities, read from demo_samples.toml beside this file) played out day by day with one
seeded random generator, so the same seed gives the same commands.

Every command carries an idempotency key starting `demo:` (`DEMO_KEY`).
"""

from __future__ import annotations

import random
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from importlib.resources import files
from typing import Any

from events.timeutil import format_timestamp

DEMO_KEY = "demo:"


@dataclass(frozen=True)
class PatternProfile:
    """How a sample automation behaves: estimates, and what it really takes."""

    pattern_id: str
    description: str
    runs_per_day: float
    success_rate: float
    estimated_seconds: int
    actual_seconds: tuple[int, int]
    estimated_cost: str
    actual_cost: tuple[str, str]
    failed_runs_lose_time: bool = False


@dataclass(frozen=True)
class DecisionProfile:
    """How opportunities of one type from one source tend to go."""

    source: str
    kind: str
    weight: int
    response: float
    conversion: float
    revenue: tuple[int, int]
    delay_hours: tuple[int, int]
    action: str


def _tupled(table: dict[str, Any]) -> dict[str, Any]:
    """A TOML table's arrays as tuples, as the profiles hold them."""
    return {key: tuple(value) if isinstance(value, list) else value for key, value in table.items()}


_SAMPLES = tomllib.loads(
    files("ledger.interfaces").joinpath("demo_samples.toml").read_text(encoding="utf-8")
)
"""The sample world as demo_samples.toml holds it (package data: see pyproject.toml)."""

PATTERNS = tuple(PatternProfile(**_tupled(t)) for t in _SAMPLES["pattern"])
"""The sample automations, in the order the demo approves and runs them."""

DECISIONS = tuple(DecisionProfile(**_tupled(t)) for t in _SAMPLES["decision"])
"""The sample opportunities' types and sources, and how each tends to go."""

CONTENTS: dict[str, tuple[str, ...]] = _tupled(_SAMPLES["contents"])
"""What the sample opportunities say (chosen without the random draws, so the figures the
README shows stay what they were)."""


def _money(rng: random.Random, low: str, high: str) -> str:
    a, b = Decimal(low), Decimal(high)
    return str((a + (b - a) * Decimal(rng.randint(0, 1000)) / 1000).quantize(Decimal("0.0001")))


def content_of(kind: str, n: int) -> str:
    """A sample opportunity's text, for `decisions search` to find."""
    texts = CONTENTS.get(kind, (f"{kind.replace('_', ' ')} enquiry",))
    return texts[n % len(texts)]


def pattern_commands(rng: random.Random, start: datetime, days: int) -> Iterator[dict[str, Any]]:
    """Approvals, then each day's executions, as batch-command dicts."""
    for profile in PATTERNS:
        yield {
            "command": "approve",
            "pattern_id": profile.pattern_id,
            "estimated_time_seconds": profile.estimated_seconds,
            "estimated_cost": profile.estimated_cost,
            "approved_by": "demo",
            "description": profile.description,
            "confidence": "0.75",
            "failed_runs_lose_time": profile.failed_runs_lose_time,
            "approved_at": format_timestamp(start - timedelta(days=1)),
            "idempotency_key": f"{DEMO_KEY}approve:{profile.pattern_id}",
        }
    for day in range(days):
        for profile in PATTERNS:
            runs = int(profile.runs_per_day) + (rng.random() < profile.runs_per_day % 1)
            if profile.runs_per_day < 0.5:  # a rarely used pattern: two runs, too few to rate
                runs = int(day >= days - 2)
            for run in range(runs):
                at = start + timedelta(days=day, hours=8 + rng.random() * 10)
                ok = rng.random() < profile.success_rate
                yield {
                    "command": "execution",
                    "pattern_id": profile.pattern_id,
                    "workflow_id": rng.randint(1000, 9999),
                    "execution_time_seconds": rng.randint(*profile.actual_seconds),
                    "actual_cost": _money(rng, *profile.actual_cost),
                    "success": ok,
                    "error_message": None
                    if ok
                    else rng.choice(
                        ["timeout", "merge conflict", "rate limited", "assertion failed"]
                    ),
                    "executed_at": format_timestamp(at),
                    "idempotency_key": f"{DEMO_KEY}run:{profile.pattern_id}:{day}:{run}",
                }


def decision_day(
    rng: random.Random, day: date, now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One day's opportunities and the decision and outcome commands they lead to."""
    opportunities, commands = [], []
    weights = [p.weight for p in DECISIONS]
    for n in range(rng.randint(4, 8)):
        profile = rng.choices(DECISIONS, weights)[0]
        decision_id = f"demo-{day:%Y%m%d}-{n}"
        decided = datetime(day.year, day.month, day.day, 8) + timedelta(hours=rng.random() * 10)
        score = rng.randint(40, 95)
        opportunities.append(
            {
                "id": f"opp-{decision_id}",
                "type": profile.kind,
                "source": profile.source,
                "score": score,
                "content": content_of(profile.kind, day.toordinal() + n),
            }
        )
        commands.append(
            {
                "command": "decision",
                "decision_id": decision_id,
                "opportunity_type": profile.kind,
                "opportunity_source": profile.source,
                "action_taken": profile.action,
                "opportunity_content": content_of(profile.kind, day.toordinal() + n),
                "opportunity_score": score,
                "sender": f"@prospect{rng.randint(100, 999)}",
                "decision_maker": rng.choice(["jarvis", "ross"]),
                "opportunity_id": f"opp-{decision_id}",
                "decided_at": format_timestamp(decided),
                "idempotency_key": f"{DEMO_KEY}decision:{decision_id}",
            }
        )
        responded = rng.random() < profile.response
        converted = responded and rng.random() < profile.conversion / profile.response
        answer_at = decided + timedelta(hours=1 + rng.random() * 23)
        if responded and answer_at <= now.replace(tzinfo=None):
            commands.append(_outcome(decision_id, "response", answer_at, response_received=True))
        close_at = decided + timedelta(hours=rng.randint(*profile.delay_hours))
        if converted and close_at <= now.replace(tzinfo=None):
            revenue = rng.randint(*profile.revenue)
            commands.append(
                _outcome(
                    decision_id,
                    "conversion",
                    close_at,
                    revenue=revenue,
                    customer_acquired=True,
                    deal_closed=True,
                )
            )
        elif (
            responded
            and not converted
            and rng.random() < 0.5
            and close_at <= now.replace(tzinfo=None)
        ):
            commands.append(
                _outcome(
                    decision_id,
                    "follow_up",
                    close_at,
                    status="failed",
                    notes="No deal after follow-up",
                )
            )
    return opportunities, commands


def _outcome(
    decision_id: str, kind: str, at: datetime, status: str = "success", **fields: Any
) -> dict[str, Any]:
    return {
        "command": "outcome",
        "decision_id": decision_id,
        "outcome_type": kind,
        "outcome_status": status,
        "occurred_at": format_timestamp(at),
        "idempotency_key": f"{DEMO_KEY}outcome:{decision_id}:{kind}",
        **fields,
    }
