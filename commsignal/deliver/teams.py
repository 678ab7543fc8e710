"""The digest summary to a Microsoft Teams incoming webhook, by stdlib `urllib.request`."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from commsignal.config.base import secure_url_problem
from commsignal.config.deliver import TeamsDeliver
from commsignal.deliver import DeliveryError
from commsignal.deliver.summary import summary_text
from commsignal.digest.escape import md


def post_teams_summary(digest: dict[str, Any], settings: TeamsDeliver, url: str) -> str:
    """POST `{"text": ...}` to the webhook; anything but a 2xx answer is an error.

    Args:
        digest: a pseudonymous digest dict.
        settings: the [deliver.teams] section.
        url: the resolved webhook URL (a credential: never logged or put in an error).

    Returns:
        What was done, for the outcome line.

    Raises:
        DeliveryError: bad URL, unreachable, or a non-2xx answer; says how to fix it.
    """
    where = settings.webhook_url.describe() if settings.webhook_url else "deliver.teams.webhook_url"
    parts = urlsplit(url)
    if not parts.hostname or parts.scheme not in ("https", "http"):
        raise DeliveryError(
            f"the Teams webhook URL in {where} is not an https URL. Fix: paste the whole "
            "incoming-webhook URL from the channel's Workflows/Connectors settings."
        )
    problem = secure_url_problem(url)
    if problem:  # the URL is the credential: never over plain http to another machine
        raise DeliveryError(f"the Teams webhook URL in {where} is refused: {problem}.")
    # Teams webhook text needs a blank line to break a line.
    text = summary_text(digest, settings.top, bold="**", line_break="\n\n", escape=md)
    body = json.dumps({"text": text}).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.timeout_seconds) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace").replace(url, "<webhook>").strip()
        raise DeliveryError(
            f"the Teams webhook at {parts.hostname} answered HTTP {exc.code}"
            f"{f' ({detail})' if detail else ''}. Fix: check the URL in {where} is current "
            "(webhooks are revoked when the connector or workflow is removed)."
        ) from None
    except ValueError:  # http.client.InvalidURL and friends quote the URL: never show it
        raise DeliveryError(
            f"the Teams webhook URL in {where} is malformed (spaces or control characters?). "
            "Fix: paste the whole URL again on one line."
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(
            f"cannot reach the Teams webhook at {parts.hostname} ({reason}). "
            "Fix: check the URL and that this machine may connect to it."
        ) from None
    if not 200 <= status < 300:
        raise DeliveryError(f"the Teams webhook at {parts.hostname} answered HTTP {status}.")
    return f"posted to the webhook at {parts.hostname} (HTTP {status})"
