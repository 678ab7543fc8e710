"""Strips quoted replies, forwarded blocks and signatures so only the sender's own words are scored."""

from __future__ import annotations

import re

# Lines that start material the sender did not write; everything from them on is dropped.
_CUT_MARKERS = re.compile(
    r"^\s*(?:"
    r"-{2,}\s*Original Message\s*-{2,}"
    r"|-{3,}\s*Forwarded (?:by|message)\b.*"
    r"|Begin forwarded message:?"
    r"|_{5,}\s*(?:Reply Separator)?.*"
    r"|On\b[^\n]{0,200}\bwrote:\s*"
    r"|[^\n]{1,120}\bwrote:\s*$"
    r"|(?:Content-[\w-]+|Received|Message-ID|Mime-Version|X-[\w-]+|Return-Path)\s*:.*"
    r")",
    re.IGNORECASE | re.MULTILINE,
)
# "On Tue, 5 Jun 2001 ... <a@b.com>\nwrote:" splits across lines in many clients.
_ON_WROTE_2 = re.compile(r"^\s*On\b[^\n]{0,200}\n[^\n]{0,120}\bwrote:\s*$", re.IGNORECASE | re.M)
_HEADER = re.compile(r"^\s*(?:From|To|Sent|Date|Subject|cc|bcc|Reply-To)\s*:", re.IGNORECASE)
# Lotus Notes / Enron reply preamble lines: '"Name" <a@b> on 02/18/2000 04:09:37 PM',
# 'Jeff Dasovich@EES 09/13/2000 06:22 PM', a bare '12/16/98 05:30 PM', 'Sent by: ...'.
_PREAMBLE_DATE = (
    r"\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*[AP]M"
    # The same stamp wrapped by the mail client: '... on 08/02/2000' / '09:01:46 AM'.
    r"|\bon\s+\d{1,2}/\d{1,2}/\d{2,4}\s*$|^\s*\d{1,2}:\d{2}(?::\d{2})?\s*[AP]M\s*$"
)
_PREAMBLE = re.compile(
    _PREAMBLE_DATE + r"|^\s*(?:Sent by|Please respond to)\b|@\S+\s*$|\b(?:Corp|Inc|LLC|Ltd)\.?\s*$",
    re.IGNORECASE,
)
_PREAMBLE_STAMP = re.compile(_PREAMBLE_DATE, re.IGNORECASE)
_SIG_DASHES = re.compile(r"^--\s*$")
_SIGN_OFF = re.compile(
    r"^\s*(?:thanks(?: again| so much)?|thank you|many thanks|regards|best regards|kind regards|"
    r"warm regards|best|cheers|sincerely|yours(?: truly)?|respectfully|take care|talk soon|"
    r"rgds|br|all the best)\s*[,.!-]*\s*$",
    re.IGNORECASE,
)
# Contact details: recognisable on any short line.
_CONTACT_LINE = re.compile(
    r"\(?\d{3}\)?[\s.\-]\d{3}[\s.\-]\d{4}|\b(?:phone|tel|fax|cell|mobile|direct|ph)\b\.?\s*[:#]"
    r"|^\s*\S+@\S+\.\w+\s*$|^\s*(?:https?://|www\.)\S+\s*$",
    re.IGNORECASE,
)
# Titles, companies and addresses: only a footer when the line is short and not a sentence.
_FOOTER_WORDS = re.compile(
    r"\b(?:Suite|Street|St\.|Ave|Avenue|Blvd|Houston|TX|Texas|Vice President|Director|Manager|"
    r"Analyst|Counsel|Assistant|President|Enron|Corp|Inc|LLC|Ltd|Department|Dept)\b",
    re.IGNORECASE,
)
_NAME_LINE = re.compile(r"^\s*[A-Z][\w.'\-]*(?:\s+[A-Z][\w.'\-]*){0,3}\s*$")
_SOFT_BREAK = re.compile(r"=\r?\n")
_QP_ESCAPE = re.compile(r"=(?:20|09|01|3D)")


def _cut_at_header_block(lines: list[str]) -> list[str]:
    """Drops everything from the first block of mail headers (two header lines within 6)."""
    for i, line in enumerate(lines):
        if not _HEADER.match(line):
            continue
        window = lines[i + 1 : i + 7]
        after_preamble = any(_PREAMBLE.search(x) for x in lines[max(0, i - 3) : i])
        if after_preamble or any(_HEADER.match(w) for w in window):
            start = i
            # Walk back over the reply preamble that sits above the headers.
            while start > 0 and (
                not lines[start - 1].strip() or _PREAMBLE.search(lines[start - 1])
            ):
                start -= 1
            return lines[:start]
    return lines


def _strip_signature(lines: list[str]) -> list[str]:
    """Removes a '-- ' signature, a trailing sign-off block, and name/phone footers."""
    for i, line in enumerate(lines):
        if _SIG_DASHES.match(line):
            lines = lines[:i]
            break
    # A reply preamble whose header block was already cut ('04/10/2001 11:33 AM').
    while lines and (not lines[-1].strip() or _PREAMBLE_STAMP.search(lines[-1])):
        lines.pop()
    # A sign-off followed by a few short lines (name, title, phone) is a signature block.
    for i in range(len(lines) - 1, max(-1, len(lines) - 8), -1):
        if _SIGN_OFF.match(lines[i]) and all(len(x.strip()) <= 60 for x in lines[i + 1 :]):
            lines = lines[:i]
            break
    # Trailing footer lines: a bare name, phone numbers, titles, addresses.
    while lines and len(lines) > 1 and _is_footer(lines[-1]):
        lines.pop()
    return lines


def _is_footer(line: str) -> bool:
    """True for a blank line or a short contact/name/title line that ends no sentence."""
    stripped = line.strip()
    if not stripped:
        return True
    if len(stripped) > 60 or stripped.endswith(("?", "!", ",", ":")):
        return False
    if _CONTACT_LINE.search(stripped):
        return True
    short = len(stripped.split()) <= 6 and not stripped.endswith(".")
    return short and bool(_FOOTER_WORDS.search(stripped) or _NAME_LINE.match(stripped))


def clean_email_text(text: str) -> str:
    """Keeps only the sender's own words: no quoted replies, forwards, headers or signature.

    Args:
        text: A raw email body (Outlook, Lotus Notes/Enron, Gmail or plain-text style).

    Returns:
        The new text the sender wrote, whitespace-normalised per line; may be empty for a
        pure forward.
    """
    text = _SOFT_BREAK.sub("", text.replace("\r\n", "\n"))
    text = _QP_ESCAPE.sub(" ", text)
    m2 = _ON_WROTE_2.search(text)
    m = _CUT_MARKERS.search(text)
    cut = min((x.start() for x in (m, m2) if x is not None), default=len(text))
    lines = [ln for ln in text[:cut].split("\n") if not ln.lstrip().startswith(">")]
    lines = _cut_at_header_block(lines)
    lines = _strip_signature(lines)
    out = [" ".join(ln.split()) for ln in lines]
    return "\n".join(out).strip()
