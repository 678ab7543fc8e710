"""Who a week scores: people who did something, never rooms, shared mailboxes or service accounts.

A person with no activity of their own in the week (on leave, not started yet, a leaver whose
account lingers) has no data, which is not the same as being silent: they are left out of the
week, not compared with peers as a zero. Being invited to meetings, mentioned or reacted to is
what others did, so it does not count as activity. Every identity left out is recorded with its
reason, and the digest's coverage counts them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlite_utils import Database

from commsignal.store.kinds import NOT_PEOPLE

# the person's own doing: a message, a reaction, a meeting attended, a logon or sign-in
ACTIVITY_MEASURES = (
    "messages",
    "reactions_given",
    "meetings_attended",
    "activity_events",
    "sessions",
    "signins",
)
REASONS = {
    "room": "room mailboxes",
    "equipment": "equipment mailboxes",
    "shared": "shared mailboxes",
    "service": "service accounts",
    "excluded": "excluded by [identity] exclude or exclude_guests",
    "disabled_no_activity": "disabled accounts with no activity this week",
    "no_activity": "people with no activity of their own this week (leave, not started, elsewhere)",
}


@dataclass(slots=True)
class Population:
    """The week's scored person ids and, for everyone left out, why."""

    scored: dict[str, dict[str, Any]]
    excluded: dict[str, str] = field(default_factory=dict)


def has_activity(f: dict[str, Any]) -> bool:
    """Whether a person-week shows anything the person did themself."""
    return any(f.get(m) for m in ACTIVITY_MEASURES)


def split_population(
    people: dict[str, dict[str, Any]], merged: dict[str, dict[str, Any]]
) -> Population:
    """Keep the person-weeks to score and give every other known identity its reason.

    Args:
        people: person_id -> people row (`kind`, `scope`, `disabled`).
        merged: person_id -> this week's measures, for everyone any measure saw.

    Returns:
        The Population; scored features carry `kind` (and `account_disabled` when true).
    """
    out = Population({})
    for pid in sorted(set(people) | set(merged)):
        person = people.get(pid) or {}
        f = merged.get(pid)
        kind = person.get("kind") or "person"
        scope = person.get("scope") or "auto"
        active = f is not None and has_activity(f)
        if not person and not active:
            continue  # an address only others named (an invitee, a mention): nobody to count
        reason = None
        if scope == "exclude":
            reason = "excluded"
        elif kind in NOT_PEOPLE and scope != "include":
            reason = kind
        elif not active:
            reason = "disabled_no_activity" if person.get("disabled") else "no_activity"
        if reason is not None:
            out.excluded[pid] = reason
            continue
        assert f is not None
        f["kind"] = kind
        if person.get("disabled"):
            f["account_disabled"] = True  # activity on an account that is switched off
        out.scored[pid] = f
    return out


def data_sources(db: Database, start: float, end: float) -> dict[str, list[str]]:
    """Per person, which sources hold their own activity in the week (slack, m365, logins).

    A person seen on one platform only is measured on that one: the digest says so, rather
    than reading the missing platform as silence.
    """
    seen: dict[str, set[str]] = defaultdict(set)
    for pid, source in db.execute(
        "select person_id, source from messages where ts >= ? and ts < ? "
        "and person_id is not null group by person_id, source",
        [start, end],
    ):
        seen[pid].add(source)
    for pid, source in db.execute(
        "select a.person_id, a.source from attendance a join meetings m "
        "on a.source = m.source and a.meeting_id = m.meeting_id "
        "where m.start_ts >= ? and m.start_ts < ? and a.attended_seconds > 0 "
        "group by a.person_id, a.source",
        [start, end],
    ):
        seen[pid].add(source)
    for (pid,) in db.execute(
        "select person_id from login_events where ts >= ? and ts < ? "
        "and person_id is not null group by person_id",
        [start, end],
    ):
        seen[pid].add("logins")
    return {pid: sorted(s) for pid, s in seen.items()}


def store_exclusions(db: Database, week: str, excluded: dict[str, str]) -> None:
    """Replace the week's record of who was left out and why (the digest's coverage reads it)."""
    db.execute("delete from week_exclusions where week = ?", [week])
    db.conn.executemany(
        "insert into week_exclusions (week, person_id, reason) values (?, ?, ?)",
        [(week, pid, reason) for pid, reason in sorted(excluded.items())],
    )


def exclusion_counts(db: Database, week: str) -> dict[str, int]:
    """How many identities the week left out, per reason (empty before the week is analysed)."""
    return {
        reason: n
        for reason, n in db.execute(
            "select reason, count(*) from week_exclusions where week = ? group by reason "
            "order by reason",
            [week],
        )
    }
