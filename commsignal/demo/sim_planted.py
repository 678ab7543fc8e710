"""The planted patterns added for issue 15: a laptop farm and an account used from two countries.

Laptop farm: three hired identities, each with its own company laptop, all kept in one
facilitator's home (one residential address nobody else uses) and driven over AnyDesk by workers
whose day is another continent's. Concurrent account: an ordinary-looking employee whose account
is also used, at the same hours, from a residential address abroad.
"""

from __future__ import annotations

import random

from commsignal.demo.sim_life import life_logins
from commsignal.demo.sim_logins import _ANYDESK_UA, LoginMaker
from commsignal.demo.sim_schedule import Place, Profile

FARM_TZ = "Asia/Shanghai"
"""The workers' day: they keep these hours on laptops that sit in a US home."""


def farm_home(rng: random.Random) -> Place:
    """The facilitator's home: a US residential address, with the remote workers' hours."""
    ip = f"73.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(2, 250)}"
    return Place(FARM_TZ, "US", "Chicago", ip)


def farm_logins(lm: LoginMaker, pr: Profile, k: int) -> None:
    """One farm laptop: its own device, a private LAN address, AnyDesk, the shared home egress."""
    rng = lm.rng
    lan = Place(pr.home.tz, "US", "Chicago", f"192.168.1.{20 + k}")
    lm.ordinary(pr, app="AnyDesk", places={d: lan for d in pr.days})
    for _d, spans in sorted(pr.days.items()):
        for _ in range(rng.randint(1, 3)):
            s, e = rng.choice(spans)
            if rng.random() < 0.6:
                lm.signin(
                    pr, rng.uniform(s, e), pr.home, "Mobile Apps and Desktop clients", _ANYDESK_UA
                )
            else:
                lm.signin(pr, rng.uniform(s, e), pr.home, "Browser")


def concurrent_logins(lm: LoginMaker, pr: Profile, abroad: Place) -> None:
    """An ordinary week at home, while someone abroad signs in to the same account at the same hours."""
    rng = lm.rng
    life_logins(lm, pr)
    for d, spans in sorted(pr.days.items()):
        if d.weekday() >= 5:
            continue
        s, e = spans[-1] if rng.random() < 0.5 else spans[0]
        t0 = rng.uniform(s, max(s, e - 2.5 * 3600))
        home = pr.place(d)
        lm.signin(pr, t0, home, "Browser")
        for _ in range(rng.randint(1, 3)):
            lm.signin(pr, t0 + rng.uniform(600, 4800), abroad, "Browser")
        lm.signin(pr, t0 + rng.uniform(5400, 8400), home, "Mobile Apps and Desktop clients")
