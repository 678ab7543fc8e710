"""The HTML digest in headless Chromium: every SVG survives parsing, the page is not blank, every chart draws."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from commsignal.digest import build_digest, write_digest
from tests.browser import dump_dom, find_browser, read_png, screenshot
from tests.digest_world import WEEK, add_person_weeks, build_store, ranked

CELL_W, CELL_H, COLUMNS = 760, 240, 2


@pytest.fixture(scope="module")
def browser() -> str:
    path = find_browser()
    if path is None:
        pytest.skip(
            "no Chromium on PATH (make test installs it with apt-get when run as root; "
            "otherwise install chromium to run the browser check)"
        )
    return path


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = build_store()
    add_person_weeks(db, ["2026-W44", "2026-W45", "2026-W46", WEEK])
    digest: dict[str, Any] = build_digest(db, WEEK, ranked())
    out = tmp_path_factory.mktemp("browser")
    (html,) = write_digest(digest, out, ["html"])
    return html


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, re.S)


def test_every_svg_survives_parsing(browser: str, page: Path) -> None:
    source = _svgs(page.read_text())
    dom = dump_dom(browser, page)
    parsed = _svgs(dom)
    assert len(source) == 6 and len(parsed) == len(source)
    titles = [re.search(r"<title>(.*?)</title>", s).group(1) for s in parsed]  # type: ignore[union-attr]
    assert titles == [re.search(r"<title>(.*?)</title>", s).group(1) for s in source]  # type: ignore[union-attr]
    assert "<script" not in dom


def test_page_is_not_blank(browser: str, page: Path, tmp_path: Path) -> None:
    image = read_png(screenshot(browser, page, tmp_path / "page.png", 1280, 1600))
    drawn, coloured = image.region(0, 0, image.width, image.height)
    assert drawn > 0.03, drawn
    assert coloured > 2000
    bands = [image.region(0, y, image.width, y + 400)[0] for y in range(0, 1600, 400)]
    assert all(b > 0.01 for b in bands), bands


def test_every_chart_draws(browser: str, page: Path, tmp_path: Path) -> None:
    """Each chart alone in a cell of known place and size: every cell must hold coloured shapes."""
    charts = _svgs(page.read_text())
    cells = "".join(
        f'<div style="position:absolute;left:{(i % COLUMNS) * CELL_W}px;top:{(i // COLUMNS) * CELL_H}px;'
        f'width:{CELL_W - 20}px;height:{CELL_H - 20}px;overflow:hidden">{svg}</div>'
        for i, svg in enumerate(charts)
    )
    grid = tmp_path / "charts.html"
    grid.write_text(
        f'<!doctype html><html><body style="margin:0;background:#fff">{cells}</body></html>'
    )
    rows = (len(charts) + COLUMNS - 1) // COLUMNS
    image = read_png(
        screenshot(browser, grid, tmp_path / "charts.png", COLUMNS * CELL_W, rows * CELL_H)
    )
    for i in range(len(charts)):
        x, y = (i % COLUMNS) * CELL_W, (i // COLUMNS) * CELL_H
        size = re.search(r'width="(\d+)" height="(\d+)"', charts[i])
        assert size is not None
        drawn, coloured = image.region(x, y, x + int(size.group(1)), y + int(size.group(2)))
        title = re.search(r"<title>(.*?)</title>", charts[i])
        assert drawn > 0.005 and coloured >= 20, (title and title.group(1), drawn, coloured)
