"""`commsignal quarantine list|show|clear`: look at the rows imports could not read, and let them go."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from typing import Any

import click

from commsignal.cli.context import AppContext, pass_app

RAW_SHOWN = 400
"""At most this many characters of a quarantined row are printed (rows may hold hostile input)."""


@dataclass(slots=True)
class Filters:
    """Which quarantine rows a command is about."""

    source: str | None = None
    file: str | None = None
    reason: str | None = None
    older_than_days: float | None = None

    def where(self) -> tuple[str, list[Any]]:
        """The SQL condition and its parameters.

        Returns:
            (condition, parameters); "1" with no parameters when nothing is filtered.
        """
        parts: list[str] = []
        params: list[Any] = []
        if self.source:
            parts.append("source = ?")
            params.append(self.source)
        if self.file:
            parts.append("instr(file, ?) > 0")
            params.append(self.file)
        if self.reason:
            parts.append("instr(lower(reason), lower(?)) > 0")
            params.append(self.reason)
        if self.older_than_days is not None:
            parts.append("coalesce(data_ts, created_at) < ?")
            params.append(time.time() - self.older_than_days * 86400.0)
        return (" and ".join(parts) or "1"), params

    def empty(self) -> bool:
        """Whether no filter was given."""
        return not (self.source or self.file or self.reason) and self.older_than_days is None


def _filters(func: Any) -> Any:
    for option in reversed(
        [
            click.option(
                "--source", help="Only rows of this source (windows, okta, csv, slack...)."
            ),
            click.option(
                "--file", "file_part", help="Only rows of files whose path contains this."
            ),
            click.option("--reason", help="Only rows whose reason contains this text."),
            click.option(
                "--older-than",
                "older_than",
                type=click.FloatRange(min=0),
                help="Only rows whose data is older than this many days.",
            ),
        ]
    ):
        func = option(func)
    return func


def _when(ts: float | None) -> str:
    return "-" if ts is None else time.strftime("%Y-%m-%d %H:%M", time.gmtime(ts))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


@click.group(name="quarantine")
def quarantine_group() -> None:
    """List, inspect and clear the rows that imports could not read."""


@quarantine_group.command(name="list")
@_filters
@click.option("--rows", "each_row", is_flag=True, help="One line per row instead of per reason.")
@click.option("--limit", default=50, show_default=True, help="Most lines printed.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def list_command(
    app: AppContext,
    source: str | None,
    file_part: str | None,
    reason: str | None,
    older_than: float | None,
    each_row: bool,
    limit: int,
    as_json: bool,
) -> None:
    """Count quarantined rows by source, file and reason (or list rows with --rows)."""
    where, params = Filters(source, file_part, reason, older_than).where()
    db = app.db()
    if each_row:
        sql = (
            "select id, source, file, line, reason, created_at, data_ts from quarantine "
            f"where {where} order by id limit ?"
        )
    else:
        sql = (
            "select source, file, reason, count(*) as rows, min(id) as first_id, "
            "max(created_at) as last_seen from quarantine "
            f"where {where} group by source, file, reason order by source, file, rows desc limit ?"
        )
    found = list(db.query(sql, [*params, limit]))
    total = db.execute(f"select count(*) from quarantine where {where}", params).fetchone()[0]
    if as_json:
        click.echo(json.dumps({"total": total, "entries": found}, indent=2))
        return
    if not found:
        click.echo("quarantine is empty" if where == "1" else "no quarantined rows match")
        return
    for r in found:
        if each_row:
            click.echo(
                f"#{r['id']} {r['source']} {_cut(r['file'], 120)}:{r['line']}: "
                f"{_cut(r['reason'], 160)} (read {_when(r['created_at'])} UTC)"
            )
        else:
            click.echo(
                f"{r['rows']:>7} {r['source']} {_cut(r['file'], 120)}: {_cut(r['reason'], 160)} "
                f"(e.g. #{r['first_id']}; last read {_when(r['last_seen'])} UTC)"
            )
    click.echo(f"{total} row(s) in all; `commsignal quarantine show ID` prints one")


@quarantine_group.command(name="show")
@click.argument("row_id", type=int)
@pass_app
def show_command(app: AppContext, row_id: int) -> None:
    """Print one quarantined row: where it came from, why, and (the start of) what it held."""
    rows = list(app.db().query("select * from quarantine where id = ?", [row_id]))
    if not rows:
        raise click.ClickException(
            f"no quarantined row #{row_id}. Fix: take an id from `commsignal quarantine list --rows`."
        )
    r = rows[0]
    raw = r["raw"] or ""
    shown = raw[:RAW_SHOWN].encode("unicode_escape").decode("ascii")
    click.echo(f"#{r['id']} {r['source']} {_cut(r['file'], 200)} line {r['line']}")
    click.echo(f"reason: {_cut(r['reason'], 300)}")
    click.echo(f"read:   {_when(r['created_at'])} UTC; data of {_when(r['data_ts'])} UTC")
    more = f" ({len(raw)} characters kept, first {RAW_SHOWN} shown)" if len(raw) > RAW_SHOWN else ""
    click.echo(f"raw{more}: {shown}")


@quarantine_group.command(name="clear")
@_filters
@click.option("--all", "everything", is_flag=True, help="Clear every quarantined row.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def clear_command(
    app: AppContext,
    source: str | None,
    file_part: str | None,
    reason: str | None,
    older_than: float | None,
    everything: bool,
    yes: bool,
) -> None:
    """Delete quarantined rows (after fixing and re-importing their file), recorded in the audit log."""
    from commsignal.audit import record

    filters = Filters(source, file_part, reason, older_than)
    if filters.empty() and not everything:
        raise click.ClickException(
            "say which rows: --source, --file, --reason, --older-than DAYS, or --all"
        )
    where, params = filters.where()
    db = app.db()
    n = db.execute(f"select count(*) from quarantine where {where}", params).fetchone()[0]
    if not n:
        click.echo("no quarantined rows match; nothing cleared")
        return
    if not yes:
        if not sys.stdin.isatty():
            raise click.ClickException(f"{n} row(s) match; pass --yes to clear them")
        if not click.confirm(f"Delete {n} quarantined row(s)?", default=False):
            raise click.ClickException("nothing cleared")
    with db.atomic():
        db.execute(f"delete from quarantine where {where}", params)
    described = ", ".join(
        f"{k}={v}"
        for k, v in (
            ("source", source),
            ("file", file_part),
            ("reason", reason),
            ("older-than", older_than),
        )
        if v is not None
    )
    record(db, "quarantine-clear", target=described or "all", reason=f"{n} rows")
    click.echo(f"cleared {n} quarantined row(s)")
