"""Generic login CSV (`user,timestamp,event[,ip][,device][,client_app][,session_id]`) to LoginEvents.

Each physical line is parsed on its own, so a stray quote in one row can never swallow the rows
after it; other headers are read through a column map and other event words through an event map.
The delimiter (`,`, `;`, tab, `|`) is taken from the header; timestamps are ISO-8601, epoch seconds
or milliseconds, or anything `--time-format` (strptime) describes.
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
    NeedsTimeFormat,
    ParseOptions,
    ParseResult,
    joined_event_id,
    parse_ts,
    parse_ts_format,
    quarantine,
    snippet,
    ts_key,
)
from connectors.logins.detect_format import split_header
from connectors.logins.text_input import iter_lines, open_text

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
_FALSE = frozenset({"0", "false", "no", "failure", "failed", "interrupted"})
# headers other tools write for the required columns, tried when the canonical name is absent
ALIASES = {
    "user": ("username", "user_name", "upn", "userprincipalname", "email", "account", "login"),
    "timestamp": ("time", "datetime", "date", "ts", "@timestamp", "eventtime", "event_time"),
    "event": ("action", "event_type", "eventtype", "activity"),
}
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
    event_map = check_event_map(opts.event_map)
    check_column_map(opts.column_map)
    with open_text(p) as fh:
        header: list[str] | None = None
        delimiter = ","
        stored = False
        pick: Callable[[list[str | None]], tuple[str | None, ...]] | None = None
        for lineno, line, too_long in iter_lines(fh):
            if too_long:
                if header is None:
                    raise LoginFormatError(
                        f"{file}: the first line is longer than 1 MiB; this is not a login CSV "
                        f"(it starts {snippet(line, 60)})"
                    )
                yield quarantine(SOURCE, file, lineno, "line longer than 1 MiB", line)
                continue
            if not line.strip():
                continue
            if header is None:
                header, delimiter = split_header(line)
                index = _column_index(header, opts.column_map, file)
                # -1 for an absent column reads the None that `_event` appends to every row
                pick = itemgetter(*(index.get(name, -1) for name in _FIELDS))
                continue
            try:
                cells = _split(line, delimiter)
            except csv.Error as exc:
                yield quarantine(
                    SOURCE, file, lineno, f"unreadable CSV line: {exc}", line.rstrip("\r\n")
                )
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
                yield _event(cells, pick, event_map, tz, file, opts.time_format)
                stored = True
            except NeedsTimeFormat as exc:
                if not stored:
                    raise LoginFormatError(f"{file}: {exc}") from None
                yield quarantine(SOURCE, file, lineno, str(exc), line.rstrip("\r\n"))
            except BadRow as exc:
                yield quarantine(SOURCE, file, lineno, str(exc), line.rstrip("\r\n"))


def check_column_map(column_map: dict[str, str]) -> None:
    """Refuse a --column target that is not a field of the login CSV, listing the valid ones.

    Args:
        column_map: canonical field -> header, as given.
    """
    unknown = sorted(k for k in column_map if k.strip().lower() not in REQUIRED + OPTIONAL)
    if unknown:
        raise LoginFormatError(
            f"--column {snippet(unknown[0], 40)}=...: not a field; valid fields are "
            f"{', '.join(REQUIRED + OPTIONAL)} (e.g. --column user=Username)"
        )


def check_event_map(event_map: dict[str, str]) -> dict[str, str]:
    """The --event map lower-cased; refuses a target that is not an event name, listing the valid ones.

    Args:
        event_map: the file's word -> canonical event, as given.

    Returns:
        The map with both sides stripped and lower-cased.
    """
    out = {k.strip().lower(): v.strip().lower() for k, v in event_map.items()}
    for word, target in out.items():
        if target not in EVENTS:
            raise LoginFormatError(
                f"--event {snippet(word, 40)}={snippet(target, 40)}: not an event; valid events "
                f"are {', '.join(sorted(EVENTS))} (e.g. --event Connected=reconnect)"
            )
    return out


def _split(line: str, delimiter: str = ",") -> list[str]:
    text = line.rstrip("\r\n")
    if '"' not in text and "\x00" not in text:
        return text.split(delimiter)
    return next(csv.reader([text], delimiter=delimiter, strict=True))


def _column_index(header: list[str], column_map: dict[str, str], file: str) -> dict[str, int]:
    lowered = {h.lower(): i for i, h in enumerate(header)}
    mapped = {k.strip().lower(): v for k, v in column_map.items()}
    shown = ", ".join(header)
    shown = shown if len(shown) <= 200 else shown[:197] + "..."
    index: dict[str, int] = {}
    for name in REQUIRED + OPTIONAL:
        wanted = mapped.get(name, name).strip().lower()
        if wanted in lowered:
            index[name] = lowered[wanted]
            continue
        if name in mapped:
            raise LoginFormatError(
                f"{file}: --column {name}={mapped[name][:40]}: no such column; the header "
                f"has: {shown}"
            )
        alias = next((a for a in ALIASES.get(name, ()) if a in lowered), None)
        if alias is not None:
            index[name] = lowered[alias]
        elif name in REQUIRED:
            raise LoginFormatError(
                f"{file}: no {name!r} column (the header has: {shown}); "
                f"map one with --column {name}=HEADER"
            )
    return index


def _event(
    cells: list[str],
    pick: Callable[[list[str | None]], tuple[str | None, ...]],
    event_map: dict[str, str],
    tz: tzinfo | None,
    file: str,
    time_format: str | None = None,
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
        raise BadRow(f"unknown event {snippet(raw_event, 40)}")
    ts = parse_ts_format(stamp, time_format, tz, file) if time_format else parse_ts(stamp, tz, file)
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
