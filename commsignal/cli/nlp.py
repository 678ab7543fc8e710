"""``commsignal nlp ...``: score message files for small talk and run the reference evaluations."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from commsignal.store.files import private_open
from nlp.evaluate import (
    cross_validate_enron,
    default_data_dir,
    evaluate_enron,
    evaluate_speakers,
    find_reference_files,
    speaker_sets,
)
from nlp.jsonl import iter_objects
from nlp.scorer import SmallTalkScorer

PROGRESS_EVERY = 1000


def _read_rows(path: Path, field: str) -> Iterator[tuple[dict[str, Any], str]]:
    """Streams (row, text) from a JSONL file, raising ClickException with the line number."""
    try:
        for lineno, row in iter_objects(path):
            if field not in row:
                raise click.ClickException(
                    f"{path}:{lineno}: no field {field!r}; pass --text-field with the name "
                    "of the field holding the message text"
                )
            text = row[field]
            yield row, text if isinstance(text, str) else ""
    except ValueError as exc:
        raise click.ClickException(f"{exc}; fix or remove that line") from None


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
        private_open(tmp) as out,
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
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder holding the reference files (itself or its smalltalk/ subfolder): "
    "enron*.jsonl, chitchat*.jsonl and *irc*/ day logs. Default: ../shared/data or "
    "$COMMSIGNAL_SHARED_DATA.",
)
@click.option(
    "--enron",
    "enron_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A labelled Enron JSONL file (repeatable); replaces the ones found under --data.",
)
@click.option(
    "--chitchat",
    "chitchat_files",
    multiple=True,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A chit-chat JSONL file (repeatable; positives of the speaker evaluation).",
)
@click.option(
    "--irc",
    "irc_dirs",
    multiple=True,
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="A folder of IRC day logs (repeatable; negatives of the speaker evaluation).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON instead.")
def evaluate_cmd(
    data_dir: Path | None,
    enron_files: tuple[Path, ...],
    chitchat_files: tuple[Path, ...],
    irc_dirs: tuple[Path, ...],
    as_json: bool,
) -> None:
    """Run the Enron social-email and chat-speaker evaluations and print a table.

    Trained parts are only ever scored on emails they did not learn from: each model
    records fingerprints of its training emails and those rows are left out (and counted).
    The shipped email model learnt from every email of the dev file, so on that file its
    quality is shown by 5-fold cross-validation; on any other labelled file it is scored
    directly.
    """
    found = find_reference_files(data_dir or default_data_dir())
    enron = enron_files or found.enron
    chitchat = chitchat_files or found.chitchat
    irc = irc_dirs or found.irc
    if not enron and not (chitchat and irc):
        raise click.ClickException(
            f"no reference data found under {data_dir or default_data_dir()}; pass --data DIR "
            "(holding enron*.jsonl, chitchat*.jsonl and an *irc*/ folder), or --enron / "
            "--chitchat / --irc, or set COMMSIGNAL_SHARED_DATA"
        )
    rules = SmallTalkScorer(use_textcat=False)
    full = SmallTalkScorer()
    runs = [("rules (own words)", rules, "text")]
    if full.textcat_enabled:
        runs.append(("rules + textcat (own words)", full, "text"))
    if full.email_model is not None:
        runs.append(("email model (subject + thread)", full, "email"))
    table = Table(
        title="commsignal nlp evaluation",
        caption=(
            "rows = distinct email bodies scored; trained models never score an email they "
            "learnt from (left out, counted). cv: each fold's model retrained on the other "
            "folds of the same file. speakers: rules only, nothing trained on chat."
        ),
    )
    table.add_column("labelled set", overflow="fold", max_width=26)
    table.add_column("scorer", overflow="fold", max_width=22)
    table.add_column("rows scored", overflow="fold", max_width=24)
    table.add_column("result", overflow="fold", min_width=40)
    records: list[dict[str, Any]] = []
    for path in enron:
        for name, scorer, method in runs:
            try:
                r = evaluate_enron(path, scorer, method=method)
            except ValueError as exc:
                raise click.ClickException(f"{exc}; fix or remove that line") from None
            records.append({"evaluation": "enron", "file": path.name, "scorer": name, **asdict(r)})
            rows = f"{r.n_social} social / {r.n_work} work"
            if r.n_trained_left_out:
                rows += f" ({r.n_trained_left_out} trained on, left out)"
            if r.n_social + r.n_work == 0:
                result = "no unseen rows: see cv"
            else:
                result = f"P {r.precision:.3f}  R {r.recall:.3f}  F1 {r.f1:.3f}"
                if r.n_mixed:
                    result += f"; {r.mixed_share_social:.0%} of {r.n_mixed} mixed called social"
            table.add_row(f"{path.name}: social vs work", name, rows, result)
        try:
            cv = cross_validate_enron(path)
        except ValueError as exc:
            table.add_row(f"{path.name}: social vs work", "email model, cv", "-", f"skipped: {exc}")
            records.append({"evaluation": "enron_cv", "file": path.name, "skipped": str(exc)})
            continue
        records.append({"evaluation": "enron_cv", "file": path.name, **asdict(cv)})
        table.add_row(
            f"{path.name}: social vs work",
            f"email model, {cv.folds}-fold cv x {cv.repeats}",
            f"{cv.n_social} social / {cv.n_work} work",
            f"P {cv.precision:.3f}  R {cv.recall:.3f}  F1 {cv.f1:.3f} "
            f"(F1 per repeat {min(cv.repeat_f1):.3f}-{max(cv.repeat_f1):.3f})",
        )
    for chat_files, irc_dirs in speaker_sets(chitchat, irc):
        s = evaluate_speakers(chat_files, irc_dirs, rules)
        records.append(
            {
                "evaluation": "speakers",
                "files": [p.name for p in (*chat_files, *irc_dirs)],
                "scorer": "rules",
                **asdict(s),
            }
        )
        table.add_row(
            "speakers: "
            + " + ".join(p.name for p in chat_files)
            + " vs "
            + " + ".join(p.name for p in irc_dirs),
            "rules",
            f"{s.n_positive} social / {s.n_negative} support speakers, >= {s.min_messages} msgs",
            f"ROC AUC {s.auc:.3f} (share flagged), {s.auc_mean_probability:.3f} (mean p)",
        )
    if as_json:
        click.echo(json.dumps(records, indent=1))
        return
    console = Console()
    if not console.is_terminal:
        console = Console(width=130)  # files and pipes: wide enough that results never wrap
    console.print(table)
