"""Okta System Log `user.session.start` / `user.session.end` events to LoginEvents.

The session key is `authenticationContext.externalSessionId` (the Okta session id, shared by a
session's start and end); client IP, geolocation and user agent come along for the shared-account
and anonymised-access signals. Other event types are skipped; failed starts keep success=False.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from commsignal.models import LoginEvent
from connectors.logins.common import (
    BadRow,
    ParseOptions,
    ParseResult,
    clean,
    dig,
    event_id,
    iter_json_records,
    obj,
    parse_ts,
    quarantine,
    ts_key,
)

SOURCE = "okta"
EVENTS = {"user.session.start": "logon", "user.session.end": "logoff"}


def parse_okta(path: str | Path, options: ParseOptions | None = None) -> Iterator[ParseResult]:
    """Read Okta System Log events (JSON array, JSON lines, or a collection of fixtures).

    Args:
        path: the file.
        options: the time zone for naive `published` values (some exports drop the `Z`).

    Returns:
        An iterator of LoginEvent and Quarantined.
    """
    opts = options or ParseOptions()
    p = Path(path)
    file = str(p)
    tz = opts.tz()
    for item in iter_json_records(p, SOURCE, sections=("okta",)):
        if not isinstance(item, tuple):
            yield item
            continue
        line, rec = item
        if not isinstance(rec, dict) or not rec.get("eventType"):
            yield quarantine(SOURCE, file, line, "not an Okta System Log event (no eventType)", rec)
            continue
        event = EVENTS.get(str(rec["eventType"]))
        if event is None:
            continue
        try:
            yield _event(rec, event, tz, file)
        except BadRow as exc:
            yield quarantine(SOURCE, file, line, str(exc), rec)


def _event(rec: dict[str, Any], event: str, tz: Any, file: str) -> LoginEvent:
    user = clean(dig(rec, "actor", "alternateId")) or clean(dig(rec, "actor", "id"))
    if not user:
        raise BadRow("missing actor")
    ts = parse_ts(rec.get("published"), tz, file)
    key = clean(dig(rec, "authenticationContext", "externalSessionId"))
    if key == "unknown":
        key = None
    client = obj(rec.get("client"))
    geo = obj(client.get("geographicalContext"))
    ua = obj(client.get("userAgent"))
    result = clean(dig(rec, "outcome", "result"))
    ip = clean(client.get("ipAddress"))
    uuid = clean(rec.get("uuid"))
    if uuid:
        eid = event_id(SOURCE, uuid)
    else:
        eid = event_id(SOURCE, user.lower(), ts_key(ts), rec.get("eventType"), key, ip, result)
    return LoginEvent(
        event_id=eid,
        source=SOURCE,
        user=user,
        ts=ts,
        event=event,
        session_key=key,
        ip=ip,
        device=clean(client.get("device")),
        client_app=clean(ua.get("browser")),
        user_agent=clean(ua.get("rawUserAgent")),
        country=clean(geo.get("country")),
        city=clean(geo.get("city")),
        success=result is None or result.upper() in ("SUCCESS", "ALLOW"),
        interactive=True,
    )
