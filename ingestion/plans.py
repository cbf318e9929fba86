"""The municipalities' plan submissions, dropped as files in an inbox folder.

dlt's filesystem resource lists the inbox (a local path or any fsspec URL); each new or changed
file is read once (`ingestion/plan_files.py`). Every cell is kept as text in the raw tables, with
the file it came from, the file's hash, the sheet and the physical line, so that a value that
fails validation later is still there to show. Typing and validation happen in the dbt staging
models.

Per file, the register `inbox_files` says what became of it: read (its rows went on), rejected
whole (its bytes and reason in `rejected_files`), or withdrawn (it left the inbox: its rows stay in
the raw tables as history, and are no longer in force). A file replaced under the same name
replaces its rows (dlt's delete-insert on the file name).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import dlt
import pyarrow as pa
from dlt.sources.filesystem import FileItemDict, filesystem

from ingestion.plan_files import ParsedFile, parse
from ingestion.plan_template import TEMPLATE_COLUMNS, csv_kind
from ingestion.readers import SourceInputError

PART_TABLES = {
    "plan": "plans",
    "targets": "plan_targets",
    "actions": "plan_actions",
    "status": "plan_status_updates",
    "tracks": "plan_tracks",
}
_BY_FILE = {
    "merge_key": "source_file",
    "write_disposition": {"disposition": "merge", "strategy": "delete-insert"},
}
PAGE_SIZE = 100  # files a table gets at a time
_ROW_CONTEXT = ("sheet", "decimal_mark", "read_error", "read_error_da")


def inbox_stamps(inbox_url: str) -> Iterator[tuple[FileItemDict, str]]:
    """Every file in the inbox with its stamp, "<modified> <size>": what tells a new or changed
    file from one already read. The inbox sensor compares the same stamps.

    Python's glob, which dlt uses for a local folder, leaves out names that start with a dot,
    so those are listed too."""
    for pattern in ("**/*", "**/.*"):
        for item in filesystem(bucket_url=inbox_url, file_glob=pattern):
            yield item, f"{item['modification_date'].isoformat()} {item.get('size_in_bytes')}"


# A file's rows are merged on its name, so it is never null (dlt's merge-key hint says so too).
SOURCE_FILE = pa.field("source_file", pa.string(), nullable=False)


def _part_schema(part: str) -> pa.Schema:
    """A raw part table's columns: the template's, then where each row is from."""
    text = [*TEMPLATE_COLUMNS[part], *_ROW_CONTEXT]
    return pa.schema(
        [
            *(pa.field(c, pa.string()) for c in text),
            SOURCE_FILE,
            *(pa.field(c, pa.string()) for c in ("file_hash", "data_origin")),
            pa.field("row_number", pa.int64()),
        ]
    )


_REGISTER = pa.schema(
    [
        SOURCE_FILE,
        *(pa.field(c, pa.string()) for c in ("part", "file_hash", "status")),
        pa.field("size_bytes", pa.int64()),
        pa.field("modified_at", pa.timestamp("us", tz="UTC")),
        pa.field("received_at", pa.timestamp("us", tz="UTC")),
        pa.field("read_at", pa.timestamp("us", tz="UTC")),
        pa.field("withdrawn_at", pa.timestamp("us", tz="UTC")),
        pa.field("versions_received", pa.int64()),
        pa.field("previous_hash", pa.string()),
        pa.field("rows", pa.int64()),
        pa.field("blank_rows", pa.int64()),
        pa.field("rejections", pa.int64()),
        *(
            pa.field(c, pa.string())
            for c in (
                "file_kind",
                "encoding",
                "delimiter",
                "decimal_mark",
                "sheets",
                "ignored_sheets",
                "ignored_columns",
                "data_origin",
            )
        ),
    ]
)
_REJECTIONS = pa.schema(
    [
        SOURCE_FILE,
        *(pa.field(c, pa.string()) for c in ("part", "sheet", "file_hash")),
        pa.field("row_number", pa.int64()),
        pa.field("whole_file", pa.bool_()),
        pa.field("reason", pa.string()),
        pa.field("reason_da", pa.string()),
        pa.field("content", pa.binary()),
        pa.field("data_origin", pa.string()),
    ]
)


def _withdrawn(path: str) -> dict:
    """What the listing hands on for a file that has left the inbox."""
    return {"relative_path": path, "file_url": f"withdrawn:{path}", "withdrawn": True}


@dlt.source(name="plans")
def plans_source(inbox_url: str = dlt.config.value, origin: str = "demo"):
    """The plan inbox: one raw table per template part, the rejections of files and sheets, and
    a register of every file seen."""

    @dlt.resource(name="inbox_listing", selected=False)
    def inbox():
        """The files that are new or changed since the last run, by path, time and size, and the
        files that have left the inbox since; the resource's state keeps what the last run listed.
        (Not dlt's incremental on the file time: a file copied in with its old time kept, as
        `cp -p` and rsync do, would be missed.) At least one page, if empty, goes out, so every
        raw table exists from the first run on."""
        local = inbox_url.startswith("file://") and Path(url2pathname(urlparse(inbox_url).path))
        if local and not local.is_dir():  # an inbox gone is no news that every file left it
            raise SourceInputError(f"plans: the inbox {local} is missing")
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
        page += [_withdrawn(path) for path in sorted(set(listed) - set(now))]
        if page or not sent:
            yield page
        listed.clear()
        listed.update(now)

    pages: OrderedDict[tuple, list[ParsedFile | None]] = OrderedDict()

    def parsed_page(items: list[dict]) -> list[ParsedFile | None]:
        """Each page of files is read once, whichever table asks first: dlt hands every table
        its own copy of the page, so a page is known by its files' URLs, times and sizes. A
        withdrawn file is None."""
        key = tuple(
            (i["file_url"], i.get("modification_date"), i.get("size_in_bytes")) for i in items
        )
        if key not in pages:
            pages[key] = [None if item.get("withdrawn") else _parse(item) for item in items]
            while len(pages) > 8:  # the tables take the pages in turn: a few suffice
                pages.popitem(last=False)
        return pages[key]

    @dlt.transformer(name="inbox_files", primary_key="source_file", write_disposition="merge")
    def inbox_files(items: list[dict]):
        known = dlt.current.resource_state().setdefault("known", {})
        now = datetime.now(UTC)
        rows = []
        for item, parsed in zip(items, parsed_page(items), strict=True):
            path = item["relative_path"]
            before = known.get(path)
            if parsed is None:
                if before is None:
                    continue
                rows.append(_withdrawal_row(path, before, now, origin))
                known.pop(path)
                continue
            if before is None or before["hash"] != parsed.digest:
                known[path] = {
                    "hash": parsed.digest,
                    "previous_hash": before["hash"] if before else None,
                    "received_at": (before or {}).get("received_at") or now.isoformat(),
                    "versions": (before or {}).get("versions", 0) + 1,
                    "part": csv_kind(path) or "workbook",
                }
            known[path]["rows"] = parsed.rows
            rows.append(_register_row(item, parsed, known[path], now, origin))
        yield pa.Table.from_pylist(rows, schema=_REGISTER)  # empty on a first run, still a table

    @dlt.transformer(
        name="rejected_files", columns={"content": {"data_type": "binary"}}, **_BY_FILE
    )
    def rejected_files(items: list[dict]):
        rows = [
            {
                "source_file": parsed.name,
                "part": r["part"],
                "sheet": r["sheet"],
                "file_hash": parsed.digest,
                "row_number": 0,
                "whole_file": r["sheet"] is None,
                "reason": r["en"],
                "reason_da": r["da"],
                "content": parsed.content if r["sheet"] is None else None,
                "data_origin": origin,
            }
            for parsed in parsed_page(items)
            if parsed is not None
            for r in parsed.rejections
        ]
        yield pa.Table.from_pylist(rows, schema=_REJECTIONS)

    def part_transformer(part: str, table_name: str):
        # Every template column exists in the raw table, so the staging models can name it.
        schema = _part_schema(part)
        columns = {name: {"data_type": "text"} for name in schema.names}
        columns["row_number"] = {"data_type": "bigint"}

        @dlt.transformer(name=table_name, columns=columns, **_BY_FILE)
        def rows(items: list[dict]):
            batch = [
                {
                    **row,
                    "source_file": parsed.name,
                    "file_hash": parsed.digest,
                    "data_origin": origin,
                }
                for parsed in parsed_page(items)
                if parsed is not None
                for row in parsed.parts.get(part, [])
            ]
            # one Arrow table a page of files (dlt handles few large items fastest); empty on a
            # page without this part, so the table exists from the first run on
            yield pa.Table.from_pylist(batch, schema=schema)

        return rows

    return [
        inbox | inbox_files,
        inbox | rejected_files,
        *(inbox | part_transformer(part, table) for part, table in PART_TABLES.items()),
    ]


def _parse(item: FileItemDict) -> ParsedFile:
    content = item.read_bytes()
    return parse(item["relative_path"], hashlib.sha256(content).hexdigest(), content)


def _register_row(item, parsed: ParsedFile, known: dict, now: datetime, origin: str) -> dict:
    whole = any(r["sheet"] is None for r in parsed.rejections)
    return {
        "source_file": parsed.name,
        "part": known["part"],
        "file_hash": parsed.digest,
        "status": "rejected" if whole else "read",
        "size_bytes": item.get("size_in_bytes"),
        "modified_at": item["modification_date"],
        "received_at": datetime.fromisoformat(known["received_at"]),
        "read_at": now,
        "withdrawn_at": None,
        "versions_received": known["versions"],
        "previous_hash": known["previous_hash"],
        "rows": parsed.rows,
        "blank_rows": parsed.blank_rows,
        "rejections": len(parsed.rejections),
        "file_kind": parsed.file_kind,
        "encoding": parsed.encoding,
        "delimiter": {"\t": "tab"}.get(parsed.delimiter, parsed.delimiter),
        "decimal_mark": parsed.decimal_mark,
        "sheets": ", ".join(parsed.sheets) or None,
        "ignored_sheets": ", ".join(parsed.ignored_sheets) or None,
        "ignored_columns": ", ".join(parsed.ignored_columns) or None,
        "data_origin": origin,
    }


def _withdrawal_row(path: str, known: dict, now: datetime, origin: str) -> dict:
    return {
        "source_file": path,
        "part": known["part"],
        "file_hash": known["hash"],
        "status": "withdrawn",
        "received_at": datetime.fromisoformat(known["received_at"]),
        "withdrawn_at": now,
        "versions_received": known["versions"],
        "previous_hash": known["previous_hash"],
        "rows": known.get("rows"),
        "data_origin": origin,
    }
