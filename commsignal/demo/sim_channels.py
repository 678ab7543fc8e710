"""Conversations of the simulated org and where each person tends to post work and small talk.

Members lists are the source of truth: the activity generator only lets people post in (and
react to) conversations they are members of, so fake servers can serve consistent member lists.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from commsignal.demo.sim_org import Org, guid, slack_id
from commsignal.demo.world import SimChannel, SimPerson

Weighted = list[tuple[str, float]]


@dataclass(slots=True)
class Channels:
    """All conversations plus each person's weighted work and social choices."""

    channels: list[SimChannel] = field(default_factory=list)
    by_id: dict[str, SimChannel] = field(default_factory=dict)
    work: dict[str, Weighted] = field(default_factory=dict)
    social: dict[str, Weighted] = field(default_factory=dict)
    team_slack: dict[str, str] = field(default_factory=dict)
    deploys: str = ""

    def add(self, ch: SimChannel, work_w: float, social_w: float) -> None:
        """Registers a conversation and gives each member its work/social weights."""
        self.channels.append(ch)
        self.by_id[ch.id] = ch
        for m in ch.members:
            if work_w > 0:
                self.work.setdefault(m, []).append((ch.id, work_w))
            if social_w > 0:
                self.social.setdefault(m, []).append((ch.id, social_w))


def _slug(team: str) -> str:
    return team.lower().replace(" ", "-")


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def build_channels(
    rng: random.Random, org: Org, bots: list[SimPerson], small_circle: dict[str, list[str]]
) -> Channels:
    """Creates Slack channels, group DMs and DMs plus Teams channels and chats.

    Args:
        rng: The simulation's random source.
        org: The org chart.
        bots: Bot accounts; they join `general`, `deploys` and the team channels.
        small_circle: Person key -> the only people they talk to (the new hire); such people
            keep their channel memberships but post only in DMs/chats with their circle.

    Returns:
        The conversations and per-person posting weights.
    """
    cs = Channels()
    by_key = {p.key: p for p in org.people}
    slack = [p.key for p in org.people if p.on_slack]
    teams_users = {p.key for p in org.people if p.on_teams}
    bot_keys = [b.key for b in bots]
    quiet = set(small_circle)

    def s_add(kind: str, name: str | None, members: list[str], ww: float, sw: float) -> None:
        prefix = {"public_channel": "C", "private_channel": "G", "mpim": "G", "im": "D"}[kind]
        ch = SimChannel(slack_id(rng, prefix), "slack", kind, name, members)
        cs.add(ch, ww, sw)
        if name and name.startswith("team-"):
            cs.team_slack[name[5:]] = ch.id
        if name == "deploys":
            cs.deploys = ch.id

    s_add("public_channel", "general", slack + bot_keys, 0.3, 0.3)
    s_add("public_channel", "random", list(slack), 0.0, 2.0)
    s_add("public_channel", "social", [k for k in slack if rng.random() < 0.6], 0.0, 2.0)
    s_add("public_channel", "pets", [k for k in slack if rng.random() < 0.25], 0.0, 1.5)
    s_add("public_channel", "running", [k for k in slack if rng.random() < 0.15], 0.0, 1.5)
    s_add(
        "public_channel", "deploys", [k for k in slack if rng.random() < 0.5] + bot_keys, 0.4, 0.0
    )
    for team, members in org.teams.items():
        on = [k for k in members if by_key[k].on_slack]
        s_add("public_channel", f"team-{_slug(team)}", on + bot_keys, 3.0, 1.0)
    leads = [org.ceo, *org.directors, *org.managers.values()]
    s_add("private_channel", "eng-leads", [k for k in leads if by_key[k].on_slack], 2.0, 0.3)
    for team in rng.sample(list(org.teams), min(6, len(org.teams))):
        on = [k for k in org.teams[team] if by_key[k].on_slack]
        s_add(
            "private_channel",
            f"{_slug(team)}-private",
            rng.sample(on, max(2, len(on) // 2)),
            1.5,
            0.4,
        )
    war = [
        k for t in ("Platform", "Infrastructure", "Site Reliability") for k in org.teams.get(t, [])
    ]
    s_add("private_channel", "incident-war-room", [k for k in war if by_key[k].on_slack], 1.2, 0.0)
    for _ in range(max(10, len(slack) // 5)):
        team = rng.choice(list(org.teams))
        pool = [k for k in org.teams[team] if by_key[k].on_slack and k not in quiet]
        if rng.random() < 0.3:
            pool += rng.sample([k for k in slack if k not in quiet], 2)
        s_add(
            "mpim", None, sorted(set(rng.sample(pool, min(len(pool), rng.randint(3, 4))))), 0.8, 0.8
        )

    pairs: set[tuple[str, str]] = set()
    for p in org.people:
        mates = org.teams.get(p.team, [])
        partners = [p.manager_key] if p.manager_key else []
        partners += rng.sample([k for k in mates if k != p.key], min(3, max(0, len(mates) - 1)))
        partners.append(rng.choice(org.people).key)
        for q in partners:
            if q and q != p.key and q not in quiet and p.key not in quiet:
                pairs.add((min(p.key, q), max(p.key, q)))
    for who, circle in small_circle.items():
        for q in circle:
            pairs.add((min(who, q), max(who, q)))
    for a, b in sorted(pairs):
        pa, pb = by_key[a], by_key[b]
        if (
            pa.on_slack
            and pb.on_slack
            and (not (pa.on_teams and pb.on_teams) or rng.random() < 0.7)
        ):
            s_add("im", None, [a, b], 0.5, 0.7)
        elif pa.on_teams and pb.on_teams:
            ch = SimChannel(
                f"19:{pa.graph_id}_{pb.graph_id}@unq.gbl.spaces", "teams", "chat", None, [a, b]
            )
            cs.add(ch, 0.4, 0.5)

    for members in org.teams.values():
        on = [k for k in members if k in teams_users]
        tid = guid(rng)
        cs.add(
            SimChannel(f"19:{_hex(rng)}@thread.tacv2", "teams", "channel", "General", on, tid),
            1.3,
            0.4,
        )
        if rng.random() < 0.4:
            cs.add(
                SimChannel(f"19:{_hex(rng)}@thread.tacv2", "teams", "channel", "Planning", on, tid),
                0.6,
                0.0,
            )
    tu = sorted(teams_users - quiet)
    for _ in range(max(8, len(tu) // 6)):
        members = sorted(rng.sample(tu, rng.randint(3, 5)))
        cs.add(SimChannel(f"19:{_hex(rng)}@thread.v2", "teams", "chat", None, members), 0.6, 0.6)
    for who in quiet:
        cs.work[who] = [
            (c, w) for c, w in cs.work.get(who, []) if quiet_ok(cs, c, who, small_circle)
        ]
        cs.social[who] = [
            (c, w) for c, w in cs.social.get(who, []) if quiet_ok(cs, c, who, small_circle)
        ]
    return cs


def quiet_ok(cs: Channels, cid: str, who: str, small_circle: dict[str, list[str]]) -> bool:
    """Whether `who` (a small-network person) may post in `cid`: only with their circle."""
    ch = cs.by_id[cid]
    return ch.kind in ("im", "chat", "mpim") and set(ch.members) <= {who, *small_circle[who]}
