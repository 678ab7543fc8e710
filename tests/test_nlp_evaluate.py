"""Evaluation helpers, plus a smoke run on the shared reference data with the reached thresholds."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp import SmallTalkScorer
from nlp.email_model import FEATURES, best_f1_threshold, fit_email_model
from nlp.evaluate import (
    CHITCHAT_FILE,
    ENRON_FILE,
    IRC_DIR,
    _norm,
    cross_validate_enron,
    email_text,
    enron_rows,
    enron_split,
    evaluate_enron,
    evaluate_speakers,
    roc_auc,
)


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


def test_best_f1_threshold_separates_clean_data() -> None:
    t = best_f1_threshold([True, True, False, False], [0.9, 0.7, 0.4, 0.1])
    assert 0.4 < t < 0.7


def test_email_model_fit_is_deterministic() -> None:
    rows = [{name: float((i * (j + 3)) % 7) for j, name in enumerate(FEATURES)} for i in range(40)]
    labels = [r["rule_z"] > 3 for r in rows]
    keys = [f"k{i}" for i in range(40)]
    a = fit_email_model(rows, labels, keys)
    assert a == fit_email_model(rows, labels, keys)
    # The threshold is folded into the bias: logit 0 is the decision boundary.
    assert sum(a.logit(r) >= 0 for r in rows) > 0


def test_enron_duplicates_never_straddle_the_split(shared_data: Path) -> None:
    path = shared_data / "smalltalk" / ENRON_FILE
    train, test = enron_rows(path, "train"), enron_rows(path, "test")
    train_bodies = {_norm(r["text"]) for r in train}
    test_bodies = [_norm(r["text"]) for r in test]
    assert train_bodies.isdisjoint(test_bodies)
    assert len(test_bodies) == len(set(test_bodies))
    assert all(enron_split(r["id"]) == "test" for r in test)


def test_enron_held_out_split(shared_data: Path, scorer: SmallTalkScorer) -> None:
    path = shared_data / "smalltalk" / ENRON_FILE
    report = evaluate_enron(path, scorer, split="test")
    assert report.split == "test" and report.method == "email"
    assert report.n_social >= 20 and report.n_work >= 100
    # Measured 0.433 / 0.464 / 0.448 with the shipped email model (was F1 0.410 with rules +
    # textcat on the own words, which stays available as method="text").
    assert report.recall >= 0.42
    assert report.f1 >= 0.43
    text = evaluate_enron(path, scorer, split="test", method="text")
    assert text.precision >= 0.6 and text.f1 >= 0.38


def test_enron_cross_validation(shared_data: Path) -> None:
    cv = cross_validate_enron(shared_data / "smalltalk" / ENRON_FILE)
    assert cv.folds == 5 and len(cv.fold_f1) == 5
    assert cv.n_social >= 50
    # Measured P 0.441 R 0.473 F1 0.456 (folds 0.28 to 0.67).
    assert cv.f1 >= 0.42


def test_speaker_auc(shared_data: Path) -> None:
    base = shared_data / "smalltalk"
    rules = SmallTalkScorer(use_textcat=False)
    report = evaluate_speakers(base / CHITCHAT_FILE, base / IRC_DIR, rules, min_messages=20)
    assert report.n_positive >= 50 and report.n_negative >= 50
    assert report.auc >= 0.95
    assert report.auc_mean_probability >= 0.97
    assert report.mean_share_positive > 5 * report.mean_share_negative
