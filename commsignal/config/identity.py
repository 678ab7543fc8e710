"""The `[identity]` section: declared rules that join login names to email identities."""

from __future__ import annotations

from pydantic import Field, field_validator

from commsignal.config.base import _Model


class IdentityConfig(_Model):
    """How login names without an email join people (only what is declared here, no guessing)."""

    netbios_domains: dict[str, str] = Field(
        default_factory=dict,
        description='NetBIOS domain -> email domain for DOMAIN\\sam names, e.g. {CONTOSO = "contoso.com"}.',
    )
    bare_login_domains: dict[str, str] = Field(
        default_factory=dict,
        description='Login source -> email domain for its bare names, e.g. {windows = "contoso.com"}.',
    )

    @field_validator("netbios_domains", "bare_login_domains")
    @classmethod
    def _domains(cls, value: dict[str, str]) -> dict[str, str]:
        for key, domain in value.items():
            if not domain or "@" in domain or "." not in domain or "\\" in key:
                raise ValueError(
                    f"{key!r} = {domain!r}: map a name to an email domain such as 'contoso.com'"
                )
        return {k.strip(): v.strip().lower() for k, v in value.items()}
