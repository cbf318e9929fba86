"""`make bench SCALE=<N>`: the synthetic sources for N municipalities, every measurement repeated,
the table printed and bench/results.json written."""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.measure import machine, measure, summarise, table
from bench.scale import YEARS, generate_scale
from ingestion.settings import WAREHOUSE_DIR

RESULTS = Path(__file__).with_name("results.json")


def main() -> None:
    parser = argparse.ArgumentParser(description="klimamonitor's benchmark")
    parser.add_argument("--scale", type=int, default=1000, help="municipalities (default 1000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each measurement (>= 3)")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.repeats < 3:
        print(f"NOTE: {args.repeats} repeat(s): the figures are single runs, not medians of 3")
    sources = WAREHOUSE_DIR / "bench" / f"sources-{args.scale}"
    started = time.perf_counter()
    written = generate_scale(sources, args.scale)
    print(
        f"synthetic sources for {args.scale:,} municipalities x {len(YEARS)} years x 30 "
        f"sub-sectors in {sources}: "
        + (f"written in {time.perf_counter() - started:.1f} s" if written else "already there")
    )
    raw = measure(sources, WAREHOUSE_DIR / "bench" / f"work-{args.scale}", args.scale, args.repeats)
    summary = summarise(raw)
    results = {
        "scale": args.scale,
        "repeats": args.repeats,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **summary,
        "raw": raw,
    }
    RESULTS.write_text(json.dumps(results, indent=2), encoding="utf-8")
    m = results["machine"]
    print()
    print(
        f"klimamonitor bench, SCALE={args.scale:,} ({summary['emission_rows']:,} emission rows), "
        f"medians of {args.repeats}; {m['cores']} cores, {m['memory_mb']:,} MB, {m['cpu']}"
    )
    print(table(summary))
    print(f"results: {RESULTS}")


if __name__ == "__main__":
    main()
