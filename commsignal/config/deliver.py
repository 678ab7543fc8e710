"""The `[deliver]` config section: where the digest goes besides files, all targets off by default."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from commsignal.config.base import SecretRef, _Model, https_only


def _check_address(value: str) -> str:
    if "@" not in value.strip("@") or any(c.isspace() for c in value):
        raise ValueError(f"{value!r} is not an email address; write it like 'soc@example.com'")
    return value


class EmailDeliver(_Model):
    """Send the digest by SMTP (and opted-in managers their engagement alerts)."""

    enabled: bool = Field(False, description="Email the digest after each digest run.")
    host: str | None = Field(None, description="SMTP server host name.")
    port: int = Field(587, ge=1, le=65535, description="SMTP server port (587 for STARTTLS).")
    starttls: bool = Field(
        True, description="Upgrade the connection with STARTTLS before logging in and sending."
    )
    username: str | None = Field(None, description="SMTP login; unset means no login.")
    password: SecretRef | None = Field(None, description="SMTP password, by reference.")
    sender: str | None = Field(None, description="From address.")
    recipients: list[str] = Field(
        default_factory=list, description="Who receives the digest (the insider-risk team)."
    )
    timeout_seconds: float = Field(30.0, gt=0, description="Network timeout per SMTP step.")

    @field_validator("recipients")
    @classmethod
    def _recipients(cls, value: list[str]) -> list[str]:
        return [_check_address(v) for v in value]

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str | None) -> str | None:
        return None if value is None else _check_address(value)

    @model_validator(mode="after")
    def _complete(self) -> EmailDeliver:
        if self.enabled:
            missing = [k for k in ("host", "sender") if not getattr(self, k)]
            if not self.recipients:
                missing.append("recipients")
            if missing:
                raise ValueError(
                    f"enabled = true needs {', '.join(missing)}; set them, or enabled = false"
                )
        if (self.username is None) != (self.password is None):
            raise ValueError(
                'username and password go together; set both (password = { env = "SMTP_PASSWORD" }) or neither'
            )
        if self.username is not None and not self.starttls:
            raise ValueError("a login needs starttls = true so the password is never sent in clear")
        return self


class SlackDeliver(_Model):
    """Post a short summary (counts and top pseudonyms, never message text) to a Slack channel."""

    enabled: bool = Field(False, description="Post the summary after each digest run.")
    token: SecretRef | None = Field(
        None, description="Bot token (xoxb-...) with chat:write, by reference."
    )
    channel: str | None = Field(
        None, description="Channel ID (C0123ABCD) or name; the bot must be a member."
    )
    base_url: str = Field(
        "https://slack.com/api/", description="Web API base URL (GovSlack and loopback differ)."
    )
    top: int = Field(5, ge=0, le=50, description="People listed in the summary.")
    timeout_seconds: int = Field(30, ge=1, description="Network timeout of the request.")

    @field_validator("base_url")
    @classmethod
    def _slash(cls, value: str) -> str:
        https_only(value)  # the bot token travels to it
        return value if value.endswith("/") else value + "/"

    @model_validator(mode="after")
    def _complete(self) -> SlackDeliver:
        if self.enabled:
            missing = [k for k in ("token", "channel") if not getattr(self, k)]
            if missing:
                raise ValueError(
                    f"enabled = true needs {' and '.join(missing)}; set them, or enabled = false"
                )
        return self


class TeamsDeliver(_Model):
    """Post the same short summary to a Microsoft Teams incoming webhook."""

    enabled: bool = Field(False, description="Post the summary after each digest run.")
    webhook_url: SecretRef | None = Field(
        None, description="Incoming webhook URL, by reference (the URL itself is the credential)."
    )
    top: int = Field(5, ge=0, le=50, description="People listed in the summary.")
    timeout_seconds: float = Field(30.0, gt=0, description="Network timeout of the request.")

    @model_validator(mode="after")
    def _complete(self) -> TeamsDeliver:
        if self.enabled and self.webhook_url is None:
            raise ValueError(
                'enabled = true needs webhook_url = { env = "TEAMS_WEBHOOK_URL" }; set it, or enabled = false'
            )
        return self


_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _check_https(value: str) -> str:
    """HTTPS only; plain http is accepted for loopback addresses (tests, local relays)."""
    parts = urlsplit(value)
    if not parts.hostname or parts.scheme not in ("https", "http"):
        raise ValueError(f"{value!r} is not a URL; write it like 'https://siem.example.com/hook'")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise ValueError(
            f"{value!r} uses plain http; findings leave only over https (http is allowed for 127.0.0.1)"
        )
    return value.rstrip("/")


class WebhookDeliver(_Model):
    """POST the week's OCSF Detection Findings as a JSON array to an HTTPS endpoint."""

    enabled: bool = Field(False, description="Post the OCSF findings after each digest run.")
    url: str | None = Field(None, description="HTTPS endpoint receiving the JSON array of events.")
    secret_header: str = Field(
        "Authorization", description="Header that carries the secret (e.g. X-Api-Key)."
    )
    secret: SecretRef | None = Field(
        None, description="Value of that header (e.g. 'Bearer ...'), by reference."
    )
    batch_size: int = Field(500, ge=1, le=10000, description="Events per request.")
    ca_file: str | None = Field(None, description="CA bundle for a private certificate authority.")
    timeout_seconds: float = Field(30.0, gt=0, description="Network timeout of each request.")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _check_https(value)

    @model_validator(mode="after")
    def _complete(self) -> WebhookDeliver:
        if self.enabled and not self.url:
            raise ValueError("enabled = true needs url; set it, or enabled = false")
        return self


class SplunkDeliver(_Model):
    """Send the OCSF Detection Findings to a Splunk HTTP Event Collector."""

    enabled: bool = Field(False, description="Send the OCSF findings after each digest run.")
    url: str | None = Field(
        None, description="HEC base URL, e.g. https://splunk.example.com:8088 (no path)."
    )
    token: SecretRef | None = Field(
        None, description="HEC token, by reference (sent as 'Authorization: Splunk <token>')."
    )
    index: str | None = Field(None, description="Index; the token's default index when unset.")
    source: str = Field("commsignal", description="Splunk source field.")
    sourcetype: str = Field("ocsf:detection_finding", description="Splunk sourcetype field.")
    batch_size: int = Field(500, ge=1, le=10000, description="Events per request.")
    ca_file: str | None = Field(None, description="CA bundle for a private certificate authority.")
    timeout_seconds: float = Field(30.0, gt=0, description="Network timeout of each request.")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else _check_https(value)

    @model_validator(mode="after")
    def _complete(self) -> SplunkDeliver:
        if self.enabled:
            missing = [k for k in ("url", "token") if not getattr(self, k)]
            if missing:
                raise ValueError(
                    f"enabled = true needs {' and '.join(missing)}; set them, or enabled = false"
                )
        return self


class DeliverConfig(_Model):
    """Where each digest is sent after its files are written."""

    email: EmailDeliver = Field(default_factory=EmailDeliver)
    slack: SlackDeliver = Field(default_factory=SlackDeliver)
    teams: TeamsDeliver = Field(default_factory=TeamsDeliver)
    webhook: WebhookDeliver = Field(default_factory=WebhookDeliver)
    splunk: SplunkDeliver = Field(default_factory=SplunkDeliver)

    def enabled_targets(self) -> list[str]:
        """Names of the targets switched on, in delivery order.

        Returns:
            A subset of ["email", "slack", "teams", "webhook", "splunk"].
        """
        return [
            name
            for name, target in (
                ("email", self.email),
                ("slack", self.slack),
                ("teams", self.teams),
                ("webhook", self.webhook),
                ("splunk", self.splunk),
            )
            if target.enabled
        ]
