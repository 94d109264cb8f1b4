"""Who may ask the server what: tokens with a read or a read-write scope, the Host a request
names, and which browser origins may call it.

- With a token configured, every request but `/healthz` needs one. The read-write token
  (`ROI_LEDGER_API_TOKEN`) may do anything; the read token (`ROI_LEDGER_API_READ_TOKEN`) only
  reads, so a dashboard viewer cannot record.
- A program sends `Authorization: Bearer <token>`. A browser signs in to the dashboard with
  HTTP Basic, the token as the password (any user name): the browser asks for it itself, with
  no form, no cookie and no script. Basic only ever reads: a browser sends it on its own,
  even to requests another site makes it send, so a write needs the Bearer header, which a
  browser never adds by itself - no cross-site request can write.
- The Host header must name this server (loopback names, the address it listens on, or the
  names configured): a page on another site that rebinds its own name to 127.0.0.1 (DNS
  rebinding) cannot reach the API through the browser.
- Tokens are compared in constant time, read only from headers (never a URL) and never logged.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
from collections.abc import Iterable, Sequence
from typing import Any

from ledger.errors import InputError, LedgerError

OPEN_PATHS = frozenset({"/healthz"})
"""Paths that answer without a token (they say whether the server is up, nothing else)."""

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def check_token(name: str, value: str | None) -> str | None:
    """A token as configured: printable ASCII without spaces, or an input error naming the
    setting (a header carries bytes, so other characters could never match)."""
    if not value:
        return None
    if not value.isascii() or not value.isprintable() or " " in value:
        raise InputError(
            f"{name}: a token must be printable ASCII without spaces (letters, digits, "
            "punctuation); other characters cannot be sent in a header. Choose another, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`",
            {"field": name},
        )
    return value


class Tokens:
    """The configured tokens; `scope_of` says what a request's credentials allow."""

    def __init__(self, write: str | None, read: str | None = None) -> None:
        self.write = check_token("ROI_LEDGER_API_TOKEN", write)
        self.read = check_token("ROI_LEDGER_API_READ_TOKEN", read)
        if self.read and not self.write:
            raise InputError(
                "ROI_LEDGER_API_READ_TOKEN: a read-only token needs ROI_LEDGER_API_TOKEN too "
                "(without it, anyone could write)",
                {"field": "ROI_LEDGER_API_READ_TOKEN"},
            )

    @property
    def required(self) -> bool:
        return self.write is not None

    def scope_of(self, authorization: str) -> str | None:
        """The scope ("write", "read" or None) an `Authorization` header value grants."""
        scheme, _, value = authorization.strip().partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer":
            if _same(value, self.write):
                return "write"
            return "read" if _same(value, self.read) else None
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(value, validate=True).decode("latin-1")
            except (binascii.Error, ValueError):
                return None
            password = decoded.partition(":")[2]
            # Basic reads only, whichever token it carries: a browser sends it by itself
            return "read" if _same(password, self.write) or _same(password, self.read) else None
        return None


def _same(given: str, token: str | None) -> bool:
    return token is not None and hmac.compare_digest(given.encode("latin-1"), token.encode())


class Unauthorized(LedgerError):
    """No token, or not one of this server's."""

    def __init__(self) -> None:
        super().__init__(
            "authorization: this server needs a token: `Authorization: Bearer <token>` (a "
            "browser signs in with the token as its password)",
            {"field": "authorization"},
        )


class Forbidden(LedgerError):
    """A read-only token sent to a write."""

    def __init__(self) -> None:
        super().__init__(
            "authorization: this token may only read; recording needs the read-write token "
            "as `Authorization: Bearer <token>`",
            {"field": "authorization"},
        )


class Busy(LedgerError):
    """The server is already doing this one-at-a-time work: ask again later (429)."""


def host_names(bind: str | None, configured: Iterable[str]) -> frozenset[str] | None:
    """The Host names a server answers to (lowercase, no port): loopback, the address it
    listens on and the configured names; None (any) when it listens on every address and
    no names were given (a token is then required, so rebinding gains nothing)."""
    names = {n.strip().lower().strip("[]") for n in configured if n.strip()}
    if bind in ("0.0.0.0", "::") and not names:
        return None
    if bind:
        names.add(bind.lower().strip("[]"))
    return frozenset(LOOPBACK_NAMES | names)


def host_of(header: str) -> str:
    """The name in a Host header: no port, no IPv6 brackets, lowercase."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    name, _, port = header.rpartition(":")
    return name if name and port.isdigit() else header


def origins(text: str | None) -> list[str]:
    """A comma-separated list of browser origins, each trimmed (`http://a, http://b`)."""
    out = []
    for item in (text or "").split(","):
        origin = item.strip().rstrip("/")
        if not origin:
            continue
        if origin != "*" and "://" not in origin:
            raise InputError(
                f"ROI_LEDGER_CORS_ORIGINS: {origin[:80]!r} is not an origin (scheme://host[:port])",
                {"field": "ROI_LEDGER_CORS_ORIGINS"},
            )
        out.append(origin)
    return out


def is_loopback(host: str) -> bool:
    """Whether an address to listen on is reachable from this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Guard:
    """ASGI middleware: the Host check, then the token check for every path but the open
    ones; the scope found goes in `request.state.scope` for the write routes to check."""

    def __init__(self, app: Any, tokens: Tokens, hosts: frozenset[str] | None, error: Any) -> None:
        self.app = app
        self.tokens = tokens
        self.hosts = hosts
        self.error = error

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope["headers"])
        if self.hosts is not None:
            name = host_of(headers.get("host", ""))
            if name not in self.hosts:
                response = self.error(
                    400,
                    f"host: this server does not answer to {name[:80]!r}; serve with "
                    "--allowed-host to add a name",
                    {"field": "host"},
                )
                await response(scope, receive, send)
                return
        granted = "write"
        if self.tokens.required:
            granted = self.tokens.scope_of(headers.get("authorization", "")) or ""
            if not granted and scope["path"] not in OPEN_PATHS and scope["method"] != "OPTIONS":
                failure = Unauthorized()
                response = self.error(401, failure.message, failure.details)
                response.headers.append("WWW-Authenticate", 'Basic realm="roi-ledger"')
                response.headers.append("WWW-Authenticate", 'Bearer realm="roi-ledger"')
                await response(scope, receive, send)
                return
        scope.setdefault("state", {})["scope"] = granted
        await self.app(scope, receive, send)


def _headers(raw: Sequence[tuple[bytes, bytes]]) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw}
