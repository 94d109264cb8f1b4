"""`roi-ledger serve`: the HTTP API (the `api` extra), with uvicorn."""

import ipaddress
import os
from typing import Annotated

import typer

from ledger.cli.common import DbOpt, db_location, handle_errors


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
        db: DbOpt = None,
    ) -> None:
        """Serve the HTTP API (and /docs) until SIGTERM or Ctrl-C.

        With ROI_LEDGER_API_TOKEN set, every write needs `Authorization: Bearer <token>`; a
        host other than loopback is refused without one. ROI_LEDGER_CORS_ORIGINS (comma
        separated) allows browsers from those origins; CORS is off otherwise.
        """
        from ledger.errors import InputError

        if not _loopback(host) and not os.environ.get("ROI_LEDGER_API_TOKEN"):
            raise InputError(
                f"host: {host} is reachable from other machines; set ROI_LEDGER_API_TOKEN so "
                "that writes need a token, or serve on 127.0.0.1",
                {"field": "host"},
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
        uvicorn.run(
            "ledger.http.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            server_header=False,
        )


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
