"""The organisation's directory (CSV, or Graph users) as identity evidence, and re-resolving people.

Directory data is authoritative for team, title, manager, declared zone and country and start
date; its aliases (`DOMAIN\\sam`, UPNs, Okta logins, Slack or Teams user ids, employee ids) join
accounts to the person. Every import ends with `refresh_identities`, so import order never matters.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlite_utils import Database

from commsignal.analysis.session_store import rebuild_sessions_in_db
from commsignal.privacy import Pseudonymizer, canonical_email
from commsignal.store.identity import DirectoryEntry, IdentityRules, write_directory
from commsignal.store.kinds import KINDS, kind_of_graph_user
from commsignal.store.resolve import ResolveResult, login_users_of, resolve_people

if TYPE_CHECKING:
    from commsignal.config.identity import IdentityConfig
    from commsignal.ingest import Ingestor

HEADER = (
    "email",
    "display_name",
    "team",
    "title",
    "manager_email",
    "timezone",
    "country",
    "start_date",
    "aliases",
    "kind",
)
MAX_PROBLEMS = 5


class DirectoryError(ValueError):
    """The directory file cannot be used as a whole; the message names the lines and the fix."""


@dataclass(slots=True)
class DirectoryImport:
    """What a directory import stored and what the resolution then changed."""

    entries: int
    aliases: int
    resolution: ResolveResult


def identity_rules(config: IdentityConfig | None) -> IdentityRules:
    """The store's matching rules from the `[identity]` config section (none when absent)."""
    if config is None:
        return IdentityRules()
    return IdentityRules(
        dict(config.netbios_domains),
        dict(config.bare_login_domains),
        tuple(config.include),
        tuple(config.exclude),
        config.exclude_guests,
    )


def read_directory(path: str | os.PathLike[str]) -> list[DirectoryEntry]:
    """Parse a directory CSV with the documented header; every problem is reported at once.

    Args:
        path: the CSV file (UTF-8, a BOM is fine).

    Returns:
        One entry per row.

    Raises:
        DirectoryError: missing file, wrong header, or bad rows (line numbers included).
    """
    p = Path(path)
    if not p.is_file():
        raise DirectoryError(f"{p}: no such file")
    with p.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = tuple(h.strip() for h in reader.fieldnames or ())
        if "email" not in header or set(header) - set(HEADER):
            raise DirectoryError(
                f"{p}: header must be {','.join(HEADER)} (email required, others optional); "
                f"got {','.join(header) or 'nothing'}"
            )
        entries: list[DirectoryEntry] = []
        problems: list[str] = []
        seen: set[str] = set()
        for line, raw in enumerate(reader, start=2):
            row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k}
            problem = _problem(row, seen)
            if problem:
                problems.append(f"line {line}: {problem}")
                continue
            seen.add(canonical_email(row["email"]))
            entries.append(_entry(row))
    if problems:
        more = f" (and {len(problems) - MAX_PROBLEMS} more)" if len(problems) > MAX_PROBLEMS else ""
        raise DirectoryError(
            f"{p}: nothing imported, fix these rows: {'; '.join(problems[:MAX_PROBLEMS])}{more}"
        )
    return entries


def _problem(row: dict[str, str], seen: set[str]) -> str | None:
    email = row.get("email", "")
    if "@" not in email:
        return f"email {email!r} is not an email address"
    if canonical_email(email) in seen:
        return f"{email} is listed twice"
    manager = row.get("manager_email", "")
    if manager and "@" not in manager:
        return f"manager_email {manager!r} is not an email address"
    tz = row.get("timezone", "")
    if tz:
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            return f"unknown time zone {tz!r}; use an IANA name such as Europe/Berlin"
    kind = row.get("kind", "").lower()
    if kind and kind not in KINDS:
        return f"kind {kind!r} is not one of {', '.join(KINDS)}"
    start = row.get("start_date", "")
    if start:
        try:
            date.fromisoformat(start)
        except ValueError:
            return f"start_date {start!r} is not an ISO date (YYYY-MM-DD)"
    return None


def _entry(row: dict[str, str]) -> DirectoryEntry:
    def opt(key: str) -> str | None:
        return row.get(key) or None

    return DirectoryEntry(
        email=canonical_email(row["email"]),
        display_name=opt("display_name"),
        team=opt("team"),
        title=opt("title"),
        manager_email=canonical_email(row["manager_email"]) if opt("manager_email") else None,
        timezone=opt("timezone"),
        country=(row.get("country") or "").upper() or None,
        start_date=opt("start_date"),
        aliases=tuple(a.strip() for a in row.get("aliases", "").split(";") if a.strip()),
        kind=row.get("kind", "").lower() or None,
    )


def import_directory(
    db: Database,
    pseudonyms: Pseudonymizer,
    path: str | os.PathLike[str],
    rules: IdentityRules | None = None,
) -> DirectoryImport:
    """Replace the CSV directory with this file and re-resolve everyone.

    Args:
        db: the store.
        pseudonyms: the keyed pseudonymizer.
        path: the directory CSV.
        rules: the `[identity]` rules.

    Returns:
        Entries stored and what the resolution changed.
    """
    entries = read_directory(path)
    write_directory(db, entries, "csv")
    result = refresh_identities(db, pseudonyms, rules)
    return DirectoryImport(len(entries), sum(len(e.aliases) for e in entries), result)


def directory_from_graph_users(users: Iterable[dict[str, Any]]) -> list[DirectoryEntry]:
    """Directory entries from Graph user objects (for the Microsoft 365 sync to store as "m365").

    Args:
        users: dicts with Graph property names (`mail`, `userPrincipalName`,
            `onPremisesSamAccountName`, `onPremisesDomainName`, `employeeId`, `id`, `department`,
            `jobTitle`, `usageLocation`, `displayName`, and optionally `managerMail`,
            `mailboxTimeZone` as IANA name, `accountEnabled`, `userType`, `mailboxSettings`).

    Returns:
        Entries for users with a mail or UPN; aliases are their UPN, `DOMAIN\\sam` (NetBIOS name
        is the first label of `onPremisesDomainName`), employee id and object id. The kind comes
        from `mailboxSettings.userPurpose` and `userType` (`store.kinds.kind_of_graph_user`), and
        `accountEnabled` false marks a disabled account (kept: its aliases still name old logins).
    """
    out: list[DirectoryEntry] = []
    for u in users:
        email = u.get("mail") or u.get("userPrincipalName")
        if not email or "@" not in str(email):
            continue
        aliases = [str(u[k]) for k in ("userPrincipalName", "employeeId", "id") if u.get(k)]
        sam, domain = u.get("onPremisesSamAccountName"), u.get("onPremisesDomainName")
        if sam and domain:
            aliases.append(f"{str(domain).split('.')[0].upper()}\\{sam}")
        out.append(
            DirectoryEntry(
                email=canonical_email(str(email)),
                display_name=u.get("displayName"),
                team=u.get("department"),
                title=u.get("jobTitle"),
                manager_email=u.get("managerMail"),
                timezone=u.get("mailboxTimeZone"),
                country=u.get("usageLocation"),
                aliases=tuple(aliases),
                kind=kind_of_graph_user(u),
                disabled=u.get("accountEnabled") is False,
            )
        )
    return out


def refresh_identities(
    db: Database,
    pseudonyms: Pseudonymizer,
    rules: IdentityRules | None = None,
    ingestor: Ingestor | None = None,
    extra_session_users: Iterable[str] = (),
) -> ResolveResult:
    """Re-resolve people from all evidence, re-point rows, rebuild the sessions that changed.

    Args:
        db: the store.
        pseudonyms: the keyed pseudonymizer.
        rules: the `[identity]` rules.
        ingestor: an Ingestor that keeps writing afterwards (its identity map is reloaded).
        extra_session_users: login names whose sessions must be rebuilt anyway (new evidence).

    Returns:
        What the resolution changed.
    """
    result = resolve_people(db, pseudonyms, rules)
    users = result.session_users | set(extra_session_users)
    if users:
        rebuild_sessions_in_db(db, users)
    if ingestor is not None:
        ingestor.reload_identities(rules)
    return result


def refresh_after_import(ingestor: Ingestor) -> ResolveResult:
    """`refresh_identities` with the ingestor's store, key and rules, after an import or sync.

    The sessions of the people whose messages the ingestor wrote are rebuilt too: message
    times are session evidence, so logins imported before or after the messages end alike.

    Args:
        ingestor: the Ingestor the import wrote through (reloaded afterwards).

    Returns:
        What the resolution changed.
    """
    extra = login_users_of(ingestor.db, ingestor.message_people)
    ingestor.message_people.clear()
    return refresh_identities(
        ingestor.db, ingestor.pseudonyms, ingestor.resolver.rules, ingestor, extra
    )
