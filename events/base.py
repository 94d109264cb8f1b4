"""The event base class and the field types events share (exact money, bounded text)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

Money = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
"""A non-negative exact amount in USD."""

SignedDecimal = Annotated[Decimal, Field(allow_inf_nan=False)]
Seconds = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
"""A non-negative duration in seconds, kept exact so sums never drift."""

Probability = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)]
Identifier = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\s]+$")]
Text = Annotated[str, Field(max_length=10_000)]


class Event(BaseModel):
    """Something that happened. Frozen; its fields (less the type tag) are its stored payload."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    schema_version: ClassVar[int] = 1
    stream_prefix: ClassVar[str] = ""

    def payload(self) -> dict[str, Any]:
        """The event's fields as JSON-ready values (Decimal as exact strings), without the tag."""
        return self.model_dump(mode="json", exclude={"type"})
