"""Directory accounts that are not plain employees: rooms, equipment, a shared mailbox, a leaver, guests.

Real tenants list these in Graph `/users` and Slack `users.list` beside the staff; the demo serves
them so every run shows that they never become people in the digest. They draw from their own
random stream, so adding them leaves the simulated organisation (and its planted personas) as it was.
"""

from __future__ import annotations

import random
import uuid

from commsignal.demo.world import SimMeeting, SimPerson

ROOMS = ("room-hudson", "room-thames", "room-spree")


def directory_extras(seed: int, domain: str = "example.com") -> list[SimPerson]:
    """The non-employee accounts of one organisation.

    Args:
        seed: the world's seed (a separate stream is derived from it).
        domain: the organisation's email domain.

    Returns:
        Three rooms and a projector (Teams only), a shared mailbox, a disabled leaver on both
        platforms, an Entra B2B guest, and Slack's deactivated member, single-channel guest and
        Slack Connect user.
    """
    rng = random.Random(f"directory-extras-{seed}")

    def account(key: str, name: str, email: str, **facts: object) -> SimPerson:
        p = SimPerson(
            key=key,
            name=name,
            email=email,
            team="",
            title="",
            manager_key=None,
            declared_tz="UTC",
            actual_tz="UTC",
            country="US",
            slack_id="U"
            + "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10)),
            graph_id=str(uuid.UUID(int=rng.getrandbits(128))),
            persona="account",
            on_slack=False,
        )
        for k, v in facts.items():
            setattr(p, k, v)
        return p

    out = [
        account(r, r.split("-")[1].title() + " room", f"{r}@{domain}", purpose="room")
        for r in ROOMS
    ]
    out += [
        account("projector-2", "Projector 2", f"projector-2@{domain}", purpose="equipment"),
        account("shared-payroll", "Payroll inbox", f"payroll@{domain}", purpose="shared"),
        account(
            "leaver",
            "Dana Leaver",
            f"dana.leaver@{domain}",
            enabled=False,
            on_slack=True,
            slack_flags={"deleted": True},
        ),
        account(
            "b2b-guest",
            "Ola Partner",
            "ola@partner.example",
            user_type="Guest",
            upn=f"ola_partner.example#EXT#@{domain.split('.')[0]}.onmicrosoft.com",
        ),
        account(
            "slack-guest",
            "Sam Contractor",
            "sam@contractor.example",
            on_teams=False,
            on_slack=True,
            slack_flags={"is_restricted": True, "is_ultra_restricted": True},
        ),
        account(
            "slack-connect",
            "Kim Vendor",
            "kim@vendor.example",
            on_teams=False,
            on_slack=True,
            slack_flags={"is_stranger": True},
        ),
    ]
    return out


def book_rooms(seed: int, meetings: list[SimMeeting], rooms: list[SimPerson]) -> None:
    """Book a room (and sometimes the projector) into about a third of the in-person-able meetings."""
    rng = random.Random(f"room-bookings-{seed}")
    halls = [r.email for r in rooms if r.purpose == "room"]
    kit = [r.email for r in rooms if r.purpose == "equipment"]
    for m in meetings:
        if halls and rng.random() < 0.33:
            m.rooms.append(rng.choice(halls))
            if kit and rng.random() < 0.3:
                m.rooms.append(kit[0])
