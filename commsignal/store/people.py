"""Reading and correcting who is who: unmatched accounts, manual links, revealing a pseudonym."""

from __future__ import annotations

import getpass
import time
from typing import Any

from sqlite_utils import Database

from commsignal.privacy import canonical_email


def unmatched_accounts(db: Database) -> list[dict[str, Any]]:
    """Accounts that joined no email identity: each is a pseudonymous person of its own.

    Returns:
        Rows of source, account_id, person_id, display_name, kind, ordered by source and id.
    """
    return list(
        db.query(
            "select a.source, a.account_id, a.person_id, a.display_name, a.kind "
            "from accounts a join people p on p.person_id = a.person_id "
            "where a.is_bot = 0 and p.email is null order by a.source, a.account_id"
        )
    )


def unmatched_by_source(db: Database) -> dict[str, dict[str, int]]:
    """Per source: how many (non-bot) accounts there are and how many are unmatched."""
    out: dict[str, dict[str, int]] = {}
    for source, total, unmatched in db.execute(
        "select a.source, count(*), sum(case when p.email is null then 1 else 0 end) "
        "from accounts a left join people p on p.person_id = a.person_id "
        "where a.is_bot = 0 group by a.source order by a.source"
    ):
        out[source] = {"accounts": total, "unmatched": unmatched or 0}
    return out


def find_accounts(db: Database, account: str, source: str | None = None) -> list[dict[str, Any]]:
    """Accounts whose id (case-insensitively) is `account`, optionally of one source only."""
    sql = "select source, account_id, person_id, kind from accounts where lower(account_id) = ?"
    params: list[Any] = [account.strip().lower()]
    if source:
        sql += " and source = ?"
        params.append(source)
    return list(db.query(sql + " order by source, account_id", params))


def set_link(db: Database, source: str, account_id: str, email: str | None, reason: str) -> None:
    """Record a manual link (account -> email) or unlink (email None); later syncs keep it."""
    try:
        actor = getpass.getuser()
    except Exception:  # no login name in some containers
        actor = "unknown"
    db.table("identity_links").upsert(
        {
            "source": source,
            "account_id": account_id,
            "email": canonical_email(email) if email else None,
            "reason": reason,
            "actor": actor,
            "created_at": time.time(),
        },
        pk=("source", "account_id"),
    )


def clear_link(db: Database, source: str, account_id: str) -> bool:
    """Remove a manual link or unlink; automatic matching applies again. False if there was none."""
    cur = db.execute(
        "delete from identity_links where source = ? and account_id = ?", [source, account_id]
    )
    return cur.rowcount > 0


def reveal_person(db: Database, pseudonym: str) -> dict[str, Any] | None:
    """The best identity known for a pseudonym, following merges since a digest printed it.

    Returns:
        person_id, display_name, email, team and the person's accounts, or None when unknown.
    """
    pid = pseudonym.strip()
    for _ in range(10):  # a pseudonym may have been merged more than once
        rows = list(
            db.query(
                "select person_id, display_name, email, team from people where person_id = ?",
                [pid],
            )
        )
        if rows:
            row = rows[0]
            row["accounts"] = [
                f"{r['source']}:{r['account_id']}"
                for r in db.query(
                    "select source, account_id from accounts where person_id = ? and is_bot = 0 "
                    "order by source, account_id",
                    [pid],
                )
            ]
            row["asked"] = pseudonym
            return row
        moved = db.execute(
            "select person_id from person_history where old_person_id = ?", [pid]
        ).fetchone()
        if not moved:
            return _referred(db, pid, pseudonym)
        pid = moved[0]
    return None


def _referred(db: Database, pid: str, asked: str) -> dict[str, Any] | None:
    # an id rows refer to with no account behind it (a departed user's messages, a guest)
    refs = [
        f"{r['source']}:{r['raw_id']}"
        for r in db.query(
            "select source, raw_id from identity_refs where person_id = ? order by 1, 2", [pid]
        )
    ]
    if not refs:
        return None
    name = refs[0].split(":", 1)[1]
    email = name if "@" in name else None
    return {
        "person_id": pid,
        "display_name": name,
        "email": email,
        "team": None,
        "accounts": refs,
        "asked": asked,
    }
