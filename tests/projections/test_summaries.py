"""Daily and weekly decision summaries: contents, head, and the file names (ISO weeks)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from ledger import Ledger
from ledger.errors import InputError


@pytest.fixture
def day(ledger: Ledger) -> Ledger:
    """2026-02-08: decisions a (golf, twitter), b (partnership, email); outcomes that day: a
    buys 500 after 36 h (decided 02-06 22:00), b responds; c's sale of 900 is on 02-09."""
    ledger.log_decision("a", "golf_coaching", "twitter", "offer", decided_at="2026-02-06T22:00:00Z")
    ledger.log_decision("b", "partnership", "email", "deck", decided_at="2026-02-08T09:00:00Z")
    ledger.log_decision("c", "golf_coaching", "email", "offer", decided_at="2026-02-08T09:30:00Z")
    ledger.record_outcome(
        "a",
        "conversion",
        "success",
        revenue_generated=500,
        customer_acquired=True,
        deal_closed=True,
        occurred_at="2026-02-08T10:00:00Z",
    )
    ledger.record_outcome(
        "b", "response", "success", response_received=True, occurred_at="2026-02-08T11:00:00Z"
    )
    ledger.record_outcome(
        "c",
        "conversion",
        "success",
        revenue_generated=900,
        customer_acquired=True,
        occurred_at="2026-02-09T08:00:00Z",
    )
    return ledger


def test_daily_summary_contents(day: Ledger) -> None:
    s = day.daily_summary("2026-02-08")
    assert s["date"] == "2026-02-08"
    assert s["decisions_made"] == 2
    assert s["decision_types"] == ["golf_coaching", "partnership"]
    assert s["decision_sources"] == ["email"]
    assert (s["outcomes_recorded"], s["revenue"], s["customers_acquired"], s["deals_closed"]) == (
        2,
        D(500),
        1,
        1,
    )
    assert s["top_outcome"] == {
        **s["top_outcome"],
        "revenue": D(500),
        "opportunity_type": "golf_coaching",
        "opportunity_source": "twitter",
        "time_to_close_days": 1.5,
    }
    text = s["performance_summary"]
    assert "Date: 2026-02-08" in text and "🎯 Decisions Made: 2" in text
    assert "$500.00 from golf_coaching (twitter)" in text and "Time to close: 1.5 days" in text
    assert (s["as_of_seq"], s["as_of_hash"]) == tuple(day.digest().values())
    assert len(s["conversion_rates"]) == 3


def test_weekly_summary_is_the_seven_days_ending_on_the_date(day: Ledger) -> None:
    s = day.weekly_summary("2026-02-09")  # a Monday: covers 02-03 .. 02-09, two ISO weeks
    assert (s["week"], s["start"], s["end"]) == (
        "2026-02-03_2026-02-09",
        "2026-02-03",
        "2026-02-09",
    )
    assert s["decisions_made"] == 3 and s["revenue"] == D(1400)
    assert s["top_outcome"]["revenue"] == D(900)


def test_files_are_named_as_the_source_names_them(day: Ledger, tmp_path: Path) -> None:
    json_file, md_file = day.save_summary(day.daily_summary("2026-02-08"), tmp_path)
    assert (json_file.name, md_file.name) == (
        "decision-summary-2026-02-08.json",
        "decision-summary-2026-02-08.md",
    )
    stored = json.loads(json_file.read_text())
    assert stored["files"] == [str(json_file), str(md_file)] and stored["revenue"] == 500.0
    assert "as of seq 6" in md_file.read_text()
    weekly = day.weekly_summary("2021-01-03")  # the Sunday ending ISO week 53 of 2020
    assert day.save_summary(weekly, tmp_path)[0].name == "weekly-summary-2020-W53.json"


def test_a_weekly_file_name_says_exactly_which_days_it_covers(day: Ledger, tmp_path: Path) -> None:
    """The defect: --weekly --date 2026-11-18 covered 11-12..11-18 but was named 2026-W47 and
    overwrote the real W47 file."""
    off = day.save_summary(day.weekly_summary("2026-11-18"), tmp_path)[0]
    iso = day.save_summary(day.weekly_summary("2026-11-22"), tmp_path)[0]
    assert off.name == "weekly-summary-2026-11-12_2026-11-18.json"
    assert iso.name == "weekly-summary-2026-W47.json"
    assert json.loads(iso.read_text())["start"] == "2026-11-16"


def test_an_empty_day_and_a_bad_date(ledger: Ledger) -> None:
    s = ledger.daily_summary("2026-01-01")
    assert s["decisions_made"] == 0 and s["top_outcome"] is None
    with pytest.raises(InputError, match="date"):
        ledger.daily_summary("08/02/2026")


def test_customers_and_deals_are_decisions_not_outcomes(day: Ledger) -> None:
    """Found by attacking the CLI: two customer-acquiring outcomes of one decision counted as
    two customers in the daily summary, one in the conversion metrics. A decision counts on
    the day its first customer (or deal) came; a later one on another day does not."""
    day.record_outcome("a", "upsell", "success", revenue_generated=50, customer_acquired=True,
                       deal_closed=True, occurred_at="2026-02-08T12:00:00Z")  # fmt: skip
    day.record_outcome("a", "renewal", "success", customer_acquired=True, deal_closed=True,
                       occurred_at="2026-02-09T12:00:00Z")  # fmt: skip
    feb8, feb9 = day.daily_summary("2026-02-08"), day.daily_summary("2026-02-09")
    assert (feb8["customers_acquired"], feb8["deals_closed"]) == (1, 1)
    assert (feb9["customers_acquired"], feb9["deals_closed"]) == (1, 0)  # c's first; a's again
    assert feb8["revenue"] == D(550) and feb8["outcomes_recorded"] == 3


def test_labels_cannot_reshape_the_markdown_of_a_summary(ledger: Ledger, tmp_path: Path) -> None:
    """Found by attacking the CLI: a type `golf|coaching` split its table row (Revenue showed
    the conversion rate), HTML passed through, and backticks could end the code fence."""
    ledger.log_decision("d", "golf|coaching<b>", "email", "```\n# pwned", decided_at=(
        "2026-02-08T09:00:00Z"))  # fmt: skip
    ledger.record_outcome("d", "sale", "success", revenue_generated=250, customer_acquired=True,
                          occurred_at="2026-02-08T10:00:00Z")  # fmt: skip
    _, md = ledger.save_summary(ledger.daily_summary("2026-02-08"), tmp_path)
    text = md.read_text()
    row = next(line for line in text.splitlines() if line.startswith("| email"))
    assert row.count(" | ") == 4 and row.endswith("$250.00 |") and "<b>" not in row
    assert "\n# pwned" not in text


def test_a_summary_of_days_still_to_come_is_refused_and_today_says_it_is_partial(
    ledger: Ledger, tmp_path: Path
) -> None:
    """The defect: `decisions summary --date 2027-12-06` and `--weekly --date 2027-01-03`
    wrote reports for days not over yet, as if complete."""
    from datetime import UTC, datetime, timedelta

    from tests.conftest import Cli

    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    for read in (ledger.daily_summary, ledger.weekly_summary):
        with pytest.raises(InputError, match="has not come yet"):
            read(tomorrow)
    assert ledger.daily_summary("2026-01-01")["complete"] is True
    today = datetime.now(UTC).date().isoformat()
    so_far = ledger.daily_summary(today)
    assert so_far["complete"] is False and "the day is not over" in so_far["performance_summary"]
    assert ledger.weekly_summary(today)["complete"] is False
    if "://" in ledger.location:
        return  # the CLI's files are the same on both backends; one is enough
    cli = Cli(ledger.location)
    out = tmp_path / "summaries"
    for args in (["--date", tomorrow], ["--weekly", "--date", tomorrow]):
        error = cli.error("decisions", "summary", *args, "--output-dir", str(out))
        assert error["details"]["field"] == "date"
    assert not out.exists()  # nothing written


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    outcomes=st.lists(
        st.tuples(st.sampled_from("ab"), st.integers(8, 11), st.booleans(), st.booleans()),
        min_size=1,
        max_size=10,
    ),
    retracted=st.sets(st.integers(0, 9), max_size=3),
)
# a tie (the second recorded loses), one recorded late that happened first, a retracted first
@example(outcomes=[("a", 9, True, True), ("a", 9, True, True)], retracted=set())
@example(outcomes=[("a", 10, True, False), ("a", 8, True, True)], retracted=set())
@example(outcomes=[("a", 8, True, True), ("a", 9, True, True)], retracted={0})
def test_the_first_customer_and_deal_are_folded_once_and_the_summary_reads_them(
    tmp_path_factory: pytest.TempPathFactory,
    outcomes: list[tuple[str, int, bool, bool]],
    retracted: set[int],
) -> None:
    """One rule, in the fold (projections/decision_fold.py: with_outcome): a decision's first
    customer (and first deal) is its outcome that happened first, of two at the same time the
    one recorded first; outcomes recorded out of order, ties and retractions included. The
    summary counts it from the fold, as the brute-force rule over the outcomes would."""
    path = tmp_path_factory.mktemp("firsts") / "ledger.db"
    with Ledger.open(path) as led:
        for d in "ab":
            led.log_decision(d, "golf", "email", "offer", decided_at="2026-02-07T09:00:00Z")
        seqs = []
        for d, hour, customer, deal in outcomes:
            seqs.append(led.record_outcome(
                d, "conversion", "success", customer_acquired=customer, deal_closed=deal,
                occurred_at=f"2026-02-08T{hour:02d}:00:00Z",
            )["seq"])  # fmt: skip
        for i in sorted(retracted):
            if i < len(seqs):
                led.retract(seqs[i], "typo")
        kept = [
            (s, o)
            for i, (s, o) in enumerate(zip(seqs, outcomes, strict=True))
            if i not in retracted
        ]
        expected = {}
        for kind, flag in (("customer", 2), ("deal", 3)):
            for d in "ab":
                mine = [(o[1], s) for s, o in kept if o[0] == d and o[flag]]
                expected[(d, kind)] = min(mine)[1] if mine else None
        summary = led.daily_summary("2026-02-08")
        assert summary["customers_acquired"] == sum(
            expected[(d, "customer")] is not None for d in "ab"
        )
        assert summary["deals_closed"] == sum(expected[(d, "deal")] is not None for d in "ab")
        with led.service.reading() as db:
            from projections.summaries import mark_firsts, period_rows

            _, rows = period_rows(db, date(2026, 2, 8), date(2026, 2, 8))
            mark_firsts(db, rows)
        for row in rows:
            for kind in ("customer", "deal"):
                assert row[f"first_{kind}"] == (expected[(row["decision_id"], kind)] == row["id"])
