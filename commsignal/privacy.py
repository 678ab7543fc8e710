"""Keyed pseudonyms, so digests never name a person unless someone reveals them with a reason."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path


def canonical_email(email: str) -> str:
    """Lower-case, trimmed email; the one form every source's identity is joined on."""
    return email.strip().lower()


@dataclass(frozen=True, slots=True)
class Pseudonymizer:
    """Turns identities into stable keyed pseudonyms (HMAC-SHA256, truncated)."""

    key: bytes
    generated_key_path: Path | None = None

    def for_email(self, email: str) -> str:
        """Pseudonym for a person known by email: the same on every platform."""
        return self._mac("email:" + canonical_email(email))

    def for_account(self, source: str, account_id: str) -> str:
        """Pseudonym for an identity with no email (a bare login name, a Slack user without email)."""
        return self._mac(f"account:{source}:{account_id}")

    def _mac(self, value: str) -> str:
        digest = hmac.new(self.key, value.encode("utf-8"), hashlib.sha256).hexdigest()
        return "p-" + digest[:12]
