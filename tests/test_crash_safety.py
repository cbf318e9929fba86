"""A run of `make run` killed with SIGKILL, during the dlt load and during the dbt build, leaves
the published mart untouched; the next run completes, and builds and publishes what the killed
runs left undone."""

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

from publish.publication import current_manifest
from tests.conftest import PROJECT_ROOT, RUN_COMMAND, pipeline_env, run_pipeline

pytestmark = pytest.mark.e2e


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


def _during_dbt_build(workdir: Path):
    """dbt's log lines go to the run's log file, which `make run` names."""
    logs = workdir / "logs"
    return lambda _log: any("START sql table model core." in p.read_text() for p in logs.glob("*"))


def test_sigkill_leaves_the_publication_and_the_next_run_builds_and_publishes(
    demo_run, demo_folder, tmp_path
):
    """On changed sources (a plan status file one report shorter): a run killed during the dlt
    load, then one killed during the dbt build; the publication stays as it was throughout, and
    the next run marks the killed runs failed, builds and publishes."""
    workdir = tmp_path / "run"
    shutil.copytree(demo_run[0], workdir, symlinks=True)
    sources = shutil.copytree(demo_folder, tmp_path / "sources")
    status = sorted((sources / "plans" / "inbox").glob("*_status_2025.csv"))[0]
    lines = status.read_text(encoding="utf-8").splitlines()
    status.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    published = workdir / "published"
    before = current_manifest(published)
    before_digest = _digest(published / "klimamonitor.duckdb")

    for moment in (_during_dlt_load, _during_dbt_build):
        _kill_when(sources, workdir, moment(workdir), {})
        assert current_manifest(published) == before, moment.__name__
        assert _digest(published / "klimamonitor.duckdb") == before_digest, moment.__name__
        con = duckdb.connect(str(published / "klimamonitor.duckdb"), read_only=True)
        assert con.execute("select run_id from main.publication").fetchall() == [
            (before["run_id"],)
        ]
        con.close()

    result = run_pipeline(sources, workdir)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert result.stdout.count("was left unfinished by processes that are gone") == 1
    after = current_manifest(published)
    assert after["run_id"] != before["run_id"] and after["build_run_id"] == after["run_id"]
    assert after["tables"]["marts.mart_actions"] == before["tables"]["marts.mart_actions"]
