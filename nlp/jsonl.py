"""Reads JSON Lines files of messages or labelled emails, naming the file and line on bad input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def iter_objects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Streams the JSON objects of a file with their 1-based line numbers; blank lines skipped.

    Args:
        path: A JSON Lines file.

    Yields:
        (line number, object) pairs, lazily, so large files stay out of memory.

    Raises:
        ValueError: A line is not valid JSON or not an object; the message names file and line.
    """
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None
            if not isinstance(row, dict):
                raise ValueError(f"{path}:{lineno}: not a JSON object")
            yield lineno, row
