"""``commsignal nlp ...``: score message files for small talk and run the reference evaluations."""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from nlp.evaluate import (
    CHITCHAT_FILE,
    ENRON_FILE,
    IRC_DIR,
    cross_validate_enron,
    default_data_dir,
    evaluate_enron,
    evaluate_speakers,
)
from nlp.scorer import SmallTalkScorer

PROGRESS_EVERY = 1000


def _read_rows(path: Path, field: str) -> Iterator[tuple[dict[str, Any], str]]:
    """Streams (row, text) from a JSONL file, raising ClickException with the line number."""
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise click.ClickException(
                    f"{path}:{lineno}: not valid JSON ({exc.msg}); fix or remove that line"
                ) from exc
            if not isinstance(row, dict) or field not in row:
                raise click.ClickException(
                    f"{path}:{lineno}: no field {field!r}; pass --text-field with the name "
                    "of the field holding the message text"
                )
            text = row[field]
            yield row, text if isinstance(text, str) else ""


def _subject(row: dict[str, Any], field: str) -> str:
    """The subject of an email row; absent or non-text subjects count as empty."""
    value = row.get(field, "")
    return value if isinstance(value, str) else ""


@click.group(name="nlp")
def nlp_group() -> None:
    """Score chat text for social small talk and check the scorer on reference data."""


@nlp_group.command("score")
@click.option("--input", "input_path", required=True, type=click.Path(path_type=Path))
@click.option("--text-field", default="text", show_default=True, help="JSON field with the text.")
@click.option("--output", "output_path", required=True, type=click.Path(path_type=Path))
@click.option(
    "--subject-field",
    default=None,
    help="Score rows as emails: JSON field with the subject; the text field holds the raw body.",
)
def score_cmd(
    input_path: Path, text_field: str, output_path: Path, subject_field: str | None
) -> None:
    """Add small_talk, is_small_talk and cues to every line of a JSONL file, streaming."""
    if not input_path.is_file():
        raise click.ClickException(f"input file not found: {input_path}; check the --input path")
    scorer = SmallTalkScorer()
    rows: deque[dict[str, Any]] = deque()
    err = Console(stderr=True)

    def texts() -> Iterator[str]:
        # The rows are held only until their features come back from the same batch.
        for row, text in _read_rows(input_path, text_field):
            rows.append(row)
            yield text

    n = n_small = 0
    tmp = output_path.with_name(output_path.name + ".partial")
    with (
        tmp.open("w", encoding="utf-8") as out,
        Progress(
            SpinnerColumn(),
            TextColumn("{task.completed:,} messages scored"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        ) as progress,
    ):
        task = progress.add_task("score", total=None)
        try:
            if subject_field is None:
                results = scorer.score_many(texts())
            else:
                # Email mode: the row is already queued by texts(); the subject rides along.
                results = scorer.score_emails(
                    (_subject(rows[-1], subject_field), body) for body in texts()
                )
            for feats in results:
                row = rows.popleft()
                row["small_talk"] = round(feats.small_talk, 4)
                row["is_small_talk"] = feats.is_small_talk
                row["cues"] = list(feats.cues)
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
                n_small += feats.is_small_talk
                if n % PROGRESS_EVERY == 0:
                    progress.update(task, completed=n)
        except click.ClickException:
            out.close()
            tmp.unlink(missing_ok=True)
            raise
    tmp.replace(output_path)
    click.echo(f"scored {n} messages, {n_small} small talk -> {output_path}")


@nlp_group.command("evaluate")
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=None)
def evaluate_cmd(data_dir: Path | None) -> None:
    """Run the Enron social-email and chat-speaker evaluations and print a table."""
    root = data_dir or default_data_dir()
    base = root / "smalltalk"
    needed = [base / ENRON_FILE, base / CHITCHAT_FILE, base / IRC_DIR]
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        raise click.ClickException(
            f"reference data not found: {', '.join(missing)}; pass --data DIR or set "
            "COMMSIGNAL_SHARED_DATA to the folder that holds smalltalk/"
        )
    rules = SmallTalkScorer(use_textcat=False)
    full = SmallTalkScorer()
    table = Table(
        title=f"commsignal nlp evaluation ({os.fspath(root)})",
        caption=(
            "enron test = ids whose sha1 first byte is odd, each distinct body once; trained "
            "models saw only even ids (minus bodies that also occur in test). cv = 5 folds over "
            "all distinct bodies, each fold's model trained on the other 4. speakers: rules "
            "only, nothing trained on the chat files."
        ),
    )
    for col in ("evaluation", "scorer", "split / set", "n", "metric", "value"):
        table.add_column(col)
    runs = [("rules (own words)", rules, "text")]
    if full.textcat_enabled:
        runs.append(("rules+textcat (own words)", full, "text"))
    if full.email_model is not None:
        runs.append(("email model (subject + thread)", full, "email"))
    for name, scorer, method in runs:
        r = evaluate_enron(base / ENRON_FILE, scorer, split="test", method=method)
        n = f"{r.n_social} social / {r.n_work} work"
        split = "enron test (sha1 odd)"
        table.add_row(
            "enron social vs work",
            name,
            split,
            n,
            "P / R / F1",
            f"{r.precision:.3f} / {r.recall:.3f} / {r.f1:.3f}",
        )
        table.add_row(
            "enron mixed",
            name,
            split,
            str(r.n_mixed),
            "share predicted social",
            f"{r.mixed_share_social:.3f}",
        )
    cv = cross_validate_enron(base / ENRON_FILE)
    table.add_row(
        "enron social vs work",
        "email model, retrained per fold",
        f"{cv.folds}-fold cv, whole file",
        f"{cv.n_social} social / {cv.n_work} work",
        "P / R / F1 (fold F1 range)",
        f"{cv.precision:.3f} / {cv.recall:.3f} / {cv.f1:.3f} "
        f"({min(cv.fold_f1):.2f}-{max(cv.fold_f1):.2f})",
    )
    s = evaluate_speakers(base / CHITCHAT_FILE, base / IRC_DIR, rules)
    table.add_row(
        "speakers chitchat vs ubuntu irc",
        "rules",
        f"all speakers with >= {s.min_messages} msgs",
        f"{s.n_positive} pos / {s.n_negative} neg",
        "ROC AUC (share / mean p)",
        f"{s.auc:.3f} / {s.auc_mean_probability:.3f}",
    )
    Console().print(table)
