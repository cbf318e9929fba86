"""The benchmark's measurements: each step of bench/steps.py in a fresh process, repeated, the
whole process tree's memory sampled, and the medians turned into ratios against the floor."""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from ingestion.settings import PROJECT_ROOT

PAGE = os.sysconf("SC_PAGE_SIZE")
GOALS = {
    "end_to_end_s": ("<=", 150.0),
    "ingest_ratio": (">=", 0.5),
    "transform_ratio": ("<=", 2.0),
    "orchestration_ratio": ("<=", 1.3),
    "rerun_ratio": ("<=", 0.25),
    "peak_rss_mb": ("<=", 3072),
}


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    return children


def tree_rss_mb(pid: int) -> float:
    """The resident memory of a process and all its descendants (dbt's process included), MB."""
    children, todo, total = _children(), [pid], 0
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            total += int(Path(f"/proc/{p}/statm").read_text().split()[1]) * PAGE
        except OSError:
            continue
    return total / 2**20


def run_step(step: str, env: dict[str, str]) -> dict:
    """`python -m bench.steps <step>` in its own process; its JSON, its wall time and the peak
    memory of its process tree (sampled every 0.1 s)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.steps", step],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak, peak_at = 0.0, 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_at
        while not done.is_set():
            if (rss := tree_rss_mb(process.pid)) > peak:
                peak, peak_at = rss, time.time()
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"bench step {step} failed ({process.returncode}):\n{err[-4000:]}")
    figures = json.loads(out.strip().splitlines()[-1])
    # the step of the run that was under way when the memory peaked
    windows = figures.pop("step_windows", {})
    at = [name for name, (start, end) in windows.items() if start <= peak_at <= end]
    return {
        **figures,
        "wall_seconds": time.perf_counter() - started,
        "peak_rss_mb": peak,
        **({"peak_during": at[0]} if at else {}),
    }


def step_env(sources: Path, workdir: Path, municipalities: int, **extra: str) -> dict[str, str]:
    """`make run`'s environment on the bench sources, into a warehouse in `workdir`."""
    (workdir / "dagster").mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "orchestration" / "dagster.yaml", workdir / "dagster")
    return {
        **os.environ,
        "KLIMAMONITOR_SOURCE": str(sources),
        "KLIMAMONITOR_MUNICIPALITIES": str(municipalities),
        "KLIMAMONITOR_WAREHOUSE": str(workdir / "klimamonitor.duckdb"),
        "DAGSTER_HOME": str(workdir / "dagster"),
        "DBT_PROFILES_DIR": str(PROJECT_ROOT / "transform"),
        **extra,
    }


def trash_of(work: Path) -> Path:
    return work / ".trash"


def set_aside(path: Path) -> None:
    """Moves `path`, if there, into the bench's trash, deleted when the measurements are done
    (`measure`). Deleting it here would slow the runs measured next: this machine's ext4 has no
    journal, and without one the kernel passes over every inode freed in the last one to six
    minutes for each file it creates (`recently_deleted` in fs/ext4/ialloc.c). The 10,000 report
    alone took 197 s just after deleting another report's 210,000 files, 172 s with none freed
    (system time 110 s against 56 s); a nightly run never follows such a deletion (the report
    deletes its previous version after the new one is in place), so the bench does not either."""
    if path.exists():
        trash = trash_of(path.parent)
        trash.mkdir(exist_ok=True)
        path.rename(trash / f"{path.name}-{time.time_ns()}")


def fresh(path: Path) -> Path:
    """An empty folder at `path`, what was there set aside (`set_aside`)."""
    set_aside(path)
    path.mkdir(parents=True)
    return path


def measure(sources: Path, work: Path, municipalities: int, repeats: int, log=print) -> dict:
    """Every measurement `repeats` times; the raw figures by measurement."""
    raw: dict[str, list[dict]] = {}

    def record(name: str, figures: dict) -> dict:
        raw.setdefault(name, []).append(figures)
        during = f" during {figures['peak_during']}" if "peak_during" in figures else ""
        peak = f"peak {figures['peak_rss_mb']:7.0f} MB{during}"
        log(f"  {name:14s} {figures['seconds']:8.2f} s  {peak}")
        return figures

    postgres = _postgres(work / "postgres", log)
    try:
        for repeat in range(1, repeats + 1):
            log(f"repeat {repeat} of {repeats}")
            _repeat(sources, work, municipalities, postgres, record, log)
    finally:
        if postgres:
            from publish import postgres_server

            postgres_server.stop(work / "postgres")
        shutil.rmtree(trash_of(work), ignore_errors=True)
    return raw


def _postgres(data: Path, log) -> dict[str, str]:
    """A PostgreSQL cluster of the bench's own, for the runs' load into it; none (and a line
    that says so) where the server cannot be started."""
    from publish import postgres_server

    postgres_server.stop(data)
    set_aside(data)  # the server makes its own folder
    try:
        url = postgres_server.start(data, postgres_server.free_port())
        return {"KLIMAMONITOR_POSTGRES_URL": url}
    except (RuntimeError, subprocess.CalledProcessError) as error:
        log(f"PostgreSQL: no server ({error}); the runs are measured without the load into it")
        return {}


def _repeat(sources: Path, work: Path, municipalities: int, postgres: dict, record, log) -> None:
    """One repeat of every measurement: the Dagster run and its rerun, the steps bare, both
    ingests, dbt's build and the floor."""
    run = fresh(work / "run")
    env = step_env(sources, run, municipalities, **postgres)
    for name in ("nightly", "rerun"):
        figures = record(name, run_step("nightly", env))
        if not figures["success"] or figures["checks_failed"]:
            log(f"    the run failed or a check failed: {figures['checks_failed']}")
    bare = step_env(sources, fresh(work / "bare"), municipalities, **postgres)
    record("bare", run_step("bare", bare))
    for name in ("ingest_dlt", "ingest_duckdb"):
        db = fresh(work / name) / "ingest.duckdb"
        record(name, run_step(name, {**env, "BENCH_DB": str(db)}))
    # on the first run's loaded warehouse: dbt's full build, then the hand-written floor
    record("dbt_build", run_step("dbt_build", env))
    record("floor", run_step("floor", env))


def summarise(raw: dict[str, list[dict]]) -> dict:
    """Medians of each measurement and the ratios the goals are set on."""

    def median(name: str, key: str = "seconds") -> float:
        return statistics.median(f[key] for f in raw[name])

    ingest_rows = raw["ingest_dlt"][0]["rows"]
    if any(f["rows"] != ingest_rows for f in raw["ingest_dlt"] + raw["ingest_duckdb"]):
        raise SystemExit("the dlt source and DuckDB loaded different numbers of rows")
    dlt_rate = ingest_rows / median("ingest_dlt")
    duckdb_rate = ingest_rows / median("ingest_duckdb")
    medians = {name: median(name) for name in raw}
    ratios = {
        "end_to_end_s": medians["nightly"],
        "ingest_ratio": dlt_rate / duckdb_rate,
        "transform_ratio": medians["dbt_build"] / medians["floor"],
        "orchestration_ratio": medians["nightly"] / medians["bare"],
        "rerun_ratio": medians["rerun"] / medians["nightly"],
        "peak_rss_mb": max(f["peak_rss_mb"] for f in raw["nightly"] + raw["rerun"]),
    }
    peak = max(raw["nightly"] + raw["rerun"], key=lambda f: f["peak_rss_mb"])
    return {
        "medians_s": medians,
        "emission_rows": ingest_rows,
        "rows_per_s": {"dlt": dlt_rate, "duckdb": duckdb_rate},
        # dbt's fixed costs beside the build: parsing the project, and the whole command with the
        # interpreter's start and dbt's imports (what a cold `dbt build` costs)
        "dbt_parse_s": median("dbt_build", "parse_seconds"),
        "dbt_wall_s": median("dbt_build", "wall_seconds"),
        "ratios": ratios,
        "goals_met": {k: _meets(k, v) for k, v in ratios.items()},
        "peak_during": peak.get("peak_during"),
        "nightly_steps_median_s": _step_medians(raw["nightly"]),
        "rerun_steps_median_s": _step_medians(raw["rerun"]),
        "bare_steps_median_s": _step_medians(raw["bare"]),
    }


def _meets(name: str, value: float) -> bool:
    op, goal = GOALS[name]
    return value >= goal if op == ">=" else value <= goal


def _step_medians(runs: list[dict]) -> dict[str, float]:
    keys = runs[0]["steps"]
    return {k: round(statistics.median(r["steps"].get(k, 0.0) for r in runs), 3) for k in keys}


def machine() -> dict:
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    return {
        "cores": os.cpu_count(),
        "memory_mb": mem_kb // 1024,
        "cpu": model,
        "python": sys.version.split()[0],
    }


def table(summary: dict) -> str:
    """The printed table: each ratio, its goal and whether it is met, and the medians behind it."""
    m, r = summary["medians_s"], summary["ratios"]
    rows = [
        (
            "end_to_end_s",
            f"{r['end_to_end_s']:.1f}",
            "<= 150",
            "the nightly Dagster run, sources to report: "
            + ", ".join(
                f"{k} {v:.0f} s"
                for k, v in sorted(
                    summary["nightly_steps_median_s"].items(), key=lambda kv: -kv[1]
                )[:4]
            ),
        ),
        (
            "ingest_ratio",
            f"{r['ingest_ratio']:.2f}",
            ">= 0.5",
            f"dlt {summary['rows_per_s']['dlt']:,.0f} rows/s vs DuckDB "
            f"{summary['rows_per_s']['duckdb']:,.0f} rows/s ({summary['emission_rows']:,} rows)",
        ),
        (
            "transform_ratio",
            f"{r['transform_ratio']:.2f}",
            "<= 2",
            f"dbt build {m['dbt_build']:.1f} s vs floor.sql {m['floor']:.1f} s (apart: parse "
            f"{summary['dbt_parse_s']:.1f} s; whole command {summary['dbt_wall_s']:.1f} s)",
        ),
        (
            "orchestration_ratio",
            f"{r['orchestration_ratio']:.2f}",
            "<= 1.3",
            f"Dagster run {m['nightly']:.1f} s vs steps bare {m['bare']:.1f} s",
        ),
        (
            "rerun_ratio",
            f"{r['rerun_ratio']:.2f}",
            "<= 0.25",
            f"second run {m['rerun']:.1f} s vs first {m['nightly']:.1f} s",
        ),
        (
            "peak_rss_mb",
            f"{r['peak_rss_mb']:.0f}",
            "<= 3072",
            "whole process tree, sampled"
            + (f", during {summary['peak_during']}" if summary.get("peak_during") else ""),
        ),
    ]
    lines = [f"{'measure':20s} {'value':>8s}  {'goal':8s} {'met':4s} medians behind it"]
    for name, value, goal, note in rows:
        met = "yes" if summary["goals_met"][name] else "NO"
        lines.append(f"{name:20s} {value:>8s}  {goal:8s} {met:4s} {note}")
    in_run = summary["nightly_steps_median_s"].get("published__postgres")
    bare = summary["bare_steps_median_s"].get("postgres")
    if in_run is not None and bare is not None:
        lines.append(
            f"PostgreSQL load: {in_run:.1f} s of the Dagster run ({in_run / m['nightly']:.0%}), "
            f"{bare:.1f} s bare"
        )
    else:
        lines.append("PostgreSQL load: not measured (no server)")
    return "\n".join(lines)
