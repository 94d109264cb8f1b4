"""The API's commands: a JSON body holding a command model's fields (documented by the
model's own schema), the `Idempotency-Key` and `If-Match` headers standing for its
`idempotency_key` and `expected_version`, the command built from them and refused in the
ledger's words, and the POST route of each command described once (`Write`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Body, Depends, Header, Request
from pydantic import BaseModel

from commands.base import Command
from ledger.errors import InputError
from ledger.interfaces.http.models import CommandResult
from ledger.interfaces.http.params import Id, error_response, ledger_of, parameter, route_function
from ledger.validation import build_command, clip

WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    403: error_response("A read-only token sent to a write"),
    409: error_response("Conflict: a stale version, a duplicate id or a reused idempotency key"),
    413: error_response("Request body larger than 1 MB"),
}
"""What a write may answer besides what any route may (`params.ERRORS`)."""


KeyH = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="Retry-safe key."),
]
MatchH = Annotated[
    str | None,
    Header(alias="If-Match", max_length=40, description="The stream version expected."),
]


def body_of(model: type[Command], *, without: tuple[str, ...] = ()) -> dict[str, Any]:
    """OpenAPI for a JSON body holding `model`'s fields (less those the path gives)."""
    schema = model.model_json_schema()
    schema["properties"] = {
        k: v for k, v in schema.get("properties", {}).items() if k not in without
    }
    schema["required"] = [r for r in schema.get("required", []) if r not in without]
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


class Sent(NamedTuple):
    """What a command's request carries besides its path: the JSON body and the headers."""

    body: Any
    key: str | None
    match: str | None


def sent(body: Annotated[Any, Body()] = None, key: KeyH = None, match: MatchH = None) -> Sent:
    return Sent(body, key, match)


SentD = Annotated[Sent, Depends(sent)]


def command(model: type[Command], request: Sent, **path: Any) -> Command:
    """The command from the body, the path and the headers, refused in the ledger's words."""
    body, key, match = request
    if not isinstance(body, dict):
        raise InputError("input: the body must be a JSON object of the command's fields", None)
    for name, value in path.items():
        if name in body and body[name] != value:
            raise InputError(
                f"{name}: the body says {clip(body[name])!r} but the path {clip(value)!r}; "
                "leave it out of the body",
                {"field": name},
            )
    fields = {**body, **path}
    if key is not None:
        fields["idempotency_key"] = key
    if match is not None:
        version = match.strip().strip('"')
        if not version.isdigit():
            raise InputError(
                f"If-Match: {match!r} is not a stream version (a whole number)",
                {"field": "expected_version"},
            )
        fields["expected_version"] = int(version)
    return build_command(model, fields)


def post_command(
    r: APIRouter,
    path: str,
    model: type[Command],
    writer: Any,
    *,
    status: int = 200,
    without: tuple[str, ...] = (),
    answer: type[BaseModel] = CommandResult,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The route of a command: a POST guarded by the token, its body documented by the
    command model (less the fields the path gives), answering `answer` — with `status`
    (201: something was recorded), or 200 for an idempotent retry that recorded nothing."""
    route = r.post(
        path,
        status_code=status,
        dependencies=[writer],
        openapi_extra=body_of(model, without=without),
        response_model=answer,
        response_model_exclude_unset=True,
        responses={
            **WRITE_ERRORS,
            **({200: {"description": "An idempotent retry: already recorded, nothing "
                      "appended (`duplicate` is true)."}} if status == 201 else {}),
        },
    )  # fmt: skip

    def register(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(endpoint)
        def answered(*args: Any, **kwargs: Any) -> Any:
            out = endpoint(*args, **kwargs)
            if status == 201 and isinstance(out, dict) and out.get("duplicate"):
                from fastapi.responses import JSONResponse

                shown = answer.model_validate(out).model_dump(mode="json", exclude_unset=True)
                return JSONResponse(shown, status_code=200)
            return out

        return route(answered)

    return register


class Write(NamedTuple):
    """One command's route: its path; its name (the operation's id and summary in the
    schema); the command model its body holds; its description; `status` 201 when it
    records something new; `path_id`, the model's field the path gives."""

    path: str
    name: str
    model: type[Command]
    doc: str
    status: int = 200
    path_id: str | None = None


def add_commands(router: APIRouter, writer: Any, writes: Sequence[Write]) -> None:
    """A POST route for each command, in order (the order of `/openapi.json`), guarded by
    `writer`: the path's id and the body make the command the ledger executes."""
    for write in writes:
        without = () if write.path_id is None else (write.path_id,)
        route = post_command(
            router, write.path, write.model, writer, status=write.status, without=without
        )
        route(command_endpoint(write))


def command_endpoint(write: Write) -> Callable[..., Any]:
    """The route's function, taking the request, the path's id (if any) and what was sent."""

    def execute(request: Request, sent: Sent, **path: Any) -> dict[str, Any]:
        return ledger_of(request).execute(command(write.model, sent, **path))

    path_id = [] if write.path_id is None else [parameter(write.path_id, Id)]
    given = [parameter("request", Request), *path_id, parameter("sent", SentD)]
    return route_function(execute, write.name, write.doc, given)
