"""Slack audit `user_login`/`user_logout` entries and team.accessLogs rows to LoginEvents.

Audit entries carry the session id, IP and user agent. An access-log row aggregates every use of
one user agent from one IP between `date_first` and `date_last`; it becomes two sign-in point
events (first and last seen), which is exactly the evidence it holds.
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
    quarantine,
)
from connectors.logins.text_input import iter_json_records
from connectors.slack.mapping import event_id as sync_event_id

SOURCE = "slack-audit"
ACTIONS = {"user_login": "logon", "user_logout": "logoff"}


def parse_slack_audit(
    path: str | Path, options: ParseOptions | None = None
) -> Iterator[ParseResult]:
    """Read Slack Audit Logs API entries (`{"entries": [...]}`, JSON lines) or team.accessLogs.

    Args:
        path: the file.
        options: the time zone for naive `date_create` strings.

    Returns:
        An iterator of LoginEvent and Quarantined; other audit actions are skipped.
    """
    opts = options or ParseOptions()
    p = Path(path)
    file = str(p)
    tz = opts.tz()
    for item in iter_json_records(p, SOURCE, sections=("slack",)):
        if not isinstance(item, tuple):
            yield item
            continue
        line, rec = item
        try:
            if isinstance(rec, dict) and "action" in rec:
                event = ACTIONS.get(str(rec["action"]))
                if event is not None:
                    yield _audit(rec, event, tz, file)
                elif opts.report_skipped:
                    yield Skipped(SOURCE, "unsupported audit action")
            elif isinstance(rec, dict) and "date_first" in rec:
                yield from _access(rec, tz, file)
            else:
                yield quarantine(
                    SOURCE, file, line, "neither an audit entry nor an access-log row", rec
                )
        except BadRow as exc:
            yield quarantine(SOURCE, file, line, str(exc), rec)


def _audit(rec: dict[str, Any], event: str, tz: Any, file: str) -> LoginEvent:
    user = clean(dig(rec, "actor", "user", "email")) or clean(dig(rec, "actor", "user", "id"))
    if not user:
        raise BadRow("missing actor user")
    ts = parse_ts(rec.get("date_create"), tz, file)
    ctx = obj(rec.get("context"))
    key = clean(ctx.get("session_id"))
    ip = clean(ctx.get("ip_address"))
    rid = clean(rec.get("id"))
    uid = dig(rec, "actor", "user", "id")
    # the id the sync gives the same entry (connectors.slack.mapping), so a backfill from a file
    # and a later sync store it once
    eid = sync_event_id("slack-audit", rid, rec.get("action"), uid, ts)
    return LoginEvent(
        event_id=eid,
        source=SOURCE,
        user=user,
        ts=ts,
        event=event,
        session_key=key,
        ip=ip,
        client_app="slack",
        user_agent=clean(ctx.get("ua")),
    )


def _access(rec: dict[str, Any], tz: Any, file: str) -> Iterator[LoginEvent]:
    # username joins to people by email local part; the Slack user id would not
    user = clean(rec.get("username")) or clean(rec.get("user_id"))
    if not user:
        raise BadRow("missing user")
    first = parse_ts(rec.get("date_first"), tz, file)
    last = parse_ts(rec.get("date_last", first), tz, file)
    ip, ua = clean(rec.get("ip")), clean(rec.get("user_agent"))
    for ts in sorted({first, last}):
        yield LoginEvent(
            event_id=_access_id(rec, ts),
            source=SOURCE,
            user=user,
            ts=ts,
            event="signin",
            ip=ip,
            client_app="slack",
            user_agent=ua,
            country=clean(rec.get("country")),
            city=clean(rec.get("region")),
        )


def _access_id(rec: dict[str, Any], ts: float) -> str:
    # the id the sync gives the same access-log row; a row without a user id keeps a content hash
    uid = clean(rec.get("user_id"))
    if uid and float(ts).is_integer():
        return sync_event_id("slack-access", uid, rec.get("ip"), rec.get("user_agent"), int(ts))
    return event_id("slack-access", rec.get("username"), ts, rec.get("ip"), rec.get("user_agent"))
