"""The PostgreSQL endpoint (publish/postgres.py) on a real server: Debian's postgresql, a cluster
of the test's own (publish/postgres_server.py). The session's publication is loaded into it and
swapped in; psql and psycopg see every table with its comments; 20 readers during refreshes see
no error and never a mix of two publications; the BI role cannot write."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import dagster as dg
import duckdb
import psycopg
import pytest

from ingestion.settings import Settings
from orchestration.defs.publish.assets import postgres_asset
from publish import postgres_server
from publish.postgres import load
from publish.publication import PUBLISHED_FILE

pytestmark = pytest.mark.integration

READERS = 20
READ_EVERY_S = 0.01  # each reader: a query every 10 ms, 2,000 a second in all


@pytest.fixture(scope="module")
def server():
    """A cluster of this module's own, in a folder the `postgres` user may enter; stopped and
    removed after."""
    data = Path(tempfile.mkdtemp(prefix="klimamonitor-pg-"))
    try:
        url = postgres_server.start(data, postgres_server.free_port())
        yield data, url
    finally:
        postgres_server.stop(data)
        shutil.rmtree(data, ignore_errors=True)


def _duckdb_catalog(published: Path) -> dict:
    con = duckdb.connect(str(published), read_only=True)
    try:
        tables = {
            f"{s}.{t}": (c, n)
            for s, t, c, n in con.execute(
                """select schema_name, table_name, comment, estimated_size from duckdb_tables()
                   where schema_name in ('core', 'marts')"""
            ).fetchall()
        }
        columns = {
            f"{s}.{t}.{c}": d
            for s, t, c, d in con.execute(
                """select schema_name, table_name, column_name, comment from duckdb_columns()
                   where schema_name in ('core', 'marts')"""
            ).fetchall()
        }
        counts = {t: con.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}
    finally:
        con.close()
    return {"tables": tables, "columns": columns, "counts": counts}


@pytest.fixture(scope="module")
def loaded(server, demo_run):
    _, url = server
    published = demo_run[0] / "published" / PUBLISHED_FILE
    return load(published, url), published


def test_every_table_with_its_comments_in_psycopg_and_psql(server, loaded):
    data, url = server
    result, published = loaded
    expected = _duckdb_catalog(published)
    assert not result.already_there and result.tables == len(expected["tables"])
    assert result.rows == sum(expected["counts"].values())
    reader_url = postgres_server.url(data, postgres_server.READER)
    with psycopg.connect(reader_url) as conn:
        tables = dict(
            conn.execute(
                """select n.nspname || '.' || c.relname, obj_description(c.oid, 'pg_class')
                   from pg_class c join pg_namespace n on n.oid = c.relnamespace
                   where n.nspname in ('core', 'marts') and c.relkind = 'r'"""
            ).fetchall()
        )
        columns = dict(
            conn.execute(
                """select table_schema || '.' || table_name || '.' || column_name,
                          col_description((table_schema || '.' || table_name)::regclass,
                                          ordinal_position)
                   from information_schema.columns where table_schema in ('core', 'marts')"""
            ).fetchall()
        )
        counts = {t: conn.execute(f"select count(*) from {t}").fetchone()[0] for t in tables}
        run_id, manifest = conn.execute(
            "select run_id, manifest from klimamonitor.publication"
        ).fetchone()
    assert tables == {t: c for t, (c, _) in expected["tables"].items()}
    assert all(tables.values()), "every table is described"
    assert columns == expected["columns"]
    assert counts == expected["counts"]
    assert run_id == result.run_id == manifest["run_id"]

    # psql, as a BI user at a terminal: \dt+ lists each table with its description
    psql = subprocess.run(
        ["psql", reader_url, "-X", "-A", "-t", "-c", r"\dt+ marts.*"],
        capture_output=True,
        text=True,
        check=True,
    )
    listed = {line.split("|")[1]: line.split("|")[-1] for line in psql.stdout.splitlines()}
    marts = {t.split(".")[1]: c for t, (c, _) in expected["tables"].items() if t[:5] == "marts"}
    assert listed == marts


def test_superset_and_metabase_see_it_through_sqlalchemy(server, loaded):
    """The URL the README gives Superset (SQLAlchemy with psycopg): the marts and their
    descriptions, as SQLAlchemy's inspector lists them for a BI tool's table browser."""
    import sqlalchemy as sa

    data, _ = server
    _, published = loaded
    expected = _duckdb_catalog(published)
    url = postgres_server.url(data, postgres_server.READER).replace(
        "postgresql://", "postgresql+psycopg://"
    )
    engine = sa.create_engine(url)
    try:
        inspector = sa.inspect(engine)
        marts = sorted(inspector.get_table_names(schema="marts"))
        assert marts == sorted(t.split(".")[1] for t in expected["tables"] if t[:5] == "marts")
        for name in marts:
            comment = inspector.get_table_comment(name, schema="marts")["text"]
            assert comment == expected["tables"][f"marts.{name}"][0], name
        columns = inspector.get_columns("mart_actions", schema="marts")
        assert all(
            c["comment"] == expected["columns"][f"marts.mart_actions.{c['name']}"] for c in columns
        )
        with engine.connect() as conn:
            rows = conn.execute(sa.text("select count(*) from marts.mart_actions")).scalar()
        assert rows == expected["counts"]["marts.mart_actions"]
    finally:
        engine.dispose()


def test_the_same_publication_again_loads_nothing(server, loaded):
    _, url = server
    result, published = loaded
    again = load(published, url)
    assert again.already_there and again.run_id == result.run_id and again.rows == 0


def test_the_bi_role_cannot_write(server, loaded):
    data, _ = server
    reader_url = postgres_server.url(data, postgres_server.READER)
    attempts = [
        "insert into core.dim_region select * from core.dim_region",
        "delete from marts.mart_actions",
        "create table marts.mine (x int)",
        "create table public.mine (x int)",
        "create schema mine",
        "drop table core.dim_sector",
        "set transaction read write; delete from marts.mart_actions",
    ]
    for statement in attempts:
        with (
            psycopg.connect(reader_url, autocommit=True) as conn,
            pytest.raises(
                (psycopg.errors.InsufficientPrivilege, psycopg.errors.ReadOnlySqlTransaction)
            ),
        ):
            conn.execute(statement)


def _other_publication(published: Path, folder: Path) -> tuple[Path, str, dict]:
    """A second publication: a copy of the first with other rows in two tables and another run."""
    copy = folder / PUBLISHED_FILE
    shutil.copy(published, copy)
    copy.chmod(0o644)
    con = duckdb.connect(str(copy))
    try:
        con.execute("delete from marts.mart_actions where municipality_code < '400'")
        con.execute("delete from core.dim_municipality where region_code = '085'")
        con.execute("update main.publication set run_id = 'other-run'")
    finally:
        con.close()
    return copy, "other-run", _duckdb_catalog(copy)["counts"]


READ = """select p.run_id,
                 (select count(*) from marts.mart_actions),
                 (select count(*) from core.dim_municipality)
          from klimamonitor.publication p"""


def test_readers_during_refreshes_see_one_publication_whole(server, loaded, tmp_path):
    data, url = server
    first, published = loaded
    other, other_run, other_counts = _other_publication(published, tmp_path)
    first_counts = _duckdb_catalog(published)["counts"]
    whole = {
        (first.run_id, first_counts["marts.mart_actions"], first_counts["core.dim_municipality"]),
        (other_run, other_counts["marts.mart_actions"], other_counts["core.dim_municipality"]),
    }
    reader_url = postgres_server.url(data, postgres_server.READER)
    seen: list[tuple] = []
    errors: list[str] = []
    done = threading.Event()

    def read() -> None:
        try:
            with psycopg.connect(reader_url, autocommit=True) as conn:
                while not done.wait(READ_EVERY_S):
                    seen.append(conn.execute(READ).fetchone())
        except Exception as error:  # every error is a finding
            errors.append(repr(error))

    readers = [threading.Thread(target=read) for _ in range(READERS)]
    for reader in readers:
        reader.start()
    refreshes = []
    for publication in [other, published, other, published]:
        started = time.monotonic()
        refreshes.append((load(publication, url), time.monotonic() - started))
    done.set()
    for reader in readers:
        reader.join()

    assert not errors, errors[:3]
    assert set(seen) <= whole, set(seen) - whole
    assert set(seen) == whole, "the readers saw both publications"
    assert all(not result.already_there for result, _ in refreshes)
    record = {
        "readers": READERS,
        "reads": len(seen),
        "refreshes": len(refreshes),
        "refresh_seconds": [round(s, 2) for _, s in refreshes],
        "errors": len(errors),
        "mixed": len(set(seen) - whole),
    }
    artifacts = Path(__file__).resolve().parent.parent / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "postgres-readers.json").write_text(json.dumps(record, indent=2))


def test_the_step_loads_the_publication_or_says_why_not(server, demo_run, tmp_path):
    """The Dagster step: with a server, it loads and reports the run; without one, it writes
    nothing, materializes nothing and says so in its log."""
    _, url = server
    workdir = demo_run[0]
    warehouse = workdir / "klimamonitor.duckdb"
    with dg.DagsterInstance.ephemeral() as instance:
        configured = Settings(source="demo", warehouse=warehouse, postgres_url=url)
        result = dg.materialize([postgres_asset(configured)], instance=instance)
        (event,) = result.get_asset_materialization_events()
        metadata = event.materialization.metadata
        with duckdb.connect(str(workdir / "published" / PUBLISHED_FILE), read_only=True) as con:
            (run_id,) = con.execute("select run_id from main.publication").fetchone()
        assert metadata["run_id"].value == run_id

        nowhere = Settings(source="demo", warehouse=tmp_path / "klimamonitor.duckdb")
        assert nowhere.postgres() is None
        result = dg.materialize([postgres_asset(nowhere)], instance=instance)
        assert result.success and not result.get_asset_materialization_events()
        logs = [e.message for e in instance.all_logs(result.run_id) if e.step_key]
        assert any("no PostgreSQL server" in (m or "") for m in logs)
