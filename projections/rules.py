"""The thresholds the figures are judged by, each named once. Code, help texts, report
headings and docs refer to these names ("see rules.MIN_RATED") instead of restating a number.
"""

from __future__ import annotations

from decimal import Decimal

# -- patterns ---------------------------------------------------------------------------------
MIN_RATED = 3
"""Executions a pattern needs before it is rated (fewer: `insufficient_data`); also the
fewest for the underperformers list."""
MIN_TOP = 5
"""Executions a pattern needs to be ranked among the top performers."""

# -- alerts (roi alerts) ----------------------------------------------------------------------
SPIKE_RUNS = 3
"""Runs in the last 7 days before a low success rate there is a failure spike."""
SPIKE_RATE = Decimal("0.70")
"""A success rate over the last 7 days below this is a failure spike ..."""
SPIKE_HIGH = Decimal("0.5")
"""... of high severity below this."""
DEGRADATION_RUNS = 5
"""Runs needed in each of the last 7 days and the 30 days before to compare them."""
DEGRADATION_POINTS = 10
"""A fall of the success rate by at least this many points is a degradation ..."""
DEGRADATION_HIGH = 25
"""... of high severity from this many."""
IDLE_AFTER_DAYS = 7
"""An approved pattern older than this ..."""
IDLE_RUNS = 3
"""... with fewer runs than this in the last 30 days is underused."""
ESTIMATE_RUNS = 3
"""Successful runs before advice says an estimate is too low (more than half exceed it)."""

# -- decisions --------------------------------------------------------------------------------
MIN_DECISIONS = 3
"""Decisions a group needs before an insight is drawn from it."""
MIN_EACH = 10
"""Decisions each side of a comparison needs before it is tested."""
NOTABLE_POINTS = Decimal(10)
"""Conversion-rate gap, in points, worth an insight."""
ALPHA = 0.05
"""The significance bar a comparison's (adjusted) p-value must be below."""
