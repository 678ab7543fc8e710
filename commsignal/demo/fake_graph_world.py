"""A compact Teams-only sample World for the fake Graph server's tests and benchmarks.

`commsignal.demo.simulate` builds the demo's rich organisation; this one is small, fast and
plain (person p1 never turns the camera on), so assertions about it are easy to state.
"""

from __future__ import annotations

import random
import uuid

from commsignal.demo.world import (
    SimAttendance,
    SimChannel,
    SimLogin,
    SimMeeting,
    SimMessage,
    SimPerson,
    World,
)

START = 1_793_520_000.0  # 2026-11-02T08:00:00Z, a Monday
TEAMS = ("Platform", "Payments", "Data", "Support")
ZONES = ("America/New_York", "Europe/London", "Europe/Berlin", "Asia/Tokyo", "America/Los_Angeles")


def sample_world(
    n_people: int = 12,
    n_messages: int = 300,
    n_meetings: int = 20,
    seed: int = 1,
    start: float = START,
    days: int = 14,
) -> World:
    """A compact Teams-only World (people, chats, channels, meetings, sign-ins) for tests and benchmarks.

    Args:
        n_people: employees (the first is everybody's manager).
        n_messages: chat plus channel messages, some replies, some system events.
        n_meetings: online meetings with attendance; person 1 never turns the camera on.
        seed: random seed, so a world is reproducible.
        start: epoch seconds of the first day.
        days: span of the activity.

    Returns:
        The World.
    """
    rng = random.Random(seed)
    people = [
        SimPerson(
            key=f"p{i}",
            name=f"Person {i}",
            email=f"person{i}@contoso.test",
            team=TEAMS[i % len(TEAMS)],
            title="Engineer",
            manager_key=None if i == 0 else "p0",
            declared_tz=ZONES[i % len(ZONES)],
            actual_tz=ZONES[i % len(ZONES)],
            country="US",
            slack_id=f"U{i:06d}",
            graph_id=str(uuid.UUID(int=rng.getrandbits(128))),
        )
        for i in range(n_people)
    ]
    keys = [p.key for p in people]
    channels: list[SimChannel] = []
    for t in range(max(1, n_people // 10)):
        members = keys[t * 10 : t * 10 + 10] or keys
        channels.append(
            SimChannel(
                f"19:ch{t:04d}@thread.tacv2", "teams", "channel", "General", members, f"team-{t}"
            )
        )
    for i in range(max(2, n_people)):
        a, b = rng.sample(keys, 2)
        channels.append(SimChannel(f"19:{a}_{b}_{i}@unq.gbl.spaces", "teams", "chat", None, [a, b]))
    span = days * 86400.0
    messages: list[SimMessage] = []
    roots: dict[str, list[str]] = {}
    for n in range(n_messages):
        ch = rng.choice(channels)
        author = rng.choice(ch.members)
        ts = start + rng.random() * span
        root = None
        if roots.get(ch.id) and rng.random() < 0.3:
            root = rng.choice(roots[ch.id])
        msg = SimMessage(
            f"{1_700_000_000_000 + n}", "teams", ch.id, author, ts, f"message {n} about the build"
        )
        if root is not None:
            msg.thread_root = root
            msg.ts = max(ts, start + 1)
        else:
            roots.setdefault(ch.id, []).append(msg.id)
        if rng.random() < 0.2:
            msg.mentions.append(rng.choice(keys))
        if rng.random() < 0.2:
            msg.reactions.append((rng.choice(keys), "like"))
        if n % 50 == 7:
            msg.subtype = "systemEventMessage"
        messages.append(msg)
    # replies must come after their roots in time, like the real thing
    by_id = {m.id: m for m in messages}
    for m in messages:
        if m.thread_root and by_id[m.thread_root].ts >= m.ts:
            m.ts = by_id[m.thread_root].ts + 60
    meetings: list[SimMeeting] = []
    for n in range(n_meetings):
        org = rng.choice(keys)
        invited = rng.sample([k for k in keys if k != org], min(4, len(keys) - 1))
        begin = start + rng.randrange(days) * 86400 + 3600 * rng.randrange(0, 8)
        end = begin + 1800
        att = [SimAttendance(org, [(begin, end)], "Organizer", video=org != "p1")]
        for k in invited:
            if rng.random() < 0.8:
                late = rng.choice([0, 0, 300])
                early = rng.choice([0, 0, 600])
                att.append(
                    SimAttendance(
                        k,
                        [(begin + late, end - early)],
                        "Attendee",
                        video=k != "p1" and rng.random() < 0.7,
                    )
                )
        invitees = [
            (k, rng.choice(["accepted", "tentativelyAccepted", "declined", "none"]))
            for k in invited
        ]
        meetings.append(SimMeeting(f"mtg{n:05d}", org, f"Sync {n}", begin, end, invitees, att))
    logins = [
        SimLogin(
            person=p.key,
            user=p.email,
            ts=start + rng.random() * span,
            event="signin",
            source="entra",
            ip=f"10.0.{i % 250}.{j % 250}",
            device="Windows 11",
            client_app=rng.choice(["Microsoft Teams", "AnyDesk", None]),
            country="US",
            city="Seattle",
            user_agent="Mozilla/5.0 Chrome/126.0",
        )
        for i, p in enumerate(people)
        for j in range(3)
    ]
    return World(seed, start, max(1, days // 7), people, channels, messages, meetings, logins)
