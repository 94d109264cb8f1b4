"""The event base class and the field types events share (exact money, bounded text)."""

# Model modules (this one and every events/ and commands/ module) do without `from __future__
# import annotations`: pydantic would otherwise evaluate each annotation from its string when a
# class is defined, which costs a one-event shell append a few milliseconds.

import types
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from events.canonical import canonical_json

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


def _carries_floats(annotation: Any) -> bool:
    """Whether values of this annotation can serialise as JSON numbers with a fraction (a
    float, or free-form JSON), where pydantic's number format and RFC 8785's differ."""
    if annotation is float or get_origin(annotation) is dict or annotation is Any:
        return True
    if get_origin(annotation) in (Union, types.UnionType, Annotated):
        return any(_carries_floats(arg) for arg in get_args(annotation))
    return False


class Event(BaseModel):
    """Something that happened. Frozen; its fields (less the type tag) are its stored payload."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    schema_version: ClassVar[int] = 1
    stream_prefix: ClassVar[str] = ""
    _plain_json: ClassVar[bool] = True
    """Whether pydantic's own serialisation of this class already is RFC 8785 canonical
    (no floats, no free-form JSON): strings, decimals-as-text, integers, booleans, nulls."""

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
        cls._plain_json = not any(
            _carries_floats(field.annotation)
            for name, field in cls.model_fields.items()
            if name != "type"
        )

    def payload(self) -> dict[str, Any]:
        """The event's fields as JSON-ready values (Decimal as exact strings), without the tag."""
        return self.model_dump(mode="json", exclude={"type"})

    def payload_json(self) -> str:
        """The stored payload: RFC 8785 canonical JSON of the fields, without the tag."""
        if self._plain_json:
            # pydantic's serializer writes sorted fields with RFC 8785's string escapes, which
            # is canonical when no number has a fraction (tests/events/test_canonical_json.py holds
            # every event class to that)
            return self.model_dump_json(exclude=_TAG)
        return canonical_json(self.model_dump(mode="json", exclude=_TAG))
