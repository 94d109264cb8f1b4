"""Wall time of one `roi-ledger record execution` from the shell, next to its floor.

    python bench/startup.py [--runs 21]

Baseline, same run: `python -c "import typer, pydantic; pydantic.BaseModel"` — the two
libraries the command cannot do without. Bytecode is compiled first, as it is after any
normal install (this machine sets PYTHONDONTWRITEBYTECODE, which would otherwise make
every run recompile our sources). Where valgrind is installed, one run of each is also
counted in instructions, which the machine's other load does not move.
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import machine, report  # noqa: E402


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def instructions(cmd: list[str], env: dict[str, str], workdir: Path) -> int | None:
    """Instructions one run executes, counted by callgrind (None without valgrind): unlike
    time, the count does not move with the load other tenants put on the machine."""
    if shutil.which("valgrind") is None:
        return None
    out = workdir / "callgrind.out"
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *cmd],
        env=env,
        capture_output=True,
        text=True,
    )
    found = re.search(r"Collected : (\d+)", run.stderr)
    return int(found.group(1)) if run.returncode == 0 and found else None


MODEL = (
    "import typer, pydantic\n"
    "class Run(pydantic.BaseModel):\n"
    "    pattern_id: str = pydantic.Field(min_length=1)\n"
    "Run(pattern_id='p')"
)
"""A second floor: the same imports and one small validated model, which any pydantic
program pays for (defining a model with a `Field` imports `pydantic.fields`,
`annotated_types` and the schema builder, ~50 ms here, that `pydantic.BaseModel` alone
does not)."""


def shell_append(runs: int, count_instructions: bool = False) -> dict[str, Any]:
    """`runs` interleaved runs of one `record execution` from the shell and of the floor
    (byte-code compiled first): their median wall and CPU seconds, and with
    `count_instructions` (where valgrind is installed) the instructions of one run each."""
    for package in ("events", "commands", "projections", "ledger"):
        compileall.compile_dir(ROOT / package, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ROI_LEDGER_DB": str(Path(tmp) / "s.db")}
        script = shutil.which("roi-ledger")
        cli = [script] if script else [sys.executable, "-m", "ledger"]
        approve = ["pattern", "approve", "p", "--estimated-time-seconds", "60",
                   "--estimated-cost", "0.015"]  # fmt: skip
        subprocess.run([*cli, *approve], check=True, env=env, stdout=subprocess.DEVNULL)
        record = [*cli, "record", "execution", "--pattern-id", "p", "--execution-time-seconds",
                  "45.2", "--actual-cost", "0.012", "--success"]  # fmt: skip
        floor = [sys.executable, "-c", "import typer, pydantic; pydantic.BaseModel"]
        model = [sys.executable, "-c", MODEL]
        ours, base, modelled = [], [], []
        for _ in range(runs):  # interleaved, so load on the machine hits both alike
            base.append(run(floor, env))
            modelled.append(run(model, env))
            ours.append(run(record, env))
        module = [sys.executable, "-m", "ledger", *record[len(cli) :]]
        counted = {
            name: instructions(cmd, env, Path(tmp)) if count_instructions else None
            for name, cmd in (("ours", module), ("floor", floor))
        }
    return {
        "model_wall": statistics.median(x[0] for x in modelled),
        "ours_wall": statistics.median(x[0] for x in ours),
        "floor_wall": statistics.median(x[0] for x in base),
        "ours_cpu": statistics.median(x[1] for x in ours),
        "floor_cpu": statistics.median(x[1] for x in base),
        "ours_instructions": counted["ours"],
        "floor_instructions": counted["floor"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    measured = shell_append(args.runs, count_instructions=True)
    ow, bw = measured["ours_wall"], measured["floor_wall"]
    oc, bc = measured["ours_cpu"], measured["floor_cpu"]
    counted = {"ours": measured["ours_instructions"], "floor": measured["floor_instructions"]}
    print(f"# {machine()}; median of {args.runs} runs each")
    report(
        "one append from the shell (wall time, includes the fsync)",
        [
            ("roi-ledger record execution", f"{ow * 1000:.0f} ms", f"{ow / bw:.2f}x the floor"),
            ("import typer, pydantic", f"{bw * 1000:.0f} ms", "floor"),
            (
                "the same and one small model",
                f"{measured['model_wall'] * 1000:.0f} ms",
                f"ours is {ow / measured['model_wall']:.2f}x this",
            ),
        ],
    )
    report(
        "same runs, CPU time (user + system; steadier on a shared machine)",
        [
            ("roi-ledger record execution", f"{oc * 1000:.0f} ms", f"{oc / bc:.2f}x the floor"),
            ("import typer, pydantic", f"{bc * 1000:.0f} ms", "floor"),
        ],
    )
    if counted["ours"] and counted["floor"]:
        o, b = counted["ours"], counted["floor"]
        report(
            "instructions executed (valgrind callgrind, one run each; repeatable to ~0.1 %)",
            [
                ("roi-ledger record execution", f"{o / 1e6:,.0f} M", f"{o / b:.2f}x the floor"),
                ("import typer, pydantic", f"{b / 1e6:,.0f} M", "floor"),
            ],
        )


if __name__ == "__main__":
    main()
