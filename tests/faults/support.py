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

from tests.conftest import Cli

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "ledger"]
PAST = "2025-06-01T12:00:00Z"
"""`--now` of the report runs: in the past, as a command that records may not run ahead."""
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
FAST = {"single": 2, "batch": 2, "rebuild": 2, "import": 2, "reports": 2}
SLOW = {"single": 12, "batch": 12, "rebuild": 10, "import": 10, "reports": 12}
assert sum(SLOW.values()) >= 50


TEMP_FILE = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]+\.tmp$")
"""What `ledger.core.outputs` names a file it is still writing: `.<name>.<random>.tmp`."""


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


# -- 3. rebuild -----------------------------------------------------------------------------
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
