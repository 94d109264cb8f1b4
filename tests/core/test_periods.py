"""Windows of business time: what --period, --since, --until and --compare mean (issue 19's
grammar, one place for every interface)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.core.periods import ALL_TIME, compared, parse_period, previous, window
from ledger.errors import InputError

NOW = datetime(2026, 11, 22, 15, 30, tzinfo=UTC)


def ends(text: str) -> tuple[str, str]:
    w = parse_period(text, NOW)
    assert w.since is not None and w.until is not None
    return w.since.isoformat()[:10], w.until.isoformat()[:10]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026", ("2026-01-01", "2027-01-01")),
        ("2026-Q4", ("2026-10-01", "2027-01-01")),
        ("2026-q1", ("2026-01-01", "2026-04-01")),
        ("2026-11", ("2026-11-01", "2026-12-01")),
        ("2026-12", ("2026-12-01", "2027-01-01")),
        ("2026-W45", ("2026-11-02", "2026-11-09")),  # ISO week 45 of 2026: Mon 11-02
        ("2026-W53", ("2026-12-28", "2027-01-04")),  # 2026 has 53 ISO weeks
        ("2026-11-02", ("2026-11-02", "2026-11-03")),
        ("2028-02-29", ("2028-02-29", "2028-03-01")),
        ("last-7d", ("2026-11-16", "2026-11-23")),  # the 7 days ending with --now's day
        ("last-1d", ("2026-11-22", "2026-11-23")),
        (" 9998-12 ", ("9998-12-01", "9999-01-01")),
    ],
)
def test_each_period_form_names_its_days(text: str, expected: tuple[str, str]) -> None:
    assert ends(text) == expected
    assert parse_period(text, NOW).day_aligned


@pytest.mark.parametrize(
    "text",
    ["2026-13", "2026-00", "2026-02-30", "2025-W53", "2026-W00", "2026-Q5", "last-0d",
     "last-7", "last-36501d", "1969", "9999", "", "Nov 2026", "2026-11-02T00:00", "٢٠٢٦",
     "2026-11-", "x" * 10_000],
)  # fmt: skip
def test_a_bad_period_is_refused_naming_the_option(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_period(text, NOW)
    assert caught.value.details["field"] == "period"
    assert len(caught.value.message) < 200


def test_since_and_until() -> None:
    w = window(since="2026-10-01", until="2026-11-01T12:00:00Z")
    assert w.since == datetime(2026, 10, 1, tzinfo=UTC)
    assert not w.day_aligned  # a timestamp end: not answerable from days alone
    assert w.holds(datetime(2026, 11, 1, 11, 59, tzinfo=UTC))
    assert not w.holds(datetime(2026, 11, 1, 12, tzinfo=UTC))  # --until is exclusive
    assert window() == ALL_TIME and ALL_TIME.holds(datetime(1970, 1, 1, tzinfo=UTC))
    assert window(until="2026-01-01").since is None
    assert window(since="2026-01-01").as_json() == {
        "axis": "business time (executed_at, decided_at)",
        "period": "2026-01-01 to …",
        "since": "2026-01-01T00:00:00.000000Z",
        "until": None,
    }


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"since": "2026-11-01", "until": "2026-10-01"}, "since"),
        ({"since": "2026-11-01", "until": "2026-11-01"}, "since"),
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-13-01"}, "until"),
        ({"since": "0001-01-01"}, "since"),
        ({"period": "2026-11", "since": "2026-11-01"}, "since"),
        ({"period": "2026-11", "until": "2026-12-01"}, "until"),
    ],
)
def test_a_bad_window_is_refused_naming_the_option(options: dict[str, str], field: str) -> None:
    with pytest.raises(InputError) as caught:
        window(**options, now=NOW)  # type: ignore[arg-type]
    assert caught.value.details["field"] == field


def test_compare_previous_is_the_period_before() -> None:
    def before(text: str) -> tuple[str, str]:
        w = previous(parse_period(text, NOW))
        assert w.since is not None and w.until is not None
        return w.label, w.since.isoformat()[:10]

    assert before("2026-11") == ("2026-10", "2026-10-01")  # October, not 31 days back
    assert before("2026-03") == ("2026-02", "2026-02-01")
    assert before("2026-01") == ("2025-12", "2025-12-01")
    assert before("2026-Q1") == ("2025-Q4", "2025-10-01")
    assert before("2026") == ("2025", "2025-01-01")
    assert before("2026-W01") == ("2025-W52", "2025-12-22")
    assert before("2026-11-02") == ("2026-11-01", "2026-11-01")
    assert previous(parse_period("last-30d", NOW)).until == parse_period("last-30d", NOW).since
    w = window(since="2026-10-01T06:00:00Z", until="2026-10-02T06:00:00Z")
    assert previous(w).since == datetime(2026, 9, 30, 6, tzinfo=UTC)
    assert compared(parse_period("2026-11", NOW), "2025-11").label == "2025-11"
    for bad in (ALL_TIME, window(since="2026-01-01")):
        with pytest.raises(InputError) as caught:
            previous(bad)
        assert caught.value.details["field"] == "compare"
    with pytest.raises(InputError) as caught:
        previous(parse_period("1970", NOW))
    assert caught.value.details["field"] == "compare"
    with pytest.raises(InputError) as caught:
        compared(parse_period("2026-11", NOW), "the other one")
    assert caught.value.details["field"] == "compare"


days = st.dates(date(1971, 1, 1), date(9998, 12, 31))


@given(days)
def test_every_day_lies_in_exactly_its_own_periods(day: date) -> None:
    """Each period form holds the day's midnight and ends where the next one of its kind
    begins; 'previous' of each tiles back without a gap or overlap."""
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    year, week, _ = day.isocalendar()
    names = [
        f"{day.year}",
        f"{day.year}-Q{(day.month - 1) // 3 + 1}",
        f"{day:%Y-%m}",
        day.isoformat(),
    ]
    if 1970 <= year <= 9998:
        names.append(f"{year}-W{week:02d}")
    for name in names:
        w = parse_period(name, NOW)
        assert w.holds(midnight) and w.day_aligned, name
        assert not w.holds(midnight - timedelta(days=400)) or name.isdigit(), name
        p = previous(w)
        assert p.until == w.since and p.since is not None and p.since < w.since
        assert parse_period(p.label, NOW) == p, (name, p)


@pytest.mark.parametrize(
    ("text", "today", "label"),
    [
        ("this-month", "2026-12-05", "2026-12"),
        ("last-month", "2026-12-05", "2026-11"),
        ("last-month", "2027-01-03", "2026-12"),
        ("this-week", "2027-01-03", "2026-W53"),
        ("last-week", "2026-12-05", "2026-W48"),
        ("this-quarter", "2026-12-31", "2026-Q4"),
        ("last-quarter", "2027-02-01", "2026-Q4"),
        ("LAST-YEAR", "2026-06-01", "2025"),
    ],
)
def test_this_and_last_name_the_calendar_period_holding_now(
    text: str, today: str, label: str
) -> None:
    now = datetime.fromisoformat(f"{today}T23:59:59+00:00")
    got = parse_period(text, now)
    assert got == parse_period(label, now)  # the same window, kind and label as its name
    assert got.holds(now) == text.lower().startswith("this")
    assert previous(got).until == got.since  # compares with the period before, by kind


def test_last_month_before_1970_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        parse_period("last-month", datetime(1970, 1, 2, tzinfo=UTC))
    assert caught.value.details["field"] == "period"
