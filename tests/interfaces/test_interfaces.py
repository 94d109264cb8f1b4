"""Every interface takes a command's fields from its command model: the CLI's options, the
Python API's parameters and the compat facades' signatures cannot drift from it."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
from pydantic import BaseModel
from typer.testing import CliRunner

from commands.decisions import LogDecision, RecordOutcome
from commands.ledger import Retract
from commands.patterns import ApprovePattern, RecordExecution, RevisePatternEstimates, RevokePattern
from ledger import Ledger, compat
from ledger.interfaces.cli import COMMANDS, build_app
from ledger.interfaces.cli.common import handle_errors
from ledger.interfaces.cli.model_options import SHELL, drift, field_named, from_model, model_of
from ledger.interfaces.cli.startup import command_name

RECORDING = {
    ("pattern", "approve"): ApprovePattern,
    ("pattern", "revise"): RevisePatternEstimates,
    ("pattern", "revoke"): RevokePattern,
    ("record", "execution"): RecordExecution,
    ("record", "decision"): LogDecision,
    ("record", "outcome"): RecordOutcome,
    (None, "retract"): Retract,
}
"""Every CLI command that records one command model, by (group, name)."""

PYTHON_API = {
    "approve_pattern": ApprovePattern,
    "revise_pattern": RevisePatternEstimates,
    "revoke_pattern": RevokePattern,
    "record_execution": RecordExecution,
    "log_decision": LogDecision,
    "record_outcome": RecordOutcome,
    "retract": Retract,
}


def cli_commands() -> dict[tuple[str | None, str], Callable[..., Any]]:
    """Every command of the full CLI tree (`COMMANDS`), by (group, name), to its callback."""
    out: dict[tuple[str | None, str], Callable[..., Any]] = {}
    for name, load in COMMANDS.items():
        target = load()
        if isinstance(target, typer.Typer):
            for info in target.registered_commands:
                out[(name, command_name(info))] = info.callback
        else:
            out[(None, name)] = target.callback
    return out


def test_every_command_is_mounted_and_checked() -> None:
    """The whole tree builds: each command's options checked against its model."""
    shown = CliRunner().invoke(build_app(), ["--help"])
    assert shown.exit_code == 0, shown.output
    for group, name in cli_commands():
        args = [group, name, "--help"] if group else [name, "--help"]
        result = CliRunner().invoke(build_app(), args)
        assert result.exit_code == 0, (args, result.output)


def test_every_recording_command_is_built_on_its_model() -> None:
    commands = cli_commands()
    for key, model in RECORDING.items():
        found = model_of(commands[key])
        assert found is not None, f"{key} is not marked with its command model"
        assert found[0] is model, key


@pytest.mark.parametrize("key", sorted(RECORDING, key=str))
def test_cli_options_are_the_model_fields(key: tuple[str | None, str]) -> None:
    """Same names (or the field's aliases), required where the model requires, defaults None
    or the model's, and each option's help is the field's description."""
    callback = cli_commands()[key]
    assert drift(callback) == []
    model = RECORDING[key]
    params = {n: p for n, p in inspect.signature(callback).parameters.items() if n not in SHELL}
    fields = {field_named(model, n) for n in params}
    assert fields == set(model.model_fields)
    group = [key[0]] if key[0] else []
    shown = CliRunner().invoke(build_app(), [*group, key[1], "--help"], terminal_width=200)
    assert shown.exit_code == 0, shown.output
    for name in params:
        description = model.model_fields[field_named(model, name) or name].description
        assert description, f"{model.__name__}.{name} has no description"
        assert " ".join(description.split()) in " ".join(shown.output.split()), name


def test_a_drifted_command_is_refused_at_start() -> None:
    """The check can fail: an option the model lacks, a required field made optional, a help
    text of its own and a field left out are each named."""

    @from_model("commands.patterns:RevokePattern")
    @handle_errors
    def revoke(
        ctx: typer.Context,
        pattern_id: Annotated[str, typer.Argument()],
        reason: Annotated[str | None, typer.Option()] = None,
        colour: Annotated[str | None, typer.Option()] = None,
        db: str | None = None,
        as_json: bool = False,
    ) -> None:
        """A revoke that drifted."""

    problems = " | ".join(drift(revoke))
    assert "--colour is not a field of RevokePattern" in problems
    assert "--reason must be required" in problems
    assert "idempotency_key" in problems and "expected_version" in problems

    @from_model("commands.patterns:RevokePattern")
    @handle_errors
    def own_help(
        ctx: typer.Context,
        pattern_id: Annotated[str, typer.Argument()],
        reason: Annotated[str, typer.Option(help="Some other words.")],
        revoked_at: Annotated[str | None, typer.Option()] = None,
        idempotency_key: Annotated[str | None, typer.Option()] = None,
        expected_version: Annotated[int | None, typer.Option()] = None,
    ) -> None:
        """A revoke that says its help twice."""

    from ledger.interfaces.cli.model_options import describe

    with pytest.raises(TypeError, match="declares its own help"):
        describe(own_help)


@pytest.mark.parametrize("method", sorted(PYTHON_API))
def test_python_api_takes_the_model_fields(method: str) -> None:
    """Required fields positionally, in the model's order; every other field as a keyword."""
    model = PYTHON_API[method]
    params = list(inspect.signature(getattr(Ledger, method)).parameters.values())[1:]
    positional = [p.name for p in params if p.kind is not inspect.Parameter.VAR_KEYWORD]
    required = [name for name, info in model.model_fields.items() if info.is_required()]
    assert positional == required
    assert params[-1].kind is inspect.Parameter.VAR_KEYWORD


def test_python_api_refuses_an_option_the_model_lacks(tmp_path: Path) -> None:
    from ledger.errors import InputError

    with Ledger.open(tmp_path / "x.db") as led:
        with pytest.raises(InputError, match="colour"):
            led.approve_pattern("p", "1", "1", colour="red")
        assert led.digest()["seq"] == 0


SOURCE_DEFAULTS: dict[str, dict[str, Any]] = {
    "RoiTrackingService.record_execution": {
        "estimated_time_seconds": None,
        "actual_cost": 0.0,
        "estimated_cost": None,
        "success": True,
        "workflow_id": None,
        "error_message": None,
        "executed_at": None,
    },
    "track_pattern_execution": {"error_message": None},
    "DecisionLog.log_decision": {
        "opportunity_content": None,
        "opportunity_score": None,
        "sender": None,
        "decision_maker": None,
        "context": None,
    },
    "DecisionLog.record_outcome": {
        "revenue_generated": 0.0,
        "customer_acquired": False,
        "deal_closed": False,
        "response_received": False,
        "notes": None,
    },
}
"""The source documents' own defaults: the facades keep them so source code runs unchanged."""

COMPAT: dict[str, tuple[Callable[..., Any], type[BaseModel]]] = {
    "RoiTrackingService.record_execution": (
        compat.RoiTrackingService.record_execution,
        RecordExecution,
    ),
    "track_pattern_execution": (compat.track_pattern_execution, RecordExecution),
    "DecisionLog.log_decision": (compat.DecisionLog.log_decision, LogDecision),
    "DecisionLog.record_outcome": (compat.DecisionLog.record_outcome, RecordOutcome),
}


@pytest.mark.parametrize("name", sorted(COMPAT))
def test_compat_parameters_are_model_fields_with_the_source_defaults(name: str) -> None:
    function, model = COMPAT[name]
    params = {
        n: p
        for n, p in inspect.signature(function).parameters.items()
        if n != "self" and p.kind is not inspect.Parameter.VAR_KEYWORD
    }
    assert all(field_named(model, n) for n in params), name
    required = {n for n, info in model.model_fields.items() if info.is_required()}
    assert required <= set(params), f"{name} lacks {required - set(params)}"
    defaults = {n: p.default for n, p in params.items() if p.default is not inspect.Parameter.empty}
    assert defaults == SOURCE_DEFAULTS[name]


def test_error_messages_name_the_option_the_user_typed(tmp_path: Path) -> None:
    """Bug: the label `(--actual-cost)` was never added, because typer passes the context by
    keyword and the error handler looked for it only among the positional arguments."""
    db = str(tmp_path / "l.db")
    runner = CliRunner()
    app = build_app()
    approve = ["--db", db, "pattern", "approve", "p", "--estimated-time-seconds", "5"]
    result = runner.invoke(app, [*approve, "--estimated-cost", "lots"])
    assert result.exit_code == 2
    assert "estimated_cost (--estimated-cost):" in result.stderr
    result = runner.invoke(app, ["--db", db, "pattern", "revoke", "a b", "--reason", "x"])
    assert result.exit_code == 2
    assert "pattern_id (the ID argument):" in result.stderr


def test_a_deeply_nested_context_is_refused_in_words(tmp_path: Path) -> None:
    """Bug: `record decision --context '[[[[…'` ended in a RecursionError traceback."""
    db = str(tmp_path / "l.db")
    args = ["--db", db, "record", "decision", "--decision-id", "d", "--type", "t"]
    result = CliRunner().invoke(
        build_app(), [*args, "--source", "s", "--action", "a", "--context", "[" * 100_000]
    )
    assert result.exit_code == 2, result.output
    assert "context: JSON nested too deeply to read" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_cli_passes_only_what_was_given(tmp_path: Path) -> None:
    """An option left at its default is not sent, so the model's default applies and the
    exact retry of an outcome without flags is a duplicate, not a conflict."""
    db = str(tmp_path / "l.db")
    runner, app = CliRunner(), build_app()
    log = ["--db", db, "record", "decision", "--decision-id", "d", "--type", "t"]
    assert runner.invoke(app, [*log, "--source", "s", "--action", "a"]).exit_code == 0
    outcome = ["--db", db, "record", "outcome", "--decision-id", "d", "--outcome-type", "reply"]
    once = [*outcome, "--status", "success", "--idempotency-key", "k1", "--json"]
    first = runner.invoke(app, once)
    again = runner.invoke(app, once)
    assert first.exit_code == 0 and again.exit_code == 0, again.output
    assert '"duplicate": true' in again.stdout
    other = [*outcome, "--status", "success", "--deal-closed", "--idempotency-key", "k1"]
    conflict = runner.invoke(app, other)
    assert conflict.exit_code == 2 and "idempotency_key" in conflict.stderr
