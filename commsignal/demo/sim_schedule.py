"""Per-person working patterns: when each simulated person is at work, as UTC spans per day.

Every generator (messages, meetings, logins) reads the same precomputed spans, so one person's
chat, calls and sessions agree with each other. Local times go through `zoneinfo`, so the US
daylight-saving change inside the window (2026-11-01) shifts UTC hours as it does in reality.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from commsignal.demo.sim_org import ZONES
from commsignal.demo.world import SimPerson

Span = tuple[float, float]


@dataclass(slots=True)
class Place:
    """Where a person works from on a day: zone, country, city and egress address."""

    tz: str
    country: str
    city: str
    ip: str


@dataclass(slots=True)
class Profile:
    """A person's habits; `days` maps each local work date to its UTC work spans."""

    person: SimPerson
    home: Place
    start_h: float
    length_h: float
    lunch_after_h: float | None
    lunch_h: float
    workdays: frozenset[int]
    msg_rate: float
    social_share: float
    polite_share: float
    video_p: float
    device: str
    os_name: str
    user_agent: str
    days_off: set[date] = field(default_factory=set)
    first_day: date | None = None
    travel: dict[date, Place] = field(default_factory=dict)
    # On-call days: one long 13-15 h day that still ends with a logoff.
    long_days: set[date] = field(default_factory=set)
    days: dict[date, list[Span]] = field(default_factory=dict)
    # One workstation session per span (handover accounts) instead of one per day with locks.
    session_per_span: bool = False
    # Ordinary life (commsignal.demo.sim_life): lock instead of logoff ("nightly": log off on
    # the last workday of the week; "always": never log off), VDI pool hosts reached over RDP,
    # office days behind the office NAT, a phone, a shared lab PC, the private workstation subnet.
    locker: str | None = None
    vdi_pool: tuple[str, ...] = ()
    office_days: frozenset[int] = frozenset()
    office: Place | None = None
    phone: str | None = None
    lab_days: set[date] = field(default_factory=set)
    lan: str = "192.168.1."
    _flat: list[Span] = field(default_factory=list)

    def place(self, d: date) -> Place:
        """Where the person is on local date `d` (travel overrides home)."""
        return self.travel.get(d, self.home)

    def available(self, ts: float, slack_s: float = 1800.0) -> bool:
        """Whether `ts` falls inside a work span, give or take `slack_s` seconds."""
        i = bisect.bisect_right(self._flat, (ts + slack_s, float("inf")))
        return i > 0 and self._flat[i - 1][1] + slack_s >= ts

    def finalize(self) -> None:
        """Builds the sorted span index used by `available`."""
        self._flat = sorted(s for spans in self.days.values() for s in spans)


def local_ts(tz: str, d: date, hours: float) -> float:
    """Epoch seconds of local wall time `hours` after midnight of `d` in zone `tz`."""
    base = datetime(d.year, d.month, d.day, tzinfo=ZoneInfo(tz))
    return (base + timedelta(hours=hours)).timestamp()


def home_place(rng: random.Random, p: SimPerson, tz: str | None = None) -> Place:
    """A residential egress address in the person's country (or zone `tz`), from `rng`."""
    tz = tz or p.actual_tz
    country, city, prefixes, _office = ZONES[tz]
    ip = f"{rng.choice(prefixes)}{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(2, 250)}"
    return Place(tz, country, city, ip)


def ordinary_days(rng: random.Random, pr: Profile, start: date, n_days: int) -> None:
    """Fills `pr.days` with one working day per local workday: start, lunch break, end.

    Args:
        rng: The simulation's random source (daily jitter).
        pr: The profile to fill; its start/length/lunch/workdays drive the spans.
        start: First date of the window (UTC Monday).
        n_days: Window length in days.
    """
    for i in range(-1, n_days + 1):
        d = start + timedelta(days=i)
        if d.weekday() not in pr.workdays or d in pr.days_off:
            continue
        if pr.first_day is not None and d < pr.first_day:
            continue
        tz = pr.place(d).tz
        s_h = pr.start_h + rng.gauss(0, 0.3)
        e_h = s_h + pr.length_h + rng.gauss(0, 0.35)
        if d in pr.long_days:
            s_h = 7.0 + rng.uniform(-0.3, 0.3)
            e_h = s_h + rng.uniform(13.2, 14.8)
        if pr.lunch_after_h is None:
            pr.days[d] = [(local_ts(tz, d, s_h), local_ts(tz, d, e_h))]
            continue
        l_s = s_h + pr.lunch_after_h + rng.gauss(0, 0.25)
        l_e = l_s + pr.lunch_h + rng.uniform(-0.1, 0.2)
        pr.days[d] = [
            (local_ts(tz, d, s_h), local_ts(tz, d, l_s)),
            (local_ts(tz, d, l_e), local_ts(tz, d, e_h)),
        ]


def shift_days(rng: random.Random, pr: Profile, start: date, n_days: int) -> None:
    """Round-the-clock shifts on one account, keyed by UTC date.

    One crew works Korean daytime (about 22:45-11:15 UTC), the other covers the rest
    (about 10:45-23:15 UTC); the overlaps around 11:00 and 23:00 UTC are the hand-overs.
    Weekends keep only the Korean-daytime crew on a shorter day.
    """
    for i in range(n_days):
        d = start + timedelta(days=i)
        j = rng.uniform(-0.2, 0.2)
        if d.weekday() >= 5:
            pr.days[d] = [(local_ts("UTC", d, 0.5 + j), local_ts("UTC", d, 7.5 + j))]
            continue
        pr.days[d] = [
            (local_ts("UTC", d, -1.25 + j), local_ts("UTC", d, 11.25 + j)),
            (local_ts("UTC", d, 10.75 + j), local_ts("UTC", d, 23.25 + j)),
        ]


def handover_days(
    rng: random.Random, a: Profile, b: Profile, tz: str, start: date, n_days: int
) -> None:
    """Two accounts alternating on one workstation: A, B, A, B through a 17-hour day.

    Each logs off and the other logs on within minutes, so the device is in use ~06:00-23:00.
    """
    for i in range(-1, n_days + 1):
        d = start + timedelta(days=i)
        if d.weekday() >= 5:
            continue
        cuts = [6.0 + rng.uniform(-0.2, 0.2), 10.0, 14.0, 18.0, 23.0 + rng.uniform(-0.2, 0.2)]
        cuts[1:4] = [c + rng.uniform(-0.25, 0.25) for c in cuts[1:4]]
        gap = [rng.uniform(0.03, 0.12) for _ in range(4)]  # 2-7 minutes between sessions
        spans = [
            (local_ts(tz, d, cuts[k] + (gap[k - 1] if k else 0.0)), local_ts(tz, d, cuts[k + 1]))
            for k in range(4)
        ]
        a.days[d] = [spans[0], spans[2]]
        b.days[d] = [spans[1], spans[3]]


def window_bounds(start: date, n_days: int) -> Span:
    """The window as epoch seconds [start 00:00 UTC, end 00:00 UTC)."""
    s = datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp()
    return s, s + n_days * 86400.0
