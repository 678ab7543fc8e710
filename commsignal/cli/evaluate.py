"""`commsignal evaluate`: a week's findings against a ground truth (planted, confounders, ordinary)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from commsignal.cli.context import AppContext, pass_app
from commsignal.weeks import parse_week


@click.command(name="evaluate")
@click.option(
    "--truth",
    "truth_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Ground-truth JSON (the demo writes ground-truth.json).",
)
@click.option(
    "--week", help="ISO week (default: the truth's last week, else the newest with findings)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the evaluation as JSON.")
@pass_app
def evaluate_command(app: AppContext, truth_path: Path, week: str | None, as_json: bool) -> None:
    """Per planted persona rank and level, precision at k, confounders flagged, ordinary people at medium+."""
    from commsignal.detect import RuleError, load_rules
    from commsignal.detect.evaluate import evaluate_week, render_table

    try:
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise click.ClickException(
            f"{truth_path}: not valid JSON ({exc}); pass the demo's ground-truth.json."
        ) from None
    if not isinstance(truth, dict) or "planted" not in truth:
        raise click.ClickException(f"{truth_path}: needs a 'planted' object of email -> label.")
    db = app.db()
    if week:
        try:
            parse_week(week)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
    else:
        weeks = truth.get("weeks") or []
        week = weeks[-1] if weeks else db.execute("select max(week) from findings").fetchone()[0]
    if (
        not week
        or not db.execute("select 1 from findings where week = ? limit 1", [week]).fetchone()
    ):
        raise click.ClickException(
            f"no findings stored for {week or 'any week'}: run `commsignal digest --week {week or 'YYYY-Www'}` first."
        )
    try:
        rules = load_rules(app.config().detect.rules_dir)
    except RuleError as exc:
        raise click.ClickException(str(exc)) from None
    ev = evaluate_week(db, truth, week, rules)
    click.echo(json.dumps(ev.as_dict(), indent=2) if as_json else render_table(ev))
