"""Figures over a window of business time (issue 19): executions count in the window of their
`executed_at`, with the all-time formulas, whatever clock they were recorded on."""

from __future__ import annotations

import contextlib
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.base import DomainError
from ledger import Ledger
from ledger.errors import InputError
from tests.conftest import BACKENDS, Cli, fresh_location


def run(led: Ledger, pid: str, day: str, ok: bool = True, cost: str = "0.10") -> None:
    led.record_execution(pid, "30", cost, ok, executed_at=f"{day}T10:00:00Z")


@pytest.fixture
def two_months(ledger: Ledger) -> Ledger:
    """p: 3 runs in October (one failed), 2 in November; q: 1 run in November.
    Estimates 60 s and 0.30: a success at 0.10 saves 30 s and 0.20 on 0.10 spent."""
    ledger.approve_pattern("p", "60", "0.30", approved_at="2026-09-01")
    ledger.approve_pattern("q", "60", "0.30", approved_at="2026-09-01")
    for day, ok in (("2026-10-01", True), ("2026-10-15", False), ("2026-10-31", True)):
        run(ledger, "p", day, ok)
    run(ledger, "p", "2026-11-01")
    run(ledger, "p", "2026-11-30", cost="0.40")  # saved -0.10 on 0.40
    run(ledger, "q", "2026-11-02")
    return ledger


def by_id(rows: list[dict[str, object]]) -> dict[object, dict[str, object]]:
    return {r["pattern_id"]: r for r in rows}


def test_a_month_counts_only_its_own_executions(two_months: Ledger) -> None:
    october = by_id(two_months.roi_summary(period="2026-10"))
    assert october["p"]["total_executions"] == 3
    assert october["p"]["successful_executions"] == 2
    assert october["p"]["total_cost_saved_usd"] == D("0.40")
    assert october["p"]["roi_percentage"] == D("200")  # 0.40 saved on 0.20 spent
    assert october["q"]["total_executions"] == 0  # known, did not run: zero totals
    november = by_id(two_months.roi_summary(since="2026-11-01", until="2026-12-01"))
    assert november["p"]["total_executions"] == 2
    assert november["p"]["total_cost_saved_usd"] == D("0.10")  # 0.20 - 0.10
    assert november["p"]["roi_percentage"] == D("20")  # 0.10 on 0.50
    assert november["q"]["total_cost_saved_usd"] == D("0.20")
    # --until is exclusive: the run of 11-30 is not before 11-30
    assert (
        by_id(two_months.roi_summary(since="2026-11-01", until="2026-11-30"))["p"][
            "total_executions"
        ]
        == 1
    )


def test_a_window_covering_everything_is_the_all_time_figure(two_months: Ledger) -> None:
    everything = two_months.roi_summary()
    assert two_months.roi_summary(period="2026") == everything
    assert two_months.roi_summary(since="1970-01-01") == everything
    assert two_months.roi_summary(until="2027-01-01") == everything


def test_a_late_recorded_execution_is_in_october_as_known_now_not_as_of_before(
    two_months: Ledger,
) -> None:
    """Both axes: an execution that happened in October but was recorded later is in
    "October as known now" and not in "October as known before it was recorded"."""
    known_then = two_months.head().seq
    run(two_months, "p", "2026-10-20")  # happened in October, recorded now
    now = by_id(two_months.roi_summary(period="2026-10"))["p"]
    then = by_id(two_months.roi_summary(known_then, period="2026-10"))["p"]
    assert (then["total_executions"], now["total_executions"]) == (3, 4)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"period": "2026-13"}, "period"),
        ({"period": "last-0d"}, "period"),
        ({"since": "2026-12-01", "until": "2026-11-01"}, "since"),
        ({"since": "2026-11-01T12:00:00Z"}, "since"),
        ({"period": "2026-11", "until": "2026-12-01"}, "until"),
    ],
)
def test_a_bad_window_is_refused_naming_the_option(
    two_months: Ledger, options: dict[str, str], field: str
) -> None:
    head = two_months.head()
    with pytest.raises(InputError) as caught:
        two_months.roi_summary(**options)  # type: ignore[arg-type]
    assert caught.value.details["field"] == field
    assert two_months.head() == head  # nothing written


def test_the_cli_and_http_take_the_same_window(tmp_path: Path, cli: Cli) -> None:
    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app

    with Ledger.open(cli.db) as led:
        led.approve_pattern("p", "60", "0.30", approved_at="2026-09-01")
        run(led, "p", "2026-10-01")
        run(led, "p", "2026-11-01")
    rows = cli.json("roi", "summary", "--period", "2026-10")
    assert rows[0]["total_executions"] == 1
    rows = cli.json("roi", "summary", "--since", "2026-10-01", "--until", "2026-12-01")
    assert rows[0]["total_executions"] == 2
    refused = cli("roi", "summary", "--period", "2026-13")
    assert (
        refused.exit_code == 2 and "period" in refused.output and "Traceback" not in refused.output
    )
    table = cli("roi", "summary", "--period", "2026-10")
    assert table.exit_code == 0 and "2026-10" in table.stdout
    with TestClient(create_app(cli.db), base_url="http://localhost") as c:
        got = c.get("/api/roi-tracking/summary", params={"period": "2026-11"})
        assert got.status_code == 200 and got.json()[0]["total_executions"] == 1
        assert got.headers["X-Window-Since"] == "2026-11-01T00:00:00.000000Z"
        bad = c.get(
            "/api/roi-tracking/summary", params={"since": "2026-12-01", "until": "2026-11-01"}
        )
        assert bad.status_code in (400, 422) and "since" in bad.text


days = st.dates(min_value=__import__("datetime").date(2025, 1, 1),
                max_value=__import__("datetime").date(2026, 11, 30))  # fmt: skip
# (not later: a time something happened more than a day after the clock is refused)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    runs=st.lists(
        st.tuples(st.sampled_from("pq"), days, st.booleans(), st.sampled_from(["0.1", "0.45"])),
        max_size=12,
    ),
    cut=days,
)
def test_windows_add_up_and_the_whole_is_all_time(
    backend: str, runs: list[tuple[str, object, bool, str]], cut: object
) -> None:
    """Property, on both backends: the window before a day plus the window from it give the
    all-time totals, and a window covering everything is exactly the all-time summary."""
    with fresh_location(backend) as location, Ledger.open(location) as led:
        for pid in "pq":
            led.approve_pattern(pid, "60", "0.30", approved_at="2024-12-01")
        for pid, day, ok, cost in runs:
            run(led, pid, str(day), ok, cost)
        everything = by_id(led.roi_summary())
        assert by_id(led.roi_summary(since="1970-01-01", until="9999-01-01")) == everything
        before = by_id(led.roi_summary(until=str(cut)))
        after = by_id(led.roi_summary(since=str(cut)))
        for pid, row in everything.items():
            for key in ("total_executions", "successful_executions", "total_cost_saved_usd",
                        "total_time_saved_seconds", "total_investment_usd"):  # fmt: skip
                assert before[pid][key] + after[pid][key] == row[key], (pid, key)


def test_one_pattern_and_the_rankings_take_the_same_window(two_months: Ledger) -> None:
    october = two_months.pattern_roi("p", period="2026-10")
    assert (october["total_executions"], october["total_cost_saved_usd"]) == (3, D("0.40"))
    assert two_months.pattern_roi("p", since="1970-01-01") == two_months.pattern_roi("p")
    for pid in "pq":  # five more good runs each in December: only December ranks them
        for day in range(1, 6):
            run(two_months, pid, f"2026-12-0{day}")
    assert [r["pattern_id"] for r in two_months.top_performers(period="2026-12")] == ["p", "q"]
    assert two_months.top_performers(period="2026-10") == []  # 3 runs: under the 5 needed
    # November alone: p ran 2 times; q once: neither has the 3 runs underperformers need
    assert two_months.underperformers(period="2026-11") == []
    with pytest.raises(InputError) as caught:
        two_months.top_performers(period="last-0d")
    assert caught.value.details["field"] == "period"


def test_the_cli_and_http_take_the_window_on_every_roi_read(tmp_path: Path, cli: Cli) -> None:
    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app

    with Ledger.open(cli.db) as led:
        led.approve_pattern("p", "60", "0.30", approved_at="2026-09-01")
        for day in range(1, 7):
            run(led, "p", f"2026-10-0{day}")
        run(led, "p", "2026-11-01")
    assert cli.json("roi", "pattern", "p", "--period", "2026-11")["total_executions"] == 1
    assert len(cli.json("roi", "top-performers", "--period", "2026-10")) == 1
    assert cli.json("roi", "top-performers", "--period", "2026-11") == []
    assert cli.json("roi", "underperformers", "--since", "2026-10-01") == []
    shown = cli("roi", "pattern", "p", "--since", "2026-11-01")
    assert shown.exit_code == 0 and "2026-11-01 to … (executed_at)" in shown.stdout
    for args in (["roi", "pattern", "p"], ["roi", "top-performers"], ["roi", "underperformers"]):
        refused = cli(*args, "--period", "2026-W54")
        assert refused.exit_code == 2 and "period" in refused.stderr, refused.output
    with TestClient(create_app(cli.db), base_url="http://localhost") as c:
        one = c.get("/api/roi-tracking/pattern/p", params={"period": "2026-10"})
        assert one.status_code == 200 and one.json()["total_executions"] == 6
        assert one.headers["X-Window-Until"] == "2026-11-01T00:00:00.000000Z"
        top = c.get("/api/roi-tracking/top-performers", params={"period": "2026-11"})
        assert top.status_code == 200 and top.json() == []
        under = c.get("/api/roi-tracking/underperformers", params={"period": "2026-13"})
        assert under.status_code in (400, 422) and "period" in under.text


def test_compare_previous_puts_october_beside_november(two_months: Ledger) -> None:
    both = two_months.roi_summary_compared("previous", period="2026-11")
    assert (both["window"]["period"], both["compared_with"]["period"]) == ("2026-11", "2026-10")
    assert both["compared_with"]["since"].startswith("2026-10-01")
    p_change = {c["pattern_id"]: c for c in both["change"]}["p"]
    runs = p_change["change"]["total_executions"]
    assert (runs["absolute"], runs["relative_percent"]) == (-1, D("-100") / 3)
    saved = p_change["change"]["total_cost_saved_usd"]
    assert (saved["absolute"], saved["relative_percent"]) == (D("-0.30"), D("-75"))
    q_change = {c["pattern_id"]: c for c in both["change"]}["q"]
    assert q_change["change"]["total_cost_saved_usd"]["relative_percent"] is None  # from 0
    assert q_change["success_rate_test"]["p_value"] is None  # q did not run in October
    test = p_change["success_rate_test"]
    assert test["test"] == "two-proportion z-test, two-sided"
    assert test["differs_at_5_percent"] is False  # 2 of 2 against 2 of 3: no claim
    # the same against a named period, and an all-time window has no 'previous'
    named = two_months.roi_summary_compared("2026-10", period="2026-11")
    assert named["change"] == both["change"]
    with pytest.raises(InputError) as caught:
        two_months.roi_summary_compared("previous")
    assert caught.value.details["field"] == "compare"


def test_the_success_rate_test_matches_scipy() -> None:
    """Golden values: the pooled two-proportion z-test is the chi-square test of the 2x2
    table without continuity correction (scipy stays in the tests)."""
    from scipy.stats import chi2_contingency

    from projections.stats import two_proportion_test

    for s1, n1, s2, n2 in ((2, 2, 2, 3), (45, 100, 30, 100), (1, 40, 9, 41), (0, 5, 5, 5)):
        table = [[s1, n1 - s1], [s2, n2 - s2]]
        expected = chi2_contingency(table, correction=False).pvalue
        got = two_proportion_test(s1, n1, s2, n2)
        assert got is not None and abs(got - expected) < 1e-12, (s1, n1, s2, n2)
    assert two_proportion_test(3, 3, 5, 5) == 1.0 and two_proportion_test(0, 0, 1, 2) is None


def test_compare_on_the_cli_and_http(tmp_path: Path, cli: Cli) -> None:
    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app

    with Ledger.open(cli.db) as led:
        led.approve_pattern("p", "60", "0.30", approved_at="2026-09-01")
        run(led, "p", "2026-10-01")
        run(led, "p", "2026-11-01")
        run(led, "p", "2026-11-02")
    both = cli.json("roi", "summary", "--period", "2026-11", "--compare", "previous")
    assert both["change"][0]["change"]["total_executions"]["absolute"] == 1
    table = cli("roi", "summary", "--period", "2026-11", "--compare", "previous")
    assert table.exit_code == 0 and "2026-11 against 2026-10" in table.stdout
    assert "2 (+1)" in table.stdout
    refused = cli("roi", "summary", "--compare", "previous")
    assert refused.exit_code == 2 and "compare" in refused.stderr
    with TestClient(create_app(cli.db), base_url="http://localhost") as c:
        got = c.get("/api/roi-tracking/summary/compare", params={"period": "2026-11"})
        assert got.status_code == 200, got.text
        assert got.json()["compared_with"]["period"] == "2026-10"
        assert "Infinity" not in got.text and "NaN" not in got.text
        bad = c.get("/api/roi-tracking/summary/compare", params={"compare": "previous"})
        assert bad.status_code in (400, 422) and "compare" in bad.text


def test_a_restatement_shows_then_now_and_what_changed_it(two_months: Ledger) -> None:
    """October's ROI as known at a point, against now, and the events recorded since that
    changed it: a late October run and the retraction of an October run. Events about other
    months are not listed."""
    then = two_months.head().seq
    run(two_months, "p", "2026-10-20")  # happened in October, recorded now
    run(two_months, "p", "2026-11-20")  # November: not October's business
    two_months.retract(1 + 2, "recorded twice")  # seq 3: p's run of 10-01
    told = two_months.roi_restatement(then, period="2026-10")
    assert told["as_of_seq"] == then and told["now_seq"] == two_months.head().seq
    before = {r["pattern_id"]: r for r in told["then"]}["p"]
    after = {r["pattern_id"]: r for r in told["now"]}["p"]
    assert (before["total_executions"], after["total_executions"]) == (3, 3)
    assert (before["total_cost_saved_usd"], after["total_cost_saved_usd"]) == (
        D("0.40"),
        D("0.40"),
    )
    what = [(c["seq"], c["what"]) for c in told["changed_by"]]
    assert what == [
        (then + 1, "execution recorded since"),
        (then + 3, "retraction of the execution at seq 3"),
    ]
    assert told["changed_by_total"] == 2
    with pytest.raises(InputError) as caught:
        two_months.roi_restatement(None, period="2026-10")
    assert caught.value.details["field"] == "as_of"


def test_restatement_on_the_cli_and_http(tmp_path: Path, cli: Cli) -> None:
    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app

    with Ledger.open(cli.db) as led:
        led.approve_pattern("p", "60", "0.30", approved_at="2026-09-01")
        run(led, "p", "2026-10-01")
        then = led.head().seq
        run(led, "p", "2026-10-02")
    table = cli("roi", "restatement", "--period", "2026-10", "--as-of", str(then))
    assert table.exit_code == 0, table.output
    assert "1 → 2" in table.stdout and "execution recorded since" in table.stdout
    missing = cli("roi", "restatement", "--period", "2026-10")
    assert missing.exit_code == 2 and "--as-of" in missing.output
    with TestClient(create_app(cli.db), base_url="http://localhost") as c:
        got = c.get("/api/roi-tracking/restatement", params={"period": "2026-10", "as_of": then})
        assert got.status_code == 200 and got.json()["changed_by_total"] == 1
        bad = c.get("/api/roi-tracking/restatement", params={"period": "2026-10"})
        assert bad.status_code == 422


@pytest.fixture
def decided(ledger: Ledger) -> Ledger:
    """Email golf: d1 decided in October (its conversion, $100, arrives in November), d2 in
    October with no outcome, d3 in November (responded). Twitter golf: d4 in November."""
    ledger.log_decision("d1", "golf", "email", "replied", decided_at="2026-10-10T10:00:00Z")
    ledger.log_decision("d2", "golf", "email", "replied", decided_at="2026-10-31T23:59:59Z")
    ledger.log_decision("d3", "golf", "email", "replied", decided_at="2026-11-01T00:00:00Z")
    ledger.log_decision("d4", "golf", "twitter", "liked", decided_at="2026-11-05T09:00:00Z")
    ledger.record_outcome("d1", "conversion", "success", revenue_generated=100,
                          customer_acquired=True, occurred_at="2026-11-03T10:00:00Z")  # fmt: skip
    ledger.record_outcome("d3", "response", "success", response_received=True,
                          occurred_at="2026-11-02T10:00:00Z")  # fmt: skip
    return ledger


def test_decisions_count_in_the_window_they_were_decided_with_their_outcomes(
    decided: Ledger,
) -> None:
    october = decided.conversion_metrics(period="2026-10")
    assert [(r["source_type"], r["total_decisions"]) for r in october] == [("email", 2)]
    # d1's conversion arrived in November and counts with October's cohort
    assert october[0]["total_customers"] == 1 and october[0]["total_revenue"] == D("100")
    november = {r["source_type"]: r for r in decided.conversion_metrics(period="2026-11")}
    assert november["email"]["total_decisions"] == 1 and november["email"]["total_customers"] == 0
    assert november["twitter"]["total_decisions"] == 1
    assert decided.conversion_metrics(since="1970-01-01") == decided.conversion_metrics()
    assert decided.roi_by_type(period="2026") == decided.roi_by_type()
    assert decided.insights(since="2026-01-01", until="2027-01-01") == decided.insights()
    assert decided.roi_by_type(period="2026-10")[0]["total_revenue"] == D("100")
    with pytest.raises(InputError) as caught:
        decided.conversion_metrics(period="2026-13")
    assert caught.value.details["field"] == "period"


def test_decision_windows_on_the_cli_and_http(tmp_path: Path, cli: Cli) -> None:
    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app

    with Ledger.open(cli.db) as led:
        led.log_decision("d1", "golf", "email", "replied", decided_at="2026-10-10T10:00:00Z")
        led.log_decision("d2", "golf", "email", "replied", decided_at="2026-11-10T10:00:00Z")
    rows = cli.json("decisions", "conversions", "--period", "2026-10")
    assert rows[0]["total_decisions"] == 1
    assert cli.json("decisions", "roi", "--since", "2026-11-01")[0]["total_decisions"] == 1
    assert isinstance(cli.json("decisions", "insights", "--period", "2026-11"), list)
    table = cli("decisions", "conversions", "--period", "2026-10")
    assert table.exit_code == 0 and "2026-10 (decided_at)" in table.stdout
    for command in ("conversions", "roi", "insights"):
        refused = cli("decisions", command, "--period", "last-0d")
        assert refused.exit_code == 2 and "period" in refused.stderr, command
    with TestClient(create_app(cli.db), base_url="http://localhost") as c:
        got = c.get("/api/decisions/conversions", params={"period": "2026-11"})
        assert got.status_code == 200 and got.json()[0]["total_decisions"] == 1
        assert got.headers["X-Window-Since"] == "2026-11-01T00:00:00.000000Z"
        for path in ("/api/decisions/roi", "/api/decisions/insights"):
            assert c.get(path, params={"period": "2026-11"}).status_code == 200
            assert c.get(path, params={"period": "2026-13"}).status_code in (400, 422)


def _by_group(rows: list[dict[str, object]]) -> dict[object, dict[str, object]]:
    return {(r["source_type"], r["opportunity_type"]): r for r in rows}


few_days = st.dates(min_value=__import__("datetime").date(2026, 10, 1),
                    max_value=__import__("datetime").date(2026, 10, 8))  # fmt: skip
"""A week: decisions share days and fall on both sides of the cut."""


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    decisions=st.lists(
        st.tuples(st.sampled_from(["email", "twitter"]), few_days, st.integers(0, 2)),
        max_size=10,
    ),
    retracted=st.lists(st.integers(0, 9), max_size=3),
    cut=few_days,
)
def test_decision_windows_add_up_and_equal_a_scan_of_the_decisions(
    backend: str, decisions: list[tuple[str, object, int]], retracted: list[int], cut: object
) -> None:
    """Property, on both backends: conversion figures over a window (read from the per-day
    aggregate) equal a hand count of the decisions decided in it, after outcomes and
    retractions; the windows before and from a day add up to all-time; the all-covering
    window is all-time."""
    with fresh_location(backend) as location, Ledger.open(location) as led:
        seqs: list[int] = []
        for n, (source, day, outcomes) in enumerate(decisions):
            seqs.append(
                led.log_decision(f"d{n}", "golf", source, "sent", decided_at=f"{day}T12:00:00Z")[
                    "seq"
                ]
            )
            for k in range(outcomes):
                seqs.append(
                    led.record_outcome(
                        f"d{n}", "conversion", "success", revenue_generated=f"{k + 1}.5",
                        customer_acquired=k == 0, response_received=True,
                        occurred_at=f"{day}T18:00:00Z",
                    )["seq"]
                )  # fmt: skip
        for index in retracted:
            if index < len(seqs):
                with contextlib.suppress(DomainError):  # retracted twice: refused
                    led.retract(seqs[index], "oops")
        everything = _by_group(led.conversion_metrics())
        assert _by_group(led.conversion_metrics(since="1970-01-01")) == everything
        with led.service.backend.read() as db:
            rows = db.execute(
                "SELECT opportunity_source, opportunity_type, decided_at, responded, customer,"
                " revenue FROM decisions"
            ).fetchall()
        before = _by_group(led.conversion_metrics(until=str(cut)))
        after = _by_group(led.conversion_metrics(since=str(cut)))
        for key, row in everything.items():
            hand_before = [r for r in rows if (r[0], r[1]) == key and r[2][:10] < str(cut)]
            hand_after = [r for r in rows if (r[0], r[1]) == key and r[2][:10] >= str(cut)]
            for hand, got in ((hand_before, before), (hand_after, after)):
                if not hand:
                    assert key not in got
                    continue
                assert got[key]["total_decisions"] == len(hand)
                assert got[key]["total_customers"] == sum(int(r[4]) for r in hand)
                assert got[key]["total_revenue"] == sum((D(r[5]) for r in hand), D(0))
            parts = [x[key] for x in (before, after) if key in x]
            for field in ("total_decisions", "total_responses", "total_customers",
                          "total_revenue"):  # fmt: skip
                assert sum((p[field] for p in parts), D(0)) == row[field], (key, field)


def test_the_dashboard_sets_a_window_beside_the_one_before(tmp_path: Path, cli: Cli) -> None:
    """November (3 runs, all good) beside October (3 runs, one failed), by hand."""
    with Ledger.open(cli.db) as led:
        led.approve_pattern("p", "60", "0.30", approved_at="2026-09-01")
        led.approve_pattern("q", "60", "0.30", approved_at="2026-09-01")
        for day, ok in (("2026-10-01", True), ("2026-10-15", False), ("2026-10-31", True)):
            run(led, "p", day, ok)
        run(led, "p", "2026-11-01")
        run(led, "p", "2026-11-30", cost="0.40")
        run(led, "q", "2026-11-02")
    shown = cli.json("roi", "dashboard", "--period", "2026-11", "--now", "2026-12-05")["window"]
    assert shown["window"]["period"] == "2026-11"
    assert shown["compared_with"]["period"] == "2026-10"
    now, then, change = shown["current"], shown["previous"], shown["change"]
    assert (now["total_executions"], then["total_executions"]) == (3, 3)
    assert D(str(now["cost_saved_usd"])) == D("0.30")  # 0.20 - 0.10 + 0.20
    assert D(str(then["cost_saved_usd"])) == D("0.40")
    assert D(str(change["cost_saved_usd"])) == D("-0.10")
    assert change["success_rate"] == pytest.approx(1 / 3)
    assert D(str(now["roi_percentage"])) == D("50")  # 0.30 saved on 0.60 spent
    default = cli.json("roi", "dashboard", "--now", "2026-11-30")["window"]
    # the 30 days ending with Nov 30: Nov 1 to 30, three runs (Oct 31 is outside)
    assert default["window"]["period"] == "last-30d" and default["current"]["total_executions"] == 3
    opened = cli.json("roi", "dashboard", "--since", "2026-11-01")["window"]
    assert opened["previous"] is None and opened["change"] is None
    table = cli("roi", "dashboard", "--period", "last-month", "--now", "2026-12-05")
    assert "executions, 2026-11    3 (+0 on 2026-10)" in table.stdout, table.stdout
    refused = cli("roi", "dashboard", "--period", "2026-13")
    assert refused.exit_code == 2 and "period" in refused.stderr


def test_decisions_compare_a_window_with_the_one_before(decided: Ledger) -> None:
    """November's cohorts beside October's, by hand: email 1 decision, no customer (October:
    2, one customer, $100); twitter only in November."""
    both = decided.conversion_metrics_compared("previous", "source", period="2026-11")
    assert both["compared_with"]["period"] == "2026-10"
    change = {c["source_type"]: c for c in both["change"]}
    email = change["email"]["change"]
    assert email["total_decisions"] == {"absolute": -1, "relative_percent": D("-50")}
    assert email["conversion_rate"]["absolute"] == D("-50")  # 50 % → 0 %
    assert email["total_revenue"] == {"absolute": D("-100"), "relative_percent": D("-100")}
    test = change["email"]["conversion_rate_test"]
    assert test["p_value"] is not None and test["differs_at_5_percent"] is False
    assert change["twitter"]["change"]["total_decisions"]["absolute"] is None
    assert change["twitter"]["conversion_rate_test"]["p_value"] is None
    assert [r["source_type"] for r in both["previous"]] == ["email"]
    with pytest.raises(InputError) as caught:
        decided.conversion_metrics_compared("previous", since="2026-11-01")
    assert caught.value.details["field"] == "compare"  # an open window has no "before"


def test_decisions_compare_on_the_cli_and_http(cli: Cli) -> None:
    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app

    with Ledger.open(cli.db) as led:
        led.log_decision("a", "golf", "email", "sent", decided_at="2026-10-10T10:00:00Z")
        led.log_decision("b", "golf", "email", "sent", decided_at="2026-11-10T10:00:00Z")
        led.record_outcome("b", "conversion", "success", customer_acquired=True,
                           revenue_generated=50, occurred_at="2026-11-11T10:00:00Z")  # fmt: skip
    table = cli("decisions", "conversions", "--period", "2026-11", "--compare", "previous")
    assert table.exit_code == 0, table.output
    assert "2026-11 against 2026-10 (decided_at)" in table.stdout and "+100.0 pt" in table.stdout
    both = cli.json("decisions", "conversions", "--period", "2026-11", "--compare", "2026-10")
    assert both["change"][0]["change"]["total_customers"]["absolute"] == 1
    refused = cli("decisions", "conversions", "--period", "2026-11", "--compare", "2026-13")
    assert refused.exit_code == 2 and "compare" in refused.stderr
    with TestClient(create_app(cli.db), base_url="http://localhost") as c:
        got = c.get("/api/decisions/conversions/compare", params={"period": "2026-11"})
        assert got.status_code == 200 and got.json()["compared_with"]["period"] == "2026-10"
        bad = c.get("/api/decisions/conversions/compare", params={"since": "2026-11-01"})
        assert bad.status_code == 422 and "compare" in bad.text


def test_a_read_as_of_the_calendars_first_days_answers_instead_of_overflowing(
    tmp_path: Path,
) -> None:
    """The defect (found by the slow option fuzz: `roi alerts --as-of 0001-01-01`): a read
    measures its windows from the as-of recording time, and 36 days (or a month, or 30 days)
    before 0001-01-01 is no date: OverflowError. The ledger before 1970 is empty (nothing
    can be recorded before then), so it is measured from 1970-01-01."""
    with Ledger.open(tmp_path / "l.db") as led:
        led.approve_pattern("p", 60, "1.00")
        led.record_execution("p", 10, "0.10", True)
        for as_of in ("0001-01-01", "0001-01-01T00:00:00Z", "0001-02-01"):
            assert led.alerts(as_of=as_of) == []
            assert led.dashboard(as_of=as_of)["as_of_seq"] == 0
            assert led.roi_summary(as_of, period="last-30d") == []
            # a window before 1970 to compare with is refused, naming compare
            with pytest.raises(InputError, match="compare"):
                led.roi_summary_compared(as_of=as_of, period="last-7d")
            with pytest.raises(InputError, match="compare"):
                led.conversion_metrics_compared(as_of=as_of, period="last-7d")
            assert led.roi_restatement(as_of, period="last-7d")["changed_by_total"] == 0
