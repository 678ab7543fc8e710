"""Building a GraphServiceClient (production, pre-acquired token, or loopback fake) and calling it safely.

`from msgraph import ...` costs ~0.5 s, so every SDK import here happens inside functions.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from connectors.errors import AuthError, ConnectorError, MissingPermission, NotEntitled, RateLimited
from connectors.msgraph.settings import RESOURCES, GraphSettings

T = TypeVar("T")
LOOPBACK = ("127.0.0.1", "localhost", "::1")
# the SDK's retry middleware refuses any wait of 180 s or more and hands the 429 back to us
MIDDLEWARE_MAX_WAIT_S = 180.0


class StaticTokenCredential:
    """An azure-identity style async credential around a pre-acquired bearer token."""

    def __init__(self, token: str) -> None:
        self._token = token

    def __repr__(self) -> str:
        return "StaticTokenCredential(<redacted>)"

    async def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken(self._token, int(time.time()) + 3600)

    async def close(self) -> None:
        return None


def make_credential(settings: GraphSettings) -> Any:
    """The credential for these settings: the static token, else an async client-secret credential.

    Raises:
        ValueError: a client secret aimed at a loopback URL (it would be sent to Entra ID for a fake host).
    """
    settings.validate()
    if settings.access_token:
        return StaticTokenCredential(settings.access_token)
    if urlsplit(settings.root_url).hostname in LOOPBACK:
        raise ValueError("[m365] base_url is a loopback fake: use access_token, not client_secret")
    from azure.identity.aio import ClientSecretCredential

    return ClientSecretCredential(
        tenant_id=settings.tenant_id or "",
        client_id=settings.client_id or "",
        client_secret=settings.client_secret or "",
    )


def _fail_fast_without_sniffio() -> None:
    """Let httpcore's per-lock `import sniffio` fail at once when sniffio is not installed.

    httpcore imports sniffio each time it sets up a connection-pool lock (several per request).
    anyio 4 no longer installs it, and a missing module is looked for again on every import,
    through every sys.path entry: measured at about a tenth of a sync's CPU. A None entry in
    sys.modules is Python's own way to say "not importable": `import sniffio` then raises
    ModuleNotFoundError straight away and httpcore takes the asyncio path exactly as before.
    """
    import importlib.util
    import sys

    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]


def build_client(
    settings: GraphSettings, on_request: Callable[[Any], Any] | None = None
) -> tuple[Any, Any]:
    """A GraphServiceClient aimed at `settings.api_url`, keeping the SDK's default middleware.

    Response bodies are not parsed into msgraph's models (see `raw.get_json`), so the models'
    deserialisers and backing store are not on the sync's path and need no tuning here.

    Args:
        settings: credentials, base URL and retry policy.
        on_request: optional httpx request hook (used to count requests, retries included).

    Returns:
        (client, credential); close the credential when done.
    """
    import httpx
    from kiota_authentication_azure.azure_identity_authentication_provider import (
        AzureIdentityAuthenticationProvider,
    )
    from kiota_http.middleware.options import RetryHandlerOption, UrlReplaceHandlerOption
    from msgraph import GraphRequestAdapter, GraphServiceClient
    from msgraph_core import GraphClientFactory
    from msgraph_core.middleware.options import GraphTelemetryHandlerOption

    _fail_fast_without_sniffio()
    credential = make_credential(settings)
    scopes = [f"{settings.root_url}/.default"]
    auth = AzureIdentityAuthenticationProvider(credential, scopes=scopes)
    options = {
        # GraphRequestAdapter installs these only when it builds the httpx client itself
        UrlReplaceHandlerOption.get_key(): UrlReplaceHandlerOption(
            enabled=True, replacement_pairs={"/users/me-token-to-replace": "/me"}
        ),
        GraphTelemetryHandlerOption.get_key(): GraphTelemetryHandlerOption(),
        RetryHandlerOption.get_key(): RetryHandlerOption(
            delay=settings.retry_delay_s, max_retries=min(10, settings.max_retries)
        ),
    }
    http_client = GraphClientFactory.create_with_default_middleware(options=options)
    http_client.timeout = httpx.Timeout(settings.timeout_s, connect=min(30.0, settings.timeout_s))
    if on_request is not None:
        http_client.event_hooks = {"request": [on_request], "response": []}
    adapter = GraphRequestAdapter(auth, client=http_client)
    adapter.base_url = settings.api_url  # no trailing slash, or requests become /v1.0//users
    return GraphServiceClient(request_adapter=adapter), credential


def _retry_after(err: Any) -> float:
    headers = getattr(err, "response_headers", None) or {}
    raw = headers.get("retry-after") or headers.get("Retry-After")
    try:
        return float(raw) if raw is not None else 0.0
    except ValueError:
        return 0.0


def _error_text(err: Any) -> tuple[str, str]:
    inner = getattr(err, "error", None)
    code = getattr(inner, "code", None) or ""
    message = getattr(inner, "message", None) or getattr(err, "message", None) or str(err)
    return code, message


class UserUnavailable(ConnectorError):
    """A documented per-user refusal (no mailbox, no Teams licence, disabled): skip the user, go on.

    `kind` is one of `USER_PROBLEMS`; the sync counts these per resource instead of stopping.
    """

    def __init__(self, message: str, hint: str = "", kind: str = "not_found") -> None:
        super().__init__(message, hint)
        self.kind = kind


class TransportFailed(ConnectorError):
    """The connection kept failing (dropped, reset, timed out) after every transport retry."""


# what a per-user refusal means, as notices name it
USER_PROBLEMS = {
    "no_mailbox": "no Exchange Online mailbox (MailboxNotEnabledForRESTAPI)",
    "no_teams_licence": "no Teams licence",
    "disabled": "account disabled or mailbox inactive",
    "not_found": "not found (deleted since the user list was read)",
}
_MAILBOX_CODES = (
    "mailboxnotenabledforrestapi",
    "mailboxnotsupportedforrestapi",
    "errornonexistentmailbox",
)


def user_problem(err: Any) -> str | None:
    """The USER_PROBLEMS kind of a per-user Graph error, or None when it concerns the whole resource.

    Args:
        err: the SDK's APIError/ODataError for a call on /users/{id}/...

    Returns:
        "no_mailbox", "no_teams_licence", "disabled", "not_found" or None.
    """
    status = getattr(err, "response_status_code", None)
    code, message = _error_text(err)
    code, low = code.lower(), message.lower()
    if code in _MAILBOX_CODES:
        return "disabled" if "inactive" in low or "soft-deleted" in low else "no_mailbox"
    if status in (403, 404) and "licen" in low and "user" in low and "premium" not in low:
        return "no_teams_licence"  # "Failed to get license information for the user ..."
    if status in (401, 403, 404) and (
        "disabled" in code or (("disabled" in low or "blocked" in low) and "user" in low)
    ):
        return "disabled"
    if status == 404 and (
        code in ("request_resourcenotfound", "errorinvaliduser", "resourcenotfound")
        or "user" in low
    ):
        return "not_found"
    return None


def translate(err: Any, resource: str) -> ConnectorError:
    """One actionable error (naming the permission, approval or licence) for a failed Graph call."""
    info = RESOURCES[resource]
    status = getattr(err, "response_status_code", None)
    code, message = _error_text(err)
    where = info.endpoint
    if status == 401:
        return AuthError(
            f"{where}: Graph rejected the credentials (401 {code})",
            "check tenant_id, client_id and the client secret or access token",
        )
    if status == 403:
        low = message.lower()
        if "premium license" in low:
            return NotEntitled(
                f"{where} needs {info.permission} and a Microsoft Entra ID P1 or P2 licence",
                "Graph said: " + message,
            )
        if "protected api" in low:
            return MissingPermission(
                f"{where} is a Teams protected API not yet approved for this app ({info.permission})",
                "submit the Protected APIs in Microsoft Teams request form and wait for approval",
                needed=info.permission,
            )
        if "application access policy" in low:
            return MissingPermission(
                f"{where} needs {info.permission} and a Teams application access policy",
                "New-CsApplicationAccessPolicy + Grant-CsApplicationAccessPolicy for the organizers",
                needed=info.permission,
            )
        return MissingPermission(
            f"{where} needs the {info.permission} application permission with admin consent",
            f"Graph said: {code} {message}".strip(),
            needed=info.permission,
        )
    return ConnectorError(f"{where}: Graph returned {status} {code}: {message}".strip())


def _transport_errors() -> tuple[type[BaseException], ...]:
    """httpx errors worth retrying: the request may never have reached Graph, or its answer was lost."""
    import httpx

    return (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


class GraphCaller:
    """Runs SDK calls with our own layer over the middleware: transport retries, long Retry-After waits, errors."""

    def __init__(self, settings: GraphSettings) -> None:
        self.settings = settings
        self.slept = 0.0
        self.transport_retries = 0  # across the run, bounded by settings.transport_budget
        self._transport = _transport_errors()

    async def _sleep(self, seconds: float) -> None:
        self.slept += seconds
        fn = self.settings.sleep
        if fn is None:
            await asyncio.sleep(seconds)
            return
        result = fn(seconds)
        if inspect.isawaitable(result):
            await result

    async def call(
        self,
        fn: Callable[[], Awaitable[T]],
        resource: str,
        missing_ok: bool = False,
        per_user: bool = False,
    ) -> T | None:
        """Await `fn()`; retry dropped connections and throttling the middleware gave up on.

        Args:
            fn: the SDK call, re-invoked on each retry.
            resource: key of RESOURCES, for error messages.
            missing_ok: answer None for a 404 that is not a per-user refusal.
            per_user: the call reads one user's data, so documented per-user refusals raise UserUnavailable.

        Raises:
            ConnectorError: AuthError, MissingPermission, NotEntitled, RateLimited, TransportFailed or
                UserUnavailable, naming the fix.
        """
        from kiota_abstractions.api_error import APIError

        attempts = 0
        dropped = 0
        long_waited = 0.0
        while True:
            try:
                return await fn()
            except self._transport as err:
                s = self.settings
                if dropped >= s.transport_retries or self.transport_retries >= s.transport_budget:
                    raise TransportFailed(
                        f"{RESOURCES[resource].endpoint}: the connection to Graph kept failing "
                        f"({type(err).__name__}: {err or 'no detail'}) after {dropped} retries",
                        "check the network or proxy to the Graph host; rerun and it resumes from its cursor",
                    ) from None
                dropped += 1
                self.transport_retries += 1
                await self._sleep(min(30.0, s.transport_backoff_s * 2 ** (dropped - 1)))
            except APIError as err:
                status = err.response_status_code
                if per_user and (kind := user_problem(err)) is not None:
                    code, message = _error_text(err)
                    raise UserUnavailable(
                        f"{RESOURCES[resource].endpoint}: {USER_PROBLEMS[kind]}",
                        f"Graph said: {status} {code} {message}".strip(),
                        kind=kind,
                    ) from None
                if status == 404 and missing_ok:
                    return None
                if status not in (429, 503, 504):
                    raise translate(err, resource) from None
                wait = _retry_after(err)
                if wait >= MIDDLEWARE_MAX_WAIT_S:
                    if long_waited + wait > self.settings.long_retry_after_limit_s:
                        raise RateLimited(
                            f"Graph throttled {RESOURCES[resource].endpoint} with Retry-After {wait:.0f} s",
                            f"longer than long_retry_after_limit_s={self.settings.long_retry_after_limit_s:.0f}; "
                            "rerun later and it resumes from its cursor",
                            retry_after=wait,
                        ) from None
                    long_waited += wait
                elif attempts >= self.settings.max_retries:
                    raise RateLimited(
                        f"Graph kept throttling {RESOURCES[resource].endpoint} ({status}) after {attempts} retries",
                        "rerun later and it resumes from its cursor",
                        retry_after=wait,
                    ) from None
                attempts += 1
                await self._sleep(max(wait, self.settings.retry_delay_s))
