"""Delivery of the weekly digest beyond files: email (SMTP), Slack and Microsoft Teams, and the
managers' engagement alerts.

`commsignal.deliver.run.deliver_digest` sends to every enabled target; the settings are the
`[deliver]` config section in `commsignal.config.deliver`.
"""

from __future__ import annotations


class DeliveryError(Exception):
    """A target refused or could not take the digest; the message names the cause and the fix."""
