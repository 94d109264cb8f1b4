"""Tamper evidence and movement of the log: verify, digests, retractions, export/import."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ledger import Ledger
from ledger.app.importing import import_events
from ledger.audit.chain import export_events, verify_chain
from ledger.core.snapshots import KEPT as VIEWS_KEPT
from ledger.errors import IntegrityError
from tests.conftest import dump_projections


def fill(led: Ledger) -> None:
    led.approve_pattern("p", "60", "0.015")
    for i in range(5):
        led.record_execution("p", "45.2", "0.012", i != 3, idempotency_key=f"r{i}")


def tamper(path: Path, sql: str) -> None:
    """What an attacker with file access could do: drop the guards, rewrite a row."""
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER events_refuse_update")
        conn.execute("DROP TRIGGER events_refuse_delete")
        conn.execute(sql)


def test_verify_names_the_first_altered_row_and_an_old_digest_fails(db_path: Path) -> None:
    with Ledger.open(db_path) as led:
        fill(led)
        digest = led.digest()
        assert verify_chain(led.service)["ok"]
    tamper(db_path, "UPDATE events SET payload = replace(payload, '0.012', '0.001') WHERE seq = 4")
    with Ledger.open(db_path) as led:
        result = verify_chain(led.service)
        assert not result["ok"] and result["first_bad_seq"] == 4
        assert "altered" in result["problem"]
        proof = led.verify(digest=f"{digest['seq']}:{digest['hash']}")
        assert not proof["ok"] and not proof["digest_ok"]


def test_a_deleted_row_is_a_gap(db_path: Path) -> None:
    with Ledger.open(db_path) as led:
        fill(led)
    tamper(db_path, "DELETE FROM events WHERE seq = 3")
    with Ledger.open(db_path) as led:
        result = verify_chain(led.service)
        assert result["first_bad_seq"] == 4 and "gap" in result["problem"]


def test_a_rewritten_chain_still_fails_the_outside_digest(db_path: Path) -> None:
    """Even recomputing every hash after an edit cannot fool a digest kept elsewhere."""
    with Ledger.open(db_path) as led:
        fill(led)
        kept = led.digest()
        rows = [tuple(r) for r in led.service.backend.connection.execute("SELECT * FROM events")]  # type: ignore[attr-defined]
    from events import GENESIS_HASH, chain_hash

    tamper(db_path, "DELETE FROM events")
    prev = GENESIS_HASH
    with sqlite3.connect(db_path) as conn:
        for row in rows:
            row = list(row)
            row[7] = row[7].replace("0.012", "0.001")
            row[9] = prev
            row[10] = prev = chain_hash(prev, *row[:9])
            conn.execute("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?)", row)
    with Ledger.open(db_path) as led:
        assert verify_chain(led.service)["ok"]
        assert not led.verify(digest=f"{kept['seq']}:{kept['hash']}")["ok"]


def test_digest_of_an_earlier_seq_still_verifies_after_more_appends(ledger: Ledger) -> None:
    fill(ledger)
    early = ledger.digest()
    ledger.record_execution("p", "1", "0.01", True)
    assert ledger.verify(digest=f"{early['seq']}:{early['hash']}")["ok"]
    assert not ledger.verify(digest=f"{early['seq']}:{'0' * 64}")["ok"]


def test_retraction_removes_the_effect_keeps_the_event(ledger: Ledger) -> None:
    fill(ledger)
    before = ledger.pattern_roi("p")
    result = ledger.retract(3, "recorded twice by mistake")
    after = ledger.pattern_roi("p")
    assert after["total_executions"] == before["total_executions"] - 1
    assert 3 not in [e["execution_id"] for e in ledger.executions("p")]
    trail = ledger.history("pattern:p")
    assert [e.event_type for e in trail][-1] == "EventRetracted"
    assert trail[2].seq == 3  # still in the log
    assert result["stream_id"] == "pattern:p"
    assert ledger.verify(projections=True)["projections"]["ok"]


def test_retracting_twice_or_a_retraction_is_refused(ledger: Ledger) -> None:
    from commands.base import DomainError, NotFoundError

    fill(ledger)
    retraction = ledger.retract(2, "mistake")
    with pytest.raises(DomainError, match="already retracted by seq"):
        ledger.retract(2, "again")
    with pytest.raises(DomainError, match="cannot be retracted"):
        ledger.retract(retraction["seq"], "undo")
    with pytest.raises(NotFoundError, match="no event with seq 99"):
        ledger.retract(99, "nothing")


def test_retracting_the_approval_makes_the_pattern_unknown_again(ledger: Ledger) -> None:
    from commands.base import NotFoundError

    ledger.approve_pattern("p", "60", "0.015")
    ledger.retract(1, "approved the wrong pattern")
    assert ledger.list_patterns() == []
    with pytest.raises(NotFoundError):
        ledger.record_execution("p", "1", "1", True)


def test_after_its_approval_is_retracted_no_read_shows_the_pattern(ledger: Ledger) -> None:
    """The defect: after the approval was retracted `pattern list` dropped the pattern but
    `roi summary` still listed it. Every read follows the registry; the executions stay in
    the log and count again once the pattern is approved again."""
    from commands.base import NotFoundError

    now = "2026-11-20T12:00:00Z"
    ledger.approve_pattern("p", "60", "0.015", approved_at="2026-11-01")
    ledger.approve_pattern("q", "60", "0.015", approved_at="2026-11-01")
    for _ in range(5):
        ledger.record_execution("p", "45", "0.05", False, executed_at="2026-11-19T10:00:00Z")
    assert [r["pattern_id"] for r in ledger.roi_summary()] == ["p", "q"]
    ledger.retract(1, "approved the wrong pattern")
    head = ledger.head().seq
    for view in (None, head):
        assert [r["pattern_id"] for r in ledger.roi_summary(as_of=view)] == ["q"]
        assert [r["pattern_id"] for r in ledger.list_patterns(as_of=view)] == ["q"]
        assert ledger.underperformers(as_of=view) == [] and ledger.top_performers(as_of=view) == []
        board = ledger.dashboard(now=now, as_of=view)
        assert (board["total_patterns"], board["executions_this_month"]) == (1, 0)
        assert {a["pattern_id"] for a in ledger.alerts(now=now, as_of=view)} <= {"q"}
        for read in (ledger.pattern_roi, ledger.effectiveness, ledger.trend):
            with pytest.raises(NotFoundError):
                read("p", as_of=view)  # type: ignore[operator]
    assert "| p |" not in ledger.roi_markdown(now=now)
    assert [r["pattern_id"] for r in ledger.roi_summary(as_of=head - 1)] == ["p", "q"]
    ledger.approve_pattern("p", "60", "0.015")
    assert ledger.pattern_roi("p")["total_executions"] == 5  # its runs count again


def test_export_then_import_into_an_empty_ledger_reproduces_the_digest(
    ledger: Ledger, tmp_path: Path
) -> None:
    fill(ledger)
    ledger.retract(3, "mistake")
    dump = tmp_path / "log.jsonl"
    with dump.open("w") as handle:
        assert export_events(ledger.service, handle) == 7
    with Ledger.open(tmp_path / "copy.db") as copy:
        result = import_events(copy.service, str(dump))
        assert result["imported"] == 7
        assert copy.digest() == ledger.digest()
        assert dump_projections(copy) == dump_projections(ledger)
        again = import_events(copy.service, str(dump))  # re-import is a no-op
        assert (again["imported"], again["already_present"]) == (0, 7)


def test_import_refuses_a_broken_chain_and_writes_nothing(ledger: Ledger, tmp_path: Path) -> None:
    fill(ledger)
    dump = tmp_path / "log.jsonl"
    with dump.open("w") as handle:
        export_events(ledger.service, handle)
    lines = dump.read_text().splitlines()
    lines[2] = lines[2].replace('"0.012"', '"0.010"')
    dump.write_text("\n".join(lines) + "\n")
    with Ledger.open(tmp_path / "copy.db") as copy:
        with pytest.raises(IntegrityError, match="line 3: seq 3"):
            import_events(copy.service, str(dump))
        assert copy.digest()["seq"] == 0


def test_import_refuses_a_file_from_another_ledger(ledger: Ledger, tmp_path: Path) -> None:
    fill(ledger)
    dump = tmp_path / "log.jsonl"
    with dump.open("w") as handle:
        export_events(ledger.service, handle)
    with Ledger.open(tmp_path / "other.db") as other:
        other.approve_pattern("q", "1", "1")
        with pytest.raises(IntegrityError, match="does not continue"):
            import_events(other.service, str(dump))
        assert other.digest()["seq"] == 1


def test_as_of_timestamp_selects_events_recorded_by_then(tmp_path: Path) -> None:
    ticks = iter(f"2025-01-01T00:00:0{i}.000000Z" for i in range(10))
    with Ledger.open(tmp_path / "t.db") as led:
        led.service.clock = lambda: next(ticks)
        fill(led)  # seq 1..6 recorded at :00 .. :05
        assert led.service.resolve_as_of("2025-01-01T00:00:02Z") == 3
        assert led.pattern_roi("p", as_of="2025-01-01T00:00:02Z")["total_executions"] == 2
        assert led.service.resolve_as_of("2024-12-31") == 0


def test_as_of_beyond_the_head_is_an_input_error(ledger: Ledger) -> None:
    from ledger.errors import InputError

    fill(ledger)
    with pytest.raises(InputError, match="beyond the head"):
        ledger.roi_summary(as_of=100)


def test_as_of_answers_stay_right_while_old_replays_are_evicted(ledger: Ledger) -> None:
    fill(ledger)  # seq 1 approves, seq 2..6 record executions
    expected = {seq: max(0, seq - 1) for seq in range(1, 7)}
    for _ in range(2):  # the second pass re-replays seqs evicted in the first
        for seq in range(1, 6):
            assert ledger.pattern_roi("p", as_of=seq)["total_executions"] == expected[seq]
    assert len(ledger.service.views.views) <= VIEWS_KEPT
    # As of the head itself the live projections answer: nothing is replayed for it.
    assert ledger.pattern_roi("p", as_of=6)["total_executions"] == 5
    assert 6 not in ledger.service.views.views


def test_python_api_verify_and_rebuild(ledger: Ledger) -> None:
    fill(ledger)
    assert ledger.verify(projections=True)["ok"]
    before = dump_projections(ledger)
    assert ledger.rebuild(["pattern_roi_summary"])["projections"] == ["pattern_roi_summary"]
    assert dump_projections(ledger) == before
    digest = ledger.digest()
    assert ledger.verify(digest=f"{digest['seq']}:{digest['hash']}")["digest_ok"]


def test_a_fresh_demo_ledger_verifies_its_projections_on_every_backend(
    any_location: str,
) -> None:
    """The defect: PostgreSQL stored REAL as a 4-byte float, so `verify --projections` said
    its own fresh ledger DIFFERed (time_to_outcome_hours 22.2787 vs 22.278699), and as-of
    reads (replayed into SQLite) disagreed with live ones."""
    from tests.conftest import Cli

    cli = Cli(any_location)
    cli.json("demo", "--days", "20", "--now", "2026-03-01T12:00:00Z")
    result = cli.json("verify", "--projections")
    assert result["ok"] and result["projections"]["differences"] == []
    head = cli.json("digest")["seq"]
    queries = (["decisions", "conversions"], ["roi", "summary"], ["decisions", "calibration"])
    live = [cli.json(*args) for args in queries]
    cli.json(
        "pattern", "approve", "later", "--estimated-time-seconds", "1", "--estimated-cost", "1"
    )
    replayed = [cli.json(*args, "--as-of", str(head)) for args in queries]  # a scratch replay
    assert replayed == live


def rehash_from(db_path: Path, seq: int, old: str, new: str) -> None:
    """A forgery that rewrites every hash from `seq` on, so the chain itself verifies."""
    from events import chain_hash

    with sqlite3.connect(db_path) as conn:
        rows = [list(r) for r in conn.execute("SELECT * FROM events ORDER BY seq")]
    tamper(db_path, f"DELETE FROM events WHERE seq >= {seq}")
    prev = rows[seq - 2][10]
    with sqlite3.connect(db_path) as conn:
        for row in rows[seq - 1 :]:
            row[7] = row[7].replace(old, new)
            row[9] = prev
            row[10] = prev = chain_hash(prev, *row[:9])
            conn.execute("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?)", row)


def test_verify_digest_on_a_rehashed_forgery_does_not_name_a_seq_it_cannot_know(
    db_path: Path,
) -> None:
    """The defect: it named the digest's own seq (the head) as the first bad one."""
    with Ledger.open(db_path) as led:
        fill(led)  # seq 1 approval, 2..6 executions
        kept = {n: led.digest(as_of=n) for n in (2, 3, 4, 6)}
    rehash_from(db_path, 4, "0.012", "0.001")
    with Ledger.open(db_path) as led:
        one = led.verify(digest=f"6:{kept[6]['hash']}")
        assert not one["ok"] and one["first_bad_seq"] is None
        assert one["differs_at_or_before"] == 6
        assert "only its own seq" in one["problem"]
        several = led.verify(digest=[f"{n}:{kept[n]['hash']}" for n in (2, 6)])
        assert (several["matches_through"], several["differs_at_or_before"]) == (2, 6)
        exact = led.verify(digest=[f"{n}:{kept[n]['hash']}" for n in (3, 4, 6)])
        assert exact["first_bad_seq"] == 4 and not exact["ok"]


def test_rebuild_refuses_a_broken_chain_unless_forced_and_appends_warn(
    db_path: Path, tmp_path: Path
) -> None:
    """The defect: rebuild folded forged amounts into the projections without a word, and
    appends carried on on top of the broken chain."""
    from tests.conftest import Cli

    with Ledger.open(db_path) as led:
        fill(led)
        before = led.pattern_roi("p")
    tamper(db_path, "UPDATE events SET payload = replace(payload, '0.012', '0.001') WHERE seq = 4")
    cli = Cli(db_path)
    error = cli.error("rebuild", code=1)
    assert error["details"]["first_bad_seq"] == 4 and "seq 4" in error["error"]
    assert cli.json("roi", "pattern", "p")["total_cost_saved_usd"] == float(
        before["total_cost_saved_usd"]
    )
    result = cli(
        "record", "execution", "--pattern-id", "p", "--execution-time-seconds", "5",
        "--actual-cost", "0.01", "--success",
    )  # fmt: skip
    assert result.exit_code == 0 and "broken" in result.stderr and "seq 4" in result.stderr
    forced = cli.json("rebuild", "--force")
    assert forced["chain"]["first_bad_seq"] == 4
    assert cli.json("roi", "pattern", "p")["total_cost_saved_usd"] != float(
        before["total_cost_saved_usd"]
    )


def test_deleting_the_newest_events_is_caught_by_what_the_projections_had_seen(
    db_path: Path,
) -> None:
    """A chain stays intact when its tail is cut; the projections' checkpoints still remember
    how far the log went, so verify fails until the log is restored."""
    with Ledger.open(db_path) as led:
        fill(led)
    tamper(db_path, "DELETE FROM events WHERE seq > 4")
    with Ledger.open(db_path) as led:
        result = led.verify()
        assert not result["ok"] and result["first_bad_seq"] == 5
        assert "deleted" in result["problem"]


def test_a_wrong_digest_raises_no_standing_alarm(ledger: Ledger) -> None:
    fill(ledger)
    assert not ledger.verify(digest=f"3:{'0' * 64}")["ok"]
    assert "warning" not in ledger.record_execution("p", "1", "0.01", True)


def test_import_reads_its_input_once_so_a_pipe_works_and_cannot_switch_files(
    sqlite_ledger: Ledger, tmp_path: Path
) -> None:
    """Found by attacking the CLI: import read its file twice, so `import <(cat log.jsonl)`
    imported nothing and said it had, and a FIFO could hand the chain check one file and
    the appending pass another (a tampered one)."""
    import os
    import threading

    fill(sqlite_ledger)
    exported = tmp_path / "log.jsonl"
    with exported.open("w") as out:
        export_events(sqlite_ledger.service, out)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    tampered = exported.read_text().replace("0.012", "0.001")

    def writer() -> None:
        import time

        for text in (exported.read_text(), tampered):  # a second open would get the forgery
            try:
                with fifo.open("w") as pipe:
                    pipe.write(text)
            except OSError:
                return
            time.sleep(0.5)  # let the reader see the end of the first before opening again

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    with Ledger.open(tmp_path / "copy.db") as copy:
        result = import_events(copy.service, str(fifo))
        assert result["imported"] == 6 and copy.digest() == sqlite_ledger.digest()
        assert copy.verify()["ok"]


def test_an_export_after_a_seq_imports_onto_the_ledger_it_continues(
    ledger: Ledger, tmp_path: Path
) -> None:
    """Found by attacking the CLI: `export --after 50` could not be imported onto a copy
    holding seq 1..50 ('seq 51 follows seq 0: the log has a gap')."""
    fill(ledger)
    first, second = tmp_path / "p1.jsonl", tmp_path / "p2.jsonl"
    with first.open("w") as out:
        export_events(ledger.service, out, upto=3)
    with second.open("w") as out:
        export_events(ledger.service, out, after=3)
    with Ledger.open(tmp_path / "copy.db") as copy:
        import_events(copy.service, str(first))
        assert import_events(copy.service, str(second))["imported"] == 3
        assert copy.digest() == ledger.digest()
        assert import_events(copy.service, str(second))["imported"] == 0
    with Ledger.open(tmp_path / "gap.db") as gap, pytest.raises(IntegrityError, match="seq 3"):
        import_events(gap.service, str(second))


def test_verify_projections_of_a_ledger_never_folded_is_sound_not_a_crash(
    tmp_path: Path,
) -> None:
    """The defect (found by the SIGKILL loop): a kill between a ledger's schema and its first
    fold left no projection tables; `verify --projections` then failed with ':memory:: no
    such table: patterns' (the live database's error, named after the scratch one)."""
    import json

    from tests.conftest import Cli

    path = tmp_path / "bare.db"
    Ledger.open(path, catch_up=False).close()
    result = Cli(path)("verify", "--projections", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["ok"] is True


def test_a_seq_with_leading_zeros_is_that_seq_everywhere(tmp_path: Path) -> None:
    """The defect: as_of=00000000000000000000000000000005 said "beyond the head" (its 32
    digits were taken for a huge number); it is seq 5, on the CLI, HTTP and the dashboard."""
    from fastapi.testclient import TestClient

    from ledger.interfaces.http.app import create_app
    from tests.conftest import Cli

    db = tmp_path / "z.db"
    with Ledger.open(db) as led:
        fill(led)
        at_five = led.digest(as_of=5)
    zeros = "0" * 31 + "5"
    cli = Cli(db)
    assert cli.json("digest", "--as-of", zeros) == at_five
    assert cli.json("roi", "pattern", "p", "--as-of", zeros)["total_executions"] == 4
    huge = "9" * 40
    assert "beyond the head" in cli.error("digest", "--as-of", huge)["error"]
    assert "beyond the head" in cli.error("digest", "--as-of", "0" * 20 + huge)["error"]
    with TestClient(create_app(str(db)), base_url="http://localhost") as client:
        answer = client.get(f"/api/ledger/digest?as_of={zeros}")
        assert answer.json() == at_five and answer.headers["x-as-of-seq"] == "5"
        assert client.get(f"/api/ledger/digest?as_of={huge}").status_code == 422
        page = client.get(f"/?as_of={zeros}")
        assert page.status_code == 200 and "seq 5" in page.text
