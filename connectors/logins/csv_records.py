"""Vendor CSV downloads (Entra, Okta, Windows Export-Csv) read as one record at a time, in any encoding and delimiter.

A record may span lines (a quoted cell with line breaks, like the `Message` of a Windows event);
it is assembled from physical lines while a quote is open, up to 400 lines. A stray quote can
therefore never swallow the rest of the file: when no closing quote comes, only the line with
the stray quote is quarantined and reading resumes on the line after it.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from commsignal.models import Quarantined
from connectors.logins.common import quarantine
from connectors.logins.detect_format import split_header
from connectors.logins.text_input import MAX_LINE, iter_lines, open_text

MAX_RECORD_LINES = 400

Line = tuple[int, str, bool]


def logical_records(fh: IO[str]) -> Iterator[tuple[str, int, str]]:
    """CSV records assembled from physical lines.

    Args:
        fh: the open text stream.

    Returns:
        An iterator of (kind, first line number, text); kind is "record", "broken" (a stray
        quote that never closes: only that line) or "long" (a line over 1 MiB, cut).
    """
    lines = iter_lines(fh)
    queue: deque[Line] = deque()

    def take() -> Line | None:
        return queue.popleft() if queue else next(lines, None)

    while True:
        item = take()
        if item is None:
            return
        lineno, line, too_long = item
        if too_long:
            yield ("long", lineno, line)
            continue
        if line.count('"') % 2 == 0:
            yield ("record", lineno, line)
            continue
        group = [item]
        text = line
        closed = False
        while len(group) < MAX_RECORD_LINES and len(text) < MAX_LINE:
            more = take()
            if more is None:
                break
            group.append(more)
            if more[2]:
                break
            text += more[1]
            if text.count('"') % 2 == 0:
                closed = True
                break
        if closed:
            yield ("record", lineno, text)
        else:
            yield ("broken", lineno, line)
            queue.extendleft(reversed(group[1:]))


def split_record(text: str, delimiter: str) -> list[str]:
    """The cells of one assembled record (raises csv.Error for a malformed one)."""
    body = text.rstrip("\r\n")
    if '"' not in body:
        return body.split(delimiter)
    return next(csv.reader([body], delimiter=delimiter, strict=True))


def iter_csv_records(
    path: Path, source: str, skip_type_line: bool = False, extra_column: str | None = None
) -> Iterator[tuple[int, Any] | Quarantined]:
    """Records of a CSV file with a header line, as {header: cell} dicts.

    Args:
        path: the file.
        source: the format name, for quarantine entries.
        skip_type_line: skip a leading `#TYPE ...` line (Export-Csv of Windows PowerShell 5.1).
        extra_column: the name of one more cell than the header names (Event Viewer's CSV
            leaves the message column without a name).

    Returns:
        An iterator of (line number where the record starts, record) or Quarantined.
    """
    file = str(path)
    with open_text(path) as fh:
        header: list[str] | None = None
        delimiter = ","
        for kind, lineno, text in logical_records(fh):
            if header is None:
                if not text.strip() or (skip_type_line and text.startswith("#TYPE")):
                    continue
                header, delimiter = split_header(text)
                continue
            if kind == "long":
                yield quarantine(source, file, lineno, "line longer than 1 MiB", text)
                continue
            if kind == "broken":
                yield quarantine(source, file, lineno, "unclosed quote", text.rstrip("\r\n"))
                continue
            if not text.strip():
                continue
            try:
                row = split_record(text, delimiter)
            except csv.Error as exc:
                yield quarantine(
                    source, file, lineno, f"unreadable CSV record: {str(exc)[:80]}", text[:2000]
                )
                continue
            if extra_column and len(row) == len(header) + 1:
                yield (lineno, dict(zip([*header, extra_column], row, strict=True)))
                continue
            if len(row) != len(header):
                truncated = len(row) < len(header) and not text.endswith(("\n", "\r"))
                reason = (
                    "truncated last line"
                    if truncated
                    else f"expected {len(header)} columns, got {len(row)}"
                )
                yield quarantine(source, file, lineno, reason, text.rstrip("\r\n")[:2000])
                continue
            yield (lineno, dict(zip(header, row, strict=True)))


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """Dotted column names (`client.geographicalContext.city`) as nested objects, like the JSON."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        parts = key.split(".")
        node = out
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {}
                node[part] = child
            node = child
        node[parts[-1]] = value
    return out
