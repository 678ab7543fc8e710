"""Settings for the Microsoft Graph connector, and what each resource needs from the tenant."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

DEFAULT_BASE_URL = "https://graph.microsoft.com/v1.0"
ALL_RESOURCES = ("users", "chats", "channels", "calendar", "attendance", "callrecords", "signins")


@dataclass(frozen=True, slots=True)
class ResourceInfo:
    """How a resource is named in notices, which endpoint it calls and the permission it needs."""

    label: str
    endpoint: str
    permission: str
    protected: bool = False


RESOURCES: dict[str, ResourceInfo] = {
    "users": ResourceInfo("users", "/users", "User.Read.All"),
    "mailbox": ResourceInfo("time zones", "/users/{id}/mailboxSettings", "MailboxSettings.Read"),
    "chats": ResourceInfo(
        "chat messages", "/users/{id}/chats/getAllMessages", "Chat.Read.All", protected=True
    ),
    "channels": ResourceInfo(
        "channel messages",
        "/teams/{id}/channels/{id}/messages/delta",
        "ChannelMessage.Read.All (plus Team.ReadBasic.All and Channel.ReadBasic.All)",
        protected=True,
    ),
    "calendar": ResourceInfo("calendar", "/users/{id}/calendarView", "Calendars.ReadBasic"),
    "attendance": ResourceInfo(
        "attendance",
        "/users/{id}/onlineMeetings/{id}/attendanceReports",
        "OnlineMeetings.Read.All and OnlineMeetingArtifact.Read.All",
    ),
    "callrecords": ResourceInfo(
        "call records", "/communications/callRecords", "CallRecords.Read.All"
    ),
    "signins": ResourceInfo("sign-ins", "/auditLogs/signIns", "AuditLog.Read.All"),
}


@dataclass(slots=True)
class GraphSettings:
    """Everything a Microsoft 365 sync needs; secrets arrive already resolved (never from a file here).

    Either `client_secret` (with tenant_id and client_id) or a pre-acquired `access_token` is used.
    `base_url` may end in /v1.0 or not (national clouds and loopback fakes differ).
    """

    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    resources: tuple[str, ...] = ALL_RESOURCES
    window_days: int = 28
    page_size: int = 50
    max_retries: int = 5
    retry_delay_s: float = 0.5
    # dropped connections, resets and timeouts: kiota retries status codes only, so we retry these
    transport_retries: int = 5
    transport_backoff_s: float = 0.5
    transport_budget: int = 500
    timeout_s: float = 100.0  # per request (kiota's default); connect timeout at most 30 s
    long_retry_after_limit_s: float = 0.0
    concurrency: int = 8
    now: float | None = None
    sleep: Callable[[float], Any] | None = field(default=None, repr=False)

    @property
    def root_url(self) -> str:
        """Base URL without a trailing /v1.0, which the client appends itself."""
        url = self.base_url.rstrip("/")
        return url[: -len("/v1.0")] if url.endswith("/v1.0") else url

    @property
    def api_url(self) -> str:
        """The v1.0 endpoint every request builder starts from."""
        return self.root_url + "/v1.0"

    def current_time(self) -> float:
        """`now` when pinned (demo worlds, tests), else the wall clock."""
        return self.now if self.now is not None else time.time()

    def validate(self) -> None:
        """Fail early with the key that is missing.

        Raises:
            ValueError: neither a token nor a complete client-credential triple is set.
        """
        unknown = set(self.resources) - set(ALL_RESOURCES)
        if unknown:
            raise ValueError(
                f"[m365] resources: unknown {sorted(unknown)}; choose from {ALL_RESOURCES}"
            )
        if self.access_token:
            return
        missing = [k for k in ("tenant_id", "client_id", "client_secret") if not getattr(self, k)]
        if missing:
            raise ValueError(
                f"[m365] needs access_token, or tenant_id, client_id and client_secret (missing: {', '.join(missing)})"
            )
