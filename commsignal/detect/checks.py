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
