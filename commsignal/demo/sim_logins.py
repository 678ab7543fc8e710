"""Login events of the simulated org: workstation sessions (CSV) and Entra sign-ins (Graph).

Ordinary people log on in the morning, lock over lunch and log off at night. The planted
personas differ only in these records: multi-day sessions without logoff, hosting/VPN egress with
remote-access tools, or two accounts handing one device back and forth.
"""

from __future__ import annotations

import random
from datetime import date

from commsignal.demo.sim_schedule import Place, Profile, Span
from commsignal.demo.world import SimLogin

# Public hosting / VPN egress the proxy worker hides behind: (prefix, country, city).
HOSTING_CIDRS = ["45.86.200.0/22", "185.220.100.0/22", "193.138.218.0/24", "104.248.0.0/16"]
_HOSTING = {
    "US": ("104.248.{a}.{b}", "New York"),
    "NL": ("185.220.{c}.{b}", "Amsterdam"),
    "RO": ("45.86.{d}.{b}", "Bucharest"),
    "SE": ("193.138.218.{b}", "Stockholm"),
}
_BROWSER_APPS = ("Browser", "Browser", "Browser", "Mobile Apps and Desktop clients")
_ANYDESK_UA = "AnyDesk/8.0.9 (Windows NT 10.0; Win64; x64)"
_RUSTDESK_UA = "RustDesk/1.2.3 (Windows NT 10.0; Win64; x64)"


def hosting_ip(rng: random.Random, country: str) -> tuple[str, str]:
    """An address inside one of `HOSTING_CIDRS` for `country`, with the provider's city."""
    tmpl, city = _HOSTING[country]
    ip = tmpl.format(
        a=rng.randint(0, 255),
        b=rng.randint(2, 250),
        c=rng.randint(100, 103),
        d=rng.randint(200, 203),
    )
    return ip, city


def _sid(rng: random.Random) -> str:
    return f"S-{rng.getrandbits(64):016x}"


class LoginMaker:
    """Accumulates workstation and sign-in events for every person."""

    def __init__(self, rng: random.Random, lo: float, hi: float) -> None:
        self.rng = rng
        self.lo, self.hi = lo, hi
        self.out: list[SimLogin] = []

    def ws(
        self, pr: Profile, ts: float, event: str, sid: str, place: Place, app: str = "console"
    ) -> None:
        """One workstation event, kept only inside the window."""
        if self.lo <= ts < self.hi:
            self.out.append(
                SimLogin(
                    pr.person.key,
                    pr.person.email,
                    ts,
                    event,
                    "workstation",
                    sid,
                    place.ip,
                    pr.device,
                    app,
                    place.country,
                    place.city,
                )
            )

    def ws_on(
        self,
        pr: Profile,
        ts: float,
        event: str,
        sid: str,
        place: Place,
        device: str,
        app: str = "console",
    ) -> None:
        """One workstation event on another machine than the person's own (VDI host, lab PC)."""
        if self.lo <= ts < self.hi:
            self.out.append(
                SimLogin(
                    pr.person.key,
                    pr.person.email,
                    ts,
                    event,
                    "workstation",
                    sid,
                    place.ip,
                    device,
                    app,
                    place.country,
                    place.city,
                )
            )

    def signin(
        self,
        pr: Profile,
        ts: float,
        place: Place,
        app: str | None = None,
        ua: str | None = None,
        device: str | None = None,
    ) -> None:
        """One Entra sign-in, kept only inside the window."""
        if self.lo <= ts < self.hi:
            self.out.append(
                SimLogin(
                    pr.person.key,
                    pr.person.email,
                    ts,
                    "signin",
                    "entra",
                    None,
                    place.ip,
                    device or pr.os_name,
                    app or self.rng.choice(_BROWSER_APPS),
                    place.country,
                    place.city,
                    ua or pr.user_agent,
                )
            )

    def ordinary(
        self, pr: Profile, app: str = "console", places: dict[date, Place] | None = None
    ) -> None:
        """Daily sessions: logon, lock/unlock around breaks, logoff; 1-4 sign-ins a day.

        Args:
            pr: The person.
            app: Workstation client app column ("console", or the remote tool in use).
            places: Per-day egress overriding the person's own; sign-ins are then left to the
                caller.
        """
        rng = self.rng
        for d, spans in sorted(pr.days.items()):
            place = places[d] if places else pr.place(d)
            if pr.session_per_span:
                for s, e in spans:
                    sid = _sid(rng)
                    self.ws(pr, s, "logon", sid, place, app)
                    self.ws(pr, e, "logoff", sid, place, app)
                    self.signin(pr, s + rng.uniform(30, 300), place)
                continue
            sid = _sid(rng)
            self.ws(pr, spans[0][0] - rng.uniform(120, 600), "logon", sid, place, app)
            for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False):
                self.ws(pr, e1 + rng.uniform(0, 180), "lock", sid, place, app)
                self.ws(pr, s2 - rng.uniform(0, 180), "unlock", sid, place, app)
            self.ws(pr, spans[-1][1] + rng.uniform(60, 480), "logoff", sid, place, app)
            if places is None:
                self._signins(pr, spans, place)

    def _signins(self, pr: Profile, spans: list[Span], place: Place) -> None:
        rng = self.rng
        self.signin(pr, spans[0][0] + rng.uniform(60, 900), place)
        for _ in range(rng.randint(0, 3)):
            s, e = rng.choice(spans)
            self.signin(pr, rng.uniform(s, e), place)

    def shift(self, pr: Profile, first_logon: float) -> None:
        """Sessions of 4-7 days with no logoff and no lock; the last one is still open."""
        rng = self.rng
        t = first_logon
        while t < self.hi:
            self.ws(pr, t, "logon", _sid(rng), pr.home)
            t += rng.uniform(4.2, 6.8) * 86400
        for _d, spans in sorted(pr.days.items()):
            self._signins(pr, spans, pr.home)
            for s, e in spans:  # the hand-over crew signs in again at the start of its shift
                self.signin(pr, s + rng.uniform(300, 1500), pr.home, "Browser")
                self.signin(pr, rng.uniform(s, e), pr.home, "Browser")

    def proxy(self, pr: Profile, two_country_days: set[date]) -> None:
        """Ordinary sessions, but sign-ins from hosting/VPN ranges through remote-access tools."""
        rng = self.rng
        day_country = {d: rng.choice(("US", "US", "SE", "NL")) for d in pr.days}
        # Workstation logons come in through the same hosting egress, via the remote tool.
        places = {}
        for d in sorted(pr.days):
            ip, city = hosting_ip(rng, "US")
            places[d] = Place(pr.home.tz, "US", city, ip)
        self.ordinary(pr, app="AnyDesk", places=places)
        for d, spans in sorted(pr.days.items()):
            plan = [day_country[d]] * rng.randint(2, 4)
            if d in two_country_days:
                plan = ["US", rng.choice(("NL", "RO"))]
            times = sorted(rng.uniform(s, e) for s, e in [rng.choice(spans) for _ in plan])
            if d in two_country_days:
                s0 = spans[0][0]
                times = [s0 + rng.uniform(300, 1800), s0 + rng.uniform(3, 5) * 3600]
            for ts, country in zip(times, plan, strict=True):
                r = rng.random()
                if r < 0.1 and d not in two_country_days:
                    place = pr.home
                else:
                    ip, city = hosting_ip(rng, country)
                    place = Place(pr.home.tz, country, city, ip)
                if r < 0.65:
                    self.signin(pr, ts, place, "Mobile Apps and Desktop clients", _ANYDESK_UA)
                elif r < 0.85:
                    self.signin(pr, ts, place, "RustDesk", _RUSTDESK_UA, "RustDesk")
                else:
                    self.signin(pr, ts, place, "Browser")
