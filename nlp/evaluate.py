"""Held-out evaluations of the scorer on the shared reference data (library only, no printing)."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.email_model import CV_FOLDS, email_features, email_text, fit_email_model, fold_of
from nlp.scorer import SmallTalkScorer, rule_logit

ENRON_FILE = "enron_berkeley_dev.jsonl"
CHITCHAT_FILE = "chitchat_dev.jsonl"
IRC_DIR = "ubuntu_irc_dev"

_IRC_LINE = re.compile(r"^\[\d{1,2}:\d{2}\]\s+<([^>]+)>\s?(.*)$")


def enron_split(email_id: str) -> str:
    """Deterministic train/test split by id hash, so nothing trained is ever reported on.

    Args:
        email_id: The ``id`` field of an Enron row.

    Returns:
        ``"train"`` for even first hash bytes, ``"test"`` otherwise (about half each).
    """
    return "train" if hashlib.sha1(email_id.encode()).digest()[0] % 2 == 0 else "test"


def _norm(text: str) -> str:
    """Whitespace- and case-normalised body: the key that finds the same email under two ids."""
    return " ".join(text.lower().split())


def read_enron(path: Path) -> list[dict[str, str]]:
    """Reads the labelled Enron rows (id, label, subject, text, ...)."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def enron_rows(path: Path, split: str = "test") -> list[dict[str, Any]]:
    """Rows of one split with duplicates resolved, so no email is on both sides.

    Some emails occur under several ids (same body). The ``test`` split keeps its ids as they
    are, but counts each body once (lowest id). The ``train`` split drops every email whose
    body also occurs in ``test``, then keeps one copy of the rest. ``all`` is every distinct
    body once (lowest id), for cross-validation.

    Args:
        path: ``enron_berkeley_dev.jsonl``.
        split: ``"test"``, ``"train"`` or ``"all"``.

    Returns:
        The rows, sorted by id.
    """
    rows = sorted(read_enron(path), key=lambda r: str(r["id"]))
    test_bodies = {_norm(r.get("text", "")) for r in rows if enron_split(r["id"]) == "test"}
    seen: set[str] = set()
    out = []
    for row in rows:
        key = _norm(row.get("text", ""))
        side = enron_split(row["id"])
        if split == "train" and (side != "train" or key in test_bodies):
            continue
        if split == "test" and side != "test":
            continue
        if key in seen:
            continue
        seen.add(key)
        out.append(row)
    return out


@dataclass(frozen=True)
class EnronReport:
    """Social-vs-work quality on the Enron test split; mixed emails are reported apart."""

    split: str
    n_social: int
    n_work: int
    n_mixed: int
    precision: float
    recall: float
    f1: float
    mixed_share_social: float
    """Share of ``mixed`` emails predicted social (no right answer; shows the lean)."""
    method: str = "email"
    """``email``: ``score_email`` on subject + raw body; ``text``: ``score`` on own words."""


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1, with 0.0 for empty denominators."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _report(split: str, method: str, labels: Sequence[str], preds: Sequence[bool]) -> EnronReport:
    """Counts social-vs-work hits; ``mixed`` rows only feed the lean statistic."""
    tp = fp = fn = 0
    mixed = mixed_pos = 0
    counts = {"social": 0, "work": 0}
    for label, pred in zip(labels, preds, strict=True):
        if label == "mixed":
            mixed += 1
            mixed_pos += pred
            continue
        counts[label] = counts.get(label, 0) + 1
        tp += pred and label == "social"
        fp += pred and label == "work"
        fn += (not pred) and label == "social"
    p, r, f = _prf(tp, fp, fn)
    return EnronReport(
        split=split,
        n_social=counts["social"],
        n_work=counts["work"],
        n_mixed=mixed,
        precision=p,
        recall=r,
        f1=f,
        mixed_share_social=mixed_pos / mixed if mixed else 0.0,
        method=method,
    )


def evaluate_enron(
    path: Path, scorer: SmallTalkScorer, split: str = "test", method: str = "email"
) -> EnronReport:
    """Precision/recall/F1 of ``social`` against ``work`` on one hash split of the Enron file.

    Args:
        path: ``enron_berkeley_dev.jsonl``.
        scorer: The scorer under test.
        split: ``"test"`` (never trained or tuned on), ``"train"`` or ``"all"``; duplicates
            are resolved as in :func:`enron_rows`.
        method: ``"email"`` scores subject + raw body with ``score_email`` (the email model
            when the scorer has it); ``"text"`` scores the subject + own words with ``score``.

    Returns:
        An :class:`EnronReport`.
    """
    rows = enron_rows(path, split)
    if method == "email":
        pairs = ((r.get("subject", ""), r.get("text", "")) for r in rows)
        feats = list(scorer.score_emails(pairs))
    else:
        texts = [email_text(r.get("subject", ""), r.get("text", "")) for r in rows]
        feats = list(scorer.score_many(texts, batch_size=64))
    return _report(split, method, [r["label"] for r in rows], [f.is_small_talk for f in feats])


@dataclass(frozen=True)
class CrossValidationReport:
    """k-fold F1 of the email model over the whole file (each fold trained on the others)."""

    folds: int
    n_social: int
    n_work: int
    precision: float
    recall: float
    f1: float
    """Pooled over the out-of-fold predictions of all folds."""
    fold_f1: tuple[float, ...]


def cross_validate_enron(path: Path, folds: int = CV_FOLDS) -> CrossValidationReport:
    """Trains the email model on k-1 folds and predicts the k-th, rotating, over every row.

    Each distinct body is one row (``enron_rows(path, "all")``); ``mixed`` rows are left out.
    The threshold of every fold's model is chosen by cross-validation inside its training
    folds only, exactly as ``python -m nlp.train`` does for the shipped model.

    Args:
        path: ``enron_berkeley_dev.jsonl``.
        folds: Number of folds (by a hash of the id).

    Returns:
        A :class:`CrossValidationReport`.
    """
    rules = SmallTalkScorer(use_textcat=False, cache_size=0)
    rows = [r for r in enron_rows(path, "all") if r["label"] in ("social", "work")]
    feats = [
        email_features(r.get("subject", ""), r.get("text", ""), rules.count_cues, rule_logit)
        for r in rows
    ]
    labels = [r["label"] == "social" for r in rows]
    keys = [str(r["id"]) for r in rows]
    fold = [fold_of("cv" + k, folds) for k in keys]
    preds = [False] * len(rows)
    fold_f1 = []
    for k in range(folds):
        train = [i for i in range(len(rows)) if fold[i] != k]
        model = fit_email_model(
            [feats[i] for i in train], [labels[i] for i in train], [keys[i] for i in train]
        )
        tp = fp = fn = 0
        for i in range(len(rows)):
            if fold[i] == k:
                preds[i] = model.logit(feats[i]) >= 0.0
                tp += preds[i] and labels[i]
                fp += preds[i] and not labels[i]
                fn += (not preds[i]) and labels[i]
        fold_f1.append(_prf(tp, fp, fn)[2])
    report = _report("all", "email", [r["label"] for r in rows], preds)
    return CrossValidationReport(
        folds=folds,
        n_social=report.n_social,
        n_work=report.n_work,
        precision=report.precision,
        recall=report.recall,
        f1=report.f1,
        fold_f1=tuple(fold_f1),
    )


def default_data_dir() -> Path:
    """The shared data root: ``$COMMSIGNAL_SHARED_DATA`` or ``../shared/data`` next to the repo."""
    env = os.environ.get("COMMSIGNAL_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared" / "data"


def read_chitchat(path: Path, with_conversation: bool = False) -> Iterator[Any]:
    """Yields (speaker, text), or (conversation, speaker, text), from the chit-chat file."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                if with_conversation:
                    yield str(row["conversation"]), str(row["speaker"]), str(row["text"])
                else:
                    yield str(row["speaker"]), str(row["text"])


def read_irc(irc_dir: Path) -> Iterator[tuple[str, str]]:
    """Yields (nick, text) from ``*.ascii.txt`` IRC logs, skipping joins/quits and /me actions."""
    return read_irc_files(sorted(irc_dir.glob("*.ascii.txt")))


def read_irc_files(files: Iterable[Path]) -> Iterator[tuple[str, str]]:
    """Yields (nick, text) from the given IRC log files."""
    for file in files:
        with file.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                m = _IRC_LINE.match(line.rstrip("\n"))
                if m:  # '=== x joined' and '[07:35]  * nick action' lines do not match
                    yield m.group(1), m.group(2)


@dataclass(frozen=True)
class SpeakerReport:
    """How well per-speaker small-talk share separates social chatters from support-channel users."""

    n_positive: int
    n_negative: int
    min_messages: int
    auc: float
    """ROC AUC of the per-speaker share of messages flagged small talk."""
    auc_mean_probability: float
    """ROC AUC of the per-speaker mean small-talk probability (a smoother alternative)."""
    mean_share_positive: float
    mean_share_negative: float


def roc_auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """Mann-Whitney ROC AUC with ties counted as half (no sklearn needed).

    Args:
        positives: Scores of positive items.
        negatives: Scores of negative items.

    Returns:
        The probability that a random positive outscores a random negative.
    """
    if not positives or not negatives:
        return float("nan")
    pooled = sorted([(s, 1) for s in positives] + [(s, 0) for s in negatives])
    rank_sum = 0.0
    i = 0
    while i < len(pooled):
        j = i
        while j < len(pooled) and pooled[j][0] == pooled[i][0]:
            j += 1
        avg_rank = (i + 1 + j) / 2  # mean of 1-based ranks i+1..j
        rank_sum += avg_rank * sum(lab for _, lab in pooled[i:j])
        i = j
    n_pos, n_neg = len(positives), len(negatives)
    return (rank_sum - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)


def speaker_scores(
    rows: Iterable[tuple[str, str]], scorer: SmallTalkScorer, min_messages: int
) -> tuple[list[float], list[float]]:
    """Per-speaker (share flagged, mean probability) for speakers with enough messages."""
    rows = list(rows)
    flagged: dict[str, int] = defaultdict(int)
    prob: dict[str, float] = defaultdict(float)
    total: dict[str, int] = defaultdict(int)
    feats = scorer.score_many((t for _, t in rows), batch_size=1000)
    for (speaker, _), f in zip(rows, feats, strict=True):
        total[speaker] += 1
        flagged[speaker] += f.is_small_talk
        prob[speaker] += f.small_talk
    keep = [s for s, n in total.items() if n >= min_messages]
    return [flagged[s] / total[s] for s in keep], [prob[s] / total[s] for s in keep]


def evaluate_speakers(
    chitchat_path: Path, irc_dir: Path, scorer: SmallTalkScorer, min_messages: int = 20
) -> SpeakerReport:
    """ROC AUC of per-speaker small-talk share: chit-chat speakers vs Ubuntu IRC speakers.

    Args:
        chitchat_path: ``chitchat_dev.jsonl`` (purely social; positives).
        irc_dir: Folder of ``*.ascii.txt`` Ubuntu support logs (task talk; negatives).
        scorer: The scorer under test.
        min_messages: Speakers with fewer messages are left out (their share is noise).

    Returns:
        A :class:`SpeakerReport`.
    """
    pos_share, pos_prob = speaker_scores(read_chitchat(chitchat_path), scorer, min_messages)
    neg_share, neg_prob = speaker_scores(read_irc(irc_dir), scorer, min_messages)
    return SpeakerReport(
        n_positive=len(pos_share),
        n_negative=len(neg_share),
        min_messages=min_messages,
        auc=roc_auc(pos_share, neg_share),
        auc_mean_probability=roc_auc(pos_prob, neg_prob),
        mean_share_positive=sum(pos_share) / len(pos_share) if pos_share else 0.0,
        mean_share_negative=sum(neg_share) / len(neg_share) if neg_share else 0.0,
    )
