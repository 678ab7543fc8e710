"""The concrete things a finding points at (devices, addresses, countries, tools), for allowlists and growth."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

KINDS = ("devices", "ips", "countries", "tools")
# evidence keys holding each kind, at the top level or inside a nested session
_KEYS = {
    "devices": ("devices",),
    "ips": ("ips", "hosting_ips"),
    "countries": ("countries",),
    "tools": ("tools",),
}
_NESTED = ("session",)


def atoms(evidence: dict[str, Any]) -> dict[str, list[str]]:
    """Collect the devices, addresses, countries and tools named in a finding's evidence.

    Args:
        evidence: a finding's evidence dict (as the checks write it).

    Returns:
        kind -> sorted distinct values (kinds with none are left out).
    """
    found: dict[str, set[str]] = {}
    sources = [evidence] + [evidence[k] for k in _NESTED if isinstance(evidence.get(k), dict)]
    for src in sources:
        for kind, keys in _KEYS.items():
            for key in keys:
                for value in _strings(src.get(key)):
                    found.setdefault(kind, set()).add(value.lower() if kind == "tools" else value)
    return {kind: sorted(values) for kind, values in found.items() if values}


def new_atoms(now: dict[str, list[str]], before: dict[str, list[str]]) -> dict[str, list[str]]:
    """What `now` names that `before` did not, per kind."""
    grown = {k: sorted(set(now.get(k, [])) - set(before.get(k, []))) for k in KINDS}
    return {k: v for k, v in grown.items() if v}


def describe_new(grown: dict[str, list[str]]) -> str:
    """'new device WS-9, new address 203.0.113.7' for a growth note."""
    words = {"devices": "device", "ips": "address", "countries": "country", "tools": "tool"}
    return ", ".join(f"new {words[k]} {', '.join(v[:3])}" for k, v in grown.items())


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str) and value:
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str) and v]
    return []
