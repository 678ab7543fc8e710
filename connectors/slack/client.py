"""slack_sdk clients with retries configured, per-run request budgets, and errors that read as one line.

Every call goes through slack_sdk's `WebClient` (or `AuditLogsClient`); this module adds what a
scheduled collector needs on top: request counting and budgets, a retry for `ok:false ratelimited`
(which slack_sdk's handlers do not cover because it arrives as HTTP 200), and translation of Slack
error codes into `connectors.errors` exceptions that never carry the token.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from http.client import HTTPException
from typing import Any

from slack_sdk import WebClient
from slack_sdk.audit_logs import AuditLogsClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.jitter import RandomJitter
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from connectors.errors import AuthError, ConnectorError, MissingPermission, NotEntitled, RateLimited
from connectors.slack.settings import SlackSettings

log = logging.getLogger(__name__)

_AUTH_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "invalid_authentication",
    }
)


class SlackAuthError(AuthError):
    """Slack rejected the token."""


class SlackScopeError(MissingPermission):
    """The token lacks an OAuth scope the call needs."""


class SlackNotEntitled(NotEntitled):
    """The workspace's plan does not include this API (accessLogs: paid; audit logs: Enterprise)."""


class SlackRateLimited(RateLimited):
    """Slack kept throttling after every retry."""


class SlackChannelUnavailable(ConnectorError):
    """The app cannot read this channel (not a member, or it is gone); the sync skips it."""


class BudgetSpent(Exception):
    """This run's request budget for a method is used up; not an error, the next run continues."""

    def __init__(self, method: str) -> None:
        super().__init__(f"request budget for {method} spent")
        self.method = method


class _ScaledRateLimitHandler(RateLimitErrorRetryHandler):
    """slack_sdk's 429 handler, with its wait (Retry-After + up to 1 s jitter) scaled for tests."""

    def __init__(self, max_retry_count: int, scale: float) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.scale = scale

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if self.scale == 1.0 or response is None:
            super().prepare_for_next_attempt(
                state=state, request=request, response=response, error=error
            )
            return
        state.next_attempt_requested = True
        time.sleep(_retry_after(response.headers) * self.scale)
        state.increment_current_attempt()


def _retry_after(headers: dict[str, Any]) -> float:
    for k, v in headers.items():
        if k.lower() == "retry-after":
            value = v[0] if isinstance(v, list) else v
            try:
                return float(value) + random.random()
            except ValueError:
                break
    return 1.0 + random.random()


class _ScaledJitter(RandomJitter):
    """slack_sdk's random jitter (up to 1 s), scaled like every other wait."""

    def __init__(self, scale: float) -> None:
        self.scale = scale

    def recalculate(self, duration: float) -> float:
        return duration + random.random() * self.scale


def retry_handlers(settings: SlackSettings) -> list[RetryHandler]:
    """slack_sdk's built-in handlers with this sync's retry counts and waits."""
    scale = settings.retry_sleep_scale
    backoff = BackoffRetryIntervalCalculator(
        backoff_factor=0.5 * scale, jitter=_ScaledJitter(scale)
    )
    return [
        ConnectionErrorRetryHandler(
            max_retry_count=settings.connection_retries, interval_calculator=backoff
        ),
        _ScaledRateLimitHandler(settings.rate_limit_retries, settings.retry_sleep_scale),
        ServerErrorRetryHandler(
            max_retry_count=settings.server_error_retries, interval_calculator=backoff
        ),
    ]


class SlackClient:
    """One workspace's Web API (and optionally Audit Logs API) access for one sync run."""

    def __init__(self, settings: SlackSettings) -> None:
        self.settings = settings
        self.requests: Counter[str] = Counter()
        self._web = WebClient(
            token=settings.token,
            base_url=settings.base_url,
            timeout=settings.timeout,
            retry_handlers=retry_handlers(settings),
        )
        self._audit: AuditLogsClient | None = None

    def __repr__(self) -> str:
        return f"SlackClient(base_url={self.settings.base_url!r})"

    def _spend(self, method: str) -> None:
        s = self.settings
        cap, total = s.budget_for(method), s.budget_for("*")
        if cap is not None and self.requests[method] >= cap:
            raise BudgetSpent(method)
        if total is not None and sum(self.requests.values()) >= total:
            raise BudgetSpent(method)
        self.requests[method] += 1

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Call one Web API method and return a copy of its JSON body.

        Args:
            method: e.g. "conversations.history".
            **params: the method's arguments; None values are left out.

        Returns:
            The response body (a fresh dict: slack_sdk reuses response objects when paging).

        Raises:
            BudgetSpent: this run may not call `method` again.
            ConnectorError: a subclass naming what went wrong and what to do about it.
        """
        self._spend(method)
        args = {k: v for k, v in params.items() if v is not None}
        log.debug("slack call %s %s", method, args)
        for attempt in range(self.settings.rate_limit_retries + 1):
            try:
                return dict(self._web.api_call(method, params=args).data)  # type: ignore[arg-type]
            except SlackApiError as exc:
                body = exc.response.data if isinstance(exc.response.data, dict) else {}
                status = exc.response.status_code
                if (
                    body.get("error") == "ratelimited"
                    and status == 200
                    and attempt < self.settings.rate_limit_retries
                ):
                    # ok:false ratelimited arrives as HTTP 200, so no slack_sdk handler retries it
                    time.sleep(_retry_after(exc.response.headers) * self.settings.retry_sleep_scale)
                    continue
                raise self._translate(method, status, body, exc.response.headers) from None
            except (OSError, HTTPException, SlackClientError) as exc:
                raise ConnectorError(
                    f"could not reach Slack at {self.settings.base_url} for {method}: {type(exc).__name__}",
                    hint=f"retried {self.settings.connection_retries} times; the next run resumes from the cursor",
                ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def audit_logs(self, **params: Any) -> dict[str, Any]:
        """Call the Audit Logs API `logs` endpoint (Enterprise Grid, org-owner token) and return its body."""
        s = self.settings
        if not s.audit_token:
            raise SlackAuthError(
                "Slack audit logs are enabled but no audit token is set",
                hint=f"set {s.audit_token_env} to an org owner's xoxp- token",
            )
        if self._audit is None:
            self._audit = AuditLogsClient(
                token=s.audit_token,
                base_url=s.audit_base_url,
                timeout=s.timeout,
                retry_handlers=retry_handlers(s),
            )
        self._spend("audit.logs")
        try:
            resp = self._audit.logs(**{k: v for k, v in params.items() if v is not None})
        except (OSError, HTTPException, SlackClientError) as exc:
            raise ConnectorError(
                f"could not reach the Slack Audit Logs API: {type(exc).__name__}"
            ) from None
        if resp.status_code == 200 and resp.body is not None:
            return dict(resp.body)
        return self._raise_audit(resp.status_code, resp.body or {}, resp.headers)

    def _raise_audit(
        self, status: int, body: dict[str, Any], headers: dict[str, Any]
    ) -> dict[str, Any]:
        error = str(body.get("error") or f"http_{status}")
        if status in (401,) or error in _AUTH_ERRORS:
            raise SlackAuthError(
                f"Slack rejected the audit token from {self.settings.audit_token_env} ({error})",
                hint="it must be an Enterprise org owner's user token with auditlogs:read",
            )
        if status == 403 or error in ("feature_not_enabled", "team_not_authorized"):
            raise SlackNotEntitled(
                f"the Slack Audit Logs API is not available ({error})",
                hint="it needs Enterprise Grid and an app installed at org level",
            )
        raise self._translate("audit.logs", status, body, headers)

    def _translate(
        self, method: str, status: int, body: dict[str, Any], headers: Any
    ) -> ConnectorError:
        error = str(body.get("error") or f"http_{status}")
        s = self.settings
        if error in _AUTH_ERRORS:
            return SlackAuthError(
                f"Slack rejected the token in {s.token_env} ({error})",
                hint=f"set {s.token_env} to a current bot token for this workspace",
            )
        if error == "missing_scope":
            needed = str(body.get("needed") or "?")
            return SlackScopeError(
                f"Slack token lacks the scope {needed} needed by {method}",
                hint=f"add {needed} to the Slack app's scopes and reinstall it",
                needed=needed,
            )
        if error in ("not_in_channel", "channel_not_found", "thread_not_found"):
            return SlackChannelUnavailable(
                f"{method}: {error}", hint="invite the app to the channel"
            )
        if error == "paid_only":
            return SlackNotEntitled(f"{method} needs a paid Slack plan ({error})")
        if error == "not_allowed_token_type":
            return MissingPermission(
                f"{method} does not accept this kind of token ({error})",
                hint="team.accessLogs needs an admin's user token (xoxp) with the admin scope",
            )
        if error == "ratelimited" or status == 429:
            wait = _retry_after(headers if isinstance(headers, dict) else {})
            return SlackRateLimited(
                f"Slack kept rate-limiting {method} after {s.rate_limit_retries} retries",
                hint="the next run resumes from the committed cursor",
                retry_after=wait,
            )
        if status >= 500:
            return ConnectorError(
                f"Slack answered HTTP {status} to {method} after {s.server_error_retries} retries",
                hint="the next run resumes from the committed cursor",
            )
        return ConnectorError(f"Slack {method} failed: {error}")
