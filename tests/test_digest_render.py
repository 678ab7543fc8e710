"""The rendered digest: charts and their tables in HTML and Markdown, escaped, self-contained, owner-only files."""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

import pytest

from commsignal.digest import build_digest, render, write_digest
from tests.digest_world import WEEK, add_person_weeks, build_store, ranked

HOSTILE_TEAM = 'Ops <b>&"x"'


@pytest.fixture
def digest() -> dict[str, Any]:
    db = build_store()
    db.execute("update people set team = ? where team = 'Ops'", [HOSTILE_TEAM])
    add_person_weeks(db, ["2026-W44", "2026-W45", "2026-W46", WEEK], HOSTILE_TEAM)
    return build_digest(db, WEEK, ranked())


def test_html_has_every_chart_with_title_and_table(digest: dict[str, Any]) -> None:
    html = render(digest, "html")
    svgs = re.findall(r"<svg\b.*?</svg>", html, re.S)
    # levels + coverage, heatmap + sparkline + timeline for the one high person, engagement
    assert len(svgs) == 6
    for svg in svgs:
        assert re.search(r"<svg[^>]*role=\"img\"[^>]*><title>[^<]+</title><desc>[^<]+</desc>", svg)
    assert html.count('<table class="numbers">') == 6


def test_html_escapes_data_under_autoescape(digest: dict[str, Any]) -> None:
    html = render(digest, "html")
    assert HOSTILE_TEAM not in html
    assert "Ops &lt;b&gt;&amp;" in html
    assert "<b>" not in html


def test_html_has_no_external_references(digest: dict[str, Any]) -> None:
    html = render(digest, "html")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"url\s*\(", html, re.I)
    for banned in ("<script", "<link", "@import", "<img", "<iframe", "<object"):
        assert banned not in html.lower()


def test_markdown_carries_the_same_numbers(digest: dict[str, Any]) -> None:
    md = render(digest, "md")
    assert "| 2026-W45 | not analysed |" in md
    assert "\n| Slack messages | 57 | 57 | 57 | 0 | 57 | 0 | 0 |\n" in md
    assert "Risk by week: 2026-W40 n/a" in md and "2026-W47 81." in md
    assert r"address change: 10.0.0.1 to 203.0.113.5 \(RO\)" in md  # values are Markdown-escaped
    assert "| Mon | 00-24 (25) | 04-06, 09-10 |" in md
    assert (
        "Notable drops:" in md
        and r"messages per person \(median\) 10 this week against a usual 40" in md
    )
    assert "p-ops01" not in md.split("## Engagement by team")[1]
    assert HOSTILE_TEAM not in md and r"Ops \<b\>\&" in md  # a team name cannot inject markup


def test_files_are_owner_only_even_when_they_existed(
    digest: dict[str, Any], tmp_path: Path
) -> None:
    old = tmp_path / f"commsignal-digest-{WEEK}.html"
    old.write_text("old")
    old.chmod(0o644)
    for path in write_digest(digest, tmp_path, ["html", "md", "json"]):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert old.read_text().startswith("<!doctype html>")
