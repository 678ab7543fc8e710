"""`commsignal import logins`: login files into the store, with a summary and an alerting exit code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from commsignal.sources.logins import ImportSummary, LoginImportOptions, import_login_files
from commsignal.store.runs import recorded_run
from connectors.logins import PARSERS, LoginFormatError
from connectors.logins.common import snippet
from connectors.logins.csv_logins import check_column_map, check_event_map

EXIT_QUARANTINED = 3
EXIT_NOTHING_STORED = 4


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        key, sep, mapped = value.partition("=")
        if not sep or not key.strip() or not mapped.strip():
            raise click.ClickException(f"{option} expects NAME=VALUE, got {snippet(value, 60)}")
        out[key.strip()] = mapped.strip()
    return out


def _config_logins(app: Any) -> Any:
    # [logins] in the config supplies defaults; a stand-in context without config() has none
    config = getattr(app, "config", None)
    return getattr(config(), "logins", None) if callable(config) else None


@click.command(name="logins")
@click.option("--format", "fmt", required=True, help="windows, okta, entra, slack-audit or csv.")
@click.option(
    "--timezone", default=None, help="Zone of naive timestamps (e.g. UTC, Europe/Berlin)."
)
@click.option("--column", "columns", multiple=True, help="CSV column mapping, e.g. user=Username.")
@click.option("--event", "events", multiple=True, help="CSV event mapping, e.g. Connected=logon.")
@click.option(
    "--time-format",
    default=None,
    help="strptime format of non-ISO timestamps, e.g. '%m/%d/%Y %I:%M:%S %p'.",
)
@click.option(
    "--include-machine-accounts", is_flag=True, default=None, help="Keep Windows NAME$ accounts."
)
@click.option(
    "--include-network-logons", is_flag=True, default=None, help="Keep Windows type-3 logons."
)
@click.option(
    "--idle-timeout-hours", type=float, default=None, help="Evidence gap that ends an open session."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.argument("files", nargs=-1, required=True)
@click.pass_context
def logins_command(
    ctx: click.Context,
    fmt: str,
    timezone: str | None,
    columns: tuple[str, ...],
    events: tuple[str, ...],
    time_format: str | None,
    include_machine_accounts: bool | None,
    include_network_logons: bool | None,
    idle_timeout_hours: float | None,
    as_json: bool,
    files: tuple[str, ...],
) -> None:
    """Import login logs (Windows .evtx/JSON, Okta, Entra, Slack audit, CSV) and rebuild sessions."""
    if fmt not in PARSERS:
        raise click.ClickException(
            f"unknown format {snippet(fmt, 40)}; choose one of: {', '.join(PARSERS)}"
        )
    for name in files:
        if Path(name).is_dir():
            hint = (
                f"a Slack export folder is imported with: commsignal import slack-export {name}"
                if (Path(name) / "users.json").is_file()
                else f"give the log files inside it, e.g. {name}/*.json"
            )
            raise click.ClickException(f"{name} is a folder; {hint}")
        if not Path(name).is_file():
            raise click.ClickException(f"no such file: {name}")
    if time_format is not None and "%" not in time_format:
        raise click.ClickException(
            f"--time-format {snippet(time_format, 40)} has no strptime codes; "
            "write it like '%m/%d/%Y %I:%M:%S %p'"
        )
    app = ctx.obj
    cfg = _config_logins(app)
    options = LoginImportOptions(
        timezone=timezone or getattr(cfg, "timezone", None),
        column_map=_pairs(columns, "--column"),
        event_map=_pairs(events, "--event"),
        time_format=time_format or getattr(cfg, "time_format", None),
        include_machine_accounts=bool(
            include_machine_accounts or getattr(cfg, "include_machine_accounts", False)
        ),
        include_network_logons=bool(
            include_network_logons or getattr(cfg, "include_network_logons", False)
        ),
    )
    hours = idle_timeout_hours or getattr(cfg, "idle_timeout_hours", None)
    if hours:
        options.idle_timeout_hours = float(hours)
    try:
        check_column_map(options.column_map or {})
        check_event_map(options.event_map or {})
    except LoginFormatError as exc:
        raise click.ClickException(str(exc)) from None
    db = app.db()
    try:
        with recorded_run(db, f"import:logins:{fmt}") as run:
            summary = import_login_files(db, app.ingestor(scorer=False), fmt, files, options)
            run.update(summary.as_dict())
    except LoginFormatError as exc:  # includes NaiveTimestampError: the message names --timezone
        raise click.ClickException(_short(str(exc))) from None
    except Exception as exc:  # never a traceback for an input file, however broken
        # the run record keeps the error; rows written before it stay (re-running adds nothing)
        raise click.ClickException(
            f"could not read {_short(', '.join(files), 120)}: {type(exc).__name__}: "
            f"{_short(str(exc), 160)}. Check that it is a {fmt} export; if it is, please "
            "report this with the file's first lines."
        ) from None
    _print(summary, as_json)
    if summary.quarantined:
        ctx.exit(EXIT_QUARANTINED)
    if not summary.new_events + summary.duplicates:
        ctx.exit(EXIT_NOTHING_STORED)


def _short(text: str, limit: int = 400) -> str:
    # no message echoes more than a few hundred bytes of whatever the input held
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _print(summary: ImportSummary, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary.as_dict(), indent=2))
        return
    click.echo(summary.line())
    if summary.quarantined:
        reasons = ", ".join(f"{n} {why}" for why, n in summary.quarantine_reasons.items())
        click.echo(
            f"{summary.quarantined} row(s) quarantined ({summary.new_quarantined} new): "
            f"{_short(reasons, 300)}; see `commsignal quarantine list`. Examples:",
            err=True,
        )
        for example in summary.quarantine_examples:
            click.echo(f"  {_short(example, 300)}", err=True)
    if not summary.new_events + summary.duplicates:
        click.echo(
            f"nothing was stored from {summary.rows_read} rows read: check that the file is a "
            f"{summary.format} export, and the reasons given",
            err=True,
        )
