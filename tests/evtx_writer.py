"""Minimal EVTX writer for tests, because no real Windows .evtx file can be shipped with the repo."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FILE_HEADER_SIZE = 4096
CHUNK_SIZE = 65536
CHUNK_HEADER_SIZE = 512  # 128 bytes of fields, then the (here empty) string and template tables
RECORD_HEADER_SIZE = 24  # signature, size, record id, FILETIME; the size copy trails the record

# Binary XML tokens (0x40 on a start element means "has attributes", on an attribute "more follow")
END_OF_STREAM = 0x00
OPEN_START_ELEMENT = 0x01
CLOSE_START_ELEMENT = 0x02
CLOSE_EMPTY_ELEMENT = 0x03
END_ELEMENT = 0x04
VALUE_TEXT = 0x05
ATTRIBUTE = 0x06
FRAGMENT_HEADER = 0x0F
HAS_MORE = 0x40

# value types the writer emits; the parser renders integers as JSON numbers and HexInt64 as "0x.."
STRING = 0x01
UINT8 = 0x04
UINT16 = 0x06
UINT32 = 0x08
UINT64 = 0x0A
FILETIME = 0x11
HEXINT64 = 0x15

# types of the Security provider's manifest, so the parser's JSON has the types real files give
# (LogonType a number, logon ids "0x..." strings); every other Data value is a string
SECURITY_DATA_TYPES = {
    "LogonType": UINT32,
    "SessionId": UINT32,
    "TargetLogonId": HEXINT64,
    "SubjectLogonId": HEXINT64,
    "TargetLinkedLogonId": HEXINT64,
    "LogonID": HEXINT64,
}
EPOCH_AS_FILETIME = 116444736000000000  # 1970-01-01 in 100 ns ticks since 1601-01-01
EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event"
PROVIDER_GUID = "{54849625-5478-4994-A5BA-3E3B0328C30D}"

Typed = tuple[int, Any]  # (value type, Python value)


@dataclass(slots=True)
class Element:
    """One XML element: attributes, then either child elements, one typed value, or nothing."""

    name: str
    attrs: list[tuple[str, Typed]] = field(default_factory=list)
    children: list[Element] = field(default_factory=list)
    value: Typed | None = None


def filetime(ts: datetime) -> int:
    """A datetime (naive means UTC) as a FILETIME: 100 ns ticks since 1601-01-01 UTC."""
    aware = ts if ts.tzinfo else ts.replace(tzinfo=UTC)
    delta = aware - datetime(1970, 1, 1, tzinfo=UTC)
    ticks = (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10
    return EPOCH_AS_FILETIME + ticks


def _name_hash(name: str) -> int:
    # the low 16 bits of the hash Windows stores with each name (h = h * 65599 + code unit)
    h = 0
    for unit in struct.unpack(f"<{len(name)}H", name.encode("utf-16-le")):
        h = (h * 65599 + unit) & 0xFFFFFFFF
    return h & 0xFFFF


def _value(kind: int, value: Any) -> bytes:
    if kind == STRING:
        text = str(value)
        return struct.pack("<BH", kind, len(text.encode("utf-16-le")) // 2) + text.encode(
            "utf-16-le"
        )
    if kind == FILETIME:
        return struct.pack("<BQ", kind, filetime(value))
    fmt = {UINT8: "B", UINT16: "H", UINT32: "I", UINT64: "Q", HEXINT64: "Q"}[kind]
    # logon ids arrive as "0x3e7a1" text, everything else as decimal text or int
    number = int(value, 16) if kind == HEXINT64 and isinstance(value, str) else int(value)
    return struct.pack(f"<B{fmt}", kind, number)


class _BinXml:
    """Appends Binary XML to a buffer whose first byte sits at `base` in the chunk.

    Names are written inline: the parser resolves a name by its offset in the chunk, and an offset
    equal to the position right after it means "the name follows here".
    """

    def __init__(self, base: int) -> None:
        self.base = base
        self.buf = bytearray()

    def _name(self, name: str) -> None:
        units = name.encode("utf-16-le")
        self.buf += struct.pack("<I", self.base + len(self.buf) + 4)
        self.buf += struct.pack("<IHH", 0, _name_hash(name), len(units) // 2) + units + b"\0\0"

    def element(self, el: Element) -> None:
        # no dependency id: only elements inside template definitions carry one
        self.buf.append(OPEN_START_ELEMENT | (HAS_MORE if el.attrs else 0))
        size_at = len(self.buf)
        self.buf += b"\0\0\0\0"  # element data size, patched below
        self._name(el.name)
        if el.attrs:
            attrs_at = len(self.buf)
            self.buf += b"\0\0\0\0"  # attribute list size, patched below
            for i, (name, (kind, value)) in enumerate(el.attrs):
                more = HAS_MORE if i < len(el.attrs) - 1 else 0
                self.buf.append(ATTRIBUTE | more)
                self._name(name)
                self.buf += bytes([VALUE_TEXT]) + _value(kind, value)
            struct.pack_into("<I", self.buf, attrs_at, len(self.buf) - attrs_at - 4)
        if not el.children and el.value is None:
            self.buf.append(CLOSE_EMPTY_ELEMENT)
        else:
            self.buf.append(CLOSE_START_ELEMENT)
            if el.value is not None:
                self.buf += bytes([VALUE_TEXT]) + _value(*el.value)
            for child in el.children:
                self.element(child)
            self.buf.append(END_ELEMENT)
        struct.pack_into("<I", self.buf, size_at, len(self.buf) - size_at - 4)


def event_xml(record: dict[str, Any]) -> Element:
    """The <Event> tree of one Security record, with the System fields real 4624s carry."""
    when = record["TimeCreated"]
    system = Element(
        "System",
        children=[
            Element(
                "Provider",
                [
                    ("Name", (STRING, "Microsoft-Windows-Security-Auditing")),
                    ("Guid", (STRING, PROVIDER_GUID)),
                ],
            ),
            Element("EventID", value=(UINT16, record["EventID"])),
            Element("Version", value=(UINT8, record.get("Version", 0))),
            Element("Level", value=(UINT8, 0)),
            Element("Task", value=(UINT16, record.get("Task", 12544))),
            Element("Opcode", value=(UINT8, 0)),
            Element("Keywords", value=(HEXINT64, 0x8020000000000000)),
            Element("TimeCreated", [("SystemTime", (FILETIME, when))]),
            Element("EventRecordID", value=(UINT64, record["EventRecordID"])),
            Element("Correlation"),
            Element("Execution", [("ProcessID", (UINT32, 636)), ("ThreadID", (UINT32, 700))]),
            Element("Channel", value=(STRING, record.get("Channel", "Security"))),
            Element("Computer", value=(STRING, record["Computer"])),
            Element("Security"),
        ],
    )
    data = [
        Element(
            "Data",
            [("Name", (STRING, name))],
            value=(SECURITY_DATA_TYPES.get(name, STRING), value),
        )
        for name, value in record.get("data", {}).items()
    ]
    return Element(
        "Event",
        [("xmlns", (STRING, EVENT_NS))],
        children=[system, Element("EventData", children=data)],
    )


def _record(record: dict[str, Any], offset: int) -> bytes:
    xml = _BinXml(offset + RECORD_HEADER_SIZE)
    xml.buf += bytes([FRAGMENT_HEADER, 1, 1, 0])  # version 1.1, no flags
    xml.element(event_xml(record))
    xml.buf.append(END_OF_STREAM)
    size = RECORD_HEADER_SIZE + len(xml.buf) + 4
    head = struct.pack(
        "<4sIQQ", b"**\0\0", size, record["EventRecordID"], filetime(record["TimeCreated"])
    )
    return head + bytes(xml.buf) + struct.pack("<I", size)


def _chunk(records: Sequence[dict[str, Any]]) -> bytes:
    body = bytearray()
    last_offset = CHUNK_HEADER_SIZE
    for rec in records:
        last_offset = CHUNK_HEADER_SIZE + len(body)
        body += _record(rec, last_offset)
    free = CHUNK_HEADER_SIZE + len(body)
    if free > CHUNK_SIZE:
        raise ValueError("records do not fit in one chunk")
    first, last = records[0]["EventRecordID"], records[-1]["EventRecordID"]
    head = bytearray(CHUNK_HEADER_SIZE)
    struct.pack_into(
        "<8sQQQQIIII", head, 0, b"ElfChnk\0", first, last, first, last, 128, last_offset, free,
        zlib.crc32(body),
    )  # fmt: skip
    # the header checksum skips bytes 120-128 (flags and the checksum itself)
    struct.pack_into("<I", head, 124, zlib.crc32(bytes(head[:120]) + bytes(head[128:])))
    return bytes(head) + bytes(body) + bytes(CHUNK_SIZE - free)


def write_evtx(path: Path, records: list[dict[str, Any]]) -> None:
    """Write records (EventID, TimeCreated, Computer, EventRecordID, data) as a binary .evtx file.

    Records are packed into 64 KiB chunks in order; record ids should ascend from 1 as in a real
    log. Strings are written inline (no string or template tables), which the parser accepts.
    """
    chunks: list[list[dict[str, Any]]] = [[]]
    used = CHUNK_HEADER_SIZE
    for rec in records:
        size = len(_record(rec, 0))  # the size does not depend on where the record lands
        if chunks[-1] and used + size > CHUNK_SIZE:
            chunks.append([])
            used = CHUNK_HEADER_SIZE
        chunks[-1].append(rec)
        used += size
    blobs = [_chunk(c) for c in chunks if c]
    next_id = records[-1]["EventRecordID"] + 1 if records else 1
    head = bytearray(FILE_HEADER_SIZE)
    struct.pack_into(
        "<8sQQQIHHHH", head, 0, b"ElfFile\0", 0, max(len(blobs) - 1, 0), next_id, 128, 1, 3,
        FILE_HEADER_SIZE, len(blobs),
    )  # fmt: skip
    struct.pack_into("<II", head, 120, 0, zlib.crc32(bytes(head[:120])))  # flags 0: clean
    path.write_bytes(bytes(head) + b"".join(blobs))
