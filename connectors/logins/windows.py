"""Windows Security logon events (NXLog/Winlogbeat JSON, Get-WinEvent JSON/CSV, wevtutil XML, .evtx) to LoginEvents.

4624 logon, 4634 logoff, 4647 user-initiated logoff, 4800 lock, 4801 unlock, 4778 RDP reconnect,
4779 RDP disconnect. The session key is the logon id (TargetLogonId; 4778/4779 call it LogonID),
which is unique per computer only, so `host` always carries the computer name.

Ignored by default (see ParseOptions): machine accounts (`NAME$`), built-in system accounts,
network logons (type 3, one per file share or DC query, not a person at a keyboard) and the
elevated twin of a UAC split-token logon (Windows logs an administrator's interactive logon twice,
linked by TargetLinkedLogonId; lock and RDP events name only the non-elevated one, so keeping the
twin would add a session that never ends).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

from commsignal.models import LoginEvent
from connectors.logins.common import (
    BadRow,
    LoginFormatError,
    NaiveTimestampError,
    NeedsTimeFormat,
    ParseOptions,
    ParseResult,
    Skipped,
    clean,
    dig,
    event_id,
    naive_with_offset,
    obj,
    parse_ts,
    parse_ts_format,
    quarantine,
    ts_key,
)
from connectors.logins.detect_format import detect
from connectors.logins.text_input import iter_json_records
from connectors.logins.windows_evtx import evtx_records
from connectors.logins.windows_shapes import (
    flatten_get_winevent,
    is_get_eventlog,
    is_get_winevent,
    iter_export_csv,
    iter_xml_events,
)

SOURCE = "windows"
EVENTS = {
    4624: "logon",
    4634: "logoff",
    4647: "logoff",
    4800: "lock",
    4801: "unlock",
    4778: "reconnect",
    4779: "disconnect",
}
SYSTEM_ACCOUNTS = frozenset({"system", "local service", "network service", "anonymous logon"})
SYSTEM_PREFIXES = ("dwm-", "umfd-")
NETWORK_LOGON_TYPES = frozenset({"3"})
INTERACTIVE_LOGON_TYPES = frozenset({"2", "7", "10", "11", "12"})
_ELEVATED = frozenset({"%%1842", "yes"})


def parse_windows(path: str | Path, options: ParseOptions | None = None) -> Iterator[ParseResult]:
    """Read Windows Security logon events from JSON lines (NXLog, Winlogbeat) or an .evtx file.

    NXLog's EventTime is the collector's local time without a zone; when the record also has
    EventReceivedTime (local) and @timestamp (UTC) the offset is derived from that pair, exactly and
    per record (DST-safe); otherwise the declared time zone is used, else NaiveTimestampError.

    Args:
        path: the file.
        options: time zone and which accounts and logon types to keep.

    Returns:
        An iterator of LoginEvent and Quarantined; other event ids are skipped.
    """
    opts = options or ParseOptions()
    p = Path(path)
    file = str(p)
    tz = opts.tz()
    shape = "evtx" if p.suffix.lower() == ".evtx" else detect(p).shape
    if shape == "evtx":
        records: Iterator[Any] = evtx_records(p, SOURCE)
    elif shape == "xml":
        records = iter_xml_events(p, SOURCE)
    elif shape == "csv":
        records = iter_export_csv(p, SOURCE)
    else:
        records = iter_json_records(p, SOURCE)
    twins: set[tuple[str, str]] = set()
    stored = False
    for item in records:
        if not isinstance(item, tuple):
            yield item
            continue
        line, rec = item
        if not isinstance(rec, dict):
            yield quarantine(SOURCE, file, line, "not a JSON object", rec)
            continue
        flat = _flatten(rec)
        code = _int(flat.get("EventID"))
        if code is None:
            yield quarantine(SOURCE, file, line, "no EventID", rec)
            continue
        if code not in EVENTS:
            if opts.report_skipped:
                yield Skipped(SOURCE, "unsupported event id")
            continue
        try:
            ev = _event(code, flat, tz, file, opts.time_format)
        except NaiveTimestampError:
            raise
        except NeedsTimeFormat as exc:
            if not stored:  # the first timestamp already shows every row will fail the same way
                raise LoginFormatError(f"{file}: {exc}") from None
            yield quarantine(SOURCE, file, line, str(exc), rec)
            continue
        except BadRow as exc:
            yield quarantine(SOURCE, file, line, str(exc), rec)
            continue
        why = _skip_reason(ev, flat, opts, twins)
        if why is None:
            stored = True
            yield ev
        elif opts.report_skipped:
            yield Skipped(SOURCE, why)


def _flatten(rec: dict[str, Any]) -> dict[str, Any]:
    # one shape for every export: System fields plus EventData at the top level
    if "_time" in rec and "EventID" in rec:  # already flat (XML, Export-Csv)
        return rec
    if is_get_winevent(rec) or is_get_eventlog(rec):
        return flatten_get_winevent(rec)
    winlog = rec.get("winlog")
    if isinstance(winlog, dict):  # Winlogbeat: @timestamp is the event time (UTC)
        flat = dict(obj(winlog.get("event_data")))
        flat["EventID"] = winlog.get("event_id") or dig(rec, "event", "code")
        flat["Hostname"] = winlog.get("computer_name") or dig(rec, "host", "name")
        flat["RecordNumber"] = winlog.get("record_id")
        flat["_time"] = rec.get("@timestamp")
        return flat
    event = rec.get("Event")
    if isinstance(event, dict):  # evtx JSON
        system = obj(event.get("System"))
        data = event.get("EventData") or {}
        flat = dict(data) if isinstance(data, dict) else {}
        code = system.get("EventID")
        flat["EventID"] = code.get("#text") if isinstance(code, dict) else code
        flat["Hostname"] = system.get("Computer")
        flat["RecordNumber"] = system.get("EventRecordID")
        flat["_time"] = dig(system, "TimeCreated", "#attributes", "SystemTime")
        return flat
    flat = dict(rec)  # NXLog: flat already
    flat["_time"] = None
    return flat


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _event(
    code: int, f: dict[str, Any], tz: Any, file: str, time_format: str | None = None
) -> LoginEvent:
    rdp = code in (4778, 4779)
    sam = clean(f.get("AccountName") if rdp else f.get("TargetUserName"))
    if not sam:
        if f.get("_from_message"):
            raise BadRow(
                f"event {code}: no user name in its message (messages are read in English; "
                "export with `ConvertTo-Json -Depth 3` or `wevtutil qe Security /f:xml` instead)"
            )
        raise BadRow(f"event {code} without a user name")
    domain = clean(f.get("AccountDomain") if rdp else f.get("TargetDomainName"))
    user = qualified_name(domain, sam)
    key = clean(f.get("LogonID") if rdp else f.get("TargetLogonId"))
    if key is not None and key.isdigit():
        # Get-WinEvent's Properties give the logon id as a number; every other shape writes hex
        key = hex(int(key))
    host = clean(f.get("Hostname")) or clean(f.get("Computer"))
    ts = _timestamp(f, tz, file, time_format)
    logon_type = clean(f.get("LogonType"))
    if logon_type is not None and not logon_type.isdigit():
        logon_type = logon_type.split()[0][:8]  # "2 (Interactive)" in some renderings
    event = EVENTS[code]
    if rdp:
        ip, device = clean(f.get("ClientAddress")), clean(f.get("ClientName"))
        client_app: str | None = (
            "rdp" if str(f.get("SessionName", "")).upper().startswith("RDP") else None
        )
    else:
        ip, device = clean(f.get("IpAddress")), clean(f.get("WorkstationName"))
        client_app = "rdp" if logon_type == "10" else None
    if event in ("lock", "unlock") or rdp:
        interactive: bool | None = True
    elif logon_type:
        interactive = logon_type in INTERACTIVE_LOGON_TYPES
    else:
        interactive = None
    record = clean(f.get("RecordNumber"))
    host_id = (host or "").lower()
    if record:
        eid = event_id(SOURCE, host_id, record, code)
    else:
        # the bare name, as before domains were kept, so a re-import of an older file adds nothing
        eid = event_id(SOURCE, host_id, code, ts_key(ts), sam.lower(), key)
    return LoginEvent(
        event_id=eid,
        source=SOURCE,
        user=user,
        ts=ts,
        event=event,
        session_key=key.lower() if key else None,
        logon_type=logon_type,
        ip=ip if ip not in ("::1", "127.0.0.1") else None,
        device=device,
        client_app=client_app,
        interactive=interactive,
        host=host,
    )


def qualified_name(domain: str | None, sam: str) -> str:
    """`domain\\sam` in lower case (Windows names are case-insensitive), or the bare sam without a domain.

    The domain tells apart two people with one sam in different domains (a directory alias
    `DOMAIN\\sam` then names exactly one of them). A DNS domain is cut to its first label, the
    default NetBIOS name: a Kerberos logon writes `THESHIRE.LOCAL` where the logoff of the same
    session writes `THESHIRE`. A `NAME\\sam` or `NAME@domain` that arrived whole is kept.

    Args:
        domain: TargetDomainName / AccountDomain as logged (NetBIOS or DNS name), or None.
        sam: TargetUserName / AccountName.

    Returns:
        The login name stored for the event.
    """
    name = sam.strip().lower()
    if not domain or "\\" in name or "@" in name:
        return name
    return f"{domain.strip().lower().split('.', 1)[0]}\\{name}"


def _timestamp(f: dict[str, Any], tz: Any, file: str, time_format: str | None = None) -> float:
    if f.get("_time"):
        if time_format:
            return parse_ts_format(f["_time"], time_format, tz, file)
        return parse_ts(f["_time"], tz, file)
    raw = f.get("EventTime")
    if raw is None:
        raw = f.get("@timestamp")
        if raw is None:
            raise BadRow("no EventTime")
        return parse_ts(raw, tz, file)
    text = str(raw).strip()
    try:
        return parse_ts(text, None, file)
    except NaiveTimestampError:
        pass
    offset = _collector_offset(f)
    if offset is not None:
        try:
            return naive_with_offset(text, offset)
        except ValueError as exc:
            raise BadRow(f"bad EventTime {text[:40]!r}") from exc
    return parse_ts(text, tz, file)


def _collector_offset(f: dict[str, Any]) -> timedelta | None:
    # EventReceivedTime is the collector's local clock, @timestamp the same moment in UTC
    received, stamp = f.get("EventReceivedTime"), f.get("@timestamp")
    if not received or not stamp:
        return None
    try:
        local = naive_with_offset(str(received), timedelta(0))
        utc = parse_ts(stamp, None, "")
    except (ValueError, NaiveTimestampError):
        return None
    quarter_hours = round((local - utc) / 900.0)
    if abs(quarter_hours) > 14 * 4:
        return None
    return timedelta(minutes=15 * quarter_hours)


def _skip_reason(
    ev: LoginEvent, f: dict[str, Any], opts: ParseOptions, twins: set[tuple[str, str]]
) -> str | None:
    # None keeps the event; otherwise why it is left out (counted by the import, never silent)
    name = ev.user.rsplit("\\", 1)[-1]  # the sam: machine and system accounts are named by it
    if name.endswith("$") and not opts.include_machine_accounts:
        return "machine account"
    system = name in SYSTEM_ACCOUNTS or name.startswith(SYSTEM_PREFIXES)
    if system and not opts.include_system_accounts:
        return "system account"
    if ev.logon_type in NETWORK_LOGON_TYPES and not opts.include_network_logons:
        return "network logon"
    if opts.include_linked_elevated or system or not ev.session_key:
        return None
    twin = ((ev.host or "").lower(), ev.session_key)
    if ev.event == "logon":
        linked = clean(f.get("TargetLinkedLogonId"))
        elevated = str(f.get("ElevatedToken", "")).strip().lower() in _ELEVATED
        if linked and linked.lower() != "0x0" and elevated:
            twins.add(twin)
            return "elevated twin of a logon"
        twins.discard(twin)  # a logon id reused after a reboot is a new logon
        return None
    return "elevated twin of a logon" if twin in twins else None
