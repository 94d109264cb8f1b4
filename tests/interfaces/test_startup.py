"""Recording one event from the shell imports only what it uses (no timing here: see bench/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LAZY = (
    # pydantic imports it (and email, socket, csv, zipfile) only to look for plugins
    "importlib.metadata",
    # the decision loop's models and queries: an execution never needs them
    "commands.decisions",
    "events.decisions",
    "projections.decision_rows",
    "projections.conversion_math",
    "projections.insights",
    "projections.prediction_math",
    "ledger.store.as_of",
    # the reads (ledger/queries): a facade method imports its query on first use
    "ledger.queries.patterns",
    "ledger.queries.roi",
    "ledger.queries.portfolio",
    "ledger.queries.decisions",
    "ledger.queries.summaries",
    "ledger.queries.restatement",
    "rfc8785",
)

HEAVY = (
    "fastapi",
    "starlette",
    "uvicorn",
    "apscheduler",
    "psycopg",
    "sqlite_utils",
    "prometheus_client",
    "rich",
    "httpx",
    "scipy",
)

PROBE = f"""
import json, sys
from ledger.interfaces.cli import main
sys.argv = ["roi-ledger", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as exc:
    assert exc.code == 0, exc.code
print(json.dumps(sorted(({{m.split(".")[0] for m in sys.modules}} & set({HEAVY!r}))
                        | (set(sys.modules) & set({LAZY!r})))))
"""


def loaded(args: list[str]) -> list[str]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_recording_an_execution_imports_nothing_heavy_or_unused(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    assert (
        loaded(
            [
                "--db",
                db,
                "pattern",
                "approve",
                "p",
                "--estimated-time-seconds",
                "60",
                "--estimated-cost",
                "0.015",
            ]
        )
        == []
    )
    assert (
        loaded(
            [
                "--db",
                db,
                "record",
                "execution",
                "--pattern-id",
                "p",
                "--execution-time-seconds",
                "45",
                "--actual-cost",
                "0.01",
                "--success",
            ]
        )
        == []
    )


def test_the_cli_still_runs_pydantic_models_of_every_kind(tmp_path: Path) -> None:
    """The CLI stands in for pydantic's plugin loader; a decision (other models, other
    validators) and a read that decodes events must still work through it."""
    db = str(tmp_path / "s.db")
    decision = ["--db", db, "record", "decision", "--decision-id", "d1", "--type", "job"]
    for args in ([*decision, "--source", "email", "--action", "replied"], ["--db", db, "log"]):
        modules = loaded(args)  # asserts exit code 0
        assert "commands.decisions" in modules or args[2] == "log"
        assert "importlib.metadata" not in modules


GUARD = """
import json, os, sys
from ledger.interfaces.cli.startup import LOADER, skip_plugin_search
out = {"odd": skip_plugin_search("3.1.0"), "garbled": skip_plugin_search("x.y")}
out["after_odd"] = LOADER in sys.modules
out["tested"] = skip_plugin_search()
out["installed"] = LOADER in sys.modules
out["env"] = os.environ.get("PYDANTIC_DISABLE_PLUGINS")
print(json.dumps(out))
"""


def run_guard(extra: dict[str, str]) -> dict[str, object]:
    """The guard's answers in a fresh interpreter (no PYDANTIC_DISABLE_PLUGINS unless given)."""
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    run = subprocess.run(
        [sys.executable, "-c", GUARD], capture_output=True, text=True, env={**env, **extra}
    )
    assert run.returncode == 0, run.stderr
    result: dict[str, object] = json.loads(run.stdout)
    return result


def test_the_plugin_loader_stand_in_is_guarded_by_the_pydantic_release() -> None:
    """Outside the tested releases pydantic keeps its own loader; inside, the stand-in goes in
    without setting anything in the environment (child processes see pydantic as is)."""
    assert run_guard({}) == {
        "odd": False,
        "garbled": False,
        "after_odd": False,
        "tested": True,
        "installed": True,
        "env": None,
    }


def test_a_user_who_configures_pydantic_plugins_gets_pydantic_s_own_path() -> None:
    result = run_guard({"PYDANTIC_DISABLE_PLUGINS": "some_plugin"})
    assert result["tested"] is False and result["installed"] is False
