"""Microsoft Entra ID sign-ins (Graph `auditLogs/signIns`, portal JSON/CSV downloads, Azure diagnostic logs) to point LoginEvents.

Sign-ins are evidence of activity with IP, country and app, never sessions by themselves
(event "signin"). Graph shape: `{"value": [...]}`, one object or JSON lines. Diagnostic shape:
`{"time", "category": "SignInLogs", "properties": {...}}`; service-principal and managed-identity
categories are not people and are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

from commsignal.models import LoginEvent
from connectors.logins.common import (
    BadRow,
    LoginFormatError,
    NeedsTimeFormat,
    ParseOptions,
    ParseResult,
    Skipped,
    clean,
    dig,
    event_id,
    parse_ts,
    parse_ts_format,
    quarantine,
    ts_key,
)
from connectors.logins.csv_records import iter_csv_records
from connectors.logins.detect_format import detect
from connectors.logins.entra_csv import file_kind, graph_record
from connectors.logins.text_input import iter_json_records

SOURCE = "entra"
USER_CATEGORIES = frozenset({"SignInLogs", "NonInteractiveUserSignInLogs"})
USER_EVENT_TYPES = frozenset({"interactiveUser", "nonInteractiveUser"})


def _not_a_user(rec: dict[str, Any]) -> bool:
    # a service principal or managed identity sign-in (portal download or beta signIn object)
    r = rec.get("properties") if isinstance(rec.get("properties"), dict) else rec
    assert isinstance(r, dict)
    types = r.get("signInEventTypes")
    if isinstance(types, list) and types and not USER_EVENT_TYPES & set(map(str, types)):
        return True
    return bool(r.get("servicePrincipalId") or r.get("servicePrincipalName")) and not r.get(
        "userPrincipalName"
    )


def parse_entra(path: str | Path, options: ParseOptions | None = None) -> Iterator[ParseResult]:
    """Read Entra sign-in records.

    Args:
        path: the file.
        options: the time zone for naive timestamps (some exports drop the `Z`).

    Returns:
        An iterator of LoginEvent (event "signin") and Quarantined.
    """
    opts = options or ParseOptions()
    p = Path(path)
    file = str(p)
    tz = opts.tz()
    csv_shape = detect(p).shape == "csv"
    records = (
        iter_csv_records(p, SOURCE)
        if csv_shape
        else iter_json_records(p, SOURCE, sections=("azure", "entra", "signin"))
    )
    interactive, skip_all = file_kind(p.name) if csv_shape else (None, None)
    stored = False
    for item in records:
        if not isinstance(item, tuple):
            yield item
            continue
        line, rec = item
        if not isinstance(rec, dict):
            yield quarantine(SOURCE, file, line, "not a JSON object", rec)
            continue
        if csv_shape:
            if skip_all is None and not {"username", "user id"} & {k.lower() for k in rec}:
                skip_all = "not a user sign-in (no user columns)"
            if skip_all:
                if opts.report_skipped:
                    yield Skipped(SOURCE, skip_all)
                continue
            rec = graph_record(rec)
            if interactive is not None:
                rec.setdefault("isInteractive", interactive)
        category = rec.get("category")
        if (category is not None and str(category) not in USER_CATEGORIES) or _not_a_user(rec):
            if opts.report_skipped:
                yield Skipped(SOURCE, "not a user sign-in (service principal or managed identity)")
            continue
        try:
            ev = _event(rec, tz, file, opts.time_format)
        except NeedsTimeFormat as exc:
            if not stored:
                raise LoginFormatError(f"{file}: {exc}") from None
            yield quarantine(SOURCE, file, line, str(exc), rec)
            continue
        except BadRow as exc:
            yield quarantine(SOURCE, file, line, str(exc), rec)
            continue
        stored = True
        yield ev


def _event(rec: dict[str, Any], tz: Any, file: str, time_format: str | None = None) -> LoginEvent:
    props = rec.get("properties")
    r = props if isinstance(props, dict) else rec
    user = clean(r.get("userPrincipalName")) or clean(r.get("userId"))
    if not user:
        raise BadRow("missing userPrincipalName")
    raw_ts = r.get("createdDateTime") or rec.get("time")
    if raw_ts is None:
        raise BadRow("missing createdDateTime")
    if rec.get("_naive_utc"):
        tz = UTC
    if time_format:
        ts = parse_ts_format(raw_ts, time_format, tz, file)
    else:
        ts = parse_ts(raw_ts, tz, file)
    ip = clean(r.get("ipAddress")) or clean(rec.get("callerIpAddress"))
    app = clean(r.get("appDisplayName")) or clean(r.get("clientAppUsed"))
    key = clean(r.get("sessionId"))
    uid = clean(r.get("id"))
    if uid:
        # the same id the Graph connector gives a synced sign-in, so a file import and a sync collapse
        eid = f"entra:{uid}"
    else:
        eid = event_id(
            SOURCE, user.lower(), ts_key(ts), ip, app, key, clean(rec.get("correlationId"))
        )
    interactive = r.get("isInteractive")
    types = r.get("signInEventTypes")
    if not isinstance(interactive, bool) and isinstance(types, list) and types:
        interactive = "interactiveUser" in types
    # as the Graph sync maps a signIn: the OS/browser label is client evidence, the device's
    # name is its host and deviceId its identity (empty for unregistered devices)
    label = " / ".join(
        x
        for x in (
            clean(dig(r, "deviceDetail", "operatingSystem")),
            clean(dig(r, "deviceDetail", "browser")),
        )
        if x
    )
    return LoginEvent(
        event_id=eid,
        source=SOURCE,
        user=user,
        ts=ts,
        event="signin",
        session_key=key,
        ip=ip,
        device=label or None,
        host=clean(dig(r, "deviceDetail", "displayName")),
        device_id=clean(dig(r, "deviceDetail", "deviceId")),
        account_id=clean(r.get("userId")),
        client_app=app,
        user_agent=clean(r.get("userAgent")),
        country=clean(dig(r, "location", "countryOrRegion")),
        city=clean(dig(r, "location", "city")),
        success=_success(r, rec),
        interactive=interactive if isinstance(interactive, bool) else None,
    )


def _success(r: dict[str, Any], rec: dict[str, Any]) -> bool:
    code = dig(r, "status", "errorCode")
    if code is not None:
        return str(code).strip() == "0"
    result = clean(rec.get("resultType"))
    if result is None:
        return True
    return result.lower() in ("0", "success")
