"""The decision loop from the shell: record, read, score, summarise; refusals write nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Cli, event_count

DECISION = [
    "record",
    "decision",
    "--decision-id",
    "dec_twitter_001",
    "--type",
    "golf_coaching",
    "--source",
    "twitter",
    "--action",
    "Replied with coaching offer and Calendly link",
    "--score",
    "87",
    "--sender",
    "@golfer_mike",
    "--context",
    '{"campaign": "spring"}',
    "--decided-at",
    "2026-02-08T09:00:00Z",
]
OUTCOME = [
    "record",
    "outcome",
    "--decision-id",
    "dec_twitter_001",
    "--outcome-type",
    "conversion",
    "--status",
    "success",
    "--revenue",
    "250.00",
    "--customer-acquired",
    "--deal-closed",
    "--response-received",
    "--occurred-at",
    "2026-02-09T09:00:00Z",
]


def test_record_and_read_back(cli: Cli, tmp_path: Path) -> None:
    logged = cli.json(*DECISION)
    assert logged == {**logged, "stream_id": "decision:dec_twitter_001", "duplicate": False}
    cli.json(*OUTCOME)
    (row,) = cli.json("decisions", "conversions")
    assert row["total_revenue"] == 250.0 and row["avg_time_to_conversion_hours"] == 24.0
    assert cli.json("decisions", "conversions", "--by", "source")[0]["opportunity_type"] is None
    assert cli.json("decisions", "roi")[0]["by_source"][0]["source_type"] == "twitter"
    assert cli.json("decisions", "insights") == []
    prediction = cli.json("decisions", "predict", "--type", "golf_coaching", "--source", "email")
    assert prediction["basis"] == "type" and prediction["similar_count"] == 1
    history = cli.json("history", "decision:dec_twitter_001")
    assert [e["event_type"] for e in history] == ["DecisionLogged", "OutcomeRecorded"]
    assert history[0]["payload"]["context"] == {"campaign": "spring"}
    summary = cli.json(
        "decisions", "summary", "--date", "2026-02-09", "--output-dir", str(tmp_path / "out")
    )
    assert summary["revenue"] == 250.0
    assert [Path(f).name for f in summary["files"]] == [
        "decision-summary-2026-02-09.json",
        "decision-summary-2026-02-09.md",
    ]
    weekly = cli.json(
        "decisions",
        "summary",
        "--date",
        "2026-02-09",
        "--weekly",
        "--output-dir",
        str(tmp_path / "out"),
    )
    assert Path(weekly["files"][0]).name == "weekly-summary-2026-02-03_2026-02-09.json"


REFUSALS = [
    (DECISION, "decision_id"),  # logged twice
    (
        [
            "record",
            "decision",
            "--decision-id",
            "x",
            "--type",
            "t",
            "--source",
            "s",
            "--action",
            "a",
            "--context",
            "[1]",
        ],
        "context",
    ),
    (
        [
            "record",
            "decision",
            "--decision-id",
            "x",
            "--type",
            "t",
            "--source",
            "s",
            "--action",
            "a",
            "--score",
            "101",
        ],
        "opportunity_score",
    ),
    (
        [
            "record",
            "outcome",
            "--decision-id",
            "ghost",
            "--outcome-type",
            "r",
            "--status",
            "success",
        ],
        "decision_id",
    ),
    (
        [
            "record",
            "outcome",
            "--decision-id",
            "dec_twitter_001",
            "--outcome-type",
            "r",
            "--status",
            "won",
        ],
        "outcome_status",
    ),
    (
        [
            "record",
            "outcome",
            "--decision-id",
            "dec_twitter_001",
            "--outcome-type",
            "r",
            "--status",
            "success",
            "--revenue",
            "-1",
        ],
        "revenue_generated",
    ),
    (
        [
            "record",
            "outcome",
            "--decision-id",
            "dec_twitter_001",
            "--outcome-type",
            "r",
            "--status",
            "success",
            "--occurred-at",
            "2026-01-01",
        ],
        "occurred_at",
    ),
    (["decisions", "conversions", "--by", "month"], "by"),
    (["decisions", "summary", "--date", "tomorrow"], "date"),
]


@pytest.mark.parametrize(("args", "field"), REFUSALS)
def test_refusals_exit_2_name_the_field_and_write_nothing(
    cli: Cli, args: list[str], field: str
) -> None:
    cli.json(*DECISION)
    before = event_count(cli.db)
    error = cli.error(*args)
    assert field in json.dumps(error)
    assert event_count(cli.db) == before


def test_batch_accepts_decisions_and_outcomes_with_either_key_names(
    cli: Cli, tmp_path: Path
) -> None:
    lines = [
        {
            "command": "decision",
            "decision_id": "d1",
            "opportunity_type": "golf",
            "opportunity_source": "email",
            "action_taken": "replied",
            "decided_at": "2026-02-01T10:00:00Z",
        },
        {
            "command": "decision",
            "decision_id": "d2",
            "type": "golf",
            "source": "email",
            "action": "replied",
            "decided_at": "2026-02-01T10:00:00Z",
        },
        {
            "command": "outcome",
            "decision_id": "d2",
            "outcome_type": "conversion",
            "status": "success",
            "revenue": 120.5,
            "customer_acquired": True,
            "occurred_at": "2026-02-02T10:00:00Z",
        },
        {"command": "outcome", "decision_id": "d9", "outcome_type": "x", "status": "success"},
    ]
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    result = cli.json("record", "batch", str(path), code=2)
    assert (result["accepted"], result["rejected"]) == (3, 1)
    assert result["errors"][0]["line"] == 4 and result["errors"][0]["field"] == "decision_id"
    (row,) = cli.json("decisions", "conversions")
    assert (row["total_decisions"], row["total_revenue"]) == (2, 120.5)


def test_score_reads_writes_records_and_skips_unchanged(cli: Cli, tmp_path: Path) -> None:
    cli.json(*DECISION)
    cli.json(*OUTCOME)
    source = tmp_path / "data" / "opportunities.json"
    source.parent.mkdir()
    source.write_text(
        json.dumps(
            [
                {"id": "o1", "type": "partnership", "source": "fax", "score": 60, "sender": "@a"},
                {
                    "id": "o2",
                    "type": "golf_coaching",
                    "source": "twitter",
                    "score": 85,
                    "content": "slice",
                },
            ]
        )
    )
    output = tmp_path / "data" / "opportunities_scored.json"
    before = event_count(cli.db)
    printed = cli.json("score", str(source), "--output", str(output))
    written = json.loads(output.read_text())
    assert written == printed
    assert [o["id"] for o in written] == ["o2", "o1"]
    assert written[1]["sender"] == "@a"
    assert set(written[0]) >= {
        "original_score",
        "adjusted_score",
        "conversion_probability",
        "predicted_revenue",
        "confidence",
        "recommendation",
        "reasoning",
    }
    assert event_count(cli.db) == before + 2
    cli.json("score", str(source), "--output", str(output))
    assert event_count(cli.db) == before + 2  # unchanged predictions: nothing new
    cli.json("score", str(source), "--output", str(output), "--no-record")
    assert event_count(cli.db) == before + 2
    missing = cli.error("score", str(tmp_path / "nope.json"))
    assert missing["details"]["field"] == "input"
    source.write_text(json.dumps([{"type": "golf", "source": "x", "score": 500}]))
    assert cli.error("score", str(source), "--output", str(output))["details"]["field"] == "score"
    assert event_count(cli.db) == before + 2
