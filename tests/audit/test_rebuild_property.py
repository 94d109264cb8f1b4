"""Properties over random command sequences: whatever users do, the log verifies, a rebuild
equals the incremental projections row for row, and as-of replays answer what live
queries answered at that point."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from commands.base import DomainError
from ledger import Ledger
from ledger.app.batch_lines import parse_line
from ledger.audit.chain import verify_chain
from ledger.errors import InputError
from tests.conftest import BACKENDS, dump_projections, fresh_location

PATTERNS = ["alpha", "beta", "gamma"]
amount = st.decimals(min_value=0, max_value=5, places=3, allow_nan=False)
seconds = st.decimals(min_value=0, max_value=120, places=1, allow_nan=False)

approve = st.builds(
    lambda p, t, c: (
        "approve",
        {"pattern_id": p, "estimated_time_seconds": t, "estimated_cost": c},
    ),
    st.sampled_from(PATTERNS),
    seconds,
    amount,
)
revise = st.builds(
    lambda p, c: ("revise", {"pattern_id": p, "estimated_cost": c}),
    st.sampled_from(PATTERNS),
    amount,
)
revoke = st.builds(
    lambda p: ("revoke", {"pattern_id": p, "reason": "test"}), st.sampled_from(PATTERNS)
)
execution = st.builds(
    lambda p, t, c, ok, key: (
        "execution",
        {
            "pattern_id": p,
            "execution_time_seconds": t,
            "actual_cost": c,
            "success": ok,
            "idempotency_key": key,
        },
    ),
    st.sampled_from(PATTERNS),
    seconds,
    amount,
    st.booleans(),
    st.one_of(st.none(), st.sampled_from(["k1", "k2", "k3"])),
)
DECISIONS = ["d1", "d2", "d3", "d4"]
day = st.integers(1, 5).map(lambda d: f"2026-02-0{d}T{d + 9}:00:00Z")
later = st.integers(4, 9).map(lambda d: f"2026-02-0{d}T{d + 9}:30:00Z")
decision = st.builds(
    lambda d, t, s, at: (
        "decision",
        {
            "decision_id": d,
            "opportunity_type": t,
            "opportunity_source": s,
            "action_taken": "replied",
            "decided_at": at,
        },
    ),
    st.sampled_from(DECISIONS),
    st.sampled_from(["golf", "partnership"]),
    st.sampled_from(["email", "twitter"]),
    day,
)
outcome = st.builds(
    lambda d, revenue, customer, responded, at, key: (
        "outcome",
        {
            "decision_id": d,
            "outcome_type": "conversion" if customer else "response",
            "outcome_status": "success",
            "revenue_generated": revenue,
            "customer_acquired": customer,
            "deal_closed": customer,
            "response_received": responded,
            "occurred_at": at,
            "idempotency_key": key,
        },
    ),
    st.sampled_from(DECISIONS),
    amount,
    st.booleans(),
    st.booleans(),
    later,
    st.one_of(st.none(), st.sampled_from(["o1", "o2"])),
)
retract = st.builds(lambda n: ("retract", {"target_seq": n, "reason": "oops"}), st.integers(1, 40))
commands = st.builds(
    lambda approvals, decided, rest: approvals + decided + rest,
    st.lists(approve, min_size=2, max_size=3),
    st.lists(decision, min_size=1, max_size=3),
    st.lists(
        st.one_of(
            *([execution] * 6),
            *([decision, outcome, outcome] * 2),
            retract,
            retract,
            approve,
            revise,
            revoke,
        ),
        min_size=5,
        max_size=50,
    ),
)

cost = st.builds(
    lambda p, a, monthly, at: (
        "cost",
        {"pattern_id": p, "amount": a, "label": "licence",
         "recurrence": "monthly" if monthly else "one-off", "incurred_at": at},
    ),
    st.sampled_from(PATTERNS),
    amount,
    st.booleans(),
    day,
)  # fmt: skip
score = st.builds(
    lambda i, t, s, points: (
        "score",
        {"opportunities": [{"id": f"op{i}", "type": t, "source": s, "score": points}]},
    ),
    st.integers(1, 3),
    st.sampled_from(["golf", "partnership"]),
    st.sampled_from(["email", "twitter"]),
    st.integers(0, 100),
)
report = st.builds(lambda d: ("report", {"period": f"2026-02-0{d}"}), st.integers(1, 3))
confidence = st.builds(
    lambda p, ok: ("confidence", {"pattern_id": p, "successes": ok}),
    st.sampled_from(PATTERNS),
    st.integers(0, 8),
)
beyond_commands = st.one_of(cost, score, report, confidence, st.just(("alerts", {})))
"""Event kinds made outside `record …` commands (the closed loop, scoring, the scheduler's
records and alert lifecycle): the rebuild property covers every event type with them."""
every_event = st.builds(
    lambda base, extra, at: base[:at] + extra + base[at:],
    commands,
    st.lists(beyond_commands, min_size=1, max_size=8),
    st.integers(2, 20),
)


def _report(led: Ledger, fields: dict[str, Any]) -> dict[str, Any]:
    from commands.ledger import RecordReport

    head = led.head()
    return led.execute(RecordReport(
        kind="roi-report", period=fields["period"], as_of_seq=head.seq, as_of_hash=head.hash,
        idempotency_key=f"report:roi-report:{fields['period']}",
    ))  # fmt: skip


def _alerts(led: Ledger) -> None:
    from ledger.app.alerting import settle

    settle(led, led.alerts(now="2026-02-10T12:00:00Z"), "2026-02-10")


def _confidence(led: Ledger, fields: dict[str, Any]) -> None:
    """Eight runs of a pattern, `successes` of them good, then the closed loop (which needs
    runs enough to move a confidence)."""
    for i in range(8):
        try:
            led.record_execution(fields["pattern_id"], "30", "0.001", i < fields["successes"])
        except (DomainError, InputError):
            return  # not approved (now): nothing to learn from
    led.update_confidence()


def _moved(led: Ledger, act: Any) -> dict[str, Any]:
    """Run what appends outside a command; "duplicate" when it appended nothing."""
    before = led.head().seq
    act()
    return {"duplicate": led.head().seq == before}


RUN = {
    "cost": lambda led, f: led.record_cost(**f),
    "score": lambda led, f: _moved(led, lambda: led.score_opportunities(f["opportunities"])),
    "report": _report,
    "confidence": lambda led, f: _moved(led, lambda: _confidence(led, f)),
    "alerts": lambda led, f: _moved(led, lambda: _alerts(led)),
    "approve": lambda led, f: led.approve_pattern(**f),
    "revise": lambda led, f: led.revise_pattern(**f),
    "revoke": lambda led, f: led.revoke_pattern(**f),
    "execution": lambda led, f: led.record_execution(**f),
    "retract": lambda led, f: led.retract(**f),
    "decision": lambda led, f: led.log_decision(**f),
    "outcome": lambda led, f: led.record_outcome(**f),
}


def apply_all(led: Ledger, cmds: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    """Run commands one transaction each; refusals are fine, they must write nothing."""
    snapshots = []
    for name, fields in cmds:
        before = led.head().seq
        try:
            result = RUN[name](led, dict(fields))
            event(f"{name} {'duplicate' if result['duplicate'] else 'appended'}")
        except (DomainError, InputError):
            event(f"{name} refused")
            assert led.head().seq == before
        snapshots.append(
            (
                led.head().seq,
                led.roi_summary(),
                led.list_patterns(),
                led.conversion_metrics(),
                led.insights(),
            )
        )
    return snapshots


@pytest.mark.parametrize("backend", BACKENDS)
@settings(
    max_examples=75, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cmds=every_event)
def test_rebuild_equals_incremental_and_the_log_verifies(
    backend: str, cmds: list[tuple[str, dict[str, Any]]]
) -> None:
    with fresh_location(backend) as location, Ledger.open(location) as led:
        apply_all(led, cmds)
        incremental = dump_projections(led)
        assert verify_chain(led.service)["ok"]
        assert led.verify(projections=True)["projections"]["ok"]
        led.rebuild()
        assert dump_projections(led) == incremental


@pytest.mark.parametrize("backend", BACKENDS)
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cmds=commands)
def test_as_of_answers_what_the_live_query_answered_then(
    backend: str, cmds: list[tuple[str, dict[str, Any]]]
) -> None:
    with fresh_location(backend) as location, Ledger.open(location) as led:
        snapshots = apply_all(led, cmds)
        for seq, summary, patterns, conversions, insights in snapshots:
            assert led.roi_summary(as_of=seq) == summary
            assert led.list_patterns(as_of=seq) == patterns
            assert led.conversion_metrics(as_of=seq) == conversions
            assert led.insights(as_of=seq) == insights


def as_batch_line(name: str, fields: dict[str, Any]) -> str:
    """A command as a `record batch` line (amounts as strings: exact, as users write them)."""
    body = {k: v if isinstance(v, bool) else str(v) for k, v in fields.items() if v is not None}
    return json.dumps({"command": name, **body})


def timeless(tables: dict[str, list[tuple[Any, ...]]]) -> dict[str, list[tuple[Any, ...]]]:
    """Projection rows with stored timestamps blanked: two runs read different clocks."""

    def cell(v: Any) -> Any:
        return None if isinstance(v, str) and v.startswith("20") and v.endswith("Z") else v

    return {name: [tuple(cell(v) for v in r) for r in rows] for name, rows in tables.items()}


@pytest.mark.parametrize("backend", BACKENDS)
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cmds=commands, chunk=st.integers(1, 7))
def test_a_batch_gives_the_same_events_and_rows_as_one_by_one(
    backend: str, cmds: list[tuple[str, dict[str, Any]]], chunk: int
) -> None:
    with fresh_location(backend) as first, fresh_location(backend) as second:
        with Ledger.open(first) as one:
            apply_all(one, cmds)
            expected_rows = timeless(dump_projections(one))
            expected_events = [e.event_type for e in one.events(0, 10_000)]
        lines = [as_batch_line(name, fields) for name, fields in cmds]
        with Ledger.open(second) as many:
            many.execute_batch(
                ((n, parse_line(n, text)) for n, text in enumerate(lines, 1)), chunk_size=chunk
            )
            assert [e.event_type for e in many.events(0, 10_000)] == expected_events
            assert timeless(dump_projections(many)) == expected_rows


NOW = "2026-03-01T12:00:00Z"


def answers(led: Ledger) -> list[Any]:
    """Every kind of read, from totals (summary, groups) to per-event rows (executions,
    outcomes through the daily summary, predictions through calibration), with the head; a
    refusal (an unknown pattern, as of then) is an answer too."""
    reads = [
        led.head,
        led.roi_summary,
        led.list_patterns,
        *[lambda p=p: led.roi_report(p, now=NOW, executions=5) for p in PATTERNS],
        *[lambda p=p: led.trend(p) for p in PATTERNS],
        *[lambda p=p: led.executions(p) for p in PATTERNS],
        led.conversion_metrics,
        lambda: led.conversion_metrics(by="source"),
        led.insights,
        led.calibration,
        lambda: led.daily_summary("2026-02-05"),
    ]
    out: list[Any] = []
    for read in reads:
        try:
            out.append(read())
        except (DomainError, InputError) as exc:
            out.append(f"{type(exc).__name__}: {exc}")
    return out


@pytest.mark.parametrize("backend", BACKENDS)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cmds=commands, unit=st.integers(1, 9), chunk=st.integers(1, 30), data=st.data())
def test_as_of_at_any_seq_equals_a_full_replay_to_it(
    backend: str,
    cmds: list[tuple[str, dict[str, Any]]],
    unit: int,
    chunk: int,
    data: st.DataObject,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As-of reads come from row versions, not replays (ledger/store/versions.py). At every seq —
    heads of single appends, and seqs inside a batch's or a rebuild's history units, which
    need a fold of the unit's first events — they equal a full replay of the log to that
    seq, retractions included; after a rebuild they still do."""
    from ledger.core.snapshots import replay
    from ledger.store import as_of
    from ledger.store import versions as history

    monkeypatch.setattr(history, "UNIT", unit)
    lines = [as_batch_line(name, fields) for name, fields in cmds]
    with fresh_location(backend) as location, Ledger.open(location) as led:
        apply_all(led, cmds[: len(cmds) // 2])
        led.execute_batch(
            ((n, parse_line(n, text)) for n, text in enumerate(lines, 1)), chunk_size=chunk
        )
        head = led.head().seq
        for rebuilt in (False, True):
            if rebuilt:
                led.rebuild()
            seqs = data.draw(st.lists(st.integers(1, head), min_size=1, max_size=8, unique=True))
            for seq in seqs:
                expected = Ledger(replay(led.service, seq))
                with led.service.reading(seq) as db:
                    inside = isinstance(db, as_of.AsOfSql) and any(db.state.keys.values())
                event("a seq inside a unit" if inside else "a seq at a version boundary")
                try:
                    assert answers(led.view(seq)) == answers(expected), (seq, rebuilt)
                finally:
                    expected.close()
        event(f"units of {unit}, head {head}")
