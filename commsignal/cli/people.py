"""`commsignal people` and `import directory`: see and correct who is who, audited."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from commsignal.cli.context import AppContext, pass_app
from commsignal.sources.directory import (
    DirectoryError,
    identity_rules,
    import_directory,
    refresh_identities,
)
from commsignal.store.people import (
    clear_link,
    find_accounts,
    set_link,
    unmatched_accounts,
    unmatched_by_source,
)


def _reason(reason: str) -> str:
    if len(reason.strip()) < 5:
        raise click.ClickException(
            "--reason must say why (at least a few words); it is kept in the audit log."
        )
    return reason.strip()


@click.command(name="directory")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@pass_app
def directory_command(app: AppContext, file: Path) -> None:
    """Import the organisation's directory CSV: names, teams, managers, zones, start dates, aliases.

    Header: email,display_name,team,title,manager_email,timezone,country,start_date,aliases
    (aliases separated by ';': DOMAIN\\sam, UPNs, Okta logins, Slack or Teams user ids,
    employee ids). A later import replaces the earlier one; people are re-resolved at once.
    """
    try:
        done = import_directory(
            app.db(), app.pseudonyms(), file, identity_rules(app.config().identity)
        )
    except DirectoryError as exc:
        raise click.ClickException(str(exc)) from None
    r = done.resolution
    click.echo(
        f"directory {file.name}: {done.entries} people, {done.aliases} aliases; "
        f"{r.changed} identities re-resolved, {r.people} people"
    )


@click.group(name="people")
def people_group() -> None:
    """List unmatched accounts and link or unlink accounts to people by hand (audited)."""


@people_group.command(name="unmatched")
@click.option(
    "--reveal", is_flag=True, help="Show account ids and names (needs --reason; audited)."
)
@click.option("--reason", help="Why account names are shown; written to the audit log.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_app
def unmatched(app: AppContext, reveal: bool, reason: str | None, as_json: bool) -> None:
    """List accounts that joined no person by email, directory or rule, pseudonymous by default."""
    from commsignal.audit import record

    if reveal and not reason:
        raise click.ClickException("--reveal needs --reason TEXT: it is written to the audit log.")
    db = app.db()
    rows = unmatched_accounts(db)
    if reveal:
        record(db, "reveal-unmatched", target=f"{len(rows)} accounts", reason=_reason(reason or ""))
    out: list[dict[str, Any]] = [
        {"source": r["source"], "person": r["person_id"], "kind": r["kind"]}
        | ({"account": r["account_id"], "display_name": r["display_name"]} if reveal else {})
        for r in rows
    ]
    if as_json:
        click.echo(json.dumps({"by_source": unmatched_by_source(db), "accounts": out}, indent=2))
        return
    for source, n in unmatched_by_source(db).items():
        click.echo(f"{source}: {n['unmatched']} of {n['accounts']} accounts unmatched")
    for o in out:
        who = f" {o['account']}" if reveal else ""
        click.echo(f"  {o['source']:<12} {o['person']}{who}")
    if out and not reveal:
        click.echo(
            "Fix: `commsignal people link ACCOUNT EMAIL --reason TEXT`, an alias in the "
            "directory CSV, or an [identity] rule (see `--reveal --reason` for account ids)."
        )


def _one_account(app: AppContext, account: str, source: str | None) -> tuple[str, str]:
    if source is None and ":" in account and "\\" not in account.split(":", 1)[0]:
        maybe_source, rest = account.split(":", 1)
        if find_accounts(app.db(), rest, maybe_source):
            source, account = maybe_source, rest
    found = find_accounts(app.db(), account, source)
    if not found:
        raise click.ClickException(
            f"no account {account!r}{f' in {source}' if source else ''}. Fix: copy it from "
            "`commsignal people unmatched --reveal --reason TEXT` (an account id or login name)."
        )
    if len(found) > 1:
        sources = ", ".join(f"{r['source']}:{r['account_id']}" for r in found)
        raise click.ClickException(
            f"{account!r} is an account in several sources ({sources}). Fix: add --source NAME."
        )
    return found[0]["source"], found[0]["account_id"]


def _refresh(app: AppContext) -> str:
    r = refresh_identities(app.db(), app.pseudonyms(), identity_rules(app.config().identity))
    return f"{r.changed} identities re-resolved, {r.people} people"


@people_group.command(name="link")
@click.argument("account")
@click.argument("email")
@click.option("--reason", required=True, help="Why; written to the audit log.")
@click.option("--source", help="The account's source when its id exists in several.")
@pass_app
def link(app: AppContext, account: str, email: str, reason: str, source: str | None) -> None:
    """Join an account to the person with this email; later syncs and imports keep the link."""
    from commsignal.audit import record

    if "@" not in email:
        raise click.ClickException(
            f"{email!r} is not an email address. Fix: give the person's email."
        )
    why = _reason(reason)
    src, account_id = _one_account(app, account, source)
    db = app.db()
    set_link(db, src, account_id, email, why)
    record(db, "people-link", target=f"{src}:{account_id} -> {email.strip().lower()}", reason=why)
    click.echo(f"linked {src}:{account_id} to {email.strip().lower()}; {_refresh(app)}")


@people_group.command(name="unlink")
@click.argument("account")
@click.option("--reason", required=True, help="Why; written to the audit log.")
@click.option("--source", help="The account's source when its id exists in several.")
@click.option(
    "--automatic",
    is_flag=True,
    help="Drop the manual decision instead: the account is matched automatically again.",
)
@pass_app
def unlink(app: AppContext, account: str, reason: str, source: str | None, automatic: bool) -> None:
    """Separate an account from the person it was joined to; later syncs and imports keep it apart."""
    from commsignal.audit import record

    why = _reason(reason)
    src, account_id = _one_account(app, account, source)
    db = app.db()
    if automatic:
        if not clear_link(db, src, account_id):
            raise click.ClickException(f"{src}:{account_id} has no manual link or unlink to drop.")
        record(db, "people-automatic", target=f"{src}:{account_id}", reason=why)
        click.echo(f"{src}:{account_id} is matched automatically again; {_refresh(app)}")
        return
    set_link(db, src, account_id, None, why)
    record(db, "people-unlink", target=f"{src}:{account_id}", reason=why)
    click.echo(f"unlinked {src}:{account_id}: it stands alone now; {_refresh(app)}")
