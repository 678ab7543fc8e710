"""Keyed pseudonyms, so digests never name a person unless someone reveals them with a reason."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
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


def load_or_create_key(
    db_path: str | os.PathLike[str] | None, configured: str | None
) -> Pseudonymizer:
    """Use the configured key, else a key kept beside the database (created once, mode 0600).

    Args:
        db_path: the database file; the generated key lives at `<db>.key`. None means in-memory.
        configured: the resolved `[privacy] pseudonym_key` secret, if any.

    Returns:
        A Pseudonymizer; `generated_key_path` is set when the key was generated, so the digest can say so.
    """
    if configured:
        return Pseudonymizer(configured.encode("utf-8"))
    if db_path is None:
        return Pseudonymizer(b"in-memory-store-key", None)
    key_path = Path(str(db_path) + ".key")
    if not key_path.exists():
        key_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return Pseudonymizer(key_path.read_text().strip().encode("utf-8"), key_path)
