"""Generic login CSV (`user,timestamp,event[,ip][,device][,client_app][,session_id]`) to LoginEvents.

Each physical line is parsed on its own, so a stray quote in one row can never swallow the rows
after it; other headers are read through a column map and other event words through an event map.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import tzinfo
from operator import itemgetter
from pathlib import Path

from commsignal.models import LoginEvent
from connectors.logins.common import (
    NULLS,
    BadRow,
    LoginFormatError,
    ParseOptions,
    ParseResult,
    joined_event_id,
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
# the order in which `_event` reads its fields from the column positions of a file
_FIELDS = (
    "user",
    "timestamp",
    "event",
    "session_id",
    "logon_type",
    "ip",
    "device",
    "client_app",
    "user_agent",
    "country",
    "city",
    "success",
    "host",
)


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
        pick: Callable[[list[str | None]], tuple[str | None, ...]] | None = None
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
                # -1 for an absent column reads the None that `_event` appends to every row
                pick = itemgetter(*(index.get(name, -1) for name in _FIELDS))
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
                assert pick is not None  # set with the header
                yield _event(cells, pick, event_map, tz, file)
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
    pick: Callable[[list[str | None]], tuple[str | None, ...]],
    event_map: dict[str, str],
    tz: tzinfo | None,
    file: str,
) -> LoginEvent:
    # each cell cleaned once (as `common.clean` would), then read by fixed position: this runs a
    # million times per big file, so no per-field lookups or calls
    values: list[str | None] = [c if (c := cell.strip()) not in NULLS else None for cell in cells]
    values.append(None)
    (
        user,
        stamp,
        raw,
        session_key,
        logon_type,
        ip,
        device,
        client_app,
        user_agent,
        country,
        city,
        success,
        host,
    ) = pick(values)
    if not user:
        raise BadRow("missing user")
    raw_event = (raw or "").lower()
    event = event_map.get(raw_event) or SYNONYMS.get(raw_event) or raw_event
    if event not in EVENTS:
        raise BadRow(f"unknown event {raw_event[:40]!r}")
    ts = parse_ts(stamp, tz, file)
    # the same fields and order as event_id(SOURCE, user.lower(), ts_key(ts), event, session_key,
    # device, ip, client_app): the values are already stripped, so they are joined directly
    eid = joined_event_id(
        SOURCE,
        "\x1f".join(
            (
                user.lower(),
                ts_key(ts),
                event,
                session_key or "",
                device or "",
                ip or "",
                client_app or "",
            )
        ),
    )
    return LoginEvent(
        eid,
        SOURCE,
        user,
        ts,
        event,
        session_key,
        logon_type,
        ip,
        device,
        client_app,
        user_agent,
        country,
        city,
        success is None or success.lower() not in _FALSE,
        None,
        host,
    )
