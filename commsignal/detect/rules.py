"""Detector rules as data: one TOML file per rule with its thresholds, explanation and inline test cases."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

# Package data (a symlink to config/rules, see pyproject.toml), so a wheel finds them without a rules_dir.
SHIPPED_RULES: Traversable = resources.files("commsignal") / "rules"
_REQUIRED = ("id", "name", "version", "strength", "weight", "check", "description", "guidance")


class RuleError(ValueError):
    """A rule file that cannot be used, naming the file and the problem."""


@dataclass(frozen=True, slots=True)
class RuleTest:
    """An inline case: these features should (or should not) make the rule fire."""

    name: str
    expect: bool
    features: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Rule:
    """One detector: a named check from the registry plus its parameters and explanation."""

    id: str
    name: str
    version: int
    strength: str
    weight: float
    check: str
    description: str
    guidance: str
    params: dict[str, Any] = field(default_factory=dict)
    false_positives: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    enabled: bool = True
    tests: tuple[RuleTest, ...] = ()
    path: str = ""


def load_rule(path: Traversable) -> Rule:
    """Parse and validate one rule file.

    Args:
        path: a file on disk or inside the installed package (anything `importlib.resources` returns).

    Raises:
        RuleError: bad TOML, a missing field, a bad strength/weight, or a filename that is not `<id>.toml`.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{path}: not valid TOML: {exc}") from None
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise RuleError(f"{path}: missing {', '.join(missing)}")
    if data["strength"] not in ("strong", "weak"):
        raise RuleError(f"{path}: strength must be 'strong' or 'weak', not {data['strength']!r}")
    if not 0 < float(data["weight"]) <= 1:
        raise RuleError(f"{path}: weight must be in (0, 1]")
    if Path(path.name).stem != data["id"]:
        raise RuleError(f"{path}: file name must be {data['id']}.toml")
    tests = tuple(
        RuleTest(name=t["name"], expect=bool(t["expect"]), features=dict(t.get("features", {})))
        for t in data.get("tests", [])
    )
    return Rule(
        id=data["id"],
        name=data["name"],
        version=int(data["version"]),
        strength=data["strength"],
        weight=float(data["weight"]),
        check=data["check"],
        description=data["description"].strip(),
        guidance=data["guidance"].strip(),
        params=dict(data.get("params", {})),
        false_positives=tuple(data.get("false_positives", [])),
        references=tuple(data.get("references", [])),
        enabled=bool(data.get("enabled", True)),
        tests=tests,
        path=str(path),
    )


def load_rules(directory: str | Path | None = None) -> list[Rule]:
    """Every enabled rule in a folder, sorted by id.

    Args:
        directory: `[detect] rules_dir`; None or empty means the rules shipped inside the package.

    Raises:
        RuleError: the folder is missing, a rule file is bad, or two files share an id.
    """
    folder: Traversable = Path(directory) if directory else SHIPPED_RULES
    if not folder.is_dir():
        raise RuleError(
            f"{folder}: rules folder not found. Fix: set [detect] rules_dir to a folder of rule files."
        )
    files = (p for p in folder.iterdir() if p.name.endswith(".toml") and p.is_file())
    rules = [load_rule(p) for p in sorted(files, key=lambda p: p.name)]
    ids = [r.id for r in rules]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise RuleError(f"{folder}: duplicate rule ids {sorted(dupes)}")
    return [r for r in rules if r.enabled]
