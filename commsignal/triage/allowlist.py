"""Allowlist entries from `[[allow]]` config and `commsignal allow`: what they cover and whether they apply."""

from __future__ import annotations

import fnmatch
import ipaddress
import json
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlite_utils import Database

from commsignal.audit import record
from commsignal.config.triage import AllowEntry
from commsignal.models import Finding
from commsignal.triage.evidence import atoms
from commsignal.triage.verdicts import actor_name


@dataclass(frozen=True, slots=True)
class Allow:
    """One allowlist entry, from the config file or the store."""

    id: str
    rules: tuple[str, ...]
    reason: str
    expires: date
    devices: tuple[str, ...] = ()
    cidrs: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    _networks: tuple[Any, ...] = field(default=(), repr=False, compare=False)

    @property
    def has_matchers(self) -> bool:
        """True when the entry names devices, ranges or tools (not just people or teams)."""
        return bool(self.devices or self.cidrs or self.tools)

    def scoped_to(self, detector: str, person_id: str, team: str | None) -> bool:
        """Whether the entry's rules, people and teams include this finding."""
        if "*" not in self.rules and detector not in self.rules:
            return False
        if self.people and person_id not in self.people:
            return False
        return not (self.teams and (team or "") not in self.teams)

    def covers(self, kind: str, value: str) -> bool:
        """Whether one device, address or tool of a finding is covered by this entry."""
        if kind == "devices":
            return any(fnmatch.fnmatchcase(value.lower(), d.lower()) for d in self.devices)
        if kind == "ips":
            try:
                ip = ipaddress.ip_address(value)
            except ValueError:
                return False
            return any(ip.version == n.version and ip in n for n in self._networks)
        if kind == "tools":
            return any(t in value.lower() for t in self.tools)
        return False

    def describe(self) -> dict[str, Any]:
        """The entry as JSON-ready data for the digest."""
        out: dict[str, Any] = {"id": self.id, "rules": list(self.rules)}
        for key in ("devices", "cidrs", "tools", "people", "teams"):
            if getattr(self, key):
                out[key] = list(getattr(self, key))
        out.update(reason=self.reason, expires=self.expires.isoformat())
        return out


def make_allow(entry_id: str, entry: AllowEntry) -> Allow:
    """An `Allow` from a validated config entry."""
    return Allow(
        id=entry_id,
        rules=tuple(entry.rules),
        reason=entry.reason,
        expires=entry.expires,
        devices=tuple(entry.devices),
        cidrs=tuple(entry.cidrs),
        tools=tuple(entry.tools),
        people=tuple(entry.people),
        teams=tuple(entry.teams),
        _networks=tuple(ipaddress.ip_network(c, strict=False) for c in entry.cidrs),
    )


def config_entries(entries: list[AllowEntry]) -> list[Allow]:
    """The `[[allow]]` entries of the config, numbered in file order (config#1, config#2, ...)."""
    return [make_allow(f"config#{i}", e) for i, e in enumerate(entries, 1)]


def stored_entries(db: Database, include_removed: bool = False) -> list[Allow]:
    """Entries added with `commsignal allow add`, numbered by their row id (stored#N)."""
    where = "" if include_removed else " where removed_at is null"
    out = []
    for r in db.query(f"select * from triage_allow{where} order by id"):
        entry = AllowEntry(
            rules=json.loads(r["rules"]),
            devices=json.loads(r["devices"]),
            cidrs=json.loads(r["cidrs"]),
            tools=json.loads(r["tools"]),
            teams=json.loads(r["teams"]),
            people=[r["person_id"]] if r["person_id"] else [],
            reason=r["reason"],
            expires=date.fromisoformat(r["expires"]),
        )
        out.append(make_allow(f"stored#{r['id']}", entry))
    return out


def add_entry(db: Database, entry: AllowEntry) -> str:
    """Store an allowlist entry (one person at most) and audit it.

    Args:
        db: the store.
        entry: the validated entry.

    Returns:
        Its id, "stored#N".
    """
    if len(entry.people) > 1:
        raise ValueError("a stored entry covers at most one person; add one entry per person")
    row = {
        "rules": json.dumps(entry.rules),
        "devices": json.dumps(entry.devices),
        "cidrs": json.dumps(entry.cidrs),
        "tools": json.dumps(entry.tools),
        "teams": json.dumps(entry.teams),
        "person_id": entry.people[0] if entry.people else None,
        "reason": entry.reason,
        "expires": entry.expires.isoformat(),
        "actor": actor_name(),
        "created_at": time.time(),
    }
    with db.atomic():
        new_id = db.table("triage_allow").insert(row).last_pk
        record(db, "allow-add", f"stored#{new_id}", f"{entry.reason} (until {entry.expires})")
    return f"stored#{new_id}"


def remove_entry(db: Database, entry_id: int, reason: str) -> bool:
    """Mark a stored entry removed (kept for the record) and audit it; False when there is none."""
    with db.atomic():
        n = db.execute(
            "update triage_allow set removed_at = ? where id = ? and removed_at is null",
            [time.time(), entry_id],
        ).rowcount
        if n:
            record(db, "allow-remove", f"stored#{entry_id}", reason)
    return bool(n)


def split_expired(entries: list[Allow], week_start: date) -> tuple[list[Allow], list[Allow]]:
    """(in force, expired) for a week: an entry applies while its last day is on or after the Monday."""
    active = [e for e in entries if e.expires >= week_start]
    return active, [e for e in entries if e.expires < week_start]


def allowing(finding: Finding, team: str | None, entries: list[Allow]) -> list[Allow] | None:
    """The entries that together cover a finding, or None when it is not allowlisted.

    An entry with only people/teams covers every finding of its rules for them. Entries naming
    devices, ranges or tools cover a finding only when every device, address and tool in its
    evidence is covered, so one sanctioned tool never hides an unsanctioned one.

    Args:
        finding: one finding.
        team: the person's team.
        entries: entries in force this week.

    Returns:
        The entries used, or None.
    """
    scoped = [e for e in entries if e.scoped_to(finding.detector, finding.person_id, team)]
    if not scoped:
        return None
    blanket = [e for e in scoped if not e.has_matchers]
    if blanket:
        return blanket[:1]
    found = atoms(finding.evidence)
    items = [(k, v) for k in ("devices", "ips", "tools") for v in found.get(k, [])]
    if not items:
        return None
    used: list[Allow] = []
    for kind, value in items:
        entry = next((e for e in scoped if e.covers(kind, value)), None)
        if entry is None:
            return None
        if entry not in used:
            used.append(entry)
    return used
