"""The other ways Windows Security events leave a machine, each read into the flat field names of windows.py.

- `Get-WinEvent ... | ConvertTo-Json`: `Id`, `TimeCreated` (`"/Date(ms)/"` in Windows PowerShell
  5.1, ISO-8601 in PowerShell 7), `MachineName`, `RecordId` and `Properties`, a list of
  `{"Value": ...}` in the order of the event's template (names below, from the event docs).
- `Get-EventLog -LogName Security` (Windows PowerShell only): `EventID`, `TimeGenerated`, `Index`
  and `ReplacementStrings`, the same values as `Properties` as plain strings.
- `Get-WinEvent ... | Export-Csv`: the same columns, but `Properties` is a type name, so the
  fields are read from the rendered `Message` ("Account Name:\t\tjdoe" lines under sections);
  Event Viewer's "Save All Events As" CSV likewise (Level, Date and Time, Source, Event ID,
  Task Category, then the message in a column without a name).
- `wevtutil qe Security /f:xml` (events one after another, no root) and Event Viewer's
  "Save as XML" (`<Events>` root): `<System>` plus `<EventData><Data Name=...>`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from commsignal.models import Quarantined
from connectors.logins.common import quarantine
from connectors.logins.csv_records import iter_csv_records
from connectors.logins.text_input import MAX_LINE, open_text

# event templates: the order of `Properties` in Get-WinEvent output
TEMPLATES: dict[int, tuple[str, ...]] = {
    4624: (
        "SubjectUserSid",
        "SubjectUserName",
        "SubjectDomainName",
        "SubjectLogonId",
        "TargetUserSid",
        "TargetUserName",
        "TargetDomainName",
        "TargetLogonId",
        "LogonType",
        "LogonProcessName",
        "AuthenticationPackageName",
        "WorkstationName",
        "LogonGuid",
        "TransmittedServices",
        "LmPackageName",
        "KeyLength",
        "ProcessId",
        "ProcessName",
        "IpAddress",
        "IpPort",
        "ImpersonationLevel",
        "RestrictedAdminMode",
        "TargetOutboundUserName",
        "TargetOutboundDomainName",
        "VirtualAccount",
        "TargetLinkedLogonId",
        "ElevatedToken",
    ),
    4634: ("TargetUserSid", "TargetUserName", "TargetDomainName", "TargetLogonId", "LogonType"),
    4647: ("TargetUserSid", "TargetUserName", "TargetDomainName", "TargetLogonId"),
    4800: ("TargetUserSid", "TargetUserName", "TargetDomainName", "TargetLogonId", "SessionId"),
    4801: ("TargetUserSid", "TargetUserName", "TargetDomainName", "TargetLogonId", "SessionId"),
    4778: ("AccountName", "AccountDomain", "LogonID", "SessionName", "ClientName", "ClientAddress"),
    4779: ("AccountName", "AccountDomain", "LogonID", "SessionName", "ClientName", "ClientAddress"),
}


def is_get_winevent(rec: dict[str, Any]) -> bool:
    """Whether a JSON record is a Get-WinEvent EventLogRecord (Id + TimeCreated, no EventID)."""
    return "Id" in rec and "TimeCreated" in rec and "EventID" not in rec


def is_get_eventlog(rec: dict[str, Any]) -> bool:
    """Whether a JSON record is a Windows PowerShell `Get-EventLog` EventLogEntry (EventID + TimeGenerated)."""
    return "TimeGenerated" in rec and ("EventID" in rec or "InstanceId" in rec)


def flatten_get_winevent(rec: dict[str, Any]) -> dict[str, Any]:
    """A ConvertTo-Json EventLogRecord or EventLogEntry as flat fields (EventID, Hostname, RecordNumber, _time, data).

    Get-WinEvent gives `Properties` (`{"Value": ...}` objects); Get-EventLog gives the same
    values as `ReplacementStrings` (plain strings), `TimeGenerated` and the record number as
    `Index`. Either falls back to the rendered `Message` when the values are not expanded.
    """
    flat: dict[str, Any] = {}
    legacy = "Id" not in rec
    raw_code = rec.get("EventID", rec.get("InstanceId")) if legacy else rec.get("Id")
    code = _int(raw_code)
    if legacy and code is not None:
        code &= 0xFFFF  # InstanceId carries the severity bits above the event id
    props = rec.get("ReplacementStrings") if legacy else rec.get("Properties")
    names = TEMPLATES.get(code or 0, ())
    # Properties not expanded (-Depth 1) are type names, never values: only objects count there
    kinds = str if legacy else dict
    if isinstance(props, list) and props and all(isinstance(p, kinds) for p in props):
        for name, prop in zip(names, props, strict=False):
            flat[name] = _value(prop)
    elif isinstance(rec.get("Message"), str):  # properties not expanded (-Depth 1): the message
        flat.update(message_fields(code or 0, rec["Message"]))
        flat["_from_message"] = True
    flat["EventID"] = code
    flat["Hostname"] = rec.get("MachineName")
    flat["RecordNumber"] = rec.get("Index") if legacy else rec.get("RecordId")
    stamp = rec.get("TimeGenerated") if legacy else rec.get("TimeCreated")
    if isinstance(stamp, dict):  # a DateTime with note properties: {"value": "/Date(..)/", ...}
        stamp = stamp.get("value", stamp.get("DateTime"))
    flat["_time"] = stamp
    return flat


def _value(prop: Any) -> Any:
    # {"Value": x}; a SID or GUID may itself be an object whose "Value" is its string form
    value = prop.get("Value") if isinstance(prop, dict) else prop
    if isinstance(value, dict):
        value = value.get("Value", "")
    return value


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


_FIELD = re.compile(r"^\s*([A-Za-z][A-Za-z ()/-]{1,40}):[ \t]*(.*?)\s*$")
# message label -> field name, per section ("" is the top level, before any section)
_LABELS = {
    "Account Name": "AccountName",
    "Account Domain": "AccountDomain",
    "Logon ID": "LogonID",
    "Linked Logon ID": "TargetLinkedLogonId",
    "Logon Type": "LogonType",
    "Elevated Token": "ElevatedToken",
    "Workstation Name": "WorkstationName",
    "Source Network Address": "IpAddress",
    "Session Name": "SessionName",
    "Client Name": "ClientName",
    "Client Address": "ClientAddress",
}


def message_fields(code: int, message: str) -> dict[str, Any]:
    """The fields windows.py reads, from an event's rendered message text.

    Args:
        code: the event id (4624 names its user under "New Logon:", the others under "Subject:").
        message: the message as Windows renders it in English.

    Returns:
        Flat fields named like the event data (TargetUserName, TargetLogonId, LogonType, ...).
    """
    section = ""
    seen: dict[str, dict[str, str]] = {}
    for line in message.splitlines()[:200]:
        m = _FIELD.match(line)
        if not m:
            continue
        label, value = m.group(1).strip(), m.group(2).strip()
        if not value and not line[:1].isspace():
            section = label
            continue
        name = _LABELS.get(label)
        if name:
            seen.setdefault(section, {}).setdefault(name, value)
    user_section = seen.get("New Logon" if code == 4624 else "Subject", {})
    flat: dict[str, Any] = {}
    for part in seen.values():  # logon type, network and session details wherever they are
        for key, value in part.items():
            flat.setdefault(key, value)
    flat.update(user_section)
    if code in (4778, 4779):
        return flat
    flat["TargetUserName"] = user_section.get("AccountName")
    flat["TargetDomainName"] = user_section.get("AccountDomain")
    flat["TargetLogonId"] = user_section.get("LogonID")
    return flat


def iter_export_csv(path: Path, source: str) -> Iterator[tuple[int, Any] | Quarantined]:
    """Records of a Get-WinEvent `Export-Csv` file (quoted, multi-line `Message` cells).

    Args:
        path: the file (UTF-8, UTF-16 or ASCII; an optional `#TYPE` first line).
        source: the format name, for quarantine entries.

    Returns:
        An iterator of (line number, flat fields) or Quarantined.
    """
    for item in iter_csv_records(path, source, skip_type_line=True, extra_column="Message"):
        if not isinstance(item, tuple):
            yield item
            continue
        n, rec = item
        # Get-WinEvent's Export-Csv names Id/TimeCreated/RecordId, Get-EventLog's
        # EventID/TimeGenerated/Index; Event Viewer's "Save as CSV" has "Event ID" and
        # "Date and Time" and no computer name
        raw_id = rec.get("Id", rec.get("EventID", rec.get("Event ID")))
        code = _int(raw_id)
        flat = message_fields(code or 0, rec.get("Message") or "")
        flat["_from_message"] = True
        flat["EventID"] = code if code is not None else raw_id
        flat["Hostname"] = rec.get("MachineName")
        flat["RecordNumber"] = rec.get("RecordId", rec.get("Index"))
        flat["_time"] = (
            rec.get("TimeCreated") or rec.get("TimeGenerated") or rec.get("Date and Time") or None
        )
        yield (n, flat)


_EVENT_END = "</Event>"
# what may stand between events: an XML declaration, comments, the <Events> wrapper of a save
_WRAPPER = re.compile(r"<\?xml[^>]*\?>|<!--.*?-->|</?Events(?:\s[^>]*)?>|\ufeff", re.S)


def iter_xml_events(path: Path, source: str) -> Iterator[tuple[int, Any] | Quarantined]:
    """Events of `wevtutil qe /f:xml` output or an Event Viewer XML save, one `<Event>` at a time.

    Args:
        path: the file.
        source: the format name, for quarantine entries.

    Returns:
        An iterator of (event number, flat fields) or Quarantined for an unreadable event.
    """
    file = str(path)
    n = 0
    buffer = ""
    with open_text(path) as fh:
        while True:
            chunk = fh.read(1 << 16)
            buffer += chunk
            while True:
                end = buffer.find(_EVENT_END)
                if end < 0:
                    break
                piece, buffer = buffer[: end + len(_EVENT_END)], buffer[end + len(_EVENT_END) :]
                start = piece.find("<Event")
                while start >= 0 and piece[start + 6 : start + 7] not in (" ", ">"):
                    start = piece.find("<Event", start + 1)  # not <Events> or <EventData>
                junk = _WRAPPER.sub("", piece[: max(start, 0)]).strip()
                if junk or start < 0:
                    n += 1
                    yield quarantine(source, file, n, "text between XML events", junk[:200])
                if start < 0:
                    continue
                n += 1
                yield _xml_event(piece[start:], n, source, file)
            if not chunk:
                break
            if len(buffer) > MAX_LINE:  # no end tag in sight: quarantine and resync
                n += 1
                yield quarantine(source, file, n, "XML event longer than 1 MiB", buffer[:200])
                buffer = ""
    rest = _WRAPPER.sub("", buffer).strip()
    if rest:
        n += 1
        reason = "truncated last XML event" if "<Event" in rest else "text after the last XML event"
        yield quarantine(source, file, n, reason, rest[:200])


def _xml_event(text: str, n: int, source: str, file: str) -> tuple[int, Any] | Quarantined:
    if "<!" in text:  # no DTDs or entities: nothing legitimate needs them here
        return quarantine(source, file, n, "XML event with a DTD or entity", text[:200])
    try:
        root = ET.fromstring(re.sub(r"\sxmlns(:\w+)?=(['\"]).*?\2", "", text, count=4))
    except ET.ParseError as exc:
        return quarantine(source, file, n, f"unreadable XML event: {str(exc)[:80]}", text[:200])
    flat: dict[str, Any] = {}
    for data in root.iter("Data"):
        name = data.get("Name")
        if name:
            flat[name] = (data.text or "").strip()
    flat["EventID"] = (root.findtext("System/EventID") or "").strip() or None
    flat["Hostname"] = root.findtext("System/Computer")
    flat["RecordNumber"] = root.findtext("System/EventRecordID")
    created = root.find("System/TimeCreated")
    flat["_time"] = created.get("SystemTime") if created is not None else None
    return (n, flat)
