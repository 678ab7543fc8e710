"""Login-log parsers: Windows Security events, Okta, Entra sign-ins, Slack audit/access logs, generic CSV.

Each parser is a pure generator over one file yielding `LoginEvent`s and `Quarantined` rows; no
database, no config files. `parse_file` picks one by format name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from connectors.logins.common import (
    LoginFormatError,
    NaiveTimestampError,
    ParseOptions,
    ParseResult,
    Skipped,
)
from connectors.logins.csv_logins import parse_csv
from connectors.logins.detect_format import command_for, detect
from connectors.logins.entra import parse_entra
from connectors.logins.okta import parse_okta
from connectors.logins.slack_logs import parse_slack_audit
from connectors.logins.windows import parse_windows

Parser = Callable[[str | Path, ParseOptions | None], Iterator[ParseResult]]

LABELS = {
    "windows": "Windows Security events",
    "okta": "an Okta System Log export",
    "entra": "Entra ID sign-ins",
    "slack-audit": "Slack audit or access logs",
    "csv": "a generic login CSV",
}

PARSERS: dict[str, Parser] = {
    "windows": parse_windows,
    "okta": parse_okta,
    "entra": parse_entra,
    "slack-audit": parse_slack_audit,
    "csv": parse_csv,
}


def parse_file(
    fmt: str, path: str | Path, options: ParseOptions | None = None
) -> Iterator[ParseResult]:
    """Parse one login file in the named format.

    Args:
        fmt: one of `PARSERS` (windows, okta, entra, slack-audit, csv).
        path: the file (`.evtx` is accepted for windows).
        options: time zone for naive timestamps, CSV mappings, account filters.

    Returns:
        An iterator of LoginEvent and Quarantined. Raises LoginFormatError for an unknown format.
    """
    parser = PARSERS.get(fmt)
    if parser is None:
        raise LoginFormatError(
            f"unknown login format {fmt[:40]!r}; choose one of {', '.join(sorted(PARSERS))}"
        )
    check_format(fmt, Path(path), options)
    return parser(path, options)


def check_format(fmt: str, path: Path, options: ParseOptions | None = None) -> None:
    """Refuse a file whose content is another source's export, naming it and the command to use.

    Args:
        fmt: the format asked for.
        path: the file.
        options: a generic CSV with explicit --column mappings is taken as asked.
    """
    if not path.is_file():
        raise LoginFormatError(f"{path}: no such file")
    if fmt == "windows" and path.suffix.lower() == ".evtx":
        return  # the evtx reader says itself what is wrong with a broken one
    try:
        found = detect(path)
    except OSError as exc:
        raise LoginFormatError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if not found.format or found.format == fmt:
        return
    if fmt == "csv" and options is not None and options.column_map:
        return
    if found.format == "zip":
        raise LoginFormatError(
            f"{path.name}: a zip archive, not {LABELS.get(fmt, fmt)}; unzip it and import the "
            "log files inside"
        )
    raise LoginFormatError(
        f"{path.name}: this is {found.label}, not {LABELS.get(fmt, fmt)}; "
        f"import it with: {command_for(found, str(path))}"
    )


__all__ = [
    "LABELS",
    "PARSERS",
    "Skipped",
    "check_format",
    "LoginFormatError",
    "NaiveTimestampError",
    "ParseOptions",
    "parse_file",
]
