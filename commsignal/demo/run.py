"""`commsignal demo`: a simulated organisation served by fake Slack and Graph, run through every real stage."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from rich.console import Console

from commsignal.config import load_config
from commsignal.ingest import Ingestor
from commsignal.pipeline import DigestResult, run_digest
from commsignal.store import open_db
from commsignal.store.files import atomic_write, private_dir
from commsignal.store.keys import load_or_create_key
from commsignal.weeks import week_of

# Package data beside this module, so `commsignal demo` works from a wheel install, not only a checkout.
DEMO_CONFIG: Traversable = resources.files("commsignal.demo") / "demo.toml"
DEMO_SLACK_TOKEN = "xoxb-demo-not-a-real-token"
DEMO_GRAPH_TOKEN = "demo-graph-token"


class _Steps:
    """Prints each stage with its duration, so a long demo shows where it is."""

    def __init__(self, console: Console | None) -> None:
        self.console = console

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        started = time.perf_counter()
        if self.console:
            self.console.print(f"[bold]>[/bold] {label} ...")
        yield
        if self.console:
            self.console.print(f"  done in {time.perf_counter() - started:.1f}s")


def run_demo(
    out_dir: str | Path = "./commsignal-demo",
    seed: int = 7,
    n_people: int = 200,
    weeks: int = 4,
    progress: bool = True,
) -> DigestResult:
    """Simulate, serve, sync, import, analyse and write the digest of the last simulated week.

    Args:
        out_dir: folder for the database, the login file, the ground truth and the digest.
        seed: simulation seed.
        n_people: simulated employees.
        weeks: simulated weeks.
        progress: print stages and progress bars on stderr.

    Returns:
        The digest result for the last week.
    """
    from commsignal.analysis.session_store import rebuild_sessions_in_db
    from commsignal.demo.fake_graph import FakeGraph
    from commsignal.demo.fake_slack import FakeSlack
    from commsignal.demo.login_csv import write_workstation_csv
    from commsignal.demo.simulate import simulate
    from commsignal.sources.logins import LoginImportOptions, import_login_files
    from commsignal.sources.m365 import sync_m365
    from commsignal.sources.slack import sync_slack
    from commsignal.sources.sync import graph_settings, slack_settings
    from nlp import SmallTalkScorer

    console = Console(stderr=True) if progress else None
    steps = _Steps(console)
    out = private_dir(out_dir)
    db_path = out / "commsignal-demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)

    with steps.step(f"simulating {n_people} people over {weeks} weeks (seed {seed})"):
        world = simulate(seed=seed, n_people=n_people, weeks=weeks)
        atomic_write(
            out / "ground-truth.json", json.dumps(world.ground_truth, indent=2, sort_keys=True)
        )
        logins_dir = private_dir(out / "logins")
        csv_path = logins_dir / "workstation.csv"
        write_workstation_csv(world, csv_path)

    os.environ["COMMSIGNAL_DEMO_SLACK_TOKEN"] = DEMO_SLACK_TOKEN
    os.environ["COMMSIGNAL_DEMO_GRAPH_TOKEN"] = DEMO_GRAPH_TOKEN
    with resources.as_file(DEMO_CONFIG) as demo_config:
        config = load_config(demo_config)
    config.detect.hosting_cidrs = list(
        world.ground_truth.get("hosting_cidrs", config.detect.hosting_cidrs)
    )
    # two managers "opted in" to engagement notes about their own teams
    managers = sorted({p.manager_key for p in world.people if p.manager_key})
    config.alerts.enabled = True
    config.alerts.opt_in = [world.person(k).email for k in managers[:2]]
    db = open_db(db_path)
    pseudonyms = load_or_create_key(db_path, None)
    ingestor = Ingestor(db, pseudonyms, SmallTalkScorer())

    with FakeSlack(world, token=DEMO_SLACK_TOKEN) as slack, FakeGraph(world) as graph:
        config.slack.base_url = slack.base_url
        config.m365.base_url = graph.base_url
        with steps.step(f"syncing Slack from the fake server at {slack.base_url}"):
            sync_slack(db, ingestor, slack_settings(config), progress=progress)
        with steps.step(f"syncing Microsoft 365 from the fake Graph server at {graph.base_url}"):
            settings = graph_settings(config)
            settings.now = world.start + world.weeks * 7 * 86400
            sync_m365(db, ingestor, settings, progress=progress)

    with steps.step(f"importing workstation logons from {csv_path}"):
        import_login_files(
            db, Ingestor(db, pseudonyms, None), "csv", [csv_path], LoginImportOptions()
        )
        rebuild_sessions_in_db(db)

    week = week_of(world.start + (world.weeks * 7 - 1) * 86400 + 43200, config.digest.timezone)
    with steps.step(f"computing features, findings and the digest for {week}"):
        result = run_digest(
            db, config, week, pseudonyms, out_dir=out, formats=["html", "md", "json"]
        )
    return result
