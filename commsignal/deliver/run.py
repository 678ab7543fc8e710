"""Send a finished digest to every enabled target; one failing target never stops the others."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from commsignal.config import Config, ConfigError
from commsignal.deliver import DeliveryError
from commsignal.deliver.summary import shareable_digest

if TYPE_CHECKING:
    from commsignal.deliver.alerts import ManagerAlert

log = logging.getLogger("commsignal.deliver")


@dataclass(slots=True)
class DeliveryOutcome:
    """How one target fared: what was sent, or why not (never a secret)."""

    target: str
    ok: bool
    detail: str

    def line(self) -> str:
        """One line for the console and the log, e.g. "email: ok, sent to 2 recipient(s)"."""
        return f"{self.target}: {'ok' if self.ok else 'FAILED'}, {self.detail}"

    def as_stats(self) -> dict[str, Any]:
        """The outcome as a JSON-ready dict for the run's stats in `_runs`."""
        return asdict(self)


def deliver_digest(
    digest: dict[str, Any],
    alerts: list[ManagerAlert],
    config: Config,
    targets: list[str] | None = None,
) -> list[DeliveryOutcome]:
    """Send the digest to each enabled target (and manager alerts by email when [alerts] is on).

    Always sends the pseudonymous digest, even when the files were written with --reveal.

    Args:
        digest: the digest dict `run_digest` built (pseudonymised here before sending).
        alerts: the manager alerts of the same run (sent by email when [alerts] is on).
        config: validated config; [deliver] says which targets are on.
        targets: restrict to these target names (default: every enabled one).

    Returns:
        One outcome per attempted target ("email", "email-alerts", "slack", "teams", "webhook",
        "splunk"), in order.
    """
    shared = shareable_digest(digest)
    settings = config.deliver
    source = config.source_name
    jobs: list[tuple[str, Callable[[], str]]] = []
    wanted = [t for t in settings.enabled_targets() if targets is None or t in targets]
    if "email" in wanted:
        from commsignal.deliver.email import send_alert_emails, send_digest_email

        email = settings.email

        def password() -> str | None:
            if email.password is None:
                return None
            return email.password.resolve("deliver.email.password", source)

        jobs.append(("email", lambda: send_digest_email(shared, email, password())))
        if config.alerts.enabled and alerts:
            jobs.append(("email-alerts", lambda: send_alert_emails(alerts, email, password())))
    if "slack" in wanted:
        from commsignal.deliver.slack import post_slack_summary

        slack = settings.slack

        def slack_job() -> str:
            assert slack.token is not None  # the settings validator guarantees it when enabled
            return post_slack_summary(
                shared, slack, slack.token.resolve("deliver.slack.token", source)
            )

        jobs.append(("slack", slack_job))
    if "teams" in wanted:
        from commsignal.deliver.teams import post_teams_summary

        teams = settings.teams

        def teams_job() -> str:
            # the settings validator guarantees a URL when the target is enabled
            assert teams.webhook_url is not None
            url = teams.webhook_url.resolve("deliver.teams.webhook_url", source)
            return post_teams_summary(shared, teams, url)

        jobs.append(("teams", teams_job))
    if "webhook" in wanted or "splunk" in wanted:
        jobs += _siem_jobs(shared, config, wanted)
    return [_attempt(name, job) for name, job in jobs]


def _siem_jobs(
    shared: dict[str, Any], config: Config, wanted: list[str]
) -> list[tuple[str, Callable[[], str]]]:
    """The webhook and Splunk sends of the digest's OCSF Detection Findings."""
    from commsignal.digest.ocsf import ocsf_events

    events = ocsf_events(shared)
    settings, source = config.deliver, config.source_name
    jobs: list[tuple[str, Callable[[], str]]] = []
    if "webhook" in wanted:
        from commsignal.deliver.webhook import post_webhook

        hook = settings.webhook

        def webhook_job() -> str:
            secret = hook.secret.resolve("deliver.webhook.secret", source) if hook.secret else None
            return post_webhook(events, hook, secret)

        jobs.append(("webhook", webhook_job))
    if "splunk" in wanted:
        from commsignal.deliver.splunk import send_to_splunk

        hec = settings.splunk

        def splunk_job() -> str:
            assert hec.token is not None  # the settings validator guarantees it when enabled
            return send_to_splunk(events, hec, hec.token.resolve("deliver.splunk.token", source))

        jobs.append(("splunk", splunk_job))
    return jobs


def _attempt(name: str, job: Callable[[], str]) -> DeliveryOutcome:
    """Run one target's send; any failure becomes a reported outcome, not an exception."""
    try:
        outcome = DeliveryOutcome(name, True, job())
    except (DeliveryError, ConfigError) as exc:
        outcome = DeliveryOutcome(name, False, str(exc))
    except Exception as exc:  # an unexpected bug in one target must not stop the others
        log.exception("delivery to %s failed unexpectedly", name)
        outcome = DeliveryOutcome(name, False, f"unexpected {type(exc).__name__}: {exc}")
    (log.info if outcome.ok else log.error)("%s", outcome.line())
    return outcome
