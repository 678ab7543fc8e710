"""Typed reads from Graph JSON objects, giving what msgraph's models held for the same field.

The connector parses response bodies with `json.loads` instead of kiota's model deserialisers
(which were most of a sync's CPU), and the mapping reads plain dicts. These helpers read a field
the way kiota's JSON parse node does, so the records do not depend on which parser ran: a value
of the wrong type reads as None, a null or absent field as None, an enum string outside the
documented members as None, and a date-time as Python's `fromisoformat` reads it (any number of
fractional digits, cut to microseconds; `Z` or an offset; naive means UTC).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

Json = dict[str, Any]  # one JSON object as Graph sent it (camelCase keys)


def text(obj: Json | None, key: str) -> str | None:
    """A string field; None when absent, null or not a string.

    Args:
        obj: the JSON object (None reads as empty).
        key: the field name as Graph spells it.

    Returns:
        The string, or None.
    """
    if obj is None:
        return None
    value = obj.get(key)
    return value if isinstance(value, str) else None


def integer(obj: Json | None, key: str) -> int | None:
    """An integer field (kiota reads booleans as integers too); None otherwise."""
    value = obj.get(key) if obj is not None else None
    return value if isinstance(value, int) else None


def flag(obj: Json | None, key: str) -> bool | None:
    """A boolean field; None when absent, null or not a boolean."""
    value = obj.get(key) if obj is not None else None
    return value if isinstance(value, bool) else None


def child(obj: Json | None, key: str) -> Json | None:
    """A nested object; None when absent or null.

    A value of another type still reads as an (empty) object, as kiota builds an empty model
    for it: "present" and "absent" must not swap between parsers.
    """
    if obj is None:
        return None
    value = obj.get(key)
    if value is None:
        return None
    return value if isinstance(value, dict) else {}


def children(obj: Json | None, key: str) -> list[Json] | None:
    """A collection of objects; None when absent or null, [] for a value that is not a list.

    Args:
        obj: the JSON object.
        key: the collection's field name.

    Returns:
        The items (an item that is not an object reads as an empty one), or None.
    """
    if obj is None:
        return None
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, list):
        return []
    return [v if isinstance(v, dict) else {} for v in value]


def enum(obj: Json | None, key: str, members: frozenset[str]) -> str | None:
    """An enum field as its documented member value, else None.

    kiota looks a member up by the raw string with its first letter capitalised, so "Resource"
    and "resource" are the same member and "RESOURCE" is none; this does the same.

    Args:
        obj: the JSON object.
        key: the field name.
        members: the enum's documented values (camelCase, as Graph sends them).

    Returns:
        The member's value, or None.
    """
    value = obj.get(key) if obj is not None else None
    return member(value, members)


def member(value: Any, members: frozenset[str]) -> str | None:
    """One raw enum value as its documented member value (see `enum`), else None."""
    if value is None:
        return None
    raw = str(value)
    if not raw:
        return None
    if raw.lower() == "none":
        return "none" if "none" in members else None
    norm = raw[0].lower() + raw[1:]
    return norm if norm in members else None


def instant(value: Any) -> float | None:
    """Epoch seconds of a Graph date-time string; None when absent, too short or unreadable.

    Graph sends `2026-11-02T09:00:00Z`, `...00.1234567Z` (seven fractional digits) or an offset;
    a string without a zone is UTC.
    """
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=dt.UTC)).timestamp()


def link(page: Json | None, key: str = "@odata.nextLink") -> str | None:
    """A page's `@odata.nextLink` (or `@odata.deltaLink`, or a nested `x@odata.nextLink`); None if none."""
    return text(page, key) or None
