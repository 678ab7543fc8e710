"""Scheduled runs with APScheduler 3.11: jobs rebuilt from [schedule] on start, one at a time, never silently skipped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from commsignal.config.cron import parse_crontab

if TYPE_CHECKING:
    from commsignal.privacy import Pseudonymizer
    from commsignal.sources.sync import Workspace

    class ScheduledApp(Workspace, Protocol):
        """The caller's context: a Workspace that can also pseudonymise and copy itself."""

        def pseudonyms(self) -> Pseudonymizer: ...

        def fresh(self) -> ScheduledApp: ...


log = logging.getLogger("commsignal.schedule")


def run_job(make_app: Callable[[], ScheduledApp], job: str, source: str) -> list[str]:
    """Run one scheduled job in its own context (SQLite connections must not cross threads).

    Args:
        make_app: builds a new context over the config and database the scheduler started with.
        job: "sync", "digest" or "purge" (deletes what [privacy] retention_days no longer keeps).
        source: which source a sync job pulls.

    Returns:
        The lines the job would have printed (also logged).
    """
    from commsignal.pipeline import latest_complete_week, run_digest
    from commsignal.sources.sync import sync_sources

    app = make_app()
    if job == "sync":
        lines = sync_sources(app, source, progress=False)
    elif job == "purge":
        import time

        from commsignal.audit import purge_data, record

        days = app.config().privacy.retention_days
        if days is None:  # the config validator refuses a purge job without it
            raise ValueError("a purge job needs [privacy] retention_days")
        counts = purge_data(app.db(), time.time() - days * 86400)
        record(app.db(), "purge", target=f"older than {days} days (scheduled)", reason="")
        lines = [
            f"purge older than {days} days: "
            + (", ".join(f"{t}: {n}" for t, n in counts.items()) or "nothing to delete")
        ]
    else:
        config = app.config()
        week = latest_complete_week(app.db(), config.digest.timezone)
        result = run_digest(app.db(), config, week, app.pseudonyms())
        lines = [f"digest {week}: {', '.join(str(p) for p in result.paths)}"]
        lines += [f"deliver {o.line()}" for o in result.deliveries]
    for line in lines:
        log.info(line)
    return lines


def build_scheduler(app: ScheduledApp, blocking: bool = False) -> BaseScheduler:
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
            args=[app.fresh, job.job, job.source],
            id=job.id,
            name=job.id,
            replace_existing=True,
        )
    return scheduler
