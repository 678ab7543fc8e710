"""Writes the identity fixtures: one small organisation seen by Slack, Windows, Okta and a directory.

Run `python tests/data/identity/generate.py` to rewrite them; the files are committed, so tests
never depend on this script. Week 2026-W47 (Mon 16 - Sun 22 November 2026, UTC).

- Anna: Slack U01ANNA (email), Windows `anna.mueller` (domain CONTOSO), Okta by email; logged on
  Monday and never off, chatting at all hours until Friday (a marathon once evidence is joined),
  signing in through AnyDesk.
- Ben: Slack (email), Windows `bokafor` (the directory's `CONTOSO\\bokafor`), Okta `Ben.Okafor@...`.
- Carla: Slack without email (the directory lists U03CARLA), Okta by email; a new joiner.
- Erin: Slack and Okta by email, no alias needed.
- Frank: Slack at fabrikam.com; a Windows `frank` that nothing joins (no local-part guessing).
- `x.worker`: Windows only, an RDP session reconnected every 12 h for five days (unmatched).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MON = 1_794_787_200  # 2026-11-16T00:00:00Z, a Monday
H = 3600


def iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


USERS = [
    ("U01ANNA", "anna", "Anna Mueller", "anna.mueller@contoso.com"),
    ("U02BEN", "ben", "Ben Okafor", "ben.okafor@contoso.com"),
    ("U03CARLA", "carla", "Carla Diaz", None),
    ("U04ERIN", "erin", "Erin Walsh", "erin.walsh@contoso.com"),
    ("U05FRANK", "frank", "Frank Berg", "frank@fabrikam.com"),
]


def slack_export() -> None:
    root = HERE / "slack_export"
    (root / "general").mkdir(parents=True, exist_ok=True)
    users = [
        {
            "id": uid,
            "name": name,
            "real_name": real,
            "tz": "Europe/Berlin",
            "profile": {"real_name": real, **({"email": email} if email else {})},
        }
        for uid, name, real, email in USERS
    ]
    users.append({"id": "B0BOT", "name": "deploybot", "is_bot": True, "profile": {}})
    (root / "users.json").write_text(json.dumps(users, indent=1))
    members = [u[0] for u in USERS]
    channels = [{"id": "C01GEN", "name": "general", "created": MON - 86400, "members": members}]
    (root / "channels.json").write_text(json.dumps(channels, indent=1))
    for day in range(5):
        msgs = []
        base = MON + day * 86400
        # Anna at all hours (the hand-over shifts of an account run by several people)
        for hour in (1, 5, 9, 13, 17, 21):
            msgs.append(
                {
                    "type": "message",
                    "user": "U01ANNA",
                    "text": "Deployed the fix.",
                    "ts": f"{base + hour * H}.000100",
                }
            )
        for i, (uid, hour) in enumerate(
            (("U02BEN", 9), ("U03CARLA", 10), ("U04ERIN", 11), ("U05FRANK", 12))
        ):
            ts = f"{base + hour * H + 60 * i}.000200"
            msgs.append(
                {
                    "type": "message",
                    "user": uid,
                    "text": f"Morning <@U01ANNA>, how was your weekend? day {day}",
                    "ts": ts,
                    "reactions": [{"name": "wave", "users": ["U01ANNA", "U02BEN"], "count": 2}],
                }
            )
            msgs.append(
                {
                    "type": "message",
                    "user": "U02BEN" if uid != "U02BEN" else "U04ERIN",
                    "text": "Thanks, looks good.",
                    "ts": f"{base + hour * H + 600 + 60 * i}.000300",
                    "thread_ts": ts,
                    "parent_user_id": uid,
                }
            )
        msgs.append(
            {
                "type": "message",
                "subtype": "bot_message",
                "bot_id": "B0BOT",
                "text": "build ok",
                "ts": f"{base + 15 * H}.000400",
            }
        )
        msgs.sort(key=lambda m: m["ts"])
        day_name = time.strftime("%Y-%m-%d", time.gmtime(base))
        (root / "general" / f"{day_name}.json").write_text(json.dumps(msgs, indent=1))


def windows() -> None:
    rows = []
    n = 0

    def ev(code: int, ts: float, user: str, logon_id: str, host: str, **extra: object) -> None:
        nonlocal n
        n += 1
        name_key = "AccountName" if code in (4778, 4779) else "TargetUserName"
        id_key = "LogonID" if code in (4778, 4779) else "TargetLogonId"
        dom_key = "AccountDomain" if code in (4778, 4779) else "TargetDomainName"
        rows.append(
            {
                "EventID": code,
                "Hostname": host,
                "RecordNumber": n,
                "EventTime": iso(ts),
                name_key: user,
                dom_key: "CONTOSO",
                id_key: logon_id,
                **extra,
            }
        )

    # Anna: logged on Monday morning, never logged off or locked
    ev(4624, MON + 8 * H, "anna.mueller", "0xA1", "PC-ANNA", LogonType="2", IpAddress="10.0.0.11")
    # Ben: ordinary days, locked at lunch, logged off at night
    for day in range(5):
        base = MON + day * 86400
        lid = f"0xB{day}"
        ev(4624, base + 8 * H, "bokafor", lid, "PC-BEN", LogonType="2", IpAddress="10.0.0.12")
        ev(4800, base + 12 * H, "bokafor", lid, "PC-BEN")
        ev(4801, base + 13 * H, "bokafor", lid, "PC-BEN")
        ev(4634, base + 17 * H, "bokafor", lid, "PC-BEN", LogonType="2")
    # Frank: one ordinary day on a Windows box nobody can tie to him
    ev(4624, MON + 86400 + 9 * H, "frank", "0xF1", "PC-LAB", LogonType="2", IpAddress="10.0.0.30")
    ev(4634, MON + 86400 + 16 * H, "frank", "0xF1", "PC-LAB", LogonType="2")
    # x.worker: an RDP session reconnected every 12 hours from Monday to Saturday
    ev(4624, MON + 1 * H, "x.worker", "0xC1", "JUMP-01", LogonType="10", IpAddress="203.0.113.7")
    for k in range(1, 10):
        ev(
            4778,
            MON + 1 * H + k * 12 * H,
            "x.worker",
            "0xC1",
            "JUMP-01",
            ClientAddress="203.0.113.7",
            ClientName="HOME-PC",
            SessionName="RDP-Tcp#1",
        )
    (HERE / "windows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def okta() -> None:
    recs = []

    def session(user: str, start: float, end: float | None, ua: str, ip: str, key: str) -> None:
        common = {
            "actor": {"alternateId": user},
            "authenticationContext": {"externalSessionId": key},
            "client": {
                "ipAddress": ip,
                "userAgent": {"rawUserAgent": ua, "browser": "CHROME"},
                "geographicalContext": {"country": "Germany", "city": "Berlin"},
            },
            "outcome": {"result": "SUCCESS"},
        }
        recs.append(
            {
                "uuid": f"{key}-s",
                "eventType": "user.session.start",
                "published": iso(start),
                **common,
            }
        )
        if end is not None:
            recs.append(
                {
                    "uuid": f"{key}-e",
                    "eventType": "user.session.end",
                    "published": iso(end),
                    **common,
                }
            )

    chrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/130.0"
    for day in range(5):
        base = MON + day * 86400
        session(
            "anna.mueller@contoso.com",
            base + 2 * H,
            base + 3 * H,
            "AnyDesk/8.0.9 (Windows NT 10.0; Win64; x64)",
            "45.86.200.10",
            f"ann{day}",
        )
        session(
            "Ben.Okafor@contoso.com",
            base + 8 * H + 300,
            base + 17 * H,
            chrome,
            "198.51.100.2",
            f"ben{day}",
        )
        session(
            "carla.diaz@contoso.com",
            base + 9 * H,
            base + 17 * H,
            chrome,
            "198.51.100.2",
            f"car{day}",
        )
        session(
            "erin.walsh@contoso.com",
            base + 10 * H,
            base + 18 * H,
            chrome,
            "198.51.100.3",
            f"eri{day}",
        )
    (HERE / "okta.json").write_text(json.dumps(recs, indent=1))


def directory() -> None:
    lines = [
        "email,display_name,team,title,manager_email,timezone,country,start_date,aliases",
        "anna.mueller@contoso.com,Anna Mueller,Platform,Engineer,ben.okafor@contoso.com,Europe/Berlin,DE,2024-02-01,CONTOSO\\anna.mueller",
        "ben.okafor@contoso.com,Ben Okafor,Platform,Team lead,,Europe/London,GB,2019-05-01,CONTOSO\\bokafor;E1002",
        "carla.diaz@contoso.com,Carla Diaz,Platform,Engineer,ben.okafor@contoso.com,Europe/Madrid,ES,2026-11-02,U03CARLA;CONTOSO\\cdiaz",
        "erin.walsh@contoso.com,Erin Walsh,Sales,Account manager,,Europe/Dublin,IE,2021-09-13,",
    ]
    (HERE / "directory.csv").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    slack_export()
    windows()
    okta()
    directory()
