"""OCSF findings to a webhook and to Splunk's HTTP Event Collector, against the loopback fake of test_deliver."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_deliver import (  # the loopback fake server and the realistic digest of the delivery tests
    SENTINEL,
    FakeHttpState,
    _config,
    _result,
    _sent,
    http,
)

from commsignal.config import ConfigError
from commsignal.deliver.run import deliver_digest

__all__ = ["http"]  # the fixture, imported for pytest

HEC_TOKEN = "hec-good-token"
HOOK_KEY = "hook-key-98765"


def _siem_toml(base: str, hook: str = "ok", batch: int = 500) -> str:
    return (
        f'[deliver.webhook]\nenabled = true\nurl = "{base}/hook/{hook}"\nsecret_header = "X-Api-Key"\n'
        f'secret = {{ env = "T_HOOK" }}\nbatch_size = {batch}\ntimeout_seconds = 5\n'
        f'[deliver.splunk]\nenabled = true\nurl = "{base}"\ntoken = {{ env = "T_HEC" }}\n'
        f'index = "insider_risk"\nbatch_size = {batch}\ntimeout_seconds = 5\n'
    )


@pytest.fixture(autouse=True)
def _siem_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_HOOK", HOOK_KEY)
    monkeypatch.setenv("T_HEC", HEC_TOKEN)


def test_webhook_and_splunk_get_the_ocsf_findings(
    tmp_path: Path, http: tuple[str, FakeHttpState]
) -> None:
    base, state = http
    outcomes = deliver_digest(*_sent(_result(reveal=True)), _config(tmp_path, _siem_toml(base)))
    assert [(o.target, o.ok) for o in outcomes] == [("webhook", True), ("splunk", True)], outcomes
    hook, hec = state.seen
    assert hook.path == "/hook/ok" and hook.headers["X-Api-Key"] == HOOK_KEY
    assert hook.headers["Content-Type"] == "application/json"
    events = hook.body["items"]
    assert len(events) == 3  # one per finding of the two people
    assert {e["class_uid"] for e in events} == {2004}
    assert {e["evidences"][0]["user"]["uid"] for e in events} == {
        "p-aaaa11112222",
        "p-bbbb33334444",
    }
    assert hec.path == "/services/collector/event"
    assert hec.headers["Authorization"] == f"Splunk {HEC_TOKEN}"
    envelopes = hec.body["events"]
    assert len(envelopes) == 3
    for env in envelopes:
        assert env["index"] == "insider_risk" and env["sourcetype"] == "ocsf:detection_finding"
        assert env["event"]["class_uid"] == 2004
        assert env["time"] == pytest.approx(env["event"]["time"] / 1000)
    sent = json.dumps([hook.body, hec.body])
    for secret in (SENTINEL, "Ann Lee", "Bo Kim", "ann@example.com"):
        assert secret not in sent
    for o in outcomes:
        assert HEC_TOKEN not in o.line() and HOOK_KEY not in o.line()


def test_refusals_are_reported_without_secrets(
    tmp_path: Path, http: tuple[str, FakeHttpState], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, _ = http
    monkeypatch.setenv("T_HEC", "wrong-token")
    outcomes = {
        o.target: o
        for o in deliver_digest(*_sent(_result()), _config(tmp_path, _siem_toml(base, "denied")))
    }
    hook, hec = outcomes["webhook"], outcomes["splunk"]
    assert not hook.ok and "HTTP 401" in hook.detail and "Fix:" in hook.detail
    assert not hec.ok and "HTTP 403" in hec.detail and "Invalid token" in hec.detail
    assert "wrong-token" not in hec.detail and HOOK_KEY not in hook.detail


def test_batches(tmp_path: Path, http: tuple[str, FakeHttpState]) -> None:
    base, state = http
    outcomes = deliver_digest(*_sent(_result()), _config(tmp_path, _siem_toml(base, batch=2)))
    assert all(o.ok for o in outcomes) and "2 request(s)" in outcomes[0].detail
    assert [len(s.body.get("items", s.body.get("events", []))) for s in state.seen] == [2, 1, 2, 1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[deliver.webhook]\nurl = "http://siem.example.com/hook"\n', "plain http"),
        ('[deliver.splunk]\nenabled = true\nurl = "https://splunk.example.com:8088"\n', "token"),
        ('[deliver.webhook]\nsecret = "inline-key"\n', "never written inline"),
        ("[deliver.webhook]\nenabled = true\n", "needs url"),
    ],
)
def test_siem_config_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as err:
        _config(tmp_path, text)
    assert message in str(err.value) and "inline-key" not in str(err.value)
