"""A small seeded Slack workspace for the Slack tests and the benchmark (see `sample_world`)."""

from __future__ import annotations

import random

from commsignal.demo.fake_slack_api import ts_str
from commsignal.demo.world import SimChannel, SimLogin, SimMessage, SimPerson, World


def sample_world(n_messages: int = 400, n_people: int = 12, seed: int = 7) -> World:
    """A small seeded Slack workspace with every shape the connector must handle.

    Threads, mentions, reactions, edits, bot and system messages, private channels, group DMs and
    DMs, a deactivated-looking person not on Slack, and a few Slack access-log logins.

    Args:
        n_messages: how many messages to generate (replies included).
        n_people: how many people (one is not on Slack).
        seed: RNG seed; the same seed gives the same world.

    Returns:
        A World whose channels and messages are all on the "slack" platform.
    """
    rng = random.Random(seed)
    people = [
        SimPerson(
            key=f"p{i}",
            name=f"Person {i}",
            email=f"person{i}@example.com",
            team=f"team{i % 3}",
            title="Engineer",
            manager_key=None,
            declared_tz="Europe/London",
            actual_tz="Europe/London",
            country="GB",
            slack_id=f"U{i:08d}",
            graph_id=f"g{i}",
            on_slack=i != n_people - 1,
        )
        for i in range(n_people)
    ]
    on = [p for p in people if p.on_slack]
    bot = SimPerson(
        key="deploybot",
        name="Deploy Bot",
        email="",
        team="",
        title="",
        manager_key=None,
        declared_tz="UTC",
        actual_tz="UTC",
        country="",
        slack_id="U0BOT0001",
        graph_id="",
    )
    keys = [p.key for p in on]
    channels = [
        SimChannel("C00000001", "slack", "public_channel", "general", keys),
        SimChannel("C00000002", "slack", "public_channel", "random", keys),
        SimChannel("G00000003", "slack", "private_channel", "secret-project", keys[:4]),
        SimChannel("C00000004", "slack", "mpim", None, keys[1:4]),
        SimChannel("D00000005", "slack", "im", None, keys[:2]),
        SimChannel("C0000TEAM", "teams", "channel", "not-slack", keys, team_id="t1"),
    ]
    slack_channels = channels[:5]
    start = 1_767_225_600.0  # 2026-01-01
    msgs: list[SimMessage] = []
    roots: dict[str, list[SimMessage]] = {c.id: [] for c in slack_channels}
    t = start
    for i in range(n_messages):
        t += rng.uniform(1, 600)
        ch = rng.choice(slack_channels)
        author = rng.choice(ch.members)
        ts = ts_str(t)
        root = None
        if roots[ch.id] and rng.random() < 0.3:
            root = rng.choice(roots[ch.id][-20:]).id
        subtype = None
        if rng.random() < 0.03:
            subtype = "channel_join"
        if root and rng.random() < 0.05:
            subtype = "thread_broadcast"
        m = SimMessage(
            id=ts,
            platform="slack",
            channel=ch.id,
            author=author,
            ts=t,
            text=f"message {i} about the build, thanks!",
            thread_root=root,
            subtype=subtype,
        )
        if rng.random() < 0.04:
            m.author, m.subtype = bot.key, None
        if rng.random() < 0.2:
            m.mentions = rng.sample(ch.members, 1)
        if rng.random() < 0.2:
            m.reactions = [(rng.choice(ch.members), rng.choice(["+1", "tada", "eyes"]))]
        if rng.random() < 0.05:
            m.edited_ts = t + 60
        if root is None:
            roots[ch.id].append(m)
        msgs.append(m)
    logins = [
        SimLogin(
            person=p.key,
            user=p.email,
            ts=start + 3600 * k + i,
            event=ev,
            source="slack",
            session_id=f"s{i}-{k}",
            ip=f"10.0.0.{i % 3}",
            user_agent="Slack/4.0",
            country="GB",
        )
        for i, p in enumerate(on[:4])
        for k, ev in enumerate(["logon", "logoff", "logon"])
    ]
    return World(
        seed=seed,
        start=start,
        weeks=1,
        people=people,
        channels=channels,
        messages=msgs,
        meetings=[],
        logins=logins,
        bots=[bot],
    )
