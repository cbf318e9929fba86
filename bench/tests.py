"""`make bench-tests`: the test suite as `make test` runs it, timed against its 6-minute budget,
with the time of each lane (tests/conftest.py LANES: one xdist worker each) and the slowest tests,
so that a change which pushes a lane towards the budget shows before CI does."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree

from ingestion.settings import PROJECT_ROOT
from tests.conftest import LANES, NIGHT

BUDGET_S = 360


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-n", "2", "-q", f"--junitxml={report}"],
            cwd=PROJECT_ROOT,
        )
        wall = time.perf_counter() - started
        cases = ElementTree.parse(report).getroot().iter("testcase")
        times = [
            (c.get("classname", ""), c.get("name", ""), float(c.get("time", 0))) for c in cases
        ]

    lanes: dict[str, float] = defaultdict(float)
    for classname, _, seconds in times:
        module = classname.split(".")[1] if classname.startswith("tests.") else classname
        lanes[LANES.get(module, NIGHT)] += seconds
    print()
    print(
        f"test suite: {wall:.0f} s wall of a {BUDGET_S} s budget "
        f"({'within' if wall <= BUDGET_S else 'OVER'}); {len(times)} tests, "
        f"exit {result.returncode}"
    )
    for lane, seconds in sorted(lanes.items(), key=lambda kv: -kv[1]):
        print(f"  lane {lane:10s} {seconds:6.0f} s of tests (one worker)")
    print("slowest:")
    for classname, name, seconds in sorted(times, key=lambda t: -t[2])[:10]:
        print(f"  {seconds:6.1f} s  {classname}::{name}")
    return result.returncode or (wall > BUDGET_S)


if __name__ == "__main__":
    sys.exit(main())
