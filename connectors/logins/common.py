"""Shared pieces of the login-log parsers: options, exact timestamps, stable event ids, skip and quarantine entries.

Every parser is a generator over one file that yields `LoginEvent`s for good rows and
`Quarantined` entries for bad ones, so one broken row never costs the rows around it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from commsignal.models import LoginEvent, Quarantined


@dataclass(slots=True)
class Skipped:
    """A row read and deliberately not stored (machine account, unsupported event type, ...), so imports can account for it."""

    source: str
    reason: str


ParseResult = LoginEvent | Quarantined | Skipped


class LoginFormatError(ValueError):
    """The file as a whole cannot be read in the requested format (e.g. a CSV without a user column)."""


class NaiveTimestampError(LoginFormatError):
    """A timestamp without a zone was met and no time zone was declared; guessing would shift every session."""

    def __init__(self, file: str, value: str) -> None:
        super().__init__(
            f"{file}: timestamp {snippet(value, 60)} has no time zone; declare the zone the log was written in "
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
    time_format: str | None = None
    report_skipped: bool = False

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
                f"unknown time zone {snippet(name, 60)} (use an IANA name such as UTC or Europe/Berlin)"
            ) from exc


class BadRow(ValueError):
    """One row is malformed; the parser turns it into a quarantine entry and goes on."""


class NeedsTimeFormat(BadRow):
    """A timestamp in a local date format (e.g. US `11/03/2026 9:00:00 AM`) that only --time-format can read."""


def snippet(value: Any, limit: int = 80) -> str:
    """A value for an error message: repr, cut to `limit` characters, so no message echoes a huge input."""
    text = repr(value) if not isinstance(value, str) else repr(value[: limit + 1])
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
    if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        return _epoch(float(text))
    ms_date = _MS_DATE.fullmatch(text)
    if ms_date:  # ConvertTo-Json of a DateTime in Windows PowerShell 5.1: "/Date(1700000000000)/"
        return _epoch(int(ms_date.group(1)) / 1000.0)
    unambiguous = _culture_date(text)
    if unambiguous is not None:
        text = unambiguous
    elif _LOCAL_DATE.match(text):
        raise NeedsTimeFormat(
            f"timestamp {snippet(text, 40)} is in a local date format; give it with --time-format "
            "(e.g. '%m/%d/%Y %I:%M:%S %p' for US, '%d/%m/%Y %H:%M:%S' for day-first)"
        )
    iso = text.replace(" UTC", "Z") if text.endswith(" UTC") else text
    iso = _LONG_FRACTION.sub(r"\1", iso)
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError as exc:
        raise BadRow(f"bad timestamp {snippet(text, 60)}") from exc
    if dt.tzinfo is None:
        if tz is None:
            raise NaiveTimestampError(file, text)
        dt = dt.replace(tzinfo=tz)
    return dt.timestamp()


def _culture_date(text: str) -> str | None:
    # the culture formats PowerShell writes whose order cannot be misread, as ISO-8601:
    # year first with slashes (ja-JP, zh-CN `2026/11/03 9:00:00`) and day first with dots
    # (de-DE, ru-RU, pl-PL... `03.11.2026 09:00:00`); US/UK slashes stay for --time-format
    m = _YEAR_FIRST.fullmatch(text) or _DOTTED.fullmatch(text)
    if m is None:
        return None
    year, month, day = (m["y"], m["m"], m["d"])
    return f"{year}-{int(month):02d}-{int(day):02d}T{int(m['H']):02d}:{m['M']}:{m['S'] or '00'}"


_YEAR_FIRST = re.compile(
    r"(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
)
_DOTTED = re.compile(
    r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})[ T]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?"
)
_MS_DATE = re.compile(r"/?Date\((-?\d{1,15})(?:[+-]\d{4})?\)/?")
_LOCAL_DATE = re.compile(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4},?[ T]+\d{1,2}:\d{2}")


def parse_ts_format(value: Any, fmt: str, tz: tzinfo | None, file: str) -> float:
    """Epoch seconds of a timestamp in a strptime format (--time-format); epoch numbers pass too.

    Args:
        value: the raw timestamp.
        fmt: the strptime format, e.g. `%m/%d/%Y %I:%M:%S %p`.
        tz: the declared zone, used when the format carries no offset.
        file: the file name, for the error message.

    Returns:
        Epoch seconds. Raises BadRow when the value does not match, NaiveTimestampError when it
        has no zone and none was declared.
    """
    text = "" if value is None else str(value).strip()
    if not text:
        raise BadRow("empty timestamp")
    if re.fullmatch(r"\d{9,13}(\.\d+)?", text):
        return _epoch(float(text))
    try:
        dt = datetime.strptime(text, fmt)
    except ValueError as exc:
        raise BadRow(
            f"timestamp {snippet(text, 40)} does not match --time-format {snippet(fmt, 60)}"
        ) from exc
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
