"""The digest by SMTP to the insider-risk team, and engagement alerts to each opted-in manager."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from commsignal.config.deliver import EmailDeliver
from commsignal.deliver import DeliveryError
from commsignal.deliver.alerts import ManagerAlert, alert_text
from commsignal.deliver.summary import subject
from commsignal.digest import render


def digest_message(digest: dict[str, Any], settings: EmailDeliver) -> EmailMessage:
    """The digest email: Markdown as the plain-text part, the HTML digest as its alternative.

    Args:
        digest: a pseudonymous digest dict.
        settings: the [deliver.email] section (sender and recipients).

    Returns:
        A message ready for `send_message`.
    """
    msg = EmailMessage()
    msg["Subject"] = subject(digest)
    msg["From"] = settings.sender or ""
    msg["To"] = ", ".join(settings.recipients)
    msg.set_content(render(digest, "md"))
    msg.add_alternative(render(digest, "html"), subtype="html")
    return msg


def alert_message(alert: ManagerAlert, settings: EmailDeliver) -> EmailMessage:
    """One manager's engagement note as a plain-text email to that manager only.

    Args:
        alert: from `manager_alerts` (engagement only, about the manager's own reports).
        settings: the [deliver.email] section (sender).

    Returns:
        A message ready for `send_message`.
    """
    msg = EmailMessage()
    msg["Subject"] = f"Team engagement {alert.week}: {len(alert.reports)} quieter than usual"
    msg["From"] = settings.sender or ""
    msg["To"] = alert.manager_email
    msg.set_content(alert_text(alert))
    return msg


def send_digest_email(digest: dict[str, Any], settings: EmailDeliver, password: str | None) -> str:
    """Send the digest to the configured recipients.

    Args:
        digest: a pseudonymous digest dict.
        settings: the [deliver.email] section.
        password: the resolved SMTP password (None without a login).

    Returns:
        What was done, for the outcome line.

    Raises:
        DeliveryError: the server could not be reached or refused the login or a recipient.
    """
    with _session(settings, password) as smtp:
        _send(smtp, digest_message(digest, settings), settings)
    return f"sent to {len(settings.recipients)} recipient(s) via {settings.host}:{settings.port}"


def send_alert_emails(
    alerts: list[ManagerAlert], settings: EmailDeliver, password: str | None
) -> str:
    """Send each opted-in manager their own engagement note, one message each.

    Args:
        alerts: from `manager_alerts`.
        settings: the [deliver.email] section.
        password: the resolved SMTP password (None without a login).

    Returns:
        What was done, for the outcome line.

    Raises:
        DeliveryError: the server failed, or some managers' messages were refused (the rest are sent).
    """
    failed: list[str] = []
    with _session(settings, password) as smtp:
        for alert in alerts:
            try:
                _send(smtp, alert_message(alert, settings), settings)
            except DeliveryError as exc:
                failed.append(f"{alert.manager_email}: {exc}")
    if failed:
        raise DeliveryError(
            f"{len(failed)} of {len(alerts)} manager alert(s) not sent: " + "; ".join(failed)
        )
    return f"sent {len(alerts)} manager alert(s)"


@contextmanager
def _session(settings: EmailDeliver, password: str | None) -> Iterator[smtplib.SMTP]:
    """An SMTP connection after STARTTLS and login, closed on exit; errors become DeliveryError."""
    where = f"{settings.host}:{settings.port}"
    try:
        smtp = smtplib.SMTP(settings.host or "", settings.port, timeout=settings.timeout_seconds)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(
            f"cannot reach SMTP server {where} ({type(exc).__name__}: {exc}). "
            "Fix: check deliver.email.host and port, and that this machine may connect."
        ) from None
    try:
        smtp.ehlo()
        if settings.starttls:
            if not smtp.has_extn("starttls"):
                raise DeliveryError(
                    f"SMTP server {where} does not offer STARTTLS. Fix: use its submission "
                    "port (usually 587), or starttls = false for a trusted relay without login."
                )
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.username is not None:
            try:
                smtp.login(settings.username, password or "")
            except smtplib.SMTPAuthenticationError as exc:
                raise DeliveryError(
                    f"SMTP server {where} refused the login of {settings.username} "
                    f"({exc.smtp_code}). Fix: check deliver.email.username and the password "
                    f"in {settings.password.describe() if settings.password else 'the config'}."
                ) from None
        yield smtp
    except DeliveryError:
        raise
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP with {where} failed: {type(exc).__name__}: {exc}") from None
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _send(smtp: smtplib.SMTP, msg: EmailMessage, settings: EmailDeliver) -> None:
    """Send one message; a refused recipient or sender is a DeliveryError naming it."""
    try:
        refused = smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(
            f"the SMTP server refused every recipient ({', '.join(exc.recipients)}). "
            "Fix: check the addresses, and that the server relays for deliver.email.sender."
        ) from None
    except smtplib.SMTPSenderRefused as exc:
        raise DeliveryError(
            f"the SMTP server refused the sender {settings.sender} ({exc.smtp_code}). "
            "Fix: set deliver.email.sender to an address this login may send from."
        ) from None
    if refused:
        raise DeliveryError(
            f"the SMTP server refused {', '.join(refused)}; the others got the message. "
            "Fix: check those addresses."
        )
