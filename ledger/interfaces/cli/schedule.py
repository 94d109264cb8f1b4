"""`roi-ledger schedule …`: periodic summaries, reports, alerts and confidence updates."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from ledger.interfaces.cli.common import (
    App,
    DbOpt,
    NowOpt,
    checked_log_format,
    db_location,
    handle_errors,
    open_ledger,
)
from ledger.interfaces.cli.output import Column, column, echo
from ledger.interfaces.cli.shell import Shell, shell_options

app = App(
    rich_markup_mode=None,
    help="Run the scheduler, list its jobs, run one, or catch up on missed periods.",
    no_args_is_help=True,
)

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", metavar="FILE.toml", help="A [schedule] table of settings."),
]
ReportsOpt = Annotated[
    str | None,
    typer.Option(
        "--reports-dir",
        metavar="DIR",
        envvar="ROI_LEDGER_REPORTS_DIR",
        help="Where reports go (default reports/).",
    ),
]
TimezoneOpt = Annotated[
    str | None, typer.Option("--timezone", metavar="ZONE", help="IANA zone (default UTC).")
]


def _config(config: Path | None, **overrides: Any) -> Any:
    from ledger.interfaces.scheduler.config import load

    return load(config, overrides)


LogFormatOpt = Annotated[
    str | None,
    typer.Option(
        "--log-format",
        metavar="text|json",
        envvar="ROI_LEDGER_LOG_FORMAT",
        help="Log lines as plain text or one JSON object per line (for a log shipper).",
    ),
]


def _setup_logging(fmt: str | None = None, level: str = "INFO") -> None:
    from ledger.interfaces import logs

    logs.configure(checked_log_format(fmt), level)


def _now(now: str | None, *, recording: bool = False) -> Any:
    from ledger.core.moments import moment

    return moment(now, recording=recording)


def _ensure_ledger(ctx: typer.Context) -> None:
    """Fail fast on a missing or bad --db (jobs never create a ledger)."""
    with open_ledger(ctx, create=False):
        pass


def _catch_up(shell: Shell, jobs: list[Any], now: str | None, settings: Any) -> None:
    """Produce what is missing for these jobs, report it; exit 1 if a job failed."""
    from ledger.interfaces.scheduler.jobs import catch_up, check_reports_dir

    moment = _now(now, recording=True)
    _ensure_ledger(shell.ctx)  # before the folder is made: no ledger, nothing left behind
    check_reports_dir(settings)
    _setup_logging(level="WARNING")  # each report is said once, on stdout; problems on stderr
    from ledger.interfaces.cli.progress import stderr_is_terminal

    ctx = shell.ctx
    if stderr_is_terminal() and not shell.as_json:  # a long catch-up shows it is moving
        from rich.progress import Progress

        from ledger.interfaces.cli.progress import stderr_console

        with Progress(console=stderr_console(), transient=True) as bar:
            task = bar.add_task("catching up", total=None)

            def moved(job: str, period: str) -> None:
                bar.update(task, advance=1, description=f"{job} {period}")

            results = catch_up(db_location(ctx), jobs, moment, settings, on_period=moved)
    else:
        results = catch_up(db_location(ctx), jobs, moment, settings)
    shell.show(results, _report)
    if any(r.get("error") for r in results):
        raise typer.Exit(1)


def _report(results: list[dict[str, Any]]) -> None:
    if not results:
        echo("Nothing was due.")
    for r in results:
        if r.get("error"):
            echo(f"{r['job']}: FAILED: {r['error']}; it will be retried")
        else:
            echo(f"{r['job']} {r['period']}: {', '.join(r['files']) or 'done'}")


@app.command()
@handle_errors
def run(
    ctx: typer.Context,
    config: ConfigOpt = None,
    reports_dir: ReportsOpt = None,
    timezone: TimezoneOpt = None,
    daily_at: Annotated[str | None, typer.Option(metavar="HH:MM")] = None,
    weekly_at: Annotated[str | None, typer.Option(metavar="'sun 21:00'")] = None,
    report_at: Annotated[str | None, typer.Option(metavar="HH:MM")] = None,
    confidence_at: Annotated[str | None, typer.Option(metavar="HH:MM")] = None,
    review_at: Annotated[
        str | None,
        typer.Option(metavar="HH:MM", help="The monthly portfolio review, on the 1st (06:00)."),
    ] = None,
    underperformers_at: Annotated[
        str | None,
        typer.Option(metavar="'mon 07:00'", help="The weekly new-underperformers list."),
    ] = None,
    alerts_every: Annotated[int | None, typer.Option(metavar="MINUTES")] = None,
    rescore_every: Annotated[int | None, typer.Option(metavar="MINUTES")] = None,
    tick: Annotated[
        int | None, typer.Option(metavar="SECONDS", help="Catch-up sweep interval (300).")
    ] = None,
    opportunities: Annotated[str | None, typer.Option(metavar="FILE")] = None,
    alerts_webhook: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help="Post each alert raising and resolution here (env ROI_LEDGER_ALERTS_WEBHOOK; "
            "ROI_LEDGER_WEBHOOK_SECRET signs the bodies).",
        ),
    ] = None,
    metrics_file: Annotated[
        str | None,
        typer.Option(
            metavar="FILE.prom",
            help="Rewrite this Prometheus textfile after each run (node_exporter's textfile "
            "collector).",
        ),
    ] = None,
    log_format: LogFormatOpt = None,
    db: DbOpt = None,
) -> None:
    """Run in the foreground: catch up on missed periods, then every job on time."""
    from events.timeutil import utc_now
    from ledger.interfaces.scheduler.runner import run_forever

    settings = _config(
        config, reports_dir=reports_dir, timezone=timezone, daily_summary_at=daily_at,
        weekly_summary_at=weekly_at, roi_report_at=report_at, update_confidence_at=confidence_at,
        portfolio_review_at=review_at, new_underperformers_at=underperformers_at,
        alerts_every_minutes=alerts_every, rescore_every_minutes=rescore_every,
        tick_seconds=tick, opportunities=opportunities, alerts_webhook=alerts_webhook,
        metrics_file=metrics_file,
    )  # fmt: skip
    from ledger.interfaces.scheduler.jobs import check_reports_dir

    log_format = checked_log_format(log_format)
    _ensure_ledger(ctx)
    check_reports_dir(settings)
    if settings.metrics_file:  # refused now, in words, rather than logged at every tick
        from ledger.core.outputs import check_target

        check_target(Path(settings.metrics_file), db_location(ctx), "metrics_file",
                     make_parents=False)  # fmt: skip
    _setup_logging(log_format)
    run_forever(db_location(ctx), settings, utc_now)


JOB_COLUMNS: list[Column] = [
    column("job", "name"),
    column("when", "trigger"),
    ("next run", lambda r: r["next_run"] or "–"),
    ("last produced", lambda r: r["last_period"] or "–"),
    column("periods in log", "periods_produced", str),
]


@app.command("list")
@shell_options(now=True)
def list_(config: ConfigOpt = None, timezone: TimezoneOpt = None, *, shell: Shell) -> None:
    """The jobs, their triggers, next run times and the last period the log has."""
    from ledger.interfaces.scheduler.jobs import build_jobs

    settings = _config(config, timezone=timezone)
    moment = _now(shell.now).astimezone(settings.zone)
    rows = []
    with _existing_ledger(shell) as ledger:  # none yet: the jobs still have their triggers
        for job in build_jobs(settings):
            done = (
                sorted(ledger.service.reports_produced(job.name)) if job.recorded and ledger else []
            )
            nxt = job.trigger.get_next_fire_time(None, moment)
            rows.append({
                "name": job.name, "trigger": job.describe, "timezone": settings.timezone,
                "next_run": nxt.isoformat() if nxt else None,
                "last_period": done[-1] if done else None, "periods_produced": len(done),
            })  # fmt: skip
    shell.table(f"Scheduled jobs ({settings.timezone})", JOB_COLUMNS, rows)


@contextmanager
def _existing_ledger(shell: Shell) -> Iterator[Any]:
    """The ledger if there is one, else None."""
    from ledger.errors import InputError

    try:
        ledger = shell.reading()
    except InputError as exc:
        if not isinstance(exc.details, dict) or exc.details.get("field") != "db":
            raise
        yield None
        return
    with ledger:
        yield ledger


@app.command("run-job")
@shell_options()
def run_job(
    name: Annotated[str, typer.Argument(metavar="NAME", help="A job name from `schedule list`.")],
    now: NowOpt = None,
    config: ConfigOpt = None,
    reports_dir: ReportsOpt = None,
    timezone: TimezoneOpt = None,
    *,
    shell: Shell,
) -> None:
    """Run one job now, as its trigger would at --now: every period due by then and missing."""
    from ledger.errors import InputError
    from ledger.interfaces.scheduler.jobs import build_jobs

    settings = _config(config, reports_dir=reports_dir, timezone=timezone)
    jobs = {job.name: job for job in build_jobs(settings)}
    if name not in jobs:
        raise InputError(f"name: no job {name!r}; jobs are {', '.join(jobs)}", {"field": "name"})
    _catch_up(shell, [jobs[name]], now, settings)


@app.command("catch-up")
@shell_options()
def catch_up_command(
    now: NowOpt = None,
    config: ConfigOpt = None,
    reports_dir: ReportsOpt = None,
    timezone: TimezoneOpt = None,
    *,
    shell: Shell,
) -> None:
    """Produce every period missing from the log up to --now, then exit."""
    from ledger.interfaces.scheduler.jobs import build_jobs

    settings = _config(config, reports_dir=reports_dir, timezone=timezone)
    _catch_up(shell, build_jobs(settings), now, settings)
