"""Predictions for new opportunities from similar past decisions, and the score formula.

Similar = same type and source; with none, the same type (any source), then the same source,
each with lower confidence, and the reasoning says so. Beside the raw historical rate (the
source's meaning of `conversion_probability`) comes an empirical-Bayes estimate that pulls
small samples toward the parent group's rate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from projections.conversion_math import Contribution, metrics
from projections.conversions import Group
from projections.stats import sample_confidence

MODEL_VERSION = "history-v1"
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


def predict(
    groups: Sequence[Group], opportunity_type: str, opportunity_source: str
) -> dict[str, Any]:
    """What history says about an opportunity of this type from this source."""
    combos, types, sources, overall = _totals(groups)
    candidates = [
        (
            "type+source",
            combos.get((opportunity_source, opportunity_type)),
            types.get(opportunity_type),
        ),
        ("type", types.get(opportunity_type), overall),
        ("source", sources.get(opportunity_source), overall),
    ]
    basis, used, parent = "none", Contribution(), overall
    for name, group, parent_group in candidates:
        if group is not None and group.decisions > 0:
            basis, used, parent = name, group, parent_group or overall
            break
    m = metrics(used)
    n = used.decisions
    confidence = sample_confidence(n) * FALLBACK_FACTOR[basis]
    parent_rate = parent.customers / parent.decisions if parent.decisions else 0.0
    strength = prior_strength(groups)
    shrunk = shrunk_rate(used.customers, n, parent_rate, strength)
    days = (
        None
        if m["avg_time_to_conversion_hours"] is None
        else m["avg_time_to_conversion_hours"] / 24
    )
    rate = m["conversion_rate"]
    if basis == "none":
        outcome = "unknown"
    elif rate >= 50:
        outcome = "conversion"
    elif m["response_rate"] >= 50:
        outcome = "response"
    else:
        outcome = "no_conversion"
    return {
        "predicted_outcome": outcome,
        "conversion_probability": q(rate, "0.01"),
        "predicted_revenue": q(m["avg_revenue_per_decision"], "0.01"),
        "avg_time_to_close_days": None if days is None else q(days, "0.1"),
        "confidence": q(confidence, "0.0001"),
        "reasoning": _reasoning(basis, n, opportunity_type, opportunity_source, m, confidence),
        "similar_count": n,
        "basis": basis,
        "shrunk_conversion_probability": q(shrunk * 100, "0.01"),
        "parent_conversion_rate": q(parent_rate * 100, "0.01"),
        "prior_strength": q(strength, "0.01"),
        "conversion_probability_interval": m["conversion_rate_interval"],
        "model_version": MODEL_VERSION,
    }


def _strength_word(confidence: float) -> str:
    return "high" if confidence >= 0.8 else "moderate" if confidence >= 0.5 else "low"


def _reasoning(
    basis: str, n: int, kind: str, source: str, m: Mapping[str, Any], confidence: float
) -> str:
    rate = q(m["conversion_rate"], "0.1")
    revenue = q(m["avg_revenue_per_decision"], "0.01")
    if basis == "none":
        return (
            f"No past decisions on {kind} opportunities or from {source} yet: nothing to "
            "predict from. Confidence: none (0 data points)."
        )
    scope = {
        "type+source": f"{n} similar {kind} opportunities from {source}",
        "type": f"{n} {kind} opportunities from any source (none yet from {source})",
        "source": f"{n} opportunities from {source} of any type (no {kind} ones yet)",
    }[basis]
    verdict = (
        "a strong opportunity type"
        if m["conversion_rate"] >= 50
        else "a moderate opportunity type"
        if m["conversion_rate"] >= 25
        else "a weak opportunity type"
    )
    return (
        f"Based on {scope}, we've seen a {rate}% conversion rate with average revenue of "
        f"${revenue:,}. This is {verdict}. Confidence: {_strength_word(confidence)} "
        f"({n} data points{', lowered for the fallback' if basis != 'type+source' else ''})."
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
    """Why the score moved."""
    if adjusted > original:
        change = f"Score increased from {original} to {adjusted}"
        why = "strong historical performance"
    elif adjusted < original:
        change = f"Score decreased from {original} to {adjusted}"
        why = "weaker historical performance"
    else:
        change, why = f"Score unchanged at {adjusted}", "history in line with the base score"
    if prediction["basis"] == "none":
        return f"{change}: no similar past decisions yet, so only the base score counts (40%)."
    return (
        f"{change} based on {why}: {prediction['similar_count']} similar decisions converted at "
        f"{prediction['conversion_probability']}% with ${prediction['predicted_revenue']} "
        f"average revenue (confidence {prediction['confidence']})."
    )
