"""Teams meetings of the simulated org: stand-ups, team syncs, 1:1s and cross-team reviews.

Attendance follows each person's working spans, so people outside their hours decline or miss
meetings, and camera use follows each person's habit (`Profile.video_p`).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from commsignal.demo.sim_org import Org
from commsignal.demo.sim_schedule import Profile, local_ts
from commsignal.demo.world import SimAttendance, SimMeeting

_RESPONSES = ("accepted", "tentativelyAccepted", "declined", "none")
_ATTEND_P = {"accepted": 0.93, "tentativelyAccepted": 0.65, "none": 0.5, "declined": 0.03}
_CROSS = (
    "Design review",
    "Incident review",
    "Q4 planning",
    "Architecture sync",
    "API contract review",
)


class MeetingMaker:
    """Builds meetings with invitee responses and attendance intervals."""

    def __init__(self, rng: random.Random, profiles: dict[str, Profile], always: set[str]) -> None:
        self.rng = rng
        self.profiles = profiles
        self.always = always  # accounts active around the clock (the shift account)
        self.out: list[SimMeeting] = []

    def _free(self, key: str, ts: float) -> bool:
        return key in self.always or self.profiles[key].available(ts, 900.0)

    def _interval(self, start: float, end: float) -> list[tuple[float, float]]:
        rng = self.rng
        dur = end - start
        j = start + (rng.uniform(60, 0.3 * dur) if rng.random() < 0.25 else rng.uniform(-60, 60))
        lv = end - rng.uniform(60, 0.4 * dur) if rng.random() < 0.15 else end + rng.uniform(0, 180)
        if rng.random() < 0.05 and lv - j > 600:  # dropped and rejoined
            mid = rng.uniform(j + 120, lv - 300)
            return [(j, mid), (mid + rng.uniform(30, 200), lv)]
        return [(j, lv)]

    def add(
        self,
        organizer: str,
        keys: list[str],
        subject: str,
        start: float,
        minutes: int,
        flex: bool = False,
    ) -> None:
        """Schedules one meeting if the organizer can make it.

        Args:
            organizer: Person key of the organizer (always attends, role "Organizer").
            keys: Invitees (the organizer is skipped if listed).
            subject: Calendar subject.
            start: Start, epoch seconds.
            minutes: Planned length.
            flex: Everyone makes an exception to their hours (meetings with night workers).
        """
        rng = self.rng
        end = start + minutes * 60
        if not flex and not self._free(organizer, start):
            return
        pr_o = self.profiles[organizer]
        att = [
            SimAttendance(
                organizer, self._interval(start, end), "Organizer", rng.random() < pr_o.video_p
            )
        ]
        invitees: list[tuple[str, str]] = []
        for k in keys:
            pr = self.profiles[k]
            if k == organizer or not pr.person.on_teams:
                continue
            if pr.first_day is not None and start < local_ts("UTC", pr.first_day, 0):
                continue
            free = flex or self._free(k, start)
            resp = rng.choices(_RESPONSES, weights=(70, 10, 7, 13) if free else (10, 10, 45, 35))[0]
            invitees.append((k, resp))
            if free and rng.random() < _ATTEND_P[resp]:
                att.append(
                    SimAttendance(
                        k, self._interval(start, end), "Attendee", rng.random() < pr.video_p
                    )
                )
        if not invitees:
            return
        mid = f"AAMkAG{rng.getrandbits(120):030x}"
        self.out.append(SimMeeting(mid, organizer, subject, start, end, invitees, att))


def build_meetings(
    rng: random.Random,
    org: Org,
    profiles: dict[str, Profile],
    always: set[str],
    night: set[str],
    start: date,
    n_days: int,
) -> tuple[list[SimMeeting], dict[str, list[float]]]:
    """Every meeting in the window, plus stand-up times per team (the stand-up bot reminds then).

    Args:
        rng: The simulation's random source.
        org: The org chart.
        profiles: Person key -> profile.
        always: Accounts that are online around the clock.
        night: Night workers, whose 1:1 sits at the end of their shift.
        start: First date of the window.
        n_days: Window length in days.

    Returns:
        Meetings sorted by start, and team name -> stand-up start times.
    """
    mm = MeetingMaker(rng, profiles, always)
    standups: dict[str, list[float]] = {}
    slot = {t: rng.choice((9.25, 9.5, 10.0)) for t in org.teams}
    sync_day = {t: rng.choice((1, 2, 3)) for t in org.teams}
    one_on_one = {
        k: (rng.randint(0, 4), rng.uniform(1.0, 3.0)) for t in org.teams.values() for k in t
    }
    for i in range(n_days):
        d = start + timedelta(days=i)
        if d.weekday() >= 5:
            continue
        for team, members in org.teams.items():
            mgr = org.managers[team]
            tz = profiles[mgr].home.tz
            t0 = local_ts(tz, d, slot[team])
            standups.setdefault(team, []).append(t0 - 600)
            mm.add(mgr, members, f"{team} daily standup", t0, 15)
            if d.weekday() == sync_day[team]:
                mm.add(
                    mgr, members, f"{team} weekly sync", local_ts(tz, d, 14.0), rng.choice((45, 60))
                )
            for k in members:
                wd, offset = one_on_one[k]
                pr = profiles[k]
                if k == mgr or d.weekday() != wd or d not in pr.days:
                    continue
                t = pr.days[d][0][0] + offset * 3600
                if k in night:
                    t = pr.days[d][-1][1] - 2700
                t = round(t / 900) * 900  # calendars snap to quarter hours
                names = f"{profiles[mgr].person.name.split()[0]} / {pr.person.name.split()[0]}"
                mm.add(mgr, [k], f"1:1 {names}", t, 30, flex=k in night)
        for k in sorted(night):  # the night shift hands over to the day team every morning
            pr = profiles[k]
            if d in pr.days:
                mates = [x for x in org.teams[pr.person.team] if x != k]
                t = round((pr.days[d][-1][1] - 1200) / 300) * 300
                mm.add(
                    k, rng.sample(mates, 2), f"{pr.person.team} night handover", t, 15, flex=True
                )
        if d.weekday() == 0:
            mm.add(
                org.ceo,
                org.directors,
                "Leadership staff meeting",
                local_ts("America/New_York", d, 11.0),
                60,
            )
        people = [k for t in org.teams.values() for k in t]
        for _ in range(3):
            org_key = rng.choice(people)
            guests = rng.sample(people, rng.randint(3, 7))
            subject = f"{rng.choice(_CROSS)}: {profiles[org_key].person.team}"
            t = local_ts(profiles[org_key].home.tz, d, rng.choice((11.0, 13.5, 15.0)))
            mm.add(org_key, guests, subject, t, rng.choice((30, 45, 60)))
    mm.out.sort(key=lambda m: (m.start, m.id))
    return mm.out, standups
