"""Ordinary life in the simulated organisation: what honest people do that naive rules flag.

About 40% lock instead of logging off (half of them over the weekend too), some reach VDI pool
hosts over RDP and disconnect instead of logging off, hybrid people sit behind the office NAT on
office days, workstations report private DHCP addresses that other people had yesterday, phones
sign in with versioned OS labels, households share a home address, a lab PC is shared by people
who have laptops of their own, and some people have an on-call week. None of this is a signal.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from commsignal.demo.sim_logins import LoginMaker, _sid
from commsignal.demo.sim_org import ZONES
from commsignal.demo.sim_schedule import Place, Profile

LOCKER_SHARE = 0.4
VDI_SHARE = 0.05
HYBRID_SHARE = 0.3
PHONE_SHARE = 0.35
ON_CALL_SHARE = 0.03
HOUSEHOLD_PAIRS_PER_100 = 1.5
LAB_PC = "LAB-PC-01"


def office_place(tz: str) -> Place:
    """The office NAT of a zone's city: one address shared by everyone in that office."""
    country, city, _prefixes, office = ZONES[tz]
    return Place(tz, country, city, f"{office}10.1")


def phone_label(rng: random.Random) -> str:
    """An Entra-style operating-system label with its version, as phones report it."""
    if rng.random() < 0.6:
        return f"Ios {rng.choice((17, 18))}.{rng.randint(0, 6)}.{rng.randint(0, 2)}"
    return f"Android {rng.choice((13, 14, 15))}"


def assign(
    rng: random.Random, profiles: list[Profile], start: date, n_days: int
) -> dict[str, list[str]]:
    """Give ordinary people their habits; returns which person keys got which notable habit.

    Args:
        rng: the simulation's random source.
        profiles: ordinary people (no planted persona) in a stable order.
        start: first day of the window.
        n_days: window length.

    Returns:
        habit name -> person keys (for the ground truth).
    """
    habits: dict[str, list[str]] = {}
    pool_size = max(3, round(len(profiles) * VDI_SHARE / 2))
    pool = tuple(f"VDI-POOL-{i:02d}" for i in range(1, pool_size + 1))
    for pr in profiles:
        r = rng.random()
        if r < LOCKER_SHARE / 2:
            pr.locker = "nightly"
        elif r < LOCKER_SHARE:
            pr.locker = "always"
        if rng.random() < VDI_SHARE:
            pr.vdi_pool = pool
            habits.setdefault("vdi", []).append(pr.person.key)
        if pr.home.tz in ZONES and rng.random() < HYBRID_SHARE:
            pr.office_days = frozenset({1, 2, 3})
            pr.office = office_place(pr.home.tz)
        if rng.random() < PHONE_SHARE:
            pr.phone = phone_label(rng)
        if rng.random() < ON_CALL_SHARE and n_days >= 14:
            week = rng.randrange(n_days // 7)
            pr.long_days |= {start + timedelta(days=week * 7 + k) for k in range(5)}
            habits.setdefault("on_call_week", []).append(pr.person.key)
    for key in ("nightly", "always"):
        habits[f"locker_{key}"] = [p.person.key for p in profiles if p.locker == key]
    # households: two colleagues in one home, one public address, own laptops, same hours
    by_zone: dict[str, list[Profile]] = {}
    for pr in profiles:
        if not pr.vdi_pool and pr.home.tz in ZONES:
            by_zone.setdefault(pr.home.tz, []).append(pr)
    n_pairs = max(1, round(len(profiles) * HOUSEHOLD_PAIRS_PER_100 / 100))
    zones = sorted(z for z, ps in by_zone.items() if len(ps) >= 4)
    for _ in range(n_pairs):
        if not zones:
            break
        members = by_zone[rng.choice(zones)]
        a, b = rng.sample(members, 2)
        if a.home.ip == b.home.ip:
            continue
        b.home = Place(a.home.tz, a.home.country, a.home.city, a.home.ip)
        b.office_days, b.office = a.office_days, a.office
        habits.setdefault("household", []).extend([a.person.key, b.person.key])
    # a lab PC used a couple of times a week by four people who all have laptops of their own
    lab_users = rng.sample(profiles, min(4, len(profiles)))
    for pr in lab_users:
        workdays = [start + timedelta(days=i) for i in range(n_days)]
        pr.lab_days = set(rng.sample([d for d in workdays if d.weekday() < 5], 2 * (n_days // 7)))
    habits["lab_pc"] = [p.person.key for p in lab_users]
    return habits


def life_logins(lm: LoginMaker, pr: Profile) -> None:
    """One ordinary person's workstation, VDI, lab PC and sign-in events across the window."""
    rng = lm.rng
    days = sorted(pr.days.items())
    sid: str | None = None
    for n, (d, spans) in enumerate(days):
        in_office = d.weekday() in pr.office_days and pr.office is not None
        place = pr.office if in_office and pr.office is not None else pr.place(d)
        lan = f"10.{40 + ord(place.city[0]) % 50}.{rng.randint(0, 3)}." if in_office else pr.lan
        ws = Place(place.tz, place.country, place.city, f"{lan}{rng.randint(2, 60)}")
        first, last = spans[0][0], spans[-1][1]
        if sid is None:
            sid = _sid(rng)
            lm.ws(pr, first - rng.uniform(120, 600), "logon", sid, ws)
        else:
            lm.ws(pr, first - rng.uniform(60, 300), "unlock", sid, ws)
        for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False):
            lm.ws(pr, e1 + rng.uniform(0, 180), "lock", sid, ws)
            lm.ws(pr, s2 - rng.uniform(0, 180), "unlock", sid, ws)
        nxt = days[n + 1][0] if n + 1 < len(days) else d + timedelta(days=7)
        week_ends = nxt.isocalendar()[:2] != d.isocalendar()[:2]
        end = last + rng.uniform(60, 480)
        if pr.locker == "always" or (pr.locker == "nightly" and not week_ends):
            lm.ws(pr, end, "lock", sid, ws)
        else:
            lm.ws(pr, end, "logoff", sid, ws)
            sid = None
        if pr.vdi_pool:
            _vdi_day(lm, pr, spans, ws)
        if d in pr.lab_days:
            s, e = rng.choice(spans)
            t = rng.uniform(s, max(s, e - 5400))
            lab_sid = _sid(rng)
            lab = Place(ws.tz, ws.country, ws.city, f"{lan}{rng.randint(61, 90)}")
            lm.ws_on(pr, t, "logon", lab_sid, lab, LAB_PC)
            lm.ws_on(pr, t + rng.uniform(2400, 5400), "logoff", lab_sid, lab, LAB_PC)
        lm.signin(pr, first + rng.uniform(60, 900), place)
        for _ in range(rng.randint(0, 3)):
            s, e = rng.choice(spans)
            lm.signin(pr, rng.uniform(s, e), place)
        if pr.phone:
            for _ in range(rng.randint(0, 2)):
                t = rng.uniform(first - 3600, last + 3 * 3600)
                ip = f"172.56.{rng.randint(0, 255)}.{rng.randint(2, 250)}"
                mobile = Place(place.tz, place.country, place.city, ip)
                lm.signin(pr, t, mobile, "Mobile Apps and Desktop clients", None, pr.phone)


def _vdi_day(lm: LoginMaker, pr: Profile, spans: list[tuple[float, float]], ws: Place) -> None:
    """A pooled VDI desktop: RDP logon, disconnect over lunch, reconnect, disconnect at night."""
    rng = lm.rng
    host = rng.choice(pr.vdi_pool)
    sid = _sid(rng)
    lm.ws_on(pr, spans[0][0] + rng.uniform(60, 300), "logon", sid, ws, host, "rdp")
    for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False):
        lm.ws_on(pr, e1 + rng.uniform(0, 120), "disconnect", sid, ws, host, "rdp")
        lm.ws_on(pr, s2 + rng.uniform(0, 120), "reconnect", sid, ws, host, "rdp")
    end = spans[-1][1] + rng.uniform(0, 300)
    lm.ws_on(pr, end, "disconnect", sid, ws, host, "rdp")
    if rng.random() < 0.5:  # the pool's policy logs disconnected sessions off after two hours
        lm.ws_on(pr, end + 7200, "logoff", sid, ws, host, "rdp")
