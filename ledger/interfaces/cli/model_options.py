"""A command's shell options are its command model's fields: one declaration, checked.

The model (in `commands/`) declares each field once: name, type, range, default and help
text. A CLI command that records it is marked `@from_model("module:Class")`; when the command
is mounted (`ledger/interfaces/cli/__init__.py` mounts only the one being run), `describe` checks
its
parameters against the model — the same names (or one of the field's aliases), required
exactly where the model requires, optional ones defaulting to None (given: the model's
default) — and fills each option's help from the field's description. A drift is a
`TypeError` at start, and `tests/interfaces/test_interfaces.py` mounts every command to prove none.

Only shell concerns stay in the typer signature: the flag spelling (`--type`,
`--success/--failure`), the metavar, and the options that are not fields (`--db`, `--json`).
"""

import importlib
import inspect
import typing
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from pydantic import AliasChoices, BaseModel
from pydantic.fields import FieldInfo

F = TypeVar("F", bound=Callable[..., Any])

SHELL = frozenset({"ctx", "db", "as_json"})
"""Parameters every command has that are the shell's, not the command's."""

MARK = "__command_model__"


def from_model(model: str, *, shell: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Mark a CLI command as the shell face of `model` ("module:Class", imported only when the
    command is mounted); `shell` names its other shell-only parameters."""

    def mark(fn: F) -> F:
        setattr(fn, MARK, (model, frozenset(shell)))
        return fn

    return mark


def model_of(callback: Callable[..., Any]) -> tuple[type[BaseModel], frozenset[str]] | None:
    """The command model a CLI command was marked with, and its shell-only parameters."""
    marked = getattr(callback, MARK, None)
    if marked is None:
        return None
    path, shell = marked
    module, _, name = path.partition(":")
    model: type[BaseModel] = getattr(importlib.import_module(module), name)
    return model, shell


def field_named(model: type[BaseModel], name: str) -> str | None:
    """The field a parameter stands for: same name, or one of the field's aliases."""
    if name in model.model_fields:
        return name
    for field, info in model.model_fields.items():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices) and name in alias.choices:
            return field
    return None


def drift(callback: Callable[..., Any]) -> list[str]:
    """How a marked command's parameters differ from its model's fields (empty: none)."""
    found = model_of(callback)
    if found is None:
        return []
    model, shell = found
    fields = model.model_fields
    problems = []
    seen = set()
    for name, param in inspect.signature(callback).parameters.items():
        if name in SHELL or name in shell:
            continue
        field = field_named(model, name)
        if field is None:
            problems.append(f"--{name} is not a field of {model.__name__}")
            continue
        seen.add(field)
        info = fields[field]
        required = param.default is inspect.Parameter.empty
        if required != info.is_required():
            should = "required" if info.is_required() else "optional"
            problems.append(f"--{name} must be {should}, as {model.__name__}.{field} is")
        elif not required and param.default not in (None, _default(info)):
            problems.append(
                f"--{name} defaults to {param.default!r}; {model.__name__}.{field} to "
                f"{_default(info)!r} (give None: the model's default applies)"
            )
    missing = sorted(set(fields) - seen)
    if missing:
        problems.append(f"{model.__name__} fields with no option: {', '.join(missing)}")
    return problems


def _default(info: FieldInfo) -> Any:
    return info.get_default(call_default_factory=True)


def describe(callback: Callable[..., Any]) -> None:
    """Check a marked command against its model and give its options the fields' help."""
    problems = drift(callback)
    if problems:
        raise TypeError(f"{callback.__name__}: {'; '.join(problems)}")
    found = model_of(callback)
    if found is None:
        return
    model = found[0]
    hints = typing.get_type_hints(callback, include_extras=True)
    for name in inspect.signature(callback).parameters:
        field = field_named(model, name)
        hint = hints.get(name)
        if field is None or hint is None:
            continue
        text = model.model_fields[field].description
        for info in getattr(hint, "__metadata__", ()):
            if isinstance(info, typer.models.ParameterInfo):
                if info.help not in (None, text):
                    raise TypeError(
                        f"{callback.__name__}: --{name} declares its own help; it comes from "
                        f"{model.__name__}.{field}'s description"
                    )
                info.help = text


def given(ctx: Any, model: type[BaseModel]) -> dict[str, Any]:
    """The command's fields as the user gave them on the command line, by field name.

    Read from the parsed parameters (`ctx.params`), so the field list is not written a second
    time in the command's body; options left at their default are left out, so the model's
    defaults apply and a retry compares only what was given.
    """
    fields: dict[str, Any] = {}
    for name, value in ctx.params.items():
        field = field_named(model, name)
        source = getattr(ctx.get_parameter_source(name), "name", None)  # click's enum
        if field is None or source == "DEFAULT":
            continue
        fields[field] = value
    return fields
