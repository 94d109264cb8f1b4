"""`Ledger` is a facade composed over the service and the query functions: SPEC's method
names work, each read takes `as_of` where the CLI takes --as-of (positionally after the
query's own parameters, as before), and the plumbing lives on `ledger.service`."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from ledger import Ledger
from ledger.core.service import LedgerCore

COMMANDS = ("approve_pattern", "revise_pattern", "revoke_pattern", "record_execution",
            "log_decision", "record_outcome", "score_opportunities", "update_confidence",
            "retract")  # fmt: skip
QUERIES = ("pattern_roi", "roi_summary", "effectiveness", "top_performers", "underperformers",
           "roi_report", "dashboard", "alerts", "conversion_metrics", "roi_by_type", "insights",
           "predict", "calibration", "daily_summary", "weekly_summary", "history", "verify",
           "digest", "rebuild")  # fmt: skip
"""README "Python" (SPEC 6.3): one method per command and one per query."""


def test_every_spec_method_is_on_the_facade_and_each_query_takes_as_of() -> None:
    for name in COMMANDS + QUERIES:
        assert callable(getattr(Ledger, name)), name
    for name in set(QUERIES) - {"verify", "rebuild"}:
        assert "as_of" in inspect.signature(getattr(Ledger, name)).parameters, name


def test_every_method_declared_by_a_path_resolves_to_a_function_with_help() -> None:
    """Reads name their query by its path (imported on first use): a wrong path or a query
    with parameters a read cannot pass fails here, not in a user's hands."""
    for name in dir(Ledger):
        if not name.startswith("_") and callable(member := getattr(Ledger, name)):
            inspect.signature(member)
            assert member.__doc__, f"Ledger.{name} has no help"


def test_a_declared_read_shows_its_parameters_and_help() -> None:
    shown = inspect.signature(Ledger.pattern_roi)
    assert list(shown.parameters) == [
        "self", "pattern_id", "as_of", "since", "until", "period", "now"
    ]  # fmt: skip
    assert shown.parameters["since"].kind is inspect.Parameter.KEYWORD_ONLY
    assert "ROI summary" in (Ledger.pattern_roi.__doc__ or "")
    assert list(inspect.signature(Ledger.executions).parameters) == [
        "self", "pattern_id", "limit", "as_of"
    ]  # fmt: skip
    assert Ledger.pattern_roi.__qualname__ == "Ledger.pattern_roi"
    # the service's own methods, handed over: their parameters and help, not `**options`
    assert list(inspect.signature(Ledger.verify).parameters) == [
        "self", "projections", "digest", "progress"
    ]  # fmt: skip
    assert "hash chain" in (Ledger.verify.__doc__ or "")


def test_reads_take_as_of_by_position_or_name_and_refuse_a_wrong_call(db_path: Path) -> None:
    with Ledger.open(db_path) as led:
        led.approve_pattern("p", 60, "1.00")
        for _ in range(3):
            led.record_execution("p", 10, "0.10", True)
        # as of seq 2 only the first execution is known, by position or by name
        assert led.roi_summary(2)[0]["total_executions"] == 1
        assert led.roi_summary(as_of=2)[0]["total_executions"] == 1
        assert led.top_performers(10, 2) == led.top_performers(limit=10, as_of=2)
        assert led.executions("p", 1, 3) == led.executions("p", limit=1, as_of=3)
        assert len(led.executions("p", None, 3)) == 2
        with pytest.raises(TypeError):
            led.roi_summary(since_day="2026-01-01")  # a misspelt option is not dropped
        with pytest.raises(TypeError, match=r"Ledger\.effectiveness\(\) too many"):
            led.effectiveness("p", 2, "extra")
        # a bound method like any other: on the instance, or on the class with it first
        assert led.roi_summary == led.roi_summary and led.roi_summary.__self__ is led
        assert Ledger.roi_summary(led, 2) == led.roi_summary(2)
        with pytest.raises(TypeError):
            led.effectiveness("p", since="2026-01-01")  # no window on this read


def test_plumbing_is_on_the_service_and_a_setting_cannot_be_set_on_the_facade(
    db_path: Path,
) -> None:
    with Ledger.open(db_path) as led:
        assert isinstance(led.service, LedgerCore)
        for plumbing in ("scan", "insert_rows", "unit_of_work", "dispatch", "reading",
                         "existing_keys", "reports_produced", "point_shown"):  # fmt: skip
            assert not hasattr(led, plumbing), plumbing
            assert hasattr(led.service, plumbing), plumbing
        # a clock set on the facade would be silently ignored by the service: refused
        with pytest.raises(AttributeError):
            led.clock = lambda: "2026-01-01T00:00:00.000000Z"  # type: ignore[attr-defined]


def test_a_view_is_a_facade_as_of_a_point(db_path: Path) -> None:
    with Ledger.open(db_path) as led:
        led.approve_pattern("p", 60, "1.00")
        led.record_execution("p", 10, "0.10", True)
        then = led.view(1)
        assert isinstance(then, Ledger) and then is not led
        assert then.roi_summary()[0]["total_executions"] == 0
        assert led.view(None) is led
        then.close()  # closing a view leaves its ledger open
        assert led.roi_summary()[0]["total_executions"] == 1


def test_executions_refuses_a_limit_no_database_takes(db_path: Path) -> None:
    """The defect (found by a differential attack on the facade): `executions(p, "a")` failed
    as a storage error and `executions(p, 10**20)` raised OverflowError from the driver."""
    from ledger.errors import InputError

    with Ledger.open(db_path) as led:
        led.approve_pattern("p", 60, "1.00")
        led.record_execution("p", 10, "0.10", True)
        for bad in ("a", 10**20, -1, True, 1.5):
            with pytest.raises(InputError, match="limit") as refused:
                led.executions("p", bad)
            assert refused.value.details["field"] == "limit"
        assert len(led.executions("p", 0)) == 0
        assert len(led.executions("p", 2**62 - 1)) == 1


def test_a_stream_no_database_can_hold_is_refused_naming_it(db_path: Path) -> None:
    """The defect: `roi-ledger history $'pattern:\\xff'` (a byte the shell's encoding could not
    decode reaches Python as a lone surrogate) answered with the codec's own message."""
    from ledger.errors import InputError

    with Ledger.open(db_path) as led:
        for read in (lambda: led.history("pattern:\udcff"),
                     lambda: led.events(stream_id="pattern:\udcff")):  # fmt: skip
            with pytest.raises(InputError, match="stream") as refused:
                read()
            assert refused.value.details["field"] == "stream"
