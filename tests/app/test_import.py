"""`import`: an exported file checked whole before anything is written, each event held to
the rules of the command that records it, the clock never poisoned, the input bounded."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from commands.ledger import RecordReport
from events import GENESIS_HASH, canonical_json, chain_hash
from ledger import Ledger
from ledger.app.importing import import_events
from ledger.audit.chain import export_events
from ledger.errors import InputError, IntegrityError
from ledger.validation import build_command
from tests.conftest import BACKENDS, Cli, fresh_location

Line = dict[str, Any]


@pytest.fixture(params=BACKENDS)
def location(request: pytest.FixtureRequest) -> Iterator[str]:
    with fresh_location(request.param) as where:
        yield where


def exported(led: Ledger) -> list[Line]:
    """The ledger's log as exported lines (parsed)."""
    import io

    out = io.StringIO()
    export_events(led.service, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def rechain(lines: list[Line]) -> list[Line]:
    """Recompute every hash after an edit: the file's own chain is whole again, so only the
    rule the edit broke can refuse it."""
    previous = GENESIS_HASH
    for line in lines:
        line["prev_hash"] = previous
        text = line.pop("payload_text", None) or canonical_json(line["payload"])
        previous = line["hash"] = chain_hash(
            previous,
            line["seq"],
            line["stream_id"],
            line["stream_version"],
            line["event_type"],
            line["schema_version"],
            line["occurred_at"],
            line["recorded_at"],
            text,
            line.get("idempotency_key"),
        )
    return lines


def write(path: Path, lines: list[Line]) -> Path:
    path.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines))
    return path


def small(location: str) -> list[Line]:
    """A pattern with two runs, a decision with an outcome: the lines of its export."""
    with Ledger.open(location) as led:
        led.approve_pattern("p", "60", "0.015")
        led.record_execution("p", "45", "0.012", True, idempotency_key="run-1")
        led.record_execution("p", "50", "0.013", False)
        led.log_decision("d1", "consulting", "email", "replied")
        led.record_outcome("d1", "reply", "success", response_received=True)
        return exported(led)


def test_a_refusal_late_in_the_file_writes_nothing(db_path: Path, tmp_path: Path) -> None:
    """The defect: a 7,000-event file whose line 6000 reused line 5's key exited 1 saying
    "Nothing was written" after 5,000 events had been committed (batches of 5,000)."""
    lines_in = [
        json.dumps(
            {
                "command": "approve",
                "pattern_id": "p",
                "estimated_time_seconds": 60,
                "estimated_cost": 0.015,
            }
        )
    ] + [
        json.dumps(
            {
                "command": "execution",
                "pattern_id": "p",
                "execution_time_seconds": 40,
                "actual_cost": 0.01,
                "success": True,
                "idempotency_key": f"k{i}",
            }
        )
        for i in range(6999)
    ]
    source = tmp_path / "source.db"
    with Ledger.open(source) as led:
        from ledger.app.batch import run_batch
        from ledger.app.batch_lines import parse_line

        run_batch(led.service, ((n, parse_line(n, t)) for n, t in enumerate(lines_in, 1)))
        lines = exported(led)
    assert len(lines) == 7000
    lines[5999]["idempotency_key"] = lines[4]["idempotency_key"]
    dump = write(tmp_path / "dump.jsonl", rechain(lines))
    error = Cli(db_path).error("import", str(dump))
    assert error["details"]["line"] == 6000 and "idempotency key" in error["error"]
    assert "seq 5" in error["error"]
    with Ledger.open(db_path) as led:
        assert led.head().seq == 0 and led.roi_summary() == []


EDITS: dict[str, Callable[[list[Line]], None]] = {
    "outcome-of-an-unlogged-decision": lambda ls: ls[4].update(
        stream_id="decision:ghost", payload={**ls[4]["payload"], "decision_id": "ghost"}
    ),
    "a-decision-logged-twice": lambda ls: ls.append(
        {**ls[3], "seq": 6, "stream_id": "decision:again", "idempotency_key": None}
    ),
    "stream-version-skips": lambda ls: ls[2].update(stream_version=7),
    "stream-not-the-events-own": lambda ls: ls[1].update(stream_id="pattern:q"),
    "retraction-of-a-missing-seq": lambda ls: ls.append(
        {
            **ls[4],
            "seq": 6,
            "event_type": "EventRetracted",
            "stream_version": 3,
            "idempotency_key": None,
            "payload": {"target_seq": 60, "reason": "typo"},
            "occurred_at": ls[4]["recorded_at"],
        }
    ),
    "control-characters-in-an-id": lambda ls: [
        line.update(
            stream_id="pattern:\x1b[31mred\x07",
            payload={**line["payload"], "pattern_id": "\x1b[31mred\x07"},
        )
        for line in ls[:3]
    ],
    "an-amount-of-1e400": lambda ls: ls[1]["payload"].update(actual_cost="1e400"),
    "an-execution-before-its-approval": lambda ls: ls.__setitem__(
        slice(0, 2),
        [{**ls[1], "seq": 1, "stream_version": 1}, {**ls[0], "seq": 2, "stream_version": 2}],
    ),
    "occurred-at-garbage": lambda ls: ls[1].update(occurred_at="also garbage"),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_event_its_command_would_refuse_is_refused(
    location: str, tmp_path: Path, edit: str
) -> None:
    """The defect: import skipped the commands' validation: an outcome for a decision never
    logged, a decision logged twice, versions 1 then 7, a retraction of no event, ids with
    escape codes, an amount of 1e400 (the ROI then read null) - all accepted, exit 0."""
    with fresh_location("sqlite") as source:
        lines = small(source)
    EDITS[edit](lines)
    dump = write(tmp_path / "dump.jsonl", rechain(lines))
    cli = Cli(location)
    error = cli.error("import", str(dump))
    assert error["error"].startswith("line ") and "Traceback" not in error["error"]
    assert "\x1b" not in error["error"] and "\x07" not in error["error"]
    with Ledger.open(location) as led:
        assert led.head().seq == 0  # nothing written


def test_the_export_of_every_command_imports_and_reproduces_the_digest(location: str) -> None:
    """No false refusal: a ledger made by every command (a retraction, a revoked and
    re-approved pattern, a confidence update, a score, a report record) exports and imports
    into an empty ledger with the same digest and the same projections."""
    with fresh_location("sqlite") as source, Ledger.open(source) as led:
        led.approve_pattern("p", "60", "0.015", confidence="0.5", approved_by="me")
        for i in range(6):
            led.record_execution("p", "40", "0.01", True, workflow_id=i)
        led.revise_pattern("p", estimated_cost="0.02", reason="price")
        led.record_execution("p", "40", "0.01", False, error_message="boom")
        led.update_confidence("p")
        led.log_decision("d1", "consulting", "email", "call", context={"opportunity_id": "o1"})
        led.record_outcome("d1", "deal", "success", revenue="1200", customer_acquired=True)
        led.score_opportunities([{"id": "o2", "type": "consulting", "source": "email"}])
        led.retract(3, "double-counted")
        led.revoke_pattern("p", "replaced")
        led.approve_pattern("p", "30", "0.01")
        with led.service.unit_of_work() as uow:
            head = led.service.log.head(uow.db)
            cmd = build_command(
                RecordReport,
                {"kind": "roi-report", "period": "2026-W45", "as_of_seq": head.seq,
                 "as_of_hash": head.hash, "idempotency_key": "report:roi-report:2026-W45"},
            )  # fmt: skip
            led.service.dispatch(uow, cmd)
        lines = exported(led)
        digest = led.digest()
    kinds = {line["event_type"] for line in lines}
    assert {"PatternConfidenceUpdated", "OpportunityScored", "EventRetracted"} <= kinds
    assert {"ReportGenerated", "PatternRevoked", "PatternEstimatesRevised"} <= kinds
    with fresh_location("sqlite") as tmp:
        dump = write(Path(tmp).with_suffix(".jsonl"), lines)
        with Ledger.open(location) as copy:
            result = import_events(copy.service, str(dump))
            assert result["imported"] == len(lines)
            assert copy.digest() == digest
            assert copy.verify(projections=True)["ok"]


def test_an_event_of_an_older_schema_version_still_imports(location: str, tmp_path: Path) -> None:
    """Exports of older ledgers carry older schema versions: their content is held to the
    rules once upcast, and the row is stored as it was."""
    with fresh_location("sqlite") as source:
        lines = small(source)
    payload = lines[0]["payload"]
    del payload["description"], payload["confidence"]  # version 1 had neither
    lines[0]["schema_version"] = 1
    dump = write(tmp_path / "dump.jsonl", rechain(lines))
    with Ledger.open(location) as copy:
        assert import_events(copy.service, str(dump))["imported"] == 5
        assert copy.verify(projections=True)["ok"]
        assert copy.history("pattern:p")[0].schema_version == 1


@pytest.mark.parametrize(
    "stamp", ["also garbage", "9999-12-31T23:59:59.999999Z", "2026-01-01T00:00:00Z"]
)
def test_a_recorded_at_that_would_poison_the_clock_is_refused(
    db_path: Path, tmp_path: Path, stamp: str
) -> None:
    """The defect: `"recorded_at": "also garbage"` or 9999-12-31 was stored as is, and since
    recorded_at = max(clock, head's) every later event inherited it; --as-of TIMESTAMP then
    answered seq 0."""
    with fresh_location("sqlite") as source:
        lines = small(source)
    lines[2]["recorded_at"] = stamp  # garbage, the far future, or before the event before it
    if stamp.startswith("2026-01"):
        lines[2]["recorded_at"] = "2000-01-01T00:00:00.000000Z"
    dump = write(tmp_path / "dump.jsonl", rechain(lines))
    error = Cli(db_path).error("import", str(dump))
    assert error["details"]["line"] == 3 and "recorded_at" in error["error"]
    with Ledger.open(db_path) as led:
        assert led.head().seq == 0


def test_a_head_recorded_far_ahead_of_the_clock_never_drags_it(location: str) -> None:
    """A ledger holding an event stamped in the far future (imported before import checked
    it): appends are refused in words instead of copying that time onto every new event; a
    head a few minutes ahead (another writer's clock) is carried on, so times still rise."""

    def clock(stamp: str) -> Callable[[], str]:
        return lambda: stamp

    with Ledger.open(location) as led:
        led.service.clock = clock("2030-01-01T00:00:00.000000Z")  # type: ignore[method-assign]
        led.approve_pattern("p", "60", "0.015")
        led.service.clock = clock("2029-12-31T23:40:00.000000Z")  # type: ignore[method-assign]
        late = led.record_execution("p", "45", "0.012", True)
        assert late["recorded_at"] == "2030-01-01T00:00:00.000000Z"  # 20 min: carried on
        led.service.clock = clock("9999-12-31T23:59:59.999999Z")  # type: ignore[method-assign]
        led.record_execution("p", "45", "0.012", True)
        led.service.clock = clock("2030-01-01T00:05:00.000000Z")  # type: ignore[method-assign]
        with pytest.raises(IntegrityError, match="ahead of this machine's clock"):
            led.record_execution("p", "45", "0.012", True)
        assert led.head().seq == 3


def test_import_bounds_its_input(db_path: Path, tmp_path: Path) -> None:
    """The defect: `import /dev/zero` spooled to a hidden temp file without limit (3.5 GB
    in 5 s). A line longer than any event, or a file over --max-size, is refused in words
    before it is read whole."""
    cli = Cli(db_path)
    error = cli.error("import", "/dev/zero")
    assert "line 1 is longer than" in error["error"]
    with fresh_location("sqlite") as source:
        dump = write(tmp_path / "dump.jsonl", small(source))
    error = cli.error("import", str(dump), "--max-size", "1000")
    assert "larger than 1,000 bytes" in error["error"] and "--max-size" in error["error"]
    assert cli.json("import", str(dump), "--max-size", "1000000")["imported"] == 5


def test_refusals_are_input_errors_naming_the_line(db_path: Path, tmp_path: Path) -> None:
    with fresh_location("sqlite") as source:
        lines = small(source)
    lines[4]["payload"]["outcome_status"] = "maybe"
    dump = write(tmp_path / "dump.jsonl", rechain(lines))
    with Ledger.open(db_path) as led, pytest.raises(InputError) as caught:
        import_events(led.service, str(dump))
    assert caught.value.details["line"] == 5
    assert "outcome_status" in caught.value.message


def test_a_key_reused_after_a_retraction_in_the_same_chunk_is_named(
    db_path: Path, tmp_path: Path
) -> None:
    """A retraction folds what came before it mid-chunk; a later event reusing a key from
    before it is still refused by name, not by the database's unique index."""
    with fresh_location("sqlite") as source:
        lines = small(source)
    retraction = {**lines[2], "seq": 6, "event_type": "EventRetracted", "stream_version": 4}
    retraction.update(idempotency_key=None, payload={"target_seq": 3, "reason": "typo"})
    latest = lines[4]["recorded_at"]
    retraction.update(occurred_at=latest, recorded_at=latest)
    again = {**lines[1], "seq": 7, "stream_version": 5, "recorded_at": latest}  # run-1 again
    lines += [retraction, again]
    dump = write(tmp_path / "dump.jsonl", rechain(lines))
    error = Cli(db_path).error("import", str(dump))
    assert error["details"]["line"] == 7 and "idempotency key 'run-1'" in error["error"]
