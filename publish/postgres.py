"""The published mart in PostgreSQL, for the BI tools that speak it (Power BI's and Excel's
PostgreSQL connector, Metabase, Superset, Tableau, R and Python without DuckDB).

After each publication its tables (`core.dim_*`, `marts.mart_*`) and its manifest
(`klimamonitor.publication`) are loaded into new schemas (`core__next`, ...), with their types,
table and column comments and the reader role's grants, and swapped in: one transaction renames
the schemas in use to `*__old` and the new ones to their names; the old ones are dropped after.
A reader's statement sees the old publication or the new one, whole: the swap first takes every old
table's lock, when no statement reads any of them (it never waits in the lock queue: it tries
again a moment later), and a statement that starts after it resolves the names to the new tables.
Readers use READ COMMITTED, every BI tool's default: a REPEATABLE READ transaction that began
before a swap would find the new tables' rows invisible to it.

How the rows travel: psycopg's `COPY ... FROM STDIN (FORMAT csv)`, from CSV that DuckDB writes out
of the published file. Not dlt's postgres destination: the publication is already typed, described
and audited; dlt would normalise every row again, add its `_dlt_*` columns and tables, and replace
table by table, with no swap of the whole mart and no comments. COPY is PostgreSQL's own bulk path.
"""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg
from psycopg import errors, sql

from publish.publication import Described, described_tables

SCHEMAS = ("core", "marts", "klimamonitor")
NEXT, OLD = "__next", "__old"
LOCK_KEY = 2020_2050  # the advisory lock that keeps two loaders apart
SWAP_TRIES, SWAP_PAUSE_S = 3000, 0.02  # a minute of tries, for readers with long queries

TYPES = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric(39, 0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "DATE": "date",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
    "VARCHAR": "text",
    "JSON": "jsonb",
}


def pg_type(duckdb_type: str, column: str) -> str:
    """The PostgreSQL type of a DuckDB column type; one with no faithful counterpart here is an
    error that names it, never a silent text column."""
    if duckdb_type in TYPES:
        return TYPES[duckdb_type]
    if match := re.fullmatch(r"DECIMAL\((\d+),(\d+)\)", duckdb_type):
        return f"numeric({match[1]}, {match[2]})"
    raise ValueError(f"column {column}: DuckDB type {duckdb_type} has no PostgreSQL type here")


@dataclass(frozen=True)
class Loaded:
    """What a load did: the publication now in PostgreSQL, its tables and rows, and whether it was
    there already (then nothing was loaded)."""

    run_id: str
    tables: int
    rows: int
    already_there: bool
    seconds: float
    swap_attempts: int = 0


def redacted(url: str) -> str:
    """The URL without its password, to show."""
    return re.sub(r"(//[^:/@]+):[^@/]*@", r"\1:***@", url)


def _ident(*names: str) -> sql.Identifier:
    return sql.Identifier(*names)


def _current_run(cur: psycopg.Cursor) -> str | None:
    cur.execute("select to_regclass('klimamonitor.publication') is not null")
    if not cur.fetchone()[0]:
        return None
    cur.execute("select run_id from klimamonitor.publication")
    row = cur.fetchone()
    return row[0] if row else None


def _with_tables_locked(conn: psycopg.Connection, schemas: list[str], act, tries: int) -> int:
    """Runs `act(cur)` in one transaction, having locked every table of `schemas` first, all at
    once or not at all (NOWAIT). It never waits in PostgreSQL's lock queue, so a reader never
    waits on it for longer than `act` takes (milliseconds), and the two can never deadlock: while
    a reader's statement holds one of the tables (a cached plan locks an old table for a moment
    too, to find the plan stale), it lets go and tries again a moment later. Returns the attempts
    it took; raises LockNotAvailable after `tries`."""
    for attempt in range(1, tries + 1):
        try:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute(
                    """select quote_ident(schemaname) || '.' || quote_ident(tablename)
                       from pg_tables where schemaname = any(%s) order by 1""",
                    [schemas],
                )
                tables = [name for (name,) in cur.fetchall()]
                if tables:
                    cur.execute(f"lock table {', '.join(tables)} in access exclusive mode nowait")
                act(cur)
            return attempt
        except errors.LockNotAvailable:
            if attempt == tries:
                raise
            time.sleep(SWAP_PAUSE_S)
    raise AssertionError("unreachable")


def _drop(conn: psycopg.Connection, suffix: str, tries: int) -> bool:
    """Drops the schemas `*<suffix>`; whether they are gone (after `tries` busy attempts, they
    are left for the next load)."""
    names = [schema + suffix for schema in SCHEMAS]

    def drop(cur: psycopg.Cursor) -> None:
        for name in names:
            cur.execute(sql.SQL("drop schema if exists {} cascade").format(_ident(name)))

    try:
        _with_tables_locked(conn, names, drop, tries)
    except errors.LockNotAvailable:
        return False
    return True


def ensure_reader(cur: psycopg.Cursor, role: str, database: str) -> None:
    """The BI role: it logs in, reads, and writes nothing (no grant but SELECT and USAGE, and its
    transactions read-only by default). Made when it does not exist, if the loader may."""
    cur.execute("select 1 from pg_roles where rolname = %s", [role])
    if cur.fetchone() is None:
        cur.execute(sql.SQL("create role {} login").format(_ident(role)))
        cur.execute(
            sql.SQL("alter role {} set default_transaction_read_only = on").format(_ident(role))
        )
    grant = sql.SQL("grant connect on database {} to {}")
    cur.execute(grant.format(_ident(database), _ident(role)))


def _load_next(
    cur: psycopg.Cursor, con: duckdb.DuckDBPyConnection, tables: list[Described], reader: str
) -> int:
    """Creates the `*__next` schemas and fills them; returns the rows loaded."""
    rows = 0
    for schema in SCHEMAS:
        cur.execute(sql.SQL("create schema {}").format(_ident(schema + NEXT)))
        cur.execute(
            sql.SQL("grant usage on schema {} to {}").format(_ident(schema + NEXT), _ident(reader))
        )
    with tempfile.TemporaryDirectory(prefix="klimamonitor-pg-") as tmp:
        for table in tables:
            target = _ident(table.schema + NEXT, table.name)
            cur.execute(
                sql.SQL("create table {} ({})").format(
                    target,
                    sql.SQL(", ").join(
                        sql.SQL("{} {}").format(
                            _ident(name), sql.SQL(pg_type(kind, f"{table.table}.{name}"))
                        )
                        for name, kind, _ in table.columns
                    ),
                )
            )
            csv = Path(tmp) / f"{table.schema}.{table.name}.csv"
            con.execute(
                f'copy "{table.schema}"."{table.name}" to \'{csv}\' (format csv, header false)'
            )
            with (
                csv.open("rb") as f,
                cur.copy(sql.SQL("copy {} from stdin (format csv)").format(target)) as copy,
            ):
                while block := f.read(1 << 20):
                    copy.write(block)
            rows += cur.rowcount
            csv.unlink()
            if table.comment:
                cur.execute(sql.SQL("comment on table {} is {}").format(target, table.comment))
            for name, _, comment in table.columns:
                if comment:
                    cur.execute(
                        sql.SQL("comment on column {} is {}").format(
                            _ident(table.schema + NEXT, table.name, name), comment
                        )
                    )
            cur.execute(sql.SQL("grant select on {} to {}").format(target, _ident(reader)))
            cur.execute(sql.SQL("analyze {}").format(target))
    return rows


def _publication(cur: psycopg.Cursor, con: duckdb.DuckDBPyConnection, reader: str) -> str:
    run_id, published_at, manifest = con.execute(
        "select run_id, published_at, manifest :: varchar from main.publication"
    ).fetchone()
    target = _ident("klimamonitor" + NEXT, "publication")
    cur.execute(
        sql.SQL(
            "create table {} (run_id text primary key, published_at timestamptz, manifest jsonb)"
        ).format(target)
    )
    cur.execute(
        sql.SQL("insert into {} values (%s, %s, %s)").format(target),
        [run_id, published_at, manifest],
    )
    cur.execute(
        sql.SQL("comment on table {} is {}").format(
            target,
            "The publication these tables are: its run, when, and its manifest (source "
            "vintages, check results, rows per table), as in the DuckDB file's main.publication.",
        )
    )
    cur.execute(sql.SQL("grant select on {} to {}").format(target, _ident(reader)))
    return run_id


def _swap(conn: psycopg.Connection) -> int:
    """Renames the schemas in use to `*__old` and the new ones into place, in one transaction,
    with every old table locked first; returns the attempts it took."""

    def rename(cur: psycopg.Cursor) -> None:
        for schema in SCHEMAS:
            cur.execute("select 1 from pg_namespace where nspname = %s", [schema])
            if cur.fetchone():
                cur.execute(
                    sql.SQL("alter schema {} rename to {}").format(
                        _ident(schema), _ident(schema + OLD)
                    )
                )
            cur.execute(
                sql.SQL("alter schema {} rename to {}").format(
                    _ident(schema + NEXT), _ident(schema)
                )
            )

    return _with_tables_locked(conn, list(SCHEMAS), rename, SWAP_TRIES)


def load(published_file: Path, url: str, reader: str = "klimamonitor_reader") -> Loaded:
    """Loads the publication in `published_file` into the PostgreSQL database at `url` and swaps
    it in; nothing is loaded when that publication is there already."""
    started = time.monotonic()
    con = duckdb.connect(str(published_file), read_only=True)
    try:
        tables = described_tables(con)
        for table in tables:  # every column has a PostgreSQL type, before anything is loaded
            for name, kind, _ in table.columns:
                pg_type(kind, f"{table.table}.{name}")
        (run_id,) = con.execute("select run_id from main.publication").fetchone()
        with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute("select pg_advisory_lock(%s)", [LOCK_KEY])
            if _current_run(cur) == run_id:
                return Loaded(run_id, len(tables), 0, True, time.monotonic() - started)
            cur.execute("select current_database()")
            ensure_reader(cur, reader, cur.fetchone()[0])
            # what a load that broke off left, or a drop that busy readers held off
            if not (_drop(conn, OLD, SWAP_TRIES) and _drop(conn, NEXT, SWAP_TRIES)):
                raise RuntimeError("old schemas in use for a minute: could not drop them")
            with conn.transaction():
                rows = _load_next(cur, con, tables, reader)
                _publication(cur, con, reader)
            attempts = _swap(conn)
            _drop(conn, OLD, tries=50)  # or the next load drops them
            cur.execute("select pg_advisory_unlock(%s)", [LOCK_KEY])
    finally:
        con.close()
    return Loaded(run_id, len(tables), rows, False, time.monotonic() - started, attempts)
