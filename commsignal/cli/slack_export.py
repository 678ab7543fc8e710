"""`commsignal import slack-export EXPORT`: a workspace export (.zip or unzipped folder) into the store, no Slack access needed."""

from __future__ import annotations

from pathlib import Path

import click

from commsignal.sources.slack_export import ImportReport, SlackExportError, import_slack_export
from commsignal.store.runs import recorded_run


@click.command(name="slack-export")
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_context
def slack_export_command(ctx: click.Context, file: Path) -> None:
    """Import a Slack workspace export (.zip or its unzipped folder): message metadata and small-talk features, never text."""
    app = ctx.obj
    ingestor = app.ingestor(scorer=True)
    try:
        with recorded_run(ingestor.db, "import:slack-export") as run:
            report = import_slack_export(file, ingestor)
            run.update(report.as_dict())
    except SlackExportError as exc:
        raise click.ClickException(str(exc)[:400]) from None
    except Exception as exc:  # never a traceback for an input, however broken
        # the run record keeps the error; what was written before it stays (re-running adds nothing)
        raise click.ClickException(
            f"could not read {str(file)[:120]}: {type(exc).__name__}: {str(exc)[:160]}; "
            "if it is a Slack export, please report this with its folder listing"
        ) from None
    click.echo(_line(file, report))


def _line(file: Path, report: ImportReport) -> str:
    skipped = sum(report.skipped.values())
    reasons = ", ".join(f"{n} {why}" for why, n in sorted(report.skipped.items()))
    return (
        f"slack export {file.name}: {report.users} users, {report.conversations} conversations, "
        f"{report.messages} messages read = {report.kept} kept + {skipped} skipped"
        + (f" ({reasons})" if reasons else "")
        + f"; {report.rows_written} rows written"
        + (
            f"; {report.quarantined} unreadable day file(s) quarantined"
            if report.quarantined
            else ""
        )
    )
