"""The loopback fake Slack speaks Slack's shapes: cursor paging over GET and POST, errors, faults."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from slack_sdk import WebClient

from commsignal.demo.fake_slack import FakeSlack, Faults, sample_world
from commsignal.demo.world import World

TOKEN = "xoxb-fake-token"


@pytest.fixture(scope="module")
def world() -> World:
    return sample_world(600, seed=1)


def call(fake: FakeSlack, method: str, verb: str, **params: Any) -> dict[str, Any]:
    """One raw HTTP call, params in the query string (GET) or a form body (POST)."""
    query = urllib.parse.urlencode(params)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if verb == "GET":
        req = urllib.request.Request(f"{fake.base_url}{method}?{query}", headers=headers)
    else:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        req = urllib.request.Request(
            f"{fake.base_url}{method}", data=query.encode(), headers=headers
        )
    with urllib.request.urlopen(req, timeout=5) as resp:
        return dict(json.load(resp))


def page_all(
    fake: FakeSlack, method: str, key: str, verb: str, **params: Any
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(1000):
        body = call(fake, method, verb, **params, **({"cursor": cursor} if cursor else {}))
        assert body["ok"], body
        out.extend(body[key])
        cursor = body["response_metadata"]["next_cursor"]
        if not cursor:
            return out
    raise AssertionError("paging never ended")


@pytest.mark.parametrize("verb", ["GET", "POST"])
def test_cursor_paging_of_every_list(world: World, verb: str) -> None:
    with FakeSlack(world) as fake:
        users = page_all(fake, "users.list", "members", verb, limit=4)
        assert (
            len(users) == len({u["id"] for u in users}) == 11 + 1 + 1
        )  # people on Slack, Slackbot, bot
        assert {"USLACKBOT", "U0BOT0001"} <= {u["id"] for u in users}
        chans = page_all(
            fake,
            "conversations.list",
            "channels",
            verb,
            limit=2,
            types="public_channel,private_channel,mpim,im",
        )
        assert [c["id"] for c in chans] == list(fake.channels)  # the Teams channel is not served
        assert (
            page_all(fake, "conversations.list", "channels", verb)[0]["id"] == "C00000001"
        )  # public default
        for cid, ch in fake.channels.items():
            hist = page_all(fake, "conversations.history", "messages", verb, channel=cid, limit=7)
            assert [m["ts"] for m in hist] == [
                d["ts"] for d in reversed(ch.top)
            ]  # newest first, complete
            for parent in (m for m in hist if m.get("reply_count")):
                thread = page_all(
                    fake,
                    "conversations.replies",
                    "messages",
                    verb,
                    channel=cid,
                    ts=parent["ts"],
                    limit=3,
                )
                assert thread[0]["ts"] == parent["ts"]
                assert [r["ts"] for r in thread[1:]] == [
                    r["ts"] for r in fake.replies[(cid, parent["ts"])]
                ]
                assert (
                    parent["reply_count"] == len(thread) - 1
                    and parent["latest_reply"] == thread[-1]["ts"]
                )


def test_history_bounds_follow_slack(world: World) -> None:
    with FakeSlack(world) as fake:
        top = fake.channels["C00000001"].top
        lo, hi = top[3]["ts"], top[9]["ts"]
        excl = call(fake, "conversations.history", "GET", channel="C00000001", oldest=lo, latest=hi)
        incl = call(
            fake,
            "conversations.history",
            "GET",
            channel="C00000001",
            oldest=lo,
            latest=hi,
            inclusive=1,
        )
        assert [m["ts"] for m in excl["messages"]] == [d["ts"] for d in reversed(top[4:9])]
        assert [m["ts"] for m in incl["messages"]] == [d["ts"] for d in reversed(top[3:10])]
        assert excl["has_more"] is False


def test_the_real_sdk_client_pages_through_the_fake(world: World) -> None:
    with FakeSlack(world) as fake:
        client = WebClient(token=TOKEN, base_url=fake.base_url)
        n = sum(
            len(page["messages"])
            for page in client.conversations_history(channel="C00000002", limit=10)
        )
        assert n == len(fake.channels["C00000002"].top)
        assert fake.requests["conversations.history"] == -(-n // 10)


def test_scripted_errors_have_slacks_shape(world: World) -> None:
    with FakeSlack(
        world,
        scopes=frozenset({"users:read"}),
        not_in_channel=frozenset({"C00000001"}),
        paid_only=True,
    ) as fake:
        body = call(fake, "conversations.history", "POST", channel="C00000002")
        assert body == {
            "ok": False,
            "error": "missing_scope",
            "needed": "channels:history",
            "provided": "users:read",
        }
        users = call(fake, "users.list", "GET")["members"]
        assert all("email" not in u["profile"] for u in users)  # no users:read.email scope
    with FakeSlack(world, not_in_channel=frozenset({"C00000001"}), paid_only=True) as fake:
        assert (
            call(fake, "conversations.history", "GET", channel="C00000001")["error"]
            == "not_in_channel"
        )
        assert call(fake, "team.accessLogs", "GET")["error"] == "paid_only"
        req = urllib.request.Request(
            fake.base_url + "auth.test", data=b"", headers={"Authorization": "Bearer nope"}
        )
        with urllib.request.urlopen(req, timeout=5) as resp:
            assert json.load(resp) == {"ok": False, "error": "invalid_auth"}


def test_faults_are_seeded_and_counted(world: World) -> None:
    seen = []
    for _ in range(2):
        with FakeSlack(
            world, faults=Faults(fault_rate=0.5, seed=9, kinds=("500", "429"), retry_after=1)
        ) as fake:
            statuses = []
            for _ in range(40):
                try:
                    call(fake, "auth.test", "POST")
                    statuses.append(200)
                except urllib.error.HTTPError as err:
                    statuses.append(err.code)
                    if err.code == 429:
                        assert err.headers["Retry-After"] == "1"
            seen.append(statuses)
            assert fake.requests["auth.test"] == 40
            assert sum(fake.faults_injected.values()) == sum(s != 200 for s in statuses)
    assert seen[0] == seen[1] and {200, 429, 500} == set(seen[0])


def test_dropped_connection_closes_without_a_response(world: World) -> None:
    with (
        FakeSlack(world, faults=Faults(fault_rate=1.0, kinds=("drop",))) as fake,
        pytest.raises((urllib.error.URLError, ConnectionError, OSError)),
    ):
        call(fake, "auth.test", "GET")


def test_audit_logs_endpoint(world: World) -> None:
    with FakeSlack(world) as fake:
        req = urllib.request.Request(
            fake.audit_base_url + "logs?action=user_logout&limit=2",
            headers={"Authorization": f"Bearer {fake.audit_token}"},
        )
        with urllib.request.urlopen(req, timeout=5) as resp:
            body = json.load(resp)
        assert len(body["entries"]) == 2 and body["response_metadata"]["next_cursor"]
        assert {e["action"] for e in body["entries"]} == {"user_logout"}
        assert body["entries"][0]["date_create"] >= body["entries"][1]["date_create"]
