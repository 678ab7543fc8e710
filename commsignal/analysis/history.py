"""Evidence across weeks: does this week's hour pattern hold in the person's earlier weeks, and is
the declared zone fresh?

One odd week of a long-standing person (travel, an incident, an on-call rota) is weaker than the
same pattern from the person's first day. The rules for working hours read these measures.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from sqlite_utils import Database

from commsignal.analysis.hour_profile import (
    best_fit_offset,
    circular_diff_h,
    is_sleepless,
    workday_share,
    zone_offset_hours,
)

HISTORY_WEEKS = 4
MIN_EVENTS = 20
OFF_MIN_DIFF_H = 4.0
OFF_MIN_GAIN = 0.3
RTC_MIN_HOURS = 18
SLEEPLESS_MIN_HOURS = 14
"""With no five quiet hours in a row, this many regular hours make a round-the-clock week."""
FRESH_DAYS = 90
WEEK_S = 7 * 86400.0


def history_features(
    db: Database, start: float, declared_tz: dict[str, str | None]
) -> dict[str, dict[str, Any]]:
    """Per person: earlier weeks with data, how many showed off-zone or round-the-clock hours, freshness.

    Args:
        db: the store.
        start: start of the week being judged (epoch seconds).
        declared_tz: person_id -> declared IANA zone.

    Returns:
        person_id -> history_weeks, history_off_weeks, history_rtc_weeks, days_known,
        declared_recently, declared_tz_conflict.
    """
    lo = start - HISTORY_WEEKS * WEEK_S
    hours: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0] * 24)
    regular: dict[tuple[str, int], int] = defaultdict(int)
    # counted inside SQLite: events and distinct days per person, week and UTC hour
    query = (
        "select person_id, cast((ts - :lo) / :w as integer) as wk, cast(ts / 3600 as integer) % 24 "
        "as hr, count(*) as n, count(distinct cast(ts / 86400 as integer)) as days from ("
        "select person_id, ts from messages where ts >= :lo and ts < :e and person_id is not null "
        "union all select person_id, ts from login_events where ts >= :lo and ts < :e "
        "and person_id is not null and success = 1 and coalesce(interactive, 1) = 1"
        ") group by person_id, wk, hr"
    )
    for pid, wk, hr, n, days in db.execute(query, {"lo": lo, "e": start, "w": WEEK_S}):
        hours[(pid, wk)][hr] += n
        if days >= 2:
            regular[(pid, wk)] += 1
    out: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"history_weeks": 0, "history_off_weeks": 0, "history_rtc_weeks": 0}
    )
    for (pid, w), hist in hours.items():
        if sum(hist) < MIN_EVENTS:
            continue
        f = out[pid]
        f["history_weeks"] += 1
        hours_hit = regular[(pid, w)]
        if hours_hit >= RTC_MIN_HOURS or (hours_hit >= SLEEPLESS_MIN_HOURS and is_sleepless(hist)):
            f["history_rtc_weeks"] += 1
        tz = declared_tz.get(pid)
        declared = zone_offset_hours(tz, lo + (w + 0.5) * WEEK_S) if tz else None
        if declared is None:
            continue
        fit, share = best_fit_offset(hist)
        gain = share - workday_share(hist, round(declared))
        if circular_diff_h(fit, declared) >= OFF_MIN_DIFF_H and gain >= OFF_MIN_GAIN:
            f["history_off_weeks"] += 1
    _freshness(db, start, out)
    return dict(out)


def _freshness(db: Database, start: float, out: dict[str, dict[str, Any]]) -> None:
    """How long each person has been known and whether their declared zone is recent or contested."""
    data_start = db.execute(
        "select min(ts) from (select min(ts) as ts from messages union all "
        "select min(ts) from login_events)"
    ).fetchone()[0]
    for row in db.query(
        "select person_id, min(ts) as first from (select person_id, ts from messages "
        "union all select person_id, ts from login_events) where person_id is not null "
        "group by person_id"
    ):
        f = out[row["person_id"]]
        f["days_known"] = round((start - row["first"]) / 86400, 1)
        # someone who appears a week or more after the data begins joined during it
        if data_start is not None and row["first"] - data_start > 7 * 86400:
            f["declared_recently"] = True
    people_cols = db["people"].columns_dict
    if "start_date" in people_cols:
        week_day = datetime.fromtimestamp(start, UTC).date()
        for row in db.query(
            "select person_id, start_date from people where start_date is not null"
        ):
            try:
                began = date.fromisoformat(str(row["start_date"])[:10])
            except ValueError:
                continue
            f = out[row["person_id"]]
            f["start_date"] = began.isoformat()
            f["declared_recently"] = (week_day - began).days <= FRESH_DAYS
    for row in db.query(
        "select person_id, group_concat(distinct tz) as zones from accounts "
        "where person_id is not null and tz is not null and tz != '' group by person_id"
    ):
        zones = sorted(set(str(row["zones"]).split(",")))
        if len(zones) > 1:
            out[row["person_id"]]["declared_tz_conflict"] = zones
