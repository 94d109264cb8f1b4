"""The storage contract, run against every backend: gap-free seq, hash chain, append-only,
idempotency, optimistic concurrency, all-or-nothing commands."""

from __future__ import annotations

import sqlite3

import pytest

from commands.base import ConflictError, DomainError, NotFoundError
from ledger import Ledger
from ledger.audit.chain import verify_chain
from ledger.errors import InputError

COLUMNS = [
    "seq",
    "stream_id",
    "stream_version",
    "event_type",
    "schema_version",
    "occurred_at",
    "recorded_at",
    "payload",
    "idempotency_key",
    "prev_hash",
    "hash",
]


def approve(led: Ledger, pattern_id: str = "p") -> None:
    led.approve_pattern(pattern_id, "60", "0.015")


def count(led: Ledger) -> int:
    with led.service.backend.read() as db:
        return led.service.log.count(db)


def test_events_table_has_exactly_the_public_columns(any_location: str) -> None:
    with Ledger.open(any_location) as led, led.service.backend.read() as db:
        cursor = db.execute("SELECT * FROM events LIMIT 0")
        assert [d[0] for d in cursor.description] == COLUMNS  # type: ignore[attr-defined]


def test_seq_is_gap_free_and_stream_versions_count_per_stream(any_location: str) -> None:
    with Ledger.open(any_location) as led:
        approve(led, "a")
        approve(led, "b")
        led.record_execution("a", "1", "0.01", True)
        led.record_execution("b", "1", "0.01", False)
        with led.service.backend.read() as db:
            rows = db.execute(
                "SELECT seq, stream_id, stream_version FROM events ORDER BY seq"
            ).fetchall()
        assert [tuple(r) for r in rows] == [
            (1, "pattern:a", 1),
            (2, "pattern:b", 1),
            (3, "pattern:a", 2),
            (4, "pattern:b", 2),
        ]
        assert verify_chain(led.service)["ok"]


def test_update_and_delete_on_events_are_refused_by_the_database(any_location: str) -> None:
    with Ledger.open(any_location) as led:
        approve(led)
        for statement in ("UPDATE events SET payload = '{}'", "DELETE FROM events"):
            with pytest.raises(Exception, match="append-only"), led.service.backend.write() as db:
                db.execute(statement)
        assert count(led) == 1


def test_idempotent_retry_appends_nothing_and_answers_with_the_first_event(
    any_location: str,
) -> None:
    with Ledger.open(any_location) as led:
        approve(led)
        first = led.record_execution("p", "45", "0.01", True, idempotency_key="run-1")
        again = led.record_execution("p", "45", "0.01", True, idempotency_key="run-1")
        assert first["duplicate"] is False and again["duplicate"] is True
        assert again["seq"] == first["seq"] == again["execution_id"]
        with pytest.raises(ConflictError, match="idempotency key"):  # same key, other command
            led.record_execution("p", "99", "0.09", False, idempotency_key="run-1")
        assert count(led) == 2
        assert led.pattern_roi("p")["total_executions"] == 1


def test_expected_version_mismatch_is_a_conflict_and_writes_nothing(any_location: str) -> None:
    with Ledger.open(any_location) as led:
        approve(led)
        led.record_execution("p", "45", "0.01", True, expected_version=1)
        with pytest.raises(ConflictError, match="version 2, not the expected 1"):
            led.record_execution("p", "45", "0.01", True, expected_version=1)
        assert count(led) == 2


def test_refused_commands_write_nothing(any_location: str) -> None:
    with Ledger.open(any_location) as led:
        approve(led)
        led.revoke_pattern("p", "broken")
        with pytest.raises(DomainError, match="revoked"):
            led.record_execution("p", "1", "1", True)
        with pytest.raises(NotFoundError):
            led.record_execution("nope", "1", "1", True)
        with pytest.raises(InputError, match="actual_cost"):
            led.record_execution("p", "1", "-1", True)
        assert count(led) == 2


def test_a_command_failing_midway_rolls_back_everything(any_location: str) -> None:
    with Ledger.open(any_location) as led:
        approve(led)
        before = count(led)
        with pytest.raises(RuntimeError), led.service.unit_of_work() as uow:
            from commands.patterns import RecordExecution
            from ledger.core.pattern_handlers import record_execution

            record_execution(
                uow,
                RecordExecution.model_validate(
                    {"pattern_id": "p", "execution_time_seconds": 1, "actual_cost": 1, "success": 1}
                ),
            )
            uow.flush()
            raise RuntimeError("crash after the append, before commit")
        assert count(led) == before
        assert led.pattern_roi("p")["total_executions"] == 0


def test_sqlite_is_wal_with_full_sync(db_path: object) -> None:
    with Ledger.open(str(db_path)) as led:
        conn: sqlite3.Connection = led.service.backend.connection  # type: ignore[attr-defined]
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000


def test_one_ledger_shared_by_threads_loses_and_corrupts_nothing(any_location: str) -> None:
    """Found by attacking the Python API: four threads appending through one Ledger mixed
    their transactions on its one connection ('cannot start a transaction within a
    transaction', UNIQUE failures, events committed by calls that raised, projections
    drifting, once a ledger that no command could open)."""
    import threading

    with Ledger.open(any_location) as led:
        approve(led)
        acknowledged: list[int] = []
        failures: list[BaseException] = []

        def work(name: str) -> None:
            for i in range(60):
                try:
                    led.record_execution("p", "10", "0.01", True, idempotency_key=f"{name}-{i}")
                    acknowledged.append(1)
                    led.pattern_roi("p")
                except BaseException as exc:  # any failure at all is the defect
                    failures.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in "abcd"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert count(led) == 1 + len(acknowledged) == 241
        assert led.verify(projections=True)["ok"]
