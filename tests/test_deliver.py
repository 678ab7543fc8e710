"""Delivery by email, Slack and Teams against loopback fakes: what is sent, to whom, and failures reported."""

from __future__ import annotations

import email
import email.policy
import json
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from commsignal.cli import cli
from commsignal.config import Config, ConfigError, load_config
from commsignal.deliver.alerts import ManagerAlert, ReportChange
from commsignal.deliver.run import deliver_digest
from commsignal.detect import PersonRisk
from commsignal.digest import build_digest
from commsignal.models import Finding
from commsignal.pipeline import DigestResult
from commsignal.store import open_db

WEEK = "2026-W47"
SENTINEL = "SENTINEL-zebra-quartz-4711"
TOKEN = "xoxb-test-secret-token-1234"
PASSWORD = "smtp-secret-pw-5678"


# --- a tiny SMTP server: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT -------------------------


@dataclass
class Captured:
    """One message the fake SMTP server accepted."""

    sender: str
    recipients: list[str]
    message: EmailMessage


class _SmtpHandler(socketserver.StreamRequestHandler):
    def _say(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self) -> None:
        server: FakeSmtp = self.server  # type: ignore[assignment]
        self._say("220 fake.smtp ESMTP ready")
        sender, rcpts = "", []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            arg = line[len(verb) :].strip()
            if verb in ("EHLO", "HELO"):
                self._say("250-fake.smtp\r\n250-8BITMIME\r\n250 SIZE 10000000")
            elif verb == "MAIL":
                sender, rcpts = arg.split(":", 1)[1].strip().split()[0].strip("<>"), []
                self._say("250 OK")
            elif verb == "RCPT":
                address = arg.split(":", 1)[1].strip().split()[0].strip("<>")
                if address in server.refuse:
                    self._say("550 no such user")
                else:
                    rcpts.append(address)
                    self._say("250 OK")
            elif verb == "DATA":
                self._say("354 end with <CRLF>.<CRLF>")
                data = bytearray()
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b".\r\n", b".\n", b""):
                        break
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                msg = email.message_from_bytes(bytes(data), policy=email.policy.default)
                server.captured.append(Captured(sender, rcpts, msg))  # type: ignore[arg-type]
                self._say("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self._say("250 OK")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("502 not implemented")


class FakeSmtp(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.captured: list[Captured] = []
        self.refuse: set[str] = set()

    @property
    def port(self) -> int:
        return int(self.server_address[1])


# --- one loopback HTTP server for Slack's Web API and Teams webhooks ---------------------------


@dataclass
class Seen:
    """One HTTP request the fake received."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class FakeHttpState:
    seen: list[Seen] = field(default_factory=list)


class _HttpHandler(BaseHTTPRequestHandler):
    state: FakeHttpState

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def _reply(self, status: int, body: bytes, ctype: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith(
            "/services/collector"
        ):  # Splunk HEC: JSON objects one after another
            body = {"events": [json.loads(x) for x in raw.decode().splitlines() if x.strip()]}
        else:
            parsed = json.loads(raw or b"{}")
            body = {"items": parsed} if isinstance(parsed, list) else parsed
        self.state.seen.append(Seen(self.path, dict(self.headers), body))
        if self.path == "/api/chat.postMessage":
            if body.get("channel") == "C0MISSING":
                answer = {"ok": False, "error": "channel_not_found"}
            else:
                answer = {"ok": True, "channel": body.get("channel"), "ts": "1763000000.000100"}
            self._reply(200, json.dumps(answer).encode())
        elif self.path.startswith("/teams/ok"):
            self._reply(200, b"1", "text/plain")
        elif self.path == "/services/collector/event":
            if self.headers.get("Authorization") == "Splunk hec-good-token":
                self._reply(200, b'{"text":"Success","code":0}')
            else:
                self._reply(403, b'{"text":"Invalid token","code":4}')
        elif self.path.startswith("/hook/ok"):
            self._reply(202, b"{}")
        elif self.path.startswith("/hook/denied"):
            self._reply(401, b'{"error":"bad key"}')
        elif self.path.startswith("/teams/bad"):
            self._reply(400, b"Webhook message delivery failed: bad payload", "text/plain")
        else:
            self._reply(500, b"internal error", "text/plain")


@pytest.fixture
def smtp() -> Iterator[FakeSmtp]:
    server = FakeSmtp()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def http() -> Iterator[tuple[str, FakeHttpState]]:
    state = FakeHttpState()
    handler = type("Handler", (_HttpHandler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", state
    server.shutdown()
    server.server_close()
    thread.join()


# --- a realistic digest result without running the pipeline ------------------------------------


def _sent(result: DigestResult) -> tuple[dict[str, Any], list[ManagerAlert]]:
    """What `run_digest` hands to delivery: the digest and the manager alerts."""
    return result.digest, result.alerts


def _result(reveal: bool = False, alerts: list[ManagerAlert] | None = None) -> DigestResult:
    """Two ranked people through the real `build_digest`, with a message text sentinel in the store."""
    db = open_db(None)
    db.table("people").insert_all(
        [
            {"person_id": "p-aaaa11112222", "email": "ann@example.com", "display_name": "Ann Lee"},
            {"person_id": "p-bbbb33334444", "email": "bo@example.com", "display_name": "Bo Kim"},
        ]
    )
    db.table("message_text").insert(
        {"source": "slack", "message_id": "m1", "text": f"hello {SENTINEL}", "expires_at": 1e12}
    )

    def finding(pid: str, detector: str, title: str, score: float, strength: str) -> Finding:
        return Finding(pid, WEEK, detector, score, f"{title} measured", {}, strength, title, "")

    ranked = [
        PersonRisk(
            "p-aaaa11112222",
            88,
            "high",
            [
                finding("p-aaaa11112222", "low_small_talk", "Little small talk", 0.9, "weak"),
                finding("p-aaaa11112222", "marathon_session", "Marathon session", 0.8, "strong"),
            ],
        ),
        PersonRisk(
            "p-bbbb33334444",
            45,
            "medium",
            [finding("p-bbbb33334444", "off_timezone", "Off-timezone hours", 0.5, "strong")],
        ),
    ]
    digest = build_digest(db, WEEK, ranked, reveal=reveal)
    return DigestResult(WEEK, ranked, digest, [], [], alerts or [])


def _config(tmp_path: Path, text: str) -> Config:
    path = tmp_path / "c.toml"
    path.write_text(text)
    return load_config(path)


def _email_toml(port: int, **extra: str) -> str:
    lines = [
        "[deliver.email]",
        "enabled = true",
        'host = "127.0.0.1"',
        f"port = {port}",
        "starttls = false",
        'sender = "commsignal@example.com"',
        'recipients = ["soc@example.com", "ciso@example.com"]',
        "timeout_seconds = 5",
    ]
    lines += [f"{k} = {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def _chat_toml(base: str, channel: str = "C0DIGEST", teams: str = "ok") -> str:
    return (
        f'[deliver.slack]\nenabled = true\ntoken = {{ env = "T_SLACK" }}\nchannel = "{channel}"\n'
        f'base_url = "{base}/api/"\ntimeout_seconds = 5\n'
        f'[deliver.teams]\nenabled = true\nwebhook_url = {{ env = "T_TEAMS" }}\ntimeout_seconds = 5\n'
    )


@pytest.fixture(autouse=True)
def _secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_SLACK", TOKEN)
    monkeypatch.setenv("T_PASS", PASSWORD)


def _all_sent(smtp: FakeSmtp | None, state: FakeHttpState | None) -> str:
    parts = []
    for c in smtp.captured if smtp else []:
        parts.append(c.message.as_string())
    for s in state.seen if state else []:
        parts.append(json.dumps(s.body))
    return "\n".join(parts)


# --- email ----------------------------------------------------------------------------------------


def test_email_digest_subject_recipients_both_parts_and_pseudonyms_only(
    tmp_path: Path, smtp: FakeSmtp
) -> None:
    config = _config(tmp_path, _email_toml(smtp.port))
    outcomes = deliver_digest(*_sent(_result(reveal=True)), config)
    assert [(o.target, o.ok) for o in outcomes] == [("email", True)], outcomes
    assert len(smtp.captured) == 1
    got = smtp.captured[0]
    assert got.sender == "commsignal@example.com"
    assert got.recipients == ["soc@example.com", "ciso@example.com"]
    assert got.message["Subject"] == "commsignal digest 2026-W47: 1 high, 1 medium"
    plain = got.message.get_body(("plain",))
    html = got.message.get_body(("html",))
    assert plain is not None and html is not None
    assert "p-aaaa11112222" in plain.get_content() and "Marathon session" in plain.get_content()
    assert "p-bbbb33334444" in html.get_content() and "<html" in html.get_content().lower()
    sent = _all_sent(smtp, None)
    # revealed names stay in the local files; what leaves the machine is pseudonymous
    for secret in (SENTINEL, "Ann Lee", "Bo Kim", "ann@example.com", PASSWORD):
        assert secret not in sent


def test_manager_alerts_go_to_each_manager_with_engagement_only(
    tmp_path: Path, smtp: FakeSmtp
) -> None:
    alerts = [
        ManagerAlert(
            "boss@example.com",
            WEEK,
            4,
            [ReportChange("Report 0", ["messages sent: 5 this week, usually about 40"])],
        ),
        ManagerAlert("lead@example.com", WEEK, 3, []),
    ]
    config = _config(
        tmp_path,
        _email_toml(smtp.port) + '[alerts]\nenabled = true\nopt_in = ["boss@example.com"]\n',
    )
    outcomes = deliver_digest(*_sent(_result(alerts=alerts)), config)
    assert [(o.target, o.ok) for o in outcomes] == [("email", True), ("email-alerts", True)]
    by_rcpt = {tuple(c.recipients): c.message for c in smtp.captured}
    assert set(by_rcpt) == {
        ("soc@example.com", "ciso@example.com"),
        ("boss@example.com",),
        ("lead@example.com",),
    }
    boss = by_rcpt[("boss@example.com",)]
    text = boss.get_content()  # type: ignore[attr-defined]
    assert boss["To"] == "boss@example.com" and "Report 0" in text
    for risky in ("p-aaaa11112222", "risk", "Marathon", "high", SENTINEL):
        assert risky not in text
    assert "Report 0" not in by_rcpt[("lead@example.com",)].get_content()  # type: ignore[attr-defined]


def test_refused_recipient_and_unreachable_server_are_reported(
    tmp_path: Path, smtp: FakeSmtp
) -> None:
    smtp.refuse.add("ciso@example.com")
    outcome = deliver_digest(*_sent(_result()), _config(tmp_path, _email_toml(smtp.port)))[0]
    assert not outcome.ok and "ciso@example.com" in outcome.detail
    assert smtp.captured[0].recipients == ["soc@example.com"]  # the others still got it
    closed = _config(tmp_path, _email_toml(1))
    outcome = deliver_digest(*_sent(_result()), closed)[0]
    assert not outcome.ok and "cannot reach SMTP server 127.0.0.1:1" in outcome.detail
    assert "deliver.email.host" in outcome.detail


def test_starttls_required_but_not_offered(tmp_path: Path, smtp: FakeSmtp) -> None:
    text = _email_toml(smtp.port).replace("starttls = false", "starttls = true")
    text += 'username = "u"\npassword = { env = "T_PASS" }\n'
    outcome = deliver_digest(*_sent(_result()), _config(tmp_path, text))[0]
    assert not outcome.ok and "STARTTLS" in outcome.detail and PASSWORD not in outcome.detail
    assert smtp.captured == []


# --- Slack and Teams -----------------------------------------------------------------------------


def test_slack_and_teams_get_the_summary(
    tmp_path: Path, http: tuple[str, FakeHttpState], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, state = http
    monkeypatch.setenv("T_TEAMS", f"{base}/teams/ok/secret-part")
    outcomes = deliver_digest(*_sent(_result(reveal=True)), _config(tmp_path, _chat_toml(base)))
    assert [(o.target, o.ok) for o in outcomes] == [("slack", True), ("teams", True)], outcomes
    slack, teams = state.seen
    assert slack.path == "/api/chat.postMessage" and slack.body["channel"] == "C0DIGEST"
    assert slack.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "2026-W47: 1 high, 1 medium, 0 low" in slack.body["text"]
    assert "p-aaaa11112222 (high, risk 88): Marathon session" in slack.body["text"]
    assert teams.path == "/teams/ok/secret-part" and set(teams.body) == {"text"}
    assert "p-bbbb33334444 (medium, risk 45): Off-timezone hours" in teams.body["text"]
    sent = _all_sent(None, state)
    for secret in (SENTINEL, "Ann Lee", "Bo Kim", "ann@example.com"):
        assert secret not in sent
    for o in outcomes:
        assert TOKEN not in o.line() and "secret-part" not in o.line()


def test_slack_channel_not_found_names_channel_and_fix(
    tmp_path: Path, http: tuple[str, FakeHttpState], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, _ = http
    monkeypatch.setenv("T_TEAMS", f"{base}/teams/ok/x")
    outcomes = deliver_digest(
        *_sent(_result()), _config(tmp_path, _chat_toml(base, channel="C0MISSING"))
    )
    slack = outcomes[0]
    assert slack.target == "slack" and not slack.ok
    assert "C0MISSING" in slack.detail and "channel_not_found" in slack.detail
    assert "invite the bot" in slack.detail and "channel ID" in slack.detail
    assert TOKEN not in slack.detail
    assert outcomes[1].target == "teams" and outcomes[1].ok  # the other target still delivered


@pytest.mark.parametrize(("path", "code"), [("bad", 400), ("boom", 500)])
def test_teams_error_is_reported_and_others_still_delivered(
    tmp_path: Path,
    smtp: FakeSmtp,
    http: tuple[str, FakeHttpState],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    code: int,
) -> None:
    base, state = http
    monkeypatch.setenv("T_TEAMS", f"{base}/teams/{path}/secret-part")
    config = _config(tmp_path, _email_toml(smtp.port) + _chat_toml(base))
    outcomes = {o.target: o for o in deliver_digest(*_sent(_result()), config)}
    assert outcomes["email"].ok and outcomes["slack"].ok and len(smtp.captured) == 1
    teams = outcomes["teams"]
    assert not teams.ok and f"HTTP {code}" in teams.detail and "T_TEAMS" in teams.detail
    assert "secret-part" not in teams.detail
    assert [s.path for s in state.seen][0] == "/api/chat.postMessage"


def test_unset_secret_is_a_reported_error(tmp_path: Path, http: tuple[str, FakeHttpState]) -> None:
    base, _ = http
    outcomes = {
        o.target: o for o in deliver_digest(*_sent(_result()), _config(tmp_path, _chat_toml(base)))
    }
    assert outcomes["slack"].ok
    assert not outcomes["teams"].ok and "T_TEAMS is not set" in outcomes["teams"].detail


# --- config ----------------------------------------------------------------------------------------


def test_unknown_key_in_deliver_email(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        _config(tmp_path, '[deliver.email]\nhots = "smtp.example.com"\n')
    text = str(err.value)
    assert "deliver.email.hots" in text and "spelling" in text and "c.toml" in text


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[deliver.email]\nusername = "u"\npassword = "hunter2"\n', "deliver.email.password"),
        ('[deliver.slack]\ntoken = "xoxb-1"\n', "deliver.slack.token"),
        ('[deliver.teams]\nwebhook_url = "https://x.example/hook"\n', "deliver.teams.webhook_url"),
    ],
)
def test_inline_secret_is_refused(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        _config(tmp_path, text)
    assert key in str(err.value) and "never written inline" in str(err.value)
    assert "hunter2" not in str(err.value) and "xoxb-1" not in str(err.value)


def test_enabled_target_needs_its_settings(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        _config(tmp_path, "[deliver.email]\nenabled = true\n")
    assert "deliver.email" in str(err.value) and "host, sender, recipients" in str(err.value)
    with pytest.raises(ConfigError) as err:
        _config(tmp_path, "[deliver.teams]\nenabled = true\n")
    assert "deliver.teams" in str(err.value) and "webhook_url" in str(err.value)
    with pytest.raises(ConfigError) as err:
        _config(
            tmp_path,
            '[deliver.email]\nstarttls = false\nusername = "u"\npassword = { env = "P" }\n',
        )
    assert "starttls = true" in str(err.value)
    assert Config().deliver.enabled_targets() == []


# --- CLI and scheduler ---------------------------------------------------------------------------


def _cli_config(tmp_path: Path, smtp: FakeSmtp, base: str) -> Path:
    path = tmp_path / "cli.toml"
    path.write_text(
        f'[digest]\nout_dir = "{tmp_path / "out"}"\n' + _email_toml(smtp.port) + _chat_toml(base)
    )
    return path


def _cli_args(tmp_path: Path, smtp: FakeSmtp, base: str) -> list[str]:
    return ["--config", str(_cli_config(tmp_path, smtp, base)), "--db", str(tmp_path / "d.db")]


def test_cli_no_deliver_sends_nothing_and_default_delivers(
    tmp_path: Path,
    smtp: FakeSmtp,
    http: tuple[str, FakeHttpState],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, state = http
    monkeypatch.setenv("T_TEAMS", f"{base}/teams/ok/secret-part")
    args = _cli_args(tmp_path, smtp, base)
    result = CliRunner().invoke(cli, [*args, "digest", "--week", WEEK, "--no-deliver"])
    assert result.exit_code == 0, result.output
    assert "delivery skipped (--no-deliver)" in result.output
    assert smtp.captured == [] and state.seen == []
    assert (tmp_path / "out" / f"commsignal-digest-{WEEK}.md").is_file()

    result = CliRunner().invoke(cli, [*args, "digest", "--week", WEEK])
    assert result.exit_code == 0, result.output
    for target in ("email", "slack", "teams"):
        assert f"{target}: ok" in result.output
    assert len(smtp.captured) == 1 and len(state.seen) == 2
    assert TOKEN not in result.output and "secret-part" not in result.output
    stats = json.loads(
        open_db(tmp_path / "d.db")
        .execute("select stats from _runs order by run_id desc")
        .fetchone()[0]
    )
    assert [(d["target"], d["ok"]) for d in stats["deliveries"]] == [
        ("email", True),
        ("slack", True),
        ("teams", True),
    ]


def test_cli_failed_target_exits_nonzero_after_the_others(
    tmp_path: Path,
    smtp: FakeSmtp,
    http: tuple[str, FakeHttpState],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    base, _ = http
    monkeypatch.setenv("T_TEAMS", f"{base}/teams/boom/x")
    args = _cli_args(tmp_path, smtp, base)
    result = CliRunner().invoke(cli, [*args, "digest", "--week", WEEK])
    assert result.exit_code == 1
    assert "email: ok" in result.output and "slack: ok" in result.output
    assert "teams: FAILED" in result.output and "delivery failed for teams" in result.output
    assert len(smtp.captured) == 1


def test_scheduled_digest_job_delivers(
    tmp_path: Path,
    smtp: FakeSmtp,
    http: tuple[str, FakeHttpState],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from commsignal.cli.context import AppContext
    from commsignal.schedule import run_job

    base, state = http
    monkeypatch.setenv("T_TEAMS", f"{base}/teams/ok/x")
    config = _cli_config(tmp_path, smtp, base)
    app = AppContext(config_path=config, db_override=tmp_path / "d.db")
    lines = run_job(app.fresh, "digest", "all")
    assert [line.split(",")[0] for line in lines[1:]] == [
        "deliver email: ok",
        "deliver slack: ok",
        "deliver teams: ok",
    ]
    assert len(smtp.captured) == 1 and len(state.seen) == 2
