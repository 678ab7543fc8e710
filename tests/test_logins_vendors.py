"""Okta, Entra and Slack login logs: the public vendor examples import, and their oddities are handled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from commsignal.analysis.sessions import rebuild_sessions
from commsignal.models import LoginEvent, Quarantined
from connectors.logins import NaiveTimestampError, ParseOptions, parse_file

UTC_OPTS = ParseOptions(timezone="UTC")


def _split(out: list[LoginEvent | Quarantined]) -> tuple[list[LoginEvent], list[Quarantined]]:
    return [e for e in out if isinstance(e, LoginEvent)], [
        q for q in out if isinstance(q, Quarantined)
    ]


@pytest.fixture
def panther(shared_data: Path) -> Path:
    return shared_data / "logins" / "panther_session_fixtures.json"


def test_panther_okta_sessions(panther: Path) -> None:
    events, bad = _split(list(parse_file("okta", panther, UTC_OPTS)))
    # 21 okta fixtures: 5 with 'redacted'/no published quarantined; the 3 user.authentication.sso
    # fixtures are sign-ins now, but Panther stripped their actor or time, so they are quarantined
    assert len(events) == 13 and len(bad) == 8
    assert {q.reason for q in bad} == {
        "bad timestamp 'redacted'",
        "missing timestamp",
        "missing actor",
    }
    sso = [q for q in bad if "user.authentication.sso" in q.raw]
    assert len(sso) == 3
    casey = [e for e in events if e.user == "casey.hill@hey.com"]
    assert [e.success for e in casey] == [True, False]
    assert casey[0].session_key == "idxvF50v_5sT2-GOA7_K0Amyw"
    assert (casey[0].ip, casey[0].country, casey[0].city) == (
        "99.108.5.25",
        "United States",
        "Atlanta",
    )
    assert casey[0].ts == 1712085457.621  # 2024-04-02 19:17:37.621 UTC (nanoseconds cut)
    # the same fixture repeated by several Panther tests collapses to one stored event
    assert len({e.event_id for e in events}) < len(events)


def test_panther_azure_signins(panther: Path) -> None:
    events, bad = _split(list(parse_file("entra", panther, UTC_OPTS)))
    assert len(events) == 18 and not bad
    assert all(e.event == "signin" for e in events)
    boromir = next(e for e in events if e.user == "boromir@lotr.com")
    assert (boromir.success, boromir.country, boromir.client_app) == (
        False,
        "RU",
        "Microsoft Office",
    )
    gandalf = next(e for e in events if e.session_key == "session-abc-123")
    assert gandalf.user == "gandalf@lotr.com" and gandalf.interactive is True
    # sign-ins are evidence, never sessions by themselves
    assert rebuild_sessions(events) == []


def test_graph_signins_list(shared_data: Path) -> None:
    [ev] = parse_file("entra", shared_data / "msgraph" / "signins_list.json")
    assert isinstance(ev, LoginEvent)
    assert (ev.user, ev.ip, ev.country, ev.city) == (
        "testaccount1@contoso.com",
        "131.107.159.37",
        "US",
        "Redmond",
    )
    assert ev.ts == pytest.approx(1584126941.619583)


def test_slack_audit_and_access_logs(shared_data: Path, panther: Path) -> None:
    sdk = shared_data / "slack" / "python_slack_sdk_fixtures" / "audit_logs_v1_logs_user_login.json"
    events, bad = _split(list(parse_file("slack-audit", sdk)))
    assert not bad and [e.event for e in events] == ["logon", "logon"]
    assert events[0].session_key == "1656410836837" and events[0].ts == 1611221649.0
    assert events[0].user == "foo@example.com"

    access, bad = _split(
        list(
            parse_file(
                "slack-audit", shared_data / "slack" / "openapi_examples" / "team.accessLogs.json"
            )
        )
    )
    assert not bad and [(e.user, e.event, e.country) for e in access] == [
        ("alice", "signin", "US"),
        ("white_rabbit", "signin", "US"),
    ]

    events, bad = _split(list(parse_file("slack-audit", panther, UTC_OPTS)))
    # user_logout is kept; admin session resets/invalidations are other people's actions, skipped
    assert [e.event for e in events] == ["logoff"] and not bad


def test_vendor_naive_timestamp_needs_a_zone(panther: Path) -> None:
    with pytest.raises(NaiveTimestampError, match=r"\[logins\] timezone"):
        list(parse_file("okta", panther))


def test_okta_start_and_end_pair_by_external_session_id(tmp_path: Path) -> None:
    def rec(kind: str, ts: str, ip: str) -> dict[str, object]:
        return {
            "uuid": kind + ts,
            "eventType": kind,
            "published": ts,
            "actor": {"alternateId": "ann@corp.com"},
            "authenticationContext": {"externalSessionId": "idxA"},
            "client": {"ipAddress": ip, "geographicalContext": {"country": "Germany"}},
            "outcome": {"result": "SUCCESS"},
        }

    path = tmp_path / "okta.json"
    path.write_text(
        json.dumps(
            [
                rec("user.session.start", "2024-05-01T08:00:00.000Z", "1.1.1.1"),
                rec("user.session.end", "2024-05-01T16:30:00.000Z", "1.1.1.1"),
            ]
        )
    )
    [s] = rebuild_sessions([e for e in parse_file("okta", path) if isinstance(e, LoginEvent)])
    assert (s.end_reason, s.duration_seconds, s.countries) == ("logoff", 8.5 * 3600, ["Germany"])
