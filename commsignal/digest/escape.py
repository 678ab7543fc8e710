"""Values from data made inert before they reach a digest, an alert or a chat message.

Names, teams, devices and summaries come from the people being looked at (a Slack `real_name`,
a device field in a login file). Each output escapes them for its own markup: HTML by Jinja's
autoescape, Markdown and chat markup here. Control characters (including bidi overrides that
reorder what a reader sees) are dropped and very long values are cut, in every format.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

NAME_LIMIT = 120
"""Longest name, team or pseudonym shown (a 10 kB display name is cut to this)."""
TEXT_LIMIT = 2000
"""Longest free-text value shown (a finding summary, guidance, a note)."""
ELLIPSIS = "…"

_NAME_KEYS = frozenset(
    {"person", "display_name", "team", "name", "manager_email", "detector", "title", "level"}
)
# CommonMark punctuation that can start markup inside a line (links, images, HTML, emphasis,
# code, tables, strikethrough, entities); others only matter at the start of a line
_MD_INLINE = re.compile(r"([\\`*_{}\[\]()<>!|~&])")
_LINE_START = re.compile(r"^(\s*)([#>+\-=])")
_WHITESPACE = re.compile(r"[\t\n\r\f\v\u2028\u2029\x85]+")


def clean(value: Any, limit: int = TEXT_LIMIT) -> str:
    """A value as one printable line: control and format characters dropped, cut to `limit`.

    Args:
        value: anything; None becomes "".
        limit: most characters kept (an ellipsis marks a cut).

    Returns:
        The cleaned text (line breaks and tabs become a space).
    """
    if value is None:
        return ""
    text = _WHITESPACE.sub(" ", str(value))
    # Cc: C0/C1 controls (ESC, NUL, ...); Cf: bidi overrides and zero-width characters
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    if len(text) > limit:
        text = text[: max(0, limit - 1)].rstrip() + ELLIPSIS
    return text


def md(value: Any, limit: int = TEXT_LIMIT) -> str:
    """A value for Markdown: cleaned, then every character that could start markup escaped.

    Links, images (`![](https://...)`, fetched on preview), raw HTML, emphasis and table pipes
    all come out as literal text.

    Args:
        value: anything (numbers pass through unchanged).
        limit: most characters kept before escaping.

    Returns:
        Markdown that renders as the literal text.
    """
    if isinstance(value, bool | int | float):
        return str(value)
    text = _MD_INLINE.sub(r"\\\1", clean(value, limit))
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


class Verbatim(str):
    """Text already made safe for its markup; the Markdown template's finalize leaves it alone."""

    __slots__ = ()


def md_code(value: Any, limit: int = NAME_LIMIT) -> Verbatim:
    """A value for inside a Markdown code span, where backslashes do not escape: backticks dropped."""
    return Verbatim(clean(value, limit).replace("`", "'"))


def md_finalize(value: Any) -> Any:
    """Jinja `finalize` for Markdown templates: every `{{ ... }}` is escaped unless Verbatim."""
    if isinstance(value, Verbatim):
        return value
    return md(value)


def slack(value: Any, limit: int = TEXT_LIMIT) -> str:
    """A value for Slack mrkdwn: cleaned, and `&`, `<`, `>` escaped as Slack documents.

    This stops links, user/channel mentions (`<!channel>`) and special commands in data; Slack
    has no escape for `*`/`_`/`~`, which can only change emphasis.
    """
    text = clean(value, limit)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sanitize_digest(value: Any, key: str = "") -> Any:
    """A copy of a digest (or any JSON-like value) with every string cleaned and cut to size.

    Names (`person`, `display_name`, `team`, ...) are cut to NAME_LIMIT, other text to TEXT_LIMIT.
    Escaping is left to each format; this only removes what no format should show.

    Args:
        value: the digest dict, or a part of it.
        key: the key `value` sits under (chooses the limit).

    Returns:
        The cleaned copy; numbers, booleans and None unchanged.
    """
    if isinstance(value, str):
        return clean(value, NAME_LIMIT if key in _NAME_KEYS else TEXT_LIMIT)
    if isinstance(value, dict):
        return {clean(k, NAME_LIMIT): sanitize_digest(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [sanitize_digest(v, key) for v in value]
    return value
