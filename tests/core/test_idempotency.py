"""An idempotency key names one command: the exact retry answers `"duplicate": true`, the same
key on a different command (another stream, event type or field value) is a conflict that
names `idempotency_key` and writes nothing — on every backend."""

from __future__ import annotations

import pytest

from commands.base import ConflictError
from ledger import Ledger
from tests.conftest import Cli, event_count


def count(led: Ledger) -> int:
    return led.head().seq


def test_an_execution_of_another_pattern_with_a_used_key_is_a_conflict(any_location: str) -> None:
    """The defect: pattern b's execution with pattern a's key exited 0 and answered with a's
    event."""
    with Ledger.open(any_location) as led:
        led.approve_pattern("a", 60, "0.02")
        led.approve_pattern("b", 60, "0.02")
        first = led.record_execution("a", 5, "0.01", True, idempotency_key="K1")
        with pytest.raises(ConflictError, match="pattern:a") as caught:
            led.record_execution("b", 5, "0.01", True, idempotency_key="K1")
        assert caught.value.field == "idempotency_key"
        assert count(led) == first["seq"]
        assert led.pattern_roi("b")["total_executions"] == 0


def test_the_same_key_with_other_amounts_or_another_time_is_a_conflict(any_location: str) -> None:
    with Ledger.open(any_location) as led:
        led.approve_pattern("a", 60, "0.02")
        led.record_execution(
            "a", 5, "0.01", True, idempotency_key="K", executed_at="2026-01-01T00:00:00Z"
        )
        for change in (
            {"execution_time_seconds": 6},
            {"actual_cost": "0.02"},
            {"success": False},
            {"executed_at": "2026-01-02T00:00:00Z"},
            {"workflow_id": 7},
        ):
            fields = {"execution_time_seconds": 5, "actual_cost": "0.01", "success": True, **change}
            with pytest.raises(ConflictError, match="idempotency key"):
                led.record_execution("a", idempotency_key="K", **fields)  # type: ignore[arg-type]
        assert count(led) == 2


def test_the_exact_retry_is_a_duplicate_even_with_equal_numbers_written_differently(
    any_location: str,
) -> None:
    with Ledger.open(any_location) as led:
        led.approve_pattern("a", 60, "0.02")
        first = led.record_execution(
            "a", "5.0", "0.010", True, idempotency_key="K", executed_at="2026-01-01T00:00:00Z"
        )
        again = led.record_execution(
            "a", 5, "0.01", True, idempotency_key="K", executed_at="2026-01-01T00:00:00+00:00"
        )
        assert again["duplicate"] is True and again["seq"] == first["seq"]
        # a retry that leaves out an option the first gave still names the same command
        assert led.record_execution("a", 5, "0.01", True, idempotency_key="K")["duplicate"]


def test_a_decision_with_a_key_used_by_an_execution_is_a_conflict_from_the_shell(
    cli: Cli,
) -> None:
    """The defect: it answered 'already recorded' though that decision was never logged."""
    cli.json("pattern", "approve", "a", "--estimated-time-seconds", "60", "--estimated-cost", "1")
    cli.json(
        "record", "execution", "--pattern-id", "a", "--execution-time-seconds", "5",
        "--actual-cost", "0.01", "--success", "--idempotency-key", "K1",
    )  # fmt: skip
    decision = ["record", "decision", "--decision-id", "zz", "--type", "t", "--source", "s",
                "--action", "a", "--idempotency-key", "K1"]  # fmt: skip
    error = cli.error(*decision)
    assert error["details"]["field"] == "idempotency_key"
    assert "PatternExecutionRecorded" in error["error"]
    assert event_count(cli.db) == 2
    text = cli(*decision).stderr
    assert "already recorded" not in text and "idempotency_key" in text


def test_decisions_and_outcomes_keys_compare_their_fields(ledger: Ledger) -> None:
    ledger.log_decision("d1", "golf", "email", "replied", idempotency_key="D")
    assert ledger.log_decision("d1", "golf", "email", "replied", idempotency_key="D")["duplicate"]
    with pytest.raises(ConflictError):
        ledger.log_decision("d2", "golf", "email", "replied", idempotency_key="D")
    with pytest.raises(ConflictError):
        ledger.log_decision("d1", "golf", "twitter", "replied", idempotency_key="D")
    ledger.record_outcome("d1", "sale", "success", revenue_generated="250", idempotency_key="O")
    assert ledger.record_outcome("d1", "sale", "success", revenue_generated=250.0,
                                 idempotency_key="O")["duplicate"]  # fmt: skip
    with pytest.raises(ConflictError):
        ledger.record_outcome("d1", "sale", "success", revenue_generated="25", idempotency_key="O")


def test_a_batch_line_reusing_a_key_for_another_command_is_refused_by_line(
    ledger: Ledger,
) -> None:
    from ledger.app.batch_lines import parse_line

    ledger.approve_pattern("a", 60, "0.02")
    ledger.approve_pattern("b", 60, "0.02")
    lines = [
        '{"command":"execution","pattern_id":"a","execution_time_seconds":5,"actual_cost":"0.01","success":true,"idempotency_key":"K"}',
        '{"command":"execution","pattern_id":"a","execution_time_seconds":5,"actual_cost":"0.01","success":true,"idempotency_key":"K"}',
        '{"command":"execution","pattern_id":"b","execution_time_seconds":5,"actual_cost":"0.01","success":true,"idempotency_key":"K"}',
    ]  # fmt: skip
    outcome = ledger.execute_batch((n, parse_line(n, t)) for n, t in enumerate(lines, 1))
    assert (outcome.accepted, outcome.duplicates) == (1, 1)
    assert [(r["line"], r["field"]) for r in outcome.rejected] == [(3, "idempotency_key")]
