"""Scheduled runs with APScheduler 3.11: jobs rebuilt from [schedule] on start, one at a time, never silently skipped."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from commsignal.cron import parse_crontab

if TYPE_CHECKING:
    from commsignal.cli_context import AppContext

log = logging.getLogger("commsignal.schedule")


def run_job(config_path: str | None, db_path: str | None, job: str, source: str) -> list[str]:
    """Run one scheduled job in its own context (SQLite connections must not cross threads).

    Args:
        config_path: the config file the scheduler was started with.
        db_path: the database override, if any.
        job: "sync" or "digest".
        source: which source a sync job pulls.

    Returns:
        The lines the job would have printed (also logged).
    """
    from commsignal.cli_context import AppContext
    from commsignal.pipeline import latest_complete_week, run_digest
    from commsignal.sync import sync_sources

    app = AppContext(
        config_path=Path(config_path) if config_path else None,
        db_override=Path(db_path) if db_path else None,
    )
    if job == "sync":
        lines = sync_sources(app, source, progress=False)
    else:
        config = app.config()
        week = latest_complete_week(app.db(), config.digest.timezone)
        result = run_digest(app.db(), config, week, app.pseudonyms())
        lines = [f"digest {week}: {', '.join(str(p) for p in result.paths)}"]
        lines += [f"deliver {o.line()}" for o in result.deliveries]
    for line in lines:
        log.info(line)
    return lines


def build_scheduler(app: AppContext, blocking: bool = False) -> BaseScheduler:
    """A scheduler holding one job per [[schedule.jobs]] entry (not started).

    Jobs coalesce (a backlog runs once), run one at a time, and run late within the configured
    misfire grace instead of APScheduler's default of one second.
    """
    config = app.config()
    options = {
        "jobstores": {"default": MemoryJobStore()},
        "executors": {"default": ThreadPoolExecutor(1)},
        "job_defaults": {
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": config.schedule.misfire_grace_seconds,
        },
        "timezone": ZoneInfo("UTC"),
    }
    scheduler: BaseScheduler = (
        BlockingScheduler(**options) if blocking else BackgroundScheduler(**options)
    )
    for job in config.schedule.jobs:
        scheduler.add_job(
            run_job,
            trigger=parse_crontab(job.cron, ZoneInfo(job.timezone)),
            args=[
                str(app.config_path) if app.config_path else None,
                str(app.db_override) if app.db_override else None,
                job.job,
                job.source,
            ],
            id=job.id,
            name=job.id,
            replace_existing=True,
        )
    return scheduler
