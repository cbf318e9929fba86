"""The municipalities' plan submissions, dropped as files in an inbox folder.

dlt's filesystem resource lists the inbox (a local path or any fsspec URL); DuckDB reads each CSV.
Every cell is kept as text in the raw tables, with the file it came from, the file's hash and the
row's line number, so that a value that fails validation later is still there to show. Typing and
validation happen in the dbt staging models. A file that cannot be read at all is recorded whole
in `rejected_files` with its reason; the other files load.
"""

from __future__ import annotations

import hashlib
import tempfile
from contextlib import contextmanager

import dlt
import duckdb
import pyarrow as pa
from dlt.sources.filesystem import FileItemDict, filesystem

from ingestion.plan_template import TEMPLATE_COLUMNS, csv_kind

PART_TABLES = {
    "plan": "plans",
    "targets": "plan_targets",
    "actions": "plan_actions",
    "status": "plan_status_updates",
}
_FILE_KEYS = {
    "primary_key": ("source_file", "row_number"),
    "merge_key": "source_file",
    "write_disposition": {"disposition": "merge", "strategy": "delete-insert"},
}


def read_submission_csv(con: duckdb.DuckDBPyConnection, path: str) -> pa.Table:
    """A template CSV as text columns, in file order; `row_number` is the line in the file."""
    table = con.sql(
        f"select * from read_csv({_sql_string(path)}, header = true, all_varchar = true)"
    ).to_arrow_table()
    return table.append_column(
        pa.field("row_number", pa.int64(), nullable=False),
        pa.array(range(2, table.num_rows + 2), pa.int64()),
    )


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@contextmanager
def _local_path(item: FileItemDict, content: bytes):
    """DuckDB reads a path ten times faster than a buffer: the file itself, or a temporary copy."""
    if item["file_url"].startswith("file://"):
        yield item.local_file_path
        return
    with tempfile.NamedTemporaryFile(suffix=".csv") as tmp:
        tmp.write(content)
        tmp.flush()
        yield tmp.name


def _with_file(table: pa.Table, item: FileItemDict, digest: str, origin: str) -> pa.Table:
    n = table.num_rows
    for name, value in (
        ("source_file", item["file_name"]),
        ("file_hash", digest),
        ("data_origin", origin),
    ):
        field = pa.field(name, pa.string(), nullable=name != "data_origin")
        table = table.append_column(field, pa.array([value] * n, pa.string()))
    return table


@dlt.source(name="plans")
def plans_source(inbox_url: str = "", origin: str = "demo"):
    """The plan inbox: one raw table per template part, and a register of the files seen."""
    inbox = filesystem(bucket_url=inbox_url, file_glob="*.csv")

    @dlt.transformer(name="inbox_files", primary_key="source_file", write_disposition="merge")
    def inbox_files(items: list[FileItemDict]):
        for item in items:
            yield {
                "source_file": item["file_name"],
                "part": csv_kind(item["file_name"]),
                "file_hash": hashlib.sha256(item.read_bytes()).hexdigest(),
                "size_bytes": item.get("size_in_bytes"),
                "modified_at": item["modification_date"],
                "data_origin": origin,
            }

    def part_transformer(part: str, table_name: str):
        # Every template column exists in the raw table, so a file without one is a row to reject
        # in staging rather than a model that fails to build.
        template = {name: {"data_type": "text"} for name in TEMPLATE_COLUMNS[part]}

        @dlt.transformer(name=table_name, columns=template, **_FILE_KEYS)
        def rows(items: list[FileItemDict]):
            tables, con = [], duckdb.connect()
            for item in items:
                if csv_kind(item["file_name"]) != part:
                    continue
                content = item.read_bytes()
                digest = hashlib.sha256(content).hexdigest()
                try:
                    with _local_path(item, content) as path:
                        table = read_submission_csv(con, path)
                except duckdb.Error as exc:
                    yield dlt.mark.with_table_name(
                        {
                            "source_file": item["file_name"],
                            "row_number": 0,
                            "part": part,
                            "file_hash": digest,
                            "reason": f"not readable as CSV: {exc}",
                            "data_origin": origin,
                        },
                        "rejected_files",
                    )
                    continue
                tables.append(_with_file(table, item, digest, origin))
            con.close()
            if tables:  # one Arrow table a page of files: dlt handles few large items fastest
                yield pa.concat_tables(tables, promote_options="permissive")

        return rows

    return [
        inbox | inbox_files,
        *(inbox | part_transformer(part, table) for part, table in PART_TABLES.items()),
    ]
