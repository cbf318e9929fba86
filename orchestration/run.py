"""`make run`: every asset and check once, in-process through Dagster, then a short summary.

Exit status 0 when the run succeeded and every check passed, 1 otherwise.
"""

from __future__ import annotations

import os
import socket
import sys
import time

import dagster as dg
import duckdb

from ingestion.demo import generate
from ingestion.demo.generate import is_current
from ingestion.settings import DEMO_SOURCES_DIR, published_dir, source_settings, warehouse_path
from orchestration.publish.publication import current_manifest


def ensure_demo_data() -> None:
    if source_settings().mode == "demo" and not is_current(DEMO_SOURCES_DIR):
        written = generate(DEMO_SOURCES_DIR)
        print(f"demo data generated: {written} files in {DEMO_SOURCES_DIR}")


def mart_row_counts(path) -> dict[str, int]:
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


PID_TAG, HOST_TAG = "klimamonitor/pid", "klimamonitor/host"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def release_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Runs of `make run` whose process is gone (killed, out of memory) still count as started
    and hold their slot of the warehouse pool, so the next run would wait for them for ever:
    they are marked failed and their slots freed."""
    released = []
    unfinished = dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING])
    for run in instance.get_runs(filters=unfinished):
        pid = run.tags.get(PID_TAG)
        if not pid or run.tags.get(HOST_TAG) != socket.gethostname() or _alive(int(pid)):
            continue
        instance.report_run_failed(run, message=f"its process {pid} is gone")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        released.append(run.run_id)
    return released


def run_nightly(instance: dg.DagsterInstance | None = None) -> dg.ExecuteInProcessResult:
    from orchestration.definitions import defs

    instance = instance or dg.DagsterInstance.get()
    for run_id in release_dead_runs(instance):
        print(f"run {run_id[:8]} was left unfinished by a process that is gone: marked failed")
    job = defs.resolve_job_def("nightly_refresh")
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    return job.execute_in_process(
        run_config=quiet,
        instance=instance,
        raise_on_error=False,
        tags={PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()},
    )


def main() -> int:
    settings = source_settings()
    ensure_demo_data()
    started = time.monotonic()
    result = run_nightly()
    elapsed = time.monotonic() - started
    checks = result.get_asset_check_evaluations()
    failed = [c for c in checks if not c.passed and c.severity == dg.AssetCheckSeverity.ERROR]
    warned = [c for c in checks if not c.passed and c.severity == dg.AssetCheckSeverity.WARN]
    print()
    print(
        f"klimamonitor run {result.run_id[:8]}: {'succeeded' if result.success else 'FAILED'} "
        f"in {elapsed:.1f} s, source: {settings.mode}"
        + (" (DEMO DATA: invented figures)" if settings.origin == "demo" else "")
    )
    print(
        f"checks: {len(checks) - len(failed) - len(warned)} passed, {len(failed)} failed, "
        f"{len(warned)} warnings"
    )
    for check in failed:
        print(f"  FAILED {check.asset_key.to_user_string()} {check.check_name}")
    for check in warned:
        print(f"  warning {check.asset_key.to_user_string()} {check.check_name}")
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                print(
                    f"  step {event.step_key} failed: "
                    f"{event.step_failure_data.error.message.strip()[:500]}"
                )
    path = warehouse_path()
    if path.exists():
        print("rows per table:")
        for table, rows in mart_row_counts(path).items():
            print(f"  {table:42s} {rows:>8,d}")
    print(f"warehouse: {path}")
    manifest = current_manifest(published_dir())
    if manifest and manifest["run_id"] == result.run_id:
        print(f"published: {published_dir()} ({len(manifest['tables'])} tables, Parquet, manifest)")
        report = published_dir() / "report" / "index.html"
        if report.exists():
            print(f"report: {report}")
    elif manifest and result.success:
        print(
            f"published: unchanged, the publication of run {manifest['run_id'][:8]} "
            f"({manifest['published_at']}) stands in {published_dir()}"
        )
    else:
        last = f"run {manifest['run_id'][:8]} of {manifest['published_at']}" if manifest else "none"
        print(f"NOT published: the last good publication stays in {published_dir()} ({last})")
    return 0 if result.success and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
