"""Leaf dataclasses shared by connectors, ingest and the stages: the project's vocabulary.

Connectors turn platform payloads into these records; `commsignal.ingest` scores and stores them.
Nothing here imports anything from the project, so every package may import it.
Timestamps are epoch seconds (UTC) as floats throughout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LOGIN_EVENTS = ("logon", "logoff", "lock", "unlock", "disconnect", "reconnect", "signin")


@dataclass(slots=True)
class Account:
    """A platform identity (Slack user, Entra ID user) before it is joined to a person by email."""

    source: str
    account_id: str
    email: str | None = None
    display_name: str | None = None
    tz: str | None = None
    is_bot: bool = False
    deleted: bool = False
    # a guest or external account (Entra userType Guest, Slack guests and Slack Connect strangers)
    is_restricted: bool = False
    # what an Exchange mailbox is for (mailboxSettings.userPurpose): user, linked, shared, room,
    # equipment, others; None when unknown or there is no mailbox
    purpose: str | None = None
    department: str | None = None
    title: str | None = None
    manager_account_id: str | None = None
    country: str | None = None
    # directory identifiers other logs name people by (Entra ID: UPN, on-premises sAMAccountName
    # and domain, HR employee id); carried for identity resolution, not stored by ingest yet
    upn: str | None = None
    sam_account_name: str | None = None
    on_prem_domain: str | None = None
    employee_id: str | None = None


@dataclass(slots=True)
class Conversation:
    """A place messages are posted: channel, private channel, group DM, DM, Teams chat or channel."""

    source: str
    conversation_id: str
    kind: str
    name: str | None = None
    member_count: int | None = None


@dataclass(slots=True)
class RawMessage:
    """A message as a connector sees it; `text` lives only in memory until it is scored."""

    source: str
    message_id: str
    conversation_id: str
    account_id: str
    ts: float
    text: str
    thread_id: str | None = None
    is_reply: bool = False
    reply_to_account_id: str | None = None
    mentions: tuple[str, ...] = ()
    reactions: tuple[tuple[str, str], ...] = ()
    edited_ts: float | None = None
    subtype: str | None = None
    during_meeting_id: str | None = None


@dataclass(slots=True)
class Meeting:
    """A calendar meeting; `invitees` pairs an account id (or email) with its response."""

    source: str
    meeting_id: str
    organizer_account_id: str | None
    start_ts: float
    end_ts: float
    is_online: bool
    invitees: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class Attendance:
    """One person's presence in one meeting, from attendance reports and call records."""

    source: str
    meeting_id: str
    account_id: str
    seconds: int
    first_join_ts: float | None = None
    last_leave_ts: float | None = None
    role: str | None = None
    video_on: bool | None = None
    video_basis: str | None = (
        None  # "streams" (who sent video is known) or "modalities" (ambiguous)
    )


@dataclass(slots=True)
class LoginEvent:
    """One logon, logoff, lock, unlock, RDP (dis)connect or sign-in, normalised from any log format.

    `event_id` is stable for the same input, so importing a file twice adds nothing.
    `event` is one of `LOGIN_EVENTS`.
    """

    event_id: str
    source: str
    user: str
    ts: float
    event: str
    session_key: str | None = None
    logon_type: str | None = None
    ip: str | None = None
    device: str | None = None
    client_app: str | None = None
    user_agent: str | None = None
    country: str | None = None
    city: str | None = None
    success: bool = True
    interactive: bool | None = None
    host: str | None = None
    device_id: str | None = None  # a real device identity (Entra deviceId), not a client label
    account_id: str | None = None  # the platform's account id when the log names one (Entra userId)


@dataclass(slots=True)
class Quarantined:
    """An input row that could not be parsed, kept with where it came from and why."""

    source: str
    file: str
    line: int
    reason: str
    raw: str
    data_ts: float | None = None  # when the data around the row happened (retention)


@dataclass(slots=True)
class Page:
    """One unit of connector output: records plus the cursor to commit with them atomically."""

    source: str
    resource: str
    partition: str = ""
    cursor: dict[str, Any] | None = None
    accounts: list[Account] = field(default_factory=list)
    conversations: list[Conversation] = field(default_factory=list)
    messages: list[RawMessage] = field(default_factory=list)
    removed_message_ids: list[str] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)
    attendance: list[Attendance] = field(default_factory=list)
    login_events: list[LoginEvent] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)


@dataclass(slots=True)
class Session:
    """A reconstructed login session: start, end (or none seen), how it ended, and where from."""

    session_id: str
    user: str
    source: str
    start_ts: float
    end_ts: float | None
    last_seen_ts: float
    end_reason: str
    logon_type: str | None = None
    active_seconds: float = 0.0
    active_spans: list[tuple[float, float]] = field(default_factory=list)
    ips: list[str] = field(default_factory=list)
    devices: list[str] = field(default_factory=list)
    client_apps: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)

    @property
    def duration_seconds(self) -> float:
        """Length up to the end, or up to the last evidence of activity when no end was seen."""
        return (self.end_ts if self.end_ts is not None else self.last_seen_ts) - self.start_ts


@dataclass(slots=True)
class Finding:
    """One detector's verdict on one person-week, with the evidence behind it."""

    person_id: str
    week: str
    detector: str
    score: float
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)
    strength: str = "strong"
    title: str = ""
    guidance: str = ""
