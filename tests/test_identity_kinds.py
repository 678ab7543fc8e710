"""Only people are people: rooms, shared mailboxes, service, disabled and idle accounts are not scored."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlite_utils import Database

from commsignal.analysis.features import compute_week
from commsignal.config import Config, DetectConfig
from commsignal.config.identity import IdentityConfig
from commsignal.detect import detect_week, load_rules
from commsignal.digest.build import coverage
from commsignal.ingest import Ingestor
from commsignal.models import Account, Attendance, LoginEvent, Meeting, Page, RawMessage
from commsignal.privacy import Pseudonymizer
from commsignal.sources.directory import (
    directory_from_graph_users,
    identity_rules,
    read_directory,
    refresh_identities,
)
from commsignal.store import open_db
from commsignal.store.identity import DirectoryEntry, write_directory
from commsignal.store.kinds import classify, kind_of_graph_user
from commsignal.weeks import week_bounds
from connectors.msgraph import mapping as mp
from connectors.slack.mapping import map_user

KEY = Pseudonymizer(b"kinds-test-key")
WEEK = "2026-W47"  # Monday 2026-11-16
# /users objects as Graph documents them, with the mailboxSettings each user's mailbox answers
GRAPH_USERS: list[dict[str, Any]] = [
    {"id": "1", "mail": "ann@contoso.com", "userPrincipalName": "ann@contoso.com",
     "userType": "Member", "accountEnabled": True, "mailboxSettings": {"userPurpose": "user"}},
    {"id": "2", "mail": "hudson@contoso.com", "userPrincipalName": "hudson@contoso.com",
     "userType": "Member", "accountEnabled": False, "mailboxSettings": {"userPurpose": "room"}},
    {"id": "3", "mail": "beamer@contoso.com", "userPrincipalName": "beamer@contoso.com",
     "userType": "Member", "accountEnabled": False, "mailboxSettings": {"userPurpose": "equipment"}},
    {"id": "4", "mail": "payroll@contoso.com", "userPrincipalName": "payroll@contoso.com",
     "userType": "Member", "accountEnabled": False, "mailboxSettings": {"userPurpose": "shared"}},
    {"id": "5", "mail": "ola@partner.example", "userType": "Guest", "accountEnabled": True,
     "userPrincipalName": "ola_partner.example#EXT#@contoso.onmicrosoft.com"},
    # guests invited before userType existed have it null; the #EXT# UPN still says so
    {"id": "6", "mail": None, "userType": None, "accountEnabled": True,
     "userPrincipalName": "old_guest.example#EXT#@contoso.onmicrosoft.com"},
    {"id": "7", "mail": "dana@contoso.com", "userPrincipalName": "dana@contoso.com",
     "userType": "Member", "accountEnabled": False, "mailboxSettings": {"userPurpose": "user"}},
    {"id": "8", "mail": "lin@contoso.com", "userPrincipalName": "lin@contoso.com",
     "mailboxSettings": {"userPurpose": "linked"}},
]  # fmt: skip


def test_graph_user_shapes_classify_by_purpose_then_user_type() -> None:
    kinds = [kind_of_graph_user(u) for u in GRAPH_USERS]
    assert kinds == ["person", "room", "equipment", "shared", "guest", "guest", "person", "person"]
    entries = {e.email: e for e in directory_from_graph_users(GRAPH_USERS)}
    assert entries["dana@contoso.com"].disabled and not entries["ann@contoso.com"].disabled
    assert entries["hudson@contoso.com"].kind == "room"
    # the UPN stands in for a guest without mail, and the leaver keeps their aliases
    assert entries["old_guest.example#ext#@contoso.onmicrosoft.com"].kind == "guest"
    assert "7" in entries["dana@contoso.com"].aliases


def test_graph_json_carries_user_type_and_purpose_to_the_account() -> None:
    from connectors.msgraph import USER_PURPOSES
    from connectors.msgraph.fields import enum

    # bodies as the connector reads them: json.loads of what Graph sent
    def parse(raw: dict[str, Any]) -> Any:
        return json.loads(json.dumps(raw))

    settings = parse({"timeZone": "UTC", "userPurpose": "room"})
    room = mp.user_to_account(
        parse(GRAPH_USERS[1]), purpose=enum(settings, "userPurpose", USER_PURPOSES)
    )
    guest = mp.user_to_account(parse(GRAPH_USERS[5]))
    member = mp.user_to_account(parse(GRAPH_USERS[0]), purpose="user")
    assert (room.purpose, room.deleted, room.is_restricted) == ("room", True, False)
    assert guest.is_restricted and not member.is_restricted


def test_slack_guests_and_connect_users_are_restricted_bots_are_bots() -> None:
    connect = map_user({"id": "U1", "is_stranger": True, "profile": {"email": "k@v.example"}})
    single = map_user({"id": "U2", "is_restricted": True, "is_ultra_restricted": True})
    gone = map_user({"id": "U3", "deleted": True})
    app = map_user({"id": "U4", "is_app_user": True})
    assert connect.is_restricted and single.is_restricted and not gone.is_restricted
    assert gone.deleted and app.is_bot and map_user({"id": "USLACKBOT"}).is_bot


def test_overrides_beat_the_directory_which_beats_the_platforms() -> None:
    room = [{"kind": "platform", "purpose": "room", "is_restricted": 0, "deleted": 0}]
    assert classify("r@x.com", [], room).kind == "room"
    assert classify("r@x.com", [("person", False)], room).kind == "person"
    assert classify("r@x.com", [], room, include=["r@x.com"]).scope == "include"
    assert classify("svc-ci@x.com", [], [], exclude=["svc-*@x.com"]).scope == "exclude"
    guest = [{"kind": "platform", "purpose": None, "is_restricted": 1, "deleted": 0}]
    assert classify("g@y.com", [], guest).kind == "guest"
    assert classify("g@y.com", [], guest, exclude_guests=True).scope == "exclude"
    # a member account anywhere makes a person, whatever the other platform calls them
    member = [*guest, {"kind": "platform", "purpose": "user", "is_restricted": 0, "deleted": 0}]
    assert classify("g@y.com", [], member).kind == "person"
    # login names are no evidence of what an account is
    login = [{"kind": "login", "purpose": None, "is_restricted": 0, "deleted": 0}]
    assert classify("p@x.com", [], [*login, *guest]).kind == "guest"


def test_directory_csv_kind_column_is_checked(tmp_path: Any) -> None:
    good = tmp_path / "dir.csv"
    good.write_text("email,team,kind\nann@x.com,Data,\nscan@x.com,,service\n")
    assert [e.kind for e in read_directory(good)] == [None, "service"]
    bad = tmp_path / "bad.csv"
    bad.write_text("email,kind\nann@x.com,robot\n")
    with pytest.raises(ValueError, match="kind 'robot' is not one of"):
        read_directory(bad)
    with pytest.raises(ValueError, match="svc-"):
        IdentityConfig(exclude=["svc-*"])


def ts(day: int, hour: float) -> float:
    return datetime(2026, 11, day, tzinfo=UTC).timestamp() + hour * 3600


def _store(identity: IdentityConfig | None = None) -> Database:
    """A week of m365 data: ten colleagues, a Teams Room that joins calls, and the awkward cases."""
    db = open_db(None)
    ing = Ingestor(db, KEY, None)
    users = [dict(u) for u in GRAPH_USERS]
    users += [
        {"id": f"c{i}", "mail": f"c{i}@contoso.com", "userPrincipalName": f"c{i}@contoso.com",
         "department": "Data", "userType": "Member", "accountEnabled": True}
        for i in range(10)
    ]  # fmt: skip
    users.append({"id": "away", "mail": "away@contoso.com", "department": "Data"})
    users.append({"id": "ops", "mail": "ops@contoso.com", "department": "Data"})
    accounts = [
        Account("m365", u["id"], u["mail"] or u["userPrincipalName"], deleted=u.get("accountEnabled") is False)
        for u in users
    ]  # fmt: skip
    write_directory(db, directory_from_graph_users(users), "m365")
    msgs = [
        RawMessage("m365", f"{who}-{d}-{k}", "chat1", who, ts(16 + d, 9 + k), "on it")
        for who in [f"c{i}" for i in range(10)] + ["5"]
        for d in range(5)
        for k in range(6)
    ]
    for k, m in enumerate(msgs):  # everyone who writes talks to the colleagues
        m.mentions = (f"c{k % 10}",)
    meetings = [Meeting("m365", f"mt{d}", "c0", ts(16 + d, 10), ts(16 + d, 11), True,
                        (("hudson@contoso.com", "accepted"), ("away@contoso.com", "none")))
                for d in range(5)]  # fmt: skip
    # a Teams Room device joins every call with its camera on; "away" is only ever invited
    attendance = [Attendance("m365", f"mt{d}", who, 3600, video_on=True)
                  for d in range(5) for who in ("c0", "2")]  # fmt: skip
    # "ops" only shows up in workstation logins, and so does the leaver's lingering account
    logins = [
        LoginEvent(f"{u}-{d}-{e}", "windows", u, ts(16 + d, h), e)
        for u in ("ops@contoso.com", "dana@contoso.com")
        for d in range(5)
        for h, e in ((8, "logon"), (17, "logoff"))
    ]
    ing.write(Page("m365", "users", accounts=accounts))
    ing.write(Page("m365", "chats", messages=msgs, meetings=meetings, attendance=attendance))
    ing.write(Page("windows", "file", login_events=logins))
    refresh_identities(db, KEY, identity_rules(identity))
    return db


def _pid(email: str) -> str:
    return KEY.for_email(email)


def test_the_week_scores_people_with_activity_and_says_why_others_are_out() -> None:
    db = _store()
    features = compute_week(db, WEEK, DetectConfig())
    reasons = {r["person_id"]: r["reason"] for r in db.query("select * from week_exclusions")}
    assert reasons[_pid("hudson@contoso.com")] == "room"  # even though it joined with video
    assert reasons[_pid("beamer@contoso.com")] == "equipment"
    assert reasons[_pid("payroll@contoso.com")] == "shared"
    assert reasons[_pid("away@contoso.com")] == "no_activity"  # invited, never there
    assert reasons[_pid("lin@contoso.com")] == "no_activity"
    assert _pid("ola@partner.example") in features  # a guest who works is scored...
    assert features[_pid("ola@partner.example")]["kind"] == "guest"  # ...and labelled
    # the leaver's account is off but someone logs on with it: scored, and the digest says so
    assert features[_pid("dana@contoso.com")]["account_disabled"] is True
    # logins only: measured on logins, no participation measures to read as silence
    ops = features[_pid("ops@contoso.com")]
    assert ops["data_sources"] == ["logins"] and "messages" not in ops
    assert features[_pid("c1@contoso.com")]["data_sources"] == ["m365"]
    # people with no data do not pull the team's baseline down
    assert features[_pid("c1@contoso.com")]["team_median_messages"] == 30
    # nobody is a silent outlier: the quiet-looking ones simply have no collaboration data
    ranked = detect_week(db, WEEK, features, load_rules(), store=False)
    assert not {f.detector for r in ranked for f in r.findings} & {
        "low_participation",
        "low_small_talk",
        "camera_avoidance",
    }
    people = coverage(db, *week_bounds(WEEK, "UTC"), WEEK)["people"]
    assert people["scored"] == len(features) == 13 and people["guests_scored"] == 1
    assert people["excluded"] == {
        "equipment": 1,
        "no_activity": 4,  # ann, away, the linked mailbox's owner, the silent #EXT# guest
        "room": 1,
        "shared": 1,
    }


def test_disabled_account_without_activity_is_out_for_that_reason() -> None:
    db = _store()
    db.execute("delete from login_events where user = 'dana@contoso.com'")
    compute_week(db, WEEK, DetectConfig())
    reason = db.execute(
        "select reason from week_exclusions where person_id = ?", [_pid("dana@contoso.com")]
    ).fetchone()
    assert reason == ("disabled_no_activity",)


def test_config_overrides_exclude_and_include(tmp_path: Any) -> None:
    identity = IdentityConfig(exclude=["c9@contoso.com"], include=["hudson@*"], exclude_guests=True)
    db = _store(identity)
    features = compute_week(db, WEEK, DetectConfig())
    assert _pid("c9@contoso.com") not in features
    assert _pid("ola@partner.example") not in features
    # included, and it did join calls: scored even though Exchange calls it a room
    assert features[_pid("hudson@contoso.com")]["kind"] == "room"
    counts = coverage(db, *week_bounds(WEEK, "UTC"), WEEK)["people"]["excluded"]
    assert counts["excluded"] == 3 and "room" not in counts  # c9 and both guests
    # the same config through the digest run: the override reaches the people table
    from commsignal.pipeline import run_digest

    config = Config(identity=identity)
    result = run_digest(db, config, WEEK, KEY, tmp_path, ["json"], deliver=False)
    assert result.digest["coverage"]["people"]["excluded"]["excluded"] == 3
    assert {p["person"] for p in result.digest["people"]}.isdisjoint(
        {_pid("c9@contoso.com"), _pid("payroll@contoso.com")}
    )


def test_csv_directory_kind_beats_graph(tmp_path: Any) -> None:
    db = _store()
    write_directory(db, [DirectoryEntry("ops@contoso.com", kind="service")], "csv")
    refresh_identities(db, KEY)
    assert _pid("ops@contoso.com") not in compute_week(db, WEEK, DetectConfig())
