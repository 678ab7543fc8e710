"""Errors every connector raises, so the CLI can print one clear line instead of a traceback."""

from __future__ import annotations


class ConnectorError(Exception):
    """A platform call failed in a way the user can act on; `hint` says how."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint

    def __str__(self) -> str:
        base = super().__str__()
        return f"{base} ({self.hint})" if self.hint else base


class AuthError(ConnectorError):
    """The token or credentials were rejected (invalid, revoked or expired)."""


class MissingPermission(ConnectorError):
    """The credentials work but lack a scope or permission the call needs."""

    def __init__(self, message: str, hint: str = "", needed: str | None = None) -> None:
        super().__init__(message, hint)
        self.needed = needed


class NotEntitled(ConnectorError):
    """The tenant's plan or licence does not include this API (paid plan, Enterprise, E5...)."""


class RateLimited(ConnectorError):
    """Throttling outlived every retry; rerun later and the sync resumes from its cursor."""

    def __init__(self, message: str, hint: str = "", retry_after: float | None = None) -> None:
        super().__init__(message, hint)
        self.retry_after = retry_after
