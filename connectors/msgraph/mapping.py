"""Typed msgraph models -> commsignal records. Pure: no I/O; message text stays in memory only."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from collections.abc import Container, Mapping
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from commsignal.models import Account, Attendance, LoginEvent, Meeting, RawMessage

SOURCE = "m365"

# Exchange mailbox settings and event times often carry Windows zone names (CLDR windowsZones, 001)
WINDOWS_TO_IANA: dict[str, str] = {
    "UTC": "UTC",
    "GMT Standard Time": "Europe/London",
    "Greenwich Standard Time": "Atlantic/Reykjavik",
    "W. Europe Standard Time": "Europe/Berlin",
    "Romance Standard Time": "Europe/Paris",
    "Central Europe Standard Time": "Europe/Budapest",
    "Central European Standard Time": "Europe/Warsaw",
    "E. Europe Standard Time": "Europe/Chisinau",
    "FLE Standard Time": "Europe/Kiev",
    "GTB Standard Time": "Europe/Bucharest",
    "Russian Standard Time": "Europe/Moscow",
    "Turkey Standard Time": "Europe/Istanbul",
    "Israel Standard Time": "Asia/Jerusalem",
    "Arabian Standard Time": "Asia/Dubai",
    "Pakistan Standard Time": "Asia/Karachi",
    "India Standard Time": "Asia/Calcutta",
    "SE Asia Standard Time": "Asia/Bangkok",
    "China Standard Time": "Asia/Shanghai",
    "Singapore Standard Time": "Asia/Singapore",
    "Taipei Standard Time": "Asia/Taipei",
    "Tokyo Standard Time": "Asia/Tokyo",
    "Korea Standard Time": "Asia/Seoul",
    "North Korea Standard Time": "Asia/Pyongyang",
    "AUS Eastern Standard Time": "Australia/Sydney",
    "New Zealand Standard Time": "Pacific/Auckland",
    "Eastern Standard Time": "America/New_York",
    "Central Standard Time": "America/Chicago",
    "Mountain Standard Time": "America/Denver",
    "US Mountain Standard Time": "America/Phoenix",
    "Pacific Standard Time": "America/Los_Angeles",
    "Alaskan Standard Time": "America/Anchorage",
    "Hawaiian Standard Time": "Pacific/Honolulu",
    "Canada Central Standard Time": "America/Regina",
    "Atlantic Standard Time": "America/Halifax",
    "SA Pacific Standard Time": "America/Bogota",
    "E. South America Standard Time": "America/Sao_Paulo",
    "Argentina Standard Time": "America/Buenos_Aires",
    "Central Standard Time (Mexico)": "America/Mexico_City",
    "South Africa Standard Time": "Africa/Johannesburg",
    "W. Central Africa Standard Time": "Africa/Lagos",
    "E. Africa Standard Time": "Africa/Nairobi",
}
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


def tz_to_iana(name: str | None) -> str | None:
    """IANA zone for an IANA or Windows zone name; None when unknown."""
    if not name:
        return None
    if name in WINDOWS_TO_IANA:
        return WINDOWS_TO_IANA[name]
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def ts(value: dt.datetime | None) -> float | None:
    """Epoch seconds of an SDK datetime (naive ones are UTC)."""
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()


def zoned_ts(value: Any) -> float | None:
    """Epoch seconds of a DateTimeTimeZone (string dateTime plus an IANA or Windows zone name)."""
    if value is None or not value.date_time:
        return None
    text = re.sub(r"(\.\d{6})\d+", r"\1", value.date_time.rstrip("Z"))
    naive = dt.datetime.fromisoformat(text)
    zone = tz_to_iana(value.time_zone) or "UTC"
    return naive.replace(tzinfo=ZoneInfo(zone)).timestamp()


def html_to_text(content: str | None) -> str:
    """Visible text of a message body: tags removed, entities decoded, whitespace collapsed."""
    if not content:
        return ""
    text = re.sub(r"<(br|/p|/div)\s*/?>", " ", content, flags=re.I)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def user_to_account(
    user: Any, manager_id: str | None = None, tz: str | None = None, purpose: str | None = None
) -> Account:
    """An Entra ID user as an Account (UPN stands in for mail when the user has no mailbox).

    A B2B guest says so in `userType` ("Guest"); older guests lack it but keep `#EXT#` in their UPN.
    `purpose` is the mailbox's `userPurpose` (room, equipment, shared...), read separately.
    """
    upn = user.user_principal_name or ""
    if manager_id is None and getattr(user, "manager", None) is not None:
        manager_id = user.manager.id
    return Account(
        source=SOURCE,
        account_id=user.id,
        email=user.mail or user.user_principal_name,
        display_name=user.display_name,
        tz=tz_to_iana(tz),
        deleted=user.account_enabled is False,
        is_restricted=(user.user_type or "").lower() == "guest" or "#ext#" in upn.lower(),
        purpose=purpose,
        department=user.department,
        title=user.job_title,
        manager_account_id=manager_id,
        country=user.usage_location,
        upn=user.user_principal_name,
        sam_account_name=user.on_premises_sam_account_name,
        on_prem_domain=user.on_premises_domain_name,
        employee_id=user.employee_id,
    )


def is_removed(msg: Any) -> bool:
    """True for delta `@removed` stubs and soft-deleted messages (deletedDateTime set)."""
    extra = getattr(msg, "additional_data", None) or {}
    return "@removed" in extra or msg.deleted_date_time is not None


def conversation_id(msg: Any) -> str | None:
    """The chat id, or the channel id for channel messages."""
    if msg.chat_id:
        return str(msg.chat_id)
    ident = msg.channel_identity
    return str(ident.channel_id) if ident is not None and ident.channel_id else None


def message_to_raw(msg: Any, conversation: str | None = None) -> RawMessage | None:
    """A chat or channel message as a RawMessage; None for messages with no sender at all."""
    kind = msg.message_type.value if msg.message_type is not None else "message"
    sender = msg.from_
    user = sender.user if sender is not None else None
    app = sender.application if sender is not None else None
    subtype: str | None = None
    if kind != "message" or msg.event_detail is not None:
        subtype = "systemEventMessage"
    elif user is None and app is not None:
        subtype = "bot_message"
    author = user.id if user is not None else (app.id if app is not None else None)
    if author is None and subtype is None:
        return None
    body = msg.body.content if msg.body is not None else None
    mentions = tuple(
        m.mentioned.user.id
        for m in msg.mentions or []
        if m.mentioned is not None and m.mentioned.user is not None and m.mentioned.user.id
    )
    reactions = tuple(
        (r.user.user.id, r.reaction_type or "")
        for r in msg.reactions or []
        if r.user is not None and r.user.user is not None and r.user.user.id
    )
    created = ts(msg.created_date_time) or 0.0
    return RawMessage(
        source=SOURCE,
        message_id=str(msg.id),
        conversation_id=conversation or conversation_id(msg) or "",
        account_id=author or "system",
        ts=created,
        text="" if subtype == "systemEventMessage" else html_to_text(body),
        thread_id=str(msg.reply_to_id) if msg.reply_to_id else None,
        is_reply=bool(msg.reply_to_id),
        mentions=mentions,
        reactions=reactions,
        edited_ts=ts(msg.last_edited_date_time),
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


def event_meeting_id(event: Any, start: float) -> str:
    """Meeting id for a calendar event: its Teams join URL when online, else the iCalUId."""
    online = event.online_meeting.join_url if event.online_meeting is not None else None
    return occurrence_id(meeting_key(online) or f"ical:{event.i_cal_u_id or event.id}", start)


def _is_resource(attendee: Any) -> bool:
    kind = attendee.type
    return (kind.value if hasattr(kind, "value") else str(kind or "")).lower() == "resource"


def event_to_meeting(event: Any, account_by_email: Mapping[str, str]) -> Meeting | None:
    """A calendar event as a Meeting; invitees resolve to account ids, unknown people stay emails.

    Rooms and equipment (attendee type `resource`) are not invitees, and an event with no
    person attendees besides its organizer is an appointment (focus time, out of office), not
    a meeting: None, like a cancelled event.
    """
    start, end = zoned_ts(event.start), zoned_ts(event.end)
    if start is None or end is None or event.is_cancelled:
        return None

    def who(address: str | None) -> str | None:
        if not address:
            return None
        return account_by_email.get(address.strip().lower(), address.strip().lower())

    org_addr = (
        event.organizer.email_address.address
        if event.organizer and event.organizer.email_address
        else None
    )
    organizer = who(org_addr)
    invitees: dict[str, str] = {}
    if organizer:
        invitees[organizer] = "organizer"
    for a in event.attendees or []:
        if _is_resource(a):
            continue
        account = who(a.email_address.address if a.email_address else None)
        if account and account not in invitees:
            response = a.status.response.value if a.status and a.status.response else "none"
            invitees[account] = response
    if not any(k != organizer for k in invitees):
        return None  # an appointment
    return Meeting(
        source=SOURCE,
        meeting_id=event_meeting_id(event, start),
        organizer_account_id=organizer,
        start_ts=start,
        end_ts=end,
        is_online=bool(event.is_online_meeting),
        invitees=tuple(sorted(invitees.items())),
    )


def attendance_account(
    rec: Any,
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
    ident = rec.identity.id if rec.identity is not None and rec.identity.id else None
    email = (rec.email_address or "").strip().lower()
    if ident and (known_ids is None or ident in known_ids):
        return str(ident)
    if email:
        return (account_by_email or {}).get(email, email)
    return str(ident or "")


def attendance_to_record(
    rec: Any,
    meeting_id: str,
    video: bool | None = None,
    known_ids: Container[str] | None = None,
    account_by_email: Mapping[str, str] | None = None,
) -> Attendance:
    """One attendance record: total seconds, first join, last leave and role."""
    intervals = rec.attendance_intervals or []
    joins = [t for t in (ts(i.join_date_time) for i in intervals) if t is not None]
    leaves = [t for t in (ts(i.leave_date_time) for i in intervals) if t is not None]
    return Attendance(
        source=SOURCE,
        meeting_id=meeting_id,
        account_id=attendance_account(rec, known_ids, account_by_email),
        seconds=int(rec.total_attendance_in_seconds or 0),
        first_join_ts=min(joins) if joins else None,
        last_leave_ts=max(leaves) if leaves else None,
        role=rec.role,
        video_on=video,
    )


def signin_to_login(si: Any) -> LoginEvent:
    """An Entra ID sign-in as a LoginEvent with a stable id (importing twice adds nothing).

    `account_id` is the signIn's `userId` (the user's object id, the id /users gives); the
    device identity is `deviceDetail.deviceId` (`device_id`) and its name (`host`), apart from
    the "OS / browser" client label in `device`.
    """
    app = si.app_display_name or ""
    client_app = si.client_app_used
    if any(tool in app.lower() for tool in REMOTE_TOOLS):
        client_app = app
    device = si.device_detail
    loc = si.location
    status = si.status
    device_id = (device.device_id or "").strip() or None if device else None
    device_name = (device.display_name or "").strip() or None if device else None
    return LoginEvent(
        event_id=f"entra:{si.id}",
        source=SOURCE,
        user=(si.user_principal_name or si.user_id or "").lower(),
        ts=ts(si.created_date_time) or 0.0,
        event="signin",
        ip=si.ip_address,
        device=" / ".join(x for x in (device.operating_system, device.browser) if x) or None
        if device
        else None,
        client_app=client_app,
        user_agent=si.user_agent,
        country=loc.country_or_region if loc is not None else None,
        city=loc.city if loc is not None else None,
        success=status is None or status.error_code in (0, None),
        interactive=si.is_interactive,
        host=device_name,
        device_id=device_id,
        account_id=si.user_id or None,
    )
