"""Scoring opportunities (the source's OpportunityScorer): each one's prediction from similar
past decisions, its adjusted score, and the predictions kept for calibration (README
"Decisions and outcomes")."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from ledger.errors import InputError
from ledger.validation import build_command
from projections import decision_rows

if TYPE_CHECKING:
    from commands.decisions import RecordPrediction
    from ledger.core.service import LedgerCore
    from projections.conversions import Group


def opportunity_id(opportunity: dict[str, Any], index: int = 0) -> str:
    """The opportunity's own `id` (or `opportunity_id`): a non-empty string or a number, spaces
    turned to `_`; else a stable hash of its whole content (so two opportunities that differ in
    anything, their score included, never share an id)."""
    from commands.fields import check_id

    for key in ("id", "opportunity_id"):
        value = opportunity.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise InputError(
                f"opportunity {index}: {key} must be a string or a number "
                f"(got {type(value).__name__})",
                {"index": index, "field": key},
            )
        text = (str(value) if isinstance(value, str | int) else repr(value)).strip()
        try:
            return check_id(text.replace(" ", "_"))
        except ValueError as exc:
            raise InputError(
                f"opportunity {index}: {key} {exc}", {"index": index, "field": key}
            ) from None
    basis = json.dumps(opportunity, sort_keys=True, separators=(",", ":"), default=str)
    return f"opp-{hashlib.sha256(basis.encode()).hexdigest()[:16]}"


def labels_of(opportunity: dict[str, Any]) -> tuple[Any, Any]:
    """An opportunity's type and source as given: `type`/`source`, or the long names
    `opportunity_type`/`opportunity_source` (the one place either spelling is read)."""
    kind = opportunity.get("type", opportunity.get("opportunity_type"))
    return kind, opportunity.get("source", opportunity.get("opportunity_source"))


def prediction_fields(scored: dict[str, Any]) -> dict[str, Any]:
    """A scored opportunity as the fields of the RecordPrediction command that keeps it."""
    from projections.prediction_math import MODEL_VERSION

    kind, source = labels_of(scored)
    return {
        "opportunity_id": scored["opportunity_id"],
        "opportunity_type": kind,
        "opportunity_source": source,
        "original_score": float(scored["original_score"]),
        "adjusted_score": float(scored["adjusted_score"]),
        "conversion_probability": float(scored["conversion_probability"]),
        "predicted_revenue": scored["predicted_revenue"],
        "confidence": scored["confidence"],
        "similar_count": scored["similar_count"],
        "model_version": MODEL_VERSION,
    }


def _prediction_command(number: int, scored: dict[str, Any]) -> RecordPrediction:
    """The command that keeps a scored opportunity's prediction, or an input error naming
    the opportunity by its place in the input."""
    from commands.decisions import RecordPrediction

    try:
        return build_command(RecordPrediction, prediction_fields(scored))
    except InputError as exc:
        raise InputError(f"opportunity {number}: {exc.message}", exc.details) from None


def _prediction_values(cmd: RecordPrediction) -> tuple[Any, ...]:
    """A prediction's values as `latest_predictions` reads them back, for comparison."""
    return (
        cmd.opportunity_type, cmd.opportunity_source, float(cmd.original_score),
        float(cmd.adjusted_score), float(cmd.conversion_probability), cmd.predicted_revenue,
        cmd.confidence, cmd.similar_count, cmd.model_version,
    )  # fmt: skip


def score_opportunities(
    service: LedgerCore, opportunities: Sequence[dict[str, Any]], *, record: bool = True
) -> list[dict[str, Any]]:
    """Each opportunity enhanced with its prediction and adjusted score, best first; with
    `record`, one OpportunityScored event each (an unchanged re-score appends nothing)."""
    if not isinstance(opportunities, list | tuple):
        raise InputError("opportunities: expected a JSON array of objects", {"field": "input"})
    with service.reading() as db:
        groups = decision_rows.groups(db)
    cache: dict[tuple[str, str], dict[str, Any]] = {}
    scored = [
        _score_one(number, opportunity, groups, cache)
        for number, opportunity in enumerate(opportunities, 1)
    ]
    # every prediction is validated before any is recorded: a refusal writes nothing
    commands = [_prediction_command(number, item) for number, item in enumerate(scored, 1)]
    scored.sort(key=lambda o: -o["adjusted_score"])
    if record:
        _record_predictions(service, commands)
    return scored


def _record_predictions(service: LedgerCore, commands: Sequence[RecordPrediction]) -> None:
    """Record the predictions that differ from their opportunity's latest one. The key
    names that latest one too, so a value that returns after a change is recorded again
    while two scorers of the same state record it once."""
    from projections.predictions import latest_predictions

    with service.reading() as db:
        latest = latest_predictions(db, [c.opportunity_id for c in commands])
    fresh = []
    for command in commands:
        seq, known = latest.get(command.opportunity_id, (0, None))
        values = _prediction_values(command)
        if known == values:
            continue
        digest = hashlib.sha256(repr(values).encode()).hexdigest()[:16]
        key = f"score:{command.opportunity_id}:{digest}:{seq}"
        fresh.append(command.model_copy(update={"idempotency_key": key}))
    from ledger.app.batch import run_batch

    outcome = run_batch(service, enumerate(fresh, 1))
    if outcome.rejected:
        first = outcome.rejected[0]
        raise InputError(f"prediction {first['line']}: {first['error']}", outcome.rejected)


def _score_one(
    index: int,
    opportunity: Any,
    groups: Sequence[Group],
    cache: dict[tuple[str, str], dict[str, Any]],
) -> dict[str, Any]:
    from projections import prediction_math as prediction

    if not isinstance(opportunity, dict):
        raise InputError(f"opportunity {index}: must be a JSON object", {"index": index})
    kind, source = labels_of(opportunity)
    if not isinstance(kind, str) or not isinstance(source, str) or not kind or not source:
        raise InputError(
            f"opportunity {index}: needs string 'type' and 'source'",
            {
                "index": index,
                "field": "type" if not isinstance(kind, str) or not kind else "source",
            },
        )
    from commands.fields import MAX_DEPTH, check_label, nesting

    if nesting(opportunity) > MAX_DEPTH:
        raise InputError(
            f"input: opportunity {index} nests deeper than {MAX_DEPTH} levels; flatten it",
            {"field": "input", "index": index},
        )
    for name, value in (("type", kind), ("source", source)):
        try:
            check_label(value)
        except ValueError as exc:
            raise InputError(
                f"opportunity {index}: {name} {exc}", {"index": index, "field": name}
            ) from None
    raw = opportunity.get("score", 0)
    try:
        base = Decimal(str(raw)) if not isinstance(raw, bool) else Decimal("NaN")
    except InvalidOperation:
        base = Decimal("NaN")
    if not base.is_finite() or not 0 <= base <= 100:
        raise InputError(
            f"opportunity {index}: score must be a number from 0 to 100 (got {raw!r})",
            {"index": index, "field": "score"},
        )
    key = (kind, source)
    if key not in cache:
        cache[key] = prediction.predict(groups, kind, source)
    predicted = cache[key]
    adjusted = prediction.adjusted_score(base, predicted)
    return {
        **opportunity,
        "opportunity_id": opportunity_id(opportunity, index),
        "original_score": base,
        "adjusted_score": adjusted,
        "conversion_probability": predicted["conversion_probability"],
        "predicted_revenue": predicted["predicted_revenue"],
        "confidence": predicted["confidence"],
        "recommendation": prediction.recommendation(adjusted),
        "reasoning": prediction.score_reasoning(base, adjusted, predicted),
        "similar_count": predicted["similar_count"],
    }
