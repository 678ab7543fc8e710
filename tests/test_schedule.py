"""Scheduled jobs come from config with standard cron weekdays and a real misfire grace."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from commsignal.cli.context import AppContext
from commsignal.config.cron import CronError, parse_crontab
from commsignal.schedule import build_scheduler


def _fires(expr: str, start: datetime, n: int, tz: str = "UTC") -> list[datetime]:
    trigger = parse_crontab(expr, ZoneInfo(tz))
    out: list[datetime] = []
    prev = None
    now = start
    for _ in range(n):
        nxt = trigger.get_next_fire_time(prev, now)
        assert nxt is not None
        out.append(nxt)
        prev = nxt
        now = nxt.astimezone(UTC).replace(second=1)
    return out


def test_weekday_numbers_follow_standard_cron() -> None:
    # 2026-11-27 is a Friday; "1-5" must mean Monday to Friday, not Tuesday to Saturday
    fires = _fires("0 9 * * 1-5", datetime(2026, 11, 27, 10, tzinfo=UTC), 5)
    assert [f.strftime("%a") for f in fires] == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    assert _fires("0 9 * * 0", datetime(2026, 11, 27, tzinfo=UTC), 1)[0].strftime("%a") == "Sun"
    assert _fires("0 9 * * 7", datetime(2026, 11, 27, tzinfo=UTC), 1)[0].strftime("%a") == "Sun"


def test_cron_in_a_time_zone() -> None:
    fire = _fires("0 6 * * mon", datetime(2026, 11, 27, tzinfo=UTC), 1, "Europe/Berlin")[0]
    assert fire.astimezone(UTC).hour == 5


def test_bad_cron() -> None:
    with pytest.raises(CronError):
        parse_crontab("61 * * * *")


def test_jobs_from_config(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        "[schedule]\nmisfire_grace_seconds = 900\n"
        '[[schedule.jobs]]\nid = "sync"\njob = "sync"\ncron = "*/30 * * * *"\n'
        '[[schedule.jobs]]\nid = "digest"\njob = "digest"\ncron = "0 6 * * 1"\ntimezone = "Europe/Berlin"\n'
    )
    app = AppContext(config_path=cfg, db_override=tmp_path / "db.sqlite")
    scheduler = build_scheduler(app)
    scheduler.start(paused=True)
    try:
        jobs = {j.id: j for j in scheduler.get_jobs()}
        assert set(jobs) == {"sync", "digest"}
        assert jobs["digest"].misfire_grace_time == 900
        assert jobs["digest"].coalesce is True and jobs["digest"].max_instances == 1
        assert jobs["digest"].next_run_time.strftime("%a %H:%M") == "Mon 06:00"
    finally:
        scheduler.shutdown(wait=False)
