"""The check functions rules name: each reads one person-week's features and explains what it saw."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class CheckResult:
    """A fired check: 0-1 score, a plain-words summary and the evidence behind it."""

    score: float
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)


Check = Callable[[dict[str, Any], dict[str, Any]], CheckResult | None]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    """Register a check function under the name rule files use."""

    def register(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn

    return register


def _ramp(value: float, low: float, high: float, floor: float = 0.5) -> float:
    """floor at `low`, rising linearly to 1.0 at `high`."""
    if high <= low:
        return 1.0
    return round(min(1.0, floor + (1 - floor) * max(0.0, value - low) / (high - low)), 3)


def _pct(x: float | None) -> str:
    return "n/a" if x is None else f"{100 * x:.0f}%"


@check("marathon_session")
def marathon_session(f: dict[str, Any], p: dict[str, Any]) -> CheckResult | None:
    hours = float(f.get("max_attended_h") or 0)
    if hours < p["min_hours"]:
        return None
    s = f.get("attended_session") or {}
    if s.get("end_reason") == "replaced":
        ending = "it ended only when a new logon replaced it"
    elif s.get("end"):
        ending = f"it ended by {s.get('end_reason')} at {s['end']}"
    else:
        ending = f"no logoff or lock seen, last activity {s.get('last_seen')}"
    summary = (
        f"Attended for {hours / 24:.1f} days ({hours:.0f} h) without a lock, disconnect or "
        f"night-long pause: activity kept arriving from {s.get('attended_from')} to "
        f"{s.get('attended_to')} in a session that started {s.get('start')} "
        f"({s.get('session_h', hours):.0f} h logged on; {ending})."
    )
    locked_n = int(s.get("events_while_locked") or 0)
    if locked_n:
        summary += (
            f" {locked_n} events arrived while the console was locked ({s.get('locked_h')} h): "
            "someone kept working through another channel (remote access, another device)."
        )
    summary += (
        f" People lock or stop within a working day (threshold {p['min_hours']} h attended); "
        "locked nights and weekends are not counted."
    )
    return CheckResult(
        _ramp(hours, p["min_hours"], p["full_hours"]),
        summary,
        {"session": s, "attended_hours": hours, "session_hours": f.get("max_session_h")},
    )


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


@check("shared_infrastructure")
def shared_infrastructure(f: dict[str, Any], p: dict[str, Any]) -> CheckResult | None:
    devices, ips = f.get("shared_devices") or [], f.get("shared_ips") or []
    if not devices and not ips:
        return None
    handovers = int(f.get("handovers") or 0)
    others = f.get("shared_with") or []
    if devices and handovers >= p["min_handovers"]:
        score = 1.0
    elif ips and f.get("shared_ip_own_devices"):
        score = p["egress_own_devices_score"]
    elif ips:
        score = p["egress_handover_score"]
    else:
        score = p["device_only_score"]
    parts = []
    if devices:
        parts.append(f"device {', '.join(devices[:3])} (no device of their own)")
    if ips:
        parts.append(f"egress address {', '.join(ips[:3])} (taking turns, never at the same time)")
    summary = (
        f"Shares {' and '.join(parts)} with {len(others)} other identit"
        f"{'y' if len(others) == 1 else 'ies'} ({', '.join(others[:3])})"
        + (f"; sessions were handed over between them {handovers} times" if handovers else "")
        + ". Pooled desktops, lab PCs, households and offices are left out: their users have "
        "their own devices or are online at the same time."
    )
    if not devices:
        summary += (
            " An address alone is medium at most: a shared device, remote-access tools or "
            "foreign hours would raise it; a household working shifts would lower it."
        )
    return CheckResult(
        score,
        summary,
        {"devices": devices, "ips": ips, "shared_with": others, "handovers": handovers},
    )


@check("laptop_farm")
def laptop_farm(f: dict[str, Any], p: dict[str, Any]) -> CheckResult | None:
    n = int(f.get("farm_identities") or 0)
    marked = int(f.get("farm_marked") or 0)
    if n < p["min_identities"] or marked < max(p["min_marked"], (n + 1) // 2):
        return None
    score = 1.0 if f.get("farm_self_marked") else p["unmarked_member_score"]
    summary = (
        f"One of {n} identities, each on its own company device, that all reach us from one "
        f"address nobody else uses ({f.get('farm_ip')}); {marked} of them use remote-access tools "
        "or keep hours of another time zone. Several company laptops behind one home address, "
        "driven from elsewhere, is how laptop farms look."
    )
    return CheckResult(
        score,
        summary,
        {
            "ip": f.get("farm_ip"),
            "identities": n,
            "members": f.get("farm_members"),
            "marked": marked,
        },
    )


@check("concurrent_account")
def concurrent_account(f: dict[str, Any], p: dict[str, Any]) -> CheckResult | None:
    days = int(f.get("concurrent_days") or 0)
    if days < p["min_days"]:
        return None
    episodes = f.get("concurrent_episodes") or []
    first = episodes[0] if episodes else {}
    pair = " and ".join(first.get("countries") or [])
    summary = (
        f"The account was used from {pair} at the same time on {days} days: e.g. "
        f"{first.get('from')} to {first.get('to')} it went from one country to the other and "
        "back. Nobody travels that fast; two people are using one account."
    )
    if days < p["full_days"]:
        summary += (
            " More days, hosting sign-ins or remote-access tools would raise it; a border "
            "commute with a roaming phone would lower it."
        )
    return CheckResult(
        _ramp(days, p["min_days"], p["full_days"]), summary, {"days": days, "episodes": episodes}
    )


@check("anonymising_access")
def anonymising_access(f: dict[str, Any], p: dict[str, Any]) -> CheckResult | None:
    n = int(f.get("signins") or 0)
    share = float(f.get("hosting_share") or 0)
    fastest = f.get("fastest_country_change_h")
    impossible = (
        fastest is not None
        and fastest < p["impossible_hours"]
        and int(f.get("max_countries_per_day") or 0) >= 2
    )
    hosting = n >= p["min_signins"] and share >= p["min_hosting_share"]
    if not hosting and not impossible:
        return None
    score = _ramp(share, p["min_hosting_share"], 1.0, 0.5) if hosting else 0.0
    if impossible:
        score = max(score, p["impossible_score"]) if not hosting else 1.0
    parts = []
    if hosting:
        parts.append(
            f"{_pct(share)} of {n} sign-ins came through hosting/VPN ranges ({', '.join(f.get('hosting_ips', [])[:3])})"
        )
    if impossible:
        parts.append(
            f"sign-ins from {', '.join(f.get('countries', []))} with a country change after only {fastest} h"
        )
    declared = f.get("declared_country")
    summary = "; ".join(parts) + (f". Declared country: {declared}." if declared else ".")
    return CheckResult(
        score,
        summary[0].upper() + summary[1:],
        {
            "hosting_share": share,
            "signins": n,
            "countries": f.get("countries"),
            "country_changes": f.get("country_changes"),
            "hosting_ips": f.get("hosting_ips"),
        },
    )


@check("remote_access_tool")
def remote_access_tool(f: dict[str, Any], p: dict[str, Any]) -> CheckResult | None:
    tools = f.get("remote_tools") or []
    if not tools:
        return None
    summary = f"Remote-access tool seen in client app, user agent or device: {', '.join(tools)}."
    return CheckResult(p["score"], summary, {"tools": tools})


@check("camera_avoidance")
def camera_avoidance(f: dict[str, Any], p: dict[str, Any]) -> CheckResult | None:
    known = int(f.get("video_known") or 0)
    share = f.get("video_on_share")
    if known < p["min_meetings"] or share is None or share > p["max_share"]:
        return None
    team = f.get("team_median_video_on_share")
    summary = f"Camera on in {_pct(share)} of {known} meetings attended (team median {_pct(team)})."
    evidence = {"meetings": known, "video_on_share": share, "team_median": team}
    ambiguous = int(f.get("video_on_ambiguous") or 0)
    if ambiguous:
        # counted as camera on, though the call record only showed video in the session
        evidence["camera_on_from_session_modalities"] = ambiguous
        summary += (
            f" {ambiguous} of the 'on' meetings only show video was present, not who sent it."
        )
    return CheckResult(p["score"], summary, evidence)


@check("low_small_talk")
def low_small_talk(f: dict[str, Any], p: dict[str, Any]) -> CheckResult | None:
    share = f.get("small_talk_share")
    team = f.get("team_median_small_talk_share")
    if share is None or team is None or share > p["max_share"] or team < p["min_team_share"]:
        return None
    summary = (
        f"{_pct(share)} of {f.get('scored_messages')} messages were social small talk; "
        f"team median {_pct(team)}."
    )
    return CheckResult(
        p["score"],
        summary,
        {"share": share, "messages": f.get("scored_messages"), "team_median": team},
    )


@check("low_participation")
def low_participation(f: dict[str, Any], p: dict[str, Any]) -> CheckResult | None:
    contacts = int(f.get("distinct_contacts") or 0)
    team = f.get("team_median_distinct_contacts")
    if (
        not team
        or int(f.get("messages") or 0) < p["min_messages"]
        or contacts > p["max_ratio"] * team
    ):
        return None
    summary = (
        f"Interacted with {contacts} people this week (team median {team:.0f}); "
        f"{f.get('replies_to_others', 0)} replies to others."
    )
    return CheckResult(p["score"], summary, {"distinct_contacts": contacts, "team_median": team})
