"""The pseudonym key kept beside the database: created whole, at least 32 random bytes, refused when short."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from commsignal.privacy import Pseudonymizer
from commsignal.store.files import atomic_write

MIN_KEY_BYTES = 32
"""Shortest pseudonym key accepted: a short key lets anyone with a staff list reverse pseudonyms."""


class PseudonymKeyError(ValueError):
    """The pseudonym key is missing, empty or too short; the message says how to fix it."""


def load_or_create_key(
    db_path: str | os.PathLike[str] | None, configured: str | None
) -> Pseudonymizer:
    """Use the configured key, else a key kept beside the database (created once, mode 0600).

    Args:
        db_path: the database file; the generated key lives at `<db>.key`. None means in-memory.
        configured: the resolved `[privacy] pseudonym_key` secret, if any.

    Returns:
        A Pseudonymizer; `generated_key_path` is set when the key was generated, so the digest can say so.

    Raises:
        PseudonymKeyError: the configured key or the key file holds fewer than 32 bytes.
    """
    if configured is not None:
        key = configured.strip().encode("utf-8")
        if len(key) < MIN_KEY_BYTES:
            raise PseudonymKeyError(
                f"[privacy] pseudonym_key is {len(key)} bytes long; at least {MIN_KEY_BYTES} "
                "are needed. Fix: put a random key in the secret it names, e.g. the output of "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`."
            )
        return Pseudonymizer(key)
    if db_path is None:
        return Pseudonymizer(b"in-memory-store-key", None)
    key_path = Path(str(db_path) + ".key")
    if not key_path.exists():
        # the key appears with its content or not at all; if two first runs race, the loser
        # gets FileExistsError and uses the winner's key
        with contextlib.suppress(FileExistsError):
            atomic_write(key_path, secrets.token_hex(MIN_KEY_BYTES) + "\n", exclusive=True)
    key = key_path.read_bytes().strip()
    if len(key) < MIN_KEY_BYTES:
        raise PseudonymKeyError(
            f"the pseudonym key file {key_path} holds {len(key)} bytes; at least {MIN_KEY_BYTES} "
            "are needed (an empty or cut-off key makes pseudonyms reversible). Fix: restore it "
            "from your backup; if it never held a key (no digest was shared), delete it and "
            "run again to generate a new one."
        )
    return Pseudonymizer(key, key_path)
