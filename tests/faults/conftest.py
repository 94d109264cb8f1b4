"""What every fault-injection test takes: the seeded kills and Python's start-up time."""

from __future__ import annotations

import os
import random
import subprocess
import time
from pathlib import Path

import pytest

from tests.faults.support import CLI, Faults, child_env


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


@pytest.fixture(scope="package")
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
