"""What a Slack sync needs to know: where, with which token, how much to fetch and how hard to retry."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_TYPES = ("public_channel", "private_channel", "mpim", "im")


@dataclass(slots=True)
class SlackSettings:
    """Settings for one Slack workspace; the config loader builds it, tests construct it directly.

    `request_budget` maps a Web API method (or "audit.logs", or "*" for all calls together) to the
    most requests one run may make; None means unlimited. When a budget is spent the sync stops
    after its last committed page and the next run continues from the cursor, which is how the
    2025 limit for non-Marketplace apps (1 history/replies request a minute, 15 per page) is met:
    run every minute with `page_size=15` and a budget of 1 for those two methods.
    """

    token: str = field(repr=False)
    base_url: str = "https://slack.com/api/"
    audit_base_url: str = "https://api.slack.com/audit/v1/"
    conversation_types: tuple[str, ...] = DEFAULT_TYPES
    page_size: int = 200
    lookback_days: float = 7.0
    request_budget: dict[str, int | None] | None = None
    rate_limit_retries: int = 5
    server_error_retries: int = 3
    connection_retries: int = 3
    retry_sleep_scale: float = 1.0  # 0 turns every retry wait off (tests, benchmarks)
    timeout: int = 30
    access_logs: bool = False
    audit_logs: bool = False
    audit_token: str | None = field(default=None, repr=False)
    token_env: str = "SLACK_BOT_TOKEN"
    audit_token_env: str = "SLACK_AUDIT_TOKEN"

    def budget_for(self, method: str) -> int | None:
        """The per-run request cap for one method, or None when it is unlimited."""
        return (self.request_budget or {}).get(method)

    def budgeted(self, method: str) -> bool:
        """Whether calls to `method` are capped per run (directly or by the "*" total)."""
        budget = self.request_budget or {}
        return budget.get(method) is not None or budget.get("*") is not None
