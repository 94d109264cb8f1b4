"""Fault injection: SIGKILL real `roi-ledger` processes at random points of every operation
that writes — single appends, `record batch`, `rebuild`, `import` and the scheduler's
`schedule catch-up` — and check after every kill that the hash chain verifies, that the
projections equal a rebuild, and that running the operation again to completion ends exactly
where a clean, unkilled run ends: no event twice, no report twice, no report file empty or
half-written.

Kill delays come from a seeded RNG; every failure message names the seed, and
ROI_LEDGER_FAULT_SEED=N replays the same delays (where they land still depends on the
machine's speed). The quick version runs a couple of kills per operation; the `slow` one
(`pytest -m slow`) lands at least 50 in all.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ledger import Ledger
from tests.conftest import Cli, dump_projections, event_count

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "ledger"]
PAST = "2025-06-01T12:00:00Z"
"""`--now` of the report runs: in the past, as a command that records may not run ahead."""
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)

FAST = {"single": 2, "batch": 2, "rebuild": 2, "import": 2, "reports": 2}
SLOW = {"single": 12, "batch": 12, "rebuild": 10, "import": 10, "reports": 12}
assert sum(SLOW.values()) >= 50

TEMP_FILE = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]+\.tmp$")
"""What `ledger.outputs` names a file it is still writing: `.<name>.<random>.tmp`."""


# -- processes and kills ------------------------------------------------------------------
def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    env.pop("ROI_LEDGER_DB", None)
    env.pop("ROI_LEDGER_REPORTS_DIR", None)
    return env


@dataclass
class Faults:
    """The seeded RNG, the delay window and a tally of the kills that landed."""

    seed: int
    workdir: Path
    rng: random.Random = field(init=False)
    kills: int = 0
    attempts: int = 0
    landed: Counter[str] = field(default_factory=Counter)
    env: dict[str, str] = field(default_factory=child_env)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def why(self, text: str) -> str:
        """A failure message that says how to replay this run."""
        return f"{text} [seed {self.seed}: replay with ROI_LEDGER_FAULT_SEED={self.seed}]"

    def run(self, db: Path, *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
        """Run a command to completion in a real process; (seconds it took, the result)."""
        started = time.monotonic()
        done = subprocess.run(
            [*CLI, "--db", str(db), *args],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=self.workdir,
            timeout=300,
        )
        took = time.monotonic() - started
        assert done.returncode == 0 and "Traceback" not in done.stderr, self.why(
            f"clean run of {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}"
        )
        return took, done

    def kill(self, db: Path, args: list[str], window: tuple[float, float]) -> bool:
        """Start `roi-ledger --db DB ARGS`, SIGKILL it after a random delay in `window`.

        True when the kill landed (the process had not exited yet); False when it had
        finished first, in which case it must have succeeded.
        """
        delay = self.rng.uniform(*window)
        self.attempts += 1
        err = self.workdir / f"stderr-{self.attempts}.txt"
        with err.open("wb") as stderr:
            proc = subprocess.Popen(
                [*CLI, "--db", str(db), *args],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                env=self.env,
                cwd=self.workdir,
            )
            try:
                time.sleep(delay)
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=300)
            finally:
                if proc.poll() is None:  # only if the test itself failed above
                    proc.kill()
                    proc.wait()
        text = err.read_text(errors="replace")
        what = f"roi-ledger {' '.join(args)} (delay {delay:.3f}s)"
        assert "Traceback" not in text, self.why(f"{what} printed a traceback:\n{text[-3000:]}")
        if proc.returncode == -signal.SIGKILL:
            self.kills += 1
            return True
        assert proc.returncode == 0, self.why(f"{what} failed ({proc.returncode}): {text[-2000:]}")
        return False


@pytest.fixture
def faults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Faults:
    """A fresh RNG seeded from ROI_LEDGER_FAULT_SEED, else at random (printed)."""
    monkeypatch.chdir(tmp_path)  # nothing in-process writes relative paths into the repo
    text = os.environ.get("ROI_LEDGER_FAULT_SEED")
    seed = int(text) if text else random.SystemRandom().randrange(2**32)
    print(f"fault-injection seed {seed} (ROI_LEDGER_FAULT_SEED={seed} replays it)")
    work = tmp_path / "work"
    work.mkdir()
    return Faults(seed, work)


@pytest.fixture(scope="module")
def startup() -> float:
    """Seconds a `roi-ledger` process takes to start and reach a ledger: the earliest a kill
    can land on anything worth killing."""
    env = child_env()
    best = float("inf")
    for _ in range(2):
        started = time.monotonic()
        subprocess.run(
            [*CLI, "--db", "/nonexistent/ledger.db", "verify", "--json"],
            capture_output=True,
            env=env,
        )
        best = min(best, time.monotonic() - started)
    return best


def window(startup: float, work: float, remaining: float = 1.0) -> tuple[float, float]:
    """Delays from just before the process reaches the ledger to just before it would be
    done, when a clean run's work takes `work` seconds and `remaining` of it is left."""
    low = 0.8 * startup
    high = 0.95 * (startup + work * remaining)
    return low, max(high, low + 0.05)


# -- checks --------------------------------------------------------------------------------
def check_ledger(db: Path, faults: Faults, what: str) -> None:
    """`verify --json` and `verify --projections --json` both exit 0 with "ok": true."""
    if not has_log(db):
        # Killed before the schema committed (no file, an empty one, or SQLite's first page
        # alone): reads rightly refuse it ("no ledger"); the retry below creates the ledger.
        faults.landed["before the ledger file existed"] += 1
        return
    cli = Cli(db)
    for args in (["verify"], ["verify", "--projections"]):
        result = cli(*args, "--json")
        shown = f"roi-ledger {' '.join(args)} --json after {what}"
        assert result.exit_code == 0, faults.why(
            f"{shown} exited {result.exit_code}: {result.stdout}{result.stderr}{result.exception!r}"
        )
        body = json.loads(result.stdout)
        assert body["ok"] is True, faults.why(f"{shown}: {body}")
        if "--projections" in args:
            assert body["projections"]["ok"] is True, faults.why(f"{shown}: {body}")
    assert_guarded(db, faults, what)


def has_log(db: Path) -> bool:
    """Whether the file holds a ledger's log table yet."""
    if not db.exists() or db.stat().st_size == 0:
        return False
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return bool(conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'events'").fetchone())


def assert_guarded(db: Path, faults: Faults, what: str) -> None:
    """The log is still append-only: its triggers refuse an UPDATE (even one that changes
    nothing) of an event."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        if conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0:
            return
        try:
            conn.execute("UPDATE events SET payload = payload WHERE seq = 1")
        except sqlite3.DatabaseError:
            return
        conn.rollback()
    pytest.fail(faults.why(f"after {what}: an UPDATE of events was not refused"))


def cli_json(cli: Cli, faults: Faults, *args: str) -> Any:
    """Run in-process with --json; exit 0 and no traceback, or a message naming the seed."""
    result = cli(*args, "--json")
    assert result.exit_code == 0, faults.why(
        f"roi-ledger {' '.join(args)} exited {result.exit_code}: {result.stdout}"
        f"{result.stderr}{result.exception!r}"
    )
    return json.loads(result.stdout)


def timed(cli: Cli, faults: Faults, *args: str) -> tuple[float, Any]:
    """A clean run in-process: (seconds its work took, its JSON answer)."""
    started = time.monotonic()
    answer = cli_json(cli, faults, *args)
    return time.monotonic() - started, answer


def log_rows(db: Path) -> list[tuple[Any, ...]]:
    """Every event as (stream, version, type, payload, key): what two runs of the same
    commands must agree on (seq follows from the order; times recorded and hashes differ)."""
    if not db.exists():
        return []
    with contextlib.closing(sqlite3.connect(db)) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "events" not in tables:
            return []
        return conn.execute(
            "SELECT stream_id, stream_version, event_type, payload, idempotency_key "
            "FROM events ORDER BY seq"
        ).fetchall()


def chain(db: Path) -> list[tuple[int, str]]:
    """(seq, hash) of every event."""
    if not db.exists():
        return []
    with contextlib.closing(sqlite3.connect(db)) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        if "events" not in tables:
            return []
        return conn.execute("SELECT seq, hash FROM events ORDER BY seq").fetchall()


def behind(db: Path) -> bool:
    """Whether some projection's checkpoint is short of the head (a rebuild cut short)."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        head = conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]
        low = conn.execute("SELECT min(position) FROM projection_checkpoints").fetchone()[0]
    return bool(low is None or low < head)


def clone(src: Path, dst: Path) -> None:
    """A consistent copy of a SQLite ledger."""
    with (
        contextlib.closing(sqlite3.connect(src)) as a,
        contextlib.closing(sqlite3.connect(dst)) as b,
    ):
        a.backup(b)


def at(hours: int) -> str:
    return (EPOCH + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def should_kill(faults: Faults, target: int, left: int) -> bool:
    """Whether to kill this one of `left` remaining steps, spreading the kills still needed
    over them at random."""
    needed = target - faults.kills
    return needed > 0 and (needed >= left or faults.rng.random() < needed / left)


def summary(faults: Faults, op: str) -> None:
    print(
        f"{op}: {faults.kills} kills in {faults.attempts} attempts "
        f"(seed {faults.seed}); landed: {dict(faults.landed)}"
    )


# -- 1. single appends ----------------------------------------------------------------------
def single_plan(count: int) -> list[list[str]]:
    """An approval, then decisions, executions and outcomes in turn, each with its key and
    its time given (so a retry is the very same command)."""
    plan = [
        ["pattern", "approve", "p", "--estimated-time-seconds", "60", "--estimated-cost",
         "0.015", "--approved-at", at(0), "--idempotency-key", "single-0"],
    ]  # fmt: skip
    while len(plan) < count:
        i = len(plan)
        key = ["--idempotency-key", f"single-{i}"]
        decision = f"d{(i - 1) // 3}"
        step = (i - 1) % 3
        if step == 0:
            plan.append(
                ["record", "decision", "--decision-id", decision, "--type", "consulting",
                 "--source", "email", "--action", "replied", "--score", "70",
                 "--decided-at", at(i), *key]
            )  # fmt: skip
        elif step == 1:
            plan.append(
                ["record", "execution", "--pattern-id", "p", "--execution-time-seconds", "41.5",
                 "--actual-cost", "0.011", "--success", "--workflow-id", str(i),
                 "--executed-at", at(i), *key]
            )  # fmt: skip
        else:
            plan.append(
                ["record", "outcome", "--decision-id", decision, "--outcome-type", "conversion",
                 "--status", "success", "--revenue", "125.50", "--customer-acquired",
                 "--occurred-at", at(i), *key]
            )  # fmt: skip
    return plan


def single_appends(faults: Faults, startup: float, tmp_path: Path, target: int, size: int) -> None:
    plan = single_plan(size)
    clean_db = tmp_path / "single-clean.db"
    took, _ = faults.run(clean_db, *plan[0], "--json")  # the slowest: it creates the schema
    clean = Cli(clean_db)
    for cmd in plan[1:]:
        assert cli_json(clean, faults, *cmd)["duplicate"] is False
    expected = log_rows(clean_db)
    assert len(expected) == len(plan)
    # a single append's own work is a few milliseconds at the very end of its process: aim
    # at the whole run, tail included (a kill that comes too late just finds it finished)
    delays = (0.8 * startup, 1.1 * took)

    for cycle in range(4 * target):
        if faults.kills >= target:
            break
        db = tmp_path / f"single-{cycle}.db"
        cli = Cli(db)
        for i, cmd in enumerate(plan):
            assert event_count(db) == i, faults.why(f"cycle {cycle}: before command {i}")
            committed = None
            if should_kill(faults, target, len(plan) - i) and faults.kill(
                db, [*cmd, "--json"], delays
            ):
                what = f"SIGKILL of single append {i} ({cmd[1]}) in cycle {cycle}"
                check_ledger(db, faults, what)
                stored = event_count(db)
                assert stored in (i, i + 1), faults.why(f"{what}: {stored} events (half-applied?)")
                committed = stored == i + 1
                faults.landed["after its commit" if committed else "before its commit"] += 1
            # the retry with the same key (or, when not killed, the command itself)
            answer = cli_json(cli, faults, *cmd)
            if committed is not None:
                assert answer["duplicate"] is committed, faults.why(f"retry of {i}: {answer}")
            assert answer["seq"] == i + 1, faults.why(f"cycle {cycle}: command {i}: {answer}")
            assert event_count(db) == i + 1, faults.why(f"cycle {cycle}: after command {i}")
        # the whole loop once more, as a client that lost every answer would: nothing new
        for cmd in plan:
            assert cli_json(cli, faults, *cmd)["duplicate"] is True
        assert log_rows(db) == expected, faults.why(f"cycle {cycle}: log differs from a clean run")
        check_ledger(db, faults, f"cycle {cycle} completed")
    summary(faults, "single appends")
    assert faults.kills >= target, faults.why(f"only {faults.kills} of {target} kills landed")


# -- 2. record batch ----------------------------------------------------------------------
def write_lines(path: Path, count: int, prefix: str) -> list[str]:
    """`count` batch lines — approvals, decisions, outcomes and executions, each with its
    idempotency key and time — and their keys in file order."""
    keys: list[str] = []
    with path.open("w") as handle:

        def line(key: str, **fields: Any) -> None:
            handle.write(json.dumps({**fields, "idempotency_key": key}) + "\n")
            keys.append(key)

        for p in range(3):
            line(f"{prefix}-a{p}", command="approve", pattern_id=f"p{p}",
                 estimated_time_seconds=60, estimated_cost=0.015, approved_at=at(0))  # fmt: skip
        i = 0
        while len(keys) < count:
            i += 1
            step = i % 4
            if step == 0:
                line(f"{prefix}-d{i}", command="decision", decision_id=f"d{i}",
                     type=("consulting", "partnership")[i % 2],
                     source=("email", "twitter", "email")[i % 3], action="replied",
                     score=50 + i % 50, decided_at=at(i))  # fmt: skip
            elif step == 1 and i > 4:
                line(f"{prefix}-o{i}", command="outcome", decision_id=f"d{i - 1}",
                     outcome_type="conversion", status=("success", "failed")[i % 3 == 0],
                     revenue=i % 200, customer_acquired=i % 3 != 0, occurred_at=at(i))  # fmt: skip
            else:
                line(f"{prefix}-e{i}", command="execution", pattern_id=f"p{i % 3}",
                     execution_time_seconds=30 + i % 40, actual_cost=0.01, success=i % 7 != 0,
                     executed_at=at(i))  # fmt: skip
    return keys


def record_batch(
    faults: Faults, startup: float, tmp_path: Path, target: int, lines: int, chunk: int
) -> None:
    path = tmp_path / "batch.jsonl"
    keys = write_lines(path, lines, "b")
    args = ["record", "batch", str(path), "--chunk-size", str(chunk), "--json"]
    clean_db = tmp_path / "batch-clean.db"
    took, done = timed(Cli(clean_db), faults, *args[:-1])
    assert done["accepted"] == lines
    expected = log_rows(clean_db)
    assert [r[4] for r in expected] == keys
    per_cycle = min(3, target)

    for cycle in range(4 * target):
        if faults.kills >= target:
            break
        db = tmp_path / f"batch-{cycle}.db"
        for attempt in range(per_cycle):
            left = max(1 - event_count(db) / lines, 0.3)  # a rerun skips duplicates quickly
            if faults.kills >= target or not faults.kill(db, args, window(startup, took, left)):
                break
            what = f"SIGKILL {attempt + 1} of record batch in cycle {cycle}"
            check_ledger(db, faults, what)
            stored = log_rows(db)
            # a clean prefix: exactly the first lines of the file, as a clean run stored them
            assert stored == expected[: len(stored)], faults.why(f"{what}: not a clean prefix")
            # whole chunks: lines commit `chunk` at a time, counted from the file's start
            assert len(stored) % chunk == 0 or len(stored) == lines, faults.why(
                f"{what}: {len(stored)} events, not whole chunks of {chunk}"
            )
            faults.landed[
                "midway" if 0 < len(stored) < lines else "before any" if not stored else "after all"
            ] += 1
        before = len(log_rows(db))
        out = cli_json(Cli(db), faults, *args[:-1])
        assert (out["accepted"], out["duplicates"], out["rejected"]) == (
            lines - before,
            before,
            0,
        ), faults.why(f"cycle {cycle}: rerun after {before} stored: {out}")
        assert log_rows(db) == expected, faults.why(f"cycle {cycle}: log differs from a clean run")
        again = cli_json(Cli(db), faults, *args[:-1])
        assert (again["accepted"], again["duplicates"]) == (0, lines), faults.why(str(again))
        assert event_count(db) == lines
        check_ledger(db, faults, f"cycle {cycle} completed")
    summary(faults, "record batch")
    assert faults.kills >= target, faults.why(f"only {faults.kills} of {target} kills landed")


# -- 3. rebuild -----------------------------------------------------------------------------
def rebuild(faults: Faults, startup: float, tmp_path: Path, target: int, events: int) -> None:
    path = tmp_path / "rebuild.jsonl"
    write_lines(path, events, "r")
    db = tmp_path / "rebuild.db"
    cli = Cli(db)
    assert cli_json(cli, faults, "record", "batch", str(path))["accepted"] == events
    took, done = timed(cli, faults, "rebuild")
    assert done["events"] == events
    with Ledger.open(db) as led:
        projections = dump_projections(led)
    log = chain(db)
    delays = window(startup, took)

    for attempt in range(4 * target):
        if faults.kills >= target:
            break
        if not faults.kill(db, ["rebuild", "--json"], delays):
            faults.landed["finished first"] += 1
            continue
        what = f"SIGKILL {attempt + 1} of rebuild"
        faults.landed["projections behind the log" if behind(db) else "projections whole"] += 1
        check_ledger(db, faults, what)
        assert chain(db) == log, faults.why(f"{what}: the log changed")
        with Ledger.open(db) as led:
            assert dump_projections(led) == projections, faults.why(f"{what}: projections")
    out = cli_json(cli, faults, "rebuild")
    assert out["events"] == events and out["chain"]["ok"], faults.why(str(out))
    assert chain(db) == log
    check_ledger(db, faults, "rebuild completed")
    summary(faults, "rebuild")
    assert faults.kills >= target, faults.why(f"only {faults.kills} of {target} kills landed")


# -- 4. import ------------------------------------------------------------------------------
def import_export(faults: Faults, startup: float, tmp_path: Path, target: int, events: int) -> None:
    path = tmp_path / "source.jsonl"
    write_lines(path, events, "i")
    source_db = tmp_path / "source.db"
    source = Cli(source_db)
    assert cli_json(source, faults, "record", "batch", str(path))["accepted"] == events
    export = tmp_path / "export.jsonl"
    assert cli_json(source, faults, "export", "--output", str(export))["exported"] == events
    digest = cli_json(source, faults, "digest")
    expected = chain(source_db)
    args = ["import", str(export), "--json"]
    clean_db = tmp_path / "import-clean.db"
    took, done = timed(Cli(clean_db), faults, *args[:-1])
    assert done["imported"] == events
    assert chain(clean_db) == expected
    per_cycle = min(3, target)

    for cycle in range(4 * target):
        if faults.kills >= target:
            break
        db = tmp_path / f"import-{cycle}.db"
        for attempt in range(per_cycle):
            left = max(1 - event_count(db) / events, 0.5)  # the file is checked whole first
            if faults.kills >= target or not faults.kill(db, args, window(startup, took, left)):
                break
            what = f"SIGKILL {attempt + 1} of import in cycle {cycle}"
            check_ledger(db, faults, what)
            stored = chain(db)
            assert stored == expected[: len(stored)], faults.why(f"{what}: not the export's prefix")
            faults.landed[
                "midway"
                if 0 < len(stored) < events
                else "before any"
                if not stored
                else "after all"
            ] += 1
        before = len(chain(db))
        out = cli_json(Cli(db), faults, *args[:-1])
        assert (out["imported"], out["already_present"]) == (events - before, before), faults.why(
            f"cycle {cycle}: import after {before} stored: {out}"
        )
        assert (out["seq"], out["hash"]) == (digest["seq"], digest["hash"]), faults.why(str(out))
        assert chain(db) == expected, faults.why(f"cycle {cycle}: not the source's log")
        again = cli_json(Cli(db), faults, *args[:-1])
        assert (again["imported"], again["already_present"]) == (0, events), faults.why(str(again))
        check_ledger(db, faults, f"cycle {cycle} completed")
    summary(faults, "import")
    assert faults.kills >= target, faults.why(f"only {faults.kills} of {target} kills landed")


# -- 5. scheduled reports ---------------------------------------------------------------------
def report_events(db: Path, reports: Path) -> dict[str, dict[str, Any]]:
    """Each report stream's events: stream -> its one ReportGenerated payload (files relative
    to the reports folder), plus how many events the stream holds."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        rows = conn.execute(
            "SELECT stream_id, event_type, payload FROM events "
            "WHERE stream_id LIKE 'report:%' ORDER BY seq"
        ).fetchall()
    out: dict[str, dict[str, Any]] = {}
    for stream, kind, payload in rows:
        body = json.loads(payload)
        entry = out.setdefault(stream, {"events": 0})
        entry["events"] += 1
        entry["type"] = kind
        entry["files"] = [str(Path(f).relative_to(reports)) for f in body.get("files", [])]
        entry["as_of_seq"] = body.get("as_of_seq")
    return out


def whole(path: Path) -> str | None:
    """Why a report file is not whole, or None when it is."""
    data = path.read_bytes()
    if not data:
        return "empty (0 bytes)"
    if not data.endswith(b"\n"):
        return "does not end with its last line (cut short?)"
    text = data.decode("utf-8")
    if path.suffix == ".json":
        try:
            json.loads(text)
        except ValueError as exc:
            return f"not whole JSON ({exc})"
    elif path.suffix == ".md" and not text.startswith("# "):
        return "Markdown without its title"
    return None


def report_files(reports: Path, faults: Faults, what: str, *, final: bool) -> set[str]:
    """Every report file is whole. A temp file a killed run left is no report: it is allowed
    beside its final file, which must exist (whole) once the run has completed (`final`).
    Returns the report files' paths relative to `reports`."""
    names: set[str] = set()
    temps: list[Path] = []
    for path in reports.rglob("*"):
        if path.is_dir():
            continue
        if TEMP_FILE.match(path.name):
            temps.append(path)
            continue
        problem = whole(path)
        assert problem is None, faults.why(f"{what}: {path} is {problem}")
        names.add(str(path.relative_to(reports)))
    for temp in temps:
        match = TEMP_FILE.match(temp.name)
        assert match is not None
        target = temp.with_name(match["name"])
        if final:
            assert target.exists(), faults.why(f"{what}: {temp} left, and no {target.name}")
            faults.landed["temp file left beside its whole report"] += 1
    return names


def check_recorded(db: Path, reports: Path, faults: Faults, what: str) -> dict[str, Any]:
    """Every report stream holds exactly one ReportGenerated event, whose files exist, are
    whole, and (the JSON ones) state the head the event recorded: the files on disk are the
    ones the log says were produced."""
    recorded = report_events(db, reports)
    for stream, entry in recorded.items():
        assert (entry["events"], entry["type"]) == (1, "ReportGenerated"), faults.why(
            f"{what}: {stream} holds {entry}"
        )
        for name in entry["files"]:
            path = reports / name
            assert path.exists(), faults.why(f"{what}: {stream} recorded {name}, not on disk")
            problem = whole(path)
            assert problem is None, faults.why(f"{what}: {path} is {problem}")
            if path.suffix == ".json":
                stated = json.loads(path.read_text()).get("as_of_seq")
                assert stated == entry["as_of_seq"], faults.why(
                    f"{what}: {name} says as_of_seq {stated}, its event {entry['as_of_seq']}"
                )
    return recorded


def scheduled_reports(
    faults: Faults, startup: float, tmp_path: Path, target: int, days: int
) -> None:
    template = tmp_path / "demo.db"
    cli_json(Cli(template), faults, "demo", "--days", str(days), "--now", PAST)
    demo_events = event_count(template)

    def args(reports: Path) -> list[str]:
        return ["schedule", "catch-up", "--now", PAST, "--reports-dir", str(reports), "--json"]

    clean_db, clean_reports = tmp_path / "reports-clean.db", tmp_path / "reports-clean"
    clone(template, clean_db)
    took, done = timed(Cli(clean_db), faults, *args(clean_reports)[:-1])
    assert not any(r.get("error") for r in done), done
    clean_count = event_count(clean_db)
    clean_recorded = check_recorded(clean_db, clean_reports, faults, "clean catch-up")
    clean_files = report_files(clean_reports, faults, "clean catch-up", final=True)
    # the demo was recorded after PAST, so catch-up files the summaries of its days but no
    # snapshot (ROI report, alerts) of a moment before the ledger knew anything (issue 19)
    assert not any(":roi-" in stream for stream in clean_recorded), sorted(clean_recorded)
    assert len(clean_recorded) > 50 and clean_count > demo_events + 50
    per_cycle = min(3, target)

    for cycle in range(4 * target):
        if faults.kills >= target:
            break
        db, reports = tmp_path / f"reports-{cycle}.db", tmp_path / f"reports-{cycle}"
        clone(template, db)
        for attempt in range(per_cycle):
            done_share = len(report_events(db, reports)) / len(clean_recorded)
            left = max(1 - done_share, 0.2)
            if faults.kills >= target or not faults.kill(
                db, args(reports), window(startup, took, left)
            ):
                break
            what = f"SIGKILL {attempt + 1} of schedule catch-up in cycle {cycle}"
            check_ledger(db, faults, what)
            if reports.exists():
                report_files(reports, faults, what, final=False)
            recorded = check_recorded(db, reports, faults, what)
            faults.landed[
                "midway"
                if 0 < len(recorded) < len(clean_recorded)
                else "before any report"
                if not recorded
                else "after all"
            ] += 1
        results = cli_json(Cli(db), faults, *args(reports)[:-1])
        assert not any(r.get("error") for r in results), faults.why(str(results))
        what = f"cycle {cycle} completed"
        assert event_count(db) == clean_count, faults.why(
            f"{what}: {event_count(db)} events, a clean run has {clean_count}"
        )
        recorded = check_recorded(db, reports, faults, what)
        assert recorded == clean_recorded, faults.why(f"{what}: report events differ")
        assert report_files(reports, faults, what, final=True) == clean_files, faults.why(what)
        assert cli_json(Cli(db), faults, *args(reports)[:-1]) == [], faults.why("not caught up")
        assert event_count(db) == clean_count
        check_ledger(db, faults, what)
    summary(faults, "schedule catch-up")
    assert faults.kills >= target, faults.why(f"only {faults.kills} of {target} kills landed")


# -- the tests -----------------------------------------------------------------------------
OPERATIONS = ["single", "batch", "rebuild", "import", "reports"]


def run_operation(
    op: str, faults: Faults, startup: float, tmp_path: Path, kills: int, slow: bool
) -> None:
    if op == "single":
        single_appends(faults, startup, tmp_path, kills, size=16 if slow else 4)
    elif op == "batch":
        record_batch(faults, startup, tmp_path, kills, lines=8000 if slow else 3000, chunk=25)
    elif op == "rebuild":
        rebuild(faults, startup, tmp_path, kills, events=15_000 if slow else 3000)
    elif op == "import":
        import_export(faults, startup, tmp_path, kills, events=12_000 if slow else 5200)
    else:
        scheduled_reports(faults, startup, tmp_path, kills, days=60)


@pytest.mark.parametrize("op", OPERATIONS)
def test_sigkill_then_rerun_leaves_a_sound_ledger(
    op: str, faults: Faults, startup: float, tmp_path: Path
) -> None:
    """A kill or two per operation: quick enough for every CI run."""
    run_operation(op, faults, startup, tmp_path, FAST[op], slow=False)


@pytest.mark.slow
@pytest.mark.parametrize("op", OPERATIONS)
def test_sigkill_loop_torture(op: str, faults: Faults, startup: float, tmp_path: Path) -> None:
    """Many kills per operation, over fresh and half-done runs alike (56 kills in all)."""
    run_operation(op, faults, startup, tmp_path, SLOW[op], slow=True)
