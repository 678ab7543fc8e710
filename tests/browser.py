"""Headless Chromium for the digest checks: find it, screenshot a file, dump its DOM, read the PNG back.

The PNG reader is a few lines of zlib (8-bit RGB/RGBA, the five row filters; numpy, already
installed with spaCy, for the row arithmetic), so no imaging library is needed.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def find_browser() -> str | None:
    """Path of a Chromium-family browser on PATH, or None."""
    for name in NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def run_browser(
    browser: str, page: Path, *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run the browser once on a local file with a fresh profile; raises on a non-zero exit."""
    with tempfile.TemporaryDirectory(prefix="commsignal-chromium-") as profile:
        return subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )


def screenshot(browser: str, page: Path, out: Path, width: int, height: int) -> Path:
    """A PNG of the page's first `width` x `height` pixels."""
    run_browser(browser, page, f"--screenshot={out}", f"--window-size={width},{height}")
    return out


def dump_dom(browser: str, page: Path) -> str:
    """The page's DOM as the browser parsed it (no script runs: the digest has none)."""
    return run_browser(browser, page, "--dump-dom").stdout


@dataclass(slots=True)
class Image:
    """Decoded pixels as an RGB array (height x width x 3)."""

    pixels: np.ndarray

    @property
    def width(self) -> int:
        """Pixels across."""
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        """Pixels down."""
        return int(self.pixels.shape[0])

    def region(self, x0: int, y0: int, x1: int, y1: int) -> tuple[float, int]:
        """(share of pixels unlike white, number of clearly coloured pixels) in a box."""
        box = self.pixels[max(0, y0) : y1, max(0, x0) : x1].astype(np.int16)
        if not box.size:
            return 0.0, 0
        drawn = box.min(axis=2) < 235
        coloured = (box.max(axis=2) - box.min(axis=2)) > 40
        return float(drawn.mean()), int(coloured.sum())


def read_png(path: Path) -> Image:
    """Decode an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes)."""
    data = path.read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path} is not a PNG")
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}")
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[np.ndarray] = []
    prev = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=start + 1).copy()
        if kind == 1:  # Sub: a running sum per channel
            line = (
                (np.cumsum(line.reshape(-1, channels), axis=0, dtype=np.uint32) % 256)
                .astype(np.uint8)
                .ravel()
            )
        elif kind == 2:  # Up
            line = line + prev
        elif kind in (3, 4):
            line = np.frombuffer(
                _sequential(kind, bytearray(line), bytes(prev), channels), dtype=np.uint8
            )
        rows.append(line)
        prev = line
    return Image(np.stack(rows).reshape(height, width, channels)[:, :, :3])


def _sequential(kind: int, line: bytearray, prev: bytes, channels: int) -> bytes:
    """Average and Paeth rows depend on the decoded left neighbour: byte by byte."""
    for i in range(len(line)):
        a = line[i - channels] if i >= channels else 0
        b = prev[i]
        if kind == 3:
            line[i] = (line[i] + (a + b) // 2) & 255
            continue
        c = prev[i - channels] if i >= channels else 0
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    return bytes(line)
