"""`roi-ledger demo`: realistic, reproducible sample data, through the same commands users run.

Every demo event carries an idempotency key starting `demo:`, which makes a second run with the
same seed and end date append nothing and lets the demo refuse a ledger holding real events.
The sample data itself, as commands: demo_samples.py.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from commands.base import Command
from ledger.app.batch import BatchOutcome
from ledger.app.facade import Ledger
from ledger.app.scoring import prediction_fields
from ledger.core.bus import batch_commands
from ledger.errors import InputError
from ledger.interfaces.demo_samples import DEMO_KEY, PATTERNS, decision_day, pattern_commands
from ledger.validation import build_command

SCORED_DAYS = 10
"""For the last days, each day's opportunities are scored before they are decided, so
calibration has predictions to hold against outcomes."""


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
    with ledger.service.reading() as db:
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
    done = ledger.service.existing_keys(list(keys))
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
    conflicts = ledger.service.retry_conflicts([*patterns, *(c for _, _, cs in plan for c in cs)])
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
