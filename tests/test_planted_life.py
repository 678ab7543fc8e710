"""Recall on real-shaped files: planted frauds seen through one kind of input at a time.

A real team may hold only Windows events, or only Okta, or only Entra sign-ins, or only a Slack
export. Each planted persona below is written into the ordinary-life world
(`tests/test_ordinary_life.py`) through ONE of those inputs, so a detector made careful for
ordinary people must still see the fraud from that input alone, and the ordinary people around
them must stay `low`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.ordinary_world import World, digest_levels, import_world
from tests.test_ordinary_life import FIRST, STORIES, W47, build, days, workdays

HOSTING = "45.86.200.0/22"
CONFIG = f'[detect]\nhosting_cidrs = ["{HOSTING}"]\n'
H = 3600.0
CREWS = ((0.0, "LT-CREW-A", "10.9.0.11"), (8.0, "LT-CREW-B", "10.9.0.12"),
         (16.0, "LT-CREW-C", "10.9.0.13"))  # fmt: skip
"""Three people working one account in 8-hour shifts (UTC), each from their own client."""

Planter = Callable[[World], None]
PLANTED: dict[str, tuple[str, str, tuple[str, ...], Planter]] = {}
"""key -> (input kind, story, findings any of which must fire, planter)."""


def planted(key: str, kind: str, story: str, *findings: str) -> Callable[[Planter], Planter]:
    """Register a planted persona written through one kind of input."""

    def register(fn: Planter) -> Planter:
        PLANTED[key] = (kind, story, findings, fn)
        return fn

    return register


def _person(w: World, key: str, tz: str = "America/Chicago", start: str = "2026-09-14") -> None:
    from tests.ordinary_world import Resident

    w.add(Resident(key, tz, "US", team="Platform", start_date=start))


def _shift_days() -> list[date]:
    # every weekday of the five weeks, in UTC: the crews start on Monday 00:00 UTC
    return workdays()


# --- a shift account ------------------------------------------------------------------------


@planted("shiftwin", "windows", "3 crews on one RDP session; disconnect/reconnect at hand-over",
         "marathon_session", "round_the_clock")  # fmt: skip
def shift_windows(w: World) -> None:
    _person(w, "shiftwin")
    rng = random.Random(101)
    host = "WS-SHIFTWIN"
    for week in range(5):
        monday = FIRST + timedelta(days=7 * week)
        lid = f"0x5a{week:02x}"
        w.win("shiftwin", w.at_zone("UTC", monday, 0.05), 4624, lid, host, LogonType="10",
              IpAddress="10.9.0.11")  # fmt: skip
        for i in range(5):
            d = monday + timedelta(days=i)
            for first, client, ip in CREWS:
                if not (i == 0 and first == 0.0):
                    w.win("shiftwin", w.at_zone("UTC", d, first + rng.uniform(0.02, 0.1)), 4778,
                          lid, host, client=client, ip=ip)  # fmt: skip
                for brk in (2.0, 5.0):  # two short breaks a shift, the console locked
                    t = first + brk + rng.uniform(-0.5, 0.5)
                    w.win("shiftwin", w.at_zone("UTC", d, t), 4800, lid, host)
                    w.win("shiftwin", w.at_zone("UTC", d, t + rng.uniform(0.1, 0.3)), 4801,
                          lid, host)  # fmt: skip
                w.win("shiftwin", w.at_zone("UTC", d, first + 7.95), 4779, lid, host,
                      client=client, ip=ip)  # fmt: skip
        w.win("shiftwin", w.at_zone("UTC", monday + timedelta(days=5), 0.05), 4647, lid, host)


@planted("shiftokta", "okta", "3 crews on one Okta session from one US address",
         "marathon_session", "round_the_clock")  # fmt: skip
def shift_okta(w: World) -> None:
    _person(w, "shiftokta")
    rng = random.Random(102)
    for week in range(5):
        monday = FIRST + timedelta(days=7 * week)
        sid = f"shiftokta-{week}"
        t = w.at_zone("UTC", monday, 0.1)
        w.okta_event("shiftokta", t, "73.44.12.9", "United States", kind="user.session.start",
                     session=sid)  # fmt: skip
        stop = w.at_zone("UTC", monday + timedelta(days=5), 0.0)
        while t < stop:
            t += rng.uniform(0.3, 0.9) * H
            w.okta_event("shiftokta", t, "73.44.12.9", "United States", session=sid)


@planted("shiftentra", "entra", "3 crews signing in to Teams around the clock",
         "marathon_session", "round_the_clock")  # fmt: skip
def shift_entra(w: World) -> None:
    _person(w, "shiftentra")
    rng = random.Random(103)
    for d in _shift_days():
        t = w.at_zone("UTC", d, 0.0)
        while t < w.at_zone("UTC", d, 24.0):
            w.signin("shiftentra", t, "73.44.13.9", "US")
            w.signin("shiftentra", t + 600, "73.44.13.9", "US", interactive=False)
            t += rng.uniform(0.4, 1.1) * H


@planted("shiftslack", "slack", "3 crews posting around the clock, bursts at hand-over",
         "round_the_clock", "marathon_session")  # fmt: skip
def shift_slack(w: World) -> None:
    _person(w, "shiftslack")
    rng = random.Random(104)
    for d in _shift_days():
        for first, _, _ in CREWS:
            t = w.at_zone("UTC", d, first + rng.uniform(0.0, 0.2))
            for _ in range(4):  # the hand-over: what was done, what is left
                w.msg("shiftslack", t)
                t += rng.uniform(60, 240)
            while t < w.at_zone("UTC", d, first + 8.0):
                w.msg("shiftslack", t)
                t += rng.uniform(0.3, 1.2) * H


@planted("shiftwin2", "windows", "3 crews, each logs on at its shift and off at hand-over",
         "round_the_clock", "marathon_session")  # fmt: skip
def shift_windows_logons(w: World) -> None:
    _person(w, "shiftwin2")
    rng = random.Random(112)
    n = 0
    for d in _shift_days():
        for first, client, _ in CREWS:
            n += 1
            lid, host = f"0x6b{n:04x}", "WS-SHIFTWIN2"
            w.win("shiftwin2", w.at_zone("UTC", d, first + rng.uniform(0.02, 0.15)), 4624, lid,
                  host, LogonType="10", IpAddress="10.9.1.5", WorkstationName=client)  # fmt: skip
            for brk in (2.0, 5.0):
                t = first + brk + rng.uniform(-1.0, 1.0)
                w.win("shiftwin2", w.at_zone("UTC", d, t), 4800, lid, host)
                w.win("shiftwin2", w.at_zone("UTC", d, t + rng.uniform(0.1, 0.3)), 4801, lid,
                      host)  # fmt: skip
            w.win("shiftwin2", w.at_zone("UTC", d, first + 7.9), 4647, lid, host)


@planted("shiftokta2", "okta", "3 crews, an Okta session per shift, a sign-on every 1.5-3 h",
         "round_the_clock", "marathon_session")  # fmt: skip
def shift_okta_sessions(w: World) -> None:
    _person(w, "shiftokta2")
    rng = random.Random(113)
    for d in _shift_days():
        for first, _, _ in CREWS:
            sid = f"shiftokta2-{d}-{first}"
            t = w.at_zone("UTC", d, first + rng.uniform(0.02, 0.2))
            w.okta_event("shiftokta2", t, "73.44.14.9", "United States",
                         kind="user.session.start", session=sid)  # fmt: skip
            while t < w.at_zone("UTC", d, first + 7.5):
                t += rng.uniform(1.5, 3.0) * H
                w.okta_event("shiftokta2", t, "73.44.14.9", "United States", session=sid)
            w.okta_event("shiftokta2", w.at_zone("UTC", d, first + 7.95), "73.44.14.9",
                         "United States", kind="user.session.end", session=sid)  # fmt: skip


@planted("shiftentra2", "entra", "3 crews, an interactive sign-in every 1.5-3 h, refreshes hourly",
         "round_the_clock", "marathon_session")  # fmt: skip
def shift_entra_sparse(w: World) -> None:
    _person(w, "shiftentra2")
    rng = random.Random(114)
    for d in _shift_days():
        t = w.at_zone("UTC", d, rng.uniform(0.0, 0.5))
        while t < w.at_zone("UTC", d, 24.0):
            w.signin("shiftentra2", t, "73.44.15.9", "US")
            t += rng.uniform(1.5, 3.0) * H
        for h in range(24):
            w.signin("shiftentra2", w.at_zone("UTC", d, h + 0.5), "73.44.15.9", "US",
                     interactive=False)  # fmt: skip


# --- a worker on another continent, on a US profile, new since W45 -------------------------

SEOUL = "Asia/Seoul"
JOINED = date(2026, 11, 2)


def _seoul_day(rng: random.Random) -> list[float]:
    hours = [9.0 + k * 0.5 + rng.uniform(0, 0.3) for k in range(6)]
    return hours + [13.0 + k * 0.5 + rng.uniform(0, 0.3) for k in range(10)]


@planted("farslack", "slack", "works 09-18 Seoul time on a New York profile (Slack only)",
         "off_timezone")  # fmt: skip
def faraway_slack(w: World) -> None:
    _person(w, "farslack", "America/New_York", JOINED.isoformat())
    rng = random.Random(105)
    for d in workdays(JOINED, 19):
        for h in _seoul_day(rng):
            w.msg("farslack", w.at_zone(SEOUL, d, h))


@planted("farentra", "entra", "works 09-18 Seoul time on a New York profile, signs in from KR",
         "foreign_location")  # fmt: skip
def faraway_entra(w: World) -> None:
    _person(w, "farentra", "America/New_York", JOINED.isoformat())
    rng = random.Random(106)
    for d in workdays(JOINED, 19):
        for h in _seoul_day(rng)[::2]:
            w.signin("farentra", w.at_zone(SEOUL, d, h), "175.192.40.7", "KR")
            w.signin("farentra", w.at_zone(SEOUL, d, h + 0.4), "175.192.40.7", "KR",
                     interactive=False)  # fmt: skip


@planted("farokta", "okta", "works 09-18 Seoul time on a New York profile, US residential proxy",
         "off_timezone")  # fmt: skip
def faraway_okta(w: World) -> None:
    _person(w, "farokta", "America/New_York", JOINED.isoformat())
    rng = random.Random(107)
    for d in workdays(JOINED, 19):
        for h in _seoul_day(rng)[::2]:
            w.okta_event("farokta", w.at_zone(SEOUL, d, h), "73.61.7.21", "United States")


# --- a laptop farm: each identity on its own laptop, one home address nobody else uses -------

FARM_IP = "73.88.140.6"
SHANGHAI = "Asia/Shanghai"


@planted("farme1", "entra", "laptop farm member (Entra device ids, Shanghai hours)", "laptop_farm")
def farm_entra(w: World) -> None:
    rng = random.Random(108)
    for k in range(1, 5):
        key = f"farme{k}"
        _person(w, key, "America/New_York", "2026-09-01")
        device = f"6f1c2a{k:02d}-4b1e-4c7a-9d2e-00000000fa{k:02d}"
        for d in workdays():
            for h in (9.0, 10.5, 12.0, 14.0, 15.5, 17.0):
                t = w.at_zone(SHANGHAI, d, h + rng.uniform(0, 0.4))
                w.signin(key, t, FARM_IP, "US", device_id=device)
                w.signin(key, t + 900, FARM_IP, "US", interactive=False, device_id=device)


@planted("farmo1", "okta", "laptop farm member (Okta Verify device ids, AnyDesk, Shanghai hours)",
         "laptop_farm")  # fmt: skip
def farm_okta(w: World) -> None:
    rng = random.Random(109)
    ip = "73.88.141.9"
    for k in range(1, 4):
        key = f"farmo{k}"
        _person(w, key, "America/Chicago", "2026-09-01")
        device = f"guo{k}farmlaptop{k:04d}"
        agent = (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AnyDesk/8.0.14"
            if k < 3
            else "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0"
        )
        for d in workdays():
            for h in (9.0, 10.5, 12.0, 14.0, 15.5, 17.0):
                t = w.at_zone(SHANGHAI, d, h + rng.uniform(0, 0.4))
                w.okta_event(key, t, ip, "United States", agent=agent, device_id=device)


# --- one account used from two countries at once -------------------------------------------


def _concurrent_days() -> list[date]:
    return [W47 + timedelta(days=i) for i in (0, 1, 3)] + [date(2026, 11, 10), date(2026, 11, 12)]


@planted("twinentra", "entra", "US home and a KR address within hours on several days",
         "concurrent_account")  # fmt: skip
def twin_entra(w: World) -> None:
    _person(w, "twinentra", "America/New_York", "2024-02-01")
    home = "73.12.91.5"
    for d in workdays():
        for h in (8.6, 12.8, 16.0):
            w.signin("twinentra", w.at("twinentra", d, h), home, "US")
        if d in _concurrent_days():
            for h, ip, cc in ((10.0, home, "US"), (10.6, "175.223.9.14", "KR"),
                              (11.4, home, "US"), (12.1, "175.223.9.14", "KR")):  # fmt: skip
                w.signin("twinentra", w.at("twinentra", d, h), ip, cc)


@planted("twinokta", "okta", "US home and a KR address within hours on several days",
         "concurrent_account")  # fmt: skip
def twin_okta(w: World) -> None:
    _person(w, "twinokta", "America/New_York", "2024-02-01")
    home = "73.12.92.6"
    for d in workdays():
        for h in (8.6, 12.8, 16.0):
            w.okta_event("twinokta", w.at("twinokta", d, h), home, "United States")
        if d in _concurrent_days():
            for h, ip, cc in ((10.0, home, "United States"), (10.6, "175.223.9.15", "South Korea"),
                              (11.4, home, "United States"),
                              (12.1, "175.223.9.15", "South Korea")):  # fmt: skip
                w.okta_event("twinokta", w.at("twinokta", d, h), ip, cc)


# --- anonymising egress --------------------------------------------------------------------


@planted("vpnentra", "entra", "every interactive sign-in through a hosting range",
         "anonymising_access")  # fmt: skip
def vpn_entra(w: World) -> None:
    _person(w, "vpnentra", "America/New_York", "2026-09-01")
    rng = random.Random(110)
    for d in workdays():
        for h in (8.7, 10.2, 13.1, 15.4, 16.9):
            ip = f"45.86.201.{rng.randint(2, 250)}"
            w.signin("vpnentra", w.at("vpnentra", d, h), ip, "NL")


@planted("vpnokta", "okta", "every sign-in through a hosting range", "anonymising_access")
def vpn_okta(w: World) -> None:
    _person(w, "vpnokta", "America/New_York", "2026-09-01")
    rng = random.Random(111)
    for d in workdays():
        for h in (8.7, 10.2, 13.1, 15.4, 16.9):
            ip = f"45.86.202.{rng.randint(2, 250)}"
            w.okta_event("vpnokta", w.at("vpnokta", d, h), ip, "Netherlands")


def build_planted() -> World:
    """The ordinary-life world with every planted persona written into it."""
    world, _ = build()
    for _kind, _story, _findings, plant in PLANTED.values():
        plant(world)
    return world


@pytest.fixture(scope="module")
def w47(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """email -> the person's W47 digest row, from the imported files."""
    root = tmp_path_factory.mktemp("planted-life")
    db = import_world(build_planted(), root, config=CONFIG)
    return digest_levels(db, "2026-W47", root / "digest", config=CONFIG)


def _row(rows: dict[str, dict[str, Any]], key: str) -> dict[str, Any]:
    return rows.get(f"{key}@contoso.com", {"level": "low", "risk": 0, "findings": {}})


HOURS_ONLY = ("farslack", "farokta")
"""Seen only as hours (messages, or sign-ins from a US address): a night shift at home looks the
same, so these stay medium by design (the simulator's night_sre confounder may be medium too)."""
FARMS = ("farme2", "farme3", "farme4", "farmo2", "farmo3")


@pytest.mark.parametrize("key", sorted(k for k in PLANTED if k not in HOURS_ONLY))
def test_planted_persona_is_high_from_one_input(key: str, w47: dict[str, dict[str, Any]]) -> None:
    kind, story, findings, _ = PLANTED[key]
    row = _row(w47, key)
    assert row["level"] == "high", (kind, story, row)
    assert set(findings) & set(row["findings"]), (kind, story, row)


@pytest.mark.parametrize("key", FARMS)
def test_every_farm_member_is_high(key: str, w47: dict[str, dict[str, Any]]) -> None:
    row = _row(w47, key)
    assert row["level"] == "high" and "laptop_farm" in row["findings"], row


@pytest.mark.parametrize("key", HOURS_ONLY)
def test_foreign_hours_alone_are_medium(key: str, w47: dict[str, dict[str, Any]]) -> None:
    row = _row(w47, key)
    assert row["level"] == "medium" and "off_timezone" in row["findings"], row


@pytest.mark.parametrize("key", sorted(k for k in STORIES if k not in ("shift", "twin")))
def test_ordinary_people_beside_the_planted_stay_low(
    key: str, w47: dict[str, dict[str, Any]]
) -> None:
    row = _row(w47, key)
    assert row["level"] == "low", (STORIES[key], row)


def test_planted_personas_use_one_input_each() -> None:
    # a persona seen through two inputs would not test what one input alone can show
    world = World()
    for _kind, _story, _findings, plant in PLANTED.values():
        plant(world)
    seen: dict[str, set[str]] = {}
    for rec in world.windows:
        seen.setdefault(str(rec.get("TargetUserName") or rec.get("AccountName")), set()).add(
            "windows"
        )
    for rec in world.okta:
        seen.setdefault(rec["actor"]["alternateId"].split("@")[0], set()).add("okta")
    for rec in world.entra:
        seen.setdefault(rec["userPrincipalName"].split("@")[0], set()).add("entra")
    for who, _ts, _text in world.messages:
        seen.setdefault(who, set()).add("slack")
    for key, (kind, _story, _findings, _plant) in PLANTED.items():
        assert seen[key] == {kind}, key
    assert len(days()) == 35


def test_okta_verify_device_id_is_read_as_the_device(tmp_path: Path) -> None:
    from connectors.logins.okta import parse_okta

    w = World()
    _person(w, "dev")
    w.okta_event("dev", 1.7e9, "73.1.2.3", "United States", device_id="guo1abc")
    w.okta_event("dev", 1.7e9 + 60, "73.1.2.3", "United States")
    path = w.write(tmp_path)["okta"]
    events = list(parse_okta(path))
    assert [getattr(e, "device_id", None) for e in events] == ["guo1abc", None]
    assert [getattr(e, "device", None) for e in events] == ["Computer", "Computer"]


def test_a_broken_night_is_not_a_rota() -> None:
    from commsignal.analysis.hour_profile import is_sleepless

    parent = [5, 0, 5, 0, 5, 0, 5, 0, 0, 5, 0, 5, 0, 0, 11, 5, 5, 5, 0, 5, 5, 5, 2, 3]
    crews = [5, 1, 4, 0, 4, 1, 3, 2, 2, 2, 3, 1, 3, 3, 1, 2, 3, 3, 1, 2, 3, 1, 3, 1]
    sleeper = [0] * 6 + [4] * 18
    assert not is_sleepless(parent)  # glances at 00:30, 03:00, 05:30 leave most night hours empty
    assert is_sleepless(crews)
    assert not is_sleepless(sleeper)
    assert not is_sleepless([0] * 24)
