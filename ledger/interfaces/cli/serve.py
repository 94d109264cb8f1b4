"""`roi-ledger serve`: the HTTP API (the `api` extra), with uvicorn."""

import ipaddress
import os
from typing import Annotated

import typer

from ledger.interfaces.cli.common import DbOpt, checked_log_format, db_location, handle_errors


def register(app: typer.Typer) -> None:
    """Add `serve` to the root app."""

    @app.command()
    @handle_errors
    def serve(
        ctx: typer.Context,
        host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
        workers: Annotated[
            int, typer.Option(min=1, max=64, help="Worker processes (each opens the ledger).")
        ] = 1,
        allowed_host: Annotated[
            list[str] | None,
            typer.Option(
                metavar="NAME",
                help="A name clients reach this server by, besides loopback and --host "
                "(repeatable; env ROI_LEDGER_ALLOWED_HOSTS, comma separated). Requests naming "
                "any other Host get 400.",
            ),
        ] = None,
        log_format: Annotated[
            str | None,
            typer.Option(
                "--log-format",
                metavar="text|json",
                envvar="ROI_LEDGER_LOG_FORMAT",
                help="Log lines as plain text or one JSON object per line (request id, route, "
                "status, duration, seq); never tokens or bodies.",
            ),
        ] = None,
        db: DbOpt = None,
    ) -> None:
        """Serve the HTTP API, /docs and the dashboard until SIGTERM or Ctrl-C.

        With ROI_LEDGER_API_TOKEN set, every request but /healthz needs a token: that one to
        record, or ROI_LEDGER_API_READ_TOKEN to read only; a browser signs in with the token
        as its password. A host other than loopback is refused without a token.
        ROI_LEDGER_CORS_ORIGINS (comma separated) allows browsers from those origins.
        """
        from ledger.errors import InputError
        from ledger.interfaces.http.security import Tokens, host_names, is_loopback, origins
        from ledger.interfaces.logs import uvicorn_config

        log_format = checked_log_format(log_format)

        tokens = Tokens(
            os.environ.get("ROI_LEDGER_API_TOKEN") or None,
            os.environ.get("ROI_LEDGER_API_READ_TOKEN") or None,
        )  # refused here, in words, rather than never matching a header later
        origins(os.environ.get("ROI_LEDGER_CORS_ORIGINS"))
        if not is_loopback(host) and not tokens.required:
            raise InputError(
                f"host: {host} is reachable from other machines; set ROI_LEDGER_API_TOKEN so "
                "that every request needs a token, or serve on 127.0.0.1",
                {"field": "host"},
            )
        names = [*os.environ.get("ROI_LEDGER_ALLOWED_HOSTS", "").split(","), *(allowed_host or [])]
        for name in names:
            if name.strip() and not _is_host_name(name.strip()):
                raise InputError(
                    f"allowed_host: {name[:80]!r} is not a host name or address",
                    {"field": "allowed_host"},
                )
        try:
            import uvicorn
        except ImportError:
            raise InputError(
                "serve needs the api extra: pip install -e '.[api]'", {"field": "serve"}
            ) from None
        location = db_location(ctx)
        if location is not None:
            os.environ["ROI_LEDGER_DB"] = location  # for the app factory in each worker
        os.environ["ROI_LEDGER_BIND"] = host
        os.environ["ROI_LEDGER_ALLOWED_HOSTS"] = ",".join(n.strip() for n in names if n.strip())
        config = uvicorn_config(log_format)
        if host_names(host, names) is None:
            import logging.config

            logging.config.dictConfig(config)
            logging.getLogger("roi_ledger.serve").warning(
                "Serving on every address of this machine: any Host name is answered (a "
                "token is required). Name the ones clients use with --allowed-host to refuse "
                "the rest."
            )
        uvicorn.run(
            "ledger.interfaces.http.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            log_config=config,
            access_log=False,  # each request is logged once, by ledger/interfaces/http/telemetry.py
            server_header=False,
        )


def _is_host_name(name: str) -> bool:
    """A DNS name or an IP address (what a Host header can carry)."""
    import re

    try:
        ipaddress.ip_address(name.strip("[]"))
        return True
    except ValueError:
        return bool(re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?", name))
