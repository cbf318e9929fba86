"""A troubled night, run once per session (conftest.troubled_night) on a copy of the demo run's
warehouse and instance, with `make run` in processes of its own:

1. the sources change (a plan status file one report shorter);
2. a run is killed with SIGKILL during the dlt load, another during the dbt build;
3. a new status file arrives in the inbox, and the inbox sensor asks for the plans job;
4. the sensor's run of the plans job starts, and the next nightly run starts beside it on the
   same warehouse: the nightly run marks the killed runs failed, and whichever run finds the
   models stale builds and publishes them.

It records what each step left (the publication, the outputs, the runs in the instance); the
crash-safety and concurrency tests assert on it, and the UI tests show its runs in `dagster dev`.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from publish.publication import current_manifest
from tests.conftest import PROJECT_ROOT, RUN_COMMAND, instance_for, pipeline_env

NEW_STATUS_FILE = "147_v1_status_2026.csv"


@dataclass
class Night:
    sources: Path
    workdir: Path
    before: dict  # the publication's manifest before the night
    after_kills: list[tuple[str, dict | None, bool, list]] = field(default_factory=list)
    request: dg.RunRequest | None = None
    nightly: subprocess.CompletedProcess | None = None
    plans: dg.ExecuteInProcessResult | None = None

    @property
    def published(self) -> Path:
        return self.workdir / "published"

    @property
    def nightly_run_id(self) -> str:
        line = next(x for x in self.nightly.stdout.splitlines() if x.startswith("klimamonitor run"))
        return line.split()[2]  # "klimamonitor run <id> of ..."


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _published_run_ids(published: Path) -> list:
    import duckdb

    con = duckdb.connect(str(published / "klimamonitor.duckdb"), read_only=True)
    try:
        return con.execute("select run_id from main.publication").fetchall()
    finally:
        con.close()


def _kill_when(sources: Path, workdir: Path, moment, timeout: float = 600) -> None:
    """Starts `make run` and kills its whole process group with SIGKILL once `moment()` is true
    (asked every `moment.poll_s` seconds)."""
    with (workdir / "killed_run.log").open("w") as out:
        process = subprocess.Popen(
            RUN_COMMAND,
            cwd=PROJECT_ROOT,
            env=pipeline_env(sources, workdir),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        try:
            while not moment():
                assert process.poll() is None, "the run ended before the moment to kill it"
                assert time.monotonic() < deadline, "the moment to kill never came"
                time.sleep(moment.poll_s)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == -signal.SIGKILL


def during_dlt_load(workdir: Path):
    """dlt moves a job of a load package into started_jobs while it loads it into DuckDB."""
    pipelines = workdir / ".dlt_pipelines"

    def moment() -> bool:
        return any(pipelines.glob("*/load/normalized/*/started_jobs/*"))

    moment.poll_s = 0.002  # a job is in started_jobs for milliseconds
    return moment


def during_dbt_build(workdir: Path):
    """dbt's log lines go to the run's log file, which `make run` names: dbt has started to write
    its first node (a seed, a view or a table) into the warehouse."""
    logs = workdir / "logs"
    started = re.compile(r"\d+ of \d+ START ")

    def moment() -> bool:
        return any(started.search(p.read_text()) for p in logs.glob("*"))

    moment.poll_s = 0.05  # the build takes seconds; the log is read whole each time
    return moment


def live_through(demo_workdir: Path, demo_folder: Path, root: Path) -> Night:
    from ingestion.settings import Settings
    from orchestration.definitions import build_defs
    from orchestration.defs.ingest.sensors import inbox_sensor

    workdir = shutil.copytree(demo_workdir, root / "run", symlinks=True)
    sources = shutil.copytree(demo_folder, root / "sources")
    status = sorted((sources / "plans" / "inbox").glob("*_status_2025.csv"))[0]
    lines = status.read_text(encoding="utf-8").splitlines()
    status.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    night = Night(sources, workdir, current_manifest(workdir / "published"))
    before_digest = digest(night.published / "klimamonitor.duckdb")

    for moment in (during_dlt_load, during_dbt_build):
        _kill_when(sources, workdir, moment(workdir))
        night.after_kills.append(
            (
                moment.__name__,
                current_manifest(night.published),
                digest(night.published / "klimamonitor.duckdb") == before_digest,
                _published_run_ids(night.published),
            )
        )

    (sources / "plans" / "inbox" / NEW_STATUS_FILE).write_text(
        "municipality_code,plan_version,action_id,status,status_date,comment\n"
        "147,1,K147-TRA03,in_progress,2026-10-01,planned -> in_progress\n",
        encoding="utf-8",
    )
    settings = Settings(source=str(sources), warehouse=workdir / "klimamonitor.duckdb")
    night.request = inbox_sensor(settings)(dg.build_sensor_context(cursor=None))

    # The sensor's run starts (in this process: the pool is the instance's, whichever process
    # runs); once it has started, the nightly `make run` starts beside it, in a process of its own.
    env = pipeline_env(sources, workdir)
    launched: list[subprocess.Popen] = []

    def start_the_nightly_run_once_the_plans_run_started() -> None:
        started = dg.RunsFilter(job_name="plans_refresh", statuses=[dg.DagsterRunStatus.STARTED])
        deadline = time.monotonic() + 600
        with instance_for(workdir) as instance:
            while not instance.get_runs(filters=started):
                if time.monotonic() > deadline or night.plans is not None:
                    return  # the test then says the runs did not overlap
                time.sleep(0.2)
        launched.append(
            subprocess.Popen(
                RUN_COMMAND,
                cwd=PROJECT_ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )

    starter = threading.Thread(target=start_the_nightly_run_once_the_plans_run_started)
    starter.start()
    tags = night.request.tags if isinstance(night.request, dg.RunRequest) else {}
    plans_job = build_defs(settings).resolve_job_def("plans_refresh")
    with instance_for(workdir) as instance:
        night.plans = plans_job.execute_in_process(
            instance=instance, tags=tags, raise_on_error=False
        )
    starter.join()
    assert launched, "the nightly run was not started while the sensor's run ran"
    out, err = launched[0].communicate(timeout=1800)
    night.nightly = subprocess.CompletedProcess(launched[0].args, launched[0].returncode, out, err)
    return night
