"""`make bench`: run every area's benchmark, print one table and write docs/benchmarks.md."""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

AREAS = [
    "bench_nlp",
    "bench_slack",
    "bench_m365",
    "bench_logins",
    "bench_pipeline",
    "bench_identity",
    "bench_digest",
]
OUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return str(value)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks (all areas, or those named) and write the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("areas", nargs="*", help="areas to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")
    parser.add_argument(
        "--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone"
    )
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    failed = []
    load_before = os.getloadavg()[0]
    for name in args.areas or AREAS:
        module_name = name if name.startswith("bench_") else f"bench_{name}"
        started = time.perf_counter()
        print(f"running {module_name} ...", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(f"bench.{module_name}")
            rows.extend(module.run(quick=args.quick))
        except Exception:  # one broken area must not hide the others' numbers
            traceback.print_exc()
            failed.append(module_name)
        print(f"  {module_name}: {time.perf_counter() - started:.1f}s", file=sys.stderr)
    header = "| area | metric | value | unit | target | note |\n|---|---|---:|---|---|---|\n"
    body = "".join(
        f"| {r['area']} | {r['metric']} | {_fmt(r['value'])} | {r.get('unit', '')} | {r.get('target', '')} | {r.get('note', '')} |\n"
        for r in rows
    )
    print(header + body)
    if not args.no_write:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(
            "# Benchmarks\n\n"
            f"Measured by `make bench` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
            f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
            f"{' (quick run: smaller inputs)' if args.quick else ''}.\n"
            "Numbers are from one run on a 2-core machine; ratios within a run are more stable than absolute values.\n"
            # other work on the machine inflates every time below, so the table says how busy it was
            f"1-minute load average {load_before:.1f} at the start and {os.getloadavg()[0]:.1f} at the end "
            f"({os.cpu_count()} CPUs).\n\n"
            + header
            + body
            + (f"\nFailed areas: {', '.join(failed)}\n" if failed else "")
        )
        print(f"wrote {OUT}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
