"""End-to-end Microsoft 365 sync against the fake Graph: faults, reruns, delta, attendance, notices, privacy."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from commsignal.demo.fake_graph import FakeGraph, Faults
from commsignal.demo.fake_graph_world import START, sample_world
from commsignal.demo.world import SimMessage, World
from commsignal.ingest import Ingestor
from commsignal.privacy import Pseudonymizer
from commsignal.sources.m365 import SyncReport, sync_m365
from commsignal.store import open_db
from connectors.errors import AuthError
from connectors.msgraph.settings import GraphSettings

NOW = START + 15 * 86400
TOKEN = "tok-SECRET-7f3a9c"
KEY = Pseudonymizer(b"test-key")


def make_world() -> World:
    return sample_world(n_people=12, n_messages=300, n_meetings=20, seed=5)


def settings(fake: FakeGraph, **kw: Any) -> GraphSettings:
    return GraphSettings(
        access_token=TOKEN, base_url=fake.base_url, now=NOW, retry_delay_s=0.0, **kw
    )


def run(db: Database, fake: FakeGraph, **kw: Any) -> SyncReport:
    return sync_m365(db, Ingestor(db, KEY, None), settings(fake, **kw))


def served_message_ids(world: World) -> set[str]:
    return {
        m.id for m in world.messages if m.platform == "teams" and m.subtype != "systemEventMessage"
    }


def test_full_sync_under_faults_stores_what_the_server_holds() -> None:
    world = make_world()
    db = open_db(None)
    with FakeGraph(world, faults=Faults(fault_rate=0.2, seed=11, retry_after=(0, 1))) as fake:
        report = run(db, fake)
        faults = fake.faults_served
    assert faults >= 10 and report.notices == []
    assert {
        r["message_id"] for r in db.query("select message_id from messages")
    } == served_message_ids(world)
    assert db["meetings"].count == len(world.meetings)
    attended = {(m.id, a.person) for m in world.meetings for a in m.attendance}
    assert db.execute("select count(*) from attendance where attended_seconds > 0").fetchone()[
        0
    ] == len(attended)
    ids = {r["ip"] + "|" + str(round(r["ts"])) for r in db.query("select ip, ts from login_events")}
    assert ids == {f"{s.ip}|{round(s.ts)}" for s in world.logins}
    # sign-in user names are login accounts of their own, resolved to the same people
    assert db["accounts"].count_where("kind = 'platform'") == len(world.people)
    assert db["people"].count == len(world.people)
    tzs = {r["tz"] for r in db.query("select tz from accounts where kind = 'platform'")}
    assert tzs == {p.declared_tz for p in world.people}  # Windows names came back as IANA


def test_rerun_without_changes_writes_nothing() -> None:
    db = open_db(None)
    with FakeGraph(make_world()) as fake:
        first = run(db, fake)
        second = run(db, fake)
    assert first.rows_written > 0
    assert second.rows_written == 0 and second.stats.written == {}


def test_delta_round_applies_adds_edits_and_removals() -> None:
    world = make_world()
    db = open_db(None)
    chan = next(c for c in world.channels if c.kind == "channel")
    chat = next(c for c in world.channels if c.kind == "chat")
    in_chan = [
        m for m in world.messages if m.channel == chan.id and not m.thread_root and not m.subtype
    ]
    in_chat = [m for m in world.messages if m.channel == chat.id and not m.subtype]
    with FakeGraph(world) as fake:
        run(db, fake)
        edited, removed = in_chan[0], in_chan[1]
        later = NOW - 3600
        fake.add_message(
            SimMessage("1799999999001", "teams", chan.id, chan.members[0], later, "new post"), later
        )
        fake.add_message(
            SimMessage("1799999999002", "teams", chat.id, chat.members[0], later, "new chat"), later
        )
        fake.edit_message(edited.id, "edited text", later)
        fake.remove_message(removed.id, later)
        fake.remove_message(in_chat[0].id, later)
        report = run(db, fake)
    ids = {r["message_id"] for r in db.query("select message_id from messages")}
    assert {"1799999999001", "1799999999002"} <= ids
    assert removed.id not in ids and in_chat[0].id not in ids
    assert report.stats.removed == 2
    row = next(db.query("select edited_ts from messages where message_id = ?", [edited.id]))
    assert row["edited_ts"] == pytest.approx(later)


def test_camera_never_on_and_participation_from_attendance() -> None:
    world = make_world()
    db = open_db(None)
    with FakeGraph(world) as fake:
        run(db, fake)
    ing = Ingestor(db, KEY, None)
    p1 = ing.person_for("m365", world.person("p1").graph_id)
    p1_rows = list(
        db.query(
            "select video_on from attendance where person_id = ? and attended_seconds > 0", [p1]
        )
    )
    assert p1_rows and all(r["video_on"] == 0 for r in p1_rows)
    assert db.execute("select count(*) from attendance where video_on = 1").fetchone()[0] > 0
    # a late joiner: first join 5 minutes after the scheduled start, seconds match the interval
    late = [(m, a) for m in world.meetings for a in m.attendance if a.intervals[0][0] > m.start]
    assert late
    meeting, att = late[0]
    person = ing.person_for("m365", world.person(att.person).graph_id)
    row = next(
        db.query(
            "select a.* , m.start_ts from attendance a join meetings m using (source, meeting_id) "
            "where a.person_id = ? and m.start_ts = ?",
            [person, meeting.start],
        )
    )
    assert row["first_join_ts"] - row["start_ts"] == pytest.approx(300)
    assert row["attended_seconds"] == int(att.intervals[0][1] - att.intervals[0][0])
    assert row["invited"] == 1 and row["response"] in (
        "accepted",
        "tentativelyAccepted",
        "declined",
        "none",
    )


def test_refusals_become_one_notice_each_and_the_rest_syncs() -> None:
    world = make_world()
    db = open_db(None)
    faults = Faults(
        scripted=[
            Faults.no_premium(),
            Faults.protected_api("/chats/getAllMessages"),
            Faults.long_throttle("/communications/callRecords"),
            Faults.denied("/mailboxSettings"),
        ]
    )
    with FakeGraph(world, faults=faults) as fake:
        report = run(db, fake)
    text = "\n".join(report.notices)
    assert len(report.notices) == 4, text
    assert (
        "sign-ins skipped: /auditLogs/signIns needs AuditLog.Read.All and a Microsoft Entra ID P1 or P2 licence"
        in text
    )
    assert "chat messages skipped" in text and "protected API" in text and "Chat.Read.All" in text
    assert "call records skipped" in text and "Retry-After 600" in text
    assert "time zones skipped" in text and "MailboxSettings.Read" in text
    assert db["meetings"].count == len(world.meetings) and db["accounts"].count == len(world.people)
    assert db["login_events"].count == 0
    assert (
        db.execute("select count(*) from messages").fetchone()[0] > 0
    )  # channel messages still came


def test_long_retry_after_is_waited_out_within_the_limit() -> None:
    slept: list[float] = []
    db = open_db(None)
    faults = Faults(scripted=[Faults.long_throttle("/auditLogs/signIns", retry_after=600, times=1)])
    with FakeGraph(make_world(), faults=faults) as fake:
        report = run(
            db,
            fake,
            resources=("users", "signins"),
            long_retry_after_limit_s=900,
            sleep=slept.append,
        )
    assert slept == [600.0] and report.notices == []
    assert db["login_events"].count > 0


def test_401_everywhere_raises_auth_error() -> None:
    with (
        FakeGraph(make_world(), faults=Faults(scripted=[Faults.unauthorized("/")])) as fake,
        pytest.raises(AuthError) as err,
    ):
        run(open_db(None), fake)
    assert "401" in str(err.value) and TOKEN not in str(err.value)


def test_token_never_logged(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    faults = Faults(scripted=[Faults.denied("/auditLogs")])
    with FakeGraph(make_world(), faults=faults) as fake:
        report = run(open_db(None), fake, resources=("users", "signins"))
        s = settings(fake)
        seen = set(fake.auth_headers)
    assert seen == {f"Bearer {TOKEN}"}  # the token really was used
    out = capsys.readouterr()
    for text in (caplog.text, out.out, out.err, repr(s), "\n".join(report.notices)):
        assert TOKEN not in text


def test_message_text_never_reaches_the_database(tmp_path: Path) -> None:
    world = make_world()
    sentinel = "SENTINEL-4a1f-never-store-me"
    chan = next(c for c in world.channels if c.kind == "channel")
    chat = next(c for c in world.channels if c.kind == "chat")
    world.messages.append(
        SimMessage("1799999998001", "teams", chan.id, chan.members[0], START + 3600, sentinel)
    )
    world.messages.append(
        SimMessage("1799999998002", "teams", chat.id, chat.members[0], START + 3600, sentinel)
    )
    path = tmp_path / "m365.db"
    db = open_db(path)
    with FakeGraph(world) as fake:
        run(db, fake)
    assert (
        db.execute(
            "select count(*) from messages where message_id like '179999999800%'"
        ).fetchone()[0]
        == 2
    )
    db.conn.close()
    for f in tmp_path.iterdir():
        assert sentinel.encode() not in f.read_bytes(), f.name
