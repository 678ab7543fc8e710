"""Reading login files as text: the encoding from the first bytes, bounded lines, JSON records.

Exports come as UTF-8 with or without BOM and as UTF-16 LE/BE (PowerShell 5.1's `>`), as one
JSON document or as JSON lines; a broken or truncated document keeps every record before the
break, and no line longer than 1 MiB is ever held whole.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from commsignal.models import Quarantined
from connectors.logins.common import quarantine


def open_text(path: Path) -> IO[str]:
    """A text stream of a log file in UTF-8 (with or without BOM) or UTF-16 LE/BE (BOM or not).

    PowerShell 5.1 writes UTF-16 LE with a BOM for `>` and `Out-File`; reading that as UTF-8
    would turn every row into junk, so the encoding is taken from the first bytes.
    """
    with path.open("rb") as fh:
        head = fh.read(4096)
    return open(path, encoding=sniff_encoding(head), errors="replace", newline="")


def sniff_encoding(head: bytes) -> str:
    """The text encoding of a file from its first bytes (BOM, else the NUL pattern of UTF-16)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:512]
    if len(sample) >= 4:
        even, odd = sample[0::2], sample[1::2]
        # ASCII text in UTF-16 has a NUL in every other byte
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be"
    return "utf-8"


def decode_head(head: bytes) -> str:
    """The first bytes of a file as text, for format detection (a cut last character is dropped)."""
    encoding = sniff_encoding(head)
    if encoding == "utf-16" and head.startswith(codecs.BOM_UTF16_BE):
        encoding = "utf-16-be"
        head = head[2:]
    elif encoding == "utf-16":
        encoding = "utf-16-le"
        head = head[2:]
    if encoding.startswith("utf-16") and len(head) % 2:
        head = head[:-1]
    return head.decode(encoding, errors="ignore")


MAX_LINE = 1 << 20
"""Longest line a parser reads (1 MiB): a longer one is quarantined, never held whole or echoed."""


def iter_lines(fh: IO[str], limit: int = MAX_LINE) -> Iterator[tuple[int, str, bool]]:
    """Physical lines with their numbers; a line longer than `limit` comes cut, flagged True.

    Args:
        fh: the open text stream.
        limit: the longest line kept whole.

    Returns:
        An iterator of (line number, text, too_long).
    """
    lineno = 0
    while True:
        line = fh.readline(limit)
        if not line:
            return
        lineno += 1
        if len(line) >= limit and not line.endswith(("\n", "\r")):
            while True:  # drain the rest of the monster line without keeping it
                rest = fh.readline(limit)
                if not rest or rest.endswith(("\n", "\r")):
                    break
            yield lineno, line[:200], True
            continue
        yield lineno, line, False


def iter_json_records(
    path: Path, source: str, sections: tuple[str, ...] = ()
) -> Iterator[tuple[int, Any] | Quarantined]:
    """Records of a JSON file: a whole document (list, `{"value": [...]}`, one object) or JSON lines.

    A broken or truncated document keeps every record before the break (one quarantine entry
    stands for the rest), so a cut-off export is not turned into one junk entry per line.

    Args:
        path: the file.
        source: the format name, for quarantine entries.
        sections: for a collection document (a dict of lists, like Panther's rule fixtures),
            the key prefixes to read; `{"log": {...}}` wrappers are unwrapped.

    Returns:
        An iterator of (line or record number, record) pairs, or Quarantined for broken lines.
        Whole documents number records from 1; JSON lines use the line number.
    """
    file = str(path)
    with open_text(path) as fh:
        first = fh.readline(MAX_LINE)
        while first and not first.strip():
            first = fh.readline(MAX_LINE)
        second = fh.readline(MAX_LINE)
        fh.seek(0)
        if first.lstrip()[:1] in ("[", "{") and not _is_json_line(first, second):
            text = fh.read()
            try:
                doc = json.loads(text)
            except (ValueError, RecursionError):
                # a JSON-lines file whose first line is broken or junk reads line by line too
                if not _is_json_line(first, "more") and not _is_json_line(second, "more"):
                    yield from _salvage(text, source, file)
                    return
                fh.seek(0)  # JSON lines with blank lines between them: read line by line
            else:
                yield from _document_records(doc, sections)
                return
        for lineno, line, too_long in iter_lines(fh):
            if too_long:
                yield quarantine(source, file, lineno, "line longer than 1 MiB", line)
                continue
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except (ValueError, RecursionError) as exc:
                truncated = not line.endswith(("\n", "\r"))
                reason = "truncated last line" if truncated else f"broken JSON: {str(exc)[:80]}"
                yield quarantine(source, file, lineno, reason, line.rstrip("\r\n"))
                continue
            yield (lineno, _unwrap(rec))


_ARRAY_START = re.compile(
    r'\s*(?:\{\s*(?:"[^"]{0,40}"\s*:\s*(?:"[^"]{0,200}"|[\d.]+|null)\s*,\s*)*"(?:value|entries|logins|records|events)"\s*:\s*)?\['
)


def _salvage(text: str, source: str, file: str) -> Iterator[tuple[int, Any] | Quarantined]:
    # records of a broken document one by one up to the break; the rest is one quarantine entry
    text = text.lstrip("\ufeff")
    start = _ARRAY_START.match(text)
    n = 0
    if start is not None:
        decoder = json.JSONDecoder()
        pos = start.end()
        closed = False
        while True:
            while pos < len(text) and text[pos] in " \t\r\n,":
                pos += 1
            if pos >= len(text):
                break
            if text[pos] == "]":
                closed = True
                break
            try:
                rec, pos = decoder.raw_decode(text, pos)
            except (ValueError, RecursionError):
                break
            n += 1
            yield (n, _unwrap(rec))
        if closed and text[pos + 1 :].strip() in ("", "}"):
            return
    line = text.count("\n", 0, max(0, len(text) - len(text.lstrip()))) + 1
    reason = (
        f"broken or truncated JSON document after record {n}"
        if n
        else "broken or truncated JSON document"
    )
    yield quarantine(source, file, n + 1 if n else line, reason, text[-200:] if n else text[:200])


def _is_json_line(first: str, second: str) -> bool:
    # JSON lines: the first line is a complete JSON value and more lines follow
    if not second.strip():
        return False
    try:
        json.loads(first)
    except ValueError:
        return False
    return True


def _document_records(doc: Any, sections: tuple[str, ...]) -> Iterator[tuple[int, Any]]:
    if isinstance(doc, dict):
        for key in ("value", "entries", "logins", "records", "events"):
            if isinstance(doc.get(key), list):
                doc = doc[key]
                break
        else:
            lists = {k: v for k, v in doc.items() if not k.startswith("_")}
            if lists and all(isinstance(v, list) for v in lists.values()):
                picked = [
                    item
                    for k, v in lists.items()
                    if not sections or any(k.startswith(s) for s in sections)
                    for item in v
                ]
                doc = picked
            else:
                doc = [doc]
    if not isinstance(doc, list):
        doc = [doc]
    for n, rec in enumerate(doc, start=1):
        yield (n, _unwrap(rec))


def _unwrap(rec: Any) -> Any:
    # Panther's rule fixtures wrap each vendor event as {"source", "test", "log": {...}}
    if isinstance(rec, dict) and isinstance(rec.get("log"), dict) and "test" in rec:
        return rec["log"]
    return rec
