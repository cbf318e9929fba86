"""The dbt unit tests (given/expect rows for every calculation that matters): the nightly build
leaves them out, so they run here, against a copy of a demo run's warehouse (dbt needs the
models' upstream relations to exist to know their columns)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.integration


def test_every_unit_test_passes(demo_run, dbt_scratch):
    workdir, _ = demo_run
    warehouse, target = dbt_scratch
    shutil.copy(workdir / "klimamonitor.duckdb", warehouse)
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "test",
            "--select",
            "test_type:unit",
            "--target-path",
            str(target),
        ],
        cwd=PROJECT_ROOT / "transform",
        env={
            **os.environ,
            "KLIMAMONITOR_WAREHOUSE": str(warehouse),
            "DBT_PROFILES_DIR": str(PROJECT_ROOT / "transform"),
        },
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    results = json.loads((target / "run_results.json").read_text())["results"]
    manifest = json.loads((target / "manifest.json").read_text())
    assert len(results) == len(manifest["unit_tests"]) >= 9
    assert {r["status"] for r in results} == {"pass"}
