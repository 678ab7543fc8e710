"""Digest files in HTML, Markdown and JSON from the digest dict, with every data value made inert."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader

from commsignal.digest import charts, overview_charts
from commsignal.digest.escape import Verbatim, md_code, md_finalize, sanitize_digest
from commsignal.store.files import atomic_write, private_dir, remove_quietly

# autoescape on for HTML whatever the template's file name (`digest.html.j2` ends in .j2, which
# select_autoescape(["html"]) does not match); tests/test_escaping.py fails when it is off
_html = Environment(
    loader=PackageLoader("commsignal.digest", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
)
# Markdown has no autoescape: `finalize` escapes every `{{ ... }}` value instead
_md = Environment(
    loader=PackageLoader("commsignal.digest", "templates"),
    autoescape=False,
    finalize=md_finalize,
    trim_blocks=True,
    lstrip_blocks=True,
)
_md.filters["md_code"] = md_code
# a macro's output, whose values the finalize already escaped: printed as is (templates only)
_md.filters["macro_output"] = Verbatim
for _env in (_html, _md):  # the chart builders and their text helpers (commsignal/digest/charts.py)
    _env.globals.update(charts=charts, overview_charts=overview_charts)
ENVIRONMENTS = {"html": _html, "md": _md}
TEMPLATES = {"html": "digest.html.j2", "md": "digest.md.j2"}


def render(digest: dict[str, Any], fmt: str) -> str:
    """Render one format ("html", "md", "json" or "ocsf": OCSF Detection Findings as JSON Lines).

    Names and text are cleaned and escaped for the format.
    """
    safe = sanitize_digest(digest)
    if fmt == "json":
        return json.dumps(safe, indent=2, sort_keys=False, default=str) + "\n"
    if fmt == "ocsf":
        from commsignal.digest.ocsf import render_ocsf

        return render_ocsf(safe)
    template = TEMPLATES.get(fmt)
    if template is None:
        raise ValueError(f"unknown digest format {fmt!r}; use html, md, json or ocsf")
    return ENVIRONMENTS[fmt].get_template(template).render(d=safe)


def digest_path(out_dir: str | Path, week: str, fmt: str, revealed: bool = False) -> Path:
    """Where a digest file goes: `commsignal-digest-<week>[-revealed].<ext>`."""
    suffix = "-revealed" if revealed else ""
    ext = "ocsf.jsonl" if fmt == "ocsf" else fmt
    return Path(out_dir) / f"commsignal-digest-{week}{suffix}.{ext}"


def write_digest(
    digest: dict[str, Any], out_dir: str | Path, formats: list[str], revealed: bool = False
) -> list[Path]:
    """Write the digest files (0600, atomically, in a 0700 folder); returns their paths.

    Args:
        digest: the digest dict.
        out_dir: the folder.
        formats: html, md, json, ocsf.
        revealed: the digest names people: files are `...-revealed.<ext>`, so they never replace
            the pseudonymous ones of the same week.

    Returns:
        The paths written. If one fails, the ones this call wrote are removed before the error
        propagates (a revealed digest is never left half-written).
    """
    folder = private_dir(out_dir)
    paths: list[Path] = []
    try:
        for fmt in formats:
            path = digest_path(folder, digest["week"], fmt, revealed)
            text = render(digest, fmt)
            paths.append(path)
            atomic_write(path, text)
    except BaseException:
        remove_quietly(paths)
        raise
    return paths
