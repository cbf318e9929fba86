"""Write, audit, publish: the published copy holds only the BI tables, read-only, with a manifest
and Parquet files; a new publication replaces the old one whole."""

from __future__ import annotations

import json
import os
import shutil
import stat

import duckdb
import pytest

from publish.publication import CheckResult, current_manifest, publish
from tests.conftest import run_in_process


def _warehouse(path, value: int) -> None:
    con = duckdb.connect(str(path))
    for schema in ("core", "marts", "staging", "klimaregnskab"):
        con.execute(f"create schema {schema}")
    con.execute(
        "create table core.dim_municipality as select '101' as municipality_code, "
        "'demo' as data_origin"
    )
    con.execute(f"create table marts.mart_x as select range as n, {value} as v from range(3)")
    con.execute("comment on column marts.mart_x.v is 'the value'")
    con.execute("create table core.fct_hidden as select 1 as n")
    con.execute("create table staging.stg_hidden as select 1 as n")
    con.execute("create table klimaregnskab.noegletal as select date '2026-06-30' as release")
    con.close()


@pytest.fixture
def published(tmp_path):
    warehouse = tmp_path / "klimamonitor.duckdb"
    _warehouse(warehouse, 1)
    target = tmp_path / "published"
    checks = [
        CheckResult("marts/mart_x", "not_null", True, "ERROR"),
        CheckResult("marts/mart_x", "yoy_change", False, "WARN"),
    ]
    manifest = publish(warehouse, target, "run-1", checks)
    return warehouse, target, manifest


def test_only_bi_tables_are_published(published):
    _, target, manifest = published
    assert manifest["tables"] == {"core.dim_municipality": 1, "marts.mart_x": 3}
    con = duckdb.connect(str(target / "klimamonitor.duckdb"), read_only=True)
    tables = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() order by 1"
    ).fetchall()
    assert tables == [("core.dim_municipality",), ("main.publication",), ("marts.mart_x",)]
    assert con.execute(
        "select comment from duckdb_columns() where column_name = 'v'"
    ).fetchall() == [("the value",)]
    stored = json.loads(con.execute("select manifest from main.publication").fetchall()[0][0])
    assert stored["run_id"] == "run-1"
    assert stored["checks"]["failed"] == ["marts/mart_x yoy_change"]
    assert stored["source_vintages"]["klimaregnskab_releases"] == ["2026-06-30"]


def test_published_file_is_read_only(published):
    _, target, _ = published
    mode = os.stat(target / "klimamonitor.duckdb").st_mode
    assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def test_parquet_and_manifest_beside_it(published):
    _, target, manifest = published
    assert current_manifest(target) == manifest
    files = sorted(p.name for p in (target / "parquet").iterdir())
    assert files == ["core.dim_municipality.parquet", "manifest.json", "marts.mart_x.parquet"]
    assert duckdb.sql(
        f"select sum(v) from '{target / 'parquet' / 'marts.mart_x.parquet'}'"
    ).fetchall() == [(3,)]
    assert _parquet_metadata(target / "parquet" / "marts.mart_x.parquet") == {
        "klimamonitor_run_id": "run-1",
        "table_description": "",
        "column_descriptions": '{"v": "the value"}',
    }


def _parquet_metadata(path) -> dict[str, str]:
    return dict(
        duckdb.sql(
            f"select decode(key), decode(value) from parquet_kv_metadata('{path}')"
        ).fetchall()
    )


def test_a_new_publication_replaces_the_old_whole(published, tmp_path):
    warehouse, target, _ = published
    reader = duckdb.connect(str(target / "klimamonitor.duckdb"), read_only=True)
    _warehouse(tmp_path / "second.duckdb", 2)
    publish(tmp_path / "second.duckdb", target, "run-2", [])
    publish(tmp_path / "second.duckdb", target, "run-3", [])
    # a reader that had the old file open still reads the old publication, whole
    assert reader.execute(
        "select (select run_id from main.publication), sum(v) from marts.mart_x"
    ).fetchall() == [("run-1", 3)]
    # DuckDB shares an open database among a process's connections to one path: the new
    # file is opened once the old one is closed
    reader.close()
    fresh = duckdb.connect(str(target / "klimamonitor.duckdb"), read_only=True)
    assert fresh.execute(
        "select (select run_id from main.publication), sum(v) from marts.mart_x"
    ).fetchall() == [("run-3", 6)]
    # the Parquet files are at their stable names in a plain folder, each of the newest run
    folder = target / "parquet"
    assert folder.is_dir() and not folder.is_symlink()
    assert sorted(p.name for p in folder.iterdir()) == [
        "core.dim_municipality.parquet",
        "manifest.json",
        "marts.mart_x.parquet",
    ]
    for path in folder.glob("*.parquet"):
        assert _parquet_metadata(path)["klimamonitor_run_id"] == "run-3", path
    assert json.loads((folder / "manifest.json").read_text())["run_id"] == "run-3"
    assert not list(target.glob(".parquet*")), "no folder of a run left behind"
    assert not list(target.glob(".klimamonitor.duckdb.*")), "no staging file left behind"


def test_a_failed_copy_leaves_the_publication_in_place(published, tmp_path):
    _, target, manifest = published
    with pytest.raises(duckdb.Error):
        publish(tmp_path / "missing.duckdb", target, "run-bad", [])
    assert current_manifest(target) == manifest
    assert not list(target.glob(".klimamonitor.duckdb.*"))
    assert not (target / ".parquet.run-bad").exists()


def test_a_failed_check_holds_the_publication_back(demo_run, demo_folder, tmp_path):
    """A negative transport figure fails the blocking GX suite on the raw emissions: nothing
    downstream is built, the last good publication stays, and the run says which check failed."""
    workdir = tmp_path / "run"
    shutil.copytree(demo_run[0], workdir, symlinks=True)
    before = current_manifest(workdir / "published")
    folder = tmp_path / "sources"
    shutil.copytree(demo_folder, folder)
    latest = sorted((folder / "klimaregnskab").glob("*/noegletal.jsonl"))[-1]
    lines = latest.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    for row in record["response"]["data"]:
        if row["sektor"] == "Transport":
            row["værdi"] = -5000.0
    lines[0] = json.dumps(record, ensure_ascii=False)
    latest.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = run_in_process(folder, workdir)

    failed = [
        (c.asset_key.to_user_string(), c.check_name)
        for c in result.get_asset_check_evaluations()
        if not c.passed and c.severity.value == "ERROR"
    ]
    assert failed == [("klimaregnskab/noegletal", "gx_klimaregnskab__noegletal")]
    built = {e.asset_key.path[0] for e in result.get_asset_materialization_events()}
    assert not built & {"staging", "core", "marts", "published"}, built
    assert current_manifest(workdir / "published") == before
    con = duckdb.connect(str(workdir / "published" / "klimamonitor.duckdb"), read_only=True)
    assert con.execute("select run_id from main.publication").fetchall() == [(before["run_id"],)]


def test_a_publication_of_the_old_layout_gets_the_plain_folder(tmp_path):
    """Before, `parquet` was a link to a hidden folder per run: the next publication replaces it
    with the plain folder and removes the hidden ones."""
    warehouse = tmp_path / "klimamonitor.duckdb"
    _warehouse(warehouse, 1)
    target = tmp_path / "published"
    (target / ".parquet.run-0").mkdir(parents=True)
    (target / "parquet").symlink_to(".parquet.run-0")
    publish(warehouse, target, "run-1", [])
    assert (target / "parquet").is_dir() and not (target / "parquet").is_symlink()
    assert (target / "parquet" / "marts.mart_x.parquet").exists()
    assert not list(target.glob(".parquet*"))
