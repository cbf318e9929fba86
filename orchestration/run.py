"""`make run`: the nightly job once, launched through the Dagster instance like a run of the
schedule (so the UI of `make dev` shows it under the code location, in the Overview timeline and
the job's history, and can re-execute it); one line per step as it ends, then a short summary.

The run's own logs (dagster's, dbt's, dlt's) go to `warehouse/logs/run-<id>.log`, named in the
summary. Exit status 0 when the run succeeded and no blocking check failed, 1 otherwise.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import dagster as dg
import duckdb

from ingestion.settings import PROJECT_ROOT, Settings
from orchestration.defs.publish.assets import checks_of_run
from publish.publication import current_manifest

JOB = "nightly_refresh"
PID_TAG, HOST_TAG = "klimamonitor/pid", "klimamonitor/host"
DONE = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}
STEP_ENDS = {
    dg.DagsterEventType.STEP_SUCCESS: "",
    dg.DagsterEventType.STEP_FAILURE: "FAILED",
    dg.DagsterEventType.STEP_SKIPPED: "skipped",
}


def mart_row_counts(path: Path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('core', 'marts') order by 1, 2"
        ).fetchall()
        return {
            f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchall()[0][0]
            for s, t in tables
        }
    finally:
        con.close()


def _alive(group: int) -> bool:
    """Whether a process of the group still runs. A killed process whose parent died with it is
    a zombie until something reaps it, which a container's first process may never do: it does
    not count."""
    proc = Path("/proc")
    if not proc.is_dir():  # no /proc: the kernel's word, zombies included
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:  # "pid (name) state ppid pgrp ...": the name may hold spaces and parentheses
            state, _, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        if int(pgrp) == group and state != "Z":
            return True
    return False


def release_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Runs of `make run` whose processes are all gone (killed, out of memory) still count as
    started and hold their slot of the warehouse pool, so the next run would wait for them for
    ever: they are marked failed and their slots freed."""
    released = []
    unfinished = dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING])
    for run in instance.get_runs(filters=unfinished):
        pid = run.tags.get(PID_TAG)
        if not pid or run.tags.get(HOST_TAG) != socket.gethostname() or _alive(int(pid)):
            continue
        instance.report_run_failed(run, message=f"its processes (group {pid}) are gone")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        released.append(run.run_id)
    return released


def execute_in_process(
    settings: Settings, instance: dg.DagsterInstance, rebuild: bool = False
) -> dg.ExecuteInProcessResult:
    """The nightly job in this process, for the tests and the benchmark: the same definitions,
    built from `settings`, without the launch (a run so made has no code-location origin)."""
    from orchestration.definitions import build_defs

    job = build_defs(settings).resolve_job_def(JOB)
    return job.execute_in_process(
        instance=instance,
        raise_on_error=False,
        run_config={"ops": {"klimamonitor_dbt_assets": {"config": {"rebuild": rebuild}}}},
    )


def launch(settings: Settings, run_id: str, log: Path) -> subprocess.Popen:
    """`dagster job launch` of the nightly job from the code location, as the UI would."""
    log.parent.mkdir(parents=True, exist_ok=True)
    tags = {PID_TAG: str(os.getpgid(0)), HOST_TAG: socket.gethostname()}
    command = [
        str(Path(sys.executable).parent / "dagster"),
        "job",
        "launch",
        *("-m", "orchestration.definitions", "-d", str(PROJECT_ROOT), "-j", JOB),
        *("--run-id", run_id, "--tags", json.dumps(tags)),
    ]
    with log.open("w", encoding="utf-8") as out:
        return subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env={**os.environ, **settings.environment()},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def step_line(
    event: dg.EventLogEntry,
    started: dict[str, float],
    done: dict[str, list],
    skipped: dict[str, str] | None = None,
) -> str:
    """The step, its time, and what it wrote: tables, rows in them, rows dlt loaded into them;
    or why it wrote nothing, as the step logged it ("skipped: ...")."""
    step = event.step_key or ""
    took = event.timestamp - started.get(step, event.timestamp)
    outcome, pages = STEP_ENDS[event.dagster_event.event_type], done.get(step, [])
    if not outcome and not pages and skipped and step in skipped:
        outcome = skipped[step]
    tables = [p for p in pages if "dagster/row_count" in p]
    if not outcome and tables:
        rows = sum(p["dagster/row_count"].value for p in tables)
        loaded = [p["rows_loaded"].value for p in tables if "rows_loaded" in p]
        outcome = f"{len(tables)} tables, {rows:,d} rows" + (
            f" ({sum(loaded):,d} loaded)" if loaded else ""
        )
    elif not outcome and pages:
        outcome = "materialized"
    line = f"  {step:42s} {took:6.1f} s  {outcome}"
    if event.dagster_event.event_type == dg.DagsterEventType.STEP_FAILURE:
        error = event.dagster_event.step_failure_data.error
        line += f": {error.message.strip()[:500] if error else 'no error given'}"
    return line


def follow(
    instance: dg.DagsterInstance, run_id: str, process: subprocess.Popen, log: Path
) -> dg.DagsterRun:
    """Prints a line for each step as it ends, until the run is over."""
    cursor, started, done, skipped = None, {}, {}, {}
    while True:
        run = instance.get_run_by_id(run_id)
        records = instance.get_records_for_run(run_id, cursor=cursor, limit=1000) if run else None
        for record in records.records if records else []:
            event = record.event_log_entry
            kind = event.dagster_event.event_type if event.dagster_event else None
            if kind is None and event.step_key and event.user_message.startswith("skipped: "):
                skipped[event.step_key] = event.user_message
            elif kind == dg.DagsterEventType.STEP_START:
                started[event.step_key] = event.timestamp
            elif kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
                done.setdefault(event.step_key, []).append(event.asset_materialization.metadata)
            elif kind in STEP_ENDS:
                print(step_line(event, started, done, skipped), flush=True)
        cursor = records.cursor if records else cursor
        if run and run.status in DONE and not (records and records.has_more):
            return run
        if process.poll() not in (None, 0) and (run is None or run.status not in DONE):
            raise SystemExit(f"the run could not be launched: see {log}")
        time.sleep(0.5)


def summary(settings: Settings, run: dg.DagsterRun, checks: list, elapsed: float, log: Path):
    ok = run.status == dg.DagsterRunStatus.SUCCESS
    failed = [c for c in checks if not c.passed and c.severity == "ERROR"]
    warned = [c for c in checks if not c.passed and c.severity == "WARN"]
    demo = " (DEMO DATA: invented figures)" if settings.origin == "demo" else ""
    print(
        f"\nklimamonitor run {run.run_id[:8]}: {'succeeded' if ok else 'FAILED'} in "
        f"{elapsed:.1f} s, source: {settings.mode}{demo}"
    )
    print(
        f"checks run: {len(checks)} ({len(checks) - len(failed) - len(warned)} passed, "
        f"{len(failed)} failed, {len(warned)} warnings)"
    )
    for check in failed + warned:
        label = "FAILED" if check in failed else "warning"
        print(f"  {label} {check.asset} {check.check}")
    if settings.warehouse.exists():
        print("rows per table:")
        for table, count in mart_row_counts(settings.warehouse).items():
            print(f"  {table:42s} {count:>8,d}")
    print(f"warehouse: {settings.warehouse}")
    manifest = current_manifest(settings.published_dir)
    if manifest and manifest["run_id"] == run.run_id:
        print(f"published: {settings.published_dir} ({len(manifest['tables'])} tables)")
        print(f"report: {settings.published_dir / 'report' / 'index.html'}")
    elif ok and manifest:
        print(
            f"published: nothing new (no model was stale); the publication of run "
            f"{manifest['run_id'][:8]} in {settings.published_dir} is current"
        )
    else:
        last = f"run {manifest['run_id'][:8]} of {manifest['published_at']}" if manifest else "none"
        print(f"NOT published: the last good publication stays ({last})")
    print(f"log: {log}")
    return 0 if ok and not failed else 1


def main() -> int:
    settings = Settings.from_env()
    instance = dg.DagsterInstance.get()
    for run_id in release_dead_runs(instance):
        print(f"run {run_id[:8]} was left unfinished by processes that are gone: marked failed")
    run_id = str(uuid.uuid4())
    log = settings.logs_dir / f"run-{run_id[:8]}.log"
    print(f"klimamonitor run {run_id} of {JOB}, source: {settings.source}", flush=True)
    started = time.monotonic()
    process = launch(settings, run_id, log)
    run = follow(instance, run_id, process, log)
    process.wait()
    checks = checks_of_run(instance, run_id)
    return summary(settings, run, checks, time.monotonic() - started, log)


if __name__ == "__main__":
    sys.exit(main())
