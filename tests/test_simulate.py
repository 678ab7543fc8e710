"""The simulated organisation: determinism, sizes, and each persona's signal measured from records."""

from __future__ import annotations

import csv
import ipaddress
import random
import re
import statistics
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from commsignal.demo import text_bank
from commsignal.demo.login_csv import HEADER, write_workstation_csv
from commsignal.demo.simulate import CONFOUNDERS, PLANTED, simulate
from commsignal.demo.world import SimLogin, SimPerson, World

DAY = 86400.0


@pytest.fixture(scope="module")
def world() -> World:
    """The default demo world (built once for the module)."""
    return simulate()


def _who(world: World, persona: str) -> SimPerson:
    return next(p for p in world.people if p.persona == persona)


def _logins(world: World, p: SimPerson, source: str) -> list[SimLogin]:
    return sorted(
        (x for x in world.logins if x.person == p.key and x.source == source), key=lambda x: x.ts
    )


def _sessions(world: World, p: SimPerson) -> list[tuple[float, float | None, set[str]]]:
    """(start, end or None, events) per workstation session id."""
    by: dict[str, list[SimLogin]] = defaultdict(list)
    for x in _logins(world, p, "workstation"):
        by[x.session_id or ""].append(x)
    out = []
    for evs in by.values():
        end = next((e.ts for e in evs if e.event == "logoff"), None)
        out.append((evs[0].ts, end, {e.event for e in evs}))
    return sorted(out, key=lambda s: s[0])


def _in_hosting(world: World, ip: str | None) -> bool:
    nets = [ipaddress.ip_network(c) for c in world.ground_truth["hosting_cidrs"]]
    return ip is not None and any(ipaddress.ip_address(ip) in n for n in nets)


def test_same_seed_gives_identical_world() -> None:
    assert simulate(3, 60, 2) == simulate(3, 60, 2)


def test_other_seed_changes_people_and_timings_but_not_personas() -> None:
    a, b = simulate(3, 60, 2), simulate(4, 60, 2)
    assert [p.email for p in a.people] != [p.email for p in b.people]
    assert [m.ts for m in a.messages[:50]] != [m.ts for m in b.messages[:50]]
    assert Counter(p.persona for p in a.people) == Counter(p.persona for p in b.people)


def test_sizes_and_platform_split(world: World) -> None:
    assert len(world.people) == 200
    assert len({p.email for p in world.people}) == 200
    teams = Counter(p.team for p in world.people if p.team != "Executive")
    assert 18 <= len(teams) <= 22 and all(7 <= n <= 12 for n in teams.values())
    assert 25_000 <= len(world.messages) <= 45_000
    slack = sum(m.platform == "slack" for m in world.messages) / len(world.messages)
    assert 0.65 <= slack <= 0.85
    assert 500 <= len(world.meetings) <= 1500
    assert {x.source for x in world.logins} == {"workstation", "entra"}
    assert any(not p.on_slack for p in world.people) and any(not p.on_teams for p in world.people)
    lo, hi = world.start, world.start + world.weeks * 7 * DAY
    assert all(lo <= m.ts < hi for m in world.messages)
    assert all(lo <= x.ts < hi for x in world.logins)
    assert all(lo <= mt.start < mt.end < hi for mt in world.meetings)


def test_ids_and_names_look_real(world: World) -> None:
    for p in world.people:
        assert re.fullmatch(r"[a-z']+\.[a-z']+@example\.com", p.email)
        assert re.fullmatch(r"U[A-Z0-9]{10}", p.slack_id)
        assert re.fullmatch(
            r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", p.graph_id
        )
        if p.persona not in ("shift_account", "stale_profile"):
            assert p.declared_tz == p.actual_tz
    assert len({p.slack_id for p in world.people}) == 200
    mgr = {p.manager_key for p in world.people if p.manager_key}
    assert all(world.person(k) for k in mgr)


def test_every_persona_exactly_once_and_ground_truth_matches(world: World) -> None:
    counts = Counter(p.persona for p in world.people)
    for name in PLANTED + CONFOUNDERS:
        assert counts[name] == 1, name
    gt = world.ground_truth
    by_email = {p.email: p.persona for p in world.people}
    assert {by_email[e] for e in gt["planted"]} == set(PLANTED)
    assert all(by_email[e] == v for e, v in gt["planted"].items())
    # named confounders are personas; the rest are ordinary people picked for a habit
    for e, v in gt["confounders"].items():
        assert by_email[e] == v if v in CONFOUNDERS else by_email[e] == "normal", (e, v)
    assert set(gt["may_be_medium"]) <= set(gt["confounders"])
    assert gt["weeks"] == ["2026-W44", "2026-W45", "2026-W46", "2026-W47"]
    assert gt["seed"] == 7 and gt["sentinel"] == "CS-SENTINEL-5f1d9c"
    assert len(world.bots) == 2 and all(b.persona == "bot" for b in world.bots)


def test_threads_members_and_ids_are_consistent(world: World) -> None:
    chans = {c.id: c for c in world.channels}
    bots = {b.key for b in world.bots}
    seen: set[tuple[str, str]] = set()
    by_id = {(m.channel, m.id): m for m in world.messages}
    replies = 0
    for m in world.messages:
        assert (m.channel, m.id) not in seen
        seen.add((m.channel, m.id))
        ch = chans[m.channel]
        assert m.author in ch.members and ch.platform == m.platform
        if m.platform == "slack":
            assert re.fullmatch(r"\d{10}\.\d{6}", m.id) and float(m.id) == m.ts
        else:
            assert m.id.isdigit() and int(m.id) / 1000 == m.ts
        assert all(k in ch.members for k in m.mentions)
        assert all(r in ch.members and r != m.author for r, _ in m.reactions)
        if m.author in bots:
            assert m.subtype == "bot_message"
        if m.thread_root:
            replies += 1
            root = by_id[(m.channel, m.thread_root)]
            assert root.ts < m.ts and root.thread_root is None
    assert 0.2 <= replies / len(world.messages) <= 0.4
    subtypes = Counter(m.subtype for m in world.messages)
    assert subtypes["channel_join"] >= 3 and subtypes["bot_message"] > 100
    assert sum(m.edited_ts is not None for m in world.messages) > 100


def test_shift_account_never_logs_off_and_works_around_the_clock(world: World) -> None:
    p = _who(world, "shift_account")
    assert p.declared_tz == "America/Chicago" and p.actual_tz == "Asia/Seoul" and p.country == "US"
    sessions = _sessions(world, p)
    assert all(end is None and events == {"logon"} for _, end, events in sessions)
    starts = [s for s, _, _ in sessions] + [world.start + world.weeks * 7 * DAY]
    assert max(b - a for a, b in zip(starts, starts[1:], strict=False)) >= 4 * DAY
    msgs = [m for m in world.messages if m.author == p.key]
    hours = Counter(datetime.fromtimestamp(m.ts, UTC).hour for m in msgs)
    assert len(hours) >= 20
    assert hours[11] + hours[23] > 2 * statistics.mean(hours.values())  # hand-over bursts
    normal_keys = {q.key for q in world.people if q.persona == "normal"}
    normal = Counter(m.author for m in world.messages if m.author in normal_keys)
    assert len(msgs) >= 1.5 * statistics.median(normal.values())
    social = re.compile(r"haha|lol|:joy:|😂|weekend|birthday|kids|thanks|morning|\bhi\b|bye")
    assert not any(social.search(m.text) for m in msgs)
    signins = _logins(world, p, "entra")
    assert len({x.ip for x in signins}) == 1 and len({x.device for x in signins}) == 1
    assert len({datetime.fromtimestamp(x.ts, UTC).hour for x in signins}) >= 20
    video = [a.video for mt in world.meetings for a in mt.attendance if a.person == p.key]
    assert video and not any(video)


def test_proxy_worker_signs_in_from_hosting_ranges_with_remote_tools(world: World) -> None:
    p = _who(world, "proxy_worker")
    signins = _logins(world, p, "entra")
    assert sum(_in_hosting(world, x.ip) for x in signins) / len(signins) >= 0.7
    tools = re.compile(r"AnyDesk|RustDesk|TeamViewer", re.I)
    named = [x for x in signins if tools.search(f"{x.client_app} {x.user_agent} {x.device}")]
    assert len(named) / len(signins) >= 0.6
    per_day: dict[str, set[str]] = defaultdict(set)
    for x in signins:
        per_day[datetime.fromtimestamp(x.ts, UTC).date().isoformat()].add(x.country or "")
    assert sum(len(c) >= 2 for c in per_day.values()) >= 3
    sessions = _sessions(world, p)
    assert all(end is not None and end - start < 12 * 3600 for start, end, _ in sessions)


def test_shared_infra_accounts_hand_one_device_back_and_forth(world: World) -> None:
    a, b = _who(world, "shared_infra_a"), _who(world, "shared_infra_b")
    assert a.email != b.email and a.team != b.team
    la, lb = _logins(world, a, "workstation"), _logins(world, b, "workstation")
    assert {x.device for x in la} == {x.device for x in lb} and len({x.device for x in la}) == 1
    assert {x.ip for x in la + _logins(world, a, "entra")} == {
        x.ip for x in lb + _logins(world, b, "entra")
    }
    events = sorted(la + lb, key=lambda x: x.ts)
    handovers = sum(
        1
        for x, y in zip(events, events[1:], strict=False)
        if x.event == "logoff" and y.event == "logon" and x.person != y.person and y.ts - x.ts < 600
    )
    assert handovers >= 50
    use: dict[str, float] = defaultdict(float)
    for s, e, _ in _sessions(world, a) + _sessions(world, b):
        assert e is not None
        use[datetime.fromtimestamp(s, UTC).date().isoformat()] += e - s
    assert 16 * 3600 <= statistics.median(use.values()) <= 20 * 3600


def test_night_sre_works_nights_but_logs_off_every_day(world: World) -> None:
    p = _who(world, "night_sre")
    sessions = _sessions(world, p)
    assert len(sessions) >= 15 and all(e is not None and e - s < 11 * 3600 for s, e, _ in sessions)
    tz = ZoneInfo(p.declared_tz)
    night = [
        m
        for m in world.messages
        if m.author == p.key
        if not 7 <= datetime.fromtimestamp(m.ts, tz).hour < 22
    ]
    assert len(night) / sum(m.author == p.key for m in world.messages) > 0.9
    video = [a.video for mt in world.meetings for a in mt.attendance if a.person == p.key]
    assert video and sum(video) / len(video) >= 0.5


def test_new_hire_starts_in_week_three_with_a_small_network(world: World) -> None:
    p = _who(world, "new_hire")
    week3 = world.start + 14 * DAY
    assert min(x.ts for x in world.logins if x.person == p.key) >= week3
    msgs = [m for m in world.messages if m.author == p.key]
    assert msgs and min(m.ts for m in msgs) >= week3
    chans = {c.id: c for c in world.channels}
    peers = {k for m in msgs if m.subtype is None for k in chans[m.channel].members} - {p.key}
    assert len(peers) <= 4


def test_quiet_senior_and_part_timer(world: World) -> None:
    q = _who(world, "quiet_senior")
    assert sum(m.author == q.key for m in world.messages) <= 3 * 20
    pt = _who(world, "part_timer")
    sessions = _sessions(world, pt)
    assert len(sessions) <= 3 * world.weeks and all(
        e is not None and e - s < 6.5 * 3600 for s, e, _ in sessions
    )


def test_traveller_flies_to_the_uk_and_back(world: World) -> None:
    p = _who(world, "traveller")
    countries = [x.country for x in _logins(world, p, "entra")]
    runs = [c for i, c in enumerate(countries) if i == 0 or c != countries[i - 1]]
    assert runs == ["US", "GB", "US"]
    signins = _logins(world, p, "entra")
    first_gb = next(i for i, x in enumerate(signins) if x.country == "GB")
    assert signins[first_gb].ts - signins[first_gb - 1].ts >= 9 * 3600
    assert all(e is not None for _, e, _ in _sessions(world, p))


def test_on_call_has_one_week_of_long_sessions_that_end(world: World) -> None:
    p = _who(world, "on_call")
    sessions = _sessions(world, p)
    long = [s for s, e, _ in sessions if e is not None and 13 * 3600 <= e - s <= 15.5 * 3600]
    assert 4 <= len(long) <= 5 and all(e is not None for _, e, _ in sessions)
    assert max(long) - min(long) < 7 * DAY


def test_ordinary_life_locks_shares_and_labels(world: World) -> None:
    special = {p.key for p in world.people if p.persona in PLANTED}
    assert not any(_in_hosting(world, x.ip) for x in world.logins if x.person not in special)
    normal = [p for p in world.people if p.persona == "normal"]
    ends = {p.key: Counter(x.event for x in _logins(world, p, "workstation")) for p in normal}
    # four weeks: daily logoffs number ~18, weekly ones (Friday only) at most 5
    lockers = [k for k, c in ends.items() if c["logon"] and c["logoff"] <= 5]
    # about 40% lock instead of logging off at the end of the day
    assert 0.25 <= len(lockers) / len(normal) <= 0.55
    never = [k for k, c in ends.items() if c["logon"] and not c["logoff"]]
    assert never, "some people lock over the weekend too and never log off"
    # workstation logs carry private addresses; sign-ins carry public ones
    ws_ips = {x.ip for x in world.logins if x.source == "workstation" and x.person not in special}
    assert all(ipaddress.ip_address(ip).is_private for ip in ws_ips if ip)
    # versioned phone labels in the sign-in device field, and VDI pool hosts over RDP
    labels = {x.device for x in world.logins if x.source == "entra"}
    assert any(re.fullmatch(r"(Ios \d+\.\d+\.\d+|Android \d+)", d or "") for d in labels)
    vdi = [x for x in world.logins if (x.device or "").startswith("VDI-POOL-")]
    assert vdi and {"disconnect", "reconnect"} <= {x.event for x in vdi}
    assert len({x.person for x in world.logins if x.device == "LAB-PC-01"}) >= 3
    # a household: two people whose sign-ins come from one home address
    gt = world.ground_truth
    assert gt["ordinary_life"]["household"] >= 2
    home: dict[str, set[str]] = defaultdict(set)
    for x in world.logins:
        if (
            x.source == "entra"
            and x.person not in special
            and x.ip
            and not x.ip.startswith("172.56.")
        ):
            home[x.ip].add(x.person)
    assert any(len(v) == 2 for v in home.values())


def test_planted_laptop_farm_and_concurrent_account(world: World) -> None:
    farm = [p for p in world.people if p.persona.startswith("laptop_farm_")]
    assert len(farm) == 3
    ips = {p.key: {x.ip for x in _logins(world, p, "entra")} for p in farm}
    assert all(world.ground_truth["farm_ip"] in v for v in ips.values())
    devices = {x.device for p in farm for x in _logins(world, p, "workstation")}
    assert len(devices) == 3
    assert all(
        any(x.client_app == "AnyDesk" for x in _logins(world, p, "workstation")) for p in farm
    )
    conc = _who(world, "concurrent_account")
    countries = {x.country for x in _logins(world, conc, "entra")}
    assert {"US", "CN"} <= countries


def test_meetings_have_organizers_responses_and_partial_cameras(world: World) -> None:
    for mt in world.meetings[:300]:
        assert mt.attendance[0].role == "Organizer" and mt.attendance[0].person == mt.organizer
        assert all(
            r in ("accepted", "tentativelyAccepted", "declined", "none") for _, r in mt.invitees
        )
        assert all(s < e for a in mt.attendance for s, e in a.intervals)
    normal = {q.key for q in world.people if q.persona == "normal"}
    att = [a for mt in world.meetings for a in mt.attendance if a.person in normal]
    assert 0.4 <= sum(a.video for a in att) / len(att) <= 0.8
    standups = [mt for mt in world.meetings if "standup" in mt.subject]
    assert standups and all(mt.end - mt.start == 900 for mt in standups)


def test_sentinel_appears_on_both_platforms(world: World) -> None:
    hits = [m for m in world.messages if "CS-SENTINEL-5f1d9c" in m.text]
    assert 15 <= len(hits) <= 25 and {m.platform for m in hits} == {"slack", "teams"}


def test_text_bank_is_varied_and_small_talk_differs_from_work() -> None:
    rng = random.Random(11)
    texts = [
        text_bank.work_text(rng, rng.random() < 0.3)
        if rng.random() < 0.7
        else text_bank.social_text(rng, "Ana", rng.random() < 0.3)
        for _ in range(10_000)
    ]
    assert len(set(texts)) / len(texts) > 0.6
    social = [text_bank.social_text(rng, "Ana") for _ in range(300)]
    work = [text_bank.work_text(rng) for _ in range(300)]
    cue = re.compile(
        r"kid|daughter|son\b|dog|cat\b|weekend|birthday|haha|lol|:\)|😂|trip|rain|snow|game"
    )
    assert sum(bool(cue.search(t)) for t in social) > 150
    assert not any(cue.search(t) for t in work)
    assert text_bank.pleasantry_text(rng, "Ana")


def test_workstation_csv_header_and_rows(world: World, tmp_path: Path) -> None:
    path = tmp_path / "logins.csv"
    n = write_workstation_csv(world, path)
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert (
        tuple(rows[0])
        == HEADER
        == ("user", "timestamp", "event", "ip", "device", "client_app", "session_id")
    )
    assert n == len(rows) - 1 == sum(x.source == "workstation" for x in world.logins)
    stamps = [r[1] for r in rows[1:]]
    assert stamps == sorted(stamps) and all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s) for s in stamps
    )
    assert {r[2] for r in rows[1:]} <= {
        "logon",
        "logoff",
        "lock",
        "unlock",
        "disconnect",
        "reconnect",
    }
    first = datetime.strptime(stamps[0], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert first - datetime(2026, 10, 26, tzinfo=UTC) < timedelta(days=1)
