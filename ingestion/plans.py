"""The municipalities' plan submissions, dropped as files in an inbox folder.

dlt's filesystem resource lists the inbox (a local path or any fsspec URL); each file is read once:
a CSV by DuckDB, a workbook by openpyxl. Every cell is kept as text in the raw tables, with the file
it came from, the file's hash and the row's line number, so that a value that fails validation later
is still there to show. Typing and row validation happen in the dbt staging models.

A file that cannot be taken row by row (a name outside the template, not UTF-8, not CSV, empty,
only a header, template columns missing) is kept whole, its bytes and its reason, in
`rejected_files`; the other files load.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

import dlt
import duckdb
import pyarrow as pa
from dlt.sources.filesystem import FileItemDict, filesystem

from ingestion.plan_template import TEMPLATE_COLUMNS, csv_kind, sheet_kind, workbook_match

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
PAGE_SIZE = 100  # files a table gets at a time
TEMPLATE_NAMES = (
    "<code>_v<n>_plan.csv, <code>_v<n>_targets.csv, <code>_v<n>_actions.csv, "
    "<code>_v<n>_status_<year>.csv or a workbook <code>_v<n>.xlsx"
)


class Rejected(Exception):
    """A file, or a sheet of a workbook, that cannot be taken row by row; the message says why."""


@dataclass
class ParsedFile:
    """What one inbox file gives: text tables per template part, or the reason it cannot."""

    name: str
    digest: str
    content: bytes
    parts: dict[str, list[pa.Table]] = field(default_factory=dict)
    rejections: list[dict] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)


def _checked(table: pa.Table, part: str) -> pa.Table:
    """Template columns checked, every cell text, `row_number` the line in the file."""
    names = [str(n).strip().lower() for n in table.column_names]
    if missing := [c for c in TEMPLATE_COLUMNS[part] if c not in names]:
        raise Rejected(
            f"columns missing from the header: {', '.join(missing)} "
            f"(found: {', '.join(n or '(blank)' for n in names)})"
        )
    if table.num_rows == 0:
        raise Rejected("no data rows: the file has only its header")
    keep = [i for i, n in enumerate(names) if n and not n.startswith("column")]
    table = pa.table(
        [table.column(i).cast(pa.string()) for i in keep], names=[names[i] for i in keep]
    )
    return table.append_column("row_number", pa.array(range(2, table.num_rows + 2), pa.int64()))


def read_submission_csv(con: duckdb.DuckDBPyConnection, path: str, part: str) -> pa.Table:
    """A template CSV as text columns, in file order; `row_number` is the line in the file."""
    try:
        table = con.sql(
            f"select * from read_csv({_sql_string(path)}, header = true, all_varchar = true)"
        ).to_arrow_table()
    except duckdb.Error as exc:
        message = str(exc)
        if "not utf-8" in message.lower() or "invalid unicode" in message.lower():
            raise Rejected(
                "not UTF-8 text (bytes of another encoding, e.g. Latin-1): save it as CSV UTF-8"
            ) from exc
        raise Rejected(f"not readable as CSV: {message.splitlines()[0]}") from exc
    return _checked(table, part)


def _cell_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_workbook(path: str, parsed: ParsedFile) -> None:
    """The template sheets of a workbook; other sheets are noted, not read."""
    from openpyxl import load_workbook  # only when a workbook arrives

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is no workbook
        raise Rejected(f"not readable as an XLSX workbook: {exc}") from exc
    try:
        for sheet in book.worksheets:
            part = sheet_kind(sheet.title)
            if part is None:
                parsed.ignored_sheets.append(sheet.title)
                continue
            rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            while rows and all(v is None for v in rows[-1]):
                rows.pop()
            try:
                if not rows:
                    raise Rejected("empty sheet")
                header = [str(h) if h is not None else "" for h in rows[0]]
                table = _checked(
                    pa.table(
                        {
                            name or f"column{i}": pa.array(
                                [r[i] if i < len(r) else None for r in rows[1:]], pa.string()
                            )
                            for i, name in enumerate(header)
                        }
                    ),
                    part,
                )
            except Rejected as exc:
                parsed.rejections.append(_rejection(parsed, part, f"sheet {sheet.title}: {exc}"))
                continue
            parsed.parts.setdefault(part, []).append(
                table.append_column("sheet", pa.array([sheet.title] * table.num_rows))
            )
    finally:
        book.close()


def _rejection(parsed: ParsedFile, part: str | None, reason: str) -> dict:
    return {
        "source_file": parsed.name,
        "row_number": 0,
        "part": part,
        "file_hash": parsed.digest,
        "reason": reason,
        "content": parsed.content,
    }


def parse_file(con: duckdb.DuckDBPyConnection, item: FileItemDict) -> ParsedFile:
    """Reads one inbox file once: its template parts, or why it cannot be read row by row."""
    content = item.read_bytes()
    parsed = ParsedFile(item["relative_path"], hashlib.sha256(content).hexdigest(), content)
    part = csv_kind(parsed.name)
    try:
        if "/" in parsed.name:
            raise Rejected("in a subfolder of the inbox: submissions go in the inbox itself")
        if part is None and workbook_match(parsed.name) is None:
            raise Rejected(f"file name not in the template: expected {TEMPLATE_NAMES}")
        if not content.strip():
            raise Rejected("empty file")
        with _local_path(item, content) as path:
            if part is None:
                read_workbook(path, parsed)
            else:
                parsed.parts[part] = [read_submission_csv(con, path, part)]
    except Rejected as exc:
        parsed.rejections.append(_rejection(parsed, part, str(exc)))
    return parsed


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@contextmanager
def _local_path(item: FileItemDict, content: bytes) -> Iterator[str]:
    """DuckDB reads a path ten times faster than a buffer: the file itself, or a temporary copy."""
    if item["file_url"].startswith("file://"):
        yield item.local_file_path
        return
    with tempfile.NamedTemporaryFile(suffix=".tmp") as tmp:
        tmp.write(content)
        tmp.flush()
        yield tmp.name


def _part_schema(part: str) -> pa.Schema:
    """A raw part table's columns in one order: the template's, then where a row is from."""
    text = [*TEMPLATE_COLUMNS[part], "sheet", "source_file", "file_hash", "data_origin"]
    return pa.schema(
        [*(pa.field(c, pa.string()) for c in text), pa.field("row_number", pa.int64())]
    )


def _with_file(table: pa.Table, part: str, parsed: ParsedFile, origin: str) -> pa.Table:
    """The part table in the raw table's column order; columns outside the template follow."""
    n = table.num_rows
    given = {"source_file": parsed.name, "file_hash": parsed.digest, "data_origin": origin}
    schema = _part_schema(part)
    columns, fields = [], []
    for f in schema:
        if f.name in given:
            columns.append(pa.array([given[f.name]] * n, pa.string()))
        elif f.name in table.column_names:
            columns.append(table[f.name].cast(f.type))
        else:
            columns.append(pa.nulls(n, f.type))
        fields.append(f)
    for name in table.column_names:
        if name not in given and name not in schema.names:
            columns.append(table[name])
            fields.append(pa.field(name, table.schema.field(name).type))
    return pa.table(columns, schema=pa.schema(fields))


def _empty_part(part: str) -> pa.Table:
    return _part_schema(part).empty_table()


_REGISTER = pa.schema(
    [
        *(pa.field(c, pa.string()) for c in ("source_file", "part", "file_hash")),
        pa.field("size_bytes", pa.int64()),
        pa.field("modified_at", pa.timestamp("us", tz="UTC")),
        pa.field("rows", pa.int64()),
        pa.field("rejections", pa.int64()),
        pa.field("ignored_sheets", pa.string()),
        pa.field("data_origin", pa.string()),
    ]
)
_EMPTY_REJECTIONS = pa.table(
    {
        **{c: pa.array([], pa.string()) for c in ("source_file", "part", "file_hash", "reason")},
        "row_number": pa.array([], pa.int64()),
        "content": pa.array([], pa.binary()),
        "data_origin": pa.array([], pa.string()),
    }
)


def inbox_stamps(inbox_url: str) -> Iterator[tuple[FileItemDict, str]]:
    """Every file in the inbox with its stamp, "<modified> <size>": what tells a new or changed
    file from one already read. The inbox sensor compares the same stamps.

    Python's glob, which dlt uses for a local folder, leaves out names that start with a dot,
    so those are listed too."""
    for pattern in ("**/*", "**/.*"):
        for item in filesystem(bucket_url=inbox_url, file_glob=pattern):
            yield item, f"{item['modification_date'].isoformat()} {item.get('size_in_bytes')}"


@dlt.source(name="plans")
def plans_source(inbox_url: str = "", origin: str = "demo"):
    """The plan inbox: one raw table per template part, the files kept whole that could not be
    read row by row, and a register of every file seen."""

    @dlt.resource(name="inbox_listing", selected=False)
    def inbox():
        """The files that are new or changed since the last run, by path, time and size; the
        resource's state keeps what the last run listed. (Not dlt's incremental on the file time:
        a file copied in with its old time kept, as `cp -p` and rsync do, would be missed.)
        At least one page, if empty, goes out, so every raw table exists from the first run on."""
        listed = dlt.current.resource_state().setdefault("listed", {})
        now, page, sent = {}, [], False
        for item, stamp in inbox_stamps(inbox_url):
            now[item["relative_path"]] = stamp
            if listed.get(item["relative_path"]) == stamp:
                continue
            page.append(item)
            if len(page) == PAGE_SIZE:
                yield page
                page, sent = [], True
        if page or not sent:
            yield page
        listed.clear()
        listed.update(now)

    pages: OrderedDict[tuple, list[ParsedFile]] = OrderedDict()

    def parsed_page(items: list[FileItemDict]) -> list[ParsedFile]:
        """Each page of files is read once, whichever table asks first: dlt hands every table
        its own copy of the page, so a page is known by its files' URLs, times and sizes."""
        key = tuple((i["file_url"], i["modification_date"], i.get("size_in_bytes")) for i in items)
        if key not in pages:
            con = duckdb.connect()
            try:
                pages[key] = [parse_file(con, item) for item in items]
            finally:
                con.close()
            while len(pages) > 8:  # the tables take the pages in turn: a few suffice
                pages.popitem(last=False)
        return pages[key]

    @dlt.transformer(
        name="inbox_files",
        primary_key="source_file",
        write_disposition="merge",
    )
    def inbox_files(items: list[FileItemDict]):
        rows = [
            {
                "source_file": parsed.name,
                "part": csv_kind(parsed.name) or ("workbook" if parsed.parts else None),
                "file_hash": parsed.digest,
                "size_bytes": item.get("size_in_bytes"),
                "modified_at": item["modification_date"],
                "rows": sum(t.num_rows for tables in parsed.parts.values() for t in tables),
                "rejections": len(parsed.rejections),
                "ignored_sheets": ", ".join(parsed.ignored_sheets) or None,
                "data_origin": origin,
            }
            for item, parsed in zip(items, parsed_page(items), strict=True)
        ]
        yield pa.Table.from_pylist(rows, schema=_REGISTER)  # empty on a first run, still a table

    @dlt.transformer(
        name="rejected_files",
        columns={"content": {"data_type": "binary"}, "part": {"data_type": "text"}},
        **_FILE_KEYS,
    )
    def rejected_files(items: list[FileItemDict]):
        rows = [
            {**r, "data_origin": origin} for parsed in parsed_page(items) for r in parsed.rejections
        ]
        yield rows or _EMPTY_REJECTIONS

    def part_transformer(part: str, table_name: str):
        # Every template column exists in the raw table, so the staging models can name it.
        template = {name: {"data_type": "text"} for name in TEMPLATE_COLUMNS[part]}
        template["sheet"] = {"data_type": "text"}

        @dlt.transformer(name=table_name, columns=template, **_FILE_KEYS)
        def rows(items: list[FileItemDict]):
            tables = [
                _with_file(table, part, parsed, origin)
                for parsed in parsed_page(items)
                for table in parsed.parts.get(part, [])
            ]
            if tables:  # one Arrow table a page of files: dlt handles few large items fastest
                yield pa.concat_tables(tables, promote_options="permissive")
            else:  # no rows: the table is still made, so the models over it always have one
                yield _empty_part(part)

        return rows

    return [
        inbox | inbox_files,
        inbox | rejected_files,
        *(inbox | part_transformer(part, table) for part, table in PART_TABLES.items()),
    ]
