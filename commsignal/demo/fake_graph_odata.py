"""Graph's wire forms the fake reads and writes: ISO timestamps and simple `$filter` comparisons."""

from __future__ import annotations

import datetime as dt
import re


def iso(ts: float) -> str:
    """Graph's UTC timestamp form, e.g. 2026-11-02T09:00:00.123Z."""
    d = dt.datetime.fromtimestamp(ts, dt.UTC)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


def parse_iso(text: str) -> float:
    """Epoch seconds from Graph's ISO forms (Z suffix, up to 7 fractional digits, or none)."""
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$", text.strip())
    if not m:
        raise ValueError(f"not an ISO timestamp: {text!r}")
    frac = (m.group(2) or "0")[:6].ljust(6, "0")
    tz = m.group(3) or "+00:00"
    tz = "+00:00" if tz == "Z" else tz
    return dt.datetime.fromisoformat(f"{m.group(1)}.{frac}{tz}").timestamp()


def filters(q: dict[str, str]) -> list[tuple[str, str, str]]:
    """(property, operator, raw value) triples of a `$filter`, enough for the fake's queries."""
    return re.findall(r"(\w+) (gt|ge|lt|le|eq) ('[^']*'|\S+)", q.get("$filter", ""))


def bounds(q: dict[str, str], prop: str) -> list[tuple[str, float]]:
    """(operator, epoch) comparisons on one date property of a `$filter`."""
    return [
        (op, parse_iso(raw.strip("'")))
        for name, op, raw in filters(q)
        if name.lower() == prop.lower() and op != "eq"
    ]


def passes(value: float, comparisons: list[tuple[str, float]]) -> bool:
    """Whether `value` meets every (operator, epoch) comparison, as `bounds` returns them."""
    for op, bound in comparisons:
        if (
            (op == "gt" and not value > bound)
            or (op == "ge" and not value >= bound)
            or (op == "lt" and not value < bound)
            or (op == "le" and not value <= bound)
        ):
            return False
    return True
