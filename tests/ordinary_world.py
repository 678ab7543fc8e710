"""A small organisation written as real-shaped files, independent of the simulator.

The simulator shares the detectors' assumptions, so it cannot show what they miss. This module
writes a world by hand the way exports arrive: Windows Security events as NXLog-style JSON lines
(4624/4634/4647/4800/4801/4778/4779), Okta System Log JSON, Entra sign-ins as Graph JSON, a
directory CSV and a Slack export zip. Tests describe each person's life in their own local time
and read the digest that `commsignal digest` writes.
"""

from __future__ import annotations

import csv
import json
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from commsignal.cli import cli

_SOCIAL = "How was your weekend? The kids loved the match."
_WORK = "Pushed the fix for the build, review when you can."


@dataclass(slots=True)
class Resident:
    """One person of the world: who they are and where they say they live."""

    key: str
    tz: str
    country: str
    team: str = "Platform"
    start_date: str = "2022-03-01"
    slack_tz: str | None = None

    @property
    def email(self) -> str:
        return f"{self.key}@contoso.com"


@dataclass
class World:
    """Events of every person, kept in the shapes the files will have."""

    people: dict[str, Resident] = field(default_factory=dict)
    windows: list[dict[str, Any]] = field(default_factory=list)
    okta: list[dict[str, Any]] = field(default_factory=list)
    entra: list[dict[str, Any]] = field(default_factory=list)
    messages: list[tuple[str, float, str]] = field(default_factory=list)
    _seq: int = 0

    def add(self, person: Resident) -> Resident:
        """Register a person (directory row, Slack user, Windows and Okta accounts)."""
        self.people[person.key] = person
        return person

    def at(self, who: str, day: date, hour: float) -> float:
        """Epoch seconds of `hour` (may exceed 24) on `day` in the person's declared zone."""
        return self.at_zone(self.people[who].tz, day, hour)

    @staticmethod
    def at_zone(tz: str, day: date, hour: float) -> float:
        """Epoch seconds of `hour` on `day` in `tz` (wall clock, so DST changes apply)."""
        base = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz))
        return (base + timedelta(hours=hour)).timestamp()

    def win(self, who: str, ts: float, code: int, logon_id: str, host: str, **extra: Any) -> None:
        """One Windows Security event as an NXLog JSON record (flat EventData, UTC time)."""
        self._seq += 1
        rec: dict[str, Any] = {
            "EventID": code,
            "Hostname": host,
            "RecordNumber": self._seq,
            "EventTime": _iso(ts),
        }
        if code in (4778, 4779):
            rec.update({"AccountName": who, "AccountDomain": "CONTOSO", "LogonID": logon_id})
            rec.update({"SessionName": "RDP-Tcp#3", "ClientName": extra.pop("client", "LT-X")})
            rec["ClientAddress"] = extra.pop("ip", "10.20.0.9")
        else:
            rec.update(
                {"TargetUserName": who, "TargetDomainName": "CONTOSO", "TargetLogonId": logon_id}
            )
        rec.update(extra)
        self.windows.append(rec)

    def okta_event(
        self,
        who: str,
        ts: float,
        ip: str,
        country: str,
        kind: str = "user.authentication.sso",
        session: str | None = None,
        device: str = "Computer",
        agent: str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0",
    ) -> None:
        """One Okta System Log event; `country` is a full name, as Okta writes it."""
        self._seq += 1
        self.okta.append(
            {
                "uuid": f"okta-{self._seq:08d}",
                "published": _iso(ts),
                "eventType": kind,
                "actor": {"alternateId": self.people[who].email, "type": "User"},
                "authenticationContext": {"externalSessionId": session or f"idx{who}"},
                "client": {
                    "ipAddress": ip,
                    "device": device,
                    "userAgent": {"rawUserAgent": agent, "browser": "CHROME"},
                    "geographicalContext": {"country": country, "city": None},
                },
                "outcome": {"result": "SUCCESS"},
            }
        )

    def signin(
        self,
        who: str,
        ts: float,
        ip: str,
        country: str,
        interactive: bool = True,
        label: str = "Windows 10 / Chrome 131.0",
        app: str = "Browser",
    ) -> None:
        """One Entra sign-in in the Graph `signIns` shape; `label` is the OS/browser pair."""
        self._seq += 1
        os_name, _, browser = label.partition(" / ")
        self.entra.append(
            {
                "id": f"si-{self._seq:08d}",
                "createdDateTime": _iso(ts),
                "userPrincipalName": self.people[who].email,
                "userDisplayName": who,
                "appDisplayName": "Microsoft Teams",
                "ipAddress": ip,
                "clientAppUsed": app,
                "isInteractive": interactive,
                "status": {"errorCode": 0},
                "deviceDetail": {"deviceId": "", "operatingSystem": os_name, "browser": browser},
                "location": {"city": None, "countryOrRegion": country},
            }
        )

    def msg(self, who: str, ts: float, social: bool = False) -> None:
        """One Slack message by the person (text is scored on import and never stored)."""
        self.messages.append((who, ts, _SOCIAL if social else _WORK))

    # --- files ----------------------------------------------------------------------------

    def write(self, root: Path) -> dict[str, Path]:
        """Write every file; returns kind -> path."""
        root.mkdir(parents=True, exist_ok=True)
        paths = {
            "directory": root / "directory.csv",
            "windows": root / "security.jsonl",
            "okta": root / "okta.json",
            "entra": root / "signins.json",
            "slack": root / "export.zip",
        }
        with paths["directory"].open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(
                [
                    "email",
                    "display_name",
                    "team",
                    "title",
                    "manager_email",
                    "timezone",
                    "country",
                    "start_date",
                    "aliases",
                ]
            )
            for p in self.people.values():
                w.writerow(
                    [p.email, p.key, p.team, "Engineer", "", p.tz, p.country, p.start_date,
                     f"CONTOSO\\{p.key}"]
                )  # fmt: skip
        self.windows.sort(key=lambda r: r["EventTime"])
        paths["windows"].write_text("".join(json.dumps(r) + "\n" for r in self.windows))
        paths["okta"].write_text(json.dumps(sorted(self.okta, key=lambda r: r["published"])))
        paths["entra"].write_text(json.dumps({"value": self.entra}))
        self._slack_zip(paths["slack"])
        return paths

    def _slack_zip(self, path: Path) -> None:
        users = [
            {
                "id": f"U{p.key.upper()}",
                "name": p.key,
                "real_name": p.key,
                "tz": p.slack_tz or p.tz,
                "profile": {"real_name": p.key, "email": p.email},
            }
            for p in self.people.values()
        ]
        members = [u["id"] for u in users]
        days: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for n, (who, ts, text) in enumerate(sorted(self.messages, key=lambda m: m[1])):
            day = datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")
            days[day].append(
                {
                    "type": "message",
                    "user": f"U{who.upper()}",
                    "text": text,
                    "ts": f"{ts:.0f}.{n:06d}",
                }
            )
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("users.json", json.dumps(users))
            zf.writestr(
                "channels.json",
                json.dumps([{"id": "C0GEN", "name": "general", "created": 0, "members": members}]),
            )
            for day, msgs in days.items():
                zf.writestr(f"general/{day}.json", json.dumps(msgs))


def run_cli(db: Path, *args: str) -> str:
    """One `commsignal` command on the store, with a fixed pseudonym key; fails on a non-zero exit."""
    key = db.parent / "pseudonym.key"
    if not key.exists():
        key.write_text("ordinary-world-key-" + "0" * 32)
    cfg = db.parent / "commsignal.toml"
    cfg.write_text(f'[privacy]\npseudonym_key = {{ file = "{key}" }}\n')
    result = CliRunner().invoke(cli, ["--config", str(cfg), "--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.output


def import_world(world: World, root: Path) -> Path:
    """Write the world's files and import them the way an operator would; returns the store."""
    paths = world.write(root / "files")
    db = root / "world.db"
    run_cli(db, "import", "directory", str(paths["directory"]))
    if world.windows:
        run_cli(db, "import", "logins", "--format", "windows", str(paths["windows"]))
    if world.okta:
        run_cli(db, "import", "logins", "--format", "okta", str(paths["okta"]))
    if world.entra:
        run_cli(db, "import", "logins", "--format", "entra", str(paths["entra"]))
    if world.messages:
        run_cli(db, "import", "slack-export", str(paths["slack"]))
    return db


def digest_levels(db: Path, week: str, out: Path) -> dict[str, dict[str, Any]]:
    """email -> {"level", "risk", "findings": {detector: score}, "summaries"} from the JSON digest."""
    run_cli(db, "digest", "--week", week, "--format", "json", "--out", str(out), "--no-deliver")
    [path] = out.glob("*.json")
    digest = json.loads(path.read_text())
    from commsignal.store import open_db

    emails = dict(open_db(db).execute("select person_id, email from people").fetchall())
    result: dict[str, dict[str, Any]] = {}
    for row in digest["people"]:
        result[emails.get(row["person"], row["person"])] = {
            "level": row["level"],
            "risk": row["risk"],
            "findings": {f["detector"]: f["score"] for f in row["findings"]},
            "summaries": [f["summary"] for f in row["findings"]],
        }
    return result


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
