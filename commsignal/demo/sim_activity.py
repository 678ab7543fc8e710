"""Chat messages of the simulated org: when people post, where, what kind, and how threads form.

Generation runs in two passes: first every person's message slots (time, conversation, work or
small talk) from their working spans, then a time-ordered pass that turns some slots into thread
replies, writes text and adds mentions, reactions and edits. That keeps thread roots strictly
earlier than their replies and in the same conversation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from commsignal.demo import text_bank
from commsignal.demo.sim_channels import Channels, Weighted
from commsignal.demo.sim_schedule import Profile, Span, local_ts
from commsignal.demo.world import SimMessage, SimPerson

SENTINEL = "CS-SENTINEL-5f1d9c"
# Chance that a message answers a thread, by conversation kind: Teams chats have no threads and
# people rarely thread in DMs.
_REPLY_P = {
    "public_channel": 0.55,
    "private_channel": 0.55,
    "mpim": 0.4,
    "im": 0.15,
    "channel": 0.6,
    "chat": 0.0,
}
_WORK_EMOJI = ("+1", "eyes", "white_check_mark", "rocket", "pray", "100", "heavy_check_mark")
_SOCIAL_EMOJI = ("joy", "laughing", "heart", "tada", "heart_eyes", "rofl", "+1")


@dataclass(slots=True)
class Draft:
    """A message slot before threading and text."""

    ts: float
    author: str
    channel: str
    kind: str  # work | social | polite


def _pick(rng: random.Random, items: Weighted) -> str:
    """Weighted choice of a conversation id."""
    return rng.choices([c for c, _ in items], weights=[w for _, w in items])[0]


def _times(rng: random.Random, spans: list[Span], n: int, lo: float, hi: float) -> list[float]:
    """`n` uniform times inside `spans` (weighted by length), clipped to the window."""
    spans = [(max(s, lo), min(e, hi)) for s, e in spans if min(e, hi) > max(s, lo)]
    if not spans:
        return []
    weights = [e - s for s, e in spans]
    out = []
    for _ in range(n):
        s, e = rng.choices(spans, weights=weights)[0]
        out.append(rng.uniform(s, e))
    return out


def drafts_for(
    rng: random.Random, pr: Profile, cs: Channels, lo: float, hi: float, extra: list[float]
) -> list[Draft]:
    """One person's message slots across the window.

    Args:
        rng: The simulation's random source.
        pr: The person's profile (spans, rate, small-talk share).
        cs: Conversations and posting weights.
        lo: Window start (epoch seconds).
        hi: Window end (epoch seconds).
        extra: Additional message times outside the usual rhythm (hand-overs, night pages).

    Returns:
        Slots, unsorted.
    """
    key = pr.person.key
    work, social = cs.work.get(key, []), cs.social.get(key, [])
    if not work:
        return []
    times: list[float] = list(t for t in extra if lo <= t < hi)
    for d, spans in pr.days.items():
        scale = 0.35 if d.weekday() >= 5 else 1.0
        n = max(0, round(rng.gauss(pr.msg_rate * scale, pr.msg_rate * scale * 0.3)))
        times += _times(rng, spans, n, lo, hi)
    out = []
    for t in times:
        r = rng.random()
        if r < pr.social_share and social:
            out.append(Draft(t, key, _pick(rng, social), "social"))
        elif r < pr.social_share + pr.polite_share:
            out.append(Draft(t, key, _pick(rng, work), "polite"))
        else:
            out.append(Draft(t, key, _pick(rng, work), "work"))
    return out


class MessageIds:
    """Per-conversation unique message ids: Slack `ts` strings and Teams millisecond ids."""

    def __init__(self) -> None:
        self.used: dict[str, set[str]] = {}

    def make(self, platform: str, channel: str, ts: float) -> tuple[str, float]:
        used = self.used.setdefault(channel, set())
        if platform == "slack":
            sec, micro = int(ts), int((ts - int(ts)) * 1e6)
            while f"{sec}.{micro:06d}" in used:
                micro = (micro + 1) % 1_000_000
            mid = f"{sec}.{micro:06d}"
            used.add(mid)
            return mid, float(mid)
        ms = int(ts * 1000)
        while str(ms) in used:
            ms += 1
        used.add(str(ms))
        return str(ms), ms / 1000.0


def render(
    rng: random.Random,
    drafts: list[Draft],
    cs: Channels,
    people: dict[str, SimPerson],
    bot_keys: set[str],
    ids: MessageIds,
) -> list[SimMessage]:
    """Turns slots into messages: threads, text, mentions, reactions and edits.

    Args:
        rng: The simulation's random source.
        drafts: All slots, any order.
        cs: Conversations (kinds and members).
        people: Person key -> person, for first names in text.
        bot_keys: Bot accounts, which never react and never reply.
        ids: The id allocator shared by every message of the world.

    Returns:
        Messages in time order.
    """
    roots: dict[str, list[tuple[float, str, str, str]]] = {}  # channel -> (ts, id, author, kind)
    members = {c.id: [m for m in c.members if m in people] for c in cs.channels}
    out: list[SimMessage] = []
    for d in sorted(drafts, key=lambda x: (x.ts, x.author)):
        ch = cs.by_id[d.channel]
        first = people[d.author].name.split()[0] if d.author in people else ""
        pool_m = members[ch.id]
        mid, ts = ids.make(ch.platform, ch.id, d.ts)
        recent = [r for r in roots.get(ch.id, ()) if d.ts - r[0] < 20 * 3600 and r[2] != d.author]
        same = [r for r in recent if (r[3] == "social") == (d.kind == "social")]
        root = None
        if d.kind != "polite" and d.author not in bot_keys and rng.random() < _REPLY_P[ch.kind]:
            pool = same[-4:] or recent[-2:]
            root = rng.choice(pool) if pool else None
        other = None
        if len(pool_m) > 1:
            while (o := pool_m[int(rng.random() * len(pool_m))]) == d.author:
                pass
            other = people[o]
        oname = other.name.split()[0] if other else first
        mentions: list[str] = []
        if d.kind == "work":
            text = text_bank.work_text(rng, reply=root is not None)
            if other and root is None and rng.random() < 0.1:
                mentions = [other.key]
                text = f"@{oname} {text}"
        elif d.kind == "social":
            text = text_bank.social_text(rng, oname, reply=root is not None)
        else:
            text = text_bank.pleasantry_text(rng, oname)
        msg = SimMessage(
            mid, ch.platform, ch.id, d.author, ts, text, root[1] if root else None, mentions
        )
        if other and rng.random() < (0.35 if d.kind == "social" else 0.18):
            emo = _SOCIAL_EMOJI if d.kind == "social" else _WORK_EMOJI
            picked = rng.sample(pool_m, min(len(pool_m), rng.randint(1, 3) + 1))
            for r in [k for k in picked if k != d.author][:3]:
                msg.reactions.append((r, rng.choice(emo)))
        if rng.random() < 0.03:
            msg.edited_ts = ts + rng.uniform(30, 900)
        if root is None:
            lst = roots.setdefault(ch.id, [])
            lst.append((ts, mid, d.author, d.kind))
            if len(lst) > 24:  # only recent roots get replies; keeps the scan short
                del lst[:8]
        out.append(msg)
    return out


def bot_messages(
    rng: random.Random,
    cs: Channels,
    deploy_bot: SimPerson,
    standup_bot: SimPerson,
    team_times: dict[str, list[float]],
    deployers: list[SimPerson],
    days: list[float],
    ids: MessageIds,
) -> list[SimMessage]:
    """Deploy notifications and stand-up reminders, posted as `bot_message` on Slack.

    Args:
        rng: The simulation's random source.
        cs: Conversations (the `deploys` and team channels).
        deploy_bot: The deploy bot account.
        standup_bot: The stand-up bot account.
        team_times: Team name -> epoch seconds of each reminder.
        deployers: People whose first names appear as deploy triggers.
        days: Epoch seconds of each weekday's 00:00 UTC.
        ids: The id allocator shared by every message of the world.

    Returns:
        The bot messages.
    """
    out: list[SimMessage] = []
    for day in days:
        for _ in range(rng.randint(4, 10)):
            ts = day + rng.uniform(13 * 3600, 23 * 3600)
            mid, t = ids.make("slack", cs.deploys, ts)
            who = rng.choice(deployers).name.split()[0]
            text = text_bank.bot_text(rng, "deploy", who)
            out.append(
                SimMessage(mid, "slack", cs.deploys, deploy_bot.key, t, text, subtype="bot_message")
            )
    for team, times in team_times.items():
        cid = cs.team_slack.get(team.lower().replace(" ", "-"))
        if cid is None:
            continue
        for ts in times:
            mid, t = ids.make("slack", cid, ts)
            text = text_bank.bot_text(rng, "standup", team)
            out.append(
                SimMessage(mid, "slack", cid, standup_bot.key, t, text, subtype="bot_message")
            )
    return out


def handover_bursts(rng: random.Random, days: list[float], per_burst: int) -> list[float]:
    """Message times clustered around the 11:00 and 23:00 UTC shift hand-overs on weekdays."""
    out = []
    for day in days:
        for hour in (11.0, 23.0):
            for _ in range(per_burst):
                out.append(day + (hour + rng.uniform(-0.6, 0.6)) * 3600)
    return out


def night_pages(rng: random.Random, pr: Profile, dates: list[date], n_nights: int) -> list[float]:
    """A few messages between 00:00 and 04:00 local on on-call nights."""
    out = []
    for d in rng.sample(dates, min(n_nights, len(dates))):
        for _ in range(rng.randint(1, 3)):
            out.append(local_ts(pr.place(d).tz, d, rng.uniform(0.2, 4.0)))
    return out
