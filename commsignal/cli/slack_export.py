"""`commsignal import slack-export FILE.zip`: a workspace export into the store, no Slack access needed."""

from __future__ import annotations

from pathlib import Path

import click

from commsignal.sources.slack_export import SlackExportError, import_slack_export


@click.command(name="slack-export")
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_context
def slack_export_command(ctx: click.Context, file: Path) -> None:
    """Import a Slack workspace export (.zip): message metadata and small-talk features, never text."""
    app = ctx.obj
    try:
        report = import_slack_export(file, app.ingestor(scorer=True))
    except SlackExportError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"slack export {file.name}: {report.users} users, {report.conversations} conversations, "
        f"{report.messages} messages read, {report.rows_written} rows written"
        + (f", {report.quarantined} files quarantined" if report.quarantined else "")
    )
