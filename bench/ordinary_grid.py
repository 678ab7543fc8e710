"""The issue-15 grid: the demo at several seeds and sizes, each evaluated against its ground truth.

Run `python -m bench.ordinary_grid --sizes 200 2000 --seeds 7 11 2026 31 99` (slow: the 2,000-person
runs take many minutes each); prints one line per run and the table for the closing note.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from commsignal.detect import load_rules
from commsignal.detect.evaluate import evaluate_week
from commsignal.store import open_db


def run_one(seed: int, size: int, root: Path) -> dict[str, object]:
    """One demo run and its evaluation as a flat row."""
    from commsignal.demo.run import run_demo

    out = root / f"s{seed}-n{size}"
    started = time.perf_counter()
    result = run_demo(out, seed=seed, n_people=size, progress=False)
    truth = json.loads((out / "ground-truth.json").read_text())
    ev = evaluate_week(open_db(out / "commsignal-demo.db"), truth, result.week, load_rules())
    d = ev.as_dict()
    lowest = min(r["risk"] for r in ev.planted)
    top_conf = max((r["risk"] for r in ev.confounders), default=0)
    return {
        "seed": seed,
        "people": size,
        "week": result.week,
        "planted_high": sum(r["level"] == "high" for r in ev.planted),
        "planted": len(ev.planted),
        "lowest_planted_risk": lowest,
        "top_confounder_risk": top_conf,
        "confounders_high": sum(r["level"] == "high" for r in ev.confounders),
        "confounders_medium": sum(r["level"] == "medium" for r in ev.confounders),
        "ordinary_medium_plus": d["ordinary_at_medium_or_above"],
        "ordinary": ev.ordinary,
        "ordinary_share_pct": round(100 * ev.ordinary_share, 2),
        "p_at_k": d["precision_at_k"],
        "ok": d["ok"],
        "seconds": round(time.perf_counter() - started, 1),
    }


def _limit_graph_concurrency(n: int) -> None:
    from commsignal.sources import sync

    original = sync.graph_settings

    def limited(config: Any) -> Any:
        settings = original(config)
        settings.concurrency = n
        return settings

    sync.graph_settings = limited  # type: ignore[assignment]


def main(argv: list[str] | None = None) -> int:
    """Run the grid and print it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200])
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 11, 2026, 31, 99])
    parser.add_argument("--out", type=Path, default=None, help="keep the runs here")
    parser.add_argument(
        "--graph-concurrency",
        type=int,
        default=None,
        help="fewer parallel Graph requests (the loopback server resets connections when loaded)",
    )
    args = parser.parse_args(argv)
    if args.graph_concurrency:
        _limit_graph_concurrency(args.graph_concurrency)
    root = args.out or Path(tempfile.mkdtemp(prefix="ordinary-grid-"))
    rows = []
    for size in args.sizes:
        for seed in args.seeds:
            for attempt in range(3):
                try:
                    row = run_one(seed, size, root / f"try{attempt}")
                    break
                except (
                    Exception
                ) as exc:  # a loaded machine resets loopback connections now and then
                    print(f"seed {seed} n={size} attempt {attempt + 1} failed: {exc!r}", flush=True)
            else:
                continue
            rows.append(row)
            print(json.dumps(row), flush=True)
    print(
        "| people | seed | planted high | lowest planted | top confounder | confounders high/medium "
        "| ordinary >= medium | p@k | ok |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['people']} | {r['seed']} | {r['planted_high']}/{r['planted']} | "
            f"{r['lowest_planted_risk']} | {r['top_confounder_risk']} | "
            f"{r['confounders_high']}/{r['confounders_medium']} | "
            f"{r['ordinary_medium_plus']}/{r['ordinary']} ({r['ordinary_share_pct']}%) | "
            f"{r['p_at_k']} | {r['ok']} |"
        )
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
