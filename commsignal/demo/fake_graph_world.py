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


def documented_world(seed: int = 5) -> World:
    """`sample_world` plus every case the Graph documentation describes that a sync must survive.

    - p2's UPN differs from their mail; p3 has no Exchange mailbox; p4 has no Teams licence;
      p5 is disabled (mailbox inactive).
    - The first meeting books a room (attendee type resource); the second has an external guest
      who is invited by email and attends (with camera) under their home-tenant identity.
    - p6 keeps a focus-time appointment (no attendees); p7 calls p8 ad hoc (peer to peer; only
      p7's camera is on).
    - An all-hands where every attendee rejoins often: more than 60 sessions; only the
      last-listed attendee, whose sessions all come after the 60th, has the camera on.
    - One channel post has a long thread of 25 replies.
    - p6 and p7 sign in from one Entra-registered laptop (same deviceId).

    Args:
        seed: random seed of the underlying sample world.

    Returns:
        The World.
    """
    w = sample_world(n_people=12, n_messages=300, n_meetings=20, seed=seed)
    p = {x.key: x for x in w.people}
    p["p2"].upn = "p2.admin@contoso.onmicrosoft.test"
    p["p3"].mailbox = False
    p["p4"].teams_licence = False
    p["p5"].enabled = False
    w.meetings[0].rooms = ["room-hudson@contoso.test", "projector-2@contoso.test"]
    guest = "guest@partner.test"
    m1 = w.meetings[1]
    m1.invitees.append((guest, "accepted"))
    m1.attendance.append(SimAttendance(guest, [(m1.start + 60, m1.end)], "Attendee", video=True))
    day = w.start + 3 * 86400
    w.meetings.append(SimMeeting("appt0", "p6", "Focus time", day, day + 7200, [], [], False))
    call = [
        SimAttendance("p7", [(day + 9000, day + 9900)], "Attendee", video=True),
        SimAttendance("p8", [(day + 9000, day + 9900)], "Attendee", video=False),
    ]
    w.meetings.append(SimMeeting("p2p0", "p7", "", day + 9000, day + 9900, [], call))
    w.meetings[-1].call_type = "peerToPeer"
    begin = day + 4 * 86400
    keys = [x.key for x in w.people]
    rejoins = [(begin + i * 500, begin + i * 500 + 450) for i in range(6)]
    hands = [SimAttendance(k, list(rejoins), "Attendee", video=False) for k in keys[1:]]
    hands[-1].video = True
    hands.insert(0, SimAttendance(keys[0], list(rejoins), "Organizer", video=False))
    invited = [(k, "accepted") for k in keys[1:]]
    w.meetings.append(
        SimMeeting("allhands", keys[0], "All hands", begin, begin + 3000, invited, hands)
    )
    chan = next(c for c in w.channels if c.kind == "channel")
    root = SimMessage("1799999990000", "teams", chan.id, chan.members[0], day, "hand-over notes")
    w.messages.append(root)
    for i in range(25):
        author = chan.members[(i + 1) % len(chan.members)]
        reply = SimMessage(
            f"17999999900{i + 1:02d}", "teams", chan.id, author, day + 60 * (i + 1), "ok"
        )
        reply.thread_root = root.id
        w.messages.append(reply)
    laptop = "4c0f7e1a-6d2b-4f3a-9e8c-1b2d3c4e5f60"
    for s in w.logins:
        if s.person in ("p6", "p7"):
            s.device_id, s.device_name = laptop, "LAPTOP-7QK2M"
    return w
