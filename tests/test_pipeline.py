"""The whole pipeline, in-process through Dagster, into a temporary warehouse: the mart's content
against figures computed here from the source files; a second run on unchanged sources builds
nothing and reports only what it ran; readers of the publication while it is replaced."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.publish.assets import checks_of_run
from publish.publication import publish
from tests.conftest import PROJECT_ROOT, assert_succeeded, instance_for, run_in_process
from tests.test_bench import floor_differences
from tests.test_questions import _latest_figures, _sector_total

TABLES = [
    "statbank.areas",
    "statbank.folk1a",
    "statbank.bil54",
    "klimaregnskab.noegletal",
    "plans.plans",
    "plans.plan_targets",
    "plans.plan_actions",
    "plans.plan_status_updates",
    "plans.inbox_files",
    "core.dim_municipality",
    "core.fct_emissions",
    "core.fct_plan_targets",
    "core.fct_actions",
    "core.fct_emission_vintages",
    "snapshots.snp_actions__status",
    "marts.mart_municipality_progress",
    "marts.mart_sector_gap",
    "marts.mart_region_progress",
    "marts.mart_national_progress",
    "marts.mart_indicators",
    "marts.mart_data_quality",
]


def _counts(path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in TABLES}
    finally:
        con.close()


@pytest.fixture(scope="module")
def first_run(demo_run):
    workdir, run_id = demo_run
    return workdir, run_id, _counts(workdir / "klimamonitor.duckdb")


def test_every_check_ran_and_passed_or_warned(first_run):
    workdir, run_id, _ = first_run
    with instance_for(workdir) as instance:
        checks = checks_of_run(instance, run_id)
    assert len(checks) > 150
    failed = [c for c in checks if not c.passed and c.severity == "ERROR"]
    assert not failed, [(c.asset, c.check) for c in failed]


def test_every_municipality_every_year(first_run):
    workdir, _, _ = first_run
    con = duckdb.connect(str(workdir / "klimamonitor.duckdb"), read_only=True)
    per_year = con.execute("""select year, count(distinct municipality_code)
        from marts.mart_municipality_progress group by 1 order by 1""").fetchall()
    assert per_year == [(y, 98) for y in range(2018, 2025)]
    assert con.execute("select count(*) from core.dim_municipality").fetchall() == [(98,)]
    regions = con.execute("""select region_code, count(*) from core.dim_municipality
        group by 1 order by 1""").fetchall()
    assert regions == [("081", 11), ("082", 19), ("083", 22), ("084", 29), ("085", 17)]


def test_mart_matches_the_source_files(first_run, demo_folder):
    """National totals and one municipality, recomputed from the latest release's JSON."""
    workdir, _, _ = first_run
    latest = sorted((demo_folder / "klimaregnskab").glob("*/noegletal.jsonl"))[-1]
    src = duckdb.connect()
    expected = dict(
        src.execute(
            """select year, sum(d."værdi") from read_json(?), unnest(response.data) as t(d)
           where d.sektor = 'Samlet' and d.type = 'Samlet CO2-udledning' group by 1""",
            [str(latest)],
        ).fetchall()
    )
    con = duckdb.connect(str(workdir / "klimamonitor.duckdb"), read_only=True)
    mart = dict(
        con.execute("""select year, sum(emissions_t) from marts.mart_municipality_progress
        group by 1""").fetchall()
    )
    assert mart.keys() == expected.keys()
    for year, total in expected.items():
        assert mart[year] == pytest.approx(total, abs=98 * 0.5), year  # 0.1 t rounding a figure
    sectors = con.execute("""select count(*) from (select municipality_code, year, count(*) n
        from core.fct_emissions group by all) where n <> 5""").fetchall()
    assert sectors == [(0,)]


def test_path_against_the_plan_file(first_run, demo_folder):
    """København's path in 2024, recomputed from its plan submission, its baseline re-based onto
    the latest release of the accounts."""
    workdir, _, _ = first_run
    src = duckdb.connect()
    plan = src.execute(
        "select * from read_csv(?) order by plan_version desc limit 1",
        [str(demo_folder / "plans/inbox/101_v*_plan.csv")],
    ).fetchall()[0]
    baseline_year, pct = plan[4], plan[6]
    baseline = _sector_total(_latest_figures(demo_folder)["101", baseline_year])
    target_2030 = baseline * (1 - pct / 100)
    expected = baseline + (target_2030 - baseline) * (2024 - baseline_year) / (2030 - baseline_year)
    con = duckdb.connect(str(workdir / "klimamonitor.duckdb"), read_only=True)
    try:
        path, emissions, distance, status = con.execute(
            """select target_path_t, emissions_t, distance_to_path_t, status
               from marts.mart_municipality_progress
               where municipality_code = '101' and year = 2024"""
        ).fetchall()[0]
    finally:
        con.close()
    assert path == pytest.approx(expected)
    assert distance == pytest.approx(emissions - expected)
    above_pct = (emissions - expected) / expected * 100
    expected_status = (
        "on_track" if above_pct <= 0 else "at_risk" if above_pct <= 10 else "off_track"
    )
    assert status == expected_status


def test_demo_data_is_labelled(first_run):
    workdir, _, _ = first_run
    con = duckdb.connect(str(workdir / "klimamonitor.duckdb"), read_only=True)
    # the test reads the demo files as a folder: they are still labelled demo data
    assert con.execute(
        "select distinct data_origin from marts.mart_municipality_progress"
    ).fetchall() == [("demo",)]


def test_the_benchs_floor_gives_the_marts_rows(first_run, tmp_path):
    """The hand-written floor of `make bench` (bench/floor.sql) computes the same marts."""
    warehouse = tmp_path / "klimamonitor.duckdb"
    shutil.copy(first_run[0] / "klimamonitor.duckdb", warehouse)
    differences = floor_differences(warehouse)
    assert differences == {
        "mart_municipality_progress": (98 * 7, 0),
        "mart_sector_gap": (98 * 5, 0),
    }


READER = """
import json, sys, time
from pathlib import Path
import duckdb

published, stop, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
with out.open("w") as log:
    while not stop.exists():
        try:
            con = duckdb.connect(str(published), read_only=True)
            row = con.execute(
                "select (select run_id from main.publication),"
                " (select count(*) from marts.mart_municipality_progress),"
                " (select count(*) from marts.mart_actions),"
                " (select count(*) from core.dim_municipality)"
            ).fetchall()[0]
            con.close()
            log.write(json.dumps({"row": row}) + "\\n")
        except Exception as exc:
            log.write(json.dumps({"error": repr(exc)}) + "\\n")
        log.flush()
        time.sleep(0.02)
"""


def test_a_rerun_on_unchanged_sources_builds_nothing_and_reports_only_what_ran(
    first_run, demo_folder
):
    """The loads run and load nothing new; no model is stale, so dbt does not build, no dbt test
    and no GX suite reports, the publication is not redone; the mart is as it was."""
    workdir, first, counts = first_run
    before = json.loads((workdir / "published" / "manifest.json").read_text())
    result = run_in_process(demo_folder, workdir)
    assert_succeeded(result)
    assert _counts(workdir / "klimamonitor.duckdb") == counts
    materialized = {e.asset_key.path[0] for e in result.get_asset_materialization_events()}
    assert materialized <= {"statbank", "klimaregnskab", "plans", "reference"}
    ran = {(c.asset_key, c.check_name) for c in result.get_asset_check_evaluations()}
    assert all(name.startswith("freshness") for _, name in ran), ran
    with instance_for(workdir) as instance:
        assert len(checks_of_run(instance, first)) > 150
    skipped = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SKIPPED"}
    assert {"published__klimamonitor", "published__report"} <= skipped
    assert json.loads((workdir / "published" / "manifest.json").read_text()) == before


def test_readers_see_the_old_or_the_new_publication_whole(first_run, tmp_path):
    """Four BI readers query the published file in a loop while it is published again three
    times: no reader errs, each sees one publication whole."""
    workdir, _, _ = first_run
    published_dir = tmp_path / "published"
    warehouse = workdir / "klimamonitor.duckdb"
    manifests = [publish(warehouse, published_dir, "run-0", [])]
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                READER,
                str(published_dir / "klimamonitor.duckdb"),
                str(stop),
                str(tmp_path / f"r{i}"),
            ]
        )
        for i in range(4)
    ]
    try:
        for run in range(1, 4):
            _wait_for_lines(tmp_path, 4, 20 * run)
            manifests.append(publish(warehouse, published_dir, f"run-{run}", []))
        _wait_until_each_reader_saw(tmp_path, 4, "run-3")
    finally:
        stop.touch()
        for reader in readers:
            reader.wait(timeout=60)
    expected = {
        m["run_id"]: [
            m["tables"]["marts.mart_municipality_progress"],
            m["tables"]["marts.mart_actions"],
            m["tables"]["core.dim_municipality"],
        ]
        for m in manifests
    }
    seen = set()
    for i in range(4):
        for line in (tmp_path / f"r{i}").read_text().splitlines():
            observation = json.loads(line)
            assert "error" not in observation, observation
            run_id, *row = observation["row"]
            assert row == expected[run_id], (run_id, row)
            seen.add(run_id)
    assert {"run-0", "run-3"} <= seen, "readers saw the first and the last publication"


def _wait_until_each_reader_saw(folder: Path, readers: int, run_id: str) -> None:
    """Until every reader has queried the publication of `run_id` (or erred: the test says so)."""
    while not all(
        f'"{run_id}"' in text or '"error"' in text
        for text in ((folder / f"r{i}").read_text() for i in range(readers))
    ):
        time.sleep(0.05)


def _wait_for_lines(folder: Path, readers: int, lines: int) -> None:
    """Until every reader has logged `lines` queries (the readers run on a busy machine too)."""
    while not all(
        (folder / f"r{i}").exists() and len((folder / f"r{i}").read_text().splitlines()) >= lines
        for i in range(readers)
    ):
        time.sleep(0.05)


def test_action_status_history_is_kept(first_run, dbt_scratch):
    """A later status report closes the action's current row in the snapshot and opens a new one.
    Run on a copy of the warehouse: a report row is added to the raw table and dbt run again."""
    workdir, _, _ = first_run
    warehouse, target = dbt_scratch
    shutil.copy(workdir / "klimamonitor.duckdb", warehouse)
    con = duckdb.connect(str(warehouse))
    code, version, action_id, status, status_date = con.execute(
        """select municipality_code, plan_version, action_id, status, status_date
           from core.fct_actions where status = 'planned' order by 1, 3 limit 1"""
    ).fetchall()[0]
    report_date = status_date + timedelta(days=30)
    [(load_id,)] = con.execute("select max(_dlt_load_id) from plans.plan_status_updates").fetchall()
    report = f"{code}_v{version}_status_2099.csv"  # as if the report file had arrived
    con.execute(
        """insert into plans.plan_status_updates by name
           select ? as municipality_code, ? as plan_version, ? as action_id,
                  'in_progress' as status, ? as status_date, 'test' as comment,
                  ? as source_file, 2 as row_number, 'hash' as file_hash,
                  'folder' as data_origin, ? as _dlt_load_id""",
        [code, str(version), action_id, str(report_date), report, load_id],
    )
    con.execute(
        """insert into plans.inbox_files by name
           select ? as source_file, 'status' as part, 'hash' as file_hash, 1 as rows,
                  0 as rejections, ? as _dlt_load_id""",
        [report, load_id],
    )
    con.close()
    env = {**os.environ, "KLIMAMONITOR_WAREHOUSE": str(warehouse)}
    env["DBT_PROFILES_DIR"] = str(PROJECT_ROOT / "transform")
    build = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "build",
            "--quiet",
            "--select",
            "+snp_actions__status",
            "--exclude",
            "resource_type:source",
            # not transform/target, which holds the manifest the runs load
            "--target-path",
            str(target),
        ],
        cwd=PROJECT_ROOT / "transform",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stdout[-3000:]
    con = duckdb.connect(str(warehouse), read_only=True)
    history = con.execute(
        """select status, cast(dbt_valid_from as date), cast(dbt_valid_to as date)
           from snapshots.snp_actions__status
           where municipality_code = ? and action_id = ? order by dbt_valid_from""",
        [code, action_id],
    ).fetchall()
    assert history == [
        (status, status_date, report_date),
        ("in_progress", report_date, None),
    ]
