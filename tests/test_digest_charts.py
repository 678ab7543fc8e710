"""The SVG builders: well-formed, accessible, escaped, script-free, and drawing what the data says."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest
from markupsafe import Markup

from commsignal.digest import charts, overview_charts

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script>&"'


def _parse(markup: Markup) -> ET.Element:
    assert isinstance(markup, Markup)
    root = ET.fromstring(str(markup))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert [c.tag for c in root[:2]] == [f"{SVG}title", f"{SVG}desc"]
    assert root[0].text and root[1].text
    assert not list(root.iter(f"{SVG}script"))
    return root


def _grid(value: int = 0) -> list[list[int]]:
    return [[value] * 24 for _ in range(7)]


def _activity(team: Any = None, tz: str = "UTC") -> dict[str, Any]:
    person = _grid()
    person[0][3] = 5
    person[0][4] = 5
    person[2][22] = 1
    working = {"days": [0, 4], "hours": [8, 19]}
    return {"tz": tz, "person": person, "team": team, "team_peers": 4, "working": working}


def test_heatmap_merges_runs_and_outlines_working_hours() -> None:
    root = _parse(charts.heatmap(_activity()))
    paths = {p.get("stroke"): p.get("d") for p in root.iter(f"{SVG}path")}
    # Monday 03-04 (top step) is one run of two cells, painted over the lowest step that also
    # holds Wednesday 22; the steps no cell is at are not drawn
    assert paths == {charts.HEAT[0]: "M3 0h2M22 2h1", charts.HEAT[3]: "M3 0h2"}
    dashed = [r for r in root.iter(f"{SVG}rect") if r.get("stroke-dasharray")]
    assert len(dashed) == 1 and dashed[0].get("width") == str(11 * 9 + 1)
    assert "11 events" in root[1].text


def test_heatmap_draws_team_panel_only_when_there_is_one() -> None:
    alone = _parse(charts.heatmap(_activity()))
    beside = _parse(charts.heatmap(_activity(team=_grid(1))))
    assert int(beside.get("width")) > int(alone.get("width"))
    assert any("Team median" in (t.text or "") for t in beside.iter(f"{SVG}text"))


def test_data_strings_are_escaped() -> None:
    root = _parse(charts.heatmap(_activity(tz=HOSTILE)))
    assert HOSTILE in root[1].text  # survives as text, not markup
    eng = {
        "measures": [{"key": "messages", "label": HOSTILE, "kind": "count"}],
        "teams": [
            {
                "team": HOSTILE,
                "values": {"messages": {"tone": "drop", "change_text": "-40%", "drop": True}},
            }
        ],
    }
    root = _parse(overview_charts.change_grid(eng))
    assert list(root.iter(f"{SVG}script")) == []
    assert HOSTILE in root[1].text
    assert "<script>" not in str(overview_charts.change_grid(eng))


def test_timeline_draws_attended_over_away_and_marks() -> None:
    sessions = {
        "hours": 168,
        "bars": [
            {
                "lane": 0,
                "start_h": 10,
                "end_h": 58,
                "attended": [[10, 20], [30, 58]],
                "open": False,
            },
            {"lane": 1, "start_h": 60, "end_h": 168, "attended": [[60, 168]], "open": True},
        ],
        "marks": [{"kind": "handover", "at_h": 58.3}, {"kind": "address", "at_h": 40}],
    }
    root = _parse(charts.timeline(sessions))
    bars = {p.get("stroke"): p.get("d") for p in root.iter(f"{SVG}path") if p.get("stroke")}
    fills = {p.get("fill"): p.get("d") for p in root.iter(f"{SVG}path") if p.get("fill")}
    assert bars[charts.AWAY].count("M") == 2
    assert bars[charts.ATTENDED].count("M") == 3
    assert fills[charts.MARKS["handover"]].count("M") == 1
    assert fills[charts.MARKS["address"]].count("M") == 1
    assert "1 without an end" in root[1].text


@pytest.mark.parametrize("risks", [[None, None, 10, 55, 80], [None, None, None, None, None]])
def test_sparkline_leaves_gaps_for_weeks_not_analysed(risks: list[int | None]) -> None:
    points = [{"week": f"2026-W4{i}", "risk": r, "level": "high"} for i, r in enumerate(risks)]
    root = _parse(charts.sparkline(points))
    dots = [
        seg
        for p in root.iter(f"{SVG}path")
        if p.get("class") == "dot"
        for seg in p.get("d", "").split("M")[1:]
    ]
    assert len(dots) == sum(r is not None for r in risks)
    lines = list(root.iter(f"{SVG}polyline"))
    assert len(lines) == (1 if len(dots) > 1 else 0)
    if dots:
        ys = [float(d.split()[1].removesuffix("h0")) for d in dots]
        assert ys == sorted(ys, reverse=True)  # higher risk is drawn higher


def test_level_bars_say_not_analysed() -> None:
    weeks = [
        {"week": "2026-W46", "analysed": False, "high": 0, "medium": 0, "low": 0},
        {"week": "2026-W47", "analysed": True, "high": 2, "medium": 3, "low": 4},
    ]
    root = _parse(overview_charts.level_bars(weeks))
    assert len(list(root.iter(f"{SVG}rect"))) == 2
    assert "2026-W46: not analysed" in root[1].text
    assert any(t.text == "n/a" for t in root.iter(f"{SVG}text"))


def test_coverage_grid_outlines_empty_days() -> None:
    cov = {
        "labels": list(charts.DAYS),
        "rows": [
            {"label": "Slack messages", "counts": [5, 5, 5, 0, 5, 1, 1]},
            {"label": "Login events", "counts": [3] * 7},
        ],
    }
    root = _parse(overview_charts.coverage_grid(cov))
    gaps = [p for p in root.iter(f"{SVG}path") if p.get("stroke") == "#cf222e"]
    assert len(gaps) == 1 and gaps[0].get("d").count("M") == 1
    assert len(list(root.iter(f"{SVG}rect"))) == 13
    assert "1 days with nothing" in root[1].text


def test_hour_ranges_and_total() -> None:
    row = [0] * 24
    row[8:12] = [1, 2, 3, 1]
    row[23] = 4
    assert charts.hour_ranges(row) == "08-12, 23-24"
    assert charts.hour_ranges([0] * 24) == "none"
    assert charts.total([row]) == 11 and charts.total(None) == 0
