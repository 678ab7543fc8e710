"""Generic login CSV (`user,timestamp,event[,ip][,device][,client_app][,session_id]`) to LoginEvents.

Each physical line is parsed on its own, so a stray quote in one row can never swallow the rows
after it; other headers are read through a column map and other event words through an event map.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import tzinfo
from pathlib import Path

from commsignal.models import LoginEvent
from connectors.logins.common import (
    BadRow,
    LoginFormatError,
    ParseOptions,
    ParseResult,
    clean,
    event_id,
    parse_ts,
    quarantine,
    ts_key,
)

SOURCE = "csv"
REQUIRED = ("user", "timestamp", "event")
OPTIONAL = (
    "ip",
    "device",
    "client_app",
    "session_id",
    "country",
    "city",
    "user_agent",
    "logon_type",
    "host",
    "success",
)
EVENTS = frozenset({"logon", "logoff", "lock", "unlock", "disconnect", "reconnect", "signin"})
# common spellings seen in exports, so the event map is only needed for truly local words
SYNONYMS = {
    "login": "logon",
    "log on": "logon",
    "logout": "logoff",
    "log off": "logoff",
    "sign-in": "signin",
    "sign in": "signin",
}
_FALSE = frozenset({"0", "false", "no", "failure", "failed"})


def parse_csv(path: str | Path, options: ParseOptions | None = None) -> Iterator[ParseResult]:
    """Read a login CSV row by row.

    Args:
        path: the CSV file (UTF-8, with a header line).
        options: time zone for naive timestamps, column map (canonical -> header) and event map.

    Returns:
        An iterator of LoginEvent for good rows and Quarantined for bad ones (blank lines are skipped).
        Raises LoginFormatError when a required column is missing, NaiveTimestampError for a naive
        timestamp without a declared zone.
    """
    opts = options or ParseOptions()
    p = Path(path)
    file = str(p)
    tz = opts.tz()
    event_map = {k.strip().lower(): v.strip().lower() for k, v in opts.event_map.items()}
    with p.open("r", encoding="utf-8-sig", errors="replace", newline="") as fh:
        header: list[str] | None = None
        index: dict[str, int] = {}
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                cells = _split(line)
            except csv.Error as exc:
                yield quarantine(
                    SOURCE, file, lineno, f"unreadable CSV line: {exc}", line.rstrip("\r\n")
                )
                continue
            if header is None:
                header = [c.strip() for c in cells]
                index = _column_index(header, opts.column_map, file)
                continue
            if len(cells) != len(header):
                truncated = not line.endswith(("\n", "\r"))
                reason = (
                    "truncated last line"
                    if truncated and len(cells) < len(header)
                    else f"expected {len(header)} columns, got {len(cells)}"
                )
                yield quarantine(SOURCE, file, lineno, reason, line.rstrip("\r\n"))
                continue
            try:
                yield _event(cells, index, event_map, tz, file)
            except BadRow as exc:
                yield quarantine(SOURCE, file, lineno, str(exc), line.rstrip("\r\n"))


def _split(line: str) -> list[str]:
    text = line.rstrip("\r\n")
    if '"' not in text and "\x00" not in text:
        return text.split(",")
    return next(csv.reader([text], strict=True))


def _column_index(header: list[str], column_map: dict[str, str], file: str) -> dict[str, int]:
    lowered = {h.lower(): i for i, h in enumerate(header)}
    index: dict[str, int] = {}
    for name in REQUIRED + OPTIONAL:
        wanted = column_map.get(name, name).strip().lower()
        if wanted in lowered:
            index[name] = lowered[wanted]
        elif name in REQUIRED:
            raise LoginFormatError(
                f"{file}: no {wanted!r} column for {name!r} in header {header!r}; "
                f"map it with --column {name}=HEADER"
            )
    return index


def _event(
    cells: list[str],
    index: dict[str, int],
    event_map: dict[str, str],
    tz: tzinfo | None,
    file: str,
) -> LoginEvent:
    def get(name: str) -> str | None:
        i = index.get(name)
        return None if i is None else clean(cells[i])

    user = get("user")
    if not user:
        raise BadRow("missing user")
    raw_event = (get("event") or "").lower()
    event = event_map.get(raw_event) or SYNONYMS.get(raw_event) or raw_event
    if event not in EVENTS:
        raise BadRow(f"unknown event {raw_event[:40]!r}")
    ts = parse_ts(get("timestamp"), tz, file)
    session_key = get("session_id")
    ip, device, client_app = get("ip"), get("device"), get("client_app")
    success = get("success")
    return LoginEvent(
        event_id=event_id(
            SOURCE, user.lower(), ts_key(ts), event, session_key, device, ip, client_app
        ),
        source=SOURCE,
        user=user,
        ts=ts,
        event=event,
        session_key=session_key,
        logon_type=get("logon_type"),
        ip=ip,
        device=device,
        client_app=client_app,
        user_agent=get("user_agent"),
        country=get("country"),
        city=get("city"),
        success=success is None or success.lower() not in _FALSE,
        host=get("host"),
    )
