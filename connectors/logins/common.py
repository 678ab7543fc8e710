"""Shared pieces of the login-log parsers: options, exact timestamps, stable event ids, JSON records.

Every parser is a generator over one file that yields `LoginEvent`s for good rows and
`Quarantined` entries for bad ones, so one broken row never costs the rows around it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from commsignal.models import LoginEvent, Quarantined

ParseResult = LoginEvent | Quarantined


class LoginFormatError(ValueError):
    """The file as a whole cannot be read in the requested format (e.g. a CSV without a user column)."""


class NaiveTimestampError(LoginFormatError):
    """A timestamp without a zone was met and no time zone was declared; guessing would shift every session."""

    def __init__(self, file: str, value: str) -> None:
        super().__init__(
            f"{file}: timestamp {value!r} has no time zone; declare the zone the log was written in "
            "with --timezone (e.g. --timezone Europe/Berlin or --timezone UTC) or the config key "
            "[logins] timezone"
        )
        self.file = file
        self.value = value


@dataclass(slots=True)
class ParseOptions:
    """What a parser needs beyond the file: the zone of naive timestamps and which rows to keep."""

    timezone: str | None = None
    column_map: dict[str, str] = field(default_factory=dict)
    event_map: dict[str, str] = field(default_factory=dict)
    include_machine_accounts: bool = False
    include_system_accounts: bool = False
    include_network_logons: bool = False
    include_linked_elevated: bool = False

    def tz(self) -> tzinfo | None:
        """The declared zone as a tzinfo, or None when none was declared.

        Returns:
            A tzinfo for naive timestamps; raises LoginFormatError for an unknown zone name.
        """
        if not self.timezone:
            return None
        name = self.timezone.strip()
        if name.upper() in ("UTC", "Z", "GMT"):
            return UTC
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise LoginFormatError(
                f"unknown time zone {name!r} (use an IANA name such as UTC or Europe/Berlin)"
            ) from exc


class BadRow(ValueError):
    """One row is malformed; the parser turns it into a quarantine entry and goes on."""


# more than 6 fractional digits (Okta/Entra/Panther write 7 or 9) are cut to microseconds
_LONG_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_ts(value: Any, tz: tzinfo | None, file: str) -> float:
    """Epoch seconds (UTC) of an ISO-8601 string or an epoch number.

    Args:
        value: the raw timestamp (ISO-8601 with or without zone, `Z` suffix, or epoch seconds).
        tz: the declared zone for naive timestamps, or None.
        file: the file name, for the error message.

    Returns:
        Epoch seconds as a float. Raises BadRow for garbage and NaiveTimestampError for a naive
        timestamp when no zone was declared.
    """
    if isinstance(value, str):
        # fast path: well-formed ISO-8601 with a zone is by far the common case
        try:
            fast = datetime.fromisoformat(value)
        except ValueError:
            fast = None
        if fast is not None and fast.tzinfo is not None:
            return fast.timestamp()
    if value is None:
        raise BadRow("missing timestamp")
    if isinstance(value, bool):
        raise BadRow(f"bad timestamp {value!r}")
    if isinstance(value, int | float):
        return _epoch(float(value))
    text = str(value).strip()
    if not text:
        raise BadRow("empty timestamp")
    if re.fullmatch(r"\d{9,11}(\.\d+)?", text):
        return _epoch(float(text))
    iso = text.replace(" UTC", "Z") if text.endswith(" UTC") else text
    iso = _LONG_FRACTION.sub(r"\1", iso)
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError as exc:
        raise BadRow(f"bad timestamp {text[:60]!r}") from exc
    if dt.tzinfo is None:
        if tz is None:
            raise NaiveTimestampError(file, text)
        dt = dt.replace(tzinfo=tz)
    return dt.timestamp()


def _epoch(value: float) -> float:
    # milliseconds since the epoch show up in some exports; anything else out of range is garbage
    if value > 1e11:
        value /= 1000.0
    if not 0 < value < 4102444800:  # 2100-01-01
        raise BadRow(f"timestamp {value!r} out of range")
    return value


def naive_with_offset(value: str, offset: timedelta) -> float:
    """Epoch seconds of a naive local timestamp whose UTC offset is known.

    Args:
        value: naive ISO-8601 text.
        offset: local minus UTC.

    Returns:
        Epoch seconds.
    """
    dt = datetime.fromisoformat(_LONG_FRACTION.sub(r"\1", value.strip()))
    return dt.replace(tzinfo=timezone(offset)).timestamp()


def event_id(fmt: str, *fields: Any) -> str:
    """Stable id: the format plus a 128-bit hash of the normalised source fields, so re-import adds nothing."""
    return joined_event_id(fmt, "\x1f".join("" if f is None else str(f).strip() for f in fields))


def joined_event_id(fmt: str, joined: str) -> str:
    """`event_id` of fields a parser already stripped and joined with `\\x1f` (its hot path).

    blake2b at 16 bytes is faster than sha256 and halves the id; 128 bits keep collisions out of
    reach for any realistic number of events.
    """
    return f"{fmt}:" + hashlib.blake2b(joined.encode("utf-8"), digest_size=16).hexdigest()


def ts_key(ts: float) -> str:
    """A timestamp as it enters an event id: fixed precision so equal instants hash equally."""
    return f"{ts:.6f}"


NULLS = frozenset(("", "-", "null", "None"))
"""Placeholders that many logs write for 'no value' (after stripping)."""


def clean(value: Any) -> str | None:
    """A field as a stripped string, with the empty and '-' placeholders of many logs as None."""
    if value is None:
        return None
    text = str(value).strip()
    if text in NULLS:
        return None
    return text


def quarantine(source: str, file: str, line: int, reason: str, raw: Any) -> Quarantined:
    """A quarantine entry with the raw row kept as text (JSON for structured records)."""
    if not isinstance(raw, str):
        try:
            raw = json.dumps(raw, sort_keys=True, default=str)
        except (TypeError, ValueError):
            raw = repr(raw)
    return Quarantined(source=source, file=file, line=line, reason=reason, raw=raw[:2000])


def iter_json_records(
    path: Path, source: str, sections: tuple[str, ...] = ()
) -> Iterator[tuple[int, Any] | Quarantined]:
    """Records of a JSON file: a whole document (list, `{"value": [...]}`, one object) or JSON lines.

    Args:
        path: the file.
        source: the format name, for quarantine entries.
        sections: for a collection document (a dict of lists, like Panther's rule fixtures),
            the key prefixes to read; `{"log": {...}}` wrappers are unwrapped.

    Returns:
        An iterator of (line or record number, record) pairs, or Quarantined for broken lines.
        Whole documents number records from 1; JSON lines use the line number.
    """
    file = str(path)
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as fh:
        first = fh.readline()
        while first and not first.strip():
            first = fh.readline()
        second = fh.readline()
        fh.seek(0)
        if first.lstrip()[:1] in ("[", "{") and not _is_json_line(first, second):
            try:
                doc = json.load(fh)
            except ValueError:
                fh.seek(0)  # not one document: read it line by line, quarantining what breaks
            else:
                yield from _document_records(doc, sections)
                return
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except (ValueError, RecursionError) as exc:
                truncated = not line.endswith(("\n", "\r"))
                reason = "truncated last line" if truncated else f"broken JSON: {str(exc)[:80]}"
                yield quarantine(source, file, lineno, reason, line.rstrip("\r\n"))
                continue
            yield (lineno, _unwrap(rec))


def _is_json_line(first: str, second: str) -> bool:
    # JSON lines: the first line is a complete JSON value and more lines follow
    if not second.strip():
        return False
    try:
        json.loads(first)
    except ValueError:
        return False
    return True


def _document_records(doc: Any, sections: tuple[str, ...]) -> Iterator[tuple[int, Any]]:
    if isinstance(doc, dict):
        for key in ("value", "entries", "logins", "records", "events"):
            if isinstance(doc.get(key), list):
                doc = doc[key]
                break
        else:
            lists = {k: v for k, v in doc.items() if not k.startswith("_")}
            if lists and all(isinstance(v, list) for v in lists.values()):
                picked = [
                    item
                    for k, v in lists.items()
                    if not sections or any(k.startswith(s) for s in sections)
                    for item in v
                ]
                doc = picked
            else:
                doc = [doc]
    if not isinstance(doc, list):
        doc = [doc]
    for n, rec in enumerate(doc, start=1):
        yield (n, _unwrap(rec))


def _unwrap(rec: Any) -> Any:
    # Panther's rule fixtures wrap each vendor event as {"source", "test", "log": {...}}
    if isinstance(rec, dict) and isinstance(rec.get("log"), dict) and "test" in rec:
        return rec["log"]
    return rec


def dig(rec: Any, *path: str) -> Any:
    """A nested value by key path, None when any step is missing or not a dict."""
    cur = rec
    for key in path:
        if not isinstance(cur, dict):
            return None
        cur = cur.get(key)
    return cur


def obj(value: Any) -> dict[str, Any]:
    """The value when it is a JSON object, else an empty one (vendor fields are often null)."""
    return value if isinstance(value, dict) else {}
