"""Builds the simulated org chart: teams, managers, directors, names, zones and platform ids.

Planted personas and confounders are ordinary-looking employees placed in ordinary teams, so
nothing but their behaviour (generated elsewhere) sets them apart.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from commsignal.demo.world import SimPerson

# fmt: off
TEAM_NAMES = (
    "Payments", "Platform", "Data", "Security", "Web", "Mobile", "Infrastructure", "Core API",
    "Billing", "Search", "Growth", "Identity", "Analytics", "Customer Success",
    "Sales Engineering", "Finance Systems", "People Ops", "Design", "Quality", "Site Reliability",
)
# fmt: on

# Where each team mostly sits; members are spread like a real distributed company.
# fmt: off
_TEAM_HOMES = (
    "America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London",
    "America/New_York", "Europe/Berlin", "America/Denver", "Asia/Kolkata", "America/New_York",
    "Europe/Warsaw", "America/Los_Angeles", "America/Chicago", "Asia/Kolkata", "America/New_York",
    "Europe/London", "America/Toronto", "America/Chicago", "Europe/Berlin", "Europe/Warsaw",
    "America/Los_Angeles",
)
# fmt: on

# zone -> (country, city, residential address prefixes, office egress prefix)
ZONES: dict[str, tuple[str, str, tuple[str, ...], str]] = {
    "America/New_York": ("US", "New York", ("24.", "73.", "98."), "64.56."),
    "America/Chicago": ("US", "Chicago", ("24.", "73.", "67."), "64.57."),
    "America/Denver": ("US", "Denver", ("24.", "73.", "71."), "64.58."),
    "America/Los_Angeles": ("US", "Seattle", ("24.", "73.", "76."), "64.59."),
    "America/Toronto": ("CA", "Toronto", ("99.", "142."), "70.26."),
    "Europe/London": ("GB", "London", ("81.", "86."), "62.30."),
    "Europe/Berlin": ("DE", "Berlin", ("92.", "84."), "62.31."),
    "Europe/Warsaw": ("PL", "Warsaw", ("83.", "89."), "62.32."),
    "Asia/Kolkata": ("IN", "Bengaluru", ("49.", "122."), "115.97."),
    "Asia/Manila": ("PH", "Manila", ("112.", "119."), "203.177."),
}

# fmt: off
_FIRST = (
    "James", "Maria", "Robert", "Linda", "Michael", "Sarah", "David", "Emily", "Daniel", "Laura",
    "Kevin", "Rachel", "Brian", "Megan", "Jason", "Nicole", "Ryan", "Hannah", "Eric", "Olivia",
    "Carlos", "Sofia", "Diego", "Lucia", "Priya", "Arjun", "Ananya", "Rohan", "Kavya", "Vikram",
    "Wei", "Mei", "Jun", "Yuki", "Kenji", "Hyun", "Minh", "Linh", "Tomasz", "Agnieszka", "Piotr",
    "Katarzyna", "Lukas", "Anna", "Jonas", "Lena", "Felix", "Marie", "Oliver", "Amelia", "George",
    "Isla", "Harry", "Grace", "Jack", "Chloe", "Noah", "Ava", "Liam", "Mia", "Ethan", "Zoe",
    "Samuel", "Ella", "Omar", "Layla", "Yusuf", "Amira", "Kwame", "Ama", "Tunde", "Ngozi", "Mateo",
    "Valentina", "Gabriel", "Camila", "Andre", "Beatriz", "Ivan", "Elena", "Nikolai", "Irina",
    "Patrick", "Siobhan", "Connor", "Aisling", "Marcus", "Tanya", "Derek", "Janet", "Paul",
    "Karen", "Steven", "Lisa", "Frank", "Diane", "Neha", "Sanjay", "Deepa", "Rahul",
)
# fmt: on
# fmt: off
_LAST = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson",
    "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker",
    "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green", "Adams", "Baker", "Nelson",
    "Carter", "Mitchell", "Perez", "Roberts", "Patel", "Sharma", "Iyer", "Reddy", "Nair", "Gupta",
    "Kumar", "Chen", "Wang", "Li", "Zhang", "Liu", "Nguyen", "Tran", "Kim", "Park", "Tanaka",
    "Sato", "Kowalski", "Nowak", "Wisniewski", "Mueller", "Schmidt", "Schneider", "Fischer",
    "Weber", "Becker", "Evans", "Hughes", "Edwards", "Murphy", "Kelly", "O'Brien", "Byrne",
    "Walsh", "Okafor", "Mensah", "Adeyemi", "Silva", "Santos", "Oliveira", "Costa", "Rossi",
    "Bianchi", "Ivanova", "Petrov", "Novak", "Horvat", "Jensen", "Larsen", "Berg", "Lindqvist",
    "Cohen",
)
# fmt: on
# fmt: off
_IC_TITLES = (
    "Software Engineer", "Senior Software Engineer", "Staff Engineer", "Data Engineer",
    "Site Reliability Engineer", "QA Engineer", "Product Designer", "Product Manager",
    "Engineering Analyst", "Solutions Engineer", "Senior Data Analyst", "DevOps Engineer",
)
# fmt: on
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@dataclass(slots=True)
class Org:
    """People plus the team structure the activity generators need."""

    people: list[SimPerson]
    teams: dict[str, list[str]]
    managers: dict[str, str]
    directors: list[str]
    ceo: str


def slack_id(rng: random.Random, prefix: str = "U") -> str:
    """A Slack-style id: prefix plus 10 uppercase alphanumerics."""
    return prefix + "".join(rng.choice(_ALNUM) for _ in range(10))


def guid(rng: random.Random) -> str:
    """A deterministic GUID string (Graph ids are GUIDs)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _person(
    rng: random.Random, used: set[str], key: str, team: str, title: str, mgr: str | None, tz: str
) -> SimPerson:
    """One employee with a unique first.last email and both platform ids."""
    while True:
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        email = f"{first}.{last}@example.com".lower().replace("'", "")
        if email not in used:
            used.add(email)
            break
    return SimPerson(
        key=key,
        name=f"{first} {last}",
        email=email,
        team=team,
        title=title,
        manager_key=mgr,
        declared_tz=tz,
        actual_tz=tz,
        country=ZONES[tz][0],
        slack_id=slack_id(rng),
        graph_id=guid(rng),
    )


def build_org(rng: random.Random, n_people: int) -> Org:
    """Creates a CEO, four directors and ~20 teams each with a manager.

    Args:
        rng: The simulation's random source.
        n_people: Total headcount including leadership (at least 30).

    Returns:
        The org with people in a stable order (leadership first, then team by team).
    """
    n_people = max(30, n_people)
    used: set[str] = set()
    people: list[SimPerson] = []
    ceo = _person(
        rng, used, "p000", "Executive", "Chief Executive Officer", None, "America/New_York"
    )
    people.append(ceo)
    directors = []
    for i in range(4):
        tz = ("America/New_York", "America/Los_Angeles", "Europe/London", "America/Chicago")[i]
        d = _person(
            rng, used, f"p{len(people):03d}", "Executive", "Director of Engineering", ceo.key, tz
        )
        people.append(d)
        directors.append(d.key)
    n_teams = min(len(TEAM_NAMES), max(3, round((n_people - 5) / 9)))
    ics = n_people - 5 - n_teams
    sizes = [ics // n_teams + (1 if i < ics % n_teams else 0) for i in range(n_teams)]
    teams: dict[str, list[str]] = {}
    managers: dict[str, str] = {}
    for t in range(n_teams):
        name, home = TEAM_NAMES[t], _TEAM_HOMES[t]
        mgr = _person(
            rng,
            used,
            f"p{len(people):03d}",
            name,
            f"Engineering Manager, {name}",
            directors[t % 4],
            home,
        )
        people.append(mgr)
        managers[name] = mgr.key
        members = [mgr.key]
        for _ in range(sizes[t]):
            tz = home if rng.random() < 0.75 else rng.choice(list(ZONES))
            p = _person(rng, used, f"p{len(people):03d}", name, rng.choice(_IC_TITLES), mgr.key, tz)
            people.append(p)
            members.append(p.key)
        teams[name] = members
    return Org(people=people, teams=teams, managers=managers, directors=directors, ceo=ceo.key)
