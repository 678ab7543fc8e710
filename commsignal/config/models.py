"""TOML configuration parsed into pydantic models, with errors that name the file, the key and the fix."""

from __future__ import annotations

import os
import tomllib
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from commsignal.config.base import (  # callers import them from here
    ConfigError,
    SecretRef,
    _Model,
    check_cidrs,
    https_only,
)
from commsignal.config.cron import CronError, parse_crontab
from commsignal.config.deliver import DeliverConfig
from commsignal.config.identity import IdentityConfig
from commsignal.config.triage import AllowEntry, TriageConfig

EXAMPLE_CONFIG: Traversable = resources.files("commsignal") / "commsignal.example.toml"
"""Every setting with its default and meaning; `commsignal init` writes a copy."""

ConversationType = Literal["public_channel", "private_channel", "mpim", "im"]
GraphResource = Literal[
    "users", "chats", "channels", "calendar", "attendance", "callrecords", "signins"
]
DigestFormat = Literal["html", "md", "json", "ocsf"]
_ALL_CONVERSATIONS: list[ConversationType] = ["public_channel", "private_channel", "mpim", "im"]
_ALL_GRAPH: list[GraphResource] = [
    "users",
    "chats",
    "channels",
    "calendar",
    "attendance",
    "callrecords",
    "signins",
]
_ALL_FORMATS: list[DigestFormat] = ["html", "md", "json"]


def _check_tz(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r}; use an IANA name such as 'UTC' or 'Europe/Berlin'"
        ) from None
    return value


class SlackConfig(_Model):
    """Slack workspace access."""

    enabled: bool = Field(False, description="Pull from Slack in `commsignal sync`.")
    token: SecretRef | None = Field(None, description="Bot token (xoxb-...), by reference.")
    base_url: str = Field(
        "https://slack.com/api/",
        description="Web API base URL (GovSlack and loopback fakes differ).",
    )
    audit_base_url: str = Field(
        "https://api.slack.com/audit/v1/", description="Audit Logs API base URL."
    )
    audit_token: SecretRef | None = Field(
        None, description="Org-owner user token for the Audit Logs API (Enterprise Grid)."
    )
    conversation_types: list[ConversationType] = Field(
        default_factory=lambda: list(_ALL_CONVERSATIONS),
        description="Conversation types to read.",
    )
    page_size: int = Field(
        200,
        ge=1,
        le=999,
        description="Items per request (15 for non-Marketplace distributed apps).",
    )
    lookback_days: int = Field(
        7, ge=0, le=90, description="Days re-read each run to catch late thread replies and edits."
    )
    request_budget: dict[str, int] = Field(
        default_factory=dict,
        description="Most requests per run, per API method, e.g. { 'conversations.history' = 50 }.",
    )
    access_logs: bool = Field(
        False, description="Read team.accessLogs (paid plans, admin user token)."
    )

    _https = field_validator("base_url", "audit_base_url")(https_only)
    audit_logs: bool = Field(
        False, description="Read Audit Logs user_login/user_logout (Enterprise Grid)."
    )


class M365Config(_Model):
    """Microsoft 365 tenant access through Microsoft Graph."""

    enabled: bool = Field(False, description="Pull from Microsoft 365 in `commsignal sync`.")
    tenant_id: str | None = Field(None, description="Entra ID tenant id.")
    client_id: str | None = Field(None, description="App registration (client) id.")
    client_secret: SecretRef | None = Field(None, description="Client secret, by reference.")
    access_token: SecretRef | None = Field(
        None, description="A pre-acquired bearer token instead of the client secret."
    )
    base_url: str = Field(
        "https://graph.microsoft.com",
        description="Graph host (national clouds and loopback fakes differ); /v1.0 is appended.",
    )
    resources: list[GraphResource] = Field(
        default_factory=lambda: list(_ALL_GRAPH),
        description="Which resources to pull.",
    )
    window_days: int = Field(28, ge=1, le=240, description="How far back the first sync reads.")

    _https = field_validator("base_url")(https_only)
    page_size: int = Field(50, ge=1, le=999, description="Items per request ($top).")


class LoginSource(_Model):
    """One login log to import on every scheduled run."""

    name: str = Field(..., description="A label for status output.")
    format: Literal["windows", "okta", "entra", "slack-audit", "csv"] = Field(
        ..., description="Log format."
    )
    path: str = Field(..., description="File or glob pattern.")
    timezone: str | None = Field(None, description="Zone of naive timestamps in this source.")
    columns: dict[str, str] = Field(
        default_factory=dict, description="CSV column mapping, e.g. { user = 'Username' }."
    )
    events: dict[str, str] = Field(
        default_factory=dict, description="CSV event value mapping, e.g. { 'Connected' = 'logon' }."
    )
    time_format: str | None = Field(
        None, description="strptime format of non-ISO timestamps, e.g. '%m/%d/%Y %I:%M:%S %p'."
    )

    _tz = field_validator("timezone")(_check_tz)


class LoginsConfig(_Model):
    """Login-log import and session reconstruction."""

    timezone: str | None = Field(
        None,
        description="Zone of naive timestamps when a source does not say; unset means naive timestamps are an error.",
    )
    include_machine_accounts: bool = Field(
        False, description="Keep Windows machine accounts (NAME$)."
    )
    include_network_logons: bool = Field(False, description="Keep Windows network logons (type 3).")
    idle_timeout_hours: float = Field(
        24.0,
        gt=0,
        description="Gap without any evidence after which an open session is closed as 'timeout' (long enough that a night without activity does not cut a multi-day session).",
    )
    sources: list[LoginSource] = Field(
        default_factory=list, description="Logs imported by `commsignal sync logins`."
    )

    _tz = field_validator("timezone")(_check_tz)


class PrivacyConfig(_Model):
    """Pseudonyms and text retention."""

    pseudonym_key: SecretRef | None = Field(
        None, description="HMAC key for pseudonyms; generated beside the database when unset."
    )
    keep_message_text: bool = Field(
        False, description="Keep message text (off: text is scored in memory and dropped)."
    )
    text_retention_days: int = Field(
        0,
        ge=0,
        le=90,
        description="Days kept text lives when keep_message_text is on (1-90); expired text is deleted on every write.",
    )
    retention_days: int | None = Field(
        None,
        ge=7,
        le=3650,
        description="Person data older than this is deleted by `commsignal purge` and scheduled purge jobs (unset: kept).",
    )

    @model_validator(mode="after")
    def _retention(self) -> PrivacyConfig:
        if self.keep_message_text and self.text_retention_days < 1:
            raise ValueError(
                "keep_message_text = true needs text_retention_days between 1 and 90 "
                "(kept text is deleted when it expires)"
            )
        return self


class DetectConfig(_Model):
    """Detector inputs that depend on the organisation."""

    rules_dir: str | None = Field(
        None, description="Folder of rule TOML files; the shipped rules when unset."
    )
    hosting_cidrs: list[str] = Field(
        default_factory=list, description="Egress ranges treated as hosting/VPN/proxy."
    )
    remote_access_tools: list[str] = Field(
        default_factory=lambda: [
            "anydesk",
            "teamviewer",
            "rustdesk",
            "chrome remote desktop",
            "remotedesktop",
            "splashtop",
            "screenconnect",
            "connectwise",
            "logmein",
            "parsec",
            "rport",
        ],
        description="Names that mark a remote-access tool in client app, user agent or device.",
    )

    @field_validator("hosting_cidrs")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        return check_cidrs(value, "185.220.100.0/22")


class DigestConfig(_Model):
    """The weekly risk digest."""

    timezone: str = Field("UTC", description="Zone the digest's week and times are shown in.")
    formats: list[DigestFormat] = Field(
        default_factory=lambda: list(_ALL_FORMATS), description="Files written."
    )
    out_dir: str = Field("./digests", description="Where digests are written.")
    top: int = Field(100, ge=1, description="Most people listed.")
    min_group_size: int = Field(
        10, ge=1, description='Engagement view: smaller teams are pooled into "other".'
    )

    _tz = field_validator("timezone")(_check_tz)


class AlertsConfig(_Model):
    """Engagement alerts for managers who opted in (about their direct reports only)."""

    enabled: bool = Field(False, description="Write manager alerts with each digest.")
    opt_in: list[str] = Field(
        default_factory=list, description="Emails of managers who asked for alerts."
    )
    min_reports: int = Field(3, ge=1, description="No alert for teams smaller than this.")


class ScheduleJob(_Model):
    """One scheduled job."""

    id: str = Field(..., description="Stable job id.")
    job: Literal["sync", "digest", "purge"] = Field(
        ..., description="What runs (purge applies [privacy] retention_days)."
    )
    cron: str = Field(..., description="Standard 5-field cron (0 or 7 = Sunday).")
    timezone: str = Field("UTC", description="Zone the cron is read in.")
    source: Literal["all", "slack", "m365", "logins"] = Field("all", description="For sync jobs.")

    _tz = field_validator("timezone")(_check_tz)

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        try:
            parse_crontab(value)
        except CronError as exc:
            raise ValueError(str(exc)) from None
        return value


class ScheduleConfig(_Model):
    """APScheduler settings for `commsignal serve`."""

    misfire_grace_seconds: int = Field(
        3600, ge=1, description="A run missed by less than this still runs once."
    )
    jobs: list[ScheduleJob] = Field(default_factory=list, description="Jobs to run.")


class Config(_Model):
    """The whole configuration file."""

    database: str | None = Field(
        None, description="Database file (overridden by --db / COMMSIGNAL_DB)."
    )
    slack: SlackConfig = Field(default_factory=SlackConfig)
    m365: M365Config = Field(default_factory=M365Config)
    logins: LoginsConfig = Field(default_factory=LoginsConfig)
    privacy: PrivacyConfig = Field(default_factory=PrivacyConfig)
    detect: DetectConfig = Field(default_factory=DetectConfig)
    digest: DigestConfig = Field(default_factory=DigestConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    deliver: DeliverConfig = Field(default_factory=DeliverConfig)
    schedule: ScheduleConfig = Field(default_factory=ScheduleConfig)
    identity: IdentityConfig = Field(default_factory=IdentityConfig)
    triage: TriageConfig = Field(default_factory=TriageConfig)
    allow: list[AllowEntry] = Field(
        default_factory=list, description="Sanctioned exceptions ([[allow]] entries)."
    )

    _source: str = PrivateAttr("built-in defaults")

    @model_validator(mode="after")
    def _purge_needs_retention(self) -> Config:
        if self.privacy.retention_days is None and any(
            j.job == "purge" for j in self.schedule.jobs
        ):
            raise ValueError(
                'a [[schedule.jobs]] entry with job = "purge" needs [privacy] retention_days '
                "(how many days of person data to keep, 7 or more); set it, or remove the job"
            )
        return self

    @property
    def source_name(self) -> str:
        """Where this config was read from, for error messages."""
        return self._source


def _fix_for(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "remove it or check its spelling against `commsignal init` (the documented example)"
    if kind == "missing":
        return "add it"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"give a value of the right type ({error['msg'].lower()})"
    return error["msg"].removeprefix("Value error, ")


def load_config(path: str | os.PathLike[str] | None) -> Config:
    """Read and validate a TOML config file; None gives the built-in defaults.

    Args:
        path: the TOML file.

    Returns:
        The validated Config.

    Raises:
        ConfigError: unreadable file, bad TOML, unknown key, wrong type, bad cron or time zone.
    """
    if path is None:
        return Config()
    p = Path(path)
    if not p.is_file():
        raise ConfigError(
            f"{p}: config file not found. Fix: pass an existing file with --config, or write a "
            "documented starting point with `commsignal init`."
        )
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{p}: not valid TOML ({exc}). Fix: correct the syntax at that line."
        ) from None
    for secret_key in _inline_secrets(data):
        raise ConfigError(
            f'{p}: {secret_key}: secrets are never written inline. Fix: use {{ env = "NAME" }} or {{ file = "PATH" }}.'
        )
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            key = ".".join(str(part) for part in err["loc"])
            lines.append(f"{p}: {key}: {_fix_for(dict(err))}")
        raise ConfigError("\n".join(lines)) from None
    config._source = str(p)
    return config


_SECRET_KEYS = {
    "token",
    "audit_token",
    "client_secret",
    "access_token",
    "pseudonym_key",
    "password",
    "webhook_url",
    "secret",
}


def _inline_secrets(data: dict[str, Any], prefix: str = "") -> list[str]:
    found = []
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            found.extend(_inline_secrets(value, dotted + "."))
        elif key in _SECRET_KEYS and isinstance(value, str):
            found.append(dotted)
    return found
