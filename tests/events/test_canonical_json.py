"""Stored payloads are RFC 8785 canonical JSON, so an export carries exactly the stored text and
an import reproduces the chain — floats at their edges and unicode included."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from events.base import Event
from events.canonical import canonical_json
from events.registry import EVENT_CLASSES
from ledger import Ledger
from ledger.app.importing import import_events
from ledger.audit.chain import export_events

EDGE_FLOATS = [0.00001, 1e-7, 1e21, 1e-300, 5e-324, 1.7976931348623157e308, -0.0, 1 / 3, 2 / 3,
               0.1 + 0.2, 100.0, 12.5]  # fmt: skip


def export_import(source: Ledger, tmp_path: Path) -> Ledger:
    path = tmp_path / "log.jsonl"
    with path.open("w", encoding="utf-8") as out:
        export_events(source.service, out)
    copy = Ledger.open(tmp_path / "copy.db")
    import_events(copy.service, str(path))
    return copy


def test_export_then_import_of_a_context_holding_0_00001_reproduces_the_digest(
    ledger: Ledger, tmp_path: Path
) -> None:
    """The defect: pydantic stored 0.00001, the import re-serialised it as 1e-05 and refused."""
    ledger.log_decision("d1", "golf", "email", "replied", context={"rate": 0.00001})
    with export_import(ledger, tmp_path) as copy:
        assert copy.digest() == ledger.digest()


def test_floats_at_their_edges_and_unicode_survive_export_and_import(
    ledger: Ledger, tmp_path: Path
) -> None:
    context = {
        "floats": EDGE_FLOATS,
        "text": "é ü 中文 😀 \u2028 \t tab",
        "😀": 1,
        "\uffff": 2,
        "nested": {"b": [1, 2.5, None, True], "a": -1},
    }
    ledger.log_decision("d2", "golf", "email", "replied", context=context, opportunity_score=87)
    stored = ledger.events(0, 10)[0].payload
    assert canonical_json(json.loads(stored)) == stored
    assert '"opportunity_score":87,' in stored  # RFC 8785 writes 87, not 87.0
    with export_import(ledger, tmp_path) as copy:
        assert copy.digest() == ledger.digest()


def test_a_non_canonical_payload_of_an_older_ledger_still_exports_and_imports(
    ledger: Ledger, tmp_path: Path
) -> None:
    """Ledgers written before payloads were RFC 8785 hold pydantic's number form; export
    carries that exact text beside the object, so the chain still reproduces."""
    from events import chain_hash
    from events.envelope import GENESIS_HASH

    payload = (
        '{"action_taken":"replied","context":{"rate":1e-5},"decision_id":"old",'
        '"decision_maker":null,"opportunity_content":null,"opportunity_id":null,'
        '"opportunity_score":87.0,"opportunity_source":"email","opportunity_type":"golf",'
        '"sender":null}'
    )
    stamp = "2026-01-01T00:00:00.000000Z"
    row = (1, "decision:old", 1, "DecisionLogged", 1, stamp, stamp, payload, None)
    with ledger.service.backend.write() as db:
        ledger.service.log.insert_rows(db, [(*row, GENESIS_HASH, chain_hash(GENESIS_HASH, *row))])
    with export_import(ledger, tmp_path) as copy:
        assert copy.digest() == ledger.digest()
        assert copy.events(0, 1)[0].payload == payload


def _value(cls: type[Event], name: str) -> Any:
    return st.from_type(cls.model_fields[name].annotation)  # type: ignore[arg-type]


json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53) + 1, 2**53 - 1),
    # whole numbers from 2**53 to 1e21 are refused on input (commands.fields): RFC 8785 writes
    # them without an exponent, and they would come back as integers JSON cannot carry exactly
    st.floats(allow_nan=False, allow_infinity=False).filter(
        lambda f: not (f.is_integer() and 2**53 <= abs(f) < 1e21)
    ),
    st.text(max_size=20),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(max_size=40),
    number=st.floats(min_value=0, max_value=100, allow_nan=False),
    context=st.dictionaries(st.text(max_size=8), json_value, max_size=5),
)
def test_every_payload_is_rfc8785_canonical(
    text: str, number: float, context: dict[str, Any]
) -> None:
    from events.decisions import DecisionLogged, OpportunityScored, OutcomeRecorded
    from events.ledger_events import (
        AlertDelivered,
        AlertRaised,
        AlertResolved,
        EventRetracted,
        ReportGenerated,
    )
    from events.patterns import PatternApproved, PatternCostRecorded, PatternExecutionRecorded

    label = text or "x"
    samples: list[Event] = [
        DecisionLogged(
            decision_id="d", opportunity_type=label, opportunity_source=label, action_taken=label,
            opportunity_score=number, context=context, sender=text,
        ),
        OutcomeRecorded(decision_id="d", outcome_type=label, outcome_status="success",
                        notes=text, revenue_generated="12.50"),
        OpportunityScored(
            adjusted_score=number, confidence="0.5", conversion_probability=number,
            model_version=label, opportunity_id="o", original_score=number,
            predicted_revenue="1.5", similar_count=3,
        ),
        PatternApproved(pattern_id="p", estimated_cost="0.015", estimated_time_seconds="60",
                        description=text),
        PatternExecutionRecorded(
            pattern_id="p", actual_cost="0.0100", estimated_cost="0.02", success=True,
            estimated_time_seconds="60", execution_time_seconds="45.2", workflow_id=2**53 - 1,
            error_message=text,
        ),
        EventRetracted(target_seq=3, reason=label),
        ReportGenerated(as_of_hash="0" * 64, as_of_seq=1, kind="k", period="p", files=(text,)),
        PatternCostRecorded(amount="1200.50", label=text, pattern_id="p", recurrence="monthly",
                            until="2027-01-01T00:00:00.000000Z"),
        AlertRaised(alert_type="failure_spike", message=text, pattern_id="p", period="p",
                    severity=label),
        AlertResolved(alert_type="failure_spike", pattern_id="p", period="p"),
        AlertDelivered(attempts=2, status_code=200, target=label, transition_seq=7),
    ]  # fmt: skip
    assert {type(s).__name__ for s in samples} | {
        "PatternEstimatesRevised", "PatternRevoked", "PatternConfidenceUpdated"
    } == set(EVENT_CLASSES)  # fmt: skip
    for sample in samples:
        stored = sample.payload_json()
        assert canonical_json(json.loads(stored)) == stored, type(sample).__name__


def test_every_number_that_leaves_as_json_is_finite() -> None:
    """Found by fuzzing: `score` echoed an opportunity's own 1e309 back as Infinity."""
    from decimal import Decimal

    from ledger.present.encoding import jsonable

    assert jsonable({"a": float("inf"), "b": [Decimal("1e400"), float("nan")], "c": 1.5}) == {
        "a": None,
        "b": [None, None],
        "c": 1.5,
    }


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(codec="utf-8"), max_size=8)
    | st.text(alphabet=st.characters(max_codepoint=127), max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.text(alphabet=st.characters(max_codepoint=127), max_size=6)
            | st.text(alphabet=st.characters(codec="utf-8"), max_size=4),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=400)
@given(value=json_values)
def test_the_fast_path_is_exactly_rfc8785(value: Any) -> None:
    """canonical_json skips the pure-Python canonicaliser for plain JSON (no floats, ASCII
    text, safe integers): for every value, its text equals rfc8785's, or both refuse."""
    import rfc8785

    try:
        expected: str | None = rfc8785.dumps(value).decode()
    except rfc8785.CanonicalizationError:
        expected = None
    try:
        got: str | None = canonical_json(value)
    except ValueError:
        got = None
    assert got == expected


def test_plain_json_with_control_characters_and_big_integers() -> None:
    import rfc8785

    value = {"b": '\x00\x1f\x7f"\\\n\t/', "a": [2**53 - 1, -(2**53 - 1), True, None], "": {}}
    assert canonical_json(value) == rfc8785.dumps(value).decode()
    for too_big in (2**53, -(2**53)):
        try:
            canonical_json({"n": too_big})
        except ValueError:
            continue
        raise AssertionError(f"{too_big} is beyond RFC 8785's exact integers")
