"""`commsignal sync`: the configured sources pulled in order, each turned from config into connector settings."""

from __future__ import annotations

import glob
import time
from typing import TYPE_CHECKING, Any, Protocol

from commsignal.config import Config, ConfigError
from commsignal.store.runs import recorded_run

if TYPE_CHECKING:
    from sqlite_utils import Database

    from commsignal.ingest import Ingestor
    from connectors.msgraph.settings import GraphSettings
    from connectors.slack.settings import SlackSettings


class Workspace(Protocol):
    """What a sync needs from its caller (the CLI's context and the scheduler's both fit)."""

    def config(self) -> Config: ...

    def db(self) -> Database: ...

    def ingestor(self, scorer: bool = True) -> Ingestor: ...


class SyncError(Exception):
    """A sync that cannot go on, with one line saying why and what to do."""


def slack_settings(config: Config) -> SlackSettings:
    """Slack connector settings from the [slack] section, resolving the token reference now."""
    from connectors.slack.settings import SlackSettings

    s = config.slack
    if s.token is None:
        raise ConfigError(
            f'{config.source_name}: slack.token: not set. Fix: add token = {{ env = "SLACK_BOT_TOKEN" }} to [slack].'
        )
    token = s.token.resolve("slack.token", config.source_name)
    audit = (
        s.audit_token.resolve("slack.audit_token", config.source_name) if s.audit_token else None
    )
    return SlackSettings(
        token=token,
        base_url=s.base_url,
        audit_base_url=s.audit_base_url,
        conversation_types=tuple(s.conversation_types),
        page_size=s.page_size,
        lookback_days=float(s.lookback_days),
        request_budget=dict(s.request_budget) or None,
        access_logs=s.access_logs,
        audit_logs=s.audit_logs,
        audit_token=audit,
        token_env=s.token.env or "the token file",
    )


def graph_settings(config: Config) -> GraphSettings:
    """Graph connector settings from the [m365] section, resolving secret references now."""
    from connectors.msgraph.settings import GraphSettings

    m = config.m365
    src = config.source_name
    token = m.access_token.resolve("m365.access_token", src) if m.access_token else None
    secret = m.client_secret.resolve("m365.client_secret", src) if m.client_secret else None
    if token is None and (secret is None or not m.tenant_id or not m.client_id):
        raise ConfigError(
            f"{src}: m365: needs tenant_id, client_id and client_secret (or access_token). "
            'Fix: add client_secret = { env = "M365_CLIENT_SECRET" } with tenant_id and client_id.'
        )
    return GraphSettings(
        tenant_id=m.tenant_id,
        client_id=m.client_id,
        client_secret=secret,
        access_token=token,
        base_url=m.base_url,
        resources=tuple(m.resources),
        window_days=m.window_days,
        page_size=m.page_size,
    )


def sync_sources(app: Workspace, source: str = "all", progress: bool = True) -> list[str]:
    """Run the enabled sources' syncs and return one summary line per source (plus notices).

    Args:
        app: the CLI/scheduler context (config, store, ingestor).
        source: "all", "slack", "m365" or "logins".
        progress: show progress bars.

    Returns:
        Lines to print.

    Raises:
        SyncError: a source failed in a way the user must fix (auth, scope); earlier sources stay committed.
        ConfigError: a missing or unresolvable setting.
    """
    from connectors.errors import ConnectorError

    config = app.config()
    lines: list[str] = []
    ran = False
    ingestor = None  # one for both platforms, so the identity refresh sees whose messages came
    try:
        if source in ("all", "slack") and (config.slack.enabled or source == "slack"):
            from commsignal.sources.slack import sync_slack

            started = time.time()
            with recorded_run(app.db(), "sync:slack") as run:
                ingestor = ingestor or app.ingestor()
                report = sync_slack(app.db(), ingestor, slack_settings(config), progress=progress)
                run.update(summary=_describe(report), notices=list(report.notices))
            lines.append(f"slack: {_describe(report)} in {time.time() - started:.1f}s")
            lines.extend(f"slack: {n}" for n in report.notices)
            ran = True
        if source in ("all", "m365") and (config.m365.enabled or source == "m365"):
            from commsignal.sources.m365 import sync_m365

            started = time.time()
            with recorded_run(app.db(), "sync:m365") as run:
                ingestor = ingestor or app.ingestor()
                m365_report = sync_m365(
                    app.db(), ingestor, graph_settings(config), progress=progress
                )
                run.update(summary=_describe(m365_report), notices=list(m365_report.notices))
            lines.append(f"m365: {_describe(m365_report)} in {time.time() - started:.1f}s")
            lines.extend(f"m365: {n}" for n in m365_report.notices)
            ran = True
    except ConnectorError as exc:
        raise SyncError(str(exc)) from None
    if ingestor is not None:  # new accounts may change who is who: the same people in any order
        from commsignal.sources.directory import refresh_after_import

        refresh_after_import(ingestor)
    if source in ("all", "logins") and config.logins.sources:
        lines.extend(sync_login_sources(app))
        ran = True
    if not ran:
        lines.append(
            f"nothing to sync: no enabled source in {config.source_name}. "
            "Fix: set enabled = true under [slack] or [m365], or add [[logins.sources]]."
        )
    return lines


def sync_login_sources(app: Workspace) -> list[str]:
    """Import every configured login log (idempotent: files already imported add nothing)."""
    from commsignal.sources.logins import LoginImportOptions, import_login_files

    config = app.config()
    lines = []
    for src in config.logins.sources:
        paths = sorted(glob.glob(src.path))
        if not paths:
            lines.append(f"logins/{src.name}: no files match {src.path}")
            continue
        options = LoginImportOptions(
            timezone=src.timezone or config.logins.timezone,
            column_map=dict(src.columns) or None,
            event_map=dict(src.events) or None,
            include_machine_accounts=config.logins.include_machine_accounts,
            include_network_logons=config.logins.include_network_logons,
            idle_timeout_hours=config.logins.idle_timeout_hours,
        )
        with recorded_run(app.db(), f"sync:logins:{src.name}") as run:
            summary = import_login_files(
                app.db(), app.ingestor(scorer=False), src.format, paths, options
            )
            run.update(summary=_describe(summary))
        lines.append(f"logins/{src.name}: {_describe(summary)}")
    return lines


def _describe(report: Any) -> str:
    fields = getattr(report, "__dataclass_fields__", {})
    parts = []
    for name in fields:
        value = getattr(report, name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            parts.append(f"{name.replace('_', ' ')} {value}")
    return ", ".join(parts) or str(report)
