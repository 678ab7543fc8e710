"""Through the fake Graph and Slack servers: rooms, shared mailboxes, bots and leavers never reach the digest's people."""

from __future__ import annotations

from pathlib import Path

from commsignal.config import Config
from commsignal.config.identity import IdentityConfig
from commsignal.demo.fake_graph import FakeGraph
from commsignal.demo.fake_graph_world import START, sample_world
from commsignal.demo.fake_slack import FakeSlack
from commsignal.demo.sim_directory import book_rooms, directory_extras
from commsignal.ingest import Ingestor
from commsignal.pipeline import run_digest
from commsignal.privacy import Pseudonymizer
from commsignal.sources.directory import refresh_after_import
from commsignal.sources.m365 import sync_m365
from commsignal.sources.slack import sync_slack
from commsignal.store import open_db
from commsignal.weeks import week_of
from connectors.msgraph.settings import GraphSettings
from connectors.slack import SlackSettings

KEY = Pseudonymizer(b"kinds-e2e-key")
WEEK = week_of(START + 3 * 86400, "UTC")
NOT_PEOPLE = {
    "room-hudson@contoso.test",
    "room-thames@contoso.test",
    "room-spree@contoso.test",
    "projector-2@contoso.test",
    "payroll@contoso.test",
    "dana.leaver@contoso.test",
}


def _synced(tmp_path: Path, identity: IdentityConfig | None = None) -> dict:
    world = sample_world(n_people=12, n_messages=300, n_meetings=20, seed=5)
    world.directory_extras = directory_extras(5, "contoso.test")
    book_rooms(5, world.meetings, world.directory_extras)
    assert any(m.rooms for m in world.meetings)
    db = open_db(tmp_path / "store.db")
    ingestor = Ingestor(db, KEY, None)
    with FakeGraph(world) as graph, FakeSlack(world, token="xoxb-kinds") as slack:
        gs = GraphSettings(
            access_token="tok", base_url=graph.base_url, now=START + 15 * 86400, retry_delay_s=0
        )
        report = sync_m365(db, ingestor, gs)
        assert report.items["users"] == 12 + 7  # staff, 3 rooms, projector, shared, leaver, guest
        ss = SlackSettings(token="xoxb-kinds", base_url=slack.base_url, retry_sleep_scale=0)
        sync_slack(db, ingestor, ss)
    refresh_after_import(ingestor)
    config = Config(identity=identity or IdentityConfig())
    out = tmp_path / "digest"
    return run_digest(db, config, WEEK, KEY, out, ["json", "md"], deliver=False).digest


def test_directory_extras_are_not_people_and_are_counted(tmp_path: Path) -> None:
    digest = _synced(tmp_path)
    db = open_db(tmp_path / "store.db")
    kinds = {r["email"]: r["kind"] for r in db.query("select email, kind from people")}
    assert kinds["room-hudson@contoso.test"] == "room"
    assert kinds["projector-2@contoso.test"] == "equipment"
    assert kinds["payroll@contoso.test"] == "shared"
    assert kinds["ola@partner.example"] == "guest"
    assert kinds["sam@contractor.example"] == "guest"  # Slack single-channel guest
    assert kinds["kim@vendor.example"] == "guest"  # Slack Connect
    assert kinds["person1@contoso.test"] == "person"
    # Slackbot never became a person at all
    assert not list(db.query("select 1 from people where display_name = 'Slackbot'"))
    scored = {
        r["email"]
        for r in db.query(
            "select p.email from person_weeks w join people p using (person_id) where w.week = ?",
            [WEEK],
        )
    }
    assert scored and not scored & NOT_PEOPLE
    assert {f"person{i}@contoso.test" for i in range(12)} & scored
    listed = {p["person"] for p in digest["people"]}
    assert not listed & {KEY.for_email(e) for e in NOT_PEOPLE}
    people = digest["coverage"]["people"]
    assert people["excluded"]["room"] == 3 and people["excluded"]["equipment"] == 1
    assert people["excluded"]["shared"] == 1
    assert people["excluded"]["disabled_no_activity"] == 1  # the leaver
    assert people["scored"] == len(scored)
    md = next((tmp_path / "digest").glob("*.md")).read_text()
    assert "3 room mailboxes" in md and "1 shared mailboxes" in md


def test_exclude_override_takes_an_active_person_out(tmp_path: Path) -> None:
    digest = _synced(tmp_path, IdentityConfig(exclude=["person3@contoso.test"]))
    db = open_db(tmp_path / "store.db")
    scored = {r["person_id"] for r in db.query("select person_id from person_weeks")}
    assert KEY.for_email("person3@contoso.test") not in scored
    assert KEY.for_email("person4@contoso.test") in scored
    assert digest["coverage"]["people"]["excluded"]["excluded"] == 1
