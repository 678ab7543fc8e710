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
)
from connectors.logins.csv_logins import parse_csv
from connectors.logins.entra import parse_entra
from connectors.logins.okta import parse_okta
from connectors.logins.slack_logs import parse_slack_audit
from connectors.logins.windows import parse_windows

Parser = Callable[[str | Path, ParseOptions | None], Iterator[ParseResult]]

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
            f"unknown login format {fmt!r}; choose one of {', '.join(sorted(PARSERS))}"
        )
    return parser(path, options)


__all__ = [
    "PARSERS",
    "LoginFormatError",
    "NaiveTimestampError",
    "ParseOptions",
    "parse_file",
]
