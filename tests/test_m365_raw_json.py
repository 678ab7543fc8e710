"""The raw-JSON path: Graph's documented bodies map to pinned records, and fields read as kiota read them.

The expected records below are what the previous kiota-model path produced for the same
documented files (msgraph's models parsed them, the old mapping read the models); the dict
path must give exactly these. kiota's JSON parse node stays in this file only as an oracle
for the typed field reads.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from commsignal.models import Attendance, LoginEvent, Meeting, RawMessage
from connectors.errors import ConnectorError
from connectors.msgraph import calls, fields
from connectors.msgraph import mapping as mp
from connectors.msgraph.raw import get_json


def load(shared_data: Path, name: str) -> dict[str, Any]:
    raw: dict[str, Any] = json.loads((shared_data / "msgraph" / name).read_text())
    raw.pop("_note", None)
    return raw


def test_documented_signins_map_to_the_records_the_models_gave(shared_data: Path) -> None:
    page = load(shared_data, "signins_list.json")
    assert fields.link(page) == (
        "https://graph.microsoft.com/v1.0/auditLogs/signIns?$top=1"
        "&$skiptoken=9177f2e3532fcd4c4d225f68f7b9bdf7_1"
    )
    assert fields.link(page, "@odata.deltaLink") is None
    assert [mp.signin_to_login(s) for s in page["value"]] == [
        LoginEvent(
            event_id="entra:66ea54eb-6301-4ee5-be62-ff5a759b0100",
            source="m365",
            user="testaccount1@contoso.com",
            ts=1584126941.619583,  # "...41.6195833Z": seven digits, cut to microseconds
            event="signin",
            ip="131.107.159.37",
            device="Windows 10 / Edge 80.0.361",
            client_app="Browser",
            user_agent=None,
            country="US",
            city="Redmond",
            success=True,
            interactive=True,
            host=None,
            device_id=None,
            account_id="26be570a-ae82-4189-b4e2-a37c6808512d",
        )
    ]


def test_documented_channel_messages_map_to_the_records_the_models_gave(
    shared_data: Path,
) -> None:
    page = load(shared_data, "channel_messages_list.json")
    channel = "19:4a95f7d8db4c4e7fae857bcebe0623e6@thread.tacv2"
    author = "8ea0e38b-efb3-4757-924a-5f94061cf8c2"
    assert [mp.is_removed(m) for m in page["value"]] == [False, False, False]
    assert [mp.message_to_raw(m) for m in page["value"]] == [
        RawMessage(
            "m365",
            "1616965872395",
            channel,
            author,
            1616965872.395,
            "Hello World Jane Smith",
            mentions=("ef1c916a-3135-4417-ba27-8eb7bd084193",),
        ),
        RawMessage("m365", "1616963377068", channel, author, 1616963377.068, ""),
        RawMessage(
            "m365",
            "1616883610266",
            channel,
            "system",
            1616903410.266,
            "",
            subtype="systemEventMessage",
        ),
    ]


def test_documented_event_attendance_and_call_records(shared_data: Path) -> None:
    events = load(shared_data, "user_events_list.json")["value"]
    known = {"samanthab@a830edad905084922e17020313.onmicrosoft.com": "user-samantha"}
    assert [mp.event_to_meeting(e, known) for e in events] == [
        Meeting(
            "m365",
            "ical:AAMkAGIAAAoZDOFAAA=@20170421T1700",
            "user-samantha",
            1492794000.0,
            1492801200.0,
            False,
            (
                ("danas@a830edad905084922e17020313.onmicrosoft.com", "none"),
                ("user-samantha", "organizer"),
            ),
        )
    ]
    records = load(shared_data, "attendancerecords_list.json")["value"]
    assert [mp.attendance_to_record(r, "m1") for r in records] == [
        Attendance(
            "m365", "m1", "dc17674c-81d9-4adb-bfb2-8f6a442e4623", 322,
            1633408707.602722, 1633409029.770239, "Organizer",
        ),
        Attendance(
            "m365", "m1", "57caaef9-5ed0-48d5-8862-e5abfa71b3e9", 314,
            1633389223.377651, 1633389537.563933, "Presenter",
        ),
    ]  # fmt: skip
    rec = load(shared_data, "callrecord_get_expand_sessions_segments.json")
    presence = calls.call_presence(rec)
    abbie, owen = "821809f5-0000-0000-0000-3b5136c0e777", "f69e2c00-0000-0000-0000-185e5f5f5d8a"
    both = {"seconds": 25, "first_ts": 1582656741.216988, "last_ts": 1582656766.764001}
    assert presence == {
        abbie: calls.CallPresence(**both, upn="abbie.wilkins@contoso.com", streams_seen=True),
        owen: calls.CallPresence(**both, upn="owen.franklin@contoso.com", streams_seen=True),
    }
    assert calls.call_meeting_id(rec) == "call:e523d2ed-2966-4b6b-925b-754a88034cc5@20200225T1852"
    # the service endpoint in that record names nobody, so it adds no participant
    assert len(presence) == 2


def _kiota(value: Any) -> Any:
    from kiota_serialization_json.json_parse_node import JsonParseNode

    return JsonParseNode(value)


@pytest.mark.parametrize(
    ("value", "readable"),
    [
        ("2026-11-02T09:00:00Z", True),
        ("2026-11-02T09:00:00.1234567Z", True),  # seven fractional digits, as Graph sends them
        ("2026-11-02T09:00:00.9999999Z", True),
        ("2026-11-02T09:00:00.12Z", True),
        ("2026-11-02T10:00:00+01:00", True),
        ("2026-11-02T04:30:00.5-04:30", True),
        ("2026-11-02T09:00:00", True),  # no zone: UTC
        ("2026-11-02", True),
        ("2026-11", False),  # too short: kiota reads nothing
        ("", False),
        (None, False),
        (42, False),
    ],
)
def test_date_times_read_as_kiota_read_them(value: Any, readable: bool) -> None:
    import datetime as d

    held = _kiota(value).get_datetime_value()
    assert (held is not None) is readable
    expected = None
    if held is not None:
        expected = (held if held.tzinfo else held.replace(tzinfo=d.UTC)).timestamp()
    assert fields.instant(value) == expected


def test_an_unreadable_date_time_is_none_where_kiota_failed_the_page() -> None:
    with pytest.raises(ValueError):
        _kiota("2026-13-45T99:00:00Z").get_datetime_value()
    assert fields.instant("2026-13-45T99:00:00Z") is None


def _enum_cases() -> list[tuple[Any, frozenset[str]]]:
    from msgraph.generated.models.attendee_type import AttendeeType
    from msgraph.generated.models.call_records.media_stream_direction import MediaStreamDirection
    from msgraph.generated.models.call_records.modality import Modality
    from msgraph.generated.models.call_records.video_codec import VideoCodec
    from msgraph.generated.models.chat_message_type import ChatMessageType
    from msgraph.generated.models.response_type import ResponseType
    from msgraph.generated.models.user_purpose import UserPurpose

    from connectors.msgraph import USER_PURPOSES

    return [
        (ChatMessageType, mp.MESSAGE_TYPES),
        (AttendeeType, mp.ATTENDEE_TYPES),
        (ResponseType, mp.RESPONSES),
        (MediaStreamDirection, calls.STREAM_DIRECTIONS),
        (VideoCodec, calls.VIDEO_CODECS),
        (Modality, calls.MODALITIES),
        (UserPurpose, USER_PURPOSES),
    ]


def test_enum_members_are_the_sdks_and_read_by_its_rule() -> None:
    raws = ["", "none", "None", "NONE", "video", "Video", "VIDEO", "resource", "Resource",
            "callerToCallee", "CallerToCallee", "callertocallee", "systemEventMessage",
            "message", "Message", "h264", "rtVideo", "room", "Shared", "nonsense", 7]  # fmt: skip
    for enum_class, members in _enum_cases():
        assert members == frozenset(m.value for m in enum_class), enum_class.__name__
        for raw in raws:
            got = _kiota(raw).get_enum_value(enum_class)
            assert fields.member(raw, members) == (got.value if got else None), (enum_class, raw)


def test_wrong_types_and_nulls_read_as_the_models_held_them() -> None:
    msg: dict[str, Any] = {
        "id": 5,  # not a string: kiota held None
        "from": "someone",  # not an object: kiota built an empty one (a sender with no user)
        "body": None,
        "mentions": "x",  # not a list: no mentions
        "createdDateTime": "2026-11-02T09:00:00.1234567+01:00",  # 08:00:00.123456 UTC
        "eventDetail": None,
    }
    assert fields.text(msg, "id") is None and fields.child(msg, "from") == {}
    assert fields.children(msg, "mentions") == [] and fields.children(msg, "reactions") is None
    assert mp.message_to_raw(msg) is None  # a sender object with neither user nor app
    msg["from"] = {"application": {"id": "bot-1"}, "user": None}
    raw = mp.message_to_raw(msg, "c1")
    assert raw is not None and raw.subtype == "bot_message" and raw.account_id == "bot-1"
    assert raw.ts == 1793606400.123456 and raw.message_id == "None"
    assert mp.is_removed({"id": "1", "@removed": {"reason": "deleted"}})
    assert mp.is_removed({"id": "1", "deletedDateTime": "2026-11-02T09:00:00Z"})
    assert not mp.is_removed({"id": "1", "deletedDateTime": None})


class _Adapter:
    """Stands in for the SDK's request adapter: records requests, answers one body."""

    base_url = "https://graph.example.test/v1.0"

    def __init__(self, body: bytes | None) -> None:
        self.body = body
        self.urls: list[str] = []

    async def send_primitive_async(self, info: Any, kind: str, errors: Any) -> bytes | None:
        assert kind == "bytes" and "XXX" in errors
        self.urls.append(info.url)
        return self.body


def _meetings_builder(adapter: _Adapter) -> Any:
    from msgraph.generated.users.item.online_meetings.online_meetings_request_builder import (
        OnlineMeetingsRequestBuilder,
    )

    return OnlineMeetingsRequestBuilder(adapter, {"user%2Did": "u-1"})


def test_get_json_expands_the_builders_url_once_and_leaves_the_builder_intact() -> None:
    adapter = _Adapter(b'{"value": [], "@odata.nextLink": "https://graph.example.test/v1.0/next"}')
    builder = _meetings_builder(adapter)
    page = asyncio.run(get_json(builder))
    assert page == {"value": [], "@odata.nextLink": "https://graph.example.test/v1.0/next"}
    assert adapter.urls == ["https://graph.example.test/v1.0/users/u-1/onlineMeetings"]
    # builders made from this one after the request still carry the user id
    child = builder.by_online_meeting_id("m-1").attendance_reports
    asyncio.run(get_json(child))
    assert adapter.urls[-1] == (
        "https://graph.example.test/v1.0/users/u-1/onlineMeetings/m-1/attendanceReports"
    )
    asyncio.run(get_json(builder.with_url("https://graph.example.test/v1.0/next")))
    assert adapter.urls[-1] == "https://graph.example.test/v1.0/next"


@pytest.mark.parametrize("body", [b"<html>gateway</html>", b"[1, 2]", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_a_connector_error(body: bytes) -> None:
    with pytest.raises(ConnectorError, match="onlineMeetings"):
        asyncio.run(get_json(_meetings_builder(_Adapter(body))))


def test_an_empty_answer_is_none() -> None:
    assert asyncio.run(get_json(_meetings_builder(_Adapter(None)))) is None
    assert asyncio.run(get_json(_meetings_builder(_Adapter(b"")))) is None
