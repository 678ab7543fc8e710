"""The ``nlp`` click group: streaming score command and its error messages."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from commsignal.cli.nlp import nlp_group


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_score_round_trip(tmp_path: Path) -> None:
    src = _write(
        tmp_path / "in.jsonl",
        [
            json.dumps({"id": 1, "body": "how was your weekend? did the kids enjoy the beach?"}),
            json.dumps({"id": 2, "body": "thanks, merged"}),
            "",
            json.dumps({"id": 3, "body": "lol 😂"}),
        ],
    )
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(
        nlp_group, ["score", "--input", str(src), "--text-field", "body", "--output", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert res.output.strip().splitlines() == [f"scored 3 messages, 2 small talk -> {out}"]
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [1, 2, 3]
    assert rows[0]["is_small_talk"] is True and "personal_question" in rows[0]["cues"]
    assert rows[1]["is_small_talk"] is False and rows[1]["cues"] == ["thanks"]
    assert rows[2]["body"] == "lol 😂"
    assert all(r["small_talk"] == round(r["small_talk"], 4) for r in rows)


def test_score_bad_json_line_reports_line_number(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.jsonl", [json.dumps({"text": "hi"}), "{not json"])
    out = tmp_path / "out.jsonl"
    res = CliRunner().invoke(nlp_group, ["score", "--input", str(src), "--output", str(out)])
    assert res.exit_code == 1
    assert "in.jsonl:2: not valid JSON" in res.output
    assert not out.exists()


def test_score_missing_field_suggests_text_field(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.jsonl", [json.dumps({"message": "hi"})])
    res = CliRunner().invoke(
        nlp_group, ["score", "--input", str(src), "--output", str(tmp_path / "o.jsonl")]
    )
    assert res.exit_code == 1
    assert "in.jsonl:1: no field 'text'" in res.output and "--text-field" in res.output


def test_score_missing_file(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        nlp_group, ["score", "--input", str(tmp_path / "nope.jsonl"), "--output", "o.jsonl"]
    )
    assert res.exit_code == 1
    assert "input file not found" in res.output


def test_evaluate_without_data_is_a_clear_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(nlp_group, ["evaluate", "--data", str(tmp_path)])
    assert res.exit_code == 1
    assert "no reference data found" in res.output and "COMMSIGNAL_SHARED_DATA" in res.output


def test_evaluate_finds_held_out_files_by_kind(tmp_path: Path) -> None:
    """A held-out set under other names is evaluated; unseen emails are all scored."""
    base = tmp_path / "smalltalk"
    (base / "ubuntu_irc_test").mkdir(parents=True)
    emails = [
        ("social", "Re: weekend", "Congratulations on the baby!! How was the trip?"),
        ("social", "pics", "enjoy!\n\n - beach.jpg\n - kids.jpg"),
        ("work", "RE: tariff", "Please revise the FERC tariff filing by Monday."),
        ("work", "budget", "Attached is the Q3 budget; comments due Friday."),
        ("mixed", "Re: call", "Good call today. Hope the kids are well."),
    ]
    rows = [
        json.dumps({"id": f"t/{i}", "label": lab, "subject": subj, "text": text})
        for i, (lab, subj, text) in enumerate(emails)
    ]
    _write(base / "enron_berkeley_test.jsonl", rows)
    chat = [
        json.dumps({"conversation": "c1", "speaker": f"s{i % 2}", "text": "how was your weekend?"})
        for i in range(4)
    ]
    _write(base / "chitchat_test.jsonl", chat)
    _write(base / "ubuntu_irc_test" / "2005-01-01.ascii.txt", ["[00:01] <a> sudo apt-get update"])
    res = CliRunner().invoke(nlp_group, ["evaluate", "--data", str(tmp_path)])
    assert res.exit_code == 0, res.output
    out = " ".join(res.output.split())
    assert "enron_berkeley_test.jsonl" in out and "chitchat_test.jsonl" in out
    assert "2 social / 2 work" in out and "trained on, left out" not in out
    assert "no unseen rows" not in out and "ROC AUC" in out


def test_every_command_has_help() -> None:
    for name in ("score", "evaluate"):
        res = CliRunner().invoke(nlp_group, [name, "--help"])
        assert res.exit_code == 0
        assert len(res.output.split("\n\n")[1].strip()) > 20


def test_score_emails_with_subject_field(tmp_path: Path) -> None:
    body = "Please revise the tariff filing.\n\n-----Original Message-----\nFrom: A\nTo: B\n\nFERC."
    src = _write(
        tmp_path / "in.jsonl",
        [
            json.dumps({"subj": "RE: tariff", "body": body}),
            json.dumps({"body": "Congratulations on the baby!!"}),
        ],
    )
    out = tmp_path / "out.jsonl"
    args = ["score", "--input", str(src), "--text-field", "body", "--subject-field", "subj"]
    res = CliRunner().invoke(nlp_group, [*args, "--output", str(out)])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["is_small_talk"] for r in rows] == [False, True]
    assert "celebrations" in rows[1]["cues"] and "subj" not in rows[1]


def test_evaluate_json(tmp_path: Path) -> None:
    base = tmp_path / "smalltalk"
    (base / "irc_x").mkdir(parents=True)
    _write(base / "irc_x" / "d.ascii.txt", ["[00:01] <a> sudo apt-get update"])
    _write(base / "chitchat_x.jsonl", [json.dumps({"speaker": "s", "text": "how was the trip?"})])
    res = CliRunner().invoke(nlp_group, ["evaluate", "--data", str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.output)
    assert row["evaluation"] == "speakers" and row["files"] == ["chitchat_x.jsonl", "irc_x"]
    assert row["min_messages"] == 20 and row["n_positive"] == 0
