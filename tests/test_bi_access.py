"""What BI tools get: the published DuckDB file opens in DuckDB 1.x, the DuckDB inside most BI
drivers (DBeaver, Metabase's driver, the ODBC driver behind Power BI), with every table, value
and column description as DuckDB 2 reads them. The 1.x client is installed into a throwaway
virtual environment (uv, from PyPI; cached after the first time)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from publish.publication import publish
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.integration

OLDEST_1X = "1.1.3"  # the oldest DuckDB the BI drivers in use still ship

READ_EVERYTHING = """
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
out = {"version": duckdb.__version__, "tables": {}, "comments": {}}
for schema, table in con.execute(
    "select schema_name, table_name from duckdb_tables() order by 1, 2"
).fetchall():
    columns = [c for (c,) in con.execute(
        "select column_name from duckdb_columns() where schema_name = ? and table_name = ? "
        "order by column_index", [schema, table]).fetchall()]
    cast = ", ".join(f'cast("{c}" as varchar)' for c in columns)
    out["tables"][f"{schema}.{table}"] = [
        list(r) for r in con.execute(f'select {cast} from "{schema}"."{table}" order by all')
        .fetchall()
    ]
for schema, table, column, comment in con.execute(
    "select schema_name, table_name, column_name, comment from duckdb_columns() "
    "where comment is not null order by all"
).fetchall():
    out["comments"][f"{schema}.{table}.{column}"] = comment
print(json.dumps(out))
"""


def _uv() -> str:
    uv = shutil.which("uv") or str(PROJECT_ROOT / ".tools" / "bin" / "uv")
    if not Path(uv).exists():
        pytest.fail("no uv: `make setup` installs it into .tools/")
    return uv


@pytest.fixture(scope="module")
def duckdb_1x(tmp_path_factory) -> Path:
    venv = tmp_path_factory.mktemp("duckdb_1x") / "venv"
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    for command in (
        [_uv(), "venv", "--quiet", "--python", python, str(venv)],
        [_uv(), "pip", "install", "--quiet", "--python", str(venv), f"duckdb=={OLDEST_1X}"],
    ):
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
    return venv / "bin" / "python"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """A publication of a warehouse holding each column type the marts use, with descriptions."""
    root = tmp_path_factory.mktemp("bi")
    warehouse = root / "klimamonitor.duckdb"
    con = duckdb.connect(str(warehouse))
    con.execute("create schema core; create schema marts")
    con.execute(
        """create table core.dim_municipality as select '101' as municipality_code,
           'København' as municipality_name, 'demo' as data_origin"""
    )
    con.execute(
        """create table marts.mart_x as select range::integer as year, range * 1000 as rows_in,
           range / 3 as emissions_t, (range * 1.5)::decimal(18, 3) as share,
           date '2024-12-31' - range::integer as status_date, range % 2 = 0 as is_late,
           timestamptz '2026-12-03 07:21:00+00' as published_at,
           case when range = 1 then null else 'række ' || range end as note
           from range(5)"""
    )
    con.execute("comment on column marts.mart_x.emissions_t is 'Udledning, ton CO2e.'")
    con.execute("comment on table marts.mart_x is 'A mart.'")
    con.close()
    publish(warehouse, root / "published", "run-1", [])
    return root / "published" / "klimamonitor.duckdb"


def _read(python: Path | str, path: Path) -> dict:
    done = subprocess.run(
        [str(python), "-c", READ_EVERYTHING, str(path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_the_published_file_opens_in_duckdb_1x_with_everything_in_it(duckdb_1x, published):
    old = _read(duckdb_1x, published)
    new = _read(sys.executable, published)
    assert old["version"] == OLDEST_1X and new["version"].startswith("2.")
    assert old == {**new, "version": OLDEST_1X}
    assert {"core.dim_municipality", "marts.mart_x", "main.publication"} <= set(old["tables"])
    assert old["comments"]["marts.mart_x.emissions_t"] == "Udledning, ton CO2e."


def test_the_duckdb_cli_of_the_dev_tools_reads_it(published):
    """`.venv/bin/duckdb` (duckdb-cli 1.x), as the README's guide shows it."""
    cli = Path(sys.executable).with_name("duckdb")
    done = subprocess.run(
        [str(cli), "-readonly", "-csv", str(published), "-c", "select sum(year) from marts.mart_x"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "10"


def test_sqlalchemy_tools_see_the_tables_and_their_descriptions(published):
    """Metabase, Superset and the like: duckdb-engine with SQLAlchemy 2.0 (2.1 breaks its table
    inspection), on the URL the README gives, read-only."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"duckdb:///{published}?access_mode=read_only")
    try:
        inspector = sa.inspect(engine)
        assert inspector.get_table_names(schema="marts") == ["mart_x"]
        comments = {c["name"]: c["comment"] for c in inspector.get_columns("mart_x", "marts")}
        assert comments["emissions_t"] == "Udledning, ton CO2e."
        with engine.connect() as con:
            assert con.execute(sa.text("select count(*) from marts.mart_x")).scalar() == 5
            with pytest.raises(sa.exc.DBAPIError, match="read-only"):
                con.execute(sa.text("create table marts.y as select 1"))
    finally:
        engine.dispose()
