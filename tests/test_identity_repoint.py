"""Rows written before a link was known follow it: replies, mentions, reactions, meetings, logins."""

from __future__ import annotations

import json
from typing import Any

import pytest

from commsignal.ingest import Ingestor
from commsignal.models import Account, Attendance, LoginEvent, Meeting, Page, RawMessage
from commsignal.privacy import Pseudonymizer
from commsignal.sources.directory import refresh_identities
from commsignal.store import open_db
from commsignal.store.identity import DirectoryEntry, IdentityRules, Resolver, write_directory
from commsignal.store.people import reveal_person, set_link

KEY = Pseudonymizer(b"repoint-test")
T0 = 1_794_816_000.0  # Monday 2026-11-16 08:00 UTC
PERSON_COLUMNS = (
    ("messages", "person_id"),
    ("messages", "reply_to_person_id"),
    ("reactions", "person_id"),
    ("reactions", "target_person_id"),
    ("meetings", "organizer_person_id"),
    ("attendance", "person_id"),
    ("login_events", "person_id"),
    ("sessions", "person_id"),
)


def _store() -> tuple[Any, Ingestor]:
    db = open_db(None)
    ing = Ingestor(db, KEY, None)
    ing.write(
        Page(
            "slack",
            "users",
            accounts=[Account("slack", "U1", None, "Anna"), Account("slack", "U2", "ben@x.com")],
        )
    )
    ing.write(
        Page(
            "slack",
            "history",
            messages=[
                RawMessage("slack", "C:1", "C", "U1", T0, "hi", reactions=(("U2", "wave"),)),
                RawMessage(
                    "slack",
                    "C:2",
                    "C",
                    "U2",
                    T0 + 60,
                    "hi <@U1>",
                    thread_id="C:1",
                    is_reply=True,
                    reply_to_account_id="U1",
                    mentions=("U1",),
                ),
                RawMessage("slack", "C:3", "C", "U9", T0 + 120, "from a departed user"),
                RawMessage("slack", "C:4", "C", "U2", T0 + 180, "ok", reactions=(("U1", "+1"),)),
            ],
        )
    )
    ing.write(
        Page(
            "m365",
            "users",
            accounts=[Account("m365", "g-1", "anna@x.com", "Anna M")],
            meetings=[
                Meeting(
                    "m365",
                    "M1",
                    "anna.old@x.com",
                    T0,
                    T0 + 1800,
                    True,
                    (("anna.old@x.com", "accepted"),),
                )
            ],
            attendance=[Attendance("m365", "M1", "g-1", 1500, T0 + 60, T0 + 1560, video_on=False)],
        )
    )
    ing.write(
        Page(
            "windows",
            "events",
            login_events=[
                LoginEvent("w1", "windows", "anna", T0 - 600, "logon", session_key="0x1"),
                LoginEvent("w2", "windows", "anna", T0 + 3600, "logoff", session_key="0x1"),
            ],
        )
    )
    return db, ing


def _col(db: Any, sql: str, *params: Any) -> Any:
    return db.execute(sql, list(params)).fetchone()[0]


def _dangling(db: Any) -> list[str]:
    """Person ids any row carries that neither people nor the referred-to ids explain."""
    people = {r[0] for r in db.execute("select person_id from people")}
    people |= {r[0] for r in db.execute("select person_id from identity_refs")}
    out = []
    for table, column in PERSON_COLUMNS:
        for (pid,) in db.execute(
            f"select distinct {column} from {table} where {column} is not null"
        ):
            if pid not in people:
                out.append(f"{table}.{column}={pid}")
    for (mentions,) in db.execute("select mentions from messages where n_mentions > 0"):
        out += [f"mention={p}" for p in json.loads(mentions) if p not in people]
    return out


def test_a_directory_moves_every_row_of_the_joined_accounts() -> None:
    db, ing = _store()
    anna, ben = KEY.for_email("anna@x.com"), KEY.for_email("ben@x.com")
    assert _col(db, "select person_id from messages where message_id = 'C:1'") != anna
    write_directory(
        db,
        [
            DirectoryEntry(
                "anna@x.com", "Anna Mueller", aliases=("U1", "anna.old@x.com", "CORP\\anna")
            ),
            DirectoryEntry("ben@x.com", "Ben", aliases=("U9",)),
        ],
        "csv",
    )
    result = refresh_identities(db, KEY, ingestor=ing)
    assert result.changed >= 4 and "anna" in result.session_users
    assert _col(db, "select person_id from messages where message_id = 'C:1'") == anna
    assert _col(db, "select reply_to_person_id from messages where message_id = 'C:2'") == anna
    assert json.loads(_col(db, "select mentions from messages where message_id = 'C:2'")) == [anna]
    assert _col(db, "select person_id from reactions where message_id = 'C:4'") == anna
    assert _col(db, "select target_person_id from reactions where message_id = 'C:1'") == anna
    assert _col(db, "select person_id from messages where message_id = 'C:3'") == ben  # a ref
    assert _col(db, "select organizer_person_id from meetings") == anna
    # the invitation (by an old address) and the attendance (by user id) are one row now
    rows = list(db.query("select * from attendance"))
    assert len(rows) == 1
    assert (rows[0]["person_id"], rows[0]["invited"], rows[0]["response"]) == (anna, 1, "accepted")
    assert rows[0]["attended_seconds"] == 1500
    # the bare Windows name joins through the directory's CORP\anna (one person has that sam)
    assert _col(db, "select count(*) from login_events where person_id = ?", anna) == 2
    assert _col(db, "select count(*) from sessions where person_id = ?", anna) == 1
    assert _dangling(db) == []
    assert _col(db, "select count(*) from people") == 2
    # new rows after the resolution use it at once
    ing.write(
        Page("slack", "history", messages=[RawMessage("slack", "C:5", "C", "U1", T0 + 900, "x")])
    )
    assert _col(db, "select person_id from messages where message_id = 'C:5'") == anna


def test_unlink_moves_the_rows_back_and_old_pseudonyms_still_reveal() -> None:
    db, ing = _store()
    before = KEY.for_account("slack", "U1")
    assert _col(db, "select person_id from messages where message_id = 'C:1'") == before
    write_directory(db, [DirectoryEntry("anna@x.com", aliases=("U1",))], "csv")
    refresh_identities(db, KEY, ingestor=ing)
    anna = KEY.for_email("anna@x.com")
    # a digest printed `before` last week: it still reveals, to the person it became
    shown = reveal_person(db, before)
    assert shown is not None and shown["person_id"] == anna and "slack:U1" in shown["accounts"]
    set_link(db, "slack", "U1", None, "shared team account")
    refresh_identities(db, KEY, ingestor=ing)
    assert _col(db, "select person_id from messages where message_id = 'C:1'") == before
    assert _col(db, "select reply_to_person_id from messages where message_id = 'C:2'") == before
    assert json.loads(_col(db, "select mentions from messages where message_id = 'C:2'")) == [
        before
    ]
    assert _col(db, "select person_id from reactions where message_id = 'C:4'") == before
    assert _col(db, "select count(*) from attendance where person_id = ?", anna) == 1
    assert _dangling(db) == []
    assert reveal_person(db, "p-000000000000") is None
    departed = reveal_person(db, KEY.for_account("slack", "U9"))
    assert departed is not None and departed["display_name"] == "U9"


@pytest.mark.parametrize(
    ("source", "account", "email", "login", "expected"),
    [
        ("okta", "Anna@Contoso.com", None, True, "anna@contoso.com"),  # exact UPN, any case
        ("windows", "CONTOSO\\anna", None, True, "anna@contoso.com"),  # NetBIOS rule
        ("windows", "FABRIKAM\\anna", None, True, None),  # no rule for that domain
        ("windows", "anna", None, True, "anna@contoso.com"),  # bare name: per-source rule
        ("csv", "anna", None, True, None),  # ... of that source only, no local-part guessing
        ("slack", "U7", None, False, None),
        ("slack", "U7", "Ann@Fabrikam.com", False, "ann@fabrikam.com"),
        ("slack", "U8", None, False, "dana@contoso.com"),  # directory alias
        ("okta", "dana.old@contoso.com", None, True, "dana@contoso.com"),  # old UPN as alias
        ("slack", "U5", None, False, None),  # an alias two entries claim joins nobody
    ],
)
def test_matching_rules(
    source: str, account: str, email: str | None, login: bool, expected: str | None
) -> None:
    resolver = Resolver(
        KEY,
        IdentityRules({"contoso": "contoso.com"}, {"windows": "contoso.com"}),
        [
            DirectoryEntry("dana@contoso.com", aliases=("U8", "dana.old@contoso.com", "U5")),
            DirectoryEntry("eve@contoso.com", aliases=("U5",)),
        ],
    )
    assert resolver.email_of(source, account, email, login) == expected


def test_graph_users_feed_the_directory() -> None:
    from commsignal.sources.directory import directory_from_graph_users

    [entry] = directory_from_graph_users(
        [
            {
                "id": "0f6c5c2e",
                "mail": "Anna.Mueller@contoso.com",
                "userPrincipalName": "amueller@contoso.onmicrosoft.com",
                "onPremisesSamAccountName": "anna.mueller",
                "onPremisesDomainName": "contoso.local",
                "employeeId": "E1001",
                "department": "Platform",
                "usageLocation": "DE",
                "displayName": "Anna Mueller",
            },
            {"id": "room-1", "displayName": "Room 1"},  # no mail, no UPN: not a person
        ]
    )
    assert entry.email == "anna.mueller@contoso.com" and entry.team == "Platform"
    assert set(entry.aliases) == {
        "amueller@contoso.onmicrosoft.com",
        "E1001",
        "0f6c5c2e",
        "CONTOSO\\anna.mueller",
    }
    resolver = Resolver(KEY, None, [entry])
    assert resolver.email_of("windows", "CONTOSO\\Anna.Mueller", login=True) == entry.email
    assert resolver.email_of("okta", "amueller@contoso.onmicrosoft.com", login=True) == entry.email


def test_a_digest_reveals_an_author_with_no_account() -> None:
    from commsignal.detect import PersonRisk
    from commsignal.digest import build_digest

    db, ing = _store()
    refresh_identities(db, KEY, ingestor=ing)
    departed = KEY.for_account("slack", "U9")
    anna = KEY.for_account("slack", "U1")
    ranked = [PersonRisk(departed, 50, "medium", []), PersonRisk(anna, 40, "low", [])]
    shown = build_digest(db, "2026-W47", ranked, reveal=True)
    assert [p["display_name"] for p in shown["people"]] == ["U9", "Anna"]
    hidden = build_digest(db, "2026-W47", ranked)
    assert all("display_name" not in p for p in hidden["people"])
    assert shown["coverage"]["accounts"]["slack"] == {"accounts": 2, "unmatched": 1}
