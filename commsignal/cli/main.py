"""The `commsignal` command line: thin commands over the library's stages."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path

import click

from commsignal import __version__
from commsignal.cli.context import AppContext, pass_app
from commsignal.cli.logins import logins_command
from commsignal.cli.nlp import nlp_group
from commsignal.cli.people import directory_command, people_group
from commsignal.cli.slack_export import slack_export_command
from commsignal.cli.triage import allow_group, triage_group
from commsignal.config import ConfigError
from commsignal.weeks import parse_week


class _Commands(click.Group):
    """The top group: a store kept busy past every retry is a one-line error, not a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        from commsignal.store.tx import StoreBusyError

        try:
            return super().invoke(ctx)
        except StoreBusyError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="COMMSIGNAL_CONFIG",
    help="TOML config file (env COMMSIGNAL_CONFIG). Built-in defaults when omitted.",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="COMMSIGNAL_DB",
    help="SQLite database file (env COMMSIGNAL_DB; default ./commsignal.db).",
)
@click.version_option(__version__, prog_name="commsignal")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, db_path: Path | None) -> None:
    """Explainable weekly insider-risk digests from Slack, Microsoft 365 and login metadata."""
    ctx.obj = AppContext(config_path=config_path, db_override=db_path)
    if config_path is not None and not ctx.resilient_parsing and "--help" not in sys.argv:
        ctx.obj.config()  # a broken config file is reported before any command runs


@cli.command()
@click.option(
    "--out",
    "out_dir",
    default="./commsignal-demo",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the demo database, logs and digest.",
)
@click.option("--seed", default=7, show_default=True, help="Seed of the simulated organisation.")
@click.option(
    "--people",
    default=200,
    show_default=True,
    type=click.IntRange(min=30),
    help="Number of simulated employees (30 or more).",
)
@click.option(
    "--weeks",
    default=4,
    show_default=True,
    type=click.IntRange(min=2, max=12),
    help="Number of simulated weeks (2-12).",
)
@click.option("--quiet", is_flag=True, help="No progress output.")
def demo(out_dir: Path, seed: int, people: int, weeks: int, quiet: bool) -> None:
    """Run the whole pipeline on a simulated organisation served by loopback fake Slack and Graph servers."""
    from commsignal.demo.run import run_demo

    result = run_demo(out_dir, seed=seed, n_people=people, weeks=weeks, progress=not quiet)
    click.echo(f"Digest for {result.week}: {', '.join(str(p) for p in result.paths)}")
    high = [p for p in result.digest["people"] if p["level"] == "high"]
    click.echo(f"{len(high)} people at level high; open the HTML file to read why.")
    if result.alert_paths:
        click.echo(
            f"Manager engagement notes (opt-in, no risk signals): {result.alert_paths[0].parent}"
        )


@cli.command()
@click.argument("source", type=click.Choice(["all", "slack", "m365", "logins"]), default="all")
@click.option("--no-progress", is_flag=True, help="No progress bars.")
@pass_app
def sync(app: AppContext, source: str, no_progress: bool) -> None:
    """Pull new data from the configured sources (Slack, Microsoft 365, login files) into the store."""
    from commsignal.sources.sync import SyncError, sync_sources

    try:
        lines = sync_sources(app, source, progress=not no_progress)
    except (SyncError, ConfigError) as exc:
        raise click.ClickException(str(exc)) from None
    for line in lines:
        click.echo(line)


@cli.group(name="import")
def import_group() -> None:
    """Import data from files: a Slack workspace export, login logs or the directory."""


import_group.add_command(slack_export_command)
import_group.add_command(logins_command)
import_group.add_command(directory_command)
cli.add_command(nlp_group)
cli.add_command(people_group)
cli.add_command(triage_group)
cli.add_command(allow_group)


def _formats(value: str) -> list[str]:
    formats = [f.strip() for f in value.split(",") if f.strip()]
    bad = [f for f in formats if f not in ("html", "md", "json", "ocsf")]
    if bad or not formats:
        raise click.BadParameter(
            f"use a comma-separated list of html, md, json, ocsf (got {value!r})"
        )
    return formats


@cli.command()
@click.option("--week", help="ISO week such as 2026-W47 (default: the newest week with data).")
@click.option(
    "--format",
    "formats",
    default="html,md,json",
    show_default=True,
    help="Comma-separated formats: html, md, json, ocsf (OCSF Detection Findings, JSON Lines).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: [digest] out_dir).",
)
@click.option(
    "--reveal", is_flag=True, help="Show names instead of pseudonyms (needs --reason; audited)."
)
@click.option("--reason", help="Why names are revealed; written to the audit log.")
@click.option(
    "--no-deliver",
    is_flag=True,
    help="Only write files; do not send to the email, Slack or Teams targets in [deliver].",
)
@pass_app
def digest(
    app: AppContext,
    week: str | None,
    formats: str,
    out_dir: Path | None,
    reveal: bool,
    reason: str | None,
    no_deliver: bool,
) -> None:
    """Compute the week's features and findings, write the ranked, explained risk digest and send it."""
    from commsignal.audit import AuditError, check_reason
    from commsignal.detect import RuleError
    from commsignal.pipeline import latest_complete_week, run_digest
    from commsignal.store.retention import PurgedWeekError

    fmts = _formats(formats)
    if reveal:
        try:
            reason = check_reason(reason)
        except AuditError as exc:
            raise click.ClickException(str(exc)) from None
    config = app.config()
    db = app.db()
    if week:
        try:
            parse_week(week)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    else:
        week = latest_complete_week(db, config.digest.timezone)
    try:
        result = run_digest(
            db,
            config,
            week,
            app.pseudonyms(),
            out_dir,
            fmts,
            reveal=reveal,
            deliver=not no_deliver,
            reason=reason,
        )
    except (RuleError, AuditError, PurgedWeekError) as exc:
        raise click.ClickException(str(exc)) from None
    for path in result.paths:
        click.echo(str(path))
    if no_deliver and config.deliver.enabled_targets():
        click.echo(
            f"delivery skipped (--no-deliver): {', '.join(config.deliver.enabled_targets())}"
        )
    for outcome in result.deliveries:
        click.echo(outcome.line())
    failed = [o.target for o in result.deliveries if not o.ok]
    if failed:
        raise click.ClickException(
            f"delivery failed for {', '.join(failed)} (the digest files were written)"
        )


@cli.command()
@click.argument("pseudonym")
@click.option(
    "--reason", required=True, help="Why this person is revealed; written to the audit log."
)
@pass_app
def reveal(app: AppContext, pseudonym: str, reason: str) -> None:
    """Show who a pseudonym stands for, recording who asked and why in the audit log."""
    from commsignal.audit import AuditError, check_reason, record
    from commsignal.store.people import reveal_person

    try:
        reason = check_reason(reason)
    except AuditError as exc:
        raise click.ClickException(str(exc)) from None
    db = app.db()
    row = reveal_person(db, pseudonym)
    if row is None:
        raise click.ClickException(
            f"no person with pseudonym {pseudonym}. Fix: copy it from a digest (it starts with 'p-')."
        )
    record(db, "reveal", target=pseudonym, reason=reason, subjects=[pseudonym])
    from commsignal.digest.escape import NAME_LIMIT, clean

    def show(value: object) -> str:
        return clean(value, NAME_LIMIT) if value else ""  # no terminal escapes from data

    now = "" if row["person_id"] == pseudonym else f" (now {row['person_id']})"
    email = f" <{show(row['email'])}>" if row["email"] else " (unmatched account)"
    accounts = ", ".join(show(a) for a in row["accounts"])
    click.echo(
        f"{pseudonym}{now}: {show(row['display_name'])}{email} team {show(row['team']) or '-'}"
        + (f"; accounts: {accounts}" if accounts else "")
    )


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def status(app: AppContext, as_json: bool) -> None:
    """Show what the store holds and when each source last synced."""
    from commsignal.status import store_status

    info = store_status(app.db())
    if as_json:
        click.echo(json.dumps(info, indent=2, sort_keys=True))
        return
    click.echo(f"database: {app.db_path}")
    for name, n in info["counts"].items():
        click.echo(f"  {name:<14}{n:>10}")
    for source, s in info["sources"].items():
        click.echo(f"{source}: last sync {s['last_sync'] or 'never'}")
        for key, cursor in s["cursors"].items():
            click.echo(f"  {key}: {json.dumps(cursor, sort_keys=True)}")
    for source, n in info["identity"].items():
        click.echo(f"{source}: {n['unmatched']} of {n['accounts']} accounts unmatched")
    for run in info["runs"]:
        when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(run["started_at"]))
        took = "" if run["seconds"] is None else f" in {run['seconds']}s"
        click.echo(f"run {when} UTC {run['kind']}: {run['status']}{took}")


@cli.command()
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=1),
    help="Delete person data older than this many days (default: [privacy] retention_days).",
)
@click.option(
    "--all", "everything", is_flag=True, help="Delete all collected data (keeps the audit log)."
)
@click.option(
    "--yes", is_flag=True, help="Do not ask for confirmation (needed when not a terminal)."
)
@pass_app
def purge(app: AppContext, days: int | None, everything: bool, yes: bool) -> None:
    """Delete person data older than a number of days, or all of it, keeping the audit log."""
    from commsignal.audit import purge_data, record

    if days is not None and everything:
        raise click.ClickException("give one of --older-than DAYS or --all, not both")
    if days is None and not everything:
        days = app.config().privacy.retention_days
        if days is None:
            raise click.ClickException(
                "nothing says how much to keep. Fix: pass --older-than DAYS or --all, or set "
                "[privacy] retention_days in the config."
            )
    what = "ALL collected data" if everything else f"person data older than {days} days"
    if not yes:
        if not sys.stdin.isatty():
            raise click.ClickException(
                f"purge would delete {what} and stdin is not a terminal to confirm. "
                "Fix: add --yes to delete without asking."
            )
        if not click.confirm(f"Delete {what} from {app.db_path}?", default=False):
            raise click.ClickException("nothing deleted")
    cutoff = None if everything else time.time() - days * 86400  # type: ignore[operator]
    db = app.db()
    counts = purge_data(db, cutoff)
    record(db, "purge", target="all" if everything else f"older than {days} days", reason="")
    click.echo(", ".join(f"{table}: {n}" for table, n in counts.items()) or "nothing to delete")


@cli.command()
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False), default="commsignal.toml")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init(path: Path, force: bool) -> None:
    """Write a documented example config to PATH (default ./commsignal.toml) to edit.

    Every setting is listed with its default and what it does. Secrets stay out of the file:
    it names the environment variables (or files) that hold them.
    """
    from commsignal.config import EXAMPLE_CONFIG

    if path.exists() and not force:
        raise click.ClickException(f"{path} already exists. Fix: pass --force, or another PATH.")
    from commsignal.store.files import atomic_write

    atomic_write(path, EXAMPLE_CONFIG.read_text(encoding="utf-8"))
    click.echo(
        f"wrote {path}: set the token variables it names, then `commsignal --config {path} sync`"
    )


@cli.command()
@pass_app
def serve(app: AppContext) -> None:
    """Run the scheduled sync and digest jobs from [schedule] until interrupted."""
    from commsignal.schedule import build_scheduler

    config = app.config()
    if not config.schedule.jobs:
        raise click.ClickException(
            f"{config.source_name}: [schedule] has no jobs. Fix: add [[schedule.jobs]] entries "
            "(`commsignal init` writes an example with a schedule)."
        )
    scheduler = build_scheduler(app, blocking=True)
    for job in scheduler.get_jobs():
        click.echo(f"{job.id}: {job.trigger}")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


@cli.group()
def rules() -> None:
    """List detector rules and run their inline test cases."""


@rules.command(name="list")
@pass_app
def rules_list(app: AppContext) -> None:
    """Print every enabled rule with its strength and weight."""
    from commsignal.detect import load_rules

    for r in load_rules(app.config().detect.rules_dir):
        click.echo(f"{r.id:<24} v{r.version} {r.strength:<6} weight {r.weight:.2f}  {r.name}")


@rules.command(name="test")
@pass_app
def rules_test(app: AppContext) -> None:
    """Run every rule's inline positive and negative cases; exits non-zero on a failure."""
    from commsignal.detect import evaluate_rule, load_rules

    failures = 0
    for r in load_rules(app.config().detect.rules_dir):
        for t in r.tests:
            fired = evaluate_rule(r, t.features) is not None
            ok = fired == t.expect
            failures += not ok
            click.echo(f"{'ok  ' if ok else 'FAIL'} {r.id}: {t.name}")
    if failures:
        raise click.ClickException(f"{failures} rule test(s) failed")


def main() -> None:
    """Entry point for `python -m commsignal`."""
    cli(prog_name="commsignal")
