"""Digest files in HTML, Markdown and JSON from the digest dict."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from commsignal.digest import charts, overview_charts

_env = Environment(
    loader=PackageLoader("commsignal.digest", "templates"),
    # the templates are named *.html.j2: autoescape on the name before the .j2
    autoescape=lambda name: select_autoescape(["html"])((name or "").removesuffix(".j2")),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.globals.update(charts=charts, overview_charts=overview_charts)


def render(digest: dict[str, Any], fmt: str) -> str:
    """Render one format ("html", "md" or "json")."""
    if fmt == "json":
        return json.dumps(digest, indent=2, sort_keys=False, default=str) + "\n"
    template = {"html": "digest.html.j2", "md": "digest.md.j2"}.get(fmt)
    if template is None:
        raise ValueError(f"unknown digest format {fmt!r}; use html, md or json")
    return _env.get_template(template).render(d=digest)


def write_digest(digest: dict[str, Any], out_dir: str | Path, formats: list[str]) -> list[Path]:
    """Write the digest as `commsignal-digest-<week>.<ext>` files; returns their paths."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        path = folder / f"commsignal-digest-{digest['week']}.{fmt}"
        # digests name people (pseudonyms, or names with --reveal): owner-only, like the key
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(render(digest, fmt))
        paths.append(path)
    return paths
