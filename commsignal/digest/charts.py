"""Inline SVG charts for the HTML digest: pure functions from digest data to escaped, script-free markup.

Every chart is one `<svg role="img">` whose first children are `<title>` and `<desc>`; the numbers
behind it are also printed as a table beside it (see the templates), so nothing is only a picture.
Every string that comes from data is XML-escaped here; the result is `markupsafe.Markup`, so the
autoescaping template prints it as is. Shapes of one colour are merged into one `<path>` to keep a
digest of 100 people small.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from markupsafe import Markup

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HEAT = ("#c6dbef", "#6baed6", "#2171b5", "#08306b")
EMPTY = "#eef1f4"
LEVEL_COLOURS = {"high": "#cf222e", "medium": "#e16f24", "low": "#afb8c1"}
ATTENDED = "#2f6fbf"
AWAY = "#f2cc8f"
MARKS = {"handover": "#a40e26", "address": "#8250df"}


def _attr(value: Any) -> str:
    return escape(str(value), {'"': "&quot;"})


def svg(width: int, height: int, title: str, desc: str, body: str, css_class: str) -> Markup:
    """Wrap chart shapes in an accessible, self-contained `<svg>`.

    Args:
        width: pixel width (also the viewBox width).
        height: pixel height.
        title: short accessible name (escaped here).
        desc: one-sentence description of what the chart shows (escaped here).
        body: shapes, already escaped by the caller.
        css_class: class for styling and for the browser check.

    Returns:
        Markup safe to print in an autoescaping template.
    """
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {_attr(css_class)}" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-size="10" fill="#57606a">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>{body}</svg>"
    )


def label(x: float, y: float, label: str, anchor: str = "start", size: int = 10) -> str:
    """A text label; size and colour default to the svg's (set once on the root, to keep files small)."""
    extra = (f' font-size="{size}"' if size != 10 else "") + (
        f' text-anchor="{anchor}"' if anchor != "start" else ""
    )
    return f'<text x="{x:g}" y="{y:g}"{extra}>{escape(label)}</text>'


def _cells_path(cells: Sequence[tuple[int, int, int]]) -> str:
    """Horizontal runs (row, first column, length) as stroke segments in cell units."""
    return "".join(f"M{c} {r}h{n}" for r, c, n in cells)


def _runs(grid: Sequence[Sequence[float]], pick: Any) -> list[tuple[int, int, int]]:
    runs: list[tuple[int, int, int]] = []
    for r, row in enumerate(grid):
        c = 0
        while c < len(row):
            if pick(row[c]):
                n = 1
                while c + n < len(row) and pick(row[c + n]):
                    n += 1
                runs.append((r, c, n))
                c += n
            else:
                c += 1
    return runs


def _heat_panel(grid: Sequence[Sequence[float]], x0: int, y0: int, cell: int) -> str:
    """7x24 cells coloured in four steps relative to the panel's busiest hour."""
    top = max((v for row in grid for v in row), default=0) or 1
    shapes = [
        f'<rect x="{x0}" y="{y0}" width="{24 * cell - 1}" height="{7 * cell - 1}" fill="{EMPTY}"/>',
        f'<g transform="translate({x0} {y0 + (cell - 1) / 2:g}) scale({cell})" '
        f'stroke-width="{(cell - 1) / cell:.3f}">',
    ]
    used = {_step(v, top) for row in grid for v in row if v > 0}
    for step, colour in enumerate(HEAT, start=1):
        if step not in used:
            continue

        # painter's order: each step covers every cell at least that busy, so runs stay long
        def pick(v: float, step: int = step) -> bool:
            return v > 0 and _step(v, top) >= step

        path = _cells_path(_runs(grid, pick))
        if path:
            shapes.append(f'<path stroke="{colour}" d="{path}"/>')
    shapes.append("</g>")
    return "".join(shapes)


def _step(value: float, top: float) -> int:
    """1-4: which quarter of the busiest hour a cell reaches."""
    return min(4, int(-(-4 * value // top)))


def heatmap(activity: dict[str, Any]) -> Markup:
    """Hour-of-week activity of a person beside their team's median, working hours outlined.

    Args:
        activity: `person.charts.activity` of the digest (grids 7x24 in the person's zone).

    Returns:
        The chart.
    """
    cell, left, top_pad = 9, 30, 24
    panel_w = 24 * cell
    gap = 28
    grids = [("This person", activity["person"])]
    if activity.get("team") is not None:
        grids.append((f"Team median ({activity.get('team_peers', 0)} peers)", activity["team"]))
    width = left + len(grids) * (panel_w + gap)
    height = top_pad + 7 * cell + 14
    work = activity.get("working") or {}
    days, hours = work.get("days", [0, 4]), work.get("hours", [8, 19])
    body = ['<g font-size="8">']
    body += [label(2, top_pad + r * cell + cell - 1, d) for r, d in enumerate(DAYS)]
    body.append("</g>")
    for i, (name, grid) in enumerate(grids):
        x0 = left + i * (panel_w + gap)
        body.append(label(x0, 10, name))
        body.append(_heat_panel(grid, x0, top_pad, cell))
        body.append('<g font-size="7">')
        body.extend(label(x0 + h * cell, top_pad - 3, f"{h:02d}") for h in (0, 6, 12, 18))
        body.append("</g>")
        body.append(
            f'<rect x="{x0 + hours[0] * cell - 1}" y="{top_pad + days[0] * cell - 1}" '
            f'width="{(hours[1] - hours[0]) * cell + 1}" height="{(days[1] - days[0] + 1) * cell + 1}" '
            'fill="none" stroke="#1b1f24" stroke-width="1.5" stroke-dasharray="3 2"/>'
        )
    body.append(
        label(
            left,
            height - 2,
            f"hours in {activity.get('tz', 'UTC')}; dashed: declared working hours",
            size=8,
        )
    )
    total = sum(sum(r) for r in activity["person"])
    desc = (
        f"{total} events by hour of the week in {activity.get('tz', 'UTC')}, darker is busier; "
        f"the dashed box is {DAYS[days[0]]}-{DAYS[days[1]]} {hours[0]:02d}:00-{hours[1]:02d}:00."
    )
    return svg(width, height, "Activity by hour of the week", desc, "".join(body), "heatmap")


def timeline(sessions: dict[str, Any]) -> Markup:
    """The week's sessions as bars: attended time solid, locked or disconnected time pale, marks on top.

    Args:
        sessions: `person.charts.sessions` of the digest (times in hours from the week's start).

    Returns:
        The chart.
    """
    left, right, lane_h, top_pad = 34, 8, 12, 16
    span = float(sessions.get("hours", 168))
    width = 720
    scale = (width - left - right) / span
    bars = sessions.get("bars", [])
    lanes = max((b["lane"] for b in bars), default=-1) + 1
    height = top_pad + max(lanes, 1) * lane_h + 16

    def x(h: float) -> float:
        return round(left + max(0.0, min(span, h)) * scale)

    body = [
        f'<rect x="{left}" y="{top_pad}" width="{width - left - right}" height="{max(lanes, 1) * lane_h}" fill="#f6f8fa"/>'
    ]
    grid = "".join(f"M{x(d * 24):g} {top_pad - 4}v{max(lanes, 1) * lane_h + 4}" for d in range(8))
    body.append(f'<path stroke="#d0d7de" d="{grid}"/>')
    body.append('<g font-size="8">')
    body.extend(
        label(x(d * 24) + 2, top_pad + max(lanes, 1) * lane_h + 11, DAYS[d]) for d in range(7)
    )
    body.append("</g>")
    away, attended, open_ends = [], [], []
    for b in bars:
        y = top_pad + b["lane"] * lane_h + 2
        away.append(f"M{x(b['start_h']):g} {y + 4}H{max(x(b['end_h']), x(b['start_h']) + 1):g}")
        for a, z in b.get("attended", []):
            attended.append(f"M{x(a):g} {y + 4}H{max(x(z), x(a) + 1):g}")
        if b.get("open"):
            open_ends.append(f"M{x(b['end_h']):g} {y - 1}l5 5l-5 5z")
    body.append(f'<path stroke="{AWAY}" stroke-width="8" d="{"".join(away)}"/>')
    body.append(f'<path stroke="{ATTENDED}" stroke-width="8" d="{"".join(attended)}"/>')
    if open_ends:
        body.append(f'<path fill="#1b1f24" d="{"".join(open_ends)}"/>')
    for kind, colour in MARKS.items():
        marks = "".join(
            f"M{x(m['at_h'])} {top_pad - 10}l4 7h-8z"
            for m in sessions.get("marks", [])
            if m["kind"] == kind
        )
        if marks:
            body.append(f'<path fill="{colour}" d="{marks}"/>')
    n_marks = len(sessions.get("marks", []))
    desc = (
        f"{len(bars)} sessions over the week from {DAYS[0]} to {DAYS[6]}; "
        f"{sum(1 for b in bars if b.get('open'))} without an end; {n_marks} hand-overs or address changes marked."
    )
    return svg(width, height, "Sessions this week", desc, "".join(body), "timeline")


def sparkline(points: Sequence[dict[str, Any]]) -> Markup:
    """A person's risk over the last weeks; a week that was not analysed is a gap, not a zero.

    Args:
        points: `person.charts.risk` of the digest, oldest first, `risk` None when not analysed.

    Returns:
        The chart.
    """
    width, height, pad, label_w = 196, 40, 4, 26
    step = (width - label_w - 2 * pad) / max(1, len(points) - 1)

    def y(risk: float) -> float:
        return round(height - pad - (height - 2 * pad) * risk / 100, 1)

    body = [
        f'<path stroke="#d0d7de" stroke-dasharray="2 2" '
        f'd="M{pad} {y(40)}H{width - label_w}M{pad} {y(70)}H{width - label_w}"/>'
    ]
    line: list[str] = []
    dots: dict[str, list[str]] = {}
    ticks: list[str] = []
    for i, p in enumerate(points):
        px = round(pad + i * step, 1)
        if p.get("risk") is None:
            line.append("|")
            ticks.append(f"M{px:g} {height - pad - 3}v3")
            continue
        line.append(f"{px:g},{y(p['risk']):g}")
        colour = LEVEL_COLOURS.get(str(p.get("level")), "#57606a")
        dots.setdefault(colour, []).append(f"M{px:g} {y(p['risk']):g}h0")
    for segment in " ".join(line).split("|"):
        if len(segment.split()) > 1:
            body.append(f'<polyline fill="none" stroke="#57606a" points="{segment.strip()}"/>')
    if ticks:
        body.append(f'<path stroke="#afb8c1" d="{"".join(ticks)}"/>')
    body.extend(
        f'<path class="dot" stroke="{c}" stroke-width="5" stroke-linecap="round" d="{"".join(d)}"/>'
        for c, d in dots.items()
    )
    known = [p for p in points if p.get("risk") is not None]
    if known and points[-1].get("risk") is not None:
        last = points[-1]
        body.append(label(width - label_w + 4, y(last["risk"]) + 4, str(last["risk"]), size=11))
    desc = "Risk 0-100 by week: " + (
        ", ".join(f"{p['week']} {p['risk']}" for p in known) if known else "no analysed week"
    )
    return svg(width, height, "Risk over the last weeks", desc, "".join(body), "sparkline")


def hour_ranges(row: Sequence[float]) -> str:
    """Active hours of one day as ranges ("08-12, 14-18"), for the text equivalent of the heatmap."""
    ranges: list[str] = []
    h = 0
    while h < 24:
        if row[h]:
            first = h
            while h < 24 and row[h]:
                h += 1
            ranges.append(f"{first:02d}-{h:02d}")
        else:
            h += 1
    return ", ".join(ranges) or "none"


def total(grid: Sequence[Sequence[float]] | None) -> float:
    """Sum of a grid (0 for none), for the text equivalents."""
    return round(sum(sum(r) for r in grid), 1) if grid else 0
