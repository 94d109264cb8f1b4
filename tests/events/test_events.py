"""Events: frozen, versioned, exact; stored payloads decode (and upcast) to current classes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from events import GENESIS_HASH, canonical_json, chain_hash
from events.patterns import PatternApproved, PatternExecutionRecorded
from events.registry import EVENT_CLASSES, decode_event, upcast
from events.timeutil import format_timestamp, normalize_timestamp


def execution(**overrides: object) -> PatternExecutionRecorded:
    fields: dict[str, object] = dict(
        pattern_id="p",
        execution_time_seconds="45.2",
        estimated_time_seconds="60",
        actual_cost="0.012",
        estimated_cost="0.015",
        success=True,
    )
    fields.update(overrides)
    return PatternExecutionRecorded.model_validate(fields)


def test_events_are_frozen_and_reject_unknown_fields() -> None:
    event = execution()
    with pytest.raises(ValidationError):
        event.success = False  # type: ignore[misc]
    with pytest.raises(ValidationError, match="extra"):
        execution(surprise=1)


def test_money_is_exact_decimal_and_payload_keeps_it_as_text() -> None:
    event = execution(actual_cost=0.1)
    assert event.actual_cost == Decimal("0.1")
    payload = event.payload()
    assert payload["actual_cost"] == "0.1"
    assert "type" not in payload


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-1", "abc"])
def test_non_finite_negative_or_garbage_amounts_are_refused(bad: str) -> None:
    with pytest.raises(ValidationError, match="actual_cost"):
        execution(actual_cost=bad)


def test_every_event_class_has_a_literal_tag_matching_its_name() -> None:
    for name, cls in EVENT_CLASSES.items():
        assert cls.model_fields["type"].default == name
        assert cls.schema_version >= 1


def test_version_1_approval_is_upcast_on_read() -> None:
    stored = {"pattern_id": "p", "estimated_time_seconds": "60", "estimated_cost": "0.015"}
    event = decode_event("PatternApproved", 1, stored)
    assert isinstance(event, PatternApproved)
    assert event.description is None and event.confidence is None
    assert upcast("PatternApproved", 3, {"x": 1}) == {"x": 1}


def test_a_newer_schema_version_than_known_is_refused() -> None:
    with pytest.raises(ValueError, match="newer"):
        decode_event("PatternApproved", 99, {})


def test_canonical_json_is_sorted_compact_utf8() -> None:
    assert canonical_json({"b": 1, "a": "é"}) == '{"a":"é","b":1}'


def test_chain_hash_is_sha256_of_prev_hash_and_the_row_array() -> None:
    import hashlib

    args = ("pattern:p", 1, "PatternApproved", 2, "2024-01-01T00:00:00.000000Z")
    payload = canonical_json({"pattern_id": "p"})
    expected_body = json.dumps(
        [1, *args, "2024-01-01T00:00:01.000000Z", payload, None], separators=(",", ":")
    )
    expected = hashlib.sha256((GENESIS_HASH + expected_body).encode()).hexdigest()
    assert (
        chain_hash(GENESIS_HASH, 1, *args, "2024-01-01T00:00:01.000000Z", payload, None) == expected
    )


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2024-12-08T12:00:00Z", "2024-12-08T12:00:00.000000Z"),
        ("2024-12-08T12:00:00", "2024-12-08T12:00:00.000000Z"),
        ("2024-12-08T14:00:00+02:00", "2024-12-08T12:00:00.000000Z"),
        ("2024-12-08", "2024-12-08T00:00:00.000000Z"),
    ],
)
def test_timestamps_are_stored_as_utc_with_z(given: str, stored: str) -> None:
    assert normalize_timestamp(given) == stored


def test_a_bad_timestamp_says_what_is_expected() -> None:
    with pytest.raises(ValueError, match="ISO-8601"):
        normalize_timestamp("yesterday")


@pytest.mark.parametrize(
    "row",
    [
        (1, "pattern:p", 1, "PatternApproved", 2, "a", "b", '{"x":"é\\"\\n"}', None),
        (7, 'pattern:we"ird\\id', 3, "T", 1, "a", "b", "{}", "key-ü\u2028"),
    ],
)
def test_hash_body_is_exactly_json_dumps_of_the_row(row: tuple[object, ...]) -> None:
    import hashlib

    body = json.dumps(list(row), separators=(",", ":"), ensure_ascii=False)
    expected = hashlib.sha256((GENESIS_HASH + body).encode()).hexdigest()
    assert chain_hash(GENESIS_HASH, *row) == expected  # type: ignore[arg-type]


def test_stored_payload_is_canonical_json_for_every_event_class() -> None:
    from events.decisions import DecisionLogged

    samples = [
        execution(error_message='naïve "quote"\n'),
        PatternApproved(
            pattern_id="p",
            estimated_time_seconds=1,
            estimated_cost="0.5",
            description="ünïcode",
            confidence="0.5",
        ),
        DecisionLogged(
            decision_id="d",
            opportunity_type="t",
            opportunity_source="s",
            action_taken="a",
            context={"z": 1, "a": {"y": [3, {"b": 1, "a": 2}]}},
            opportunity_score=87.5,
        ),
    ]
    for event in samples:
        text = event.payload_json()
        assert text == canonical_json(json.loads(text))


def test_event_fields_must_be_declared_sorted() -> None:
    from events.base import Event

    with pytest.raises(TypeError, match="alphabetical"):

        class Unsorted(Event):
            zebra: int
            apple: int


@given(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.none() | st.integers(min_value=-23 * 60, max_value=23 * 60),
)
def test_stored_timestamps_are_isoformat_in_utc_with_microseconds(
    moment: datetime, offset_minutes: int | None
) -> None:
    if offset_minutes is not None:
        moment = moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    as_utc = moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)
    assert format_timestamp(moment) == as_utc.isoformat(timespec="microseconds") + "Z"
