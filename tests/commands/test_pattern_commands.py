"""Given a pattern's state, when a command is decided, then these events (or this refusal)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from commands.base import DomainError, NotFoundError
from commands.pattern_state import PatternState, evolve
from commands.patterns import (
    ApprovePattern,
    RecordExecution,
    RevisePatternEstimates,
    RevokePattern,
    approve_pattern,
    record_execution,
    revise_estimates,
    revoke_pattern,
)
from events.patterns import PatternEstimatesRevised, PatternExecutionRecorded

APPROVED = PatternState("p", "approved", Decimal("60"), Decimal("0.015"))
REVOKED = PatternState("p", "revoked", Decimal("60"), Decimal("0.015"), revoke_reason="flaky")
UNKNOWN = PatternState("p")


def execute(**fields: object) -> RecordExecution:
    base: dict[str, object] = dict(
        pattern_id="p", execution_time_seconds="45.2", actual_cost="0.012", success=True
    )
    return RecordExecution.model_validate({**base, **fields})


def test_execution_estimates_default_to_the_patterns_current_ones() -> None:
    (event,) = record_execution(APPROVED, execute())
    assert isinstance(event, PatternExecutionRecorded)
    assert event.estimated_time_seconds == Decimal("60")
    assert event.estimated_cost == Decimal("0.015")


def test_explicit_estimates_win() -> None:
    (event,) = record_execution(APPROVED, execute(estimated_cost="0.02"))
    assert event.estimated_cost == Decimal("0.02")  # type: ignore[attr-defined]


def test_execution_of_unknown_pattern_is_refused_naming_the_field() -> None:
    with pytest.raises(NotFoundError, match="approve it first") as err:
        record_execution(UNKNOWN, execute())
    assert err.value.field == "pattern_id"


def test_execution_of_revoked_pattern_is_refused_with_the_reason() -> None:
    with pytest.raises(DomainError, match="revoked \\(flaky\\)"):
        record_execution(REVOKED, execute())


def test_approving_twice_is_refused_but_a_revoked_pattern_can_be_reapproved() -> None:
    cmd = ApprovePattern(
        pattern_id="p", estimated_time_seconds=Decimal(1), estimated_cost=Decimal(1)
    )
    with pytest.raises(DomainError, match="already approved"):
        approve_pattern(APPROVED, cmd)
    (event,) = approve_pattern(REVOKED, cmd)
    assert evolve(REVOKED, event).status == "approved"


def test_revision_keeps_the_estimate_not_given() -> None:
    cmd = RevisePatternEstimates.model_validate({"pattern_id": "p", "estimated_cost": "0.02"})
    (event,) = revise_estimates(APPROVED, cmd)
    assert isinstance(event, PatternEstimatesRevised)
    assert (event.estimated_time_seconds, event.estimated_cost) == (Decimal(60), Decimal("0.02"))
    assert evolve(APPROVED, event).estimated_cost == Decimal("0.02")


def test_revision_needs_something_to_revise() -> None:
    with pytest.raises(ValueError, match="estimated_time_seconds, estimated_cost or both"):
        RevisePatternEstimates.model_validate({"pattern_id": "p"})


def test_revoke_twice_is_refused() -> None:
    with pytest.raises(DomainError, match="already revoked"):
        revoke_pattern(REVOKED, RevokePattern(pattern_id="p", reason="again"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("execution_time_seconds", "-1", "greater than or equal to 0"),
        ("actual_cost", "nan", "finite"),
        ("executed_at", "last tuesday", "valid datetime"),
        ("pattern_id", "has space", "pattern"),
        ("workflow_id", "x", "integer"),
    ],
)
def test_bad_fields_are_named(field: str, value: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        execute(**{field: value})
    assert field in str(err.value) and message in str(err.value)
