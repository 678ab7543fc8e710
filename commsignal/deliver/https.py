"""One HTTPS POST for the SIEM targets (webhook, Splunk HEC): TLS verified, errors that name the fix."""

from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from commsignal.deliver import DeliveryError


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    ca_file: str | None,
    what: str,
    secrets: tuple[str, ...] = (),
) -> tuple[int, str]:
    """POST `body` and return (status, first 2000 characters of the answer) for a 2xx answer.

    Args:
        url: the target URL (https, or http to a loopback address, as the config allows).
        body: the request body.
        headers: request headers (secret values are never put in an error).
        timeout: seconds for the whole exchange.
        ca_file: CA bundle for a private certificate authority, or None for the system store.
        what: the target's name and config key for messages, e.g. "Splunk HEC (deliver.splunk)".
        secrets: strings to blank out of any error text (tokens echoed by a server).

    Returns:
        The status and the answer's text.

    Raises:
        DeliveryError: unreachable, TLS failure, or a non-2xx answer; the message says how to fix it.
    """
    host = urlsplit(url).hostname or url
    context = ssl.create_default_context(cafile=ca_file) if url.startswith("https") else None
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            return int(response.status), response.read(2000).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        detail = _clean(exc.read(300).decode("utf-8", "replace"), secrets)
        raise DeliveryError(
            f"{what} at {host} answered HTTP {exc.code}{f' ({detail})' if detail else ''}. "
            + _fix(exc.code, what)
        ) from None
    except ssl.SSLError as exc:
        raise DeliveryError(
            f"TLS with {what} at {host} failed ({exc.reason}). Fix: set ca_file to the CA bundle "
            "that signed the server's certificate."
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(
            f"cannot reach {what} at {host} ({_clean(str(reason), secrets)}). Fix: check the url "
            "and that this machine may connect to it."
        ) from None


def _fix(code: int, what: str) -> str:
    if code in (401, 403):
        return "Fix: check the secret the config points at is current and allowed to send."
    if code == 404:
        return "Fix: check the url path."
    if code == 413:
        return "Fix: lower batch_size."
    return f"Fix: see the {what} logs; the run will send again next time."


def _clean(text: str, secrets: tuple[str, ...]) -> str:
    for s in secrets:
        if s:
            text = text.replace(s, "<secret>")
    return text.strip()
