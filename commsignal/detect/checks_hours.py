"""Working-hours checks: hours around the clock, hours of another zone, sign-ins from another country.

They weigh the person's earlier weeks (`history_*` features), so they share `_history`. Registered
in `commsignal.detect.checks.CHECKS` when `commsignal.detect` is imported.
"""

from __future__ import annotations

from typing import Any

from commsignal.detect.checks import CheckResult, _pct, _ramp, check


def _history(f: dict[str, Any], held: int, what: str) -> tuple[float, str]:
    """How earlier weeks change a working-hours finding: (factor, sentence)."""
    weeks = int(f.get("history_weeks") or 0)
    if weeks >= 2 and held == 0:
        return 0.6, (
            f" The {weeks} earlier weeks did not show {what}: one odd week of a known person "
            "(travel, an incident, a rota) is weaker."
        )
    if held and f.get("declared_recently"):
        return 1.0, (
            f" The same {what} in {held} of {weeks} earlier weeks, since the person appeared: "
            "it has never fitted."
        )
    if held and f.get("start_date") and f.get("declared_recently") is False:
        return 0.75, (
            f" The same {what} in {held} of {weeks} earlier weeks, from someone employed since "
            f"{f['start_date']}: a night-shift role or a profile not updated after a move is "
            "likelier than a new pattern."
        )
    if held:
        return 1.0, f" The same {what} in {held} of {weeks} earlier weeks."
    return 1.0, " No earlier weeks to compare with yet."


@check("round_the_clock")
def round_the_clock(f: dict[str, Any], p: dict[str, Any]) -> CheckResult | None:
    regular = int(f.get("regular_hours") or 0)
    events = int(f.get("activity_events") or 0)
    # sparse logs (a sign-in every few hours) leave hours empty by chance, but a crew rota still
    # leaves no five quiet hours in a row for anyone to sleep in
    sleepless = (
        f.get("sleepless") is True
        and regular >= p["sleepless_min_hours"]
        and events >= p["sleepless_min_events"]
    )
    if events < p["min_events"] or (regular < p["min_hours"] and not sleepless):
        return None
    held = int(f.get("history_rtc_weeks") or 0)
    if regular < p["min_hours"] and held == 0 and int(f.get("history_weeks") or 0) >= 2:
        # a broken week alone after ordinary ones is an on-call rota or an incident; a crew rota
        # in sparse logs is broken every week
        return None
    peaks = f.get("peak_hours_utc") or []
    peak_text = (
        f"; bursts at {', '.join(f'{h:02d}:00' for h in peaks)} UTC (hand-over times?)"
        if peaks
        else ""
    )
    factor, history = _history(f, held, "round-the-clock hours")
    summary = (
        f"Active in {regular} of 24 hours of the day on two or more days this week{peak_text}. "
        f"One person is rarely active in more than {p['min_hours'] - 4}-{p['min_hours'] - 2} hours."
    )
    score = _ramp(regular, p["min_hours"], p["full_hours"]) if regular >= p["min_hours"] else 0.0
    if sleepless:
        summary += (
            " No five hours of the day were quiet across the week: nobody slept at a regular "
            "time, as when crews take turns on one account."
        )
        score = max(score, p["sleepless_score"])
    summary += history
    return CheckResult(
        round(score * factor, 3),
        summary,
        {
            "regular_hours": regular,
            "peak_hours_utc": peaks,
            "hours_utc": f.get("hours_utc"),
            "history_weeks": f.get("history_weeks"),
            "history_rtc_weeks": f.get("history_rtc_weeks"),
            "sleepless": bool(f.get("sleepless")),
        },
    )


@check("off_timezone")
def off_timezone(f: dict[str, Any], p: dict[str, Any]) -> CheckResult | None:
    diff = f.get("offset_diff_h")
    declared_share = f.get("declared_share")
    if (
        diff is None
        or declared_share is None
        or int(f.get("activity_events") or 0) < p["min_events"]
    ):
        return None
    fit_share = float(f.get("fit_share") or 0)
    gain = fit_share - float(declared_share)
    if (
        diff < p["min_diff_h"]
        or gain < p["min_gain"]
        or fit_share < p["min_fit_share"]
        or float(declared_share) > p["max_declared_share"]
    ):
        return None
    fit = int(f["fit_offset_h"])
    factor, history = _history(f, int(f.get("history_off_weeks") or 0), "off-zone hours")
    conflict = f.get("declared_tz_conflict")
    if conflict:
        factor *= p["conflict_factor"]
        history += (
            f" Platforms disagree on the declared zone ({', '.join(conflict)}): "
            "the profile may be stale."
        )
    sleep = _sleeps_at_declared_night(f, p)
    if sleep:
        factor *= p["declared_night_factor"]
        history += (
            f" The quiet hours ({sleep}) are a night's sleep in the declared zone: a late or "
            "evening-heavy rhythm at home is likelier than another continent."
        )
    summary = (
        f"{_pct(fit_share)} of activity falls in 08-19 at UTC{fit:+d}, "
        f"but only {_pct(declared_share)} in 08-19 of the declared zone {f.get('declared_tz')} "
        f"(UTC{float(f.get('declared_offset_h') or 0):+.0f}): {diff:.0f} h apart."
        + history
        + " Alone this is at most medium: long sessions, hosting sign-ins or remote-access tools "
        "would raise it; a night-shift role, travel or a recent move would lower it."
    )
    return CheckResult(
        round(_ramp(diff, p["min_diff_h"], p["full_diff_h"]) * factor, 3),
        summary,
        {
            "fit_offset_h": fit,
            "declared_tz": f.get("declared_tz"),
            "offset_diff_h": diff,
            "fit_share": f.get("fit_share"),
            "declared_share": declared_share,
            "history_weeks": f.get("history_weeks"),
            "history_off_weeks": f.get("history_off_weeks"),
            "declared_recently": bool(f.get("declared_recently")),
            "quiet_mid_local_h": f.get("quiet_mid_local_h"),
        },
    )


def _sleeps_at_declared_night(f: dict[str, Any], p: dict[str, Any]) -> str | None:
    """The quiet hours in declared local time when they sit in its night, else None.

    Someone working from another continent sleeps in their own night, which is the declared
    zone's day; an evening-heavy person at home still sleeps in the declared night.
    """
    mid = f.get("quiet_mid_local_h")
    quiet = f.get("quiet_hours_utc")
    offset = f.get("declared_offset_h")
    if mid is None or not quiet or offset is None:
        return None
    if not p["night_mid_from_h"] <= float(mid) < p["night_mid_to_h"]:
        return None
    first = (int(quiet[0]) + round(float(offset))) % 24
    return f"{first:02d}:00-{(first + int(quiet[1])) % 24:02d}:00 local"


@check("foreign_location")
def foreign_location(f: dict[str, Any], p: dict[str, Any]) -> CheckResult | None:
    located = int(f.get("located_signins") or 0)
    foreign = int(f.get("located_foreign") or 0)
    diff, share, fit = f.get("offset_diff_h"), f.get("declared_share"), f.get("fit_share")
    if located < p["min_signins"] or foreign < p["min_share"] * located:
        return None
    if diff is None or share is None or fit is None or float(diff) < p["min_diff_h"]:
        return None
    if float(fit) - float(share) < p["min_gain"]:
        return None
    weeks, off_weeks = int(f.get("history_weeks") or 0), int(f.get("history_off_weeks") or 0)
    # a known person with ordinary weeks behind them is travelling or has moved
    if not f.get("declared_recently") or off_weeks < weeks:
        return None
    countries = f.get("located_foreign_countries") or []
    summary = (
        f"{foreign} of {located} sign-ins that place the person came from "
        f"{', '.join(countries)}, not the declared {f.get('declared_country')}, and the "
        f"hours fit a working day {float(diff):.0f} h away from the declared zone "
        f"{f.get('declared_tz')}. Two independent measures agree on another country, "
        f"{'every week since the person appeared' if weeks else 'from the first week'}."
        " A trip or a move would show ordinary weeks first; check the hiring record."
    )
    return CheckResult(
        1.0,
        summary,
        {
            "located_signins": located,
            "foreign_signins": foreign,
            "countries": countries,
            "declared_country": f.get("declared_country"),
            "offset_diff_h": diff,
            "history_weeks": weeks,
        },
    )
