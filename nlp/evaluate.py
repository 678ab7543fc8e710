"""Evaluations of the scorer on labelled reference data (library only, no printing).

On the shared development data these are development figures, not held-out ones: features and
thresholds were chosen looking at them. Only a labelled set nobody tuned on gives a held-out number.
"""

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

from nlp.email_model import (
    CV_FOLDS,
    body_key,
    email_features,
    email_text,
    fit_email_model,
    fold_of,
)
from nlp.jsonl import iter_objects
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


def read_enron(path: Path) -> list[dict[str, str]]:
    """Reads labelled email rows, normalised so a held-out file of the same kind reads as well.

    ``id`` falls back to ``file:line``, ``label`` is lower-cased (``personal`` counts as
    ``social``, ``business`` as ``work``), ``text`` may also be called ``body``.

    Args:
        path: A JSONL file, one email per line.

    Returns:
        Rows with ``id``, ``label``, ``subject`` and ``text`` always present (strings).

    Raises:
        ValueError: A line is not a JSON object; the message names the file and line.
    """
    rows = []
    for lineno, row in iter_objects(path):
        label = str(row.get("label") or "").strip().lower()
        row["label"] = _LABEL_ALIASES.get(label, label)
        row["id"] = str(row.get("id") or f"{path.name}:{lineno}")
        row["subject"] = str(row.get("subject") or "")
        row["text"] = str(row.get("text") or row.get("body") or "")
        rows.append(row)
    return rows


_LABEL_ALIASES = {"personal": "social", "business": "work", "professional": "work"}


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
    test_bodies = {body_key(r.get("text", "")) for r in rows if enron_split(r["id"]) == "test"}
    seen: set[str] = set()
    out = []
    for row in rows:
        key = body_key(row.get("text", ""))
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
    """Social-vs-work quality on the Enron rows a scorer never saw; mixed emails reported apart."""

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
    n_trained_left_out: int = 0
    """Rows of the split left out because the scorer was trained on them."""


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1, with 0.0 for empty denominators."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _report(
    split: str, method: str, labels: Sequence[str], preds: Sequence[bool], left_out: int = 0
) -> EnronReport:
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
        n_trained_left_out=left_out,
    )


def trained_on(scorer: SmallTalkScorer, method: str) -> frozenset[str]:
    """Fingerprints of the labelled emails behind the scorer's trained part for ``method``.

    Args:
        scorer: The scorer under test.
        method: ``"email"`` (the email model) or ``"text"`` (the textcat, when enabled).

    Returns:
        :func:`~nlp.email_model.body_key` values; empty for the rules, which learnt nothing.
    """
    if method == "email" and scorer.email_model is not None:
        return frozenset(scorer.email_model.trained_on)
    if method == "text" and scorer.textcat_enabled:
        return scorer.textcat_trained_on
    return frozenset()


def evaluate_enron(
    path: Path, scorer: SmallTalkScorer, split: str = "all", method: str = "email"
) -> EnronReport:
    """Precision/recall/F1 of ``social`` against ``work`` on the rows the scorer never saw.

    Any email whose body the scorer's trained part learnt from (see :func:`trained_on`) is
    left out and counted in ``n_trained_left_out``, so a score is never reported on training
    data, whichever labelled file is passed.

    Args:
        path: A labelled Enron file (id, label, subject, text per line).
        scorer: The scorer under test.
        split: ``"all"`` (every distinct body), or the ``"test"``/``"train"`` hash split;
            duplicates are resolved as in :func:`enron_rows`.
        method: ``"email"`` scores subject + raw body with ``score_email`` (the email model
            when the scorer has it); ``"text"`` scores the subject + own words with ``score``.

    Returns:
        An :class:`EnronReport`.
    """
    seen = trained_on(scorer, method)
    candidates = enron_rows(path, split)
    rows = [r for r in candidates if body_key(r.get("text", "")) not in seen]
    if method == "email":
        pairs = ((r.get("subject", ""), r.get("text", "")) for r in rows)
        feats = list(scorer.score_emails(pairs))
    else:
        texts = [email_text(r.get("subject", ""), r.get("text", "")) for r in rows]
        feats = list(scorer.score_many(texts, batch_size=64))
    labels = [r["label"] for r in rows]
    preds = [f.is_small_talk for f in feats]
    return _report(split, method, labels, preds, left_out=len(candidates) - len(rows))


@dataclass(frozen=True)
class CrossValidationReport:
    """Repeated k-fold quality of the email model over one file (each fold trained on the rest)."""

    folds: int
    repeats: int
    n_social: int
    n_work: int
    precision: float
    recall: float
    f1: float
    """Means over the repeats; each repeat pools the out-of-fold predictions of its folds."""
    repeat_f1: tuple[float, ...]
    """F1 of each repeat: how much the estimate moves with the fold assignment alone."""


CV_REPEATS = 5
"""With ~55 positives one fold assignment moves F1 by +-0.03; the mean of 5 is steadier."""


def cross_validate_enron(
    path: Path, folds: int = CV_FOLDS, repeats: int = CV_REPEATS
) -> CrossValidationReport:
    """Trains the email model on k-1 folds and predicts the k-th, rotating, ``repeats`` times.

    Each distinct body is one row (``enron_rows(path, "all")``); ``mixed`` rows are left out.
    Each repeat assigns folds by a different hash of the id; every fold's model is fitted
    exactly as ``python -m nlp.train`` fits the shipped one.

    Args:
        path: A labelled Enron file.
        folds: Number of folds.
        repeats: Number of fold assignments.

    Returns:
        A :class:`CrossValidationReport`.

    Raises:
        ValueError: Too few social or work emails for ``folds`` folds.
    """
    rules = SmallTalkScorer(use_textcat=False, cache_size=0)
    rows = [r for r in enron_rows(path, "all") if r["label"] in ("social", "work")]
    feats = [
        email_features(r.get("subject", ""), r.get("text", ""), rules.count_cues, rule_logit)
        for r in rows
    ]
    labels = [r["label"] == "social" for r in rows]
    keys = [str(r["id"]) for r in rows]
    n_social = sum(labels)
    if min(n_social, len(rows) - n_social) < 2 * folds:
        raise ValueError(
            f"{path.name}: {n_social} social and {len(rows) - n_social} work emails; "
            f"{folds}-fold cross-validation needs at least {2 * folds} of each"
        )
    scores: list[tuple[float, float, float]] = []
    for repeat in range(repeats):
        fold = [fold_of(f"cv{repeat or ''}{k}", folds) for k in keys]
        tp = fp = fn = 0
        for k in range(folds):
            train = [i for i in range(len(rows)) if fold[i] != k]
            if not any(labels[i] for i in train):
                continue
            model = fit_email_model([feats[i] for i in train], [labels[i] for i in train])
            for i in range(len(rows)):
                if fold[i] == k:
                    pred = model.logit(feats[i]) >= 0.0
                    tp += pred and labels[i]
                    fp += pred and not labels[i]
                    fn += (not pred) and labels[i]
        scores.append(_prf(tp, fp, fn))
    return CrossValidationReport(
        folds=folds,
        repeats=repeats,
        n_social=n_social,
        n_work=len(rows) - n_social,
        precision=sum(s[0] for s in scores) / len(scores),
        recall=sum(s[1] for s in scores) / len(scores),
        f1=sum(s[2] for s in scores) / len(scores),
        repeat_f1=tuple(s[2] for s in scores),
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


def irc_files(irc_dir: Path) -> list[Path]:
    """The day files of an IRC log folder: ``*.ascii.txt``, else any ``*.txt``."""
    return sorted(irc_dir.glob("*.ascii.txt")) or sorted(irc_dir.glob("*.txt"))


def read_irc(irc_dir: Path) -> Iterator[tuple[str, str]]:
    """Yields (nick, text) from an IRC log folder, skipping joins/quits and /me actions."""
    return read_irc_files(irc_files(irc_dir))


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
    chitchat: Path | Sequence[Path],
    irc: Path | Sequence[Path],
    scorer: SmallTalkScorer,
    min_messages: int = 20,
) -> SpeakerReport:
    """ROC AUC of per-speaker small-talk share: chit-chat speakers vs Ubuntu IRC speakers.

    Args:
        chitchat: Chit-chat JSONL file(s) (purely social; positives).
        irc: Folder(s) of Ubuntu support day logs (task talk; negatives).
        scorer: The scorer under test.
        min_messages: Speakers with fewer messages are left out (their share is noise).

    Returns:
        A :class:`SpeakerReport`; a speaker is counted per file or folder (names may repeat).
    """
    chat_files = [chitchat] if isinstance(chitchat, Path) else list(chitchat)
    irc_dirs = [irc] if isinstance(irc, Path) else list(irc)
    positives = (
        (f"{path.name}:{speaker}", text)
        for path in chat_files
        for speaker, text in read_chitchat(path)
    )
    negatives = ((f"{d.name}:{nick}", text) for d in irc_dirs for nick, text in read_irc(d))
    pos_share, pos_prob = speaker_scores(positives, scorer, min_messages)
    neg_share, neg_prob = speaker_scores(negatives, scorer, min_messages)
    return SpeakerReport(
        n_positive=len(pos_share),
        n_negative=len(neg_share),
        min_messages=min_messages,
        auc=roc_auc(pos_share, neg_share),
        auc_mean_probability=roc_auc(pos_prob, neg_prob),
        mean_share_positive=sum(pos_share) / len(pos_share) if pos_share else 0.0,
        mean_share_negative=sum(neg_share) / len(neg_share) if neg_share else 0.0,
    )


@dataclass(frozen=True)
class ReferenceFiles:
    """The labelled files one ``nlp evaluate`` run reads (any of the lists may be empty)."""

    enron: tuple[Path, ...]
    chitchat: tuple[Path, ...]
    irc: tuple[Path, ...]


def find_reference_files(root: Path) -> ReferenceFiles:
    """Finds the reference files under a data folder, by kind rather than by exact name.

    Looks in ``root/smalltalk`` (the shared-data layout) or in ``root`` itself, for
    ``enron*.jsonl``, ``chitchat*.jsonl`` and ``*irc*`` folders, so a held-out set laid out
    the same way (``enron_berkeley_test.jsonl``, ``ubuntu_irc_test/``) is found unchanged.

    Args:
        root: The data folder.

    Returns:
        The files found, sorted by name.
    """
    base = root / "smalltalk" if (root / "smalltalk").is_dir() else root
    irc = tuple(d for d in sorted(base.glob("*irc*")) if d.is_dir() and irc_files(d))
    return ReferenceFiles(
        enron=tuple(p for p in sorted(base.glob("enron*.jsonl")) if p.is_file()),
        chitchat=tuple(p for p in sorted(base.glob("chitchat*.jsonl")) if p.is_file()),
        irc=irc,
    )


def _set_name(path: Path) -> str:
    """The set a reference file belongs to: the last ``_`` part of its name (``dev``, ``test``)."""
    return path.name.split(".", 1)[0].rsplit("_", 1)[-1]


def speaker_sets(
    chitchat: Sequence[Path], irc: Sequence[Path]
) -> list[tuple[tuple[Path, ...], tuple[Path, ...]]]:
    """Pairs chat files with IRC folders of the same set, so dev and test are never pooled.

    ``chitchat_test.jsonl`` goes with ``ubuntu_irc_test/``; when the names share no set (or
    only one of each is given), everything is evaluated together.

    Args:
        chitchat: Chit-chat files.
        irc: IRC log folders.

    Returns:
        (chat files, IRC folders) per evaluation; empty when either side is missing.
    """
    if not chitchat or not irc:
        return []
    shared = sorted({_set_name(p) for p in chitchat} & {_set_name(d) for d in irc})
    if not shared or (len(chitchat) == 1 and len(irc) == 1):
        return [(tuple(chitchat), tuple(irc))]
    return [
        (
            tuple(p for p in chitchat if _set_name(p) == name),
            tuple(d for d in irc if _set_name(d) == name),
        )
        for name in shared
    ]
