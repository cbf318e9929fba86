"""Publishing the audited mart for BI tools: write beside, then swap in by rename.

The working warehouse is written by one process at a time (dlt, dbt); BI tools and the report must
never wait on it, nor see it half built. So the BI-facing tables (`core.dim_*`, `marts.mart_*`) are
copied into a new DuckDB file beside the published one, which is made read-only and renamed over
it: a reader that has the old file open keeps reading the old file, a new reader opens the new one,
and no reader sees a mix. (Within one process DuckDB shares an open database among connections to
the same path, so a long-lived reader sees the new publication once all its connections to the old
one are closed.) The Parquet copies are written to a new folder, then each moved to its stable
name in `parquet/` by a rename, with the run and the column descriptions in its metadata.
The manifest (run id, time, source vintages, check results, row counts) is in the file as table
`main.publication` and beside it as `manifest.json`.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PUBLISHED_FILE = "klimamonitor.duckdb"
STORAGE_VERSION = "v1.0.0"
PARQUET_DIR = "parquet"
MANIFEST_FILE = "manifest.json"
STATBANK_TABLES = ("folk1a", "bil54", "bil53", "bol102")  # with a period (areas has none)


@dataclass(frozen=True)
class CheckResult:
    asset: str
    check: str
    passed: bool
    severity: str


def bi_tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    """The BI-facing tables of the attached warehouse `catalog`: the dimensions and the marts."""
    rows = con.execute(
        """select schema_name || '.' || table_name from duckdb_tables()
           where database_name = ?
             and ((schema_name = 'core' and starts_with(table_name, 'dim_'))
               or (schema_name = 'marts' and starts_with(table_name, 'mart_')))
           order by 1""",
        [catalog],
    ).fetchall()
    return [name for (name,) in rows]


@dataclass(frozen=True)
class Described:
    """A BI table as its catalog describes it: its comment, and each column's type and comment."""

    schema: str
    name: str
    comment: str | None
    columns: list[tuple[str, str, str | None]]  # name, DuckDB type, comment

    @property
    def table(self) -> str:
        return f"{self.schema}.{self.name}"


def described_tables(con: duckdb.DuckDBPyConnection) -> list[Described]:
    """The BI tables of the connection's current database (the published file, opened), with
    their descriptions: what the PostgreSQL load and the downloads carry along."""
    (catalog,) = con.execute("select current_database()").fetchone()
    described = []
    for table in bi_tables(con, catalog):
        schema, name = table.split(".")
        (comment,) = con.execute(
            """select comment from duckdb_tables()
               where database_name = ? and schema_name = ? and table_name = ?""",
            [catalog, schema, name],
        ).fetchone()
        columns = con.execute(
            """select column_name, data_type, comment from duckdb_columns()
               where database_name = ? and schema_name = ? and table_name = ?
               order by column_index""",
            [catalog, schema, name],
        ).fetchall()
        described.append(Described(schema, name, comment, columns))
    return described


def source_vintages(con: duckdb.DuckDBPyConnection, catalog: str) -> dict:
    """What the sources held when the mart was built: releases, latest periods, plan files."""

    def rows(sql: str) -> list:
        try:
            return con.execute(sql.replace("{db}", catalog)).fetchall()
        except duckdb.CatalogException:
            return []

    return {
        "data_origin": [
            o for (o,) in rows("select distinct data_origin from {db}.core.dim_municipality")
        ],
        "klimaregnskab_releases": [
            str(r)
            for (r,) in rows("select distinct release from {db}.klimaregnskab.noegletal order by 1")
        ],
        "statbank_latest_periods": {  # each table on its own: one not loaded yet is left out
            table: period
            for table in STATBANK_TABLES
            for (period,) in rows(f"select max(tid) from {{db}}.statbank.{table}")
            if period is not None
        },
        "plan_files": (rows("select count(*) from {db}.plans.inbox_files") or [(0,)])[0][0],
        "plan_files_latest_modified": _iso(
            (rows("select max(modified_at) from {db}.plans.inbox_files") or [(None,)])[0][0]
        ),
    }


def _iso(value) -> str | None:
    """A time for the manifest: ISO 8601, or null where there is none (never the text 'None')."""
    return None if value is None else value.isoformat()


def _comment(value: str | None) -> str:
    return "'" + (value or "").replace("'", "''") + "'"


@dataclass(frozen=True)
class Published:
    """A table as copied: its rows, and the descriptions dbt wrote (persist_docs)."""

    rows: int
    description: str | None
    columns: dict[str, str]


def _copy_tables(pub: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, Published]:
    copied = {}
    for table in tables:
        schema, name = table.split(".")
        pub.execute(f'create schema if not exists "{schema}"')
        pub.execute(f'create table "{schema}"."{name}" as from wh."{schema}"."{name}"')
        # the descriptions travel with the table
        columns = dict(
            pub.execute(
                """select column_name, comment from duckdb_columns()
                   where database_name = 'wh' and schema_name = ? and table_name = ?
                     and comment is not null order by column_index""",
                [schema, name],
            ).fetchall()
        )
        for column, comment in columns.items():
            pub.execute(f'comment on column "{schema}"."{name}"."{column}" is {_comment(comment)}')
        (description,) = pub.execute(
            """select comment from duckdb_tables() where database_name = 'wh'
               and schema_name = ? and table_name = ?""",
            [schema, name],
        ).fetchone()
        if description is not None:
            pub.execute(f'comment on table "{schema}"."{name}" is {_comment(description)}')
        rows = pub.execute(f'select count(*) from "{schema}"."{name}"').fetchall()[0][0]
        copied[table] = Published(rows, description, columns)
    return copied


def publish(
    warehouse: Path,
    published_dir: Path,
    run_id: str,
    checks: list[CheckResult],
    build_run_id: str | None = None,
) -> dict:
    """Publishes the BI tables of `warehouse` into `published_dir`; returns the manifest.
    `build_run_id` names the run whose dbt build made the tables, and `checks` are that run's."""
    published_dir.mkdir(parents=True, exist_ok=True)
    staging = published_dir / f".{PUBLISHED_FILE}.{run_id}"
    staging.unlink(missing_ok=True)
    parquet_dir = published_dir / f".parquet.{run_id}"
    shutil.rmtree(parquet_dir, ignore_errors=True)
    parquet_dir.mkdir()

    pub = duckdb.connect()
    try:
        # the storage format DuckDB 0.10 and 1.0 write, which every 1.x reads: the DuckDB inside
        # most BI drivers (DBeaver, Metabase's driver, the ODBC driver Power BI uses) is 1.x, and
        # it refuses a file stamped with 2.0's format
        pub.execute(
            f"attach {_comment(str(staging))} as published (storage_version '{STORAGE_VERSION}')"
        )
        pub.execute("use published")
        pub.execute(f"attach {_comment(str(warehouse))} as wh (read_only)")
        tables = bi_tables(pub, "wh")
        vintages = source_vintages(pub, "wh")
        copied = _copy_tables(pub, tables)
        pub.execute("detach wh")
        manifest = {
            "run_id": run_id,
            "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "warehouse": str(warehouse.resolve()),
            "build_run_id": build_run_id,
            "source_vintages": vintages,
            "checks": {
                "passed": sum(c.passed for c in checks),
                "failed": [f"{c.asset} {c.check}" for c in checks if not c.passed],
                "results": [c.__dict__ for c in checks],
            },
            "tables": {table: t.rows for table, t in copied.items()},
        }
        pub.execute(
            "create table main.publication as select ? as run_id, "
            "cast(? as timestamptz) as published_at, ? :: json as manifest",
            [run_id, manifest["published_at"], json.dumps(manifest)],
        )
        for table in tables:
            metadata = _parquet_metadata(copied[table], run_id)
            pub.execute(
                f"copy {table} to {_comment(str(parquet_dir / f'{table}.parquet'))} "
                f"(format parquet, compression zstd, kv_metadata {metadata})"
            )
    except BaseException:
        pub.close()
        staging.unlink(missing_ok=True)
        shutil.rmtree(parquet_dir, ignore_errors=True)
        raise
    pub.close()
    (parquet_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2), encoding="utf-8")

    staging.chmod(0o444)
    os.replace(staging, published_dir / PUBLISHED_FILE)  # the swap: atomic on one file system
    _swap_parquet(published_dir, parquet_dir)
    manifest_tmp = published_dir / f".{MANIFEST_FILE}.{run_id}"
    manifest_tmp.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    os.replace(manifest_tmp, published_dir / MANIFEST_FILE)
    return manifest


def _parquet_metadata(table: Published, run_id: str) -> str:
    """The file's key-value metadata: the publication's run, the table's description and each
    column's (JSON), for tools that read Parquet without the DuckDB file beside it."""
    described = json.dumps(table.columns, ensure_ascii=False)
    return (
        f"{{klimamonitor_run_id: {_comment(run_id)}, "
        f"table_description: {_comment(table.description)}, "
        f"column_descriptions: {_comment(described)}}}"
    )


def _swap_parquet(published_dir: Path, new_dir: Path) -> None:
    """Moves the new files into `parquet/` at their stable names, each by one rename (a reader of
    a file sees the old or the new whole; each file names its run in its metadata), the manifest
    last; then removes the files of tables no longer published and the new folder."""
    folder = published_dir / PARQUET_DIR
    if folder.is_symlink():  # the layout before: a link to a hidden folder per run
        folder.unlink()
        for old in published_dir.glob(".parquet.*"):
            if old != new_dir:
                shutil.rmtree(old, ignore_errors=True)
    folder.mkdir(exist_ok=True)
    names = sorted(p.name for p in new_dir.glob("*.parquet"))
    for name in [*names, MANIFEST_FILE]:
        os.replace(new_dir / name, folder / name)
    for stale in folder.glob("*.parquet"):
        if stale.name not in names:
            stale.unlink()
    shutil.rmtree(new_dir, ignore_errors=True)


def current_manifest(published_dir: Path) -> dict | None:
    path = published_dir / MANIFEST_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
