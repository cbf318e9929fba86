"""What the benchmark times, each run in a process of its own (`python -m bench.steps <what>`),
configured by the environment as `make run` is (KLIMAMONITOR_SOURCE, KLIMAMONITOR_WAREHOUSE,
DAGSTER_HOME); each prints one JSON line with its figures. Times exclude the interpreter's start
and the imports, the same for every measurement.

- `nightly`: the whole Dagster run (`make run`'s job, in process), with each step's time from the
  run's own records;
- `bare`: the same steps without Dagster: the three dlt loads, `dbt build` (the same command line
  Dagster runs), every GX suite, the publication and the report;
- `ingest_dlt` / `ingest_duckdb`: the emissions release files through our dlt source, or through
  DuckDB's own `read_json` with the same columns, into a fresh DuckDB file (`BENCH_DB`);
- `dbt_build` / `floor`: `dbt build --full-refresh` of the two marts and all upstream of them
  (models, seeds, data tests; in-process, on the parsed project), or bench/floor.sql, on a loaded
  warehouse.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import duckdb

FLOOR_SQL = Path(__file__).with_name("floor.sql")


def floor_script() -> str:
    from ingestion.settings import Settings
    from orchestration.defs.resources import DBT_PROJECT_DIR

    targets = Settings.from_env().published_targets
    published = (
        f"read_csv('{targets}', all_varchar = true)"
        if targets.is_file()
        else "(select null::varchar as kommunekode, null as target_2030_pct, "
        "null as baseline_year, null as baseline_t_co2e, null as neutral_year where false)"
    )
    return (
        FLOOR_SQL.read_text(encoding="utf-8")
        .replace("{seeds}", str(DBT_PROJECT_DIR / "seeds"))
        .replace("{published_targets}", published)
    )


def dbt_command(*args: str) -> list[str]:
    """dbt as the Dagster resource runs it: the venv's executable, in the project folder."""
    return [str(Path(sys.executable).with_name("dbt")), *args]


def dbt_target() -> Path:
    """A target folder for dbt's artifacts beside the warehouse, seeded with the project's
    partial-parse file, as Dagster gives each dbt invocation a folder of its own: transform/target
    keeps the manifest that the runs load, whatever runs beside."""
    from ingestion.settings import Settings
    from orchestration.defs.resources import DBT_PROJECT_DIR

    target = Settings.from_env().warehouse.parent / "dbt_target"
    target.mkdir(parents=True, exist_ok=True)
    partial = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
    if partial.exists():
        shutil.copy(partial, target / partial.name)
    return target


def run_dbt(*args: str, target: Path) -> None:
    from orchestration.defs.resources import DBT_PROJECT_DIR

    result = subprocess.run(
        dbt_command(*args, "--target-path", str(target)),
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"dbt {' '.join(args)} failed:\n{result.stdout[-3000:]}")


def nightly() -> dict:
    import dagster as dg

    from ingestion.settings import Settings
    from orchestration.run import execute_in_process

    instance = dg.DagsterInstance.get()
    started = time.perf_counter()
    result = execute_in_process(Settings.from_env(), instance)
    seconds = time.perf_counter() - started
    stats = [s for s in instance.get_run_step_stats(result.run_id) if s.end_time and s.start_time]
    steps = {s.step_key: round(s.end_time - s.start_time, 3) for s in stats}
    failed = [c for c in result.get_asset_check_evaluations() if not c.passed]
    return {
        "seconds": seconds,
        "success": result.success,
        "checks_failed": sorted(
            f"{c.asset_key.to_user_string()} {c.check_name}"
            for c in failed
            if c.severity == dg.AssetCheckSeverity.ERROR
        ),
        "checks_warned": len([c for c in failed if c.severity == dg.AssetCheckSeverity.WARN]),
        "steps": steps,
        "step_windows": {s.step_key: (s.start_time, s.end_time) for s in stats},
    }


def bare() -> dict:
    from expectations import SUITES_DIR, validate
    from ingestion.configured import SOURCES
    from ingestion.settings import Settings
    from orchestration.defs.quality.checks import suite_parameters
    from orchestration.defs.resources import dbt_environment, dlt_pipeline
    from publish.publication import CheckResult, publish
    from report.site import build_site

    settings = Settings.from_env()
    steps: dict[str, float] = {}
    windows: dict[str, tuple[float, float]] = {}

    def timed(name, fn):
        started, since = time.perf_counter(), time.time()
        value = fn()
        steps[name] = time.perf_counter() - started
        windows[name] = (since, time.time())
        return value

    for name, make_source in SOURCES.items():
        timed(
            f"dlt {name}",
            lambda n=name, m=make_source: dlt_pipeline(settings, n).run(m(settings)),
        )
    target = dbt_target()
    with dbt_environment(settings):
        timed(
            "dbt build",
            lambda: run_dbt("build", "--exclude-resource-type", "unit_test", target=target),
        )

    def suites() -> list[CheckResult]:
        results = []
        con = duckdb.connect(str(settings.warehouse), read_only=True)
        try:
            parameters = suite_parameters(con, settings.municipalities)
            for path in sorted(SUITES_DIR.glob("*.json")):
                outcome = validate(con, path.stem, parameters)
                results.append(CheckResult(path.stem, "gx", outcome.success, "ERROR"))
        finally:
            con.close()
        return results

    checks = timed("gx suites", suites)
    run_id = str(uuid.uuid4())
    published = settings.published_dir
    manifest = timed("publish", lambda: publish(settings.warehouse, published, run_id, checks))
    timed(
        "report",
        lambda: build_site(published / "klimamonitor.duckdb", manifest, published / "report"),
    )
    if (url := settings.postgres()) is not None:
        from publish.postgres import load

        timed("postgres", lambda: load(published / "klimamonitor.duckdb", url))
    return {"seconds": sum(steps.values()), "steps": steps, "step_windows": windows}


def _release_files() -> list[Path]:
    from ingestion.settings import Settings

    return sorted(Settings.from_env().folder.glob("klimaregnskab/*/noegletal.jsonl"))


def ingest_dlt() -> dict:
    import dlt

    from ingestion.configured import SOURCES
    from ingestion.settings import Settings

    db = Path(os.environ["BENCH_DB"])
    pipeline = dlt.pipeline(
        pipeline_name=f"bench_ingest_{uuid.uuid4().hex[:8]}",
        destination=dlt.destinations.duckdb(credentials=str(db)),
        dataset_name="klimaregnskab",
        pipelines_dir=str(db.parent / ".dlt_pipelines"),
    )
    started = time.perf_counter()
    pipeline.run(SOURCES["klimaregnskab"](Settings.from_env()))
    seconds = time.perf_counter() - started
    con = duckdb.connect(str(db), read_only=True)
    rows = con.sql("select count(*) from klimaregnskab.noegletal").fetchall()[0][0]
    con.close()
    return {"seconds": seconds, "rows": rows}


def ingest_duckdb() -> dict:
    """DuckDB alone: each release file read by `read_json` and inserted, one row per figure."""
    from ingestion.klimaregnskab import LINE_COLUMNS

    columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in LINE_COLUMNS.items()) + "}"
    con = duckdb.connect(os.environ["BENCH_DB"])
    started = time.perf_counter()
    con.execute(
        "create table noegletal (municipality_code varchar, year integer, release varchar, "
        "sector varchar, measure varchar, unit varchar, category varchar, subcategory varchar, "
        "value double, data_origin varchar)"
    )
    for path in _release_files():
        con.execute(
            f"""insert into noegletal
                select municipality, year, '{path.parent.name}', d.sektor, d.type, d.enhed,
                       coalesce(d.kategori, ''), coalesce(d.undertype_3, ''), d."værdi", 'demo'
                from read_json('{path}', format = 'newline_delimited', columns = {columns}),
                     unnest(response.data) as t(d)"""
        )
    seconds = time.perf_counter() - started
    rows = con.sql("select count(*) from noegletal").fetchall()[0][0]
    con.close()
    return {"seconds": seconds, "rows": rows}


# What floor.sql computes, dbt's way: the two marts and everything upstream of them, with their
# data tests, built afresh (the unit tests are left out, as the nightly build leaves them out).
FLOOR_SCOPE = ("--select", "+mart_municipality_progress", "+mart_sector_gap")


def dbt_build() -> dict:
    """dbt in-process (dbt's programmatic runner), like every step here past its imports: the
    project parsed first and timed apart (`parse_seconds`; a nightly run on an unchanged project
    reads dbt's partial parse), then the build timed on that parsed project."""
    from dbt.cli.main import dbtRunner

    from orchestration.defs.resources import DBT_PROJECT_DIR

    project = ["--project-dir", str(DBT_PROJECT_DIR), "--quiet", "--target-path", str(dbt_target())]
    started = time.perf_counter()
    parsed = dbtRunner().invoke(["parse", *project])
    parse_seconds = time.perf_counter() - started
    if not parsed.success:
        raise SystemExit(f"dbt parse failed: {parsed.exception}")
    started = time.perf_counter()
    built = dbtRunner(manifest=parsed.result).invoke(
        ["build", *project, *FLOOR_SCOPE, "--full-refresh", "--exclude-resource-type", "unit_test"]
    )
    seconds = time.perf_counter() - started
    if not built.success:
        raise SystemExit(f"dbt build failed: {built.exception or built.result}")
    return {"seconds": seconds, "parse_seconds": parse_seconds}


def floor() -> dict:
    from ingestion.settings import Settings

    con = duckdb.connect(str(Settings.from_env().warehouse))
    started = time.perf_counter()
    con.execute(floor_script())
    seconds = time.perf_counter() - started
    con.close()
    return {"seconds": seconds}


STEPS = {f.__name__: f for f in (nightly, bare, ingest_dlt, ingest_duckdb, dbt_build, floor)}

if __name__ == "__main__":
    print(json.dumps(STEPS[sys.argv[1]]()))
