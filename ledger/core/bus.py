"""The one place that wires a ledger together: its projections and its message bus.

The bus is a dict from command class to handler (the tables in `ledger/core/pattern_handlers.py` and
`ledger/core/decision_handlers.py`). A command module's table is imported the first time one of its
commands is dispatched, so a one-event append from the shell defines only the models it uses.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING

from commands.base import Command

if TYPE_CHECKING:
    from ledger.core.pattern_handlers import Handler

from projections.alerts import AlertLifecycle
from projections.base import Projection
from projections.costs import PatternCosts
from projections.daily_stats import PatternDailyStats
from projections.decisions import DecisionMetrics
from projections.executions import PatternExecutions
from projections.patterns import PatternRegistry
from projections.predictions import OpportunityPredictions
from projections.reports import ReportPeriods
from projections.roi_summary import RoiSummary


def build_projections() -> list[Projection]:
    """Every inline projection, in the order they are folded."""
    return [
        PatternRegistry(),
        PatternExecutions(),
        RoiSummary(),
        PatternDailyStats(),
        PatternCosts(),
        DecisionMetrics(),
        OpportunityPredictions(),
        ReportPeriods(),
        AlertLifecycle(),
    ]


TABLES = {
    "commands.patterns": "ledger.core.pattern_handlers",
    "commands.decisions": "ledger.core.decision_handlers",
    "commands.ledger": "ledger.core.decision_handlers",
}
"""Each command module to the module holding its handler table."""

_BUS: dict[type[Command], Handler] = {}


def handler_for(command: Command) -> Handler:
    """The handler of a command (or of the command class a batch-line model extends)."""
    kind = type(command)
    handler = _BUS.get(kind)
    if handler is None:
        for cls in kind.__mro__:
            table = TABLES.get(cls.__module__)
            if table is not None:
                _BUS.update(importlib.import_module(table).HANDLERS)
            if cls in _BUS:
                handler = _BUS[kind] = _BUS[cls]
                break
        else:
            raise TypeError(f"no handler for {kind.__name__}")
    return handler


@cache
def batch_commands() -> dict[str, type[Command]]:
    """The `command` names `record batch` accepts, to their command classes."""
    from commands import decisions, patterns
    from commands import ledger as ledger_commands

    return {
        "approve": patterns.ApprovePattern,
        "revise": patterns.RevisePatternEstimates,
        "revoke": patterns.RevokePattern,
        "execution": patterns.RecordExecution,
        "cost": patterns.RecordPatternCost,
        "decision": decisions.LogDecision,
        "outcome": decisions.RecordOutcome,
        "prediction": decisions.RecordPrediction,
        "retract": ledger_commands.Retract,
    }


@cache
def producers() -> dict[str, type[Command]]:
    """Each event type to the one command that records it (an import replays it)."""
    from commands import decisions, patterns
    from commands import ledger as ledger_commands

    out: dict[str, type[Command]] = {}
    for module in (patterns, decisions, ledger_commands):
        for cls in vars(module).values():
            if (
                isinstance(cls, type)
                and issubclass(cls, Command)
                and cls.__module__ == module.__name__
                and "produces" in vars(cls)
            ):
                name = cls.produces.__name__
                if name in out:
                    raise TypeError(f"{name} has two commands: {out[name]}, {cls}")
                out[name] = cls
    return out
