"""Vendor CSV downloads (Entra, Okta) read as one dict per record, in any encoding and delimiter.

Records may span lines (quoted cells with line breaks); a record the csv module cannot read, or
with the wrong number of cells, is quarantined and reading goes on with the next one.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from commsignal.models import Quarantined
from connectors.logins.common import MAX_LINE, open_text, quarantine
from connectors.logins.detect_format import split_header


def iter_csv_records(path: Path, source: str) -> Iterator[tuple[int, Any] | Quarantined]:
    """Records of a CSV file with a header line, as {header: cell} dicts.

    Args:
        path: the file.
        source: the format name, for quarantine entries.

    Returns:
        An iterator of (line number where the record starts, record) or Quarantined.
    """
    file = str(path)
    csv.field_size_limit(MAX_LINE)
    with open_text(path) as fh:
        header_line = fh.readline(MAX_LINE)
        while header_line and not header_line.strip():
            header_line = fh.readline(MAX_LINE)
        header, delimiter = split_header(header_line)
        reader = csv.reader(fh, delimiter=delimiter)
        while True:
            line = reader.line_num + 2
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield quarantine(source, file, line, f"unreadable CSV record: {str(exc)[:80]}", "")
                continue
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                truncated = len(row) < len(header)
                reason = f"expected {len(header)} columns, got {len(row)}" + (
                    " (truncated?)" if truncated else ""
                )
                yield quarantine(source, file, line, reason, delimiter.join(row)[:2000])
                continue
            yield (line, dict(zip(header, row, strict=True)))


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
