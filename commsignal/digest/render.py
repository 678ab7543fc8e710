"""Digest files in HTML, Markdown and JSON from the digest dict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

_env = Environment(
    loader=PackageLoader("commsignal.digest", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(digest: dict[str, Any], fmt: str) -> str:
    """Render one format ("html", "md", "json" or "ocsf": OCSF Detection Findings as JSON Lines)."""
    if fmt == "json":
        return json.dumps(digest, indent=2, sort_keys=False, default=str) + "\n"
    if fmt == "ocsf":
        from commsignal.digest.ocsf import render_ocsf

        return render_ocsf(digest)
    template = {"html": "digest.html.j2", "md": "digest.md.j2"}.get(fmt)
    if template is None:
        raise ValueError(f"unknown digest format {fmt!r}; use html, md, json or ocsf")
    return _env.get_template(template).render(d=digest)


def write_digest(digest: dict[str, Any], out_dir: str | Path, formats: list[str]) -> list[Path]:
    """Write the digest as `commsignal-digest-<week>.<ext>` files; returns their paths."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        ext = "ocsf.jsonl" if fmt == "ocsf" else fmt
        path = folder / f"commsignal-digest-{digest['week']}.{ext}"
        path.write_text(render(digest, fmt), encoding="utf-8")
        paths.append(path)
    return paths
