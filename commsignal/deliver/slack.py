"""A short digest summary to a Slack channel with slack-sdk's `chat.postMessage`: counts and pseudonyms only."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from commsignal.config.deliver import SlackDeliver
from commsignal.deliver import DeliveryError
from commsignal.deliver.summary import summary_text
from commsignal.digest.escape import slack as slack_escape

_AUTH_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)


def post_slack_summary(digest: dict[str, Any], settings: SlackDeliver, token: str) -> str:
    """Post the summary to the configured channel.

    Args:
        digest: a pseudonymous digest dict.
        settings: the [deliver.slack] section.
        token: the resolved bot token (never logged or put in an error).

    Returns:
        What was done, for the outcome line.

    Raises:
        DeliveryError: Slack refused the message or could not be reached; says how to fix it.
    """
    channel = settings.channel or ""
    client = WebClient(token=token, base_url=settings.base_url, timeout=settings.timeout_seconds)
    try:
        response = client.chat_postMessage(
            channel=channel,
            text=summary_text(digest, settings.top, bold="*", line_break="\n", escape=slack_escape),
            unfurl_links=False,
            unfurl_media=False,
        )
    except SlackApiError as exc:
        code = str(exc.response.get("error") or f"HTTP {exc.response.status_code}")
        raise DeliveryError(_explain(code, channel, settings)) from None
    except (SlackClientError, OSError) as exc:
        raise DeliveryError(
            f"cannot reach Slack at {settings.base_url} ({type(exc).__name__}: {exc}). "
            "Fix: check deliver.slack.base_url and that this machine may connect."
        ) from None
    return f"posted to {channel} (ts {response.get('ts', '?')})"


def _explain(code: str, channel: str, settings: SlackDeliver) -> str:
    """A Slack error code as a sentence with the fix."""
    if code == "channel_not_found":
        return (
            f"Slack channel {channel} was not found (channel_not_found). Fix: set "
            "deliver.slack.channel to the channel ID (C0123ABCD, from the channel's details) and "
            "invite the bot to it (/invite @your-app); private channels are invisible until then."
        )
    if code == "not_in_channel":
        return (
            f"the bot is not a member of Slack channel {channel} (not_in_channel). Fix: invite "
            "it (/invite @your-app), or grant the chat:write.public scope for public channels."
        )
    if code in ("missing_scope", "no_permission"):
        return f"the Slack token may not post ({code}). Fix: add the chat:write scope and reinstall the app."
    if code in _AUTH_ERRORS:
        where = settings.token.describe() if settings.token else "deliver.slack.token"
        return f"Slack rejected the bot token from {where} ({code}). Fix: put a valid xoxb- token there."
    return f"Slack refused the message to {channel} ({code}). Fix: see https://api.slack.com/methods/chat.postMessage#errors"
