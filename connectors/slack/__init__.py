"""Slack connector: slack_sdk calls and pure mappings from Slack JSON to commsignal records."""

from __future__ import annotations

from connectors.slack.client import (
    BudgetSpent,
    SlackAuthError,
    SlackChannelUnavailable,
    SlackClient,
    SlackNotEntitled,
    SlackRateLimited,
    SlackScopeError,
)
from connectors.slack.settings import SlackSettings

__all__ = [
    "BudgetSpent",
    "SlackAuthError",
    "SlackChannelUnavailable",
    "SlackClient",
    "SlackNotEntitled",
    "SlackRateLimited",
    "SlackScopeError",
    "SlackSettings",
]
