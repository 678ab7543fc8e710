"""`commsignal import logins`: login files into the store, with a summary and an alerting exit code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from commsignal.sources.logins import ImportSummary, LoginImportOptions, import_login_files
from connectors.logins import PARSERS, LoginFormatError

EXIT_QUARANTINED = 3


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        key, sep, mapped = value.partition("=")
        if not sep or not key.strip() or not mapped.strip():
            raise click.ClickException(f"{option} expects NAME=VALUE, got {value!r}")
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
    include_machine_accounts: bool | None,
    include_network_logons: bool | None,
    idle_timeout_hours: float | None,
    as_json: bool,
    files: tuple[str, ...],
) -> None:
    """Import login logs (Windows .evtx/JSON, Okta, Entra, Slack audit, CSV) and rebuild sessions."""
    if fmt not in PARSERS:
        raise click.ClickException(f"unknown format {fmt!r}; choose one of: {', '.join(PARSERS)}")
    for name in files:
        if not Path(name).is_file():
            raise click.ClickException(f"no such file: {name}")
    app = ctx.obj
    cfg = _config_logins(app)
    options = LoginImportOptions(
        timezone=timezone or getattr(cfg, "timezone", None),
        column_map=_pairs(columns, "--column"),
        event_map=_pairs(events, "--event"),
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
        summary = import_login_files(app.db(), app.ingestor(scorer=False), fmt, files, options)
    except LoginFormatError as exc:  # includes NaiveTimestampError: the message names --timezone
        raise click.ClickException(str(exc)) from None
    _print(summary, as_json)
    if summary.quarantined:
        ctx.exit(EXIT_QUARANTINED)


def _print(summary: ImportSummary, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary.as_dict(), indent=2))
        return
    click.echo(
        f"{summary.format}: {summary.files} file(s), {summary.events_read} events read, "
        f"{summary.new_events} new, {summary.duplicates} already stored; "
        f"{summary.sessions} sessions for {summary.users} user(s)"
    )
    if summary.quarantined:
        click.echo(
            f"{summary.quarantined} row(s) quarantined ({summary.new_quarantined} new); "
            "see the quarantine table. Examples:",
            err=True,
        )
        for example in summary.quarantine_examples:
            click.echo(f"  {example}", err=True)
