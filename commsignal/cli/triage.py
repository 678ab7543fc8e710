"""`commsignal triage` (verdicts on findings) and `commsignal allow` (sanctioned exceptions), both audited."""

from __future__ import annotations

from datetime import date

import click
from pydantic import ValidationError

from commsignal.cli.context import AppContext, pass_app
from commsignal.weeks import parse_week


class _TriageGroup(click.Group):
    """`triage PSEUDONYM ...` records a verdict; `triage list` lists them."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["record", *args]
        return super().parse_args(ctx, args)


@click.group(
    name="triage",
    cls=_TriageGroup,
    help=(
        "Record a verdict on a person's findings: commsignal triage PSEUDONYM --week W "
        "--verdict benign|confirmed|escalated|needs-review --reason TEXT [--rule RULE] "
        "[--until DATE] [--assignee NAME]; `triage list [--open]` shows the decisions."
    ),
)
def triage_group() -> None:
    """Record and list verdicts."""


def _date(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.ClickException(
            f"{flag} {value!r} is not a date; write it like 2026-12-31"
        ) from None


@triage_group.command(name="record")
@click.argument("pseudonym")
@click.option("--week", required=True, help="ISO week whose findings you reviewed, e.g. 2026-W47.")
@click.option("--rule", "rule", help="One rule id (default: every rule that fired that week).")
@click.option(
    "--verdict",
    required=True,
    type=click.Choice(["benign", "confirmed", "escalated", "needs-review"]),
    help="benign suppresses until --until; confirmed/escalated keep the person at the top.",
)
@click.option("--reason", required=True, help="Why; kept in the audit log and shown in digests.")
@click.option("--until", "until", help="Last day a benign verdict applies (YYYY-MM-DD).")
@click.option("--assignee", help="Who owns the case.")
@pass_app
def triage_record(
    app: AppContext,
    pseudonym: str,
    week: str,
    rule: str | None,
    verdict: str,
    reason: str,
    until: str | None,
    assignee: str | None,
) -> None:
    """Record a verdict on PSEUDONYM's findings of a week."""
    from commsignal.detect import RuleError, load_rules
    from commsignal.triage import TriageError, record_verdict

    try:
        parse_week(week)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    config = app.config()
    db = app.db()
    if not db.execute("select 1 from people where person_id = ?", [pseudonym]).fetchone():
        raise click.ClickException(
            f"no person with pseudonym {pseudonym}. Fix: copy it from a digest (it starts with 'p-')."
        )
    if rule is not None:
        try:
            ids = [r.id for r in load_rules(config.detect.rules_dir)]
        except RuleError as exc:
            raise click.ClickException(str(exc)) from None
        if rule not in ids:
            raise click.ClickException(f"unknown rule {rule!r}. Fix: use one of {', '.join(ids)}")
    try:
        v = record_verdict(
            db,
            pseudonym,
            week,
            verdict,
            reason,
            detector=rule,
            until=_date(until, "--until"),
            assignee=assignee,
            benign_weeks=config.triage.benign_weeks,
        )
    except TriageError as exc:
        raise click.ClickException(str(exc)) from None
    scope = (
        f"rule {v.detector}"
        if v.detector
        else f"rules {', '.join(sorted(v.baseline)) or '(none fired)'}"
    )
    line = f"verdict #{v.id}: {v.person_id} {v.verdict} for {scope} from {v.week}"
    if v.until:
        line += f" until {v.until} (returns earlier if the evidence grows)"
    click.echo(line)


@triage_group.command(name="list")
@click.option(
    "--open", "only_open", is_flag=True, help="Only open cases and benign verdicts in force."
)
@pass_app
def triage_list(app: AppContext, only_open: bool) -> None:
    """List every verdict; with --open, the newest per person and rule that is still in force."""
    from commsignal.triage import is_open, latest, list_verdicts

    verdicts = list_verdicts(app.db())
    if only_open:
        today = date.today()
        verdicts = [v for v in latest(verdicts) if is_open(v, today)]
    if not verdicts:
        click.echo("no verdicts" + (" open" if only_open else ""))
        return
    for v in verdicts:
        extra = f" until {v.until}" if v.until else ""
        extra += f" assignee {v.assignee}" if v.assignee else ""
        click.echo(
            f"#{v.id} {v.week} {v.person_id} {v.detector or '*'} {v.verdict}{extra} "
            f"by {v.actor}: {v.reason}"
        )


@click.group(name="allow")
def allow_group() -> None:
    """Sanctioned exceptions kept in the store (config [[allow]] entries work the same way)."""


@allow_group.command(name="add")
@click.option("--rule", "rules", multiple=True, required=True, help="Rule id (repeatable), or '*'.")
@click.option(
    "--device", "devices", multiple=True, help="Device name or id; globs like VDI-* work."
)
@click.option("--cidr", "cidrs", multiple=True, help="Address range, e.g. 10.20.0.0/16.")
@click.option("--tool", "tools", multiple=True, help="Remote-access tool, e.g. teamviewer.")
@click.option("--person", help="Limit to one pseudonym.")
@click.option("--team", "teams", multiple=True, help="Limit to a team (repeatable).")
@click.option("--reason", required=True, help="Why it is sanctioned; shown in the digest.")
@click.option("--expires", required=True, help="Last day it applies (YYYY-MM-DD).")
@pass_app
def allow_add(
    app: AppContext,
    rules: tuple[str, ...],
    devices: tuple[str, ...],
    cidrs: tuple[str, ...],
    tools: tuple[str, ...],
    person: str | None,
    teams: tuple[str, ...],
    reason: str,
    expires: str,
) -> None:
    """Store an allowlist entry scoped to rules, with a reason and an expiry date."""
    from commsignal.config.triage import AllowEntry
    from commsignal.triage import add_entry

    try:
        entry = AllowEntry(
            rules=list(rules),
            devices=list(devices),
            cidrs=list(cidrs),
            tools=list(tools),
            people=[person] if person else [],
            teams=list(teams),
            reason=reason,
            expires=_date(expires, "--expires"),  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        raise click.ClickException(
            "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        ) from None
    if entry.expires < date.today():
        raise click.ClickException(f"--expires {entry.expires} is in the past; give a future date")
    click.echo(f"added {add_entry(app.db(), entry)}: {entry.reason} (until {entry.expires})")


@allow_group.command(name="list")
@click.option("--all", "everything", is_flag=True, help="Include removed entries.")
@pass_app
def allow_list(app: AppContext, everything: bool) -> None:
    """List config and stored entries; expired ones are marked and not applied."""
    from commsignal.triage import stored_entries
    from commsignal.triage.allowlist import config_entries

    today = date.today()
    entries = config_entries(app.config().allow) + stored_entries(app.db(), everything)
    if not entries:
        click.echo("no allowlist entries")
    for e in entries:
        d = e.describe()
        what = " ".join(
            f"{k}={','.join(d[k])}"
            for k in ("devices", "cidrs", "tools", "people", "teams")
            if k in d
        )
        flag = "EXPIRED (not applied) " if e.expires < today else ""
        click.echo(f"{e.id} {flag}rules={','.join(e.rules)} {what} until {e.expires}: {e.reason}")


@allow_group.command(name="remove")
@click.argument("entry_id")
@click.option("--reason", required=True, help="Why it is removed; written to the audit log.")
@pass_app
def allow_remove(app: AppContext, entry_id: str, reason: str) -> None:
    """Remove a stored entry (stored#N or N); config entries are removed by editing the file."""
    from commsignal.triage import remove_entry

    number = entry_id.removeprefix("stored#")
    if not number.isdigit():
        raise click.ClickException(
            f"{entry_id} is not a stored entry id (stored#N). Config entries are removed from the config file."
        )
    if not remove_entry(app.db(), int(number), reason):
        raise click.ClickException(f"no stored entry {entry_id}. Fix: see `commsignal allow list`.")
    click.echo(f"removed stored#{number}")
