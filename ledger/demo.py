"""`roi-ledger demo`: realistic, reproducible sample data, through the same commands users run.

Every demo event carries an idempotency key starting `demo:`, which makes a second run with the
same seed and end date append nothing and lets the demo refuse a ledger holding real events.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from commands.base import Command
from events.timeutil import format_timestamp
from ledger.api import Ledger
from ledger.errors import InputError
from ledger.handlers import BATCH_COMMANDS
from ledger.service import BatchOutcome
from ledger.validation import build_command

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


PATTERNS = (
    PatternProfile(
        "test-retry-automation",
        "Re-run flaky CI jobs",
        5,
        0.99,
        60,
        (35, 50),
        "0.015",
        ("0.0035", "0.0045"),
    ),
    PatternProfile(
        "pr-description-writer",
        "Draft PR descriptions",
        3,
        0.93,
        300,
        (120, 200),
        "0.020",
        ("0.0085", "0.0095"),
    ),
    PatternProfile(
        "changelog-updater",
        "Update the changelog",
        2,
        0.8,
        120,
        (80, 130),
        "0.012",
        ("0.0070", "0.0080"),
    ),
    PatternProfile(
        "flaky-test-quarantine",
        "Quarantine flaky tests",
        1.5,
        0.65,
        600,
        (400, 900),
        "0.050",
        ("0.035", "0.045"),
    ),
    PatternProfile(
        "dependency-bumper",
        "Bump dependencies",
        1,
        0.35,
        900,
        (900, 1500),
        "0.030",
        ("0.040", "0.060"),
    ),
    PatternProfile(
        "release-notes-drafter",
        "Draft release notes",
        0.1,
        1.0,
        1200,
        (600, 800),
        "0.100",
        ("0.020", "0.030"),
    ),
)


def _money(rng: random.Random, low: str, high: str) -> str:
    a, b = Decimal(low), Decimal(high)
    return str((a + (b - a) * Decimal(rng.randint(0, 1000)) / 1000).quantize(Decimal("0.0001")))


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


def has_foreign_events(ledger: Ledger) -> bool:
    """Whether the log holds anything the demo did not write."""
    with ledger.backend.read() as db:
        row = db.execute(
            "SELECT count(*) FROM events WHERE idempotency_key IS NULL"
            " OR substr(idempotency_key, 1, 5) <> ?",
            (DEMO_KEY,),
        ).fetchone()
    return bool(row[0])


def demo_commands(seed: int, days: int, now: datetime) -> Iterator[dict[str, Any]]:
    """Every command the demo runs, for `days` days ending the day before `now`."""
    rng = random.Random(seed)
    start = datetime(now.year, now.month, now.day) - timedelta(days=days)
    yield from pattern_commands(rng, start, days)


def run_demo(ledger: Ledger, *, seed: int, days: int, now: datetime, force: bool) -> BatchOutcome:
    """Fill the ledger with the demo's sample data (nothing twice)."""
    if days < 1 or days > 3650:
        raise InputError("days: must be between 1 and 3650", {"field": "days"})
    if not force and has_foreign_events(ledger):
        raise InputError(
            "this ledger holds events the demo did not write; use another --db, "
            "or --force to add demo data anyway",
            {"field": "db"},
        )

    def numbered() -> Iterator[tuple[int, Command | InputError]]:
        for number, fields in enumerate(demo_commands(seed, days, now), 1):
            name = fields.pop("command")
            yield number, build_command(BATCH_COMMANDS[name], fields)

    return ledger.execute_batch(numbered())
