"""The fake Graph server itself: absolute paging links, empty pages that link on, faults, counts."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from commsignal.demo.fake_graph import DROP, RESET, FakeGraph, Faults, ScriptedFault
from commsignal.demo.fake_graph_world import documented_world, sample_world
from commsignal.demo.world import World


@pytest.fixture(scope="module")
def world() -> World:
    return sample_world(n_people=12, n_messages=120, n_meetings=6)


@pytest.fixture
def fake(world: World) -> Iterator[FakeGraph]:
    with FakeGraph(world) as f:
        yield f


def test_users_paging_uses_absolute_links_and_empty_pages(fake: FakeGraph, world: World) -> None:
    url: str | None = f"{fake.base_url}/v1.0/users?$top=3"
    ids: list[str] = []
    empty_with_link = 0
    while url:
        body = httpx.get(url).json()
        ids.extend(u["id"] for u in body["value"])
        url = body.get("@odata.nextLink")
        if url is not None:
            assert url.startswith(fake.base_url + "/v1.0/users?")
            if not body["value"]:
                empty_with_link += 1
    assert sorted(ids) == sorted(p.graph_id for p in world.people)
    assert empty_with_link >= 1
    assert fake.requests["/v1.0/users"] == 4 + empty_with_link


def test_select_limits_fields(fake: FakeGraph) -> None:
    body = httpx.get(f"{fake.base_url}/v1.0/users?$select=displayName").json()
    assert set(body["value"][0]) == {"id", "displayName"}


def test_scripted_errors_have_graph_error_bodies(world: World) -> None:
    faults = Faults(
        scripted=[
            Faults.denied("/users"),
            Faults.no_premium(),
            Faults.long_throttle("/communications"),
        ]
    )
    with FakeGraph(world, faults=faults) as f:
        denied = httpx.get(f"{f.base_url}/v1.0/users")
        premium = httpx.get(f"{f.base_url}/v1.0/auditLogs/signIns")
        throttled = httpx.get(f"{f.base_url}/v1.0/communications/callRecords")
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == "Authorization_RequestDenied"
    assert "Insufficient privileges" in denied.json()["error"]["message"]
    assert premium.status_code == 403 and "premium license" in premium.json()["error"]["message"]
    assert throttled.status_code == 429 and throttled.headers["Retry-After"] == "600"


def test_random_faults_are_seeded_and_bounded(world: World) -> None:
    statuses: list[int] = []
    with FakeGraph(world, faults=Faults(fault_rate=0.5, seed=3, retry_after=(1,))) as f:
        for _ in range(40):
            r = httpx.get(f"{f.base_url}/v1.0/teams")
            statuses.append(r.status_code)
            if r.status_code != 200:
                assert r.headers["Retry-After"] == "1"
    assert {429, 503} & set(statuses) and 200 in statuses
    # never more than max_consecutive (2) faults in a row for one URL, so retries always get through
    assert "429,429,429" not in ",".join(map(str, statuses)).replace("503", "429")


def test_delta_rounds_report_changes_and_removals(fake: FakeGraph, world: World) -> None:
    chan = next(c for c in world.channels if c.kind == "channel")
    url = f"{fake.base_url}/v1.0/teams/{chan.team_id}/channels/{chan.id}/messages/delta?$expand=replies"
    first: list[dict[str, object]] = []
    link: str | None = url
    delta_link = ""
    while link:
        body = httpx.get(link).json()
        first.extend(body["value"])
        link = body.get("@odata.nextLink")
        delta_link = body.get("@odata.deltaLink", delta_link)
    assert first and delta_link.startswith(fake.base_url)
    assert httpx.get(delta_link).json()["value"] == []  # nothing changed since
    root = str(first[0]["id"])
    fake.remove_message(root, now=world.start + 99)
    changed = httpx.get(delta_link).json()["value"]
    assert changed == [{"id": root, "@removed": {"reason": "deleted"}}]


def test_unknown_route_is_404(fake: FakeGraph) -> None:
    r = httpx.get(f"{fake.base_url}/v1.0/nope")
    assert r.status_code == 404 and r.json()["error"]["code"] == "NotFound"


def test_drop_and_reset_close_the_connection_without_an_answer(world: World) -> None:
    faults = Faults(
        scripted=[
            ScriptedFault("/teams", DROP, "", "", times=1),
            ScriptedFault("/users", RESET, "", "", times=1),
        ]
    )
    with FakeGraph(world, faults=faults) as f:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            httpx.get(f"{f.base_url}/v1.0/teams")
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            httpx.get(f"{f.base_url}/v1.0/users")
        assert httpx.get(f"{f.base_url}/v1.0/teams").status_code == 200  # then it answers


def test_documented_per_user_refusals() -> None:
    w = documented_world()
    with FakeGraph(w) as f:

        def get(key: str, tail: str) -> httpx.Response:
            return httpx.get(f"{f.base_url}/v1.0/users/{w.person(key).graph_id}/{tail}")

        no_mailbox = get("p3", "calendarView?startDateTime=2026-11-01T00:00:00Z")
        inactive = get("p5", "mailboxSettings")
        unlicensed = get("p4", "chats/getAllMessages")
    assert no_mailbox.status_code == 404
    assert no_mailbox.json()["error"]["code"] == "MailboxNotEnabledForRESTAPI"
    assert "inactive" in inactive.json()["error"]["message"]
    assert unlicensed.status_code == 403
    assert "license information" in unlicensed.json()["error"]["message"]


def test_nested_collections_link_to_their_rest() -> None:
    w = documented_world()
    chan = next(c for c in w.channels if c.kind == "channel")
    hands = next(m for m in w.meetings if m.id == "allhands")
    with FakeGraph(w, replies_inline=10) as f:
        url: str | None = (
            f"{f.base_url}/v1.0/teams/{chan.team_id}/channels/{chan.id}/messages/delta?$expand=replies"
        )
        post: dict[str, object] = {}
        while url and not post:
            body = httpx.get(url).json()
            post = next((m for m in body["value"] if m["id"] == "1799999990000"), {})
            url = body.get("@odata.nextLink")
        assert len(post["replies"]) == 10  # type: ignore[arg-type]
        rest: list[object] = []
        link = post["replies@odata.nextLink"]
        while link:
            body = httpx.get(str(link)).json()
            rest.extend(body["value"])
            link = body.get("@odata.nextLink")
        assert len(rest) == 15
        rec = httpx.get(
            f"{f.base_url}/v1.0/communications/callRecords/{f.render._call_id(hands)}",
            params={"$expand": "sessions($expand=segments)"},
        ).json()
        assert len(rec["sessions"]) == 60 and "sessions@odata.nextLink" in rec
        total = len(rec["sessions"])
        link = rec["sessions@odata.nextLink"]
        while link:
            body = httpx.get(str(link)).json()
            total += len(body["value"])
            link = body.get("@odata.nextLink")
        assert total == sum(len(a.intervals) for a in hands.attendance) == 72
