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

    include: list[str] = Field(
        default_factory=list,
        description=(
            "Emails or globs (svc-*@contoso.com) always scored as people, even when the directory "
            "calls them a room, shared mailbox or service account."
        ),
    )
    exclude: list[str] = Field(
        default_factory=list,
        description=(
            "Emails or globs never scored (service accounts Graph cannot tell from people); "
            "counted under 'excluded by config' in the digest's coverage."
        ),
    )
    exclude_guests: bool = Field(
        False,
        description=(
            "Leave guests and external accounts (Entra B2B, Slack guests and Connect users) out "
            "of scoring; by default they are scored and labelled 'guest'."
        ),
    )

    @field_validator("include", "exclude")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            if "@" not in pattern:
                raise ValueError(
                    f"{pattern!r}: give an email address or a glob with a domain, "
                    "such as 'svc-*@contoso.com'"
                )
        return [p.strip().lower() for p in value]

    @field_validator("netbios_domains", "bare_login_domains")
    @classmethod
    def _domains(cls, value: dict[str, str]) -> dict[str, str]:
        for key, domain in value.items():
            if not domain or "@" in domain or "." not in domain or "\\" in key:
                raise ValueError(
                    f"{key!r} = {domain!r}: map a name to an email domain such as 'contoso.com'"
                )
        return {k.strip(): v.strip().lower() for k, v in value.items()}
