"""`roi-ledger demo`: realistic, reproducible sample data, through the same commands users run.

Every demo event carries an idempotency key starting `demo:`, which makes a second run with the
same seed and end date append nothing and lets the demo refuse a ledger holding real events.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from commands.base import Command
from events.timeutil import format_timestamp
from ledger.app.batch import BatchOutcome
from ledger.app.decisions import prediction_fields
from ledger.app.facade import Ledger
from ledger.core.bus import batch_commands
from ledger.errors import InputError
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
    failed_runs_lose_time: bool = False


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
        failed_runs_lose_time=True,  # a failed quarantine leaves a red build to look at
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


CONTENTS = {
    "golf_coaching": (
        "My slice is killing my scores - can you help before the club championship?",
        "Three-putting every green; do you give putting lessons?",
        "Driver keeps hooking left, any drills for that?",
        "Want to break 90 this season - do you coach beginners?",
    ),
    "partnership": (
        "Would you co-host a webinar with our golf app? Deck attached.",
        "We sell training aids - interested in a referral partnership?",
        "Podcast invite: a chat about coaching amateurs",
        "Can we bundle your course with our swing analyzer? Pitch deck inside.",
    ),
    "consulting": (
        "Our revenue dashboard is a mess - can you audit our funnel?",
        "Need help pricing a new coaching membership",
        "Looking for someone to set up our CRM automations",
        "Could you review our onboarding emails?",
    ),
    "feedback": (
        "Loved the slice-fix video, but the audio was quiet",
        "Your booking page kept timing out",
        "Great drill - could you do one for bunker shots?",
        "The newsletter links are broken on mobile",
    ),
}
"""What the sample opportunities say (chosen without the random draws, so the figures the
README shows stay what they were)."""


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


DECISIONS = (
    DecisionProfile(
        "email",
        "golf_coaching",
        5,
        0.85,
        0.60,
        (150, 400),
        (12, 72),
        "Replied with coaching packages and a booking link",
    ),
    DecisionProfile(
        "twitter",
        "golf_coaching",
        6,
        0.70,
        0.40,
        (100, 350),
        (24, 96),
        "Replied with coaching offer and Calendly link",
    ),
    DecisionProfile(
        "twitter", "partnership", 3, 0.50, 0.22, (500, 2000), (240, 480), "Sent a partnership deck"
    ),
    DecisionProfile(
        "email", "partnership", 2, 0.65, 0.35, (800, 2500), (200, 400), "Scheduled an intro call"
    ),
    DecisionProfile(
        "revenue_dashboard",
        "consulting",
        3,
        0.90,
        0.50,
        (300, 900),
        (48, 120),
        "Proposed a consulting engagement",
    ),
    DecisionProfile(
        "twitter", "feedback", 2, 0.60, 0.0, (0, 0), (1, 24), "Thanked them and logged the feedback"
    ),
)
SCORED_DAYS = 10
"""For the last days, each day's opportunities are scored before they are decided, so
calibration has predictions to hold against outcomes."""


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


DEMO_STREAMS = (
    *(f"pattern:{p.pattern_id}" for p in PATTERNS),
    "decision:demo-",
    "opportunity:opp-demo-",
    "report:",
)
"""Streams the demo writes (or that only summarise what it wrote): anything else is real."""


def has_foreign_events(ledger: Ledger) -> bool:
    """Whether the log holds anything outside the demo's own streams (a confidence update or
    a retraction on a demo pattern is still the demo's business)."""
    exact = [s for s in DEMO_STREAMS if not s.endswith(("-", ":"))]
    prefixes = [s for s in DEMO_STREAMS if s.endswith(("-", ":"))]
    sql = "SELECT count(*) FROM events WHERE stream_id NOT IN ({})".format(
        ", ".join("?" * len(exact))
    ) + "".join(" AND substr(stream_id, 1, ?) <> ?" for _ in prefixes)
    params: list[Any] = [*exact]
    for prefix in prefixes:
        params += [len(prefix), prefix]
    with ledger.reading() as db:
        row = db.execute(sql, params).fetchone()
    return bool(row[0])


def _command(fields: dict[str, Any]) -> Command:
    fields = dict(fields)
    return build_command(batch_commands()[fields.pop("command")], fields)


def _numbered(commands: Iterable[Command]) -> Iterator[tuple[int, Command | InputError]]:
    yield from enumerate(commands, 1)


def _predictions(ledger: Ledger, opportunities: list[dict[str, Any]], day: date) -> BatchOutcome:
    """Score the day's opportunities on history so far and record the predictions — only
    those the demo has not scored yet: a re-run must not score them again on the later
    history it now holds (the ones already there count as duplicates). They are scored at
    07:00 that day, before its first decision (08:00): a prediction precedes what it
    predicts on the clock of the world too, not only in the log."""
    keys = {f"{DEMO_KEY}score:{o['id']}": o for o in opportunities}
    done = ledger.existing_keys(list(keys))
    fresh = [o for key, o in keys.items() if key not in done]
    commands = [
        _command(
            {
                "command": "prediction",
                **prediction_fields(item),
                "scored_at": datetime(day.year, day.month, day.day, 7, tzinfo=UTC),
                "idempotency_key": f"{DEMO_KEY}score:{item['opportunity_id']}",
            }
        )
        for item in ledger.score_opportunities(fresh, record=False)
    ]
    outcome = ledger.execute_batch(_numbered(commands))
    outcome.duplicates += len(done)
    return outcome


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

    rng = random.Random(seed)
    first = now.date() - timedelta(days=days)
    patterns = [_command(c) for c in pattern_commands(rng, datetime(*first.timetuple()[:3]), days)]
    plan: list[tuple[int, list[dict[str, Any]], list[Command]]] = []
    for offset in range(days):
        opportunities, fields = decision_day(rng, first + timedelta(days=offset), now)
        plan.append((offset, opportunities, [_command(c) for c in fields]))
    conflicts = ledger.retry_conflicts([*patterns, *(c for _, _, cs in plan for c in cs)])
    if conflicts:
        raise InputError(
            "this ledger already holds demo data from another run (other --seed, --days or "
            f"--now: {conflicts[0][1]}); use another --db, or repeat that run's options",
            {"field": "db", "conflicts": len(conflicts)},
        )

    total = ledger.execute_batch(_numbered(patterns))
    pending: list[Command] = []
    for offset, opportunities, day_commands in plan:
        if offset < days - SCORED_DAYS:
            pending += day_commands
            continue
        if pending:
            total.merge(ledger.execute_batch(_numbered(pending)))
            pending = []
        total.merge(_predictions(ledger, opportunities, first + timedelta(days=offset)))
        total.merge(ledger.execute_batch(_numbered(day_commands)))
    if pending:
        total.merge(ledger.execute_batch(_numbered(pending)))
    return total
