"""Windows `.evtx` files read record by record with the `evtx` (Rust) parser, for windows.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from commsignal.models import Quarantined
from connectors.logins.common import LoginFormatError, obj, quarantine


def evtx_records(path: Path, source: str) -> Iterator[tuple[int, Any] | Quarantined]:
    """Records of an .evtx file as parsed JSON, numbered by position.

    A record the parser cannot decode is quarantined, not fatal; a file that is no evtx at all
    raises LoginFormatError with the command that exports a readable one.

    Args:
        path: the file.
        source: the format name, for quarantine entries.

    Returns:
        An iterator of (record number, record) or Quarantined.
    """
    from evtx import PyEvtxParser

    file = str(path)
    size = path.stat().st_size
    with path.open("rb") as fh:
        magic = fh.read(8)
    if size < 4096 or magic != b"ElfFile\x00":
        raise LoginFormatError(
            f"{file}: not a readable .evtx file ({'empty' if not size else 'no evtx header'}); "
            "export the Security log again with wevtutil epl or Event Viewer's Save As"
        )
    try:
        records = iter(PyEvtxParser(file).records_json())
    except Exception as exc:  # the Rust parser rejects a broken header with a plain RuntimeError
        raise LoginFormatError(
            f"{file}: not a readable .evtx file ({str(exc)[:120]}); export the Security log "
            "again, or use `wevtutil qe Security /f:xml > FILE.xml` and import that"
        ) from None
    n = 0
    failures = 0
    while True:
        n += 1
        try:
            rec = next(records)
        except StopIteration:
            partial = (size - 4096) % 65536 if size > 4096 else 0
            if partial:  # the parser skips an incomplete last chunk without any error
                yield quarantine(
                    source,
                    file,
                    n,
                    f"truncated evtx: the last chunk has only {partial} of 65536 bytes; "
                    "its records were not read",
                    "",
                )
            return
        except Exception as exc:  # the Rust parser raises plain RuntimeError/OSError per bad record
            failures += 1
            yield quarantine(source, file, n, f"unreadable evtx record: {exc}", "")
            if failures > 1000:
                return
            continue
        failures = 0
        try:
            yield (n, json.loads(obj(rec)["data"]))
        except (ValueError, KeyError, TypeError) as exc:
            yield quarantine(source, file, n, f"unreadable evtx record: {exc}", str(rec)[:2000])
