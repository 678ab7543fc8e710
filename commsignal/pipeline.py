"""The weekly analysis as one call: features, detection and the digest, for the CLI, demo and scheduler."""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from commsignal.analysis.features import compute_week
from commsignal.config import Config
from commsignal.detect import PersonRisk, RuleError, detect_week, load_rules
from commsignal.digest import build_digest, write_digest
from commsignal.digest.history import backfill_weeks
from commsignal.privacy import Pseudonymizer
from commsignal.store.runs import recorded_run
from commsignal.weeks import week_bounds, week_of

if TYPE_CHECKING:
    from commsignal.deliver.alerts import ManagerAlert
    from commsignal.deliver.run import DeliveryOutcome


@dataclass(slots=True)
class DigestResult:
    """What a digest run produced."""

    week: str
    ranked: list[PersonRisk]
    digest: dict[str, Any]
    paths: list[Path]
    alert_paths: list[Path] = field(default_factory=list)
    alerts: list[ManagerAlert] = field(default_factory=list)
    deliveries: list[DeliveryOutcome] = field(default_factory=list)


def latest_complete_week(db: Database, tz: str = "UTC") -> str:
    """The last ISO week that has data; the week of the newest message or login event."""
    newest = db.execute(
        "select max(ts) from (select max(ts) as ts from messages union all select max(ts) from login_events)"
    ).fetchone()[0]
    return week_of(newest if newest else time.time(), tz)


def run_digest(
    db: Database,
    config: Config,
    week: str,
    pseudonyms: Pseudonymizer,
    out_dir: str | Path | None = None,
    formats: list[str] | None = None,
    reveal: bool = False,
    deliver: bool = True,
) -> DigestResult:
    """Compute features, run the rules, store findings and the digest, write and deliver it.

    Args:
        db: the store.
        config: validated config.
        week: ISO week to report on.
        pseudonyms: to say in the digest when the key was generated rather than configured.
        out_dir: folder for files (config digest.out_dir when None).
        formats: formats to write (config digest.formats when None).
        reveal: put display names in the digest files (the CLI audits this); what is delivered
            stays pseudonymous.
        deliver: send to the targets enabled in [deliver] after writing the files.

    Returns:
        The ranking, the digest dict, the written paths and the delivery outcomes (the run and
        its outcomes are recorded in `_runs`; a failed target does not fail the run).
    """
    # earlier weeks never analysed, so the digest's look back has no false gaps (runs of their
    # own, before the digest's); bad rules fail below, inside the digest's recorded run
    with contextlib.suppress(RuleError):
        backfill_weeks(
            db, week, config.digest.timezone, config.detect, load_rules(config.detect.rules_dir)
        )
    with recorded_run(db, f"digest:{week}") as run:
        result = _digest(db, config, week, pseudonyms, out_dir, formats, reveal)
        run.update(people=len(result.ranked), high=result.digest["summary"]["high"])
        if deliver and config.deliver.enabled_targets():
            from commsignal.deliver.run import deliver_digest

            result.deliveries = deliver_digest(result.digest, result.alerts, config)
            run.update(deliveries=[o.as_stats() for o in result.deliveries])
    return result


def _digest(
    db: Database,
    config: Config,
    week: str,
    pseudonyms: Pseudonymizer,
    out_dir: str | Path | None,
    formats: list[str] | None,
    reveal: bool,
) -> DigestResult:
    """The digest run itself, without the bookkeeping in `_runs`."""
    tz = config.digest.timezone
    features = compute_week(db, week, config.detect, tz)
    rules = load_rules(config.detect.rules_dir)
    ranked = detect_week(db, week, features, rules)
    notes = []
    if pseudonyms.generated_key_path is not None:
        notes.append(
            f"No pseudonym key is configured: one was generated and kept at {pseudonyms.generated_key_path} "
            "(mode 0600). Back it up; pseudonyms change if it is lost."
        )
    group = config.digest.min_group_size
    digest = build_digest(
        db, week, ranked, tz, config.digest.top, reveal, notes, rules, min_group_size=group
    )
    pseudonymous = (
        build_digest(db, week, ranked, tz, config.digest.top, False, notes, rules, group)
        if reveal
        else digest
    )
    db.table("digests").upsert(
        {
            "week": week,
            "generated_at": time.time(),
            "n_people": len(ranked),
            "n_high": digest["summary"]["high"],
            "digest_json": json.dumps(pseudonymous, default=str),
        },
        pk="week",
    )
    folder = out_dir or config.digest.out_dir
    paths = write_digest(digest, folder, formats or list(config.digest.formats))
    alert_paths: list[Path] = []
    alerts: list[ManagerAlert] = []
    if config.alerts.enabled and config.alerts.opt_in:
        from commsignal.deliver.alerts import manager_alerts, write_alerts

        start = week_bounds(week, tz)[0]
        previous = [week_of(start - k * 7 * 86400 + 3 * 86400, tz) for k in (1, 2, 3)]
        for earlier in previous:
            compute_week(db, earlier, config.detect, tz)
        alerts = manager_alerts(db, week, previous, config.alerts)
        alert_paths = write_alerts(alerts, folder)
    return DigestResult(week, ranked, digest, paths, alert_paths, alerts)
