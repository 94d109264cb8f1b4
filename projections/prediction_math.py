"""Predictions for new opportunities from similar past decisions, and the score formula.

Similar = same type and source; with none, the same type (any source), then the same source,
each with lower confidence, and the reasoning says so (README "Decisions and outcomes"):
`conversion_probability`
and `predicted_revenue` are those decisions' rate and average revenue, and the score formula
reads them, as the source document's does.

Beside them, an estimate that borrows strength up a hierarchy (empirical Bayes): the whole
ledger's rate (with an even Beta(1, 1) prior, so an empty ledger says 50 %), then the type's
and the source's rates, each shrunk toward the ledger's, then the pair's, shrunk toward the
blend of its type and source (weighted by how much each has seen); the prior strength `m`
comes from how much the groups' rates really differ (`prior_strength`). It is reported as
`shrunk_conversion_probability` and `shrunk_predicted_revenue`, and a pairing with no similar
decisions at all gets these estimates as its `conversion_probability` and
`predicted_revenue`: never 0 for being unseen (README "What the statistics mean").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from projections.conversion_math import Contribution, metrics
from projections.conversions import Group
from projections.formats import money, percent, percent_range
from projections.stats import sample_confidence

MODEL_VERSION = "hierarchy-v2"
FALLBACK_FACTOR = {"type+source": 1.0, "type": 0.7, "source": 0.5, "none": 0.0}
PRIOR_DEFAULT = 5.0
PRIOR_MIN, PRIOR_MAX = 1.0, 100.0


def q(value: Decimal | float, places: str) -> Decimal:
    """Round half-up for presentation."""
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def prior_strength(groups: Sequence[Group]) -> float:
    """Beta prior strength by the method of moments over the (source, type) groups.

    The spread of group rates beyond what sampling alone explains estimates how much true
    rates differ; little spread → strong pooling. Fewer than two groups: a weak default.
    """
    sized = [(c.customers, c.decisions) for _, _, c in groups if c.decisions > 0]
    total = sum(n for _, n in sized)
    if len(sized) < 2 or total == 0:
        return PRIOR_DEFAULT
    mean = sum(k for k, _ in sized) / total
    if mean in (0.0, 1.0):
        return PRIOR_MAX
    spread = sum(n * (k / n - mean) ** 2 for k, n in sized) / total
    between = spread - mean * (1 - mean) * len(sized) / total
    if between <= 0:
        return PRIOR_MAX
    return min(PRIOR_MAX, max(PRIOR_MIN, mean * (1 - mean) / between - 1))


def shrunk_rate(customers: int, decisions: int, parent_rate: float, strength: float) -> float:
    """Posterior mean under Beta(strength·p₀, strength·(1−p₀)): (k + m·p₀) / (n + m)."""
    return (customers + strength * parent_rate) / (decisions + strength)


def _totals(
    groups: Sequence[Group],
) -> tuple[
    dict[tuple[str, str], Contribution],
    dict[str, Contribution],
    dict[str, Contribution],
    Contribution,
]:
    combos: dict[tuple[str, str], Contribution] = {}
    types: dict[str, Contribution] = {}
    sources: dict[str, Contribution] = {}
    overall = Contribution()
    for source, kind, c in groups:
        combos[(source, kind)] = c
        types[kind] = types.get(kind, Contribution()) + c
        sources[source] = sources.get(source, Contribution()) + c
        overall = overall + c
    return combos, types, sources, overall


def _blend(levels: Sequence[tuple[float, int]], strength: float) -> float:
    """Estimates weighted by how much each level has seen (n + m)."""
    weight = sum(n + strength for _, n in levels)
    return sum(value * (n + strength) for value, n in levels) / weight


def _average(total: Decimal, n: int, parent: float, strength: float) -> float:
    """An average revenue per decision shrunk toward `parent`: (Σ + m·parent) / (n + m)."""
    return (float(total) + strength * parent) / (n + strength)


def predict(
    groups: Sequence[Group], opportunity_type: str, opportunity_source: str
) -> dict[str, Any]:
    """What history says about an opportunity of this type from this source."""
    combos, types, sources, overall = _totals(groups)
    pair = combos.get((opportunity_source, opportunity_type)) or Contribution()
    kind = types.get(opportunity_type) or Contribution()
    source = sources.get(opportunity_source) or Contribution()
    m = prior_strength(groups)
    everyone = (overall.customers + 1) / (overall.decisions + 2)  # Beta(1, 1): 50 % when empty
    revenue_all = float(overall.revenue) / overall.decisions if overall.decisions else 0.0
    levels = [
        (shrunk_rate(kind.customers, kind.decisions, everyone, m), kind.decisions),
        (shrunk_rate(source.customers, source.decisions, everyone, m), source.decisions),
    ]
    parent = _blend(levels, m)
    estimate = shrunk_rate(pair.customers, pair.decisions, parent, m)
    parent_revenue = _blend(
        [
            (_average(kind.revenue, kind.decisions, revenue_all, m), kind.decisions),
            (_average(source.revenue, source.decisions, revenue_all, m), source.decisions),
        ],
        m,
    )
    revenue = _average(pair.revenue, pair.decisions, parent_revenue, m)
    basis, used = "none", Contribution()
    for name, group in (("type+source", pair), ("type", kind), ("source", source)):
        if group.decisions > 0:
            basis, used = name, group
            break
    seen = metrics(used)
    n = used.decisions
    confidence = sample_confidence(n) * FALLBACK_FACTOR[basis]
    days = (
        None
        if seen["avg_time_to_conversion_hours"] is None
        else seen["avg_time_to_conversion_hours"] / 24
    )
    if basis == "none":
        outcome = "unknown"
    elif seen["conversion_rate"] >= 50:
        outcome = "conversion"
    elif seen["response_rate"] >= 50:
        outcome = "response"
    else:
        outcome = "no_conversion"
    estimate_pct = q(estimate * 100, "0.01")
    unseen = basis == "none"
    return {
        "predicted_outcome": outcome,
        "conversion_probability": estimate_pct if unseen else q(seen["conversion_rate"], "0.01"),
        "predicted_revenue": q(revenue if unseen else seen["avg_revenue_per_decision"], "0.01"),
        "avg_time_to_close_days": None if days is None else q(days, "0.1"),
        "confidence": q(confidence, "0.0001"),
        "reasoning": _reasoning(
            basis,
            opportunity_type,
            opportunity_source,
            used,
            seen,
            confidence,
            estimate_pct,
            q(parent * 100, "0.01"),
            overall,
        ),
        "similar_count": n,
        "basis": basis,
        "historical_conversion_rate": None
        if basis == "none"
        else q(seen["conversion_rate"], "0.01"),
        "historical_conversion_rate_interval": seen["conversion_rate_interval"],
        "shrunk_conversion_probability": estimate_pct,
        "shrunk_predicted_revenue": q(revenue, "0.01"),
        "parent_conversion_rate": q(parent * 100, "0.01"),
        "prior_strength": q(m, "0.01"),
        "conversion_probability_interval": seen["conversion_rate_interval"],
        "model_version": MODEL_VERSION,
    }


def _strength_word(confidence: float) -> str:
    return "high" if confidence >= 0.8 else "moderate" if confidence >= 0.5 else "low"


def _reasoning(
    basis: str,
    kind: str,
    source: str,
    used: Contribution,
    seen: Mapping[str, Any],
    confidence: float,
    estimate: Decimal,
    parent: Decimal,
    overall: Contribution,
) -> str:
    """Why the estimate is what it is, from the numbers actually compared; a rate is called
    high or low only when its whole 95 % interval says so."""
    if basis == "none":
        known = (
            f"the ledger's overall rate ({overall.customers} of {overall.decisions} decisions)"
            if overall.decisions
            else "an even prior: the ledger has no decisions yet"
        )
        return (
            f"No past decisions on {kind} opportunities or from {source} yet. The estimate "
            f"{percent(estimate)} comes from {known}: a prior, not evidence about this pairing. "
            "Confidence: none (0 data points)."
        )
    n = used.decisions
    scope = {
        "type+source": f"{n} similar {kind} opportunities from {source}",
        "type": f"{n} {kind} opportunities from any source (none yet from {source})",
        "source": f"{n} opportunities from {source} of any type (no {kind} ones yet)",
    }[basis]
    rate = percent(seen["conversion_rate"])
    interval = seen["conversion_rate_interval"]
    low, high = (float(interval[0]), float(interval[1])) if interval else (0.0, 100.0)
    if low >= 50:
        verdict = (
            f"Its rate is clearly high: the 95% interval ({percent_range(low, high)}) lies above "
            "50%."
        )
    elif high < 25:
        verdict = (
            f"Its rate is clearly low: the 95% interval ({percent_range(low, high)}) lies below "
            "25%."
        )
    else:
        verdict = (
            f"Too few decisions to call it strong or weak: the 95% interval is "
            f"{percent_range(low, high)}."
        )
    revenue = money(seen["avg_revenue_per_decision"])
    return (
        f"Based on {scope}, we've seen a {rate} conversion rate with average revenue of "
        f"{revenue} ({used.customers} converted). {verdict} Borrowing strength from its "
        f"type and source ({percent(parent)}), the estimate is {percent(estimate)}. Confidence: "
        f"{_strength_word(confidence)} ({n} data points"
        f"{', lowered for the fallback' if basis != 'type+source' else ''})."
    )


RECOMMENDATIONS = (
    (Decimal(85), "HIGH PRIORITY - Respond immediately"),
    (Decimal(70), "MEDIUM PRIORITY - Respond today"),
    (Decimal(50), "LOW PRIORITY - Respond when convenient"),
)
SKIP = "SKIP - Low expected value"


def adjusted_score(base: Decimal, prediction: Mapping[str, Any]) -> Decimal:
    """base × 0.4 + rate/100 × 30 + min(avg revenue / 50, 20) + confidence × 10, 0..100, 0.1."""
    raw = (
        base * Decimal("0.4")
        + Decimal(prediction["conversion_probability"]) / 100 * 30
        + min(Decimal(prediction["predicted_revenue"]) / 50, Decimal(20))
        + Decimal(prediction["confidence"]) * 10
    )
    return q(min(max(raw, Decimal(0)), Decimal(100)), "0.1")


def recommendation(score: Decimal) -> str:
    """The priority an adjusted score earns."""
    for bar, text in RECOMMENDATIONS:
        if score >= bar:
            return text
    return SKIP


def score_reasoning(original: Decimal, adjusted: Decimal, prediction: Mapping[str, Any]) -> str:
    """Why the score moved: the formula's four parts, with their numbers."""
    if adjusted > original:
        change = f"Score increased from {original} to {adjusted}"
    elif adjusted < original:
        change = f"Score decreased from {original} to {adjusted}"
    else:
        change = f"Score unchanged at {adjusted}"
    rate = Decimal(prediction["conversion_probability"])
    revenue = Decimal(prediction["predicted_revenue"])
    confidence = Decimal(prediction["confidence"])
    parts = (
        f"40% of the base score ({q(original * Decimal('0.4'), '0.1')}) + the conversion "
        f"rate {rate}% × 0.3 ({q(rate * Decimal('0.3'), '0.1')}) + revenue "
        f"${revenue} ÷ 50, at most 20 ({q(min(revenue / 50, Decimal(20)), '0.1')}) + "
        f"confidence {confidence} × 10 ({q(confidence * 10, '0.1')})"
    )
    if prediction["basis"] == "none":
        return f"{change}: {parts}; no similar past decisions yet, so the estimate is a prior."
    return (
        f"{change}: {parts}; from {prediction['similar_count']} similar decisions "
        f"({prediction['basis']})."
    )
