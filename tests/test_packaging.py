"""A built wheel carries the detector rules and the demo config, and finds both without the checkout."""

from __future__ import annotations

import fnmatch
import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from commsignal.config import EXAMPLE_CONFIG
from commsignal.demo.run import DEMO_CONFIG
from commsignal.detect.rules import SHIPPED_RULES, load_rules

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))

# Run inside the unpacked wheel: prints where commsignal came from and how many rules it found.
_PROBE = """
from importlib.resources import as_file
import commsignal
from commsignal.config import load_config
from commsignal.demo.run import DEMO_CONFIG
from commsignal.detect.rules import load_rules
with as_file(DEMO_CONFIG) as path:
    assert load_config(path).slack.enabled
from commsignal.config import EXAMPLE_CONFIG
with as_file(EXAMPLE_CONFIG) as path:
    assert load_config(path).schedule.jobs
print(commsignal.__file__)
print(len(load_rules()))
"""


def _unmet_build_requirements() -> list[str]:
    """`[build-system] requires` entries this interpreter lacks, since the build runs without isolation."""
    unmet = [] if importlib.util.find_spec("pip") else ["pip (not installed)"]
    for text in PYPROJECT["build-system"]["requires"]:
        req = Requirement(text)
        try:
            have = metadata.version(req.name)
        except metadata.PackageNotFoundError:
            unmet.append(f"{text} (not installed)")
            continue
        if not req.specifier.contains(have, prereleases=True):
            unmet.append(f"{text} (have {have})")
    return unmet


def _copy_sources(dst: Path) -> Path:
    """Copy what the build reads, so it writes build/ and *.egg-info there and never reuses stale ones."""
    dst.mkdir()
    shutil.copy2(REPO / "pyproject.toml", dst)
    shutil.copy2(REPO / PYPROJECT["project"]["readme"], dst)
    patterns = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for top in REPO.iterdir():
        if top.is_dir() and any(fnmatch.fnmatch(top.name, p) for p in patterns):
            shutil.copytree(top, dst / top.name, ignore=ignore)
    return dst


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One wheel built offline from a copy of the checkout, shared by the tests below."""
    unmet = _unmet_build_requirements()
    if unmet:
        pytest.skip(
            "cannot build a wheel without build isolation here; unmet build requirements: "
            + ", ".join(unmet)
            + " (fix: pip install -e '.[dev]')"
        )
    root = tmp_path_factory.mktemp("wheel")
    src = _copy_sources(root / "src")
    out = root / "dist"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index"]
        + ["--quiet", "-w", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = out.glob("commsignal-*.whl")
    return built


def test_wheel_ships_every_rule_and_the_demo_config(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"commsignal/rules/{p.name}" for p in SHIPPED_RULES.iterdir() if p.is_file()}
    assert expected, "no rule files found in the checkout"
    assert {n for n in names if n.startswith("commsignal/rules/")} == expected
    assert f"commsignal/demo/{DEMO_CONFIG.name}" in names
    assert f"commsignal/{EXAMPLE_CONFIG.name}" in names


def test_installed_wheel_finds_rules_and_demo_config_without_the_checkout(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    module_file, count = result.stdout.split()
    assert Path(module_file).is_relative_to(site), module_file
    assert int(count) == len(load_rules())
