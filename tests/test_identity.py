"""One person per human: the same evidence in any import order gives the same people and digest."""

from __future__ import annotations

import itertools
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from commsignal.cli import cli
from commsignal.config import Config
from commsignal.ingest import Ingestor
from commsignal.pipeline import run_digest
from commsignal.privacy import Pseudonymizer
from commsignal.sources.directory import import_directory
from commsignal.sources.logins import import_login_files
from commsignal.sources.slack_export import import_slack_export
from commsignal.status import store_status
from commsignal.store import open_db

DATA = Path(__file__).resolve().parent / "data" / "identity"
WEEK = "2026-W47"
IMPORTS = ("slack", "windows", "okta", "directory")


@pytest.fixture(scope="module")
def export_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture export folder zipped as Slack delivers it."""
    path = tmp_path_factory.mktemp("export") / "contoso-export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for f in sorted((DATA / "slack_export").rglob("*.json")):
            zf.write(f, f.relative_to(DATA / "slack_export").as_posix())
    return path


def _args(kind: str, export: Path) -> list[str]:
    return {
        "slack": ["import", "slack-export", str(export)],
        "windows": ["import", "logins", "--format", "windows", str(DATA / "windows.jsonl")],
        "okta": ["import", "logins", "--format", "okta", str(DATA / "okta.json")],
        "directory": ["import", "directory", str(DATA / "directory.csv")],
    }[kind]


def _config(db: Path) -> Path:
    # one configured key for every store, so that pseudonyms (and the digest's notes) agree
    key = db.parent / "pseudonym.key"
    if not key.exists():
        key.write_text("identity-test-key-" + "0" * 32)
    cfg = db.parent / "commsignal.toml"
    cfg.write_text(f'[privacy]\npseudonym_key = {{ file = "{key}" }}\n')
    return cfg


def _run(db: Path, *args: str) -> str:
    cfg = _config(db)
    result = CliRunner().invoke(
        cli, ["--config", str(cfg), "--db", str(db), *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.output


def import_in_order(tmp: Path, order: tuple[str, ...], export: Path) -> Path:
    """A store (with one fixed pseudonym key) filled by the CLI in the given order."""
    db = tmp / ("-".join(order) + ".db")
    for kind in order:
        _run(db, *_args(kind, export))
    return db


def digest_json(db: Path, out: Path, *extra: str) -> dict[str, object]:
    """The week's digest as written by `commsignal digest`, without its generation time."""
    _run(
        db, "digest", "--week", WEEK, "--format", "json", "--out", str(out), "--no-deliver", *extra
    )
    [path] = out.glob("*.json")
    data = json.loads(path.read_text())
    data.pop("generated_at")
    return dict(data)


def counts(db: Path) -> dict[str, int]:
    info = json.loads(_run(db, "status", "--json"))
    return dict(info["counts"])


def _library_import(db: Any, kind: str, export: Path, scorer: Any) -> None:
    # the same calls the CLI makes, with one scorer for all 24 stores (building one takes a while)
    key = Pseudonymizer(b"identity-test-key")
    if kind == "slack":
        import_slack_export(export, Ingestor(db, key, scorer))
    elif kind == "directory":
        import_directory(db, key, DATA / "directory.csv")
    else:
        path = DATA / ("windows.jsonl" if kind == "windows" else "okta.json")
        import_login_files(db, Ingestor(db, key, None), kind, [path])


def test_every_import_order_gives_the_same_people_and_digest(
    tmp_path: Path, export_zip: Path
) -> None:
    from nlp import SmallTalkScorer

    scorer = SmallTalkScorer()
    orders = list(itertools.permutations(IMPORTS))
    assert len(orders) == 24
    first_counts: dict[str, int] | None = None
    first_digest: str | None = None
    for order in orders:
        db = open_db(None)
        for kind in order:
            _library_import(db, kind, export_zip, scorer)
        got = store_status(db)["counts"]
        out = tmp_path / "-".join(order)
        result = run_digest(
            db, Config(), WEEK, Pseudonymizer(b"identity-test-key"), out, ["json"], deliver=False
        )
        digest = json.loads(next(out.glob("*.json")).read_text())
        assert digest["people"] == result.digest["people"]
        digest.pop("generated_at")
        text = json.dumps(digest, sort_keys=True)
        if first_counts is None:
            first_counts, first_digest = got, text
            # six humans and nothing more: Anna, Ben, Carla, Erin, Frank, x.worker ...
            # ... plus Frank's Windows name, which nothing may join to him (no guessing)
            assert got["people"] == 7, got
            assert got["accounts"] == 5 + 4 + 4  # Slack users, Windows names, Okta logins
            assert len(digest["people"]) >= 1 and got["sessions"] > 0
            continue
        assert got == first_counts, order
        assert text == first_digest, order


@pytest.fixture(scope="module")
def joined(tmp_path_factory: pytest.TempPathFactory, export_zip: Path) -> Path:
    """Logins first, the directory last: the order that used to split people."""
    tmp = tmp_path_factory.mktemp("joined")
    return import_in_order(tmp, ("windows", "okta", "slack", "directory"), export_zip)


def _person(db: Path, email: str) -> str:
    row = open_db(db).execute("select person_id from people where email = ?", [email]).fetchone()
    assert row, email
    return str(row[0])


def test_one_person_has_all_evidence_behind_one_digest_row(joined: Path, tmp_path: Path) -> None:
    store = open_db(joined)
    anna = _person(joined, "anna.mueller@contoso.com")
    accounts = {
        (r["source"], r["account_id"])
        for r in store.query("select source, account_id from accounts where person_id = ?", [anna])
    }
    assert accounts == {
        ("slack", "U01ANNA"),
        ("windows", "contoso\\anna.mueller"),
        ("okta", "anna.mueller@contoso.com"),
    }
    assert (
        store.execute("select count(*) from messages where person_id = ?", [anna]).fetchone()[0]
        == 30
    )
    events = store.execute(
        "select source, count(*) from login_events where person_id = ? group by source", [anna]
    ).fetchall()
    assert dict(events) == {"windows": 1, "okta": 10}
    digest = digest_json(joined, tmp_path / "d")
    rows = [p for p in digest["people"] if p["person"] == anna]  # type: ignore[index,union-attr]
    assert len(rows) == 1
    detectors = {f["detector"] for f in rows[0]["findings"]}
    # the Windows logon never ended, and her Slack messages show it in use until Friday
    assert {"marathon_session", "remote_access_tool"} <= detectors
    marathon = next(f for f in rows[0]["findings"] if f["detector"] == "marathon_session")
    # attended through the nights: her messages kept arriving in the open Windows session
    assert marathon["evidence"]["attended_hours"] >= 24


def test_email_joins_two_sources_without_a_directory(tmp_path: Path, export_zip: Path) -> None:
    db = import_in_order(tmp_path, ("okta", "slack"), export_zip)
    erin = _person(db, "erin.walsh@contoso.com")
    store = open_db(db)
    sources = {
        r[0] for r in store.execute("select source from accounts where person_id = ?", [erin])
    }
    assert sources == {"slack", "okta"}
    # Ben's Okta login differs in case from his Slack email: still one person
    ben = _person(db, "ben.okafor@contoso.com")
    assert (
        store.execute("select count(*) from login_events where person_id = ?", [ben]).fetchone()[0]
        == 10
    )


def test_every_pseudonym_in_the_digest_reveals(joined: Path, tmp_path: Path) -> None:
    digest = digest_json(joined, tmp_path / "d")
    people = digest["people"]
    assert isinstance(people, list) and len(people) >= 1
    for entry in people:
        out = _run(joined, "reveal", str(entry["person"]), "--reason", "identity test review")
        assert out.startswith(str(entry["person"]))
    revealed = digest_json(joined, tmp_path / "r", "--reveal", "--reason", "identity test review")
    names = {p["person"]: p.get("display_name") for p in revealed["people"]}  # type: ignore[union-attr]
    assert all(names.values()), names
    # the Windows-only account is its own person and reveals as its own name
    worker = (
        open_db(joined)
        .execute("select person_id from accounts where account_id = 'contoso\\x.worker'")
        .fetchone()[0]
    )
    # whether or not this week's rules list it, it reveals as its own name
    assert names.get(worker, "contoso\\x.worker") == "contoso\\x.worker"
    shown = _run(joined, "reveal", worker, "--reason", "identity test review")
    assert shown.startswith(worker) and "x.worker" in shown
    audit = open_db(joined).execute("select count(*) from audit_log where action = 'reveal'")
    assert audit.fetchone()[0] == len(people) + 1  # each digest pseudonym, then the worker


def test_unmatched_accounts_are_counted_and_listed(joined: Path) -> None:
    info = json.loads(_run(joined, "status", "--json"))
    assert info["identity"]["windows"] == {"accounts": 4, "unmatched": 2}  # frank, x.worker
    assert info["identity"]["slack"]["unmatched"] == 0
    listed = _run(joined, "people", "unmatched")
    assert "windows: 2 of 4 accounts unmatched" in listed and "x.worker" not in listed
    shown = _run(joined, "people", "unmatched", "--reveal", "--reason", "clean up identities")
    assert "x.worker" in shown and "frank" in shown


def test_manual_link_and_unlink_survive_later_imports(tmp_path: Path, export_zip: Path) -> None:
    db = import_in_order(tmp_path, ("slack", "windows"), export_zip)
    frank_slack = _person(db, "frank@fabrikam.com")
    _run(
        db,
        "people",
        "link",
        "contoso\\frank",
        "frank@fabrikam.com",
        "--reason",
        "HR confirmed the lab login",
    )
    store = open_db(db)
    assert (
        store.execute(
            "select person_id from accounts where account_id = 'contoso\\frank'"
        ).fetchone()[0]
        == frank_slack
    )
    assert (
        store.execute(
            "select count(*) from login_events where user = 'contoso\\frank' and person_id = ?",
            [frank_slack],
        ).fetchone()[0]
        == 2
    )
    # a re-import and a directory import keep the manual decision
    _run(db, *_args("windows", export_zip))
    _run(db, *_args("directory", export_zip))
    assert (
        store.execute(
            "select person_id from accounts where account_id = 'contoso\\frank'"
        ).fetchone()[0]
        == frank_slack
    )
    # unlinking Anna's Windows name from her, although the directory joins it
    _run(
        db,
        "people",
        "unlink",
        "windows:contoso\\anna.mueller",
        "--reason",
        "shared kiosk login, not hers",
    )
    anna = _person(db, "anna.mueller@contoso.com")
    _run(db, *_args("directory", export_zip))
    assert (
        store.execute(
            "select person_id from accounts where account_id = 'contoso\\anna.mueller'"
        ).fetchone()[0]
        != anna
    )
    _run(
        db,
        "people",
        "unlink",
        "windows:contoso\\anna.mueller",
        "--automatic",
        "--reason",
        "kiosk story was wrong",
    )
    assert (
        store.execute(
            "select person_id from accounts where account_id = 'contoso\\anna.mueller'"
        ).fetchone()[0]
        == anna
    )
    actions = [r[0] for r in store.execute("select action from audit_log order by id")]
    assert actions == ["people-link", "people-unlink", "people-automatic"]


def test_directory_is_authoritative_for_profile_fields(joined: Path) -> None:
    row = next(
        open_db(joined).query(
            "select display_name, team, tz, country, start_date, manager_person_id from people where email = ?",
            ["carla.diaz@contoso.com"],
        )
    )
    assert row["team"] == "Platform" and row["tz"] == "Europe/Madrid" and row["country"] == "ES"
    assert row["start_date"] == "2026-11-02" and row["display_name"] == "Carla Diaz"
    assert row["manager_person_id"] == _person(joined, "ben.okafor@contoso.com")


def test_bad_directory_rows_are_named_and_nothing_is_imported(tmp_path: Path) -> None:
    bad = tmp_path / "dir.csv"
    bad.write_text(
        "email,display_name,team,timezone,start_date\n"
        "ann@contoso.com,Ann,Ops,Mars/Base,2024-01-01\n"
        "nobody,Bob,Ops,UTC,2024-13-01\n"
    )
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "x.db"), "import", "directory", str(bad)]
    )
    assert result.exit_code == 1
    assert "line 2" in result.output and "Mars/Base" in result.output and "line 3" in result.output
    assert open_db(tmp_path / "x.db").execute("select count(*) from directory").fetchone()[0] == 0


def test_slack_teams_windows_and_okta_evidence_behind_one_row(
    tmp_path: Path, export_zip: Path
) -> None:
    from commsignal.ingest import Ingestor
    from commsignal.models import Account, Attendance, Meeting, Page, RawMessage
    from commsignal.privacy import Pseudonymizer
    from commsignal.sources.directory import refresh_after_import

    db = import_in_order(tmp_path, ("directory", "windows", "okta", "slack"), export_zip)
    # Teams: Anna's Entra user id, three chat messages, and one meeting she joined without video
    store = open_db(db)
    ing = Ingestor(store, Pseudonymizer(b"identity-test-key-" + b"0" * 32), None)
    monday = 1_794_787_200.0
    ing.write(
        Page(
            "m365",
            "users",
            accounts=[
                Account("m365", "0f6c5c2e-anna", "Anna.Mueller@contoso.com", "Anna Mueller"),
                Account("m365", "9b1d7e4a-ben", "ben.okafor@contoso.com", "Ben Okafor"),
            ],
        )
    )
    ing.write(
        Page(
            "m365",
            "chats",
            messages=[
                RawMessage("m365", f"T:{i}", "T", "0f6c5c2e-anna", monday + 86400 + i * 3600, "ok")
                for i in range(3)
            ],
            meetings=[
                Meeting(
                    "m365",
                    "M1",
                    "9b1d7e4a-ben",
                    monday + 2 * 86400 + 36000,
                    monday + 2 * 86400 + 37800,
                    True,
                    (("anna.mueller@contoso.com", "accepted"),),
                )
            ],
            attendance=[
                Attendance(
                    "m365",
                    "M1",
                    "0f6c5c2e-anna",
                    1700,
                    monday + 2 * 86400 + 36050,
                    monday + 2 * 86400 + 37750,
                    video_on=False,
                )
            ],
        )
    )
    refresh_after_import(ing)
    anna = _person(db, "anna.mueller@contoso.com")
    sources = {
        r[0] for r in store.execute("select source from accounts where person_id = ?", [anna])
    }
    assert sources == {"slack", "m365", "windows", "okta"}
    digest = digest_json(db, tmp_path / "d")
    rows = [p for p in digest["people"] if p["person"] == anna]  # type: ignore[index,union-attr]
    assert len(rows) == 1 and rows[0]["team"] == "Platform"
    features = json.loads(
        store.execute(
            "select features from person_weeks where person_id = ? and week = ?", [anna, WEEK]
        ).fetchone()[0]
    )
    assert features["messages"] == 33  # 30 on Slack, 3 on Teams
    assert features["meetings_attended"] == 1 and features["meetings_invited"] == 1
    assert features["sessions"] >= 1 and features["max_session_h"] >= 96
    assert {f["detector"] for f in rows[0]["findings"]} >= {
        "marathon_session",
        "remote_access_tool",
    }
