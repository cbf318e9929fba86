"""The benchmark's parts: the scale generator's sources, through the bench's bare steps, pass
every blocking check, with rows per municipality and year as designed; the hand-written floor
(bench/floor.sql) gives the same rows as dbt's mart_municipality_progress and mart_sector_gap.
(A second run on unchanged sources builds nothing: tests/test_pipeline.py holds that; `make
bench` measures it.)"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from bench.scale import YEARS, generate_scale
from bench.steps import floor_script

pytestmark = pytest.mark.e2e
N = 25
MARTS = ("mart_municipality_progress", "mart_sector_gap")


KEYS = {
    "mart_municipality_progress": ("municipality_code", "year"),
    "mart_sector_gap": ("municipality_code", "sector_code"),
}


def floor_differences(warehouse: Path) -> dict[str, tuple[int, int]]:
    """Per mart: its rows, and the rows that are not the same in both (one side only, or a value
    differing; doubles to 1e-9 relative: the two sum in different orders)."""
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(floor_script())
        out = {}
        for mart, keys in KEYS.items():
            dbt_columns = con.sql(f"describe marts.{mart}").fetchall()
            floor_columns = con.sql(f"describe floor.{mart}").fetchall()
            assert [c[0] for c in dbt_columns] == [c[0] for c in floor_columns], mart
            same = " and ".join(
                f"(d.{c} is not distinct from f.{c} or abs(d.{c} - f.{c}) "
                f"<= 1e-9 * greatest(1, abs(d.{c})))"
                if kind == "DOUBLE"
                else f"d.{c} is not distinct from f.{c}"
                for c, kind, *_ in dbt_columns
            )
            on = " and ".join(f"d.{k} = f.{k}" for k in keys)
            differing = con.sql(
                f"select count(*) from marts.{mart} as d full join floor.{mart} as f on {on} "
                f"where not coalesce({same}, false)"
            ).fetchall()[0][0]
            rows = con.sql(f"select count(*) from marts.{mart}").fetchall()[0][0]
            out[mart] = (rows, differing)
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def scaled_run(tmp_path_factory):
    """The bench's sources for N municipalities, through the bench's bare steps (`make bench`
    times them against the Dagster run): the dlt loads, `dbt build` (which fails on a failed
    test of severity error), every GX suite, the publication and the report."""
    from bench.steps import bare
    from ingestion.settings import Settings
    from orchestration.defs.resources import environment

    sources = tmp_path_factory.mktemp("scaled_sources")
    assert generate_scale(sources, N)
    assert not generate_scale(sources, N)  # the same generator and N: kept
    workdir = tmp_path_factory.mktemp("scaled_run")
    settings = Settings(
        source=str(sources), warehouse=workdir / "klimamonitor.duckdb", municipalities=N
    )
    with environment(settings.environment()):
        timings = bare()
    return workdir, timings


def test_scaled_sources_pass_every_blocking_check(scaled_run):
    workdir, timings = scaled_run
    assert {"dlt statbank", "dbt build", "gx suites", "publish", "report"} <= set(timings["steps"])
    manifest = json.loads((workdir / "published" / "manifest.json").read_text())
    checks = manifest["checks"]
    assert checks["passed"] == len(checks["results"]) >= 10 and not checks["failed"], checks
    con = duckdb.connect(str(workdir / "published" / "klimamonitor.duckdb"), read_only=True)
    origins = con.sql("select distinct data_origin from marts.mart_municipality_progress")
    assert origins.fetchall() == [("demo",)]
    con.close()


def test_scaled_emissions_rows_per_municipality_and_year(scaled_run):
    """30 rows a municipality and year: 6 sector totals, the total, the total per inhabitant and
    22 sub-sectors that add up to their sector's total."""
    workdir, _ = scaled_run
    con = duckdb.connect(str(workdir / "klimamonitor.duckdb"), read_only=True)
    try:
        partitions = con.sql(
            "select municipality_code, year, count(*) from klimaregnskab.noegletal group by all"
        ).fetchall()
        assert len(partitions) == N * len(YEARS) == N * 30
        assert {rows for *_, rows in partitions} == {30}
        worst = con.sql(
            """select max(abs(total.value - parts.value)) from
               (select municipality_code, year, sector, value from klimaregnskab.noegletal
                where measure = 'Samlet CO2-udledning' and sector <> 'Samlet') as total
               join (select municipality_code, year, sector, sum(value) as value
                     from klimaregnskab.noegletal where measure = 'Resultat - udledning'
                     group by all) as parts using (municipality_code, year, sector)"""
        ).fetchall()[0][0]
        assert worst < 0.05 * 8  # each sub-sector rounded to 0.1 t
        plans = con.sql("select count(distinct municipality_code) from core.dim_municipality "
                        "where plan_status = 'adopted'").fetchall()[0][0]  # fmt: skip
        assert N - 3 <= plans <= N
    finally:
        con.close()


def test_floor_gives_the_marts_rows_on_the_scaled_sources(scaled_run, tmp_path):
    workdir, _ = scaled_run
    warehouse = tmp_path / "klimamonitor.duckdb"
    shutil.copy(workdir / "klimamonitor.duckdb", warehouse)
    differences = floor_differences(warehouse)
    assert differences == {
        "mart_municipality_progress": (N * 30, 0),
        "mart_sector_gap": (N * 5, 0),
    }


@pytest.mark.unit
def test_the_table_states_each_goal_and_whether_it_is_met():
    """From raw figures as bench/measure.py records them: the medians, the ratios, each goal met
    or not, and the step in which the memory peaked."""
    from bench.measure import summarise, table

    def run(seconds, peak, during):
        steps = {"klimaregnskab": 20.0, "published__report": seconds - 60.0}
        return {"seconds": seconds, "steps": steps, "peak_rss_mb": peak, "peak_during": during}

    raw = {
        "nightly": [run(200.0, 3500.0, "published__report"), run(140.0, 1000.0, "plans")],
        "rerun": [run(20.0, 500.0, "plans"), run(10.0, 400.0, "plans")],
        "bare": [run(140.0, 900.0, "report"), run(130.0, 900.0, "report")],
        "ingest_dlt": [{"seconds": 10.0, "rows": 1000}, {"seconds": 10.0, "rows": 1000}],
        "ingest_duckdb": [{"seconds": 4.0, "rows": 1000}, {"seconds": 4.0, "rows": 1000}],
        "dbt_build": [{"seconds": 6.0, "parse_seconds": 3.0, "wall_seconds": 12.0}] * 2,
        "floor": [{"seconds": 3.0}] * 2,
    }
    summary = summarise(raw)
    assert summary["ratios"]["end_to_end_s"] == 170.0  # the median of the nightly runs
    assert summary["goals_met"] == {
        "end_to_end_s": False,
        "ingest_ratio": False,  # 0.4
        "transform_ratio": True,  # 2.0
        "orchestration_ratio": True,  # 170 / 135
        "rerun_ratio": True,  # 15 / 170
        "peak_rss_mb": False,
    }
    printed = table(summary)
    assert "end_to_end_s" in printed and "published__report 110 s" in printed
    assert "3500  <= 3072  NO   whole process tree, sampled, during published__report" in printed


@pytest.mark.unit
def test_a_fresh_folder_moves_the_last_one_aside_and_deletes_nothing(tmp_path):
    """The bench empties a run's folder by moving what was in it into its trash, to be deleted
    once the measurements are done, not by deleting it before a measured run (bench/measure.py
    fresh: files deleted just before slow down every file a run then creates)."""
    from bench.measure import fresh, trash_of

    run = tmp_path / "run"
    (run / "published").mkdir(parents=True)
    (run / "published" / "index.html").write_text("last run")
    assert list(fresh(run).iterdir()) == []
    (kept,) = trash_of(tmp_path).iterdir()
    assert (kept / "published" / "index.html").read_text() == "last run"
    assert fresh(tmp_path / "new").is_dir()  # nothing there yet: nothing moved
    assert len(list(trash_of(tmp_path).iterdir())) == 1
