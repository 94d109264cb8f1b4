"""What an automation costs to have (issue 19): one-off and monthly costs recorded as events,
counted in the window they fall in, ROI with and without them, and the payback date."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commands.base import DomainError, NotFoundError
from ledger import Ledger
from projections.costs import Cost, charges, payback_day, total
from tests.conftest import Cli, event_count

NOW = "2026-03-15T12:00:00Z"


def run(led: Ledger, day: str, ok: bool = True) -> None:
    """A run at 0.10 against an estimate of 0.30: a success saves 0.20 on 0.10 spent."""
    led.record_execution("p", "30", "0.10", ok, executed_at=f"{day}T10:00:00Z")


@pytest.fixture
def owned(ledger: Ledger) -> Ledger:
    """p: built for 0.25 on Jan 1, a 0.05 licence monthly from Jan 31 to Jun 1; three good
    runs in January, two in March."""
    ledger.approve_pattern("p", "60", "0.30", approved_at="2026-01-01")
    ledger.record_cost("p", "0.25", "build", incurred_at="2026-01-01T09:00:00Z")
    ledger.record_cost(
        "p", "0.05", "licence", recurrence="monthly", incurred_at="2026-01-31T00:00:00Z",
        until="2026-06-01",
    )  # fmt: skip
    for day in ("2026-01-05", "2026-01-10", "2026-01-20", "2026-03-01", "2026-03-02"):
        run(ledger, day)
    return ledger


def test_roi_with_and_without_the_costs_of_having_it_by_hand(owned: Ledger) -> None:
    row = owned.pattern_roi("p", now=NOW)
    assert row["total_cost_saved_usd"] == D("1.00") and row["roi_percentage"] == D("200")
    own = row["ownership"]
    # charged by Mar 15: build 0.25 (Jan 1), licence Jan 31 and Feb 28 (the month's last day)
    assert own["costs_usd"] == D("0.35") and own["costs_recorded"] == 2
    assert own["net_savings_after_costs_usd"] == D("0.65")
    assert own["roi_with_costs_percentage"] == D("0.65") / D("0.85") * 100  # on 0.50 + 0.35
    # -0.25 on Jan 1, -0.05 after Jan 5, +0.15 after Jan 10: covered from then on
    assert own["payback_date"] == "2026-01-10"
    february = owned.pattern_roi("p", period="2026-02", now=NOW)["ownership"]
    assert february["costs_usd"] == D("0.05")  # the Feb 28 charge; no run in February
    assert february["roi_with_costs_percentage"] == D("-100")
    # the all-covering window is all time
    assert owned.pattern_roi("p", since="1970-01-01", now=NOW) == owned.pattern_roi("p", now=NOW)
    # later: five licence charges (Jan 31 … May 31), none on or after Jun 1
    assert owned.pattern_roi("p", now="2027-01-01")["ownership"]["costs_usd"] == D("0.50")


def test_a_monthly_cost_that_overtakes_the_savings_moves_the_payback(owned: Ledger) -> None:
    owned.record_cost("p", "2", "support", recurrence="monthly", incurred_at="2026-03-10")
    own = owned.pattern_roi("p", now=NOW)["ownership"]
    assert own["payback_date"] is None  # 1.00 saved against 2.35 charged
    assert own["net_savings_after_costs_usd"] == D("-1.35")
    assert owned.pattern_roi("p", now="2026-03-09")["ownership"]["payback_date"] == "2026-01-10"


def test_a_cost_is_refused_in_words_and_writes_nothing(owned: Ledger) -> None:
    head = owned.head().seq
    for fields, field in (
        (dict(amount="0", label="x"), "amount"),
        (dict(amount="1", label="x", until="2026-05-01"), "until"),
        (
            dict(
                amount="1",
                label="x",
                recurrence="monthly",
                incurred_at="2026-05-01",
                until="2026-04-01",
            ),
            "until",
        ),
    ):
        with pytest.raises(DomainError) as caught:
            owned.record_cost("p", **fields)
        assert caught.value.field == field
    with pytest.raises(NotFoundError):
        owned.record_cost("ghost", "1", "x")
    assert owned.head().seq == head


def test_a_retracted_cost_leaves_and_as_of_shows_the_ledger_before_it(owned: Ledger) -> None:
    before = owned.head().seq
    seq = owned.record_cost("p", "10", "oops", incurred_at="2026-02-01")["seq"]
    assert owned.pattern_roi("p", now=NOW)["ownership"]["costs_usd"] == D("10.35")
    owned.retract(seq, "typed the wrong amount")
    assert owned.pattern_roi("p", now=NOW)["ownership"]["costs_usd"] == D("0.35")
    assert owned.pattern_roi("p", as_of=seq, now=NOW)["ownership"]["costs_usd"] == D("10.35")
    assert owned.pattern_roi("p", as_of=before, now=NOW)["ownership"]["costs_usd"] == D("0.35")
    assert [c["label"] for c in owned.pattern_costs("p")] == ["build", "licence"]


def test_costs_on_the_cli_http_and_in_a_batch(tmp_path: Path, cli: Cli) -> None:
    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app

    cli.json("pattern", "approve", "p", "--estimated-time-seconds", "60",
             "--estimated-cost", "0.30", "--approved-at", "2026-01-01")  # fmt: skip
    cli.json("pattern", "cost", "p", "--amount", "120", "--label", "build",
             "--incurred-at", "2026-01-02")  # fmt: skip
    count = event_count(cli.db)
    refused = cli("pattern", "cost", "p", "--amount", "5", "--label", "x", "--until", "2026-02-01")
    assert refused.exit_code == 2 and "until" in refused.stderr
    refused = cli("pattern", "cost", "p", "--amount", "5", "--label", "x", "--recurrence", "weekly")
    assert refused.exit_code == 2 and "recurrence" in refused.stderr
    assert event_count(cli.db) == count
    batch = tmp_path / "costs.jsonl"
    batch.write_text(
        '{"command": "cost", "pattern_id": "p", "amount": "20", "label": "licence",'
        ' "recurrence": "monthly", "incurred_at": "2026-01-15"}\n'
    )
    assert cli("record", "batch", str(batch)).exit_code == 0
    listed = cli.json("pattern", "costs", "p")
    assert [(c["label"], c["recurrence"]) for c in listed] == [
        ("build", "one-off"), ("licence", "monthly"),
    ]  # fmt: skip
    table = cli("roi", "pattern", "p", "--now", "2026-03-01")
    assert "$160.00" in table.stdout and "not yet" in table.stdout, table.stdout
    with TestClient(create_app(cli.db), base_url="http://localhost") as c:
        made = c.post("/api/patterns/p/costs", json={"amount": "3", "label": "hosting",
                                                     "incurred_at": "2026-02-10"})  # fmt: skip
        assert made.status_code == 201, made.text
        bad = c.post("/api/patterns/p/costs", json={"amount": "0", "label": "x"})
        assert bad.status_code == 422 and "amount" in bad.text
        got = c.get("/api/patterns/p/costs").json()
        assert [x["label"] for x in got] == ["build", "licence", "hosting"]
        roi = c.get("/api/roi-tracking/pattern/p", params={"now": "2026-03-01"}).json()
        assert D(str(roi["ownership"]["costs_usd"])) == D("163")  # 120 + 20 + 20 + 3
        assert c.get("/api/patterns/ghost/costs").status_code == 404


def _cost(start: datetime, kind: str, until: datetime | None) -> Cost:
    return Cost(1, "p", start, D("1.5"), kind, until, "x")


moments = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


@given(start=moments, kind=st.sampled_from(["one-off", "monthly"]), cut=moments, point=moments,
       ends=st.none() | moments)  # fmt: skip
def test_charges_before_and_from_a_day_add_up_to_all(
    start: datetime, kind: str, cut: datetime, point: datetime, ends: datetime | None
) -> None:
    """Property: a cost's charges up to a day plus those from the next day are all of them;
    none falls after the point shown or on or after its end; monthly charges are a month
    apart, each on its first day of the month or the month's last day."""
    until = None if kind == "one-off" or ends is None or ends <= start else ends
    cost = _cost(start, kind, until)
    day = cut.date()
    everything = total([cost], None, None, point)
    before = total([cost], None, date.fromordinal(day.toordinal() - 1), point)
    assert before + total([cost], day, None, point) == everything
    dated = charges(cost, None, None, point)
    assert all(when <= point and (until is None or when < until) for when, _ in dated)
    for (a, _), (b, _) in itertools.pairwise(dated):
        assert (b.year * 12 + b.month) - (a.year * 12 + a.month) == 1
        assert b.day == start.day or b.day < start.day  # clamped to a shorter month


def test_payback_counts_savings_made_before_the_first_cost() -> None:
    cost = _cost(datetime(2026, 2, 1, tzinfo=UTC), "one-off", None)
    point = datetime(2026, 3, 1, tzinfo=UTC)
    assert payback_day([("2026-01-10", D("2"))], [cost], point) == date(2026, 2, 1)
    assert payback_day([("2026-01-10", D("1"))], [cost], point) is None
    assert payback_day([("2026-01-10", D("1"))], [], point) is None
