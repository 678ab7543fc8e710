"""Graph documentation examples, parsed as the connector parses bodies (json.loads), through our mapping."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory

from connectors.msgraph import calls
from connectors.msgraph import mapping as mp


def parse(path: Path) -> Any:
    """A documented response body as the connector reads it: plain JSON (the example's note dropped)."""
    raw = json.loads(path.read_text())
    raw.pop("_note", None)
    return raw


def test_signins_list(shared_data: Path) -> None:
    page = parse(shared_data / "msgraph/signins_list.json")
    assert page["@odata.nextLink"].startswith("https://graph.microsoft.com/")
    ev = mp.signin_to_login(page["value"][0])
    assert ev.event_id == "entra:66ea54eb-6301-4ee5-be62-ff5a759b0100"
    assert (ev.user, ev.event, ev.ip) == ("testaccount1@contoso.com", "signin", "131.107.159.37")
    assert (ev.country, ev.city, ev.client_app) == ("US", "Redmond", "Browser")
    assert ev.device == "Windows 10 / Edge 80.0.361"
    assert ev.success is True and ev.interactive is True
    assert ev.ts == pytest.approx(1584126941.6195, abs=0.01)


def test_channel_messages_list(shared_data: Path) -> None:
    page = parse(shared_data / "msgraph/channel_messages_list.json")
    raws = [mp.message_to_raw(m) for m in page["value"]]
    first = raws[0]
    assert first is not None
    assert first.message_id == "1616965872395"
    assert first.account_id == "8ea0e38b-efb3-4757-924a-5f94061cf8c2"
    assert first.conversation_id == "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2"
    assert first.mentions == ("ef1c916a-3135-4417-ba27-8eb7bd084193",)
    assert first.text == "Hello World Jane Smith" and "<" not in first.text
    assert first.subtype is None and not first.is_reply
    # the team-description update is a system event: kept, marked, with no text
    system = [r for r in raws if r is not None and r.subtype == "systemEventMessage"]
    assert len(system) == 1 and system[0].text == ""


def test_user_events_list(shared_data: Path) -> None:
    page = parse(shared_data / "msgraph/user_events_list.json")
    known = {"samanthab@a830edad905084922e17020313.onmicrosoft.com": "user-samantha"}
    meeting = mp.event_to_meeting(page["value"][0], known)
    assert meeting is not None
    assert meeting.organizer_account_id == "user-samantha"
    # unknown attendees keep their email as the account id
    assert dict(meeting.invitees) == {
        "user-samantha": "organizer",
        "danas@a830edad905084922e17020313.onmicrosoft.com": "none",
    }
    # "Pacific Standard Time" is a Windows zone name: 10:00 PDT on 2017-04-21 is 17:00 UTC
    assert meeting.start_ts == 1492794000.0 and meeting.end_ts - meeting.start_ts == 7200


def test_attendancerecords_list(shared_data: Path) -> None:
    page = parse(shared_data / "msgraph/attendancerecords_list.json")
    rows = [mp.attendance_to_record(r, "m1") for r in page["value"]]
    org = rows[0]
    assert org.account_id == "dc17674c-81d9-4adb-bfb2-8f6a442e4623"
    assert (org.seconds, org.role) == (322, "Organizer")
    assert org.last_leave_ts is not None and org.first_join_ts is not None
    assert org.last_leave_ts - org.first_join_ts == pytest.approx(322, abs=1)
    assert rows[1].role == "Presenter" and rows[1].seconds == 314


def test_callrecord_get_expand_sessions_segments(shared_data: Path) -> None:
    rec = parse(shared_data / "msgraph/callrecord_get_expand_sessions_segments.json")
    presence = calls.call_presence(rec)
    abbie, owen = "821809f5-0000-0000-0000-3b5136c0e777", "f69e2c00-0000-0000-0000-185e5f5f5d8a"
    assert set(presence) == {abbie, owen}
    assert presence[abbie].video is False and presence[abbie].seconds == 25
    assert calls.call_meeting_id(rec).startswith("call:e523d2ed-2966-4b6b-925b-754a88034cc5@")


def test_callrecord_get_expand_participants_v2(shared_data: Path) -> None:
    rec = parse(shared_data / "msgraph/callrecord_get_expand_participants_v2.json")
    presence = calls.call_presence(rec)
    assert set(presence) == {
        "821809f5-0000-0000-0000-3b5136c0e777",
        "f69e2c00-0000-0000-0000-185e5f5f5d8a",
    }
    assert not any(p.video for p in presence.values())


def test_presence_examples(shared_data: Path) -> None:
    from msgraph.generated.models.presence import Presence

    raw = json.loads((shared_data / "msgraph/presence_examples.json").read_text())
    node = JsonParseNodeFactory().get_root_parse_node(
        "application/json", json.dumps(raw["get_user_presence"]).encode()
    )
    presence = node.get_object_value(Presence)
    # presence is not synced (current state only); the model still carries what a detector would use
    assert (presence.availability, presence.activity) == ("DoNotDisturb", "Presenting")


def test_users_and_time_zones() -> None:
    u = {
        "id": "u1",
        "userPrincipalName": "A@X.test",
        "department": "Ops",
        "jobTitle": "SRE",
        "usageLocation": "DE",
        "accountEnabled": False,
        "onPremisesSamAccountName": "auser",
        "onPremisesDomainName": "corp.x.test",
        "employeeId": "E0042",
    }
    acc = mp.user_to_account(u, manager_id="m1", tz="W. Europe Standard Time")
    # identifiers other logs name people by, carried for identity resolution
    assert (acc.upn, acc.sam_account_name, acc.on_prem_domain, acc.employee_id) == (
        "A@X.test",
        "auser",
        "corp.x.test",
        "E0042",
    )
    assert (acc.email, acc.tz, acc.country, acc.deleted, acc.manager_account_id) == (
        "A@X.test",
        "Europe/Berlin",
        "DE",
        True,
        "m1",
    )
    assert (
        mp.tz_to_iana("Asia/Tokyo") == "Asia/Tokyo" and mp.tz_to_iana("Mars Standard Time") is None
    )


def test_remote_tool_app_name_wins_over_client_app() -> None:
    si = {
        "id": "x",
        "appDisplayName": "AnyDesk",
        "clientAppUsed": "Mobile Apps and Desktop clients",
    }
    assert mp.signin_to_login(si).client_app == "AnyDesk"


def test_html_is_stripped() -> None:
    assert mp.html_to_text("<p>Hi&nbsp;<b>there</b></p><p>how&#39;s it</p>") == "Hi there how's it"


def test_a_signin_synced_and_imported_from_a_file_is_one_event(shared_data: Path) -> None:
    from commsignal.models import LoginEvent
    from connectors.logins import parse_file

    page = parse(shared_data / "msgraph/signins_list.json")
    synced = {mp.signin_to_login(si).event_id for si in page["value"]}
    imported = {
        e.event_id
        for e in parse_file("entra", shared_data / "msgraph/signins_list.json")
        if isinstance(e, LoginEvent)
    }
    assert synced and synced == imported


def _record(sessions: list[dict[str, Any]]) -> Any:
    """A call record as Graph's JSON (a round trip through json, as the connector reads it)."""
    return json.loads(json.dumps({"id": "c1", "type": "peerToPeer", "sessions": sessions}))


def _end(uid: str) -> dict[str, Any]:
    return {
        "@odata.type": "#microsoft.graph.callRecords.participantEndpoint",
        "associatedIdentity": {"id": uid, "displayName": uid},
    }


def _session(media: list[dict[str, Any]] | None, modalities: list[str]) -> dict[str, Any]:
    times = {"startDateTime": "2026-11-02T09:00:00Z", "endDateTime": "2026-11-02T09:10:00Z"}
    segments = [{"id": "g1", **times, "caller": _end("a"), "callee": _end("b"), "media": media}]
    return {
        "id": "s1",
        **times,
        "modalities": modalities,
        "caller": _end("a"),
        "callee": _end("b"),
        "segments": segments if media is not None else [],
    }


def test_camera_is_the_side_that_sent_video() -> None:
    video = {"label": "main-video", "streams": [{"streamDirection": "calleeToCaller"}]}
    audio = {
        "label": "main-audio",
        "streams": [{"streamDirection": "callerToCallee"}, {"streamDirection": "calleeToCaller"}],
    }
    presence = calls.call_presence(_record([_session([audio, video], ["audio", "video"])]))
    assert (presence["a"].video, presence["b"].video) == (False, True)
    assert presence["a"].basis == presence["b"].basis == "streams"
    assert presence["a"].seconds == presence["b"].seconds == 600


def test_screen_sharing_is_not_camera() -> None:
    share = {
        "label": "applicationsharing-video",
        "streams": [{"streamDirection": "callerToCallee"}],
    }
    presence = calls.call_presence(_record([_session([share], ["audio", "screenSharing"])]))
    assert not presence["a"].video and not presence["b"].video


def test_modalities_decide_only_without_media_and_say_so() -> None:
    presence = calls.call_presence(_record([_session(None, ["audio", "video"])]))
    assert presence["a"].video and presence["b"].video
    assert presence["a"].basis == presence["b"].basis == "modalities"


def test_rooms_are_not_invitees_and_appointments_not_meetings() -> None:
    def event(attendees: list[dict[str, Any]]) -> Any:
        raw = {
            "id": "e1",
            "start": {"dateTime": "2026-11-02T09:00:00.0000000", "timeZone": "UTC"},
            "end": {"dateTime": "2026-11-02T10:00:00.0000000", "timeZone": "UTC"},
            "organizer": {"emailAddress": {"address": "org@x.test"}},
            "attendees": attendees,
        }
        return json.loads(json.dumps(raw))

    room = {"type": "resource", "emailAddress": {"address": "room@x.test"}}
    person = {"type": "required", "emailAddress": {"address": "a@x.test"}}
    meeting = mp.event_to_meeting(event([room, person]), {})
    assert meeting is not None and dict(meeting.invitees) == {
        "org@x.test": "organizer",
        "a@x.test": "none",
    }
    assert mp.event_to_meeting(event([room]), {}) is None  # a room booking for oneself
    assert mp.event_to_meeting(event([]), {}) is None  # focus time


def test_signin_device_identity_apart_from_client_label(shared_data: Path) -> None:
    page = parse(shared_data / "msgraph/signins_list.json")
    si = page["value"][0]
    ev = mp.signin_to_login(si)
    assert ev.account_id == "26be570a-ae82-4189-b4e2-a37c6808512d"  # userId, the object id
    assert ev.device_id is None and ev.host is None  # "" and null in the example: not a device
    si["deviceDetail"]["deviceId"] = "d-123"
    si["deviceDetail"]["displayName"] = "LAPTOP-1"
    ev = mp.signin_to_login(si)
    assert (ev.device_id, ev.host, ev.device) == ("d-123", "LAPTOP-1", "Windows 10 / Edge 80.0.361")


def test_callrecord_example_links_to_more_sessions(shared_data: Path) -> None:
    rec = parse(shared_data / "msgraph/callrecord_get_expand_sessions_segments.json")
    link = rec.get("sessions@odata.nextLink")
    assert link and "skiptoken" in link  # where the connector finds the rest of the sessions
