"""The one place that wires projections into a ledger."""

from __future__ import annotations

from projections.base import Projection
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
        DecisionMetrics(),
        OpportunityPredictions(),
        ReportPeriods(),
    ]
