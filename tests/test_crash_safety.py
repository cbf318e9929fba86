"""A run killed with SIGKILL, during the dlt load and during the dbt build, leaves the published
mart untouched; the next run completes, and builds and publishes again what the killed run may
have left half done."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.publish.publication import current_manifest
from tests.conftest import PROJECT_ROOT, RUN_COMMAND, pipeline_env, run_pipeline

pytestmark = pytest.mark.slow


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _kill_when(
    source: Path, workdir: Path, moment, extra_env: dict[str, str], timeout: float = 300
) -> str:
    """Starts a run and kills its whole process group with SIGKILL once `moment()` is true;
    returns the run's output up to then."""
    log = workdir / "killed_run.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            RUN_COMMAND,
            cwd=PROJECT_ROOT,
            env={**pipeline_env(source, workdir), **extra_env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        try:
            while not moment(log):
                assert process.poll() is None, "the run ended before the moment to kill it"
                assert time.monotonic() < deadline, "the moment to kill never came"
                time.sleep(0.002)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == -signal.SIGKILL
    return log.read_text()


def _during_dlt_load(workdir: Path):
    """dlt moves a job of a load package into started_jobs while it loads it into DuckDB."""
    pipelines = workdir / ".dlt_pipelines"
    return lambda _log: any(pipelines.glob("*/load/normalized/*/started_jobs/*"))


def _during_dbt_build(_workdir: Path):
    return lambda log: "START sql table model core." in log.read_text()


@pytest.mark.parametrize("moment", [_during_dlt_load, _during_dbt_build], ids=["dlt", "dbt"])
def test_sigkill_leaves_the_publication_and_the_next_run_completes(
    demo_run, demo_folder, tmp_path, moment
):
    workdir = tmp_path / "run"
    shutil.copytree(demo_run[0], workdir, symlinks=True)
    published = workdir / "published"
    before = current_manifest(published)
    before_digest = _digest(published / "klimamonitor.duckdb")

    # The copied warehouse's memo says its sources are unchanged, so the killed run would skip
    # the dbt build: it is forced to build, and the next run (not forced) must build again
    # because the killed build cleared the memo's entry before it started.
    forced = {"KLIMAMONITOR_REBUILD": "1"} if moment is _during_dbt_build else {}
    _kill_when(demo_folder, workdir, moment(workdir), forced)

    assert current_manifest(published) == before
    assert _digest(published / "klimamonitor.duckdb") == before_digest
    con = duckdb.connect(str(published / "klimamonitor.duckdb"), read_only=True)
    assert con.execute("select run_id from main.publication").fetchall() == [(before["run_id"],)]
    con.close()

    result = run_pipeline(demo_folder, workdir)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    after = current_manifest(published)
    assert after["tables"] == before["tables"], "the same sources give the same mart"
    if moment is _during_dbt_build:  # the killed build left no memo: built and published again
        assert after["run_id"] != before["run_id"] == before["build_run_id"]
    else:  # the publication stands, or the load resumed and it was published again
        assert after["build_run_id"] in (before["build_run_id"], after["run_id"])
