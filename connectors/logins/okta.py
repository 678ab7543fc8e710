"""Okta System Log `user.session.start` / `user.session.end` events, and SSO/authentication events as sign-ins.

JSON array, JSON lines, or the admin console's CSV download (dotted column names such as
`actor.alternateId`, read back into the nested event object). The session key is `authenticationContext.externalSessionId` (the Okta session id, shared by a
session's start and end); client IP, geolocation and user agent come along for the shared-account
and anonymised-access signals. An SSO into an app (`user.authentication.sso`) and the other
authentication steps are activity evidence, stored as sign-ins; other event types are skipped
(and counted); failed starts keep success=False.
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
    Skipped,
    clean,
    dig,
    event_id,
    obj,
    parse_ts,
    parse_ts_format,
    quarantine,
    ts_key,
)
from connectors.logins.csv_records import iter_csv_records, nest
from connectors.logins.detect_format import detect
from connectors.logins.text_input import iter_json_records

SOURCE = "okta"
EVENTS = {
    "user.session.start": "logon",
    "user.session.end": "logoff",
    "user.authentication.sso": "signin",
    "user.authentication.auth_via_mfa": "signin",
    "user.authentication.verify": "signin",
    "user.authentication.authenticate": "signin",
    "user.authentication.auth_via_IDP": "signin",
    "user.authentication.auth_via_social": "signin",
    "user.authentication.auth_via_radius": "signin",
}


# the dotted fields this parser reads, by their lower-cased column name (headers vary in case)
_CANONICAL = {
    name.lower(): name
    for name in (
        "uuid",
        "published",
        "eventType",
        "actor.id",
        "actor.alternateId",
        "actor.displayName",
        "client.ipAddress",
        "client.device",
        "device.id",
        "client.userAgent.rawUserAgent",
        "client.userAgent.browser",
        "client.geographicalContext.country",
        "client.geographicalContext.city",
        "outcome.result",
        "authenticationContext.externalSessionId",
    )
}


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
    csv_shape = detect(p).shape == "csv"
    records = (
        iter_csv_records(p, SOURCE)
        if csv_shape
        else iter_json_records(p, SOURCE, sections=("okta",))
    )
    for item in records:
        if not isinstance(item, tuple):
            yield item
            continue
        line, rec = item
        if csv_shape and isinstance(rec, dict):
            rec = nest({_CANONICAL.get(str(k).lower()) or str(k): v for k, v in rec.items() if v})
        if not isinstance(rec, dict) or not rec.get("eventType"):
            yield quarantine(SOURCE, file, line, "not an Okta System Log event (no eventType)", rec)
            continue
        event = EVENTS.get(str(rec["eventType"]))
        if event is None:
            if opts.report_skipped:
                yield Skipped(SOURCE, "unsupported event type")
            continue
        try:
            yield _event(rec, event, tz, file, opts.time_format)
        except BadRow as exc:
            yield quarantine(SOURCE, file, line, str(exc), rec)


def _event(
    rec: dict[str, Any], event: str, tz: Any, file: str, time_format: str | None = None
) -> LoginEvent:
    user = clean(dig(rec, "actor", "alternateId")) or clean(dig(rec, "actor", "id"))
    if not user:
        raise BadRow("missing actor")
    if time_format:
        ts = parse_ts_format(rec.get("published"), time_format, tz, file)
    else:
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
        # client.device is a form factor ("Computer"); the top-level device object names a
        # device enrolled with Okta Verify, so its id is the device itself
        device=clean(client.get("device")),
        device_id=clean(dig(rec, "device", "id")),
        client_app=clean(ua.get("browser")),
        user_agent=clean(ua.get("rawUserAgent")),
        country=clean(geo.get("country")),
        city=clean(geo.get("city")),
        success=result is None or result.upper() in ("SUCCESS", "ALLOW"),
        interactive=True,
    )
