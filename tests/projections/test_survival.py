"""Time to conversion with the open decisions counted (issue 20): Kaplan–Meier in whole days,
censored at the point shown, against a hand computation and scipy's `ecdf`."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from ledger import Ledger
from projections.survival import band, converted_within, kaplan_meier, median, surviving_at
from tests.conftest import Cli


def test_a_median_with_censored_decisions_by_hand() -> None:
    """Six decisions: conversions after 1, 3 and 3 days; open ones followed 2, 4 and 5 days.
    Day 1: 1 of 6 converts, S = 5/6. Day 2: one leaves open (5 → 4 at risk). Day 3: 2 of 4
    convert, S = 5/6 × 2/4 = 5/12 ≤ 1/2: the median is 3 days. Dropping the open decisions
    instead would have said 2.3 days on average."""
    steps = kaplan_meier([(1, 1), (3, 2)], [(2, 1), (4, 1), (5, 1)])
    assert [(s.day, s.at_risk, s.converted, s.censored) for s in steps] == [
        (1, 6, 1, 0), (2, 5, 0, 1), (3, 4, 2, 0), (4, 2, 0, 1), (5, 1, 0, 1),
    ]  # fmt: skip
    assert surviving_at(steps, 3).surviving == pytest.approx(5 / 12)  # type: ignore[union-attr]
    assert median(steps)["days"] == 3
    within = converted_within(steps, 3)
    assert within["percent"] == pytest.approx(100 * 7 / 12, abs=0.01)
    assert converted_within(steps, 30)["percent"] is None  # nobody followed that long


follow = st.lists(st.tuples(st.integers(0, 40), st.integers(1, 5)), max_size=12)


@settings(max_examples=150, deadline=None)
@given(conversions=follow, open_for=follow)
def test_the_curve_and_its_band_match_scipy(
    conversions: list[tuple[int, int]], open_for: list[tuple[int, int]]
) -> None:
    """Property: survival and its 95% log-log interval at every day equal scipy's ecdf on the
    same censored data (scipy also counts a censoring at a day as at risk that day)."""
    if not conversions:
        return
    steps = kaplan_meier(conversions, open_for)
    data = stats.CensoredData(
        uncensored=[d for d, n in conversions for _ in range(n)],
        right=[d for d, n in open_for for _ in range(n)],
    )
    result = stats.ecdf(data)
    ci = result.sf.confidence_interval(method="log-log")
    for day in range(0, 42):
        s, low, high = band(surviving_at(steps, day))
        assert s == pytest.approx(float(result.sf.evaluate(day)), abs=1e-12)
        expected_low, expected_high = float(ci.low.evaluate(day)), float(ci.high.evaluate(day))
        if 0 < s < 1 and expected_low == expected_low:  # scipy: nan where undefined
            assert low == pytest.approx(expected_low, abs=1e-9)
            assert high == pytest.approx(expected_high, abs=1e-9)


def test_the_ledger_counts_open_decisions_until_the_point_shown(ledger: Ledger) -> None:
    """Four partnership decisions on Nov 1: one converts on Nov 11 (10 days), three are open.
    On Nov 21 the open ones have been followed 20 days; on Nov 6, 5 days, and the conversion
    had not happened yet (as of the recording point before it)."""
    for i in range(4):
        ledger.log_decision(f"p{i}", "partnership", "email", "call",
                            decided_at="2026-11-01T09:00:00Z")  # fmt: skip
    before = ledger.head().seq
    ledger.record_outcome("p0", "deal", "success", customer_acquired=True,
                          occurred_at="2026-11-11T12:00:00Z")  # fmt: skip
    (row,) = ledger.time_to_conversion(now="2026-11-21")
    assert (row["decisions"], row["converted"], row["still_open"]) == (4, 1, 3)
    assert row["median_days"]["days"] is None  # 1 of 4: not reached
    within = {w["days"]: w for w in row["converted_within"]}
    assert within[7]["percent"] == 0.0 and within[14]["percent"] == 25.0
    assert within[30]["percent"] is None  # nobody followed 30 days yet
    assert row["average_days_of_converted"] == 10.0
    (then,) = ledger.time_to_conversion(as_of=before, now="2026-11-06")
    assert (then["converted"], then["still_open"]) == (0, 4)
    # the live ledger shown at Nov 6: the Nov 11 customer had not come yet, so p0 is open
    (early,) = ledger.time_to_conversion(now="2026-11-06")
    assert (early["converted"], early["still_open"]) == (0, 4)
    assert ledger.time_to_conversion(now="2026-10-15") == []  # nothing decided by then
    assert ledger.time_to_conversion(period="2026-10", now="2026-11-21") == []
    (insight,) = [i for i in ledger.insights(now="2026-11-21") if i["insight_type"] == "timing"]
    assert insight["title"] == "Partnership: 25% convert within 14 days"
    assert "3 still open (counted until 2026-11-21, not dropped)" in insight["description"]


def test_time_to_convert_on_the_cli_and_http(tmp_path: Path, cli: Cli) -> None:
    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app

    with Ledger.open(cli.db) as led:
        for i in range(3):
            led.log_decision(f"d{i}", "golf", "email", "sent", decided_at="2026-11-01T09:00:00Z")
        led.record_outcome("d0", "sale", "success", customer_acquired=True,
                           occurred_at="2026-11-02T09:00:00Z")  # fmt: skip
    shown = cli("decisions", "time-to-convert", "--now", "2026-11-21")
    assert shown.exit_code == 0 and "33.3%" in shown.stdout, shown.stdout
    rows = cli.json("decisions", "time-to-convert", "--by", "source", "--now", "2026-11-21")
    assert rows[0]["source_type"] == "email" and rows[0]["opportunity_type"] is None
    refused = cli("decisions", "time-to-convert", "--by", "week")
    assert refused.exit_code == 2 and "by" in refused.stderr
    with TestClient(create_app(cli.db), base_url="http://localhost") as c:
        got = c.get("/api/decisions/time-to-conversion", params={"now": "2026-11-21"})
        assert got.status_code == 200 and got.json()[0]["still_open"] == 2
        assert c.get("/api/decisions/time-to-conversion", params={"by": "x"}).status_code == 422


def test_conversions_carry_the_matured_rate_beside_the_raw_one(ledger: Ledger) -> None:
    """Ten decisions on Oct 1, four converting within 5 days; ten on Nov 20, none yet. On
    Nov 21 the raw rate says 20 %; the matured view says 40 % within 30 days (only the
    October ones have been followed that long)."""
    for i in range(10):
        ledger.log_decision(f"o{i}", "golf", "email", "sent", decided_at="2026-10-01T09:00:00Z")
        ledger.log_decision(f"n{i}", "golf", "email", "sent", decided_at="2026-11-20T09:00:00Z")
    for i in range(4):
        ledger.record_outcome(f"o{i}", "sale", "success", customer_acquired=True,
                              occurred_at="2026-10-05T09:00:00Z")  # fmt: skip
    (row,) = ledger.conversion_metrics(now="2026-11-21")
    assert row["conversion_rate"] == 20
    matured = row["converted_within_30_days"]
    assert matured["percent"] == 40.0 and matured["followed"] == 6
    assert matured["interval"][0] < 40 < matured["interval"][1]
