"""Composes varied chat text for the simulated organisation: work talk, small talk, pleasantries.

Texts are assembled from many fragments and generated ids so the scorer sees realistic variety
instead of a handful of repeated strings. Work fragments deliberately avoid every small-talk cue
word (no "running", "lunch", "weekend", "kudos" ...): a planted persona's zero-small-talk signal
must not be diluted by accidental cues in the work text that the simulation itself wrote.
"""

from __future__ import annotations

import random

_PROJECTS = ("PAY", "PLAT", "DATA", "SEC", "WEB", "MOB", "INFRA", "CORE", "BILL", "SRCH", "OPS")
# fmt: off
_SERVICES = (
    "billing-api", "ledger-svc", "auth-gateway", "search-indexer", "notif-svc", "checkout",
    "user-profile", "feature-flags", "etl-nightly", "risk-engine", "payments-core",
    "ingest-worker", "reporting-api", "rate-limiter", "invoice-gen", "export-svc", "kafka-bridge",
    "session-store", "media-resizer", "geo-lookup", "ledger-reconciler", "webhooks-out",
)
# fmt: on
_ENVS = ("staging", "prod", "canary", "dev", "qa", "prod-eu", "prod-us")
_REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-south-1")
# fmt: off
_CUSTOMERS = (
    "Northwind", "Contoso", "Fabrikam", "Globex", "Initech", "Tailspin", "Wingtip", "Vandelay",
    "Cyberdyne", "Hooli", "Soylent", "Acme", "Blue Yonder", "Massive Dynamic", "Oscorp",
)
# fmt: on
_TABLES = ("orders", "invoices", "accounts", "events_raw", "payouts", "audit_log", "ledger_lines")
_METRICS = ("p99 latency", "error rate", "queue depth", "cpu", "memory", "disk usage", "lag")
_DOCS = ("design doc", "RFC", "spec", "runbook", "postmortem", "migration plan", "ADR")

_WORK_ROOTS = (
    "PR #{pr} for {ticket} is up, can someone review?",
    "deployed {svc} {ver} to {env}, watching the dashboards",
    "{svc} {metric} went to {pct}% after {ver}, looking into it",
    "opened {ticket} for the flaky test in {svc}",
    "{ticket} is blocked on the {svc} config change",
    "rolled back {svc} in {env} to {ver}, error rate back to normal",
    "the {table} migration touched {n} rows in {region}",
    "{cust} asked for the export by {time}, who can pick up {ticket}?",
    "incident {inc}: {svc} returning 5xx in {region}, investigating",
    "incident {inc} resolved, root cause was a bad config push to {svc}",
    "updated the {doc} for {svc}, please add comments before {time}",
    "moving the {svc} sync to {time}, calendar invite updated",
    "CI on main is red since #{pr}, reverting",
    "{n} tickets left in the sprint, {ticket} and {ticket2} are the risky ones",
    "can we bump the {svc} timeout to {ms}ms? seeing retries from {cust}",
    "query on {table} takes {ms}ms now, adding an index in #{pr}",
    "{cust} reported duplicate invoices, tracking in {ticket}",
    "the {doc} for {ticket} is ready for review",
    "{svc} canary at {pct}% traffic, no new errors so far",
    "backfill for {table} done: {n} rows, {ms}ms per batch",
    "who owns {svc}? need approval for #{pr}",
    "release {ver} is cut, deploy window {time}",
    "alert on {svc} {metric} fired again in {region}, ack'd",
    "estimate for {ticket} is {k} points, splitting it into two tasks",
    "{cust} contract renewal needs the usage report by {time}",
    "pipeline for {svc} takes {k}0 min now, can we cache the dependencies?",
    "merged #{pr}, {ticket} can move to done",
    "data check: {table} has {n} orphaned rows in {env}",
    "agenda for the {svc} review is in the doc, please add items",
    "status on {ticket}? {cust} is asking",
    "the {svc} dashboard shows {metric} at {pct}% of the budget",
    "need a second pair of eyes on #{pr}, it touches the {table} schema",
    "scheduled maintenance for {svc} in {region} at {time}",
    "{ticket}: reproduced in {env}, stack trace attached",
    "bumping {svc} dependencies to fix the CVE in {ticket}",
    "load test on {svc}: {n} req/s before {metric} degrades",
    "drafted the Q4 roadmap items for {svc}, see the doc",
    "{cust} escalation: export job failed twice, see {ticket}",
    "shipping {ticket} behind the {flag} flag in {env}",
    "feature flag {flag} is now at {pct}% in {env}",
    "on-call handover: {inc} still open, {ticket} needs follow-up",
    "metrics for {svc} look stable after {ver}",
    "budget review for {svc} infra: {n} USD this month",
    "compliance asked for the {table} retention policy, drafting in {ticket}",
    "added {ticket2} as a dependency of {ticket}",
)
# fmt: off
_WORK_PREFIX = (
    "", "", "", "", "", "fyi ", "heads up: ", "update: ", "quick one: ", "ok so ", "note: ",
    "re {ticket3}: ", "question: ", "status: ", "small thing: ", "followup: ",
)
# fmt: on
# fmt: off
_WORK_SUFFIX = (
    "", "", "", "", "", "", " let me know", " will update the ticket", " eta {time}",
    " see {ticket3}", " details in the doc", " ping me if blocked", " more in the thread",
    " logs in {ticket3}", " no customer impact", " low priority", " asap please", ".",
)
# fmt: on
# fmt: off
_WORK_REPLIES = (
    "lgtm", "looking now", "approved, merge when green", "done, deployed to {env}", "+1",
    "I can take {ticket}", "can you share the logs?", "rolled back, investigating",
    "yes, {n} rows affected", "checking {svc} now", "on it", "same error in {env}",
    "fixed in #{pr}", "left comments on #{pr}", "let me know when it is merged",
    "I think it is the {svc} config, not the code", "ack", "will do after the standup",
    "pushed a fix, CI is green", "{metric} is back under {pct}%", "can we do it at {time}?",
    "filed {ticket} for the follow-up", "agreed, let's split it", "works on my side in {env}",
    "need approval from {cust} first", "reviewed, two small comments", "not yet, eta {time}",
    "{ticket} covers it", "which region? {region}?", "repro steps in {ticket}", "merged",
    "reverted in #{pr}", "it's the {table} index, {ms}ms without it",
)
# fmt: on
_WORK_REPLY_SUFFIX = ("", "", "", "", " in {env}", " for {ticket}", ", {svc}", " - {ver}")

_KIDS = ("my daughter", "my son", "the kids", "my little one", "our twins", "my oldest")
_KID_SPORTS = ("soccer", "basketball", "hockey", "a swim meet", "football", "tennis")
_FOODS = ("tacos", "ramen", "pizza", "sushi", "curry", "pancakes", "dumplings", "pho", "brunch")
_PETS = ("dog", "cat", "puppy", "kitten", "rescue dog")
_PET_NAMES = ("Biscuit", "Luna", "Max", "Pepper", "Milo", "Nala", "Ziggy", "Olive", "Bruno")
# fmt: off
_PLACES = (
    "Lisbon", "the lake", "my parents' place", "the coast", "Krakow", "Denver", "Edinburgh",
    "the mountains", "Goa", "Vancouver", "Austin", "a cabin up north", "Barcelona", "Kyoto",
)
# fmt: on
_SHOWS = ("the new season of that heist show", "a nature documentary", "the Bake Off final")
_HOBBIES = ("gardening", "baking sourdough", "climbing", "guitar", "woodworking", "knitting")
_DAYS = ("saturday", "sunday", "last weekend", "this weekend", "friday night")
# fmt: off
_EMOJI_TAIL = (
    "", "", "", " 😂", " :joy:", " haha", " lol", " :)", " 🎉", " :smile:", " 😅", " ❤️", " 🙌",
)
# fmt: on

_SOCIAL_ROOTS = (
    "{kid} had {sport} on {day}, they scored twice",
    "anyone else survive {sport} practice in the rain with {kid}?",
    "{kid} lost a tooth at breakfast today",
    "we tried a new place for {food} on {day}, so good",
    "made {food} from scratch {day}, took {k} hours",
    "our {pet} {petname} ate a sock again, vet visit number {k}",
    "{petname} the {pet} says hi to everyone",
    "just got back from {place}, the jet lag is real",
    "heading to {place} for the long weekend",
    "it's snowing here already, {k} degrees outside",
    "so windy today, my umbrella gave up",
    "finally some sunshine after a week of rain",
    "been getting into {hobby} lately, it is harder than it looks",
    "anyone watched {show}? no spoilers please",
    "happy birthday {name}!! 🎂",
    "congrats on the new baby {name}!",
    "the half marathon on {day} went ok, legs are done",
    "went jogging at dawn, {k} km in the fog",
    "my mom is visiting for {k} days, house is chaos",
    "still have a cold, sorry if I sound rough on calls",
    "how was your weekend {name}?",
    "any plans for the weekend?",
    "what did you get up to {day}?",
    "did you see the game last night?",
    "who is going to the team dinner on {day}?",
    "my kid asked why my job is just typing, fair question",
    "happy friday everyone, any fun plans?",
    "pumpkin spice season is back at the cafe downstairs",
    "we adopted a {pet}! name suggestions?",
    "ran into a moose on the hike {day}, no joke",
)
# fmt: off
_SOCIAL_REPLIES = (
    "haha same here", "aww how old is your {pet}?", "lol that's amazing",
    "omg {petname} is adorable", "did you have a good weekend?",
    "so jealous, {place} is on my travel list", "happy birthday!! 🎉", "congrats!!",
    "hope you feel better soon", "that's hilarious", "send pics of {petname} the {pet}",
    "my {kid2} did the same thing last year", "how was the trip to {place}?",
    "yum, where is that place?", "we had {food} too haha", "no way, how did they do?",
    "enjoy the trip!", "too funny :joy:", "haha classic", "raining here too, so grim",
    "where did you go?", "nice, {k} km of running is a lot",
)
# fmt: on
_SOCIAL_OPENERS = ("", "", "", "", "ok random but ", "totally off topic: ", "lol ", "non-work: ")

# fmt: off
_PLEASANTRIES = (
    "thanks!", "thank you", "thanks {name}", "morning all", "good morning team", "ty", "thx!",
    "much appreciated", "see you tomorrow", "heading out, bye all", "cheers", "hi all",
    "thanks, appreciate it", "good night all", "hello!", "thanks a lot {name}", "hey {name}",
    "morning", "many thanks", "talk later",
)
# fmt: on


def _ri(rng: random.Random, a: int, b: int) -> int:
    """`rng.randint` without its overhead (this runs ~20 times per message)."""
    return a + int(rng.random() * (b - a + 1))


def _pick(rng: random.Random, seq: tuple[str, ...]) -> str:
    return seq[int(rng.random() * len(seq))]


_PROJ = _PROJECTS
_SLOTS = {
    "ticket": lambda r: f"{_pick(r, _PROJ)}-{_ri(r, 100, 9999)}",
    "ticket2": lambda r: f"{_pick(r, _PROJ)}-{_ri(r, 100, 9999)}",
    "ticket3": lambda r: f"{_pick(r, _PROJ)}-{_ri(r, 100, 9999)}",
    "pr": lambda r: str(_ri(r, 1200, 9800)),
    "svc": lambda r: _pick(r, _SERVICES),
    "ver": lambda r: f"v{_ri(r, 1, 4)}.{_ri(r, 0, 30)}.{_ri(r, 0, 12)}",
    "env": lambda r: _pick(r, _ENVS),
    "region": lambda r: _pick(r, _REGIONS),
    "cust": lambda r: _pick(r, _CUSTOMERS),
    "table": lambda r: _pick(r, _TABLES),
    "metric": lambda r: _pick(r, _METRICS),
    "doc": lambda r: _pick(r, _DOCS),
    "n": lambda r: str(_ri(r, 2, 10 ** _ri(r, 2, 6))),
    "ms": lambda r: str(_ri(r, 3, 2500)),
    "pct": lambda r: str(_ri(r, 1, 99)),
    "k": lambda r: str(_ri(r, 2, 9)),
    "time": lambda r: f"{_ri(r, 8, 19):02d}:{_pick(r, ('00', '15', '30', '45'))} UTC",
    "inc": lambda r: f"INC-{_ri(r, 1000, 9999)}",
    "flag": lambda r: f"{_pick(r, ('new', 'fast', 'v2', 'async', 'bulk'))}_{_pick(r, _TABLES)}",
}


class _Slots(dict[str, str]):
    """Slot values drawn on first use, so a template only pays for the slots it names."""

    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.rng = rng

    def __missing__(self, key: str) -> str:
        value = _SLOTS[key](self.rng)
        self[key] = value
        return value


def _ids(rng: random.Random) -> _Slots:
    """Fresh slot values: ticket ids, versions, numbers and times make each text distinct."""
    return _Slots(rng)


def _social_slots(rng: random.Random, name: str) -> dict[str, str]:
    """Slot values for small talk: family, food, pets, places, shows."""
    return {
        "kid": rng.choice(_KIDS),
        "kid2": rng.choice(("daughter", "son", "nephew", "niece", "kid")),
        "sport": rng.choice(_KID_SPORTS),
        "food": rng.choice(_FOODS),
        "pet": rng.choice(_PETS),
        "petname": rng.choice(_PET_NAMES),
        "place": rng.choice(_PLACES),
        "show": rng.choice(_SHOWS),
        "hobby": rng.choice(_HOBBIES),
        "day": rng.choice(_DAYS),
        "k": str(rng.randint(2, 12)),
        "name": name,
    }


def work_text(rng: random.Random, reply: bool = False) -> str:
    """A work message (code review, deploy, ticket, incident, meeting, customer, data).

    Args:
        rng: The simulation's random source.
        reply: Whether the text answers a thread (short acknowledgement style).

    Returns:
        The message text; it contains no small-talk or pleasantry cue words.
    """
    slots = _ids(rng)
    if reply:
        tmpl = rng.choice(_WORK_REPLIES) + rng.choice(_WORK_REPLY_SUFFIX)
    else:
        tmpl = rng.choice(_WORK_PREFIX) + rng.choice(_WORK_ROOTS) + rng.choice(_WORK_SUFFIX)
    return tmpl.format_map(slots)


def social_text(rng: random.Random, name: str = "", reply: bool = False) -> str:
    """A small-talk message about life outside work, often with a joke or emoji.

    Args:
        rng: The simulation's random source.
        name: First name of someone in the conversation, used in greetings and questions.
        reply: Whether the text answers someone else's small talk.

    Returns:
        The message text.
    """
    slots = _social_slots(rng, name or "all")
    if reply:
        tmpl = rng.choice(_SOCIAL_REPLIES)
    else:
        tmpl = rng.choice(_SOCIAL_OPENERS) + rng.choice(_SOCIAL_ROOTS)
    return (tmpl + rng.choice(_EMOJI_TAIL)).format(**slots)


def pleasantry_text(rng: random.Random, name: str = "") -> str:
    """A greeting, thanks or farewell: politeness, which is not small talk.

    Args:
        rng: The simulation's random source.
        name: First name of the person thanked or greeted.

    Returns:
        The message text.
    """
    return rng.choice(_PLEASANTRIES).format(name=name or "all")


def bot_text(rng: random.Random, kind: str, subject: str) -> str:
    """A bot notification: a deploy result or a stand-up reminder.

    Args:
        rng: The simulation's random source.
        kind: "deploy" or "standup".
        subject: The deployer's first name (deploy) or the team name (standup).

    Returns:
        The message text.
    """
    slots = _ids(rng)
    if kind == "standup":
        return f"Standup reminder for {subject}: yesterday / today / blockers, reply in thread"
    outcome = rng.choice(("succeeded", "succeeded", "succeeded", "failed", "rolled back"))
    slots.update(o=outcome, who=subject)
    return "Deploy {svc} {ver} to {env} {o} (triggered by {who}, build {pr})".format_map(slots)
