"""Generates the simulated organisation (`World`) that the demo serves through fake Slack/Graph.

Everything is drawn from one `random.Random(seed)`, so the same seed yields the same World and
another seed yields other people and timings with the same planted personas and confounders.
The org, schedules, conversations, messages, meetings and logins live in the `sim_*` modules;
this module picks the personas, tunes their habits and assembles the ground truth.
"""

from __future__ import annotations

import random
import statistics
from datetime import date, timedelta

from commsignal.demo import sim_activity as act
from commsignal.demo import sim_life as life
from commsignal.demo.sim_channels import Channels, build_channels
from commsignal.demo.sim_directory import book_rooms, directory_extras
from commsignal.demo.sim_life import life_logins
from commsignal.demo.sim_logins import HOSTING_CIDRS, LoginMaker
from commsignal.demo.sim_meetings import build_meetings
from commsignal.demo.sim_org import ZONES, Org, build_org, guid, slack_id
from commsignal.demo.sim_planted import concurrent_logins, farm_home, farm_logins
from commsignal.demo.sim_schedule import (
    Place,
    Profile,
    handover_days,
    home_place,
    local_ts,
    ordinary_days,
    shift_days,
    window_bounds,
)
from commsignal.demo.world import SimMessage, SimPerson, World

SENTINEL = act.SENTINEL
PLANTED = (
    "shift_account",
    "proxy_worker",
    "shared_infra_a",
    "shared_infra_b",
    "laptop_farm_1",
    "laptop_farm_2",
    "laptop_farm_3",
    "concurrent_account",
)
CONFOUNDERS = (
    "night_sre",
    "new_hire",
    "quiet_senior",
    "traveller",
    "part_timer",
    "on_call",
    "offshore_contractor",
    "stale_profile",
)
# confounders that may honestly reach medium (never high): by hours alone a night shift in its own
# zone and a day job in a zone ten hours away look the same, and so does a profile zone not
# updated after a move
MAY_BE_MEDIUM = ("night_sre", "stale_profile")
_HABIT_CONFOUNDERS = (
    ("locker_always", "weekend_locker"),
    ("vdi", "vdi_user"),
    ("lab_pc", "lab_pc_user"),
    ("household", "household_member"),
    ("on_call_week", "on_call_week"),
)
_DEVICES = (
    (
        "Windows 10",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    ),
    (
        "Windows 10",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0",
    ),
    (
        "MacOs",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
    ),
    (
        "MacOs",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    ),
    (
        "Windows 11",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
    ),
)
# (zone, country) forced on personas whose signal depends on where they claim to be.
_PERSONA_TZ = {
    "shift_account": "America/Chicago",
    "proxy_worker": "America/New_York",
    "shared_infra_a": "America/New_York",
    "shared_infra_b": "America/Chicago",
    "traveller": "America/New_York",
    "night_sre": "America/Denver",
    "laptop_farm_1": "America/Chicago",
    "laptop_farm_2": "America/Chicago",
    "laptop_farm_3": "America/Chicago",
    "concurrent_account": "America/New_York",
    "offshore_contractor": "Asia/Manila",
    "stale_profile": "America/Chicago",
}
_PERSONA_TITLE = {
    "quiet_senior": "Principal Engineer",
    "night_sre": "Site Reliability Engineer",
    "on_call": "Site Reliability Engineer",
    "new_hire": "Software Engineer",
}


def _assign_personas(rng: random.Random, org: Org) -> dict[str, SimPerson]:
    """Picks one ordinary team member per persona, each from a different team where possible."""
    teams = list(org.teams)
    rng.shuffle(teams)
    chosen: dict[str, SimPerson] = {}
    by_key = {p.key: p for p in org.people}
    for i, persona in enumerate(PLANTED + CONFOUNDERS):
        team = teams[i % len(teams)]
        ics = [k for k in org.teams[team][1:] if by_key[k].persona == "normal"]
        p = by_key[rng.choice(ics)]
        p.persona = persona
        # Others sit with their manager, so team meetings fall inside their hours.
        tz = _PERSONA_TZ.get(persona, by_key[p.manager_key or p.key].declared_tz)
        p.declared_tz = p.actual_tz = tz
        p.country = ZONES[tz][0]
        p.title = _PERSONA_TITLE.get(persona, p.title)
        chosen[persona] = p
    chosen["shift_account"].actual_tz = "Asia/Seoul"
    chosen["stale_profile"].actual_tz = "Europe/London"  # moved; the profile still says Chicago
    chosen["stale_profile"].country = "US"
    return chosen


def _profile(rng: random.Random, p: SimPerson, devices: set[str]) -> Profile:
    """An ordinary person's habits, drawn with per-person variety."""
    home = home_place(rng, p) if p.actual_tz in ZONES else Place("", "", "", "")
    while (device := f"WS-{rng.getrandbits(16):04x}") in devices:
        pass
    devices.add(device)
    os_name, ua = rng.choice(_DEVICES)
    return Profile(
        person=p,
        home=home,
        start_h=min(10.5, max(7.0, rng.gauss(8.7, 0.6))),
        length_h=rng.uniform(8.3, 9.5),
        lunch_after_h=rng.uniform(3.3, 4.2),
        lunch_h=rng.uniform(0.5, 1.0),
        workdays=frozenset(range(5)),
        msg_rate=min(15.0, max(4.0, rng.lognormvariate(2.05, 0.3))),
        social_share=rng.uniform(0.10, 0.35),
        polite_share=rng.uniform(0.04, 0.1),
        video_p=rng.uniform(0.4, 0.8),
        device=device,
        os_name=os_name,
        user_agent=ua,
    )


def _time_off(rng: random.Random, pr: Profile, start: date, n_days: int) -> None:
    """A public holiday where real (US Veterans Day for some, Polish Independence Day) and vacations."""
    holiday = date(2026, 11, 11)
    if start <= holiday < start + timedelta(days=n_days) and (
        pr.home.country == "PL" or (pr.home.country == "US" and rng.random() < 0.35)
    ):
        pr.days_off.add(holiday)
    if rng.random() < 0.15:
        first = start + timedelta(days=rng.randrange(n_days))
        for k in range(rng.randint(2, 5) * 7 // 5):
            pr.days_off.add(first + timedelta(days=k))


def simulate(
    seed: int = 7, n_people: int = 200, weeks: int = 4, start: date = date(2026, 10, 26)
) -> World:
    """Builds the whole simulated organisation for `weeks` weeks from Monday `start` (UTC).

    Args:
        seed: Seed of the only random source used.
        n_people: Headcount including leadership (at least 30).
        weeks: Window length in weeks.
        start: First day of the window (a Monday).

    Returns:
        The World with people, bots, conversations, messages, meetings, logins and ground truth.

    Raises:
        ValueError: fewer than 30 people (too few to plant every persona beside ordinary teams)
            or fewer than 2 weeks (the new hire starts in week 3 of a 4-week window).
    """
    if n_people < 30:
        raise ValueError(f"the simulation needs at least 30 people, got {n_people}")
    if weeks < 2:
        raise ValueError(f"the simulation needs at least 2 weeks, got {weeks}")
    rng = random.Random(seed)
    n_days = weeks * 7
    lo, hi = window_bounds(start, n_days)
    org = build_org(rng, n_people)
    persona = _assign_personas(rng, org)
    normal = [
        p for p in org.people if p.persona == "normal" and p.manager_key and p.team != "Executive"
    ]
    single = rng.sample(normal, 8)  # a few people use only one of the two platforms
    for p in single[:4]:
        p.on_teams = False
    for p in single[4:]:
        p.on_slack = False
    # two bots post on Slack and must never be mistaken for people; ids are drawn in this order
    bots = [
        SimPerson(
            key,
            name,
            email,
            "Platform",
            "Bot",
            None,
            "UTC",
            "UTC",
            "US",
            slack_id(rng, "U"),
            guid(rng),
            "bot",
            True,
            False,
        )
        for key, name, email in (
            ("bot-deploy", "Deploy Bot", "deploy-bot@example.com"),
            ("bot-standup", "Standup Bot", "standup-bot@example.com"),
        )
    ]

    devices: set[str] = set()
    profiles = {p.key: _profile(rng, p, devices) for p in org.people}
    median_rate = statistics.median(pr.msg_rate for pr in profiles.values())
    for pr in profiles.values():
        if pr.person.persona == "normal":
            _time_off(rng, pr, start, n_days)
    week3 = start + timedelta(days=14)
    pp = {name: profiles[p.key] for name, p in persona.items()}

    sh = pp["shift_account"]
    sh.home = home_place(rng, sh.person, "America/Chicago")  # the US machine the crews reach
    sh.msg_rate, sh.social_share, sh.polite_share, sh.video_p = median_rate, 0.0, 0.0, 0.0
    shift_days(rng, sh, start, n_days)
    pp["proxy_worker"].social_share, pp["proxy_worker"].polite_share = 0.02, 0.03
    pp["proxy_worker"].video_p = 0.1
    a, b = pp["shared_infra_a"], pp["shared_infra_b"]
    b.device, b.home = a.device, a.home
    b.os_name, b.user_agent = a.os_name, a.user_agent
    for x in (a, b):
        x.social_share, x.polite_share, x.video_p, x.session_per_span = 0.02, 0.03, 0.2, True
    handover_days(rng, a, b, "America/New_York", start, n_days)
    farm = farm_home(rng)
    for n in ("laptop_farm_1", "laptop_farm_2", "laptop_farm_3"):
        pp[n].home, pp[n].video_p = farm, 0.0
        pp[n].social_share, pp[n].polite_share = 0.03, 0.04
    normal_profiles = [pr for pr in profiles.values() if pr.person.persona == "normal"]
    habits = life.assign(rng, normal_profiles, start, n_days)
    ns = pp["night_sre"]
    ns.start_h, ns.length_h, ns.lunch_after_h, ns.lunch_h = 22.0, 9.0, 4.0, 0.5
    ns.social_share, ns.video_p = max(0.25, ns.social_share), 0.8
    pp["new_hire"].first_day = week3
    qs = pp["quiet_senior"]
    qs.msg_rate, qs.social_share, qs.polite_share, qs.video_p = 2.2, 0.01, 0.02, 0.4
    pt = pp["part_timer"]
    pt.workdays, pt.length_h, pt.lunch_after_h = frozenset({0, 2, 3}), 5.0, None
    oc = pp["on_call"]
    oc.long_days = {start + timedelta(days=min(2, weeks - 1) * 7 + k) for k in range(5)}
    tr = pp["traveller"]
    out_day = start + timedelta(days=min(1, weeks - 1) * 7 + 3)  # Thursday of week 2: flight day
    tr.days_off |= {out_day, out_day + timedelta(days=8)}  # out Thursday, back Friday next week
    uk = Place(
        "Europe/London",
        "GB",
        "London",
        f"81.{rng.randint(2, 250)}.{rng.randint(2, 250)}.{rng.randint(2, 250)}",
    )
    tr.travel = {out_day + timedelta(days=k): uk for k in range(1, 8)}
    for pr in profiles.values():
        if pr.person.persona not in ("shift_account", "shared_infra_a", "shared_infra_b"):
            ordinary_days(rng, pr, start, n_days)
        pr.finalize()

    nh = persona["new_hire"]
    circle = [nh.manager_key or ""] + rng.sample(
        [k for k in org.teams[nh.team] if k not in (nh.key, nh.manager_key)], 3
    )
    cs = build_channels(rng, org, bots, {nh.key: circle})
    weekdays = [lo + i * 86400 for i in range(n_days) if (start + timedelta(days=i)).weekday() < 5]
    extra = {
        sh.person.key: act.handover_bursts(rng, weekdays, 2),
        oc.person.key: act.night_pages(rng, oc, sorted(oc.long_days), 3),
    }
    for key in habits.get("on_call_week", []):
        extra[key] = act.night_pages(rng, profiles[key], sorted(profiles[key].long_days), 2)
    drafts = []
    for pr in profiles.values():
        drafts += act.drafts_for(rng, pr, cs, lo, hi, extra.get(pr.person.key, []))
    people = {p.key: p for p in org.people}
    ids = act.MessageIds()
    messages = act.render(rng, drafts, cs, people, {x.key for x in bots}, ids)

    meetings, standups = build_meetings(
        rng, org, profiles, {sh.person.key}, {ns.person.key}, start, n_days
    )
    deployers = [p for p in org.people if p.on_slack and p.persona == "normal"]
    messages += act.bot_messages(rng, cs, bots[0], bots[1], standups, deployers, weekdays, ids)
    nh_first = local_ts(nh.declared_tz, week3, 9.1)
    messages += _joins(rng, cs, nh, people, ids, (nh_first, hi))
    _plant_sentinel(rng, messages, people)
    messages.sort(key=lambda m: (m.ts, m.channel, m.id))

    lm = LoginMaker(rng, lo, hi)
    in_window = [
        d for d in sorted(pp["proxy_worker"].days) if start <= d < start + timedelta(days=n_days)
    ]
    two_country = set(rng.sample(in_window, min(5, len(in_window))))
    abroad = Place(
        "Asia/Shanghai", "CN", "Shenyang", f"123.184.{rng.randint(1, 254)}.{rng.randint(2, 250)}"
    )
    for pr in profiles.values():
        name = pr.person.persona
        if name == "shift_account":
            lm.shift(pr, lo + rng.uniform(13.5, 14.5) * 3600)
        elif name == "proxy_worker":
            lm.proxy(pr, two_country)
        elif name in ("shared_infra_a", "shared_infra_b"):
            lm.ordinary(pr)
        elif name.startswith("laptop_farm_"):
            farm_logins(lm, pr, int(name[-1]))
        elif name == "concurrent_account":
            concurrent_logins(lm, pr, abroad)
        else:
            life_logins(lm, pr)
    logins = sorted(lm.out, key=lambda x: (x.ts, x.user, x.event))

    confounders = {persona[n].email: n for n in CONFOUNDERS}
    for habit, label in _HABIT_CONFOUNDERS:
        for key in habits.get(habit, [])[:2]:
            confounders.setdefault(people[key].email, label)
    gt = {
        "planted": {persona[n].email: n for n in PLANTED},
        "confounders": confounders,
        "may_be_medium": sorted(e for e, n in confounders.items() if n in MAY_BE_MEDIUM),
        "ordinary_life": {k: len(v) for k, v in sorted(habits.items())},
        "farm_ip": farm.ip,
        "sentinel": SENTINEL,
        "hosting_cidrs": list(HOSTING_CIDRS),
        "weeks": [
            f"{(start + timedelta(days=7 * w)).isocalendar()[0]}-W{(start + timedelta(days=7 * w)).isocalendar()[1]:02d}"
            for w in range(weeks)
        ],
        "seed": seed,
        "shared_device": a.device,
        "proxy_two_country_days": sorted(d.isoformat() for d in two_country),
        "new_hire_start": week3.isoformat(),
    }
    world = World(seed, lo, weeks, org.people, cs.channels, messages, meetings, logins, bots, gt)
    # rooms, a shared mailbox, a leaver and guests, from their own random stream
    world.directory_extras = directory_extras(seed)
    book_rooms(seed, world.meetings, world.directory_extras)
    gt["not_people"] = sorted(
        x.email for x in world.directory_extras if x.purpose != "user" or not x.enabled
    )
    return world


def _joins(
    rng: random.Random,
    cs: Channels,
    who: SimPerson,
    people: dict[str, SimPerson],
    ids: act.MessageIds,
    window: tuple[float, float],
) -> list[SimMessage]:
    """`channel_join` system messages: the new hire on day one, a few others joining hobby channels."""
    out = []
    for ch in cs.channels:
        if ch.platform != "slack" or ch.kind != "public_channel":
            continue
        joiners = [(who.key, window[0])] if who.key in ch.members else []
        if ch.name in ("pets", "running", "social"):
            joiners += [
                (k, rng.uniform(*window))
                for k in rng.sample(sorted(set(ch.members) - {who.key}), 2)
            ]
        for k, ts in joiners:
            mid, t = ids.make("slack", ch.id, min(ts + rng.uniform(0, 600), window[1] - 1))
            text = f"<@{people[k].slack_id}> has joined the channel"
            out.append(SimMessage(mid, "slack", ch.id, k, t, text, subtype="channel_join"))
    return out


def _plant_sentinel(
    rng: random.Random, messages: list[SimMessage], people: dict[str, SimPerson]
) -> None:
    """Appends the sentinel to ~20 ordinary messages on both platforms (tests prove it never reaches the store)."""
    pool = sorted(
        (i for i, m in enumerate(messages) if m.subtype is None and m.author in people),
        key=lambda i: (messages[i].platform, i),
    )
    slack = [i for i in pool if messages[i].platform == "slack"]
    teams = [i for i in pool if messages[i].platform == "teams"]
    for i in rng.sample(slack, min(14, len(slack))) + rng.sample(teams, min(6, len(teams))):
        messages[i].text = f"{messages[i].text} ref {SENTINEL}"
