"""The Microsoft 365 sync under Graph behaviour the documentation describes (issue 14).

Dropped connections, per-user refusals, nested next links, camera from media streams, sign-ins
by userId, rooms, externals, appointments, device ids and the documented chat filter, each
checked against what the fake Graph server holds (`documented_world`).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlite_utils import Database

from commsignal.demo.fake_graph import DROP, RESET, STALL, FakeGraph, Faults, ScriptedFault
from commsignal.demo.fake_graph_world import START, documented_world
from commsignal.demo.world import SimMeeting, World
from commsignal.ingest import Ingestor
from commsignal.privacy import Pseudonymizer
from commsignal.sources.m365 import SyncReport, sync_m365
from commsignal.store import open_db
from connectors.msgraph import mapping as mp
from connectors.msgraph.settings import GraphSettings

NOW = START + 15 * 86400
KEY = Pseudonymizer(b"documented-key")


def run(db: Database, fake: FakeGraph, **kw: Any) -> SyncReport:
    settings = GraphSettings(
        access_token="t",
        base_url=fake.base_url,
        now=NOW,
        retry_delay_s=0.0,
        transport_backoff_s=0.001,
        **kw,
    )
    return sync_m365(db, Ingestor(db, KEY, None), settings)


def expected_meeting_id(fake: FakeGraph, m: SimMeeting) -> str:
    """The id the connector gives a world meeting: calendar occurrence, or a p2p call's own id."""
    if m.call_type == "peerToPeer":
        return mp.occurrence_id(f"call:{fake.render._call_id(m)}", m.start)
    key = mp.meeting_key(fake.render._join_url(m))
    assert key is not None
    return mp.occurrence_id(key, m.start)


def person(ing: Ingestor, world: World, key: str) -> str:
    p = {x.key: x for x in world.people}.get(key)
    return ing.person_for("m365", p.graph_id if p is not None else key)


def expected_attendance(
    fake: FakeGraph, world: World, ing: Ingestor
) -> dict[tuple[str, str], tuple[int, int]]:
    """(meeting id, person id) -> (seconds, camera on) for everyone who attended anything."""
    out = {}
    for m in world.meetings:
        for a in m.attendance:
            seconds = sum(int(e - s) for s, e in a.intervals)
            out[(expected_meeting_id(fake, m), person(ing, world, a.person))] = (
                seconds,
                int(a.video),
            )
    return out


def stored_attendance(db: Database) -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (r["meeting_id"], r["person_id"]): (r["attended_seconds"], r["video_on"])
        for r in db.query("select * from attendance where attended_seconds > 0")
    }


def served_message_ids(world: World) -> set[str]:
    return {
        m.id for m in world.messages if m.platform == "teams" and m.subtype != "systemEventMessage"
    }


def orphans(db: Database) -> int:
    """Attendance rows whose meeting was never stored."""
    return int(
        db.execute(
            "select count(*) from attendance a left join meetings m "
            "on a.source = m.source and a.meeting_id = m.meeting_id where m.meeting_id is null"
        ).fetchone()[0]
    )


@pytest.fixture(scope="module")
def world() -> World:
    return documented_world()


@pytest.fixture(scope="module")
def synced(world: World) -> tuple[Database, SyncReport, FakeGraph]:
    db = open_db(None)
    with FakeGraph(world, replies_inline=10) as fake:
        report = run(db, fake)
    return db, report, fake


def test_everything_the_server_holds_is_stored(
    synced: tuple[Database, SyncReport, FakeGraph], world: World
) -> None:
    db, report, fake = synced
    ing = Ingestor(db, KEY, None)
    stored = {r["message_id"] for r in db.query("select message_id from messages")}
    assert stored == served_message_ids(world)  # the 25-reply thread too, past 10 inlined
    assert {f"17999999900{i:02d}" for i in range(1, 26)} <= stored
    assert stored_attendance(db) == expected_attendance(fake, world, ing)
    assert orphans(db) == 0
    assert db["accounts"].count == len(world.people)


def test_per_user_refusals_are_counted_and_the_rest_goes_on(
    synced: tuple[Database, SyncReport, FakeGraph],
) -> None:
    _, report, _ = synced
    assert report.skipped[("calendar", "no_mailbox")] == 1  # p3
    assert report.skipped[("calendar", "disabled")] == 1  # p5
    assert report.skipped[("mailbox", "no_mailbox")] == 1
    assert report.skipped[("chats", "no_teams_licence")] == 1  # p4
    assert report.user_refusals == sum(report.skipped.values())
    text = "\n".join(report.notices)
    assert (
        "calendar: 1 user skipped, no Exchange Online mailbox (MailboxNotEnabledForRESTAPI)" in text
    )
    assert "chat messages: 1 user skipped, no Teams licence" in text
    assert not any("skipped:" in n for n in report.notices), text  # no resource stopped


def test_camera_is_who_sent_video(
    synced: tuple[Database, SyncReport, FakeGraph], world: World
) -> None:
    db, _, fake = synced
    ing = Ingestor(db, KEY, None)
    rows = stored_attendance(db)
    call = next(m for m in world.meetings if m.id == "p2p0")
    mid = expected_meeting_id(fake, call)
    # a two-party call with video in it: only the side that sent video had the camera on
    assert rows[(mid, person(ing, world, "p7"))][1] == 1
    assert rows[(mid, person(ing, world, "p8"))][1] == 0
    hands = next(m for m in world.meetings if m.id == "allhands")
    mid = expected_meeting_id(fake, hands)
    on = {k for (m, k), (_, video) in rows.items() if m == mid and video}
    # the one camera sits past the 60 sessions a call record inlines
    assert on == {person(ing, world, hands.attendance[-1].person)}
    bases = {
        r["video_basis"]
        for r in db.query("select video_basis from attendance where attended_seconds > 0")
    }
    assert bases == {"streams"}


def test_rooms_externals_and_appointments(
    synced: tuple[Database, SyncReport, FakeGraph], world: World
) -> None:
    db, _, fake = synced
    ing = Ingestor(db, KEY, None)
    people_in_attendance = {r["person_id"] for r in db.query("select person_id from attendance")}
    for room in world.meetings[0].rooms:
        assert ing.person_for("m365", room) not in people_in_attendance
    guest = ing.person_for("m365", "guest@partner.test")
    mid = expected_meeting_id(fake, world.meetings[1])
    rows = list(db.query("select * from attendance where person_id = ?", [guest]))
    assert len(rows) == 1  # invited by email, reported by home-tenant id: one attendee
    assert rows[0]["meeting_id"] == mid and rows[0]["invited"] == 1
    assert rows[0]["attended_seconds"] > 0 and rows[0]["video_on"] == 1
    meetings = {r["meeting_id"] for r in db.query("select meeting_id from meetings")}
    expected = {expected_meeting_id(fake, m) for m in world.meetings if m.id != "appt0"}
    assert meetings == expected  # focus time is an appointment, not a meeting


def test_signins_attach_by_user_id_and_keep_the_device(
    synced: tuple[Database, SyncReport, FakeGraph], world: World
) -> None:
    db, _, _ = synced
    ing = Ingestor(db, KEY, None)
    p2 = world.person("p2")
    assert p2.upn and p2.upn != p2.email
    rows = list(db.query("select * from login_events where user = ?", [p2.upn]))
    assert rows and {r["person_id"] for r in rows} == {person(ing, world, "p2")}
    assert {r["account_id"] for r in rows} == {p2.graph_id}
    phantom = (
        "select count(*) from login_events where person_id not in (select person_id from people)"
    )
    assert db.execute(phantom).fetchone()[0] == 0
    assert db["people"].count == len(world.people)
    # the identity resolution every digest runs keeps the sign-ins with the user their id names
    from commsignal.sources.directory import refresh_identities

    refresh_identities(db, KEY)
    again = {
        r["person_id"] for r in db.query("select * from login_events where user = ?", [p2.upn])
    }
    assert again == {person(ing, world, "p2")}
    assert db.execute(phantom).fetchone()[0] == 0 and db["people"].count == len(world.people)
    shared = list(
        db.query(
            "select distinct person_id, device_id, host, device from login_events where device_id is not null"
        )
    )
    assert {r["person_id"] for r in shared} == {person(ing, world, "p6"), person(ing, world, "p7")}
    assert {(r["device_id"], r["host"]) for r in shared} == {
        ("4c0f7e1a-6d2b-4f3a-9e8c-1b2d3c4e5f60", "LAPTOP-7QK2M")
    }
    assert {r["device"] for r in shared} == {"Windows 11 / Chrome"}  # the client label stays apart


def test_faults_with_dropped_connections_store_exactly_what_the_server_holds(
    synced: tuple[Database, SyncReport, FakeGraph], world: World
) -> None:
    clean, _, _ = synced
    db = open_db(None)
    faults = Faults(
        fault_rate=0.2, seed=4, statuses=(429, 503, 504, DROP, RESET), retry_after=(0, 0, 1)
    )
    with FakeGraph(world, faults=faults, replies_inline=10) as fake:
        report = run(db, fake)
        served = fake.faults_served
    assert served >= 30 and report.transport_retries >= 5
    assert not any("skipped:" in n for n in report.notices), report.notices
    for table, cols in {
        "messages": "message_id",
        "meetings": "meeting_id, start_ts, end_ts",
        "attendance": "meeting_id, person_id, invited, response, attended_seconds, video_on",
        "login_events": "event_id, person_id, device_id",
        "accounts": "account_id, person_id, email, tz",
    }.items():
        q = f"select {cols} from {table} order by {cols}"
        assert list(db.query(q)) == list(clean.query(q)), table


def test_a_connection_that_keeps_dropping_stops_one_resource_with_a_clear_notice(
    world: World,
) -> None:
    db = open_db(None)
    always = ScriptedFault("/auditLogs/signIns", DROP, "", "")
    with FakeGraph(world, faults=Faults(scripted=[always])) as fake:
        report = run(db, fake, transport_retries=3)
        hits = fake.requests["/v1.0/auditLogs/signIns"]
    assert hits == 4  # the first try and three retries
    stopped = [n for n in report.notices if "skipped:" in n]
    assert len(stopped) == 1 and stopped[0].startswith("sign-ins skipped")
    notice = stopped[0]
    assert "connection to Graph kept failing (RemoteProtocolError" in notice
    assert "after 3 retries" in notice and "resumes from its cursor" in notice
    assert db["login_events"].count == 0
    assert db["meetings"].count > 0 and db["messages"].count > 0  # the other resources went on


def test_a_calendar_step_that_fails_leaves_nothing_pointing_at_unstored_meetings(
    world: World,
) -> None:
    db = open_db(None)
    p9 = world.person("p9")
    refuse = ScriptedFault(
        f"/users/{p9.graph_id}/calendarView", 500, "InternalServerError", "Something broke."
    )
    with FakeGraph(world, faults=Faults(scripted=[refuse]), latency_s=0.002) as fake:
        report = run(db, fake, resources=("users", "calendar", "callrecords", "attendance"))
    assert any(n.startswith("calendar skipped") for n in report.notices), report.notices
    assert (
        db.execute("select count(*) from attendance where attended_seconds > 0").fetchone()[0] > 0
    )
    assert orphans(db) == 0


def test_chat_filter_uses_the_documented_operators(world: World) -> None:
    with FakeGraph(world) as fake:
        uid = world.person("p1").graph_id
        url = f"{fake.base_url}/v1.0/users/{uid}/chats/getAllMessages"
        ge = httpx.get(url, params={"$filter": "lastModifiedDateTime ge 2026-11-01T00:00:00Z"})
        gt = httpx.get(url, params={"$filter": "lastModifiedDateTime gt 2026-11-01T00:00:00Z"})
        assert ge.status_code == 400 and gt.status_code == 200
        db = open_db(None)
        report = run(db, fake, resources=("users", "chats"))
    assert not any(n.startswith("chat messages skipped") for n in report.notices), report.notices
    assert db["messages"].count > 0


def test_without_media_detail_modalities_decide_and_the_evidence_says_so(world: World) -> None:
    from commsignal.analysis.participation import participation_features
    from commsignal.detect.checks import camera_avoidance

    db = open_db(None)
    with FakeGraph(world, media_detail=False) as fake:
        run(db, fake, resources=("users", "calendar", "callrecords"))
    ing = Ingestor(db, KEY, None)
    call = next(m for m in world.meetings if m.id == "p2p0")
    mid = expected_meeting_id(fake, call)
    rows = {
        r["person_id"]: (r["video_on"], r["video_basis"])
        for r in db.query("select * from attendance where meeting_id = ?", [mid])
    }
    # video was in the session; who sent it is unknown, so both count as on, marked ambiguous
    assert rows == {
        person(ing, world, "p7"): (1, "modalities"),
        person(ing, world, "p8"): (1, "modalities"),
    }
    features = participation_features(db, call.start - 1, call.start + 1)
    assert features[person(ing, world, "p8")]["video_on_ambiguous"] == 1
    f = {"video_known": 12, "video_on_share": 0.1, "video_on_ambiguous": 1}
    result = camera_avoidance(f, {"score": 0.3, "min_meetings": 10, "max_share": 0.2})
    assert result is not None
    assert result.evidence["camera_on_from_session_modalities"] == 1
    assert "not who sent it" in result.summary


def test_a_read_timeout_is_retried(world: World) -> None:
    db = open_db(None)
    stall = ScriptedFault("/auditLogs/signIns", STALL, "", "", times=2)
    with FakeGraph(world, faults=Faults(scripted=[stall], stall_s=1.0)) as fake:
        report = run(db, fake, resources=("users", "signins"), timeout_s=0.3)
        hits = fake.requests["/v1.0/auditLogs/signIns"]
    assert report.transport_retries >= 2
    assert not any("skipped:" in n for n in report.notices), report.notices
    assert hits >= 3 and db["login_events"].count == len(world.logins)


def test_sessions_past_the_first_page_get_their_segments_listed(world: World) -> None:
    db = open_db(None)
    with FakeGraph(world, sessions_link_expand=False) as fake:
        run(db, fake, resources=("users", "calendar", "callrecords", "attendance"))
        listed = sum(n for path, n in fake.requests.items() if path.endswith("/segments"))
    hands = next(m for m in world.meetings if m.id == "allhands")
    assert listed == sum(len(a.intervals) for a in hands.attendance) - 60
    ing = Ingestor(db, KEY, None)
    mid = expected_meeting_id(fake, hands)
    on = {
        r["person_id"]
        for r in db.query("select * from attendance where meeting_id = ? and video_on = 1", [mid])
    }
    assert on == {person(ing, world, hands.attendance[-1].person)}


def test_when_attendance_reports_fail_call_records_fill_in(world: World) -> None:
    db = open_db(None)
    with FakeGraph(world) as fake:
        # reports are read one meeting at a time in join-URL order: fail the last one, after
        # the others were read but before their rows were committed
        online = [m for m in world.meetings if m.is_online and m.call_type != "peerToPeer"]
        last = max(online, key=fake.render._join_url)
        fake.faults.scripted.append(
            ScriptedFault(f"MSo{last.id}/attendanceReports", 500, "InternalServerError", "Broke.")
        )
        report = run(
            db, fake, resources=("users", "calendar", "callrecords", "attendance"), concurrency=1
        )
    assert any(n.startswith("attendance skipped") for n in report.notices), report.notices
    # reports read but never committed must not stop call records from covering their meetings
    assert stored_attendance(db) == expected_attendance(fake, world, Ingestor(db, KEY, None))
    assert orphans(db) == 0


def test_graph_users_fill_the_directory_with_their_aliases(
    synced: tuple[Database, SyncReport, FakeGraph], world: World
) -> None:
    """The sync's users become the directory's "m365" entries: UPN and object id are aliases."""
    db, _, _ = synced
    rows = {r["email"]: r for r in db.query("select * from directory where origin = 'm365'")}
    p2 = world.person("p2")
    assert p2.email.lower() in rows
    aliases = {a.lower() for a in json.loads(rows[p2.email.lower()]["aliases"])}
    assert p2.upn and p2.upn.lower() in aliases and p2.graph_id.lower() in aliases
    users = db.execute(
        "select count(*) from accounts where source = 'm365' and kind = 'platform' and is_bot = 0 "
        "and email is not null"
    ).fetchone()[0]
    assert len(rows) == users
    # a disabled user stays in the directory (their aliases still name old logins), marked so
    disabled = {e for e, r in rows.items() if r["disabled"]}
    assert disabled == {world.person("p5").email.lower()}
