"""The weekly analysis as one call: features, detection and the digest, for the CLI, demo and scheduler."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from commsignal.analysis.features import compute_week
from commsignal.audit import RevealLog, check_reason
from commsignal.config import Config
from commsignal.detect import PersonRisk, detect_week, load_rules
from commsignal.detect.rules import Rule
from commsignal.digest import build_digest, write_digest
from commsignal.digest.history import backfill_weeks
from commsignal.privacy import Pseudonymizer
from commsignal.sources.directory import identity_rules, refresh_identities
from commsignal.store.retention import check_week_not_purged, expire_kept_text
from commsignal.store.runs import recorded_run
from commsignal.triage import TriageOutcome, annotate_digest, apply_triage, week_over_week
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
    triage: TriageOutcome | None = None


def latest_complete_week(db: Database, tz: str = "UTC", now: float | None = None) -> str:
    """The last week that has ended in the digest's zone, or the week of the newest data if older.

    A scheduled Monday run reports the week that just ended, not the few hours of the new one;
    when the data stops earlier (an import of old logs), its last week is reported.

    Args:
        db: the store.
        tz: the digest time zone.
        now: the current time (epoch seconds; defaults to the clock).

    Returns:
        ISO week such as "2026-W47".
    """
    now = time.time() if now is None else now
    current_start = week_bounds(week_of(now, tz), tz)[0]
    newest = db.execute(
        "select max(ts) from (select max(ts) as ts from messages union all select max(ts) from login_events)"
    ).fetchone()[0]
    ref = current_start - 1 if newest is None else min(float(newest), current_start - 1)
    return week_of(ref, tz)


def current_week(tz: str = "UTC", now: float | None = None) -> str:
    """The week in progress in the digest's zone (for a partial digest written on request)."""
    return week_of(time.time() if now is None else now, tz)


def partial_note(week: str, tz: str, now: float | None = None) -> str | None:
    """The digest note for a week that has not ended yet, or None for a complete week."""
    now = time.time() if now is None else now
    end = week_bounds(week, tz)[1]
    if end <= now:
        return None
    stamp = datetime.fromtimestamp(now, ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
    return (
        f"Partial week: {week} has not ended ({stamp} {tz}); figures cover the days so far and "
        "will change. The scheduled digest reports complete weeks only."
    )


def run_digest(
    db: Database,
    config: Config,
    week: str,
    pseudonyms: Pseudonymizer,
    out_dir: str | Path | None = None,
    formats: list[str] | None = None,
    reveal: bool = False,
    deliver: bool = True,
    reason: str | None = None,
) -> DigestResult:
    """Compute features, run the rules, store findings and the digest, write and deliver it.

    Args:
        db: the store.
        config: validated config.
        week: ISO week to report on.
        pseudonyms: to say in the digest when the key was generated rather than configured.
        out_dir: folder for files (config digest.out_dir when None).
        formats: formats to write (config digest.formats when None).
        reveal: write `...-revealed.*` files with display names, audited: the audit row
            naming every revealed pseudonym is written first, and a failure removes the
            revealed files and marks it failed. What is delivered stays pseudonymous.
        deliver: send to the targets enabled in [deliver] after writing the files.
        reason: why names are revealed (needed with `reveal`; at least a few words).

    Returns:
        The ranking, the digest dict, the written paths and the delivery outcomes (the run and
        its outcomes are recorded in `_runs`; a failed target does not fail the run).

    Raises:
        AuditError: `reveal` without a usable reason. PurgedWeekError: the week was purged.
    """
    reveal_log = RevealLog(db, week, check_reason(reason)) if reveal else None
    check_week_not_purged(db, week, config.digest.timezone)
    expire_kept_text(db)  # kept text expires on time even when no new messages arrive
    try:
        with recorded_run(db, f"digest:{week}") as run:
            result = _digest(db, config, week, pseudonyms, out_dir, formats, reveal_log)
            run.update(people=len(result.ranked), high=result.digest["summary"]["high"])
            if deliver and config.deliver.enabled_targets():
                from commsignal.deliver.run import deliver_digest

                result.deliveries = deliver_digest(result.digest, result.alerts, config)
                run.update(deliveries=[o.as_stats() for o in result.deliveries])
    except BaseException as exc:
        if reveal_log is not None:
            reveal_log.fail(exc)
        raise
    if reveal_log is not None:
        reveal_log.done()
    return result


def _digest(
    db: Database,
    config: Config,
    week: str,
    pseudonyms: Pseudonymizer,
    out_dir: str | Path | None,
    formats: list[str] | None,
    reveal_log: RevealLog | None,
) -> DigestResult:
    """The digest run itself, without the bookkeeping in `_runs`."""
    tz = config.digest.timezone
    # whatever order the sources arrived in, the digest is about the people all evidence shows
    refresh_identities(db, pseudonyms, identity_rules(config.identity))
    features = compute_week(db, week, config.detect, tz)
    rules = load_rules(config.detect.rules_dir)
    # earlier weeks with data but never analysed, so the digest's look back has no false gaps
    backfill_weeks(db, week, tz, config.detect, rules)
    ranked = detect_week(db, week, features, rules)
    return digest_from_ranking(
        db, config, week, ranked, rules, pseudonyms, out_dir, formats, reveal_log
    )


def digest_from_ranking(
    db: Database,
    config: Config,
    week: str,
    ranked: list[PersonRisk],
    rules: list[Rule],
    pseudonyms: Pseudonymizer,
    out_dir: str | Path | None,
    formats: list[str] | None,
    reveal_log: RevealLog | None = None,
) -> DigestResult:
    """Triage a week's ranking (verdicts, allowlists, week over week), then build, store and write
    the digest; the second half of a digest run, callable on a ranking from `detect_week`.

    A `reveal_log` puts names in the files, after its audit row is written."""
    reveal = reveal_log is not None
    tz = config.digest.timezone
    outcome = apply_triage(db, config, week, ranked, rules)
    wow = week_over_week(db, outcome, rules, config.digest.top, config.triage.history_weeks)
    ranked = outcome.ranked
    notes = []
    partial = partial_note(week, tz)
    if partial:
        notes.append(partial)
    if pseudonyms.generated_key_path is not None:
        notes.append(
            f"No pseudonym key is configured: one was generated and kept at {pseudonyms.generated_key_path} "
            "(mode 0600). Back it up; pseudonyms change if it is lost."
        )
    group = config.digest.min_group_size
    digest = build_digest(
        db, week, ranked, tz, config.digest.top, reveal, notes, rules, min_group_size=group
    )
    annotate_digest(digest, outcome, wow)
    pseudonymous = digest
    if reveal:
        pseudonymous = build_digest(
            db, week, ranked, tz, config.digest.top, False, notes, rules, min_group_size=group
        )
        annotate_digest(pseudonymous, outcome, wow)
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
    if reveal_log is not None:  # the audit row before any name reaches a file
        reveal_log.start([p["person"] for p in digest["people"]])
    paths = write_digest(digest, folder, formats or list(config.digest.formats), revealed=reveal)
    if reveal_log is not None:
        reveal_log.paths = paths
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
    return DigestResult(week, ranked, digest, paths, alert_paths, alerts, triage=outcome)
