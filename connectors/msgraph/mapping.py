"""Graph JSON objects -> commsignal records. Pure: no I/O; message text stays in memory only.

The objects are response bodies parsed with `json.loads` (camelCase keys, as Graph sends them);
`fields` reads each value the way msgraph's models held it, so the records are the same ones the
SDK's model classes gave.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from collections.abc import Container, Mapping
from urllib.parse import unquote

from commsignal.models import Account, Attendance, LoginEvent, Meeting, RawMessage
from connectors.msgraph.fields import Json, child, children, enum, flag, integer, text
from connectors.msgraph.fields import instant as ts
from connectors.msgraph.zones import tz_to_iana, zoned_ts

SOURCE = "m365"
# `ts`, `tz_to_iana` and `zoned_ts` stay reachable here: the sync steps and tests use mapping.ts etc.

# documented enum members (Graph v1.0 metadata; msgraph's enums hold the same values)
MESSAGE_TYPES = frozenset(
    {"message", "chatEvent", "typing", "unknownFutureValue", "systemEventMessage"}
)
ATTENDEE_TYPES = frozenset({"required", "optional", "resource"})
RESPONSES = frozenset(
    {"none", "organizer", "tentativelyAccepted", "accepted", "declined", "notResponded"}
)

# client apps that are remote-control tools: appDisplayName names them, clientAppUsed never does
REMOTE_TOOLS = (
    "anydesk",
    "teamviewer",
    "rustdesk",
    "chrome remote desktop",
    "remote desktop",
    "splashtop",
    "vnc",
    "logmein",
    "screenconnect",
)


def html_to_text(content: str | None) -> str:
    """Visible text of a message body: tags removed, entities decoded, whitespace collapsed."""
    if not content:
        return ""
    text = re.sub(r"<(br|/p|/div)\s*/?>", " ", content, flags=re.I)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def user_to_account(
    user: Json, manager_id: str | None = None, tz: str | None = None, purpose: str | None = None
) -> Account:
    """An Entra ID user as an Account (UPN stands in for mail when the user has no mailbox).

    A B2B guest says so in `userType` ("Guest"); older guests lack it but keep `#EXT#` in their UPN.
    `purpose` is the mailbox's `userPurpose` (room, equipment, shared...), read separately.
    """
    manager = child(user, "manager")
    if manager_id is None and manager is not None:
        manager_id = text(manager, "id")
    upn = text(user, "userPrincipalName")
    return Account(
        source=SOURCE,
        account_id=text(user, "id"),  # type: ignore[arg-type]  # Graph always sends a user's id
        email=text(user, "mail") or upn,
        display_name=text(user, "displayName"),
        tz=tz_to_iana(tz),
        deleted=flag(user, "accountEnabled") is False,
        is_restricted=(text(user, "userType") or "").lower() == "guest"
        or "#ext#" in (upn or "").lower(),
        purpose=purpose,
        department=text(user, "department"),
        title=text(user, "jobTitle"),
        manager_account_id=manager_id,
        country=text(user, "usageLocation"),
        upn=upn,
        sam_account_name=text(user, "onPremisesSamAccountName"),
        on_prem_domain=text(user, "onPremisesDomainName"),
        employee_id=text(user, "employeeId"),
    )


def is_removed(msg: Json) -> bool:
    """True for delta `@removed` stubs and soft-deleted messages (deletedDateTime set)."""
    return "@removed" in msg or ts(msg.get("deletedDateTime")) is not None


def conversation_id(msg: Json) -> str | None:
    """The chat id, or the channel id for channel messages."""
    chat = text(msg, "chatId")
    if chat:
        return chat
    return text(child(msg, "channelIdentity"), "channelId") or None


def message_to_raw(msg: Json, conversation: str | None = None) -> RawMessage | None:
    """A chat or channel message as a RawMessage; None for messages with no sender at all."""
    kind = enum(msg, "messageType", MESSAGE_TYPES) or "message"
    sender = child(msg, "from")
    user, app = child(sender, "user"), child(sender, "application")
    subtype: str | None = None
    if kind != "message" or child(msg, "eventDetail") is not None:
        subtype = "systemEventMessage"
    elif user is None and app is not None:
        subtype = "bot_message"
    author = text(user, "id") if user is not None else text(app, "id")
    if author is None and subtype is None:
        return None
    mentions = tuple(
        uid
        for m in children(msg, "mentions") or []
        if (uid := text(child(child(m, "mentioned"), "user"), "id"))
    )
    reactions = tuple(
        (uid, text(r, "reactionType") or "")
        for r in children(msg, "reactions") or []
        if (uid := text(child(child(r, "user"), "user"), "id"))
    )
    reply_to = text(msg, "replyToId")
    return RawMessage(
        source=SOURCE,
        message_id=str(text(msg, "id")),
        conversation_id=conversation or conversation_id(msg) or "",
        account_id=author or "system",
        ts=ts(msg.get("createdDateTime")) or 0.0,
        text=""
        if subtype == "systemEventMessage"
        else html_to_text(text(child(msg, "body"), "content")),
        thread_id=reply_to or None,
        is_reply=bool(reply_to),
        mentions=mentions,
        reactions=reactions,
        edited_ts=ts(msg.get("lastEditedDateTime")),
        subtype=subtype,
    )


def meeting_key(join_url: str | None) -> str | None:
    """One id for a Teams meeting seen in calendars, attendance reports and call records."""
    if not join_url:
        return None
    return "teams:" + hashlib.sha1(unquote(join_url).lower().encode("utf-8")).hexdigest()[:20]


def occurrence_id(key: str, start: float) -> str:
    """A meeting key plus its scheduled start: recurring meetings share one join URL."""
    return key + "@" + dt.datetime.fromtimestamp(start, dt.UTC).strftime("%Y%m%dT%H%M")


def join_url(event: Json) -> str | None:
    """The Teams join URL of a calendar event (None for events that are not online meetings)."""
    return text(child(event, "onlineMeeting"), "joinUrl")


def event_meeting_id(event: Json, start: float) -> str:
    """Meeting id for a calendar event: its Teams join URL when online, else the iCalUId."""
    ical = text(event, "iCalUId") or text(event, "id")
    return occurrence_id(meeting_key(join_url(event)) or f"ical:{ical}", start)


def _address(holder: Json | None) -> str | None:
    """`emailAddress.address` of an organizer or attendee."""
    return text(child(holder, "emailAddress"), "address")


def event_to_meeting(event: Json, account_by_email: Mapping[str, str]) -> Meeting | None:
    """A calendar event as a Meeting; invitees resolve to account ids, unknown people stay emails.

    Rooms and equipment (attendee type `resource`) are not invitees, and an event with no
    person attendees besides its organizer is an appointment (focus time, out of office), not
    a meeting: None, like a cancelled event.
    """
    start, end = zoned_ts(child(event, "start")), zoned_ts(child(event, "end"))
    if start is None or end is None or flag(event, "isCancelled"):
        return None

    def who(address: str | None) -> str | None:
        if not address:
            return None
        return account_by_email.get(address.strip().lower(), address.strip().lower())

    organizer = who(_address(child(event, "organizer")))
    invitees: dict[str, str] = {}
    if organizer:
        invitees[organizer] = "organizer"
    for a in children(event, "attendees") or []:
        if enum(a, "type", ATTENDEE_TYPES) == "resource":
            continue
        account = who(_address(a))
        if account and account not in invitees:
            invitees[account] = enum(child(a, "status"), "response", RESPONSES) or "none"
    if not any(k != organizer for k in invitees):
        return None  # an appointment
    return Meeting(
        source=SOURCE,
        meeting_id=event_meeting_id(event, start),
        organizer_account_id=organizer,
        start_ts=start,
        end_ts=end,
        is_online=bool(flag(event, "isOnlineMeeting")),
        invitees=tuple(sorted(invitees.items())),
    )


def attendance_identity(rec: Json) -> str | None:
    """The identity id an attendance record names (this tenant's user id, or a home-tenant id)."""
    return text(child(rec, "identity"), "id") or None


def attendance_account(
    rec: Json,
    known_ids: Container[str] | None = None,
    account_by_email: Mapping[str, str] | None = None,
) -> str:
    """Who an attendance record is about: the tenant's user id, else the email the invitation used.

    An external attendee's identity id is their home tenant's object id, which no invitation
    carries: keyed by email instead, they are one attendee, not two.

    Args:
        rec: an attendanceRecord.
        known_ids: this tenant's user ids; None trusts every identity id.
        account_by_email: email (lower case) -> account id of this tenant's users.

    Returns:
        An account id, or an email for people outside the tenant.
    """
    ident = attendance_identity(rec)
    email = (text(rec, "emailAddress") or "").strip().lower()
    if ident and (known_ids is None or ident in known_ids):
        return ident
    if email:
        return (account_by_email or {}).get(email, email)
    return ident or ""


def attendance_to_record(
    rec: Json,
    meeting_id: str,
    video: bool | None = None,
    known_ids: Container[str] | None = None,
    account_by_email: Mapping[str, str] | None = None,
) -> Attendance:
    """One attendance record: total seconds, first join, last leave and role."""
    intervals = children(rec, "attendanceIntervals") or []
    joins = [t for t in (ts(i.get("joinDateTime")) for i in intervals) if t is not None]
    leaves = [t for t in (ts(i.get("leaveDateTime")) for i in intervals) if t is not None]
    return Attendance(
        source=SOURCE,
        meeting_id=meeting_id,
        account_id=attendance_account(rec, known_ids, account_by_email),
        seconds=int(integer(rec, "totalAttendanceInSeconds") or 0),
        first_join_ts=min(joins) if joins else None,
        last_leave_ts=max(leaves) if leaves else None,
        role=text(rec, "role"),
        video_on=video,
    )


def signin_to_login(si: Json) -> LoginEvent:
    """An Entra ID sign-in as a LoginEvent with a stable id (importing twice adds nothing).

    `account_id` is the signIn's `userId` (the user's object id, the id /users gives); the
    device identity is `deviceDetail.deviceId` (`device_id`) and its name (`host`), apart from
    the "OS / browser" client label in `device`.
    """
    app = text(si, "appDisplayName") or ""
    client_app = text(si, "clientAppUsed")
    if any(tool in app.lower() for tool in REMOTE_TOOLS):
        client_app = app
    device, loc, status = child(si, "deviceDetail"), child(si, "location"), child(si, "status")
    label = None
    if device is not None:
        parts = (text(device, "operatingSystem"), text(device, "browser"))
        label = " / ".join(x for x in parts if x) or None
    user_id = text(si, "userId")
    return LoginEvent(
        event_id=f"entra:{text(si, 'id')}",
        source=SOURCE,
        user=(text(si, "userPrincipalName") or user_id or "").lower(),
        ts=ts(si.get("createdDateTime")) or 0.0,
        event="signin",
        ip=text(si, "ipAddress"),
        device=label,
        client_app=client_app,
        user_agent=text(si, "userAgent"),
        country=text(loc, "countryOrRegion"),
        city=text(loc, "city"),
        success=status is None or integer(status, "errorCode") in (0, None),
        interactive=flag(si, "isInteractive"),
        host=(text(device, "displayName") or "").strip() or None,
        device_id=(text(device, "deviceId") or "").strip() or None,
        account_id=user_id or None,
    )
