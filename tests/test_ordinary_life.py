"""A red team of ordinary life: hand-written people in real-shaped files must stay `low`.

Each person below is one piece of ordinary life the simulator does not produce. The world runs
five weeks (2026-W43 to W47, across both daylight-saving changes) so that history rules see
earlier weeks; a shift account and a concurrently used account are planted as controls, so a
fix that silences everything fails here too.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest

from tests.ordinary_world import Resident, World, digest_levels, import_world

FIRST = date(2026, 10, 19)  # Monday of 2026-W43
WEEKS = ("2026-W44", "2026-W45", "2026-W46", "2026-W47")
W47 = date(2026, 11, 16)
OFFICE_EGRESS = "81.2.69.10"  # shared by most of the office: never one person's address
VPN_EGRESS = "52.14.8.1"  # the corporate VPN, shared by everyone who travels or works late


def days(first: date = FIRST, n: int = 35) -> list[date]:
    return [first + timedelta(days=i) for i in range(n)]


def workdays(
    first: date = FIRST, n: int = 35, weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
) -> list[date]:
    return [d for d in days(first, n) if d.weekday() in weekdays]


class Life:
    """Writes an ordinary working day into the world: workstation, sign-ins and messages."""

    def __init__(self, world: World, who: str, seed: int) -> None:
        self.w, self.who, self.rng = world, who, random.Random(seed)
        self.host = f"PC-{who.upper()}"
        self.logon_id: str | None = None
        self.n = 0

    def _id(self) -> str:
        self.n += 1
        return f"0x{sum(map(ord, self.who)):x}{self.n:04x}"

    def console(self, code: int, ts: float) -> None:
        if code == 4624 or self.logon_id is None:
            self.logon_id = self._id()
            # the office DHCP pool hands the same private addresses to everyone in turn
            dhcp = f"10.0.0.{int(ts // 86400) % 5 + 2}"
            self.w.win(self.who, ts, 4624, self.logon_id, self.host, LogonType="2",
                       IpAddress=dhcp)  # fmt: skip
            if code == 4624:
                return
        self.w.win(self.who, ts, code, self.logon_id, self.host)
        if code in (4647, 4634):
            self.logon_id = None

    def chat(self, day: date, start: float, end: float, every: float = 0.6) -> None:
        t = start + self.rng.uniform(0.05, 0.3)
        while t < end:
            self.w.msg(self.who, self.w.at(self.who, day, t), social=self.rng.random() < 0.2)
            t += every * self.rng.uniform(0.5, 1.5)

    def day(
        self,
        day: date,
        start: float = 8.5,
        end: float = 17.5,
        ip: str = OFFICE_EGRESS,
        country: str = "US",
        lock_at_end: bool = True,
        logoff: bool = False,
        lunch: bool = True,
        tokens: bool = True,
    ) -> None:
        """A working day: unlock (or log on), chat, lunch lock, lock or log off, sign-ins."""
        at = lambda h: self.w.at(self.who, day, h)  # noqa: E731
        self.console(4801 if self.logon_id else 4624, at(start))
        self.w.signin(self.who, at(start + 0.1), ip, country)
        if self.rng.random() < 0.3:  # an evening look at mail over the corporate VPN
            self.w.signin(self.who, at(20.0 + self.rng.random()), VPN_EGRESS, "US")
        if lunch:
            self.chat(day, start, 12.0)
            self.console(4800, at(12.0))
            self.console(4801, at(12.75))
            self.chat(day, 12.75, end)
        else:
            self.chat(day, start, end)
        if tokens:  # Teams and Outlook refresh their tokens every hour or so
            for h in range(int(start) + 1, int(end)):
                self.w.signin(self.who, at(h + 0.3), ip, country, interactive=False)
        if logoff:
            self.console(4647, at(end))
            self.console(4634, at(end + 0.01))
        elif lock_at_end:
            self.console(4800, at(end))


def build() -> tuple[World, dict[str, str]]:
    """The world and, per person, the ordinary life they stand for."""
    w = World()
    why: dict[str, str] = {}

    def person(key: str, tz: str, country: str, story: str, **kw: Any) -> Resident:
        why[key] = story
        return w.add(Resident(key, tz, country, **kw))

    # --- controls: an ordinary office worker and a colleague -------------------------------
    for k, key in enumerate(("alice", "amir", "anna", "arlo", "ava", "axel")):
        person(key, "America/New_York", "US", "office worker, locks nightly, logs off Fridays")
        life = Life(w, key, k)
        for d in workdays():
            life.day(d, 8.5 + k * 0.2, 17.3 + k * 0.1, logoff=d.weekday() == 4)

    # --- a PC never locked or logged off, late check 23:30 and early check 06:00 -----------
    person("bob", "America/New_York", "US", "never locks or logs off; checks at 23:30 and 06:00")
    life = Life(w, "bob", 11)
    for d in workdays():
        life.day(d, 8.0, 18.0, ip="73.12.40.7", lock_at_end=False, lunch=False)
        life.chat(d, 23.4, 23.6)
        if d.weekday() < 4:
            life.chat(d + timedelta(days=1), 6.0, 6.2)

    # --- never locks, checks after midnight (00:30) and early (06:00) ------------------------
    person("bea", "America/Chicago", "US", "never locks or logs off; checks at 00:30 and 06:00")
    life = Life(w, "bea", 10)
    for d in workdays():
        life.day(d, 8.0, 18.0, ip="73.12.40.8", lock_at_end=False, lunch=False)
        life.chat(d, 20.0, 20.5)
        if d.weekday() < 4:
            life.chat(d + timedelta(days=1), 0.5, 0.7)
            life.chat(d + timedelta(days=1), 6.0, 6.2)

    # --- a parent: messages at 00:30 and 05:30 from the phone, console locked --------------
    person("carol", "Europe/London", "GB", "parent: phone messages at 00:30 and 05:30")
    life = Life(w, "carol", 12)
    for d in workdays():
        life.day(d, 9.0, 17.0, ip="81.2.69.77", country="GB")
        life.chat(d, 20.5, 21.0)
        w.msg("carol", w.at("carol", d, 24.5))
        w.msg("carol", w.at("carol", d, 29.5))
        w.okta_event("carol", w.at("carol", d, 24.52), "100.64.7.9", "United Kingdom",
                     device="Mobile")  # fmt: skip

    # --- the same parent on Okta sessions that never end (no Windows logs) -------------------
    person("cleo", "America/Chicago", "US", "parent on Okta only: sessions never end")
    rng = random.Random(13)
    for d in workdays():
        if d.weekday() == 0:  # a new Okta session every Monday, never ended by a logout
            w.okta_event("cleo", w.at("cleo", d, 8.0), "73.40.1.2", "United States",
                         kind="user.session.start", session=f"cleo-{d}")  # fmt: skip
        for h in (8.2, 9.0, 10.5, 11.5, 13.0, 14.2, 15.5, 16.8, 18.5, 20.5, 22.0):
            w.msg("cleo", w.at("cleo", d, h + rng.uniform(0, 0.3)))
        w.okta_event("cleo", w.at("cleo", d, 8.1), "73.40.1.2", "United States")
        for h in (24.5, 27.0, 29.5):
            w.msg("cleo", w.at("cleo", d, h))

    # --- on call: paged at 03:00 twice in W46, unlocks the PC at home -------------------------
    person("dan", "America/New_York", "US", "on-call week, paged at 03:00 twice")
    life = Life(w, "dan", 14)
    for d in workdays():
        life.day(d, 8.5, 17.5, ip="73.12.41.8", logoff=d.weekday() == 4)
        if d in (date(2026, 11, 10), date(2026, 11, 12)):
            life.console(4801, w.at("dan", d, 27.0))
            life.chat(d, 27.0, 27.8, every=0.1)
            w.signin("dan", w.at("dan", d, 27.05), "73.12.41.8", "US")
            life.console(4800, w.at("dan", d, 27.8))

    # --- works Saturday mornings ------------------------------------------------------------
    person("erin", "America/Denver", "US", "works Saturday mornings")
    life = Life(w, "erin", 15)
    for d in workdays(weekdays=(0, 1, 2, 3, 4, 5)):
        if d.weekday() == 5:
            life.day(d, 9.0, 12.0, ip="73.50.2.3", lunch=False, logoff=True)
        else:
            life.day(d, 8.0, 16.5, ip="73.50.2.3")

    # --- conference trip in W47: four days in London, desktop left logged on at home --------
    person("frank", "America/New_York", "US", "conference in London Tue-Fri of W47")
    life = Life(w, "frank", 16)
    home = "73.12.50.9"
    for d in workdays():
        if d < date(2026, 11, 17) or d > date(2026, 11, 20):
            life.day(d, 8.5, 17.5, ip=home, lock_at_end=True)
    # locked Monday evening and left logged on; Teams keeps refreshing from home all week
    for h in range(0, 24 * 5):
        t = w.at("frank", date(2026, 11, 16), 18.5 + h)
        w.signin("frank", t, home, "US", interactive=False)
    for d in (date(2026, 11, 17), date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20)):
        for h in (8.0, 9.5, 12.0, 15.5, 18.0, 21.5):
            t = w.at_zone("Europe/London", d, h)
            w.signin("frank", t, "81.2.69.200", "GB", label="MacOs / Safari 18.1")
            w.okta_event("frank", t + 60, "81.2.69.200", "United Kingdom", device="Mobile")
        for h in range(8, 22, 1):
            w.msg("frank", w.at_zone("Europe/London", d, h + 0.4))

    # --- a phone on carrier CGNAT and public carrier addresses that change hourly -------------
    carrier = [f"172.56.{k}.{k * 7 % 250 + 2}" for k in range(4)]
    for k, key in enumerate(("gina", "gus", "gwen")):
        person(key, "America/Los_Angeles", "US", "mobile on a carrier: CGNAT and hourly addresses")
        rng = random.Random(20 + k)
        for d in workdays():
            start = 7.0 + 4 * k  # different hours, so the carrier pool is used in turns
            for h in range(int(start), int(start) + 8):
                ip = carrier[(h + d.day + k) % 4] if rng.random() < 0.7 else "100.64.9.1"
                t = w.at(key, d, h + rng.uniform(0, 0.9))
                w.okta_event(key, t, ip, "United States", device="Mobile",
                             kind="user.session.start" if h == int(start) else "user.authentication.sso",
                             session=f"{key}{d}")  # fmt: skip
                w.msg(key, t + 120)
            w.okta_event(key, w.at(key, d, start + 8.1), carrier[0], "United States",
                         kind="user.session.end", session=f"{key}{d}")  # fmt: skip

    # --- IPv6 privacy addresses that change every day --------------------------------------
    person("ivan", "Europe/Berlin", "DE", "IPv6 privacy address changing daily")
    life = Life(w, "ivan", 21)
    for d in workdays():
        life.day(d, 8.0, 16.5, ip=f"2a02:810d:4b3f:1e00:{d.day:x}1a:{d.month:x}f:9c:{d.day * 3:x}",
                 country="DE")  # fmt: skip

    # --- housemates at different companies' hours, one home address -------------------------
    person("jack", "America/New_York", "US", "housemate, day hours, same home address")
    person("kate", "America/New_York", "US", "housemate, evening hours, same home address")
    jl, kl = Life(w, "jack", 22), Life(w, "kate", 23)
    for d in workdays():
        jl.day(d, 7.0, 15.0, ip="73.12.60.1", logoff=True)
        kl.day(d, 15.3, 23.0, ip="73.12.60.1", logoff=True, lunch=False)

    # --- split days, a four-day week, a part-timer ---------------------------------------------
    person("liam", "Europe/Dublin", "IE", "split days 07-11, 15-19, 21-23")
    life = Life(w, "liam", 24)
    for d in workdays():
        life.day(d, 7.0, 11.0, ip="81.2.69.90", country="IE", lunch=False)
        life.day(d, 15.0, 19.0, ip="81.2.69.90", country="IE", lunch=False)
        life.day(d, 21.0, 23.0, ip="81.2.69.90", country="IE", lunch=False)
    person("mia", "America/New_York", "US", "four-day week, Monday to Thursday")
    life = Life(w, "mia", 25)
    for d in workdays(weekdays=(0, 1, 2, 3)):
        life.day(d, 8.0, 18.5, logoff=d.weekday() == 3)
    person("noah", "America/New_York", "US", "part-timer, mornings only")
    life = Life(w, "noah", 26)
    for d in workdays():
        life.day(d, 9.0, 13.0, lunch=False, logoff=True)

    # --- on leave the whole of W47; a new starter on day 2 ------------------------------------
    person("olga", "America/New_York", "US", "on leave the whole of W47")
    life = Life(w, "olga", 27)
    for d in workdays(n=28):
        life.day(d, 8.5, 17.0, logoff=d.weekday() == 4)
    person("pete", "America/New_York", "US", "new starter on day 2", start_date="2026-11-16")
    life = Life(w, "pete", 28)
    for d in (date(2026, 11, 16), date(2026, 11, 17)):
        life.day(d, 9.0, 17.0, logoff=True)

    # --- moved from New York to London, profile zone stale for two weeks ----------------------
    person("quinn", "America/New_York", "US", "moved to London in W46; directory zone stale",
           slack_tz="Europe/London")  # fmt: skip
    person("quincy", "America/New_York", "US", "moved to London in W46; every profile stale")
    for key, seed in (("quinn", 29), ("quincy", 30)):
        life = Life(w, key, seed)
        for d in workdays():
            if d < date(2026, 11, 9):
                life.day(d, 8.5, 17.0, logoff=d.weekday() == 4)
            else:
                ts0 = w.at_zone("Europe/London", d, 0) - w.at(key, d, 0)
                hours = (9.0 + ts0 / 3600, 17.5 + ts0 / 3600)  # London hours on the NY clock
                life.day(d, *hours, ip="81.2.69.120", country="GB", logoff=d.weekday() == 4)

    # --- offshore contractors whose declared zone is right ------------------------------------
    person("raj", "Asia/Kolkata", "IN", "offshore contractor in India, declared Asia/Kolkata")
    person("rita", "Asia/Manila", "PH", "offshore contractor in Manila, declared Asia/Manila")
    for key, seed, ip, cc in (("raj", 31, "49.36.2.4", "IN"), ("rita", 32, "112.198.5.6", "PH")):
        life = Life(w, key, seed)
        for d in workdays():
            life.day(d, 10.0, 19.0, ip=ip, country=cc, logoff=d.weekday() == 4)

    # --- DST: Chicago across 1 November, Berlin across 25 October -----------------------------
    person("sam", "America/Chicago", "US", "steady 08-17 across the US DST change")
    person("tina", "Europe/Berlin", "DE", "steady 08-17 across the EU DST change")
    for key, seed, cc in (("sam", 33, "US"), ("tina", 34, "DE")):
        life = Life(w, key, seed)
        for d in workdays():
            life.day(d, 8.0, 17.0, ip=f"73.9.{seed}.4", country=cc, logoff=d.weekday() == 4)

    # --- a hot-desk lab PC used in turns by people with laptops of their own ------------------
    for k, key in enumerate(("uma", "vic", "wes")):
        person(key, "America/New_York", "US", "takes turns on a hot-desk lab PC")
        life = Life(w, key, 35 + k)
        for d in workdays():
            life.day(d, 8.0, 17.0, logoff=d.weekday() == 4)
            lab = f"0xLAB{key}{d.day}"
            w.win(key, w.at(key, d, 13 + k), 4624, lab, "LAB-PC-07", LogonType="2")
            w.win(key, w.at(key, d, 13.9 + k), 4647, lab, "LAB-PC-07")

    # --- VDI pool: RDP disconnect in the evening, reconnect next morning ------------------------
    person("xena", "America/New_York", "US", "VDI pool, disconnects and reconnects")
    rng = random.Random(38)
    for week in range(5):
        monday = FIRST + timedelta(days=7 * week)
        host, lid = f"VDI-POOL-{rng.randint(1, 9):02d}", f"0xV{week}"
        w.win("xena", w.at("xena", monday, 8.0), 4624, lid, host, LogonType="10",
              IpAddress="10.20.0.9")  # fmt: skip
        for i in range(5):
            d = monday + timedelta(days=i)
            if i:
                w.win("xena", w.at("xena", d, 8.0), 4778, lid, host)
            for h in range(8, 17):
                w.msg("xena", w.at("xena", d, h + rng.uniform(0, 0.9)))
            w.win("xena", w.at("xena", d, 17.2), 4779, lid, host)
        w.win("xena", w.at("xena", monday + timedelta(days=4), 17.3), 4647, lid, host)

    # --- one person seen by Okta (country names) and Entra (country codes) --------------------
    person("yara", "America/New_York", "US", "signs in through Okta and Entra the same day")
    life = Life(w, "yara", 39)
    for d in workdays():
        life.day(d, 8.5, 17.0, ip="73.12.70.2", logoff=d.weekday() == 4)
        for h in (8.6, 10.0, 13.0, 15.5):
            w.okta_event("yara", w.at("yara", d, h), "73.12.70.2", "United States")

    # --- a real-rhythm evening-heavy person who appears only in W47 ---------------------------
    person("zoe", "America/New_York", "US", "evening-heavy, first seen in W47, no history",
           start_date="2021-05-01")  # fmt: skip
    rng = random.Random(40)
    for d in workdays(W47, 7):
        for h in (10.5, 11.2, 14.0, 15.5, 16.4, 19.0, 20.0, 20.5, 21.0, 21.5, 22.0, 22.5, 23.0,
                  23.5, 24.2, 25.0):  # fmt: skip
            w.msg("zoe", w.at("zoe", d, h + rng.uniform(0, 0.3)))
        w.okta_event("zoe", w.at("zoe", d, 10.4), "73.12.80.3", "United States")

    # --- evening-heavy, seen since W45 with no start date: "since the person appeared" ------
    person("zack", "America/Chicago", "US", "evening-heavy since first seen (W45), no start date",
           start_date="")  # fmt: skip
    rng = random.Random(43)
    for d in workdays(date(2026, 11, 2), 21):
        for h in (9.5, 10.5, 14.0, 16.0):
            w.msg("zack", w.at("zack", d, h + rng.uniform(0, 0.3)))
        t = 19.5
        while t < 25.5:
            w.msg("zack", w.at("zack", d, t))
            t += rng.uniform(0.15, 0.4)
        w.okta_event("zack", w.at("zack", d, 9.4), "73.40.9.9", "United States")
        w.signin("zack", w.at("zack", d, 20.0), VPN_EGRESS, "US")

    # --- planted controls: a shift account and an account used from two countries -------------
    person("shift", "America/Chicago", "US", "PLANTED: one account worked in shifts")
    w.win("shift", w.at_zone("UTC", W47, 0.5), 4624, "0x5f1", "PC-SHIFT", LogonType="2")
    rng = random.Random(41)
    for d in days(W47, 5):
        t = w.at_zone("UTC", d, 0.0)
        while t < w.at_zone("UTC", d, 24.0):
            w.msg("shift", t)
            t += rng.uniform(600, 2400)
    person("twin", "America/New_York", "US", "PLANTED: used from the US and Korea at once")
    life = Life(w, "twin", 42)
    for d in workdays():
        life.day(d, 8.5, 17.0, ip="73.12.90.4")
        if d >= W47:
            for h, ip, cc in ((10.0, "73.12.90.4", "US"), (10.7, "211.234.5.6", "KR"),
                              (11.5, "73.12.90.4", "US"), (12.2, "211.234.5.6", "KR")):  # fmt: skip
                w.signin("twin", w.at("twin", d, h), ip, cc)
    return w, why


PLANTED = {"shift@contoso.com", "twin@contoso.com"}


@pytest.fixture(scope="module")
def digests(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict[str, Any]]]:
    """week -> email -> the person's digest row (people with no finding are absent: low)."""
    root = tmp_path_factory.mktemp("ordinary-life")
    world, _ = build()
    db = import_world(world, root)
    return {week: digest_levels(db, week, root / week) for week in WEEKS}


STORIES = build()[1]


@pytest.mark.parametrize("key", sorted(k for k in STORIES if f"{k}@contoso.com" not in PLANTED))
def test_ordinary_person_stays_low_every_week(
    key: str, digests: dict[str, dict[str, dict[str, Any]]]
) -> None:
    email = f"{key}@contoso.com"
    for week, rows in digests.items():
        row = rows.get(email, {"level": "low", "findings": {}, "summaries": []})
        assert row["level"] == "low", (STORIES[key], week, row)


def test_planted_controls_stay_high(digests: dict[str, dict[str, dict[str, Any]]]) -> None:
    rows = digests["2026-W47"]
    assert rows["shift@contoso.com"]["level"] == "high", rows.get("shift@contoso.com")
    assert "marathon_session" in rows["shift@contoso.com"]["findings"]
    assert "concurrent_account" in rows["twin@contoso.com"]["findings"]
