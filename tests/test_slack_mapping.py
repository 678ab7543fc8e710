"""Slack JSON to commsignal records, on the real example payloads and on edge cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from connectors.slack.mapping import (
    conversation_kind,
    map_access_log,
    map_audit_entry,
    map_conversation,
    map_huddle,
    map_message,
    map_user,
    mentions_of,
    thread_activity,
)


def load(shared: Path, name: str) -> dict[str, Any]:
    return dict(json.loads((shared / "slack" / name).read_text()))


def test_users_list_example(shared_data: Path) -> None:
    members = load(shared_data, "openapi_examples/users.list.json")["members"]
    a = [map_user(m) for m in members]
    assert [x.account_id for x in a] == ["W012A3CDE", "W07QCRPA4"]
    assert a[0].email == "spengler@ghostbusters.example.com" and a[0].tz == "America/Los_Angeles"
    assert a[1].display_name == "Glinda Southgood" and a[1].title == "Glinda the Good"
    assert all(x.source == "slack" and not x.is_bot and not x.deleted for x in a)


def test_bots_and_slackbot_are_bots() -> None:
    assert map_user({"id": "USLACKBOT", "is_bot": False, "profile": {}}).is_bot
    assert map_user({"id": "U1", "is_bot": True, "profile": {"bot_id": "B1"}}).is_bot
    guest = map_user(
        {"id": "U2", "is_ultra_restricted": True, "deleted": True, "profile": {"email": ""}}
    )
    assert guest.is_restricted and guest.deleted and guest.email is None and not guest.is_bot


def test_conversations_examples(shared_data: Path) -> None:
    api = load(shared_data, "openapi_examples/conversations.list.json")["channels"]
    sdk = load(shared_data, "python_slack_sdk_fixtures/web_response_conversations_list.json")[
        "channels"
    ]
    got = [map_conversation(c) for c in api + sdk]
    assert [(c.conversation_id, c.kind, c.name, c.member_count) for c in got] == [
        ("C012AB3CD", "public", "general", 4),
        ("C061EG9T2", "public", "random", 4),
        ("C111", "public", "general", 8),
        ("C222", "public", "random", 10),
    ]
    assert [
        conversation_kind(c)
        for c in (
            {"is_im": True},
            {"is_mpim": True, "is_private": True},
            {"is_private": True},
            {"is_group": True},
            {},
        )
    ] == ["im", "mpim", "private", "private", "public"]


def test_history_and_replies_examples(shared_data: Path) -> None:
    hist = load(shared_data, "openapi_examples/conversations.history.json")["messages"]
    m = map_message("C1", hist[0])
    assert m.message_id == "C1:1512085950.000216" and m.account_id == "U012AB3CDE"
    assert m.ts == 1512085950.000216 and not m.is_reply and m.thread_id is None
    replies = load(shared_data, "openapi_examples/conversations.replies.json")["messages"]
    parent, *rest = [map_message("C1", r) for r in replies]
    assert parent.thread_id == "C1:1482960137.003543" and not parent.is_reply
    assert thread_activity(replies[0]) == "1482960137.003543"  # no latest_reply: the parent's ts
    assert len(rest) == 3
    assert all(
        r.is_reply and r.thread_id == parent.thread_id and r.reply_to_account_id == "U061F7AUR"
        for r in rest
    )


def test_bot_message_from_reactions_example(shared_data: Path) -> None:
    item = load(shared_data, "openapi_examples/reactions.list.json")["items"][0]["message"]
    m = map_message("C3UKJTQAC", item)
    assert m.account_id == "B4VLRLMKJ" and m.subtype == "bot_message"
    assert m.reactions == (("U2U85N1RV", "robot_face"),)


def test_mentions_edits_reactions_from_text_and_blocks() -> None:
    msg = {
        "ts": "1700000000.000100",
        "user": "U1",
        "text": "hi <@U2> and <@W3|bob>, also <#C9> and <!here>",
        "blocks": [
            {
                "type": "rich_text",
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [
                            {"type": "user", "user_id": "U4"},
                            {"type": "text", "text": "x"},
                        ],
                    }
                ],
            }
        ],
        "reactions": [{"name": "tada", "users": ["U2", "U5"], "count": 2}],
        "edited": {"user": "U1", "ts": "1700000100.000000"},
        "thread_ts": "1699999999.000001",
    }
    m = map_message("C1", msg, parent_user="U9")
    assert mentions_of(msg) == ("U2", "U4", "W3") == m.mentions
    assert m.reactions == (("U2", "tada"), ("U5", "tada"))
    assert m.edited_ts == 1700000100.0 and m.is_reply and m.reply_to_account_id == "U9"


def test_huddle_thread_best_effort() -> None:
    msg = {
        "ts": "1700000000.000100",
        "user": "USLACKBOT",
        "subtype": "huddle_thread",
        "room": {
            "id": "R1",
            "created_by": "U1",
            "date_start": 1700000000,
            "date_end": 1700001800,
            "participant_history": ["U1", "U2"],
            "participants": [],
        },
    }
    meeting, att = map_huddle("C1", msg) or (None, [])
    assert (
        meeting is not None
        and meeting.meeting_id == "huddle:R1"
        and meeting.organizer_account_id == "U1"
    )
    assert meeting.end_ts - meeting.start_ts == 1800
    assert [(a.account_id, a.seconds) for a in att] == [("U1", 1800), ("U2", 1800)]
    assert map_huddle("C1", {"ts": "1.000000", "subtype": "huddle_thread"}) is None  # redacted room


def test_access_logs_example(shared_data: Path) -> None:
    rows = load(shared_data, "openapi_examples/team.accessLogs.json")["logins"]
    events = [e for r in rows for e in map_access_log(r, {"U45678": "alice@example.com"})]
    assert [(e.user, e.ts, e.event, e.source) for e in events] == [
        ("alice@example.com", 1422922864.0, "signin", "slack-access"),
        ("U12345", 1422922493.0, "signin", "slack-access"),
    ]
    assert events[0].ip == "127.0.0.1" and "Macintosh" in (events[0].user_agent or "")
    again = [e for r in rows for e in map_access_log(r)]
    assert [e.event_id for e in again] == [
        e.event_id for e in events
    ]  # stable, not keyed on the email map
    wider = map_access_log({**rows[0], "date_last": 1422999999, "count": 5})
    assert len(wider) == 2 and wider[0].event_id == events[0].event_id


def test_audit_user_login_fixture(shared_data: Path) -> None:
    entries = load(shared_data, "python_slack_sdk_fixtures/audit_logs_v1_logs_user_login.json")[
        "entries"
    ]
    events = [map_audit_entry(e) for e in entries]
    assert all(e is not None for e in events)
    e0 = events[0]
    assert e0 is not None
    assert (e0.user, e0.event, e0.ts, e0.ip, e0.session_key, e0.user_agent, e0.source) == (
        "foo@example.com",
        "logon",
        1611221649.0,
        "1.2.3.4",
        "1656410836837",
        "UA",
        "slack-audit",
    )
    assert len({e.event_id for e in events if e}) == 2  # same second, different entry ids
    assert map_audit_entry({**entries[0], "action": "user_logout"}).event == "logoff"  # type: ignore[union-attr]
    assert map_audit_entry({**entries[0], "action": "file_downloaded"}) is None
