"""End-to-end Slack sync against the loopback fake: exactness under faults, reruns, lookback, errors."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from commsignal.demo.fake_slack import ALL_SCOPES, FakeSlack, Faults, sample_world, ts_str
from commsignal.demo.world import SimMessage, World
from commsignal.ingest import Ingestor
from commsignal.privacy import Pseudonymizer
from commsignal.sources.slack import SyncReport, sync_slack
from commsignal.store import open_db
from commsignal.store.cursors import get_cursor
from connectors.errors import AuthError, ConnectorError, MissingPermission, RateLimited
from connectors.slack import SlackAuthError, SlackScopeError, SlackSettings

TOKEN = "xoxb-fake-token"
DROPPED = ("bot_message", "channel_join")  # ingest keeps neither: bots are not people


@dataclass
class _Features:
    small_talk: float
    is_small_talk: bool
    cues: tuple[str, ...]
    is_pleasantry: bool
    n_tokens: int
    is_question: bool


class FakeScorer:
    """Enough of nlp.SmallTalkScorer for ingest: counts tokens, flags 'thanks'."""

    def score_many(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[_Features]:
        for t in texts:
            st = "thanks" in t
            yield _Features(
                float(st), st, ("gratitude",) if st else (), st, len(t.split()), t.endswith("?")
            )


def settings_for(fake: FakeSlack, **kw: Any) -> SlackSettings:
    """Settings pointing at the fake with retry waits off."""
    kw.setdefault("retry_sleep_scale", 0)
    return SlackSettings(token=kw.pop("token", TOKEN), base_url=fake.base_url, **kw)


def new_store(path: Path | None = None) -> tuple[Database, Ingestor]:
    """A fresh store and an ingestor with a fixed key and the fake scorer."""
    db = open_db(path)
    return db, Ingestor(db, Pseudonymizer(b"test-key"), FakeScorer())


def expected_ids(fake: FakeSlack) -> set[str]:
    """Message ids the store should hold: everything served except bot and system messages."""
    return {
        f"{m['channel']}:{m['ts']}"
        for m in fake.served_messages()
        if m.get("subtype") not in DROPPED
    }


def stored_ids(db: Database) -> list[str]:
    return [r["message_id"] for r in db.query("select message_id from messages")]


def sync_until_done(
    db: Database, ing: Ingestor, s: SlackSettings, tries: int = 6
) -> tuple[SyncReport, int]:
    """Rerun after errors that outlived every retry, as the scheduler would."""
    for attempt in range(1, tries + 1):
        try:
            return sync_slack(db, ing, s), attempt
        except ConnectorError:
            if attempt == tries:
                raise
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def world() -> World:
    return sample_world(1200, seed=11)


def test_sync_with_random_faults_ends_with_exactly_the_servers_messages(world: World) -> None:
    with FakeSlack(world, faults=Faults(fault_rate=0.2, seed=5, retry_after=0)) as fake:
        db, ing = new_store()
        report, attempts = sync_until_done(db, ing, settings_for(fake, page_size=50))
        ids = stored_ids(db)
        assert set(ids) == expected_ids(fake)
        assert len(ids) == len(set(ids)) == len(expected_ids(fake))
        assert set(fake.faults_injected) == {"429", "500", "503", "drop", "ratelimited"}
        assert sum(fake.faults_injected.values()) > 50
        assert attempts <= 3
        assert report.requests["conversations.history"] > 0
        # threads: replies carry the parent's author, reactions and mentions arrived
        assert (
            db.execute(
                "select count(*) from messages where is_reply = 1 and reply_to_person_id is not null"
            ).fetchone()[0]
            > 50
        )
        assert db["reactions"].count > 0
        assert db.execute("select count(*) from messages where n_mentions > 0").fetchone()[0] > 0


def test_unchanged_rerun_writes_nothing(world: World) -> None:
    with FakeSlack(world) as fake:
        db, ing = new_store()
        first = sync_slack(db, ing, settings_for(fake, page_size=40))
        assert first.rows_written > 0 and first.stats.cursors > 0
        counts = {
            t: db[t].count
            for t in ("messages", "reactions", "accounts", "conversations", "_cursors")
        }
        again = sync_slack(db, ing, settings_for(fake, page_size=40))
        assert again.stats.total == 0, again.stats
        assert again.messages_seen > 0  # the lookback window was re-read, just nothing changed
        assert counts == {t: db[t].count for t in counts}


def test_late_reply_and_edit_inside_lookback_are_picked_up() -> None:
    w = sample_world(300, seed=3)
    with FakeSlack(w) as fake:
        db, ing = new_store()
        s = settings_for(fake, page_size=25, lookback_days=7)
        sync_slack(db, ing, s)
        ch = fake.channels["C00000001"]
        parent = next(
            d for d in reversed(ch.top) if d.get("subtype") is None and d["user"] != "U0BOT0001"
        )
        was_thread = ("C00000001", parent["ts"]) in fake.replies
        newest = max(float(m.ts) for m in w.messages)
        late = ts_str(newest + 120)
        fake.add_message(
            SimMessage(
                late,
                "slack",
                "C00000001",
                "p2",
                float(late),
                "late reply",
                thread_root=parent["ts"],
            )
        )
        older = ch.top[len(ch.top) // 2]  # still inside the 7-day window, older than the watermark
        fake.edit_message("C00000001", older["ts"], "edited text", newest + 300)
        report = sync_slack(db, ing, s)
        row = db.table("messages").get(("slack", f"C00000001:{late}"))
        assert row["is_reply"] == 1 and row["thread_id"] == f"C00000001:{parent['ts']}"
        assert db.table("messages").get(("slack", f"C00000001:{older['ts']}"))[
            "edited_ts"
        ] == pytest.approx(newest + 300)
        # the reply, the edit, and the parent too if this reply made it a thread (its thread_id is new)
        assert report.stats.written.get("messages") == (2 if was_thread else 3)
        assert (
            db.table("messages").get(("slack", f"C00000001:{parent['ts']}"))["thread_id"]
            is not None
        )
        assert set(stored_ids(db)) == expected_ids(fake)


def test_invalid_auth_is_one_line_naming_the_variable_and_commits_nothing(world: World) -> None:
    with FakeSlack(world) as fake:
        db, ing = new_store()
        secret = "xoxb-WRONG-secret-123"
        with pytest.raises(SlackAuthError) as err:
            sync_slack(db, ing, settings_for(fake, token=secret, token_env="MY_SLACK_TOKEN"))
        msg = str(err.value)
        assert isinstance(err.value, AuthError)
        assert "MY_SLACK_TOKEN" in msg and "invalid_auth" in msg and "\n" not in msg
        assert secret not in msg and secret not in repr(err.value)
        assert db["accounts"].count == 0 and db["_cursors"].count == 0


def test_missing_scope_names_the_scope_and_commits_nothing_for_that_page(world: World) -> None:
    scopes = ALL_SCOPES - {"groups:history"}
    with FakeSlack(world, scopes=scopes) as fake:
        db, ing = new_store()
        with pytest.raises(SlackScopeError) as err:
            sync_slack(db, ing, settings_for(fake, page_size=30))
        msg = str(err.value)
        assert isinstance(err.value, MissingPermission) and err.value.needed == "groups:history"
        assert "groups:history" in msg and "conversations.history" in msg and "\n" not in msg
        assert get_cursor(db, "slack", "history", "G00000003") is None
        assert (
            db.execute(
                "select count(*) from messages where conversation_id = 'G00000003'"
            ).fetchone()[0]
            == 0
        )
        # channels synced before the failing one stay committed
        assert get_cursor(db, "slack", "history", "C00000001") is not None


def test_not_in_channel_is_a_notice_and_the_rest_syncs(world: World) -> None:
    with FakeSlack(world, not_in_channel=frozenset({"C00000002"})) as fake:
        db, ing = new_store()
        report = sync_slack(db, ing, settings_for(fake))
        assert any("C00000002" in n and "not_in_channel" in n for n in report.notices)
        want = {i for i in expected_ids(fake) if not i.startswith("C00000002:")}
        assert set(stored_ids(db)) == want


def test_budget_stop_and_resume_across_runs_at_page_size_15() -> None:
    # the 2025 regime for non-Marketplace apps: 1 history/replies request a minute, 15 per page
    w = sample_world(160, seed=9)
    with FakeSlack(w) as fake:
        db, ing = new_store()
        budget: dict[str, int | None] = {"conversations.history": 1, "conversations.replies": 1}
        s = settings_for(fake, page_size=15, request_budget=budget)
        runs = 0
        while set(stored_ids(db)) != expected_ids(fake) and runs < 200:
            before = dict(fake.requests)
            report = sync_slack(db, ing, s)
            runs += 1
            for method in budget:
                assert fake.requests[method] - before.get(method, 0) <= 1
            assert report.stopped_by_budget
            assert any("budget" in n and "next run continues" in n for n in report.notices)
        assert 20 < runs < 200  # it really took many runs, and it finished
        assert set(stored_ids(db)) == expected_ids(fake)
        assert (
            fake.requests["conversations.history"] > 10
            and fake.requests["conversations.replies"] > 10
        )
        # every channel got its turn: each has a committed history cursor
        assert all(get_cursor(db, "slack", "history", c) for c in fake.channels)


def test_throttling_that_outlives_retries_is_a_clear_error(world: World) -> None:
    for kind in ("429", "ratelimited"):
        with FakeSlack(world, faults=Faults(fault_rate=1.0, kinds=(kind,), retry_after=0)) as fake:
            db, ing = new_store()
            with pytest.raises(RateLimited) as err:
                sync_slack(db, ing, settings_for(fake, rate_limit_retries=2))
            assert "rate-limiting users.list" in str(err.value) and "\n" not in str(err.value)
            assert fake.requests["users.list"] == 3  # one call plus two retries


def test_server_errors_and_drops_that_outlive_retries_are_clear_errors(world: World) -> None:
    for kind, words in (("500", "HTTP 500"), ("drop", "could not reach Slack")):
        with FakeSlack(world, faults=Faults(fault_rate=1.0, kinds=(kind,))) as fake:
            db, ing = new_store()
            with pytest.raises(ConnectorError) as err:
                sync_slack(
                    db, ing, settings_for(fake, server_error_retries=1, connection_retries=1)
                )
            assert words in str(err.value)
            assert db["_cursors"].count == 0


def test_access_logs_paid_only_is_a_notice_and_login_events_otherwise(world: World) -> None:
    with FakeSlack(world, paid_only=True) as fake:
        db, ing = new_store()
        report = sync_slack(db, ing, settings_for(fake, access_logs=True))
        assert "team.accessLogs needs a paid Slack plan; skipped" in report.notices
        assert db["login_events"].count == 0
    with FakeSlack(world) as fake:
        db, ing = new_store()
        s = settings_for(fake, access_logs=True, audit_logs=True, audit_token=fake.audit_token)
        s.audit_base_url = fake.audit_base_url
        sync_slack(db, ing, s)
        by_source = dict(
            db.execute("select source, count(*) from login_events group by source").fetchall()
        )
        assert by_source["slack-audit"] == 12  # 4 people x (logon, logoff, logon)
        assert by_source["slack-access"] == 8  # 4 aggregates (user, ip, ua), first and last use
        # joined to the Slack people by email, not left as bare Slack ids
        assert (
            db.execute(
                "select count(*) from login_events where person_id in (select person_id from people)"
            ).fetchone()[0]
            == 20
        )
        assert sync_slack(db, ing, s).stats.total == 0


def test_token_never_reaches_logs(world: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="slack_sdk")
    with FakeSlack(world, faults=Faults(fault_rate=0.3, seed=2, retry_after=0)) as fake:
        db, ing = new_store()
        s = settings_for(fake, page_size=100)
        sync_until_done(db, ing, s)
        with pytest.raises(AuthError):
            sync_slack(db, ing, settings_for(fake, token="xoxb-another-secret-777"))
        assert "Sending a request" in caplog.text  # slack_sdk really logged at DEBUG
        assert TOKEN not in caplog.text and "xoxb-another-secret-777" not in caplog.text
        assert TOKEN not in repr(s)


def test_message_text_never_reaches_the_database_files(tmp_path: Path) -> None:
    sentinel = "SENTINEL-q7Zx-never-store-me"
    w = sample_world(200, seed=4)
    w.messages[10].text += " " + sentinel
    w.messages[50].text = sentinel + " thanks"
    with FakeSlack(w) as fake:
        db, ing = new_store(tmp_path / "cs.db")
        sync_slack(db, ing, settings_for(fake))
        assert db["messages"].count > 100
        blobs = [p.read_bytes() for p in tmp_path.iterdir() if p.is_file()]
        assert any(p.name.endswith("-wal") for p in tmp_path.iterdir())
        db.conn.close()
        blobs += [p.read_bytes() for p in tmp_path.iterdir() if p.is_file()]
        assert all(sentinel.encode() not in b for b in blobs)
        assert all(b"message 10 about the build" not in b for b in blobs)
