"""The week's OCSF Detection Findings as a JSON array POSTed to an HTTPS webhook, secret header by reference."""

from __future__ import annotations

import json
from typing import Any

from commsignal.config.deliver import WebhookDeliver
from commsignal.deliver.https import post


def post_webhook(events: list[dict[str, Any]], settings: WebhookDeliver, secret: str | None) -> str:
    """POST the events in batches of `batch_size`, each a JSON array.

    Args:
        events: OCSF events (pseudonymous).
        settings: the [deliver.webhook] section.
        secret: the resolved header value, or None for no secret header.

    Returns:
        What was done, for the outcome line.

    Raises:
        DeliveryError: a batch was refused or the endpoint was unreachable (earlier batches stay sent).
    """
    if not events:
        return "no findings to post to the webhook"
    url = settings.url or ""
    headers = {"Content-Type": "application/json", "User-Agent": "commsignal"}
    if secret is not None:
        headers[settings.secret_header] = secret
    size = settings.batch_size
    batches = [events[i : i + size] for i in range(0, len(events), size)]
    for batch in batches:
        post(
            url,
            json.dumps(batch, default=str).encode("utf-8"),
            headers,
            settings.timeout_seconds,
            settings.ca_file,
            "the webhook (deliver.webhook)",
            secrets=(secret or "",),
        )
    return f"posted {len(events)} OCSF finding(s) in {len(batches)} request(s) to the webhook"
