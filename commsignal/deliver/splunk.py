"""The week's OCSF Detection Findings to a Splunk HTTP Event Collector (`/services/collector/event`)."""

from __future__ import annotations

import json
from typing import Any

from commsignal.config.deliver import SplunkDeliver
from commsignal.deliver import DeliveryError
from commsignal.deliver.https import post

HEC_PATH = "/services/collector/event"


def hec_payload(events: list[dict[str, Any]], settings: SplunkDeliver) -> bytes:
    """HEC's batch format: one JSON envelope per event, concatenated (not a JSON array).

    Each envelope carries the event time in epoch seconds, source, sourcetype and, when set, index.
    """
    parts = []
    for e in events:
        envelope: dict[str, Any] = {
            "time": round(e["time"] / 1000, 3),
            "source": settings.source,
            "sourcetype": settings.sourcetype,
            "event": e,
        }
        if settings.index:
            envelope["index"] = settings.index
        parts.append(json.dumps(envelope, sort_keys=True, default=str))
    return "\n".join(parts).encode("utf-8")


def send_to_splunk(events: list[dict[str, Any]], settings: SplunkDeliver, token: str) -> str:
    """Send the events in batches with `Authorization: Splunk <token>`.

    Args:
        events: OCSF events (pseudonymous).
        settings: the [deliver.splunk] section.
        token: the resolved HEC token (never logged or put in an error).

    Returns:
        What was done, for the outcome line.

    Raises:
        DeliveryError: HEC refused a batch (bad token, disabled token, wrong index) or was unreachable.
    """
    if not events:
        return "no findings to send to Splunk"
    url = (settings.url or "") + HEC_PATH
    headers = {"Authorization": f"Splunk {token}", "Content-Type": "application/json"}
    size = settings.batch_size
    batches = [events[i : i + size] for i in range(0, len(events), size)]
    for batch in batches:
        _, text = post(
            url,
            hec_payload(batch, settings),
            headers,
            settings.timeout_seconds,
            settings.ca_file,
            "Splunk HEC (deliver.splunk)",
            secrets=(token,),
        )
        try:
            answer = json.loads(text or "{}")
        except json.JSONDecodeError:
            answer = {}
        if answer.get("code", 0) != 0:
            raise DeliveryError(
                f"Splunk HEC refused the events: {answer.get('text')} (code {answer.get('code')}). "
                "Fix: check deliver.splunk.index is allowed for the token."
            )
    return f"sent {len(events)} OCSF finding(s) in {len(batches)} request(s) to Splunk HEC"
