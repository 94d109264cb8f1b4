"""Conversion metrics, ROI by type and the per-decision fold, with hand-worked figures."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from commands.base import DomainError, NotFoundError
from ledger import Ledger
from ledger.errors import InputError
from tests.conftest import dump_projections


def decide(led: Ledger, did: str, kind: str, source: str, at: str = "2026-02-01T10:00:00Z") -> None:
    led.log_decision(did, kind, source, "replied", decided_at=at)


def convert(led: Ledger, did: str, revenue: str, at: str, deal: bool = True) -> None:
    led.record_outcome(
        did,
        "conversion",
        "success",
        revenue_generated=revenue,
        customer_acquired=True,
        deal_closed=deal,
        occurred_at=at,
    )


@pytest.fixture
def book(ledger: Ledger) -> Ledger:
    """email/golf: 4 decisions — e1 responds then buys 250 after 24 h; e2 buys 150 after 48 h;
    e3 responds only; e4 nothing.
    twitter/golf: 2 decisions — t1 buys 100 after 12 h (no deal), t2 nothing.
    twitter/partnership: 3 decisions — p1 closes 1000 after 240 h; p2, p3 nothing."""
    for did in ("e1", "e2", "e3", "e4"):
        decide(ledger, did, "golf_coaching", "email")
    for did in ("t1", "t2"):
        decide(ledger, did, "golf_coaching", "twitter")
    for did in ("p1", "p2", "p3"):
        decide(ledger, did, "partnership", "twitter")
    ledger.record_outcome(
        "e1", "response", "success", response_received=True, occurred_at="2026-02-01T11:00:00Z"
    )
    convert(ledger, "e1", "250", "2026-02-02T10:00:00Z")
    convert(ledger, "e2", "150", "2026-02-03T10:00:00Z")
    ledger.record_outcome(
        "e3", "response", "success", response_received=True, occurred_at="2026-02-01T12:00:00Z"
    )
    convert(ledger, "t1", "100", "2026-02-01T22:00:00Z", deal=False)
    convert(ledger, "p1", "1000", "2026-02-11T10:00:00Z")
    return ledger


def by_key(rows: list[dict[str, object]]) -> dict[tuple[object, object], dict[str, object]]:
    return {(r["source_type"], r["opportunity_type"]): r for r in rows}


def test_conversion_metrics_per_combination(book: Ledger) -> None:
    rows = by_key(book.conversion_metrics())
    email = rows[("email", "golf_coaching")]
    assert (
        email["total_decisions"],
        email["total_responses"],
        email["total_customers"],
        email["total_deals_closed"],
    ) == (4, 2, 2, 2)
    assert email["total_revenue"] == D(400)
    assert email["conversion_rate"] == D(50) and email["response_rate"] == D(50)
    assert email["avg_revenue_per_decision"] == D(100)
    assert email["avg_time_to_conversion_hours"] == D(36)  # (24 + 48) / 2
    low, high = email["conversion_rate_interval"]  # type: ignore[misc]
    assert 15 < low < 16 and 84 < high < 85
    twitter_golf = rows[("twitter", "golf_coaching")]
    assert twitter_golf["total_deals_closed"] == 0 and twitter_golf["total_customers"] == 1
    assert twitter_golf["avg_time_to_conversion_hours"] == D(12)
    partnership = rows[("twitter", "partnership")]
    assert partnership["conversion_rate"] == D(100) / 3


def test_rollups_per_source_and_per_type(book: Ledger) -> None:
    sources = {r["source_type"]: r for r in book.conversion_metrics("source")}
    assert sources["twitter"]["opportunity_type"] is None
    assert sources["twitter"]["total_decisions"] == 5
    assert sources["twitter"]["total_revenue"] == D(1100)
    assert sources["twitter"]["avg_time_to_conversion_hours"] == D(126)  # (12 + 240) / 2
    types = {r["opportunity_type"]: r for r in book.conversion_metrics("type")}
    assert types["golf_coaching"]["total_customers"] == 3
    assert types["golf_coaching"]["conversion_rate"] == D(50)  # 3 of 6
    with pytest.raises(InputError, match="by"):
        book.conversion_metrics("week")


def test_roi_by_type_with_sources(book: Ledger) -> None:
    rows = book.roi_by_type()
    assert [r["opportunity_type"] for r in rows] == ["partnership", "golf_coaching"]
    golf = rows[1]
    assert (golf["total_revenue"], golf["total_decisions"], golf["deals_closed"]) == (D(500), 6, 2)
    assert golf["avg_revenue_per_decision"] == D(500) / 6
    assert [s["source_type"] for s in golf["by_source"]] == ["email", "twitter"]


def test_several_outcomes_first_customer_sets_time_to_conversion(ledger: Ledger) -> None:
    decide(ledger, "d", "consulting", "email")
    convert(ledger, "d", "100", "2026-02-03T10:00:00Z")  # 48 h
    convert(ledger, "d", "50", "2026-02-02T10:00:00Z")  # recorded later, happened first: 24 h
    (row,) = ledger.conversion_metrics()
    assert row["total_revenue"] == D(150) and row["total_customers"] == 1
    assert row["avg_time_to_conversion_hours"] == D(24)


def test_refusals_write_nothing(ledger: Ledger) -> None:
    decide(ledger, "d", "consulting", "email")
    with pytest.raises(DomainError, match="already logged"):
        decide(ledger, "d", "consulting", "email")
    with pytest.raises(NotFoundError, match="unknown decision"):
        ledger.record_outcome("ghost", "response", "success")
    with pytest.raises(InputError, match="outcome_status"):
        ledger.record_outcome("d", "response", "maybe")
    with pytest.raises(InputError, match="revenue_generated"):
        ledger.record_outcome("d", "conversion", "success", revenue_generated="-5")
    with pytest.raises(DomainError, match="precede"):
        ledger.record_outcome("d", "response", "success", occurred_at="2026-01-01")
    assert ledger.head().seq == 1


def test_idempotent_retry_of_a_decision_is_not_an_error(ledger: Ledger) -> None:
    first = ledger.log_decision("d", "x", "y", "z", idempotency_key="k")
    again = ledger.log_decision("d", "x", "y", "z", idempotency_key="k")
    assert again["duplicate"] and again["seq"] == first["seq"]


def test_retractions_recompute_the_decision(book: Ledger) -> None:
    seq = next(e.seq for e in book.history("decision:p1") if e.event_type == "OutcomeRecorded")
    book.retract(seq, "that deal fell through")
    partnership = by_key(book.conversion_metrics())[("twitter", "partnership")]
    assert partnership["total_customers"] == 0 and partnership["total_revenue"] == 0
    logged = book.history("decision:e4")[0].seq
    book.retract(logged, "logged by mistake")
    email = by_key(book.conversion_metrics())[("email", "golf_coaching")]
    assert email["total_decisions"] == 3
    with pytest.raises(NotFoundError):
        book.record_outcome("e4", "response", "success")
    assert book.verify(projections=True)["ok"]


def test_figures_survive_rebuild_and_as_of(book: Ledger) -> None:
    seq = book.head().seq
    before = [
        book.conversion_metrics(),
        book.conversion_metrics("source"),
        book.roi_by_type(),
        book.insights(),
        book.predict("golf_coaching", "email"),
        book.daily_summary("2026-02-01"),
        dump_projections(book),
    ]
    book.rebuild()
    after = [
        book.conversion_metrics(),
        book.conversion_metrics("source"),
        book.roi_by_type(),
        book.insights(),
        book.predict("golf_coaching", "email"),
        book.daily_summary("2026-02-01"),
        dump_projections(book),
    ]
    assert after == before
    decide(book, "late", "golf_coaching", "email", at="2026-02-05T10:00:00Z")
    convert(book, "late", "999", "2026-02-05T11:00:00Z")
    assert [
        book.conversion_metrics(as_of=seq),
        book.conversion_metrics("source", as_of=seq),
        book.roi_by_type(as_of=seq),
        book.insights(as_of=seq),
        book.predict("golf_coaching", "email", as_of=seq),
        book.daily_summary("2026-02-01", as_of=seq),
    ] == before[:6]
