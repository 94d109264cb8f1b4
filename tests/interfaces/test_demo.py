"""`roi-ledger demo`: reproducible, idempotent, covers every rating, never mixes into real data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ledger import Ledger
from ledger.interfaces.demo import run_demo
from tests.conftest import Cli, event_count

NOW = "2026-03-01T12:00:00Z"


def test_demo_covers_every_rating_and_is_reproducible(tmp_path: Path) -> None:
    first = Cli(tmp_path / "a.db").json("demo", "--seed", "3", "--now", NOW)
    second = Cli(tmp_path / "b.db").json("demo", "--seed", "3", "--now", NOW)
    ratings = {row["effectiveness_rating"] for row in first["roi_summary"]}
    assert ratings == {"excellent", "good", "acceptable", "poor", "failed", "insufficient_data"}
    strip = ("last_updated",)
    assert [{k: v for k, v in r.items() if k not in strip} for r in first["roi_summary"]] == [
        {k: v for k, v in r.items() if k not in strip} for r in second["roi_summary"]
    ]


def test_running_the_demo_twice_appends_nothing_new(cli: Cli) -> None:
    first = cli.json("demo", "--days", "5", "--now", NOW)
    again = cli.json("demo", "--days", "5", "--now", NOW)
    assert first["accepted"] > 0 and again["accepted"] == 0
    assert again["duplicates"] == first["accepted"]


def test_demo_refuses_a_ledger_with_real_events_unless_forced(cli: Cli) -> None:
    cli.json("pattern", "approve", "mine", "--estimated-time-seconds", "1", "--estimated-cost", "1")
    error = cli.error("demo", "--days", "2")
    assert error["details"]["field"] == "db"
    assert event_count(cli.db) == 1
    forced = cli.json("demo", "--days", "2", "--force", "--now", NOW)
    assert forced["accepted"] > 0


def test_demo_days_out_of_range_is_refused(cli: Cli) -> None:
    assert cli.error("demo", "--days", "0")["details"]["field"] == "days"


def test_the_demo_runs_again_after_the_readme_tour_updated_confidence(cli: Cli) -> None:
    """The defect: the tour's `roi update-confidence` made the demo call its own ledger real."""
    cli.json("demo", "--days", "5", "--now", NOW)
    cli.json("roi", "update-confidence")
    again = cli.json("demo", "--days", "5", "--now", NOW)
    assert again["accepted"] == 0


def test_a_demo_with_other_options_on_a_demo_ledger_is_refused_and_writes_nothing(
    cli: Cli,
) -> None:
    cli.json("demo", "--days", "5", "--now", NOW)
    before = event_count(cli.db)
    error = cli.error("demo", "--days", "5", "--now", "2026-03-02T12:00:00Z")
    assert "another run" in error["error"] and error["details"]["field"] == "db"
    assert event_count(cli.db) == before


def test_the_demos_predictions_come_before_the_decisions_they_predict(tmp_path: Path) -> None:
    """The defect (issue 19): `demo --now 2026-11-22` stamped its OpportunityScored events
    with the real clock, so in the audit trail predictions came after the decisions they
    preceded. Each is scored the morning of its day, before that day's first decision."""
    led = Ledger.open(tmp_path / "demo.db")
    run_demo(led, seed=7, days=12, now=datetime(2026, 11, 22, tzinfo=UTC), force=False)
    scored = {
        e.event.opportunity_id: e.occurred_at  # type: ignore[attr-defined]
        for e in led.events(limit=10_000, event_type="OpportunityScored")
    }
    decided = {
        e.event.opportunity_id: e.occurred_at  # type: ignore[attr-defined]
        for e in led.events(limit=10_000, event_type="DecisionLogged")
    }
    assert scored
    for opportunity, at in scored.items():
        assert at < decided[opportunity], (opportunity, at, decided[opportunity])
        assert at < "2026-11-22", at
