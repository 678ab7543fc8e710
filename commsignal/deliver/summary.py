"""What every target sends, built once: the pseudonymous digest, its subject and a short summary.

Delivery always shares the pseudonymous digest, even after `digest --reveal`: revealing names is
an audited act for the person at the console, not for a mailing list or a channel.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from commsignal.digest.escape import NAME_LIMIT, clean

LEVELS = ("high", "medium", "low")


@dataclass(slots=True)
class SummaryEntry:
    """One listed person: pseudonym, level, risk and the title of their strongest finding."""

    pseudonym: str
    level: str
    risk: int
    finding: str


def shareable_digest(digest: dict[str, Any]) -> dict[str, Any]:
    """A copy of the digest with revealed display names removed (pseudonyms only).

    Args:
        digest: a digest dict from `build_digest`, revealed or not.

    Returns:
        The same digest as `build_digest(..., reveal=False)` would give.
    """
    shared = copy.deepcopy(digest)
    for person in shared.get("people", []):
        person.pop("display_name", None)
    return shared


def subject(digest: dict[str, Any]) -> str:
    """The email subject, e.g. "commsignal digest 2026-W47: 2 high, 3 medium"."""
    counts = digest["summary"]
    return f"commsignal digest {digest['week']}: {counts['high']} high, {counts['medium']} medium"


def top_entries(digest: dict[str, Any], top: int) -> list[SummaryEntry]:
    """The first `top` people of the digest with their strongest finding's title.

    Args:
        digest: a digest dict (already ranked, highest risk first).
        top: how many people to list.

    Returns:
        Up to `top` entries; pseudonyms only, never names or message text.
    """
    entries = []
    for person in digest.get("people", [])[:top]:
        findings = person.get("findings") or []
        best = max(
            findings,
            key=lambda f: (f.get("strength") == "strong", f.get("score", 0)),
            default=None,
        )
        title = (best.get("title") or best.get("detector") or "") if best else ""
        entries.append(SummaryEntry(person["person"], person["level"], person["risk"], title))
    return entries


def summary_lines(
    digest: dict[str, Any], top: int, escape: Callable[[Any], str] = clean
) -> list[str]:
    """A short plain-text summary for chat: week, counts by level and the top pseudonyms.

    Args:
        digest: a pseudonymous digest dict.
        top: how many people to list.
        escape: makes one data value inert in the target's markup (default: plain text, cleaned).

    Returns:
        Lines to join with the target's line break.
    """
    counts = digest["summary"]
    week = escape(clean(digest["week"], NAME_LIMIT))
    levels = ", ".join(f"{escape(counts[level])} {level}" for level in LEVELS)
    lines = [
        f"commsignal digest {week}: {levels} among {escape(counts['people_scored'])} people scored."
    ]
    entries = top_entries(digest, top)
    if entries:
        lines.append(f"Top {len(entries)}:")
        lines.extend(
            f"{i}. {escape(clean(e.pseudonym, NAME_LIMIT))} ({escape(clean(e.level, NAME_LIMIT))}, "
            f"risk {escape(e.risk)}): {escape(clean(e.finding, NAME_LIMIT))}"
            for i, e in enumerate(entries, 1)
        )
    lines.append(
        f"The explained digest is commsignal-digest-{week}.html in the digest folder; "
        "`commsignal reveal PSEUDONYM --reason TEXT` names a person (audited)."
    )
    return lines


def summary_text(
    digest: dict[str, Any],
    top: int,
    *,
    bold: str,
    line_break: str,
    escape: Callable[[Any], str] = clean,
) -> str:
    """The summary in a chat target's markup: a bold first line, the rest as lines.

    Args:
        digest: a pseudonymous digest dict.
        top: how many people to list.
        bold: the target's bold marker (Slack mrkdwn `*`, Teams Markdown `**`).
        line_break: what breaks a line there (Teams needs a blank line).
        escape: the target's escaping of one data value (`escape.slack`, `escape.md`).

    Returns:
        The message text (no names, no message text, no evidence details).
    """
    lines = summary_lines(digest, top, escape)
    return line_break.join([f"{bold}{lines[0]}{bold}", *lines[1:]])
