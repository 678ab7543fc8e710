"""Our `nlp` and `connectors` packages are the ones imported, and data flows one way between layers."""

from __future__ import annotations

import ast
from pathlib import Path

import connectors
import nlp

REPO = Path(__file__).resolve().parents[1]


def test_top_level_packages_come_from_this_repo() -> None:
    assert Path(nlp.__file__).resolve().is_relative_to(REPO)
    assert Path(connectors.__file__).resolve().is_relative_to(REPO)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_connectors_and_nlp_stay_pure() -> None:
    for package in ("connectors", "nlp"):
        for path in (REPO / package).rglob("*.py"):
            for name in _imports(path):
                if name.startswith("commsignal"):
                    assert name == "commsignal.models", f"{path} imports {name}"
                if package == "connectors":
                    assert not name.startswith(("nlp", "sqlite_utils")), f"{path} imports {name}"
                if package == "nlp":
                    assert not name.startswith(("connectors", "sqlite_utils")), (
                        f"{path} imports {name}"
                    )


def test_stages_never_import_the_cli() -> None:
    for path in (REPO / "commsignal").rglob("*.py"):
        if path.name.startswith("cli") or path.name == "__main__.py":
            continue
        for name in _imports(path):
            # cli_context is the shared app context (config + store), not a command
            if name.startswith("commsignal.cli"):
                assert name == "commsignal.cli_context", f"{path} imports {name}"
