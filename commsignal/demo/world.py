"""The simulated organisation as plain records, independent of any platform's wire format.

`commsignal.demo.simulate` builds a `World`; the fake Slack and Graph servers render it into each
platform's JSON, and the demo writes its workstation login events as a generic CSV file. Times are
epoch seconds (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class SimPerson:
    """One employee (or planted persona) with ids on both platforms."""

    key: str
    name: str
    email: str
    team: str
    title: str
    manager_key: str | None
    declared_tz: str
    actual_tz: str
    country: str
    slack_id: str
    graph_id: str
    persona: str = "normal"
    on_slack: bool = True
    on_teams: bool = True
    # Microsoft 365 directory facts the fake Graph serves (a UPN that differs from mail, a user
    # without an Exchange mailbox or Teams licence, a disabled account)
    upn: str | None = None
    mailbox: bool = True
    teams_licence: bool = True
    enabled: bool = True
    # what the account is: Exchange mailboxSettings.userPurpose (user, room, equipment, shared),
    # Entra userType (Member, Guest), and Slack users.list flags (deleted, is_restricted,
    # is_ultra_restricted, is_stranger) for accounts that are not plain employees
    purpose: str = "user"
    user_type: str = "Member"
    slack_flags: dict[str, bool] = field(default_factory=dict)


@dataclass(slots=True)
class SimChannel:
    """A conversation. platform "slack": kind public_channel|private_channel|mpim|im;
    platform "teams": kind chat (1:1 or group chat) or channel (with `team_id`)."""

    id: str
    platform: str
    kind: str
    name: str | None
    members: list[str]
    team_id: str | None = None


@dataclass(slots=True)
class SimMessage:
    """A message with its text (the text exists only in the simulation and on the wire)."""

    id: str
    platform: str
    channel: str
    author: str
    ts: float
    text: str
    thread_root: str | None = None
    mentions: list[str] = field(default_factory=list)
    reactions: list[tuple[str, str]] = field(default_factory=list)
    edited_ts: float | None = None
    subtype: str | None = None


@dataclass(slots=True)
class SimAttendance:
    """One person's join/leave intervals in a meeting and whether their camera was on."""

    person: str
    intervals: list[tuple[float, float]]
    role: str = "Attendee"
    video: bool = False


@dataclass(slots=True)
class SimMeeting:
    """A Teams meeting: calendar event, attendance report and call record in one."""

    id: str
    organizer: str
    subject: str
    start: float
    end: float
    invitees: list[tuple[str, str]]
    attendance: list[SimAttendance]
    is_online: bool = True
    rooms: list[str] = field(default_factory=list)  # room mailboxes booked (attendee type resource)
    call_type: str = "groupCall"  # "peerToPeer": an ad-hoc call between the first two attendees


@dataclass(slots=True)
class SimLogin:
    """A login-type event. source "workstation" becomes the generic CSV file; source "entra"
    is served by the fake Graph server as a sign-in."""

    person: str
    user: str
    ts: float
    event: str
    source: str
    session_id: str | None = None
    ip: str | None = None
    device: str | None = None
    client_app: str | None = None
    country: str | None = None
    city: str | None = None
    user_agent: str | None = None
    device_id: str | None = None  # Entra deviceDetail.deviceId of a registered device
    device_name: str | None = None  # its displayName


@dataclass(slots=True)
class World:
    """Everything the simulation produced, plus the ground truth the tests check against."""

    seed: int
    start: float
    weeks: int
    people: list[SimPerson]
    channels: list[SimChannel]
    messages: list[SimMessage]
    meetings: list[SimMeeting]
    logins: list[SimLogin]
    bots: list[SimPerson] = field(default_factory=list)
    ground_truth: dict[str, Any] = field(default_factory=dict)
    # accounts the directories list beside the employees (rooms, a shared mailbox, a leaver,
    # guests): served by the fakes' user lists, never authors of simulated activity
    directory_extras: list[SimPerson] = field(default_factory=list)

    def person(self, key: str) -> SimPerson:
        """Look a person up by key."""
        for p in self.people:
            if p.key == key:
                return p
        raise KeyError(key)
