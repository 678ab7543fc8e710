"""Delivery of the weekly digest beyond files: email (SMTP), Slack and Microsoft Teams.

`commsignal.deliver.run.deliver_digest` sends to every enabled target; the settings live in
`commsignal.deliver.settings` (the `[deliver]` config section). This module stays free of
imports so `commsignal.config` can load the settings without an import cycle.
"""

from __future__ import annotations


class DeliveryError(Exception):
    """A target refused or could not take the digest; the message names the cause and the fix."""
