"""Who is who: accounts are facts, people are a resolution of them, recomputed from all evidence.

An account (a Slack user, an Entra user, a login name in one log source) resolves to an email
identity by, in order: a manual link (`people link/unlink`), an explicit directory alias, its own
exact email or UPN, a `DOMAIN\\sam` rule from `[identity]`; anything else stays unmatched and is a
person of its own. The person id is the keyed pseudonym of that email, or of the account itself.
Because that is a function of the evidence only, any import order ends with the same people.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from commsignal.privacy import Pseudonymizer, canonical_email

# whose profile fields win when several accounts describe one person without a directory entry
_SOURCE_RANK = {"m365": 0, "slack": 1, "entra": 2, "okta": 3, "windows": 4, "slack-audit": 5}


@dataclass(frozen=True, slots=True)
class IdentityRules:
    """Configured matching rules (`[identity]`): only what an administrator declared, no guessing."""

    # NetBIOS domain (upper case) -> email domain, for `DOMAIN\sam` login names
    netbios_domains: Mapping[str, str] = field(default_factory=dict)
    # login source -> email domain for its bare login names (e.g. {"windows": "contoso.com"})
    bare_login_domains: Mapping[str, str] = field(default_factory=dict)
    # emails or globs always scored / never scored, and whether guests are scored (store.kinds)
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    exclude_guests: bool = False


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    """One person as the organisation's directory (HR export or Entra) describes them."""

    email: str
    display_name: str | None = None
    team: str | None = None
    title: str | None = None
    manager_email: str | None = None
    timezone: str | None = None
    country: str | None = None
    start_date: str | None = None
    aliases: tuple[str, ...] = ()
    kind: str | None = None  # person, guest, room, equipment, shared, service (store.kinds)
    disabled: bool = False  # the account is switched off (a leaver), from Entra accountEnabled


def alias_key(value: str) -> str:
    """The case-insensitive form aliases and account ids are compared in."""
    return value.strip().lower()


class Resolver:
    """Maps accounts and referenced ids to person ids with the evidence loaded at construction."""

    def __init__(
        self,
        pseudonyms: Pseudonymizer,
        rules: IdentityRules | None = None,
        directory: Iterable[DirectoryEntry] = (),
        links: Mapping[tuple[str, str], str | None] | None = None,
        platform_aliases: Mapping[str, str] | None = None,
    ) -> None:
        self.pseudonyms = pseudonyms
        self.rules = rules or IdentityRules()
        self.directory: dict[str, DirectoryEntry] = {}
        # every origin's entry per email (CSV first): kinds and disabled flags come from all
        self.entries: dict[str, list[DirectoryEntry]] = {}
        claims: dict[str, set[str]] = {}
        for entry in directory:
            email = canonical_email(entry.email)
            self.directory.setdefault(email, entry)
            self.entries.setdefault(email, []).append(entry)
            for alias in (email, *entry.aliases):
                if alias.strip():
                    claims.setdefault(alias_key(alias), set()).add(email)
        # an alias two directory entries claim identifies nobody: left out, not guessed
        self.alias: dict[str, str] = {a: next(iter(e)) for a, e in claims.items() if len(e) == 1}
        # a login name the platform itself tied to a user (an Entra sign-in's userId): its UPN may
        # differ from the mail, and the directory, when there is one, still decides
        for login_name, email in (platform_aliases or {}).items():
            self.alias.setdefault(alias_key(login_name), canonical_email(email))
        # a bare sam matches `DOMAIN\sam` aliases only when one person has that sam
        sams: dict[str, set[str]] = {}
        # NetBIOS domains the aliases name: a login in one of them that no alias lists is nobody's
        self.alias_domains: set[str] = set()
        for a, email in self.alias.items():
            if "\\" in a:
                domain, sam = a.split("\\", 1)
                sams.setdefault(sam, set()).add(email)
                self.alias_domains.add(domain.split(".", 1)[0])
        self.sam = {s: next(iter(e)) for s, e in sams.items() if len(e) == 1}
        self.links = dict(links or {})
        self.netbios = {k.upper(): v.lower() for k, v in self.rules.netbios_domains.items()}

    @classmethod
    def load(
        cls, db: Database, pseudonyms: Pseudonymizer, rules: IdentityRules | None = None
    ) -> Resolver:
        """A resolver over the directory, manual links and platform-given ties in the store."""
        return cls(pseudonyms, rules, load_directory(db), load_links(db), load_platform_aliases(db))

    def email_of(
        self, source: str, account_id: str, email: str | None = None, login: bool = False
    ) -> str | None:
        """The email identity an account resolves to, or None when it stays unmatched.

        Args:
            source: the account's source (slack, m365, windows, okta, ...).
            account_id: its id on that source (a user id, a UPN, `DOMAIN\\sam`, a login name).
            email: the email address its platform lists, if any.
            login: the account is a login-log user name (bare names may follow a configured rule).

        Returns:
            A canonical email, or None.
        """
        if (source, account_id) in self.links:
            linked = self.links[(source, account_id)]
            return self._listed(linked) if linked else None
        key = alias_key(account_id)
        if key in self.alias:
            return self.alias[key]
        if email and alias_key(email) in self.alias:
            return self.alias[alias_key(email)]
        if email:
            return canonical_email(email)
        if "@" in key:
            return key
        if "\\" in key:
            return self._domain_name(source, key, login)
        if login:
            return self._bare_name(source, key)
        return None

    def _domain_name(self, source: str, key: str, login: bool) -> str | None:
        # `DOMAIN\sam` that is no alias as written: the same domain by its NetBIOS name (logs may
        # write the DNS name), the configured NetBIOS rule, then, for a login name, the bare sam.
        # The bare sam is tried only for a domain no alias names: the directory may spell the
        # domain differently (Graph's DNS label vs. the log's NetBIOS name), but a domain it
        # does list without this sam is another person's account, however unique the sam is
        domain, sam = key.split("\\", 1)
        if not sam:
            return None
        netbios = domain.split(".", 1)[0]
        if netbios != domain and f"{netbios}\\{sam}" in self.alias:
            return self.alias[f"{netbios}\\{sam}"]
        email_domain = self.netbios.get(domain.upper()) or self.netbios.get(netbios.upper())
        if email_domain:
            return self._listed(f"{sam}@{email_domain}")
        if login and netbios not in self.alias_domains:
            # with NetBIOS rules declared, a domain left out of them is not covered by the
            # per-source rule for bare names either
            return self.alias.get(sam) or self._bare_name(source, sam, rule=not self.netbios)
        return None

    def _bare_name(self, source: str, sam: str, rule: bool = True) -> str | None:
        # a bare login name: a directory `DOMAIN\sam` alias of exactly one person, else the rule
        if sam in self.sam:
            return self.sam[sam]
        if not rule:
            return None
        domain = self.rules.bare_login_domains.get(source)
        if domain and sam:
            return self._listed(f"{sam}@{domain.lower()}")
        return None

    def _listed(self, email: str) -> str:
        return self.alias.get(email, email)

    def person_of(
        self, source: str, account_id: str, email: str | None = None, login: bool = False
    ) -> str:
        """The person id of an account or of an id a row refers to (see `email_of`)."""
        matched = self.email_of(source, account_id, email, login)
        if matched:
            return self.pseudonyms.for_email(matched)
        if login:
            # one unmatched login name is one account whichever log it came from
            return self.pseudonyms.for_account("login", alias_key(account_id))
        return self.pseudonyms.for_account(source, account_id)


def load_directory(db: Database) -> list[DirectoryEntry]:
    """Directory entries, the CSV import's before Microsoft 365's for the same email."""
    rows = db.query(
        "select * from directory order by email, case origin when 'csv' then 0 else 1 end, origin"
    )
    return [
        DirectoryEntry(
            email=r["email"],
            display_name=r["display_name"],
            team=r["team"],
            title=r["title"],
            manager_email=r["manager_email"],
            timezone=r["timezone"],
            country=r["country"],
            start_date=r["start_date"],
            aliases=tuple(json.loads(r["aliases"] or "[]")),
            kind=r["kind"],
            disabled=bool(r["disabled"]),
        )
        for r in rows
    ]


def load_platform_aliases(db: Database) -> dict[str, str]:
    """Login names a sign-in tied to a platform user by id (Entra `userId`), with that user's email."""
    rows = db.execute(
        "select distinct le.user, a.email from login_events le join accounts a "
        "on a.source = le.source and a.account_id = le.account_id "
        "where le.account_id is not null and a.email is not null"
    ).fetchall()
    return {user: email for user, email in rows if user and email}


def load_links(db: Database) -> dict[tuple[str, str], str | None]:
    """Manual links (account -> email) and unlinks (account -> None)."""
    return {
        (r["source"], r["account_id"]): r["email"]
        for r in db.query("select source, account_id, email from identity_links")
    }


def write_directory(db: Database, entries: Iterable[DirectoryEntry], origin: str) -> int:
    """Replace one origin's directory entries (a later import is the whole directory).

    Args:
        db: the store.
        entries: everyone the directory lists.
        origin: "csv" for `import directory`, "m365" for Graph users.

    Returns:
        How many entries are stored for that origin now.
    """
    import time

    rows = [
        {
            "origin": origin,
            "email": canonical_email(e.email),
            "display_name": e.display_name,
            "team": e.team,
            "title": e.title,
            "manager_email": canonical_email(e.manager_email) if e.manager_email else None,
            "timezone": e.timezone,
            "country": e.country,
            "start_date": e.start_date,
            "aliases": json.dumps(sorted({a.strip() for a in e.aliases if a.strip()})),
            "kind": e.kind,
            "disabled": int(e.disabled),
            "updated_at": time.time(),
        }
        for e in entries
    ]
    with db.atomic():
        db.execute("delete from directory where origin = ?", [origin])
        if rows:
            db.table("directory").insert_all(rows, pk=("origin", "email"), replace=True)
    return len(rows)


def record_refs(db: Database, refs: Mapping[tuple[str, str], str]) -> None:
    """Remember ids rows refer to that are no account, with the person those rows carry."""
    if refs:
        db.conn.executemany(
            "insert or ignore into identity_refs (source, raw_id, person_id) values (?, ?, ?)",
            [(s, r, p) for (s, r), p in refs.items()],
        )


def account_rows(db: Database) -> list[dict[str, Any]]:
    """Every non-bot account with what resolution and people rows need."""
    return list(
        db.query(
            "select source, account_id, person_id, email, display_name, tz, department, title, "
            "manager_account_id, country, kind, purpose, is_restricted, deleted "
            "from accounts where is_bot = 0 "
            "order by source, account_id"
        )
    )


def source_rank(source: str) -> tuple[int, str]:
    """Sort key: which source's profile fields are preferred."""
    return (_SOURCE_RANK.get(source, 9), source)
