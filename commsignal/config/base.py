"""What every config model shares: the strict base model, secrets by reference, and ConfigError.

Kept apart from `commsignal.config` so section models that live beside their feature (such as
`commsignal.config.deliver`) can use them without an import cycle.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, model_validator


class ConfigError(Exception):
    """A configuration problem, phrased for the person who has to fix the file."""


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def secure_url_problem(url: str) -> str | None:
    """Why a URL that carries a credential (token, webhook secret) may not be used, or None.

    Only https is accepted; plain http only to this machine (127.0.0.1, localhost, ::1), which
    is what the loopback fakes of the demo and tests use.

    Args:
        url: the URL (never put into the message: a webhook URL is itself a secret).

    Returns:
        A sentence with the fix, or None when the URL is fine.
    """
    parts = urlsplit(url.strip())
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return None
    if parts.scheme == "http":
        return (
            "it is plain http, which would send the credential unencrypted. Fix: use the https "
            "URL (http is accepted only for 127.0.0.1/localhost, for loopback test servers)"
        )
    return "it is not an https URL. Fix: give the full https://... URL"


def https_only(value: str) -> str:
    """Pydantic validator form of `secure_url_problem`."""
    problem = secure_url_problem(value)
    if problem:
        raise ValueError(problem)
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


class SecretRef(_Model):
    """A secret given by reference only: `{ env = "NAME" }` or `{ file = "PATH" }`, never inline."""

    env: str | None = Field(
        None, description="Name of the environment variable holding the secret."
    )
    file: str | None = Field(None, description="Path of a file holding the secret (first line).")

    @model_validator(mode="after")
    def _exactly_one(self) -> SecretRef:
        if (self.env is None) == (self.file is None):
            raise ValueError('give exactly one of env = "NAME" or file = "PATH"')
        return self

    def describe(self) -> str:
        """Where the secret comes from, safe to print."""
        return f"environment variable {self.env}" if self.env else f"file {self.file}"

    def resolve(self, key: str, source: str = "config") -> str:
        """Read the secret now.

        Args:
            key: the dotted config key, for the error message.
            source: the config file name, for the error message.

        Returns:
            The secret value.

        Raises:
            ConfigError: the variable is unset or the file is missing/empty.
        """
        if self.env:
            value = os.environ.get(self.env)
            if not value:
                raise ConfigError(
                    f"{source}: {key}: environment variable {self.env} is not set. "
                    f"Fix: export {self.env}=... before running, or point {key} at a file "
                    '({ file = "/path/to/secret" }).'
                )
            return value
        path = Path(self.file or "").expanduser()
        if not path.is_file():
            raise ConfigError(
                f"{source}: {key}: secret file {path} does not exist. Fix: create it or correct the path."
            )
        value = path.read_text().strip().splitlines()[0] if path.read_text().strip() else ""
        if not value:
            raise ConfigError(
                f"{source}: {key}: secret file {path} is empty. Fix: write the secret into it."
            )
        return value


def check_cidrs(value: list[str], example: str) -> list[str]:
    """Validate IP ranges in config, naming the bad one and showing how to write it."""
    for cidr in value:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise ValueError(f"{cidr!r} is not an IP range; write it like '{example}'") from None
    return value
