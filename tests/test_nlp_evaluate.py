"""Evaluation helpers, plus a smoke run on the shared reference data with the reached thresholds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlp import SmallTalkScorer
from nlp.email_model import (
    FEATURES,
    EmailModel,
    body_key,
    email_features,
    fit_email_model,
)
from nlp.evaluate import (
    CHITCHAT_FILE,
    ENRON_FILE,
    IRC_DIR,
    cross_validate_enron,
    email_text,
    enron_rows,
    enron_split,
    evaluate_enron,
    evaluate_speakers,
    find_reference_files,
    read_enron,
    roc_auc,
    speaker_sets,
)
from nlp.scorer import rule_logit


def test_roc_auc_handles_ties_and_extremes() -> None:
    assert roc_auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert roc_auc([0.1], [0.9]) == 0.0
    assert roc_auc([0.5, 0.5], [0.5]) == 0.5
    assert roc_auc([0.3, 0.7], [0.5]) == 0.5


def test_split_is_deterministic_and_balanced() -> None:
    ids = [f"enron/{i}/{i * 7}" for i in range(400)]
    splits = [enron_split(i) for i in ids]
    assert splits == [enron_split(i) for i in ids]
    assert 150 < splits.count("test") < 250


def test_email_text_drops_reply_prefix_and_quotes() -> None:
    assert email_text("RE: Fwd: lunch", "sure!\n> quoted") == "lunch\nsure!"


@pytest.fixture(scope="module")
def scorer() -> SmallTalkScorer:
    return SmallTalkScorer()


def test_email_model_fit_is_deterministic() -> None:
    rows = [{name: float((i * (j + 3)) % 7) for j, name in enumerate(FEATURES)} for i in range(40)]
    labels = [r["rule_z"] > 3 for r in rows]
    keys = [f"k{i}" for i in range(40)]
    a = fit_email_model(rows, labels, keys)
    assert a == fit_email_model(rows, labels, keys)
    assert a.trained_on == tuple(sorted(keys))
    # The threshold is folded into the bias: logit 0 is the decision boundary.
    assert sum(a.logit(r) >= 0 for r in rows) > 0


def test_enron_duplicates_never_straddle_the_split(shared_data: Path) -> None:
    path = shared_data / "smalltalk" / ENRON_FILE
    train, test = enron_rows(path, "train"), enron_rows(path, "test")
    train_bodies = {body_key(r["text"]) for r in train}
    test_bodies = [body_key(r["text"]) for r in test]
    assert train_bodies.isdisjoint(test_bodies)
    assert len(test_bodies) == len(set(test_bodies))
    assert all(enron_split(r["id"]) == "test" for r in test)


def _fit_on(rows: list[dict[str, str]]) -> EmailModel:
    rules = SmallTalkScorer(use_textcat=False, cache_size=0)
    rows = [r for r in rows if r["label"] in ("social", "work")]
    feats = [email_features(r["subject"], r["text"], rules.count_cues, rule_logit) for r in rows]
    return fit_email_model(
        feats, [r["label"] == "social" for r in rows], [body_key(r["text"]) for r in rows]
    )


def test_shipped_email_model_is_never_scored_on_its_training_emails(
    shared_data: Path, scorer: SmallTalkScorer
) -> None:
    path = shared_data / "smalltalk" / ENRON_FILE
    assert scorer.email_model is not None
    report = evaluate_enron(path, scorer, method="email")
    # The shipped model learnt from every social/work email of the dev file: none is scored.
    assert report.n_social == report.n_work == 0
    assert report.n_trained_left_out == len(
        [r for r in enron_rows(path, "all") if r["label"] in ("social", "work")]
    )
    # The textcat learnt from the train split only: the test split is all that is scored.
    text = evaluate_enron(path, scorer, method="text")
    assert text.n_trained_left_out > 100
    assert text.n_social + text.n_work == len(
        [r for r in enron_rows(path, "test") if r["label"] in ("social", "work")]
    )
    # Measured P 0.727 R 0.276 F1 0.400 (rules + textcat on the sender's own words).
    assert text.precision >= 0.6 and text.f1 >= 0.38


def test_email_model_on_a_held_out_file(
    shared_data: Path, scorer: SmallTalkScorer, tmp_path: Path
) -> None:
    """The case the held-out evaluation exercises: a labelled file the model never saw."""
    path = shared_data / "smalltalk" / ENRON_FILE
    held_out = tmp_path / "enron_berkeley_test.jsonl"
    held_out.write_text(
        "".join(json.dumps(r) + "\n" for r in enron_rows(path, "test")), encoding="utf-8"
    )
    half = SmallTalkScorer()
    half.email_model = _fit_on(enron_rows(path, "train"))
    report = evaluate_enron(held_out, half, method="email")
    assert report.n_trained_left_out == 0
    assert report.n_social >= 20 and report.n_work >= 100
    # Measured P 0.643 R 0.643 F1 0.643 (trained on the even ids; 0.448 at the start of the
    # session with 10 features and a threshold tuned by inner cross-validation).
    assert report.recall >= 0.6 and report.precision >= 0.6 and report.f1 >= 0.6
    # The same file under the shipped model (trained on all of it) is left out entirely.
    assert evaluate_enron(held_out, scorer, method="email").n_social == 0


def test_enron_cross_validation(shared_data: Path) -> None:
    cv = cross_validate_enron(shared_data / "smalltalk" / ENRON_FILE)
    assert cv.folds == 5 and cv.repeats == 5 and len(cv.repeat_f1) == 5
    assert cv.n_social >= 50
    # Measured P 0.550 R 0.615 F1 0.580 (repeats 0.509-0.621); 10 features gave 0.456.
    assert cv.f1 >= 0.55
    assert min(cv.repeat_f1) < max(cv.repeat_f1)  # fold assignments really differ


def test_reference_files_are_found_by_kind(tmp_path: Path) -> None:
    base = tmp_path / "smalltalk"
    (base / "ubuntu_irc_test").mkdir(parents=True)
    (base / "ubuntu_irc_test" / "2005-01-01.ascii.txt").write_text("[00:01] <a> hi\n")
    (base / "ubuntu_irc_test" / "2005-01-01.raw.txt").write_text("[00:01] <a> hi\n")
    (base / "empty_irc").mkdir()
    (base / "enron_berkeley_test.jsonl").write_text("")
    (base / "chitchat_test.jsonl").write_text("")
    (base / "notes.jsonl").write_text("")
    found = find_reference_files(tmp_path)
    assert [p.name for p in found.enron] == ["enron_berkeley_test.jsonl"]
    assert [p.name for p in found.chitchat] == ["chitchat_test.jsonl"]
    assert [p.name for p in found.irc] == ["ubuntu_irc_test"]
    assert find_reference_files(base) == found  # the smalltalk folder itself works too


def test_speaker_auc(shared_data: Path) -> None:
    base = shared_data / "smalltalk"
    rules = SmallTalkScorer(use_textcat=False)
    report = evaluate_speakers(base / CHITCHAT_FILE, base / IRC_DIR, rules, min_messages=20)
    assert report.n_positive >= 50 and report.n_negative >= 50
    assert report.auc >= 0.95
    assert report.auc_mean_probability >= 0.97
    assert report.mean_share_positive > 5 * report.mean_share_negative


def test_speaker_sets_keep_dev_and_test_apart(tmp_path: Path) -> None:
    dev_chat, test_chat = tmp_path / "chitchat_dev.jsonl", tmp_path / "chitchat_test.jsonl"
    dev_irc, test_irc = tmp_path / "ubuntu_irc_dev", tmp_path / "ubuntu_irc_test"
    assert speaker_sets([dev_chat, test_chat], [dev_irc, test_irc]) == [
        ((dev_chat,), (dev_irc,)),
        ((test_chat,), (test_irc,)),
    ]
    # One of each, or names without a common set: evaluated together.
    other = tmp_path / "irc_logs"
    assert speaker_sets([test_chat], [other]) == [((test_chat,), (other,))]
    assert speaker_sets([dev_chat, test_chat], [other]) == [((dev_chat, test_chat), (other,))]
    assert speaker_sets([], [dev_irc]) == []


def test_labelled_rows_are_normalised_and_bad_lines_named(tmp_path: Path) -> None:
    path = tmp_path / "enron_x.jsonl"
    path.write_text(
        json.dumps({"label": "Personal", "body": "Happy birthday!"})
        + "\n\n"
        + json.dumps({"id": "a/1", "label": "work", "subject": None, "text": "FERC filing"})
        + "\n",
        encoding="utf-8",
    )
    rows = read_enron(path)
    assert [r["label"] for r in rows] == ["social", "work"]
    assert rows[0]["id"] == "enron_x.jsonl:1" and rows[0]["text"] == "Happy birthday!"
    assert rows[1]["subject"] == ""
    path.write_text('{"label": "work"}\nnot json\n', encoding="utf-8")
    with pytest.raises(ValueError, match="enron_x.jsonl:2"):
        read_enron(path)
