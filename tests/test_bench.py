"""The benchmark's parts: the scale generator's sources pass every check of a real run, rows per
municipality and year as designed; the hand-written floor (bench/floor.sql) gives the same rows
as dbt's mart_municipality_progress and mart_sector_gap; a second run on unchanged sources does
not build, check or publish again what it already has."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from bench.scale import YEARS, generate_scale
from bench.steps import floor_script
from tests.conftest import run_pipeline

pytestmark = pytest.mark.slow
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


def test_floor_gives_the_marts_rows_on_the_demo(demo_run, tmp_path):
    warehouse = tmp_path / "klimamonitor.duckdb"
    shutil.copy(demo_run[0] / "klimamonitor.duckdb", warehouse)
    differences = floor_differences(warehouse)
    assert differences == {
        "mart_municipality_progress": (98 * 7, 0),
        "mart_sector_gap": (98 * 5, 0),
    }


@pytest.fixture(scope="module")
def scaled_runs(tmp_path_factory):
    """The bench's sources for N municipalities, run twice into one warehouse."""
    sources = tmp_path_factory.mktemp("scaled_sources")
    assert generate_scale(sources, N)
    assert not generate_scale(sources, N)  # the same generator and N: kept
    workdir = tmp_path_factory.mktemp("scaled_run")
    env = {"KLIMAMONITOR_MUNICIPALITIES": str(N)}
    first = run_pipeline(sources, workdir, env)
    second = run_pipeline(sources, workdir, env)
    return sources, workdir, first, second


def test_scaled_sources_pass_every_blocking_check(scaled_runs):
    _, _, first, _ = scaled_runs
    assert first.returncode == 0, first.stdout[-4000:] + first.stderr[-4000:]
    assert "checks: " in first.stdout and " 0 failed" in first.stdout
    assert "DEMO DATA" in first.stdout


def test_scaled_emissions_rows_per_municipality_and_year(scaled_runs):
    """30 rows a municipality and year: 6 sector totals, the total, the total per inhabitant and
    22 sub-sectors that add up to their sector's total."""
    _, workdir, _, _ = scaled_runs
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


def test_floor_gives_the_marts_rows_on_the_scaled_sources(scaled_runs, tmp_path):
    _, workdir, _, _ = scaled_runs
    warehouse = tmp_path / "klimamonitor.duckdb"
    shutil.copy(workdir / "klimamonitor.duckdb", warehouse)
    differences = floor_differences(warehouse)
    assert differences == {
        "mart_municipality_progress": (N * 30, 0),
        "mart_sector_gap": (N * 5, 0),
    }


def test_a_rerun_on_unchanged_sources_does_not_do_it_all_again(scaled_runs):
    """The second run loads nothing, skips the dbt build, reuses the GX outcomes and leaves the
    publication and the report of the first run in place; every check is still reported."""
    _, workdir, first, second = scaled_runs
    assert second.returncode == 0, second.stdout[-4000:] + second.stderr[-4000:]
    assert "published: unchanged, the publication of run" in second.stdout
    checks = [line for line in first.stdout.splitlines() if line.startswith("checks: ")]
    assert checks == [line for line in second.stdout.splitlines() if line.startswith("checks: ")]
    manifest = json.loads((workdir / "published" / "manifest.json").read_text())
    report = json.loads((workdir / "published" / "report" / "manifest.json").read_text())
    assert report["run_id"] == manifest["run_id"] == manifest["build_run_id"]
    memo = json.loads((workdir / "klimamonitor.steps.json").read_text())
    assert memo["dbt_build"]["run_id"] == manifest["run_id"]
    assert len([k for k in memo if k.startswith("gx ")]) == 27


def test_a_changed_plan_file_builds_and_publishes_again(scaled_runs, tmp_path):
    sources, workdir, _, _ = scaled_runs
    before = json.loads((workdir / "published" / "manifest.json").read_text())
    status = sorted((sources / "plans" / "inbox").glob("*_status_2025.csv"))[0]
    lines = status.read_text(encoding="utf-8").splitlines()
    status.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # one report fewer
    third = run_pipeline(sources, workdir, {"KLIMAMONITOR_MUNICIPALITIES": str(N)})
    assert third.returncode == 0, third.stdout[-4000:] + third.stderr[-4000:]
    after = json.loads((workdir / "published" / "manifest.json").read_text())
    assert after["run_id"] != before["run_id"] and after["build_run_id"] == after["run_id"]
