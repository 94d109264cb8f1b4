"""The event base class and the field types events share (exact money, bounded text)."""

# Model modules (this one and every events/ and commands/ module) do without `from __future__
# import annotations`: pydantic would otherwise evaluate each annotation from its string when a
# class is defined, which costs a one-event shell append a few milliseconds.

from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

Money = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
"""A non-negative exact amount in USD."""

SignedDecimal = Annotated[Decimal, Field(allow_inf_nan=False)]
Seconds = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
"""A non-negative duration in seconds, kept exact so sums never drift."""

Probability = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False)]
Identifier = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\s]+$")]
Text = Annotated[str, Field(max_length=10_000)]


def _sorted_deep(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted_deep(value[k]) for k in sorted(value)}
    if isinstance(value, list | tuple):
        return [_sorted_deep(v) for v in value]
    return value


JsonObject = Annotated[dict[str, Any], AfterValidator(_sorted_deep)]
"""Free-form JSON metadata, keys sorted at every depth so the payload stays canonical."""


_TAG = {"type"}


class Event(BaseModel):
    """Something that happened. Frozen; its fields (less the type tag) are its stored payload."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    schema_version: ClassVar[int] = 1
    stream_prefix: ClassVar[str] = ""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Refuse an event class whose fields are not in alphabetical order.

        Payloads are serialised in declaration order (in pydantic's Rust core, the fast
        path); declaring fields sorted is what makes that serialisation canonical.
        """
        super().__pydantic_init_subclass__(**kwargs)
        names = [name for name in cls.model_fields if name != "type"]
        if names != sorted(names):
            raise TypeError(
                f"{cls.__name__}: declare event fields in alphabetical order ({sorted(names)}),"
                " so the stored payload is canonical JSON"
            )

    def payload(self) -> dict[str, Any]:
        """The event's fields as JSON-ready values (Decimal as exact strings), without the tag."""
        return self.model_dump(mode="json", exclude={"type"})

    def payload_json(self) -> str:
        """The stored payload: canonical JSON (sorted keys, compact, UTF-8), without the tag."""
        # The serializer itself: model_dump_json adds a Python layer that costs as much again.
        text: bytes = self.__pydantic_serializer__.to_json(self, exclude=_TAG)
        return text.decode()
