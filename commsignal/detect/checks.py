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
    hours = float(f.get("max_session_h") or 0)
    if hours < p["min_hours"]:
        return None
    s = f.get("longest_session") or {}
    if s.get("end_reason") == "replaced":
        ending = f"no logoff or lock seen; it ended only when a new logon replaced it, last activity {s.get('end')}"
    elif s.get("end"):
        ending = f"ended by {s.get('end_reason')} at {s['end']}"
    else:
        ending = f"no logoff or lock seen; last activity {s.get('last_seen')}"
    summary = (
        f"One session ran {hours / 24:.1f} days ({hours:.0f} h): started {s.get('start')}, {ending}. "
        f"People log off or lock within a working day (threshold {p['min_hours']} h)."
    )
    return CheckResult(
        _ramp(hours, p["min_hours"], p["full_hours"]), summary, {"session": s, "hours": hours}
    )


@check("round_the_clock")
def round_the_clock(f: dict[str, Any], p: dict[str, Any]) -> CheckResult | None:
    regular = int(f.get("regular_hours") or 0)
    if regular < p["min_hours"] or int(f.get("activity_events") or 0) < p["min_events"]:
        return None
    peaks = f.get("peak_hours_utc") or []
    peak_text = (
        f"; bursts at {', '.join(f'{h:02d}:00' for h in peaks)} UTC (hand-over times?)"
        if peaks
        else ""
    )
    summary = (
        f"Active in {regular} of 24 hours of the day on two or more days this week{peak_text}. "
        f"One person is rarely active in more than {p['min_hours'] - 4}-{p['min_hours'] - 2} hours."
    )
    return CheckResult(
        _ramp(regular, p["min_hours"], p["full_hours"]),
        summary,
        {"regular_hours": regular, "peak_hours_utc": peaks, "hours_utc": f.get("hours_utc")},
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
    gain = float(f.get("fit_share") or 0) - float(declared_share)
    if diff < p["min_diff_h"] or gain < p["min_gain"]:
        return None
    fit = int(f["fit_offset_h"])
    summary = (
        f"{_pct(f.get('fit_share'))} of activity falls in 08-19 at UTC{fit:+d}, "
        f"but only {_pct(declared_share)} in 08-19 of the declared zone {f.get('declared_tz')} "
        f"(UTC{float(f.get('declared_offset_h') or 0):+.0f}): {diff:.0f} h apart."
    )
    return CheckResult(
        _ramp(diff, p["min_diff_h"], p["full_diff_h"]),
        summary,
        {
            "fit_offset_h": fit,
            "declared_tz": f.get("declared_tz"),
            "offset_diff_h": diff,
            "fit_share": f.get("fit_share"),
            "declared_share": declared_share,
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
    elif devices:
        score = p["device_only_score"]
    else:
        score = p["ip_only_score"]
    parts = []
    if devices:
        parts.append(f"device {', '.join(devices[:3])}")
    if ips:
        parts.append(f"egress IP {', '.join(ips[:3])}")
    summary = (
        f"Shares {' and '.join(parts)} with {len(others)} other person(s) ({', '.join(others[:3])})"
        + (f"; sessions were handed over between them {handovers} times" if handovers else "")
        + ". Each employee normally has their own device and few share an address."
    )
    return CheckResult(
        score,
        summary,
        {"devices": devices, "ips": ips, "shared_with": others, "handovers": handovers},
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
