"""What each asset's page in the Dagster UI shows after a run: the table's row count, its schema
(DuckDB's types with dbt's column descriptions), the first rows as a Markdown table, and on the
marts the headline figures of the nation's latest year.

Read from the working warehouse after the step that wrote it, on a read-only connection: dbt
holds the file open for writing for the whole build, so dagster-dbt's `fetch_row_counts()` and
`fetch_column_metadata()`, which query each model while the build goes on, cannot open it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import dagster as dg
import duckdb

PREVIEW_ROWS = 5

HEADLINES = """
select p.year, p.emissions_t, p.national_path_t, p.distance_to_national_path_pct,
       p.national_status, p.municipalities, p.municipalities_off_track,
       p.municipalities_at_risk, p.municipalities_on_track, p.data_origin,
       (select sum(manko_t) from marts.mart_national_sector_gap) as manko_t
from marts.mart_national_progress as p
where p.emissions_t is not null
order by p.year desc
limit 1
"""


def markdown_table(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    """A Markdown table; `|` and line breaks in a cell are escaped so a row stays one row."""

    def cell(value) -> str:
        text = "" if value is None else str(value)
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(map(cell, header)) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in rows]
    return "\n".join(lines)


def _exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchone()[0]
    )


def table_page(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    table: str,
    descriptions: Mapping[str, str] | None = None,
) -> dict:
    """Row count, schema and preview of `schema.table`; nothing when it does not exist."""
    if not _exists(con, schema, table):
        return {}
    columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    relation = f'"{schema}"."{table}"'
    rows = con.execute(f"select count(*) from {relation}").fetchone()[0]
    preview = con.execute(f"select * from {relation} limit {PREVIEW_ROWS}").fetchall()
    descriptions = descriptions or {}
    return {
        "dagster/row_count": dg.MetadataValue.int(rows),
        "dagster/column_schema": dg.TableSchema(
            columns=[
                dg.TableColumn(name, data_type, description=descriptions.get(name))
                for name, data_type in columns
            ]
        ),
        "dagster/table_name": dg.MetadataValue.text(f"{schema}.{table}"),
        "preview": dg.MetadataValue.md(
            markdown_table([name for name, _ in columns], preview)
            + f"\n\nThe first {len(preview)} of {rows:,d} rows."
        ),
    }


def headline_figures(con: duckdb.DuckDBPyConnection) -> dict:
    """The nation's latest year: emissions against the national path, the municipalities off
    track, and the manko that no action covers."""
    if not (
        _exists(con, "marts", "mart_national_progress")
        and _exists(con, "marts", "mart_national_sector_gap")
    ):
        return {}
    row = con.execute(HEADLINES).fetchone()
    if row is None:
        return {}
    year, total, path, distance_pct, status, munis, off, at_risk, on_track, origin, manko = row
    label = " (DEMO DATA: invented figures)" if origin == "demo" else ""
    return {
        "headline_year": dg.MetadataValue.int(year),
        "headline_data_origin": dg.MetadataValue.text(origin or ""),
        "headline_national_emissions_t": dg.MetadataValue.float(float(total)),
        "headline_national_path_t": dg.MetadataValue.float(float(path or 0)),
        "headline_national_status": dg.MetadataValue.text(
            f"{status} ({distance_pct:+.1f}% against the path)" if status else "no path"
        ),
        "headline_municipalities_off_track": dg.MetadataValue.int(off or 0),
        "headline": dg.MetadataValue.md(
            f"**{year}**: the nation emitted **{total:,.0f} t** CO2e"
            + (f" against a path of {path:,.0f} t ({status})" if path else "")
            + f". Of {munis} municipalities, **{off or 0} are off track**, {at_risk or 0} at "
            f"risk, {on_track or 0} on track. Manko (2030 reduction no action covers): "
            f"{(manko or 0):,.0f} t.{label}"
        ),
    }


RECEIPTS = """
select source_file, status,
       case status when 'withdrawn' then 'withdrawn' else coalesce(encoding, '') end,
       rows, rejections
from plans.inbox_files
where _dlt_load_id = (select max(_dlt_load_id) from plans.inbox_files)
order by source_file
"""


def receipts_page(con: duckdb.DuckDBPyConnection, key: dg.AssetKey) -> dict:
    """On the plan inbox's register: the files this load read or withdrew, each with what became
    of it (the rows' outcomes follow in marts.mart_submission_receipts after the dbt build)."""
    if key != dg.AssetKey(["plans", "inbox_files"]) or not _exists(con, "plans", "inbox_files"):
        return {}
    rows = con.execute(RECEIPTS).fetchall()
    return {
        "files_this_load": dg.MetadataValue.int(len(rows)),
        "receipts": dg.MetadataValue.md(
            markdown_table(["file", "status", "read as", "rows", "rejections"], rows)
            if rows
            else "No file in the inbox is new, changed or withdrawn."
        ),
    }


def table_version(con: duckdb.DuckDBPyConnection, key: dg.AssetKey) -> dg.DataVersion:
    """A raw table's data version: its rows and a hash of their content (dlt's own columns left
    out), so a load that left the table as it was, or wrote the same rows again (a live service
    answering as it did yesterday), leaves its version as it was."""
    schema, table = key.path[0], key.path[-1]
    if not _exists(con, schema, table):
        return dg.DataVersion("absent")
    columns = [
        f'"{name}"'
        for (name,) in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and "
            "table_name = ? and not starts_with(column_name, '_dlt_') order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]
    rows, content = con.execute(
        f"select count(*), sum(hash(r)::hugeint) "
        f'from (select {", ".join(columns)} from "{schema}"."{table}") as r'
    ).fetchone()
    return dg.DataVersion(f"{rows} rows, content {content}")


def warehouse_pages(
    con: duckdb.DuckDBPyConnection,
    tables: Mapping[dg.AssetKey, Mapping[str, str]],
    headlines_for: set[dg.AssetKey],
    also: Callable[[duckdb.DuckDBPyConnection, dg.AssetKey], dict] | None = None,
) -> dict[dg.AssetKey, dict]:
    """The page of each asset keyed `[schema, table]`, `tables` giving its column descriptions;
    the assets in `headlines_for` also get the headline figures, and each what `also` adds."""
    headlines = headline_figures(con) if headlines_for else {}
    return {
        key: {
            **table_page(con, key.path[0], key.path[-1], descriptions),
            **(headlines if key in headlines_for else {}),
            **(also(con, key) if also else {}),
        }
        for key, descriptions in tables.items()
    }
