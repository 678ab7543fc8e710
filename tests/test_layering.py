"""Our `nlp` and `connectors` packages are the ones imported, and data flows one way between stages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import connectors
import nlp

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "commsignal"

# Which stages each stage may never import. The lower a stage, the more it may not reach.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "analysis": ("cli", "sources", "digest", "deliver", "demo", "pipeline", "schedule", "triage"),
    "detect": ("cli", "sources", "digest", "deliver", "demo", "pipeline", "schedule", "triage"),
    "store": (
        "cli",
        "sources",
        "digest",
        "deliver",
        "demo",
        "pipeline",
        "schedule",
        "analysis",
        "triage",
    ),
    "config": (
        "cli",
        "sources",
        "analysis",
        "detect",
        "digest",
        "deliver",
        "demo",
        "store",
        "triage",
    ),
    "sources": ("cli", "digest", "deliver", "demo", "pipeline", "schedule", "triage"),
    # between detect and digest: verdicts, allowlists and week-over-week state
    "triage": ("cli", "sources", "digest", "deliver", "demo", "pipeline", "schedule", "analysis"),
    "digest": ("cli", "sources", "deliver", "demo", "pipeline", "schedule"),
    "deliver": ("cli", "sources", "demo", "pipeline", "schedule"),
    "models": (
        "cli",
        "sources",
        "analysis",
        "detect",
        "digest",
        "deliver",
        "demo",
        "store",
        "triage",
    ),
}
# only these may import the command line
CLI_CALLERS = ("cli", "schedule", "demo", "__main__")


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top, inside functions and under TYPE_CHECKING alike."""
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def _stage(module: str) -> str | None:
    """`commsignal.analysis.features` -> `analysis`; `commsignal.models` -> `models`."""
    parts = module.split(".")
    if parts[0] != "commsignal" or len(parts) < 2:
        return None
    return parts[1]


def layering_violations(root: Path = PACKAGE) -> list[str]:
    """Every import of a higher stage from a lower one, as "file imports module" lines."""
    problems: list[str] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        own = rel.parts[0].removesuffix(".py")
        for name in sorted(_imports(path)):
            stage = _stage(name)
            if stage is None or stage == own:
                continue
            if stage in FORBIDDEN.get(own, ()):
                problems.append(f"commsignal/{rel} imports {name} ({own} is below {stage})")
            if stage == "cli" and own not in CLI_CALLERS:
                problems.append(f"commsignal/{rel} imports {name} (only the CLI calls the CLI)")
    return problems


def test_top_level_packages_come_from_this_repo() -> None:
    assert Path(nlp.__file__).resolve().is_relative_to(REPO)
    assert Path(connectors.__file__).resolve().is_relative_to(REPO)


def test_connectors_and_nlp_stay_pure() -> None:
    for package in ("connectors", "nlp"):
        for path in (REPO / package).rglob("*.py"):
            for name in _imports(path):
                if name.startswith("commsignal"):
                    assert name.startswith("commsignal.models"), f"{path} imports {name}"
                if package == "connectors":
                    assert not name.startswith(("nlp", "sqlite_utils")), f"{path} imports {name}"
                if package == "nlp":
                    assert not name.startswith(("connectors", "sqlite_utils")), (
                        f"{path} imports {name}"
                    )


def test_stages_import_only_downwards() -> None:
    assert layering_violations() == []


def test_the_layering_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    """The check is not vacuous: a copy of the tree with one upward import fails it."""
    for path in PACKAGE.rglob("*.py"):
        target = tmp_path / path.relative_to(PACKAGE)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text())
    features = tmp_path / "analysis" / "features.py"
    features.write_text(features.read_text() + "\nfrom commsignal.digest import build_digest\n")
    ctx = tmp_path / "store" / "runs.py"
    ctx.write_text(ctx.read_text() + "\nfrom commsignal.cli.context import AppContext\n")
    problems = layering_violations(tmp_path)
    assert any("analysis/features.py imports commsignal.digest" in p for p in problems)
    assert any("store/runs.py imports commsignal.cli.context" in p for p in problems)


def test_at_most_ten_modules_at_the_top() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 10, top


def _package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        for name in _imports(path):
            stage = _stage(name)
            if stage and stage != own and own != "__main__":
                graph.setdefault(own, set()).add(stage)
    return graph


def test_no_import_cycle_between_stages() -> None:
    """Packages and top-level modules form a directed acyclic graph."""
    graph = _package_graph()
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join([*trail, node, nxt]))
            if nxt not in state:
                visit(nxt, [*trail, node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
