"""Entra ID sign-in log downloads from the portal (CSV, interactive and non-interactive) as Graph-shaped records.

The portal's columns are display names ("Date (UTC)", "Request ID", "Username", "IP address",
"Location" as "City, State, CC", "Status" Success/Failure/Interrupted, "Client app", ...). Each row
becomes the signIn object the Graph API would have returned, so the JSON parser maps both and a
download and a sync of the same sign-in share one event id (`entra:<Request ID>`).
"""

from __future__ import annotations

from typing import Any

# portal column (lower-cased) -> Graph signIn property path
COLUMNS: dict[str, tuple[str, ...]] = {
    "date (utc)": ("createdDateTime",),
    "date": ("createdDateTime",),
    "request id": ("id",),
    "correlation id": ("correlationId",),
    "user id": ("userId",),
    "user": ("userDisplayName",),
    "username": ("userPrincipalName",),
    "user principal name": ("userPrincipalName",),
    "ip address": ("ipAddress",),
    "application": ("appDisplayName",),
    "client app": ("clientAppUsed",),
    "user agent": ("userAgent",),
    "session id": ("sessionId",),
    "sign-in error code": ("status", "errorCode"),
    "failure reason": ("status", "failureReason"),
    "device id": ("deviceDetail", "deviceId"),
    "operating system": ("deviceDetail", "operatingSystem"),
    "browser": ("deviceDetail", "browser"),
}
_INTERACTIVE = ("is interactive", "interactive")


def file_kind(name: str) -> tuple[bool | None, str | None]:
    """What a download's file name says: (interactive or not, skip reason for all rows or None).

    The portal names its downloads InteractiveSignIns_*, NonInteractiveSignIns_*,
    ApplicationSignIns_* (service principals), MSISignIns_* (managed identities) and
    InteractiveSignIns_AuthDetails_* (authentication steps of the sign-ins, not sign-ins).
    """
    lowered = name.lower()
    if lowered.startswith(("applicationsignins", "msisignins", "serviceprincipalsignins")):
        return None, "not a user sign-in (service principal or managed identity)"
    if "authdetails" in lowered:  # InteractiveSignIns_AuthDetails_<from>_<to>.csv
        return None, "authentication detail, not a sign-in"
    if lowered.startswith("noninteractivesignins"):
        return False, None
    if lowered.startswith("interactivesignins"):
        return True, None
    return None, None


def graph_record(row: dict[str, str]) -> dict[str, Any]:
    """One CSV row as a Graph signIn object.

    Args:
        row: the row, keyed by the download's header.

    Returns:
        A dict with the Graph property names the Entra parser reads.
    """
    rec: dict[str, Any] = {}
    lowered = {k.strip().lower(): (v or "").strip() for k, v in row.items()}
    for column, path in COLUMNS.items():
        value = lowered.get(column)
        if not value or (len(path) == 1 and path[0] in rec):
            continue
        node = rec
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node.setdefault(path[-1], value)
    stamp = rec.get("createdDateTime")
    if isinstance(stamp, str) and "date (utc)" in lowered and not _has_zone(stamp):
        rec["_naive_utc"] = True  # the column says UTC; the cells carry no zone
    location = lowered.get("location")
    if location:
        parts = [p.strip() for p in location.split(",")]
        rec["location"] = {"city": parts[0] or None, "countryOrRegion": parts[-1] or None}
        if len(parts) == 1:
            rec["location"] = {"countryOrRegion": parts[0]}
    status = lowered.get("status")
    if status:
        result = rec.setdefault("status", {})
        if status.lower() == "success":
            result["errorCode"] = 0
        else:
            code = result.get("errorCode")
            result["errorCode"] = code if code not in (None, "", "0") else -1
    for column in _INTERACTIVE:
        flag = lowered.get(column)
        if flag:
            rec["isInteractive"] = flag.lower() in ("true", "yes", "1")
    return rec


def _has_zone(stamp: str) -> bool:
    if not stamp[:4].isdigit():
        return False
    tail = stamp[10:]
    return stamp.endswith(("Z", "z", "UTC")) or "+" in tail or tail.count("-") > 0
