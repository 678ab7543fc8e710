"""Inline SVG charts for the top and end of the digest: levels over the weeks, data per day, team engagement.

Same rules as `commsignal.digest.charts`: escaped data, a title and description per chart, the numbers
also as a table in the template.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from commsignal.digest.charts import DAYS, HEAT, LEVEL_COLOURS, label, svg

TONES = {
    "drop": "#ff8182",
    "lower": "#ffcecb",
    "same": "#eaeef2",
    "higher": "#cae8ff",
    "rise": "#80ccff",
}


def level_bars(weeks: Sequence[dict[str, Any]]) -> Markup:
    """People by level per week, stacked; weeks that were not analysed are marked as such.

    Args:
        weeks: `history.levels` of the digest, oldest first.

    Returns:
        The chart.
    """
    bar, gap, top_pad, plot_h = 34, 14, 16, 90
    width = 30 + len(weeks) * (bar + gap)
    height = top_pad + plot_h + 26
    most = max((w["high"] + w["medium"] for w in weeks), default=0) or 1
    body = [f'<path stroke="#d0d7de" d="M28 {top_pad + plot_h}H{width}"/>']
    body.append(label(24, top_pad + 8, str(most), "end", 8))
    for i, w in enumerate(weeks):
        x0 = 30 + i * (bar + gap)
        base = top_pad + plot_h
        body.append(label(x0 + bar / 2, height - 12, str(w["week"])[-3:], "middle", 9))
        if not w.get("analysed"):
            body.append(label(x0 + bar / 2, base - 4, "n/a", "middle", 8))
            continue
        for lvl in ("medium", "high"):
            h = round(plot_h * w[lvl] / most, 1)
            if h:
                body.append(
                    f'<rect x="{x0}" y="{round(base - h, 1)}" width="{bar}" height="{h}" fill="{LEVEL_COLOURS[lvl]}"/>'
                )
                base -= h
        body.append(label(x0 + bar / 2, base - 3, f"{w['high']}/{w['medium']}", "middle", 8))
    body.append(label(30, height - 1, "high / medium people per week (low not drawn)", size=8))
    desc = "; ".join(
        f"{w['week']}: {w['high']} high, {w['medium']} medium, {w['low']} low"
        if w.get("analysed")
        else f"{w['week']}: not analysed"
        for w in weeks
    )
    return svg(width, height, "People by level, last weeks", desc, "".join(body), "levels")


def coverage_grid(cov: dict[str, Any]) -> Markup:
    """Rows per source, a cell per day, zero days outlined red so a connector gap is not read as quiet.

    Args:
        cov: `coverage_days` of the digest.

    Returns:
        The chart.
    """
    cell_w, cell_h, left, top_pad = 54, 16, 150, 16
    rows = cov.get("rows", [])
    width = left + 7 * cell_w + 4
    height = top_pad + max(1, len(rows)) * (cell_h + 3) + 4
    body = [
        label(left + d * cell_w + cell_w / 2, 11, day, "middle", 9)
        for d, day in enumerate(cov.get("labels", DAYS))
    ]
    gaps = []
    for r, row in enumerate(rows):
        y = top_pad + r * (cell_h + 3)
        body.append(label(left - 6, y + 12, row["label"], "end", 10))
        top = max(row["counts"]) or 1
        for d, n in enumerate(row["counts"]):
            xx = left + d * cell_w
            if n:
                colour = HEAT[min(3, int(3 * n / top))]
                body.append(
                    f'<rect x="{xx}" y="{y}" width="{cell_w - 3}" height="{cell_h}" fill="{colour}"/>'
                )
            else:
                gaps.append(f"M{xx + 1} {y + 1}h{cell_w - 5}v{cell_h - 2}h{5 - cell_w}z")
    if gaps:
        body.append(
            f'<path fill="#fff" stroke="#cf222e" stroke-dasharray="2 2" d="{"".join(gaps)}"/>'
        )
    desc = "; ".join(
        f"{row['label']}: "
        + (", ".join(str(n) for n in row["counts"]))
        + (f" ({row['counts'].count(0)} days with nothing)" if 0 in row["counts"] else "")
        for row in rows
    )
    return svg(
        width, height, "Data per source per day", desc or "no sources", "".join(body), "coverage"
    )


def change_grid(engagement: dict[str, Any]) -> Markup:
    """Team x measure cells coloured by this week against the team's usual (red lower, blue higher).

    Args:
        engagement: `engagement` of the digest.

    Returns:
        The chart.
    """
    measures = engagement.get("measures", [])
    teams = engagement.get("teams", [])
    cell_w, cell_h, left, top_pad = 84, 16, 130, 18
    width = left + len(measures) * cell_w + 4
    height = top_pad + max(1, len(teams)) * (cell_h + 3) + 4
    body = [
        label(left + i * cell_w + cell_w / 2, 12, m["label"], "middle", 9)
        for i, m in enumerate(measures)
    ]
    notes = []
    for r, t in enumerate(teams):
        y = top_pad + r * (cell_h + 3)
        body.append(label(left - 6, y + 12, t["team"], "end", 10))
        for i, m in enumerate(measures):
            c = t["values"].get(m["key"], {})
            xx = left + i * cell_w
            colour = TONES.get(c.get("tone"), "#f6f8fa")
            body.append(
                f'<rect x="{xx}" y="{y}" width="{cell_w - 3}" height="{cell_h}" fill="{colour}"/>'
            )
            body.append(
                label(xx + cell_w / 2 - 1, y + 12, c.get("change_text", "n/a"), "middle", 9)
            )
            if c.get("drop"):
                notes.append(f"{t['team']} {m['label']} {c.get('change_text')}")
    desc = "Change against each team's last weeks. " + (
        "Notable drops: " + "; ".join(notes) if notes else "No notable drops."
    )
    return svg(
        width, height, "Engagement this week against usual", desc, "".join(body), "engagement"
    )
