"""Rebuilds the shipped models: ``python -m nlp.train [--data DIR]`` (deterministic).

Both record a fingerprint (``nlp.email_model.body_key``) of every labelled email they learnt
from, and ``nlp evaluate`` leaves those emails out, so no score is reported on training data:

``email_social.json``: the email model (``nlp.email_model``), a 15-feature class-weighted
logistic regression trained on every distinct ``social`` or ``work`` email of the Enron dev
file (``mixed`` left out). Its quality on
that file is therefore reported by cross-validation (each fold's model retrained without it),
and on any other labelled file of the same kind directly.

``smalltalk_textcat``: the text classifier for long texts in ``score()``, trained on:
* the ``train`` hash split of the Enron file (emails whose body also occurs in the ``test``
  split dropped, see ``nlp.evaluate.enron_rows``);
* windows of 4 consecutive chat lines from the train half of the chit-chat conversations (MIT)
  and of the Ubuntu IRC logs (CC-BY-4.0), so that it learns social vs task vocabulary beyond
  Enron's 2000-2001 energy-trading topics.
Only weights are shipped; no training text is stored in the repository.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import spacy
from spacy.pipeline import TextCategorizer
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

from nlp.email_model import (
    EMAIL_MODEL_FILE,
    EmailModel,
    body_key,
    email_features,
    fit_email_model,
)
from nlp.evaluate import (
    CHITCHAT_FILE,
    ENRON_FILE,
    IRC_DIR,
    default_data_dir,
    email_text,
    enron_rows,
    read_chitchat,
    read_irc_files,
)
from nlp.scorer import MODEL_DIR, TEXTCAT_LABEL, TRAINED_ON_FILE, SmallTalkScorer, rule_logit

SEED = 0
EPOCHS = 10
WINDOW = 4
MAX_WINDOWS = 600
TEXTCAT_CONFIG = {
    "model": {
        "@architectures": "spacy.TextCatBOW.v3",
        "exclusive_classes": True,
        "ngram_size": 1,
        "no_output_layer": False,
        "length": 131072,  # 2^17 hashed features: ~1 MB of weights, plenty for this vocabulary
    }
}


def _in_train_half(key: str) -> bool:
    """Same hash rule as the Enron split, applied to chat conversations and IRC files."""
    return hashlib.sha1(key.encode()).digest()[0] % 2 == 0


def _windows(lines: Sequence[str], rng: random.Random) -> list[str]:
    """Joins consecutive chat lines into email-sized snippets and samples a fixed number."""
    out = [" ".join(lines[i : i + WINDOW]) for i in range(0, len(lines) - WINDOW + 1, WINDOW)]
    rng.shuffle(out)
    return out[:MAX_WINDOWS]


def textcat_enron_rows(data_dir: Path) -> list[dict[str, Any]]:
    """The labelled Enron emails the textcat learns from (train split, social or work)."""
    rows = enron_rows(data_dir / "smalltalk" / ENRON_FILE, "train")
    return [r for r in rows if r["label"] in ("social", "work")]


def training_examples(data_dir: Path) -> list[tuple[str, bool]]:
    """Builds (text, is_social) pairs from the train halves of the shared data.

    Args:
        data_dir: The shared data root (holding ``smalltalk/``).

    Returns:
        Labelled texts, in a deterministic order.
    """
    base = data_dir / "smalltalk"
    rng = random.Random(SEED)
    pairs: list[tuple[str, bool]] = [
        (email_text(row.get("subject", ""), row["text"]), row["label"] == "social")
        for row in textcat_enron_rows(data_dir)
    ]
    by_conv: dict[str, list[str]] = {}
    for conv, _speaker, text in read_chitchat(base / CHITCHAT_FILE, with_conversation=True):
        if _in_train_half(conv):
            by_conv.setdefault(conv, []).append(text)
    chat = [t for conv in sorted(by_conv) for t in by_conv[conv]]
    pairs += [(t, True) for t in _windows(chat, rng)]
    files = [f for f in sorted((base / IRC_DIR).glob("*.ascii.txt")) if _in_train_half(f.name)]
    irc = [text for _nick, text in read_irc_files(files)]
    pairs += [(t, False) for t in _windows(irc, rng)]
    return pairs


def train(data_dir: Path, out_dir: Path = MODEL_DIR) -> int:
    """Trains the BOW text classifier and writes it with ``nlp.to_disk``.

    Args:
        data_dir: The shared data root.
        out_dir: Where the pipeline is written (replaced if present).

    Returns:
        The number of training examples used.
    """
    fix_random_seed(SEED)
    rng = random.Random(SEED)
    nlp = spacy.blank("en")
    textcat = cast(TextCategorizer, nlp.add_pipe("textcat", config=TEXTCAT_CONFIG))
    textcat.add_label(TEXTCAT_LABEL)
    textcat.add_label("WORK")
    examples = [
        Example.from_dict(
            nlp.make_doc(text), {"cats": {TEXTCAT_LABEL: float(social), "WORK": float(not social)}}
        )
        for text, social in training_examples(data_dir)
    ]
    optimizer = nlp.initialize(lambda: examples)
    for _ in range(EPOCHS):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=16):
            nlp.update(batch, sgd=optimizer)
    # Ship weights only: a fresh pipeline receives the trained model, so the saved vocabulary
    # holds spaCy's base strings and none of the training words.
    clean = spacy.blank("en")
    shipped = cast(TextCategorizer, clean.add_pipe("textcat", config=TEXTCAT_CONFIG))
    for label in textcat.labels:
        shipped.add_label(label)
    clean.initialize()
    shipped.model.from_bytes(textcat.model.to_bytes())
    if out_dir.exists():
        shutil.rmtree(out_dir)
    clean.to_disk(out_dir)
    keys = sorted({body_key(r["text"]) for r in textcat_enron_rows(data_dir)})
    (out_dir / TRAINED_ON_FILE).write_text(json.dumps(keys, indent=0) + "\n", encoding="utf-8")
    return len(examples)


def train_email_model(data_dir: Path, out_file: Path = EMAIL_MODEL_FILE) -> EmailModel:
    """Fits the email model on every distinct labelled Enron email; writes weights as JSON.

    Args:
        data_dir: The shared data root.
        out_file: Where the model is written (replaced if present).

    Returns:
        The fitted model.
    """
    rules = SmallTalkScorer(use_textcat=False, cache_size=0)
    rows = [
        r
        for r in enron_rows(data_dir / "smalltalk" / ENRON_FILE, "all")
        if r["label"] in ("social", "work")
    ]
    feats = [
        email_features(r.get("subject", ""), r.get("text", ""), rules.count_cues, rule_logit)
        for r in rows
    ]
    model = fit_email_model(
        feats, [r["label"] == "social" for r in rows], [body_key(r["text"]) for r in rows]
    )
    model.to_json(out_file)
    return model


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m nlp.train", description=__doc__)
    parser.add_argument("--data", type=Path, default=None, help="shared data root")
    parser.add_argument("--out", type=Path, default=MODEL_DIR, help="output pipeline folder")
    args = parser.parse_args(argv)
    data_dir = args.data or default_data_dir()
    n = train(data_dir, args.out)
    print(f"trained textcat on {n} examples -> {args.out}")
    email_out = args.out.parent / EMAIL_MODEL_FILE.name
    model = train_email_model(data_dir, email_out)
    print(f"trained email model ({len(model.trained_on)} emails) -> {email_out}")


if __name__ == "__main__":
    main()
