"""Downloads for people who work in Excel: every BI table of a publication as CSV and as XLSX, and
each municipality's rows of every table that has a `municipality_code`, as one workbook and as a
CSV per table. The report links them (report/site.py writes them into its `data/` folder).

- CSV in the Danish convention, as Danish Excel opens it with a double click: UTF-8 with a BOM,
  `;` between fields, a decimal comma (numbers to 10 significant digits), ISO dates; the header
  is the table's column names; rows in a fixed order.
- XLSX: numbers as numbers with number formats (`#,##0.0`), which Excel shows in the reader's own
  locale (1.234,5 in Danish), dates as dates; a second sheet, `kolonner`, describes each column.
  A table longer than a sheet holds (1,048,575 rows below the header) gets no workbook: its CSV
  and Parquet file serve instead, and the index says so.
- Formula injection: text is always written as text. In a CSV, where a program may read any cell
  as a formula, a text value that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is
  prefixed with `'`; in a workbook, text cells are text cells, never formulas.
"""

from __future__ import annotations

import csv
import filecmp
import io
import multiprocessing
import os
import shutil
from collections import defaultdict
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import rustpy_xlsxwriter as rx

from publish.publication import described_tables

EXCEL_ROWS = 1_048_575  # rows below the header in one sheet
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


@dataclass
class Download:
    table: str
    rows: int
    csv: str
    xlsx: str | None  # None: too long for a sheet
    description: str | None


@dataclass
class Downloads:
    """What was written, by path under the downloads folder."""

    tables: list[Download] = field(default_factory=list)
    municipalities: dict[str, dict[str, int]] = field(default_factory=dict)  # code -> table -> rows

    @staticmethod
    def municipality_workbook(code: str) -> str:
        return f"kommune-{code}.xlsx"

    @staticmethod
    def municipality_csv(code: str, table: str) -> str:
        return f"kommune-{code}/{table}.csv"


def csv_cells(con: duckdb.DuckDBPyConnection, rows: pa.Table) -> pa.Table:
    """Rows as the text of their CSV cells (null for an empty cell), formatted by DuckDB as
    `csv_select` formats the whole tables': a municipality's CSV and the whole table's agree
    cell for cell, and no second formatter in Python can drift from it."""
    relation = con.from_arrow(rows)
    types = [(name, str(t)) for name, t in zip(relation.columns, relation.types, strict=True)]
    return relation.project(csv_select(types, bom=False)).fetch_arrow_table()


def csv_bytes(columns: list[str], cells: pa.Table) -> bytes:
    """A CSV file of `cells` (`csv_cells`) under the header `columns`."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows(zip(*(column.to_pylist() for column in cells.columns), strict=True))
    return out.getvalue().encode("utf-8")


@dataclass(frozen=True)
class Workbook:
    """A workbook to write: its path, its sheets (name, rows as Arrow, which a worker process is
    handed in a fraction of the memory of Python values) and its column notes."""

    path: Path
    sheets: list[tuple[str, pa.Table]]
    described: list[tuple[str, str, str | None]]


HEADER_WIDTHS = {"tabel": 32, "kolonne": 32, "beskrivelse": 100}
DECIMAL = rx.Format().set_num_format("#,##0.0")
INTEGER = rx.Format().set_num_format("#,##0")
DAY = rx.Format().set_num_format("dd-mm-yyyy")
MOMENT = rx.Format().set_num_format("dd-mm-yyyy hh:mm")
EXCEL_1970 = 25569.0  # 1970-01-01 as Excel counts days
MICROSECONDS_A_DAY = 86_400_000_000.0


def _excel_column(column: pa.ChunkedArray) -> tuple[pa.ChunkedArray, rx.Format | None]:
    """A column as the writer takes it, and its number or date format (Excel applies a column's
    format to every cell in it). Decimals become doubles, which is what Excel holds; a type the
    writer does not take is an error, never a column of empty cells."""
    t = column.type
    if pa.types.is_decimal(t):
        return column.cast(pa.float64()), DECIMAL
    if pa.types.is_floating(t):
        return column, DECIMAL
    if pa.types.is_integer(t):
        return column, INTEGER
    if pa.types.is_timestamp(t):
        # as Excel's serial number of days, to the microsecond (the writer would drop the part
        # of a second); with a time zone, the moment in UTC, as the CSV gives it
        micros = column.cast(pa.timestamp("us", t.tz)).cast(pa.int64()).cast(pa.float64())
        return pc.add(pc.divide(micros, MICROSECONDS_A_DAY), EXCEL_1970), MOMENT
    if pa.types.is_date(t):
        return column, DAY
    if pa.types.is_null(t):  # a column without a single value: its cells are empty
        return column, None
    if pa.types.is_boolean(t) or pa.types.is_string(t) or pa.types.is_large_string(t):
        return column, None
    raise TypeError(f"no XLSX cell for a column of type {t}")


def write_sheets(
    tables: list[tuple[str, pa.Table]],
    target: str | io.BytesIO,
    filters: bool = False,
    kolonner: pa.Table | None = None,
) -> None:
    """Each (name, rows) as a sheet under a bold, frozen header (with a filter where `filters`),
    each column in its format and a width by its name (10 to 40 characters); then `kolonner`,
    the column notes, if given. Text is written as text, never as a formula (rust_xlsxwriter
    writes a string as a string cell)."""
    sheets, formats, widths = [], {}, {}
    for name, rows in tables:
        name = name[:31]
        columns = {}
        formats[name] = {}
        for column_name, column in zip(rows.column_names, rows.columns, strict=True):
            columns[column_name], number_format = _excel_column(column)
            if number_format is not None:
                formats[name][column_name] = number_format
        sheets.append((name, pa.table(columns)))
        widths[name] = {c: max(10, min(40, len(c) + 2)) for c in rows.column_names}
    autofilter = {name: True for name, _ in sheets} if filters else None
    if kolonner is not None:
        sheets.append(("kolonner", kolonner))
        widths["kolonner"] = HEADER_WIDTHS
    rx.write_worksheets(
        sheets,
        target,
        freeze_panes={"general": {"row": 1, "col": 0}},
        bold_headers=True,
        autofilter=autofilter,
        column_formats=formats,
        column_widths=widths,
    )


def write_workbook(book: Workbook) -> None:
    """The workbook: each sheet with a filter over its header, then `kolonner` (`write_sheets`)."""
    described = list(zip(*book.described, strict=True)) or [[], [], []]
    kolonner = pa.table(
        {
            "tabel": pa.array(described[0], pa.string()),
            "kolonne": pa.array(described[1], pa.string()),
            "beskrivelse": pa.array(described[2], pa.string()),
        }
    )
    write_sheets(book.sheets, str(book.path), filters=True, kolonner=kolonner)


README = """klimamonitor: downloads, format {format}

<table>.csv / <table>.xlsx: every table of the publication. kommune-<code>.xlsx and
kommune-<code>/<table>.csv: one municipality's rows of every table that has a municipality_code.
CSV: UTF-8 with a BOM, ';' between fields, decimal comma, ISO dates, as Danish Excel opens it;
a text value beginning with =, +, -, @, a tab or a carriage return has a ' put before it, so that
no program reads it as a formula. XLSX: numbers as numbers (shown in the reader's own locale),
dates as dates, text as text; the sheet 'kolonner' describes each column.
"""
FORMAT = 3  # raise when a file's layout changes: the previous publication's files are not reused


def _same_file(a: Path, b: Path) -> bool:
    return b.exists() and a.stat().st_size == b.stat().st_size and filecmp.cmp(a, b, shallow=False)


def _reused(previous: Path | None, name: str, csvs: list[str], out: Path) -> bool:
    """Whether the workbook `name` of the previous publication holds the same rows as the CSVs
    just written to `out` (byte for byte; for a municipality, the same tables too): then it is
    linked in, not written again. `previous` is None unless its files are in this format."""
    if previous is None or not (previous / name).exists():
        return False
    folders = {Path(path).parent for path in csvs} - {Path(".")}
    before = {str(p.relative_to(previous)) for f in folders for p in (previous / f).glob("*.csv")}
    if folders and before != set(csvs):  # a municipality's folder: a table more or fewer
        return False
    if not all(_same_file(out / path, previous / path) for path in csvs):
        return False
    link(previous / name, out / name)
    return True


def link(source: Path, target: Path) -> None:
    """`target` as a hard link to `source` (a copy where the file system has none)."""
    try:
        target.hardlink_to(source)
    except OSError:
        shutil.copyfile(source, target)


# Memory as a file system (tmpfs), where the writing processes keep the temporary files of small
# workbooks (`Workshop.submit(..., small=True)`).
MEMORY_FILES = Path("/dev/shm")


def in_memory_files(fn, *args) -> None:
    """fn(*args) with the process's temporary files (TMPDIR) in memory. rust_xlsxwriter writes
    each sheet to a temporary file before it zips the workbook: about 300,000 of them at 10,000
    municipalities, each an inode made and freed. On this VM's ext4, which has no journal, the
    kernel passes over every inode freed in the last minutes for each file it creates
    (bench/measure.set_aside), so the report's own pages, CSVs and workbooks were created ever
    more slowly. The report alone at 10,000: 174, 166 and 175 s with them on disk (system time
    58-64 s), 162 and 166 s with the municipalities' in memory (33-36 s), 154 and 150 s with TMPDIR
    in memory for the whole build (29-32 s)."""
    before = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(MEMORY_FILES)
    try:
        fn(*args)
    finally:
        if before is None:
            del os.environ["TMPDIR"]
        else:
            os.environ["TMPDIR"] = before


class Workshop:
    """Writes files in a process per core while the caller goes on (the municipalities' CSV
    cells are formatted, and their files written, on one core each); inline where
    `parallel` is false, which is faster for a few files than starting the processes. At most a
    few jobs per core wait, so the rows they carry never pile up in memory; a job's error is
    raised here. A job of small workbooks (one municipality's each: `small`) keeps its temporary
    files in memory where the machine has a tmpfs (`in_memory_files`); a whole table's sheet may
    be hundreds of MB, so that one stays on disk, and so does everything written inline, in the
    caller's own process."""

    def __init__(self, parallel: bool):
        cores = os.cpu_count() or 1
        self.pool = None
        if parallel and cores > 1:
            spawn = multiprocessing.get_context("spawn")  # no fork of a threaded run worker
            self.pool = ProcessPoolExecutor(max_workers=cores, mp_context=spawn)
        self.backlog = 2 * cores
        self.pending: set[Future] = set()
        self.memory = MEMORY_FILES.is_dir() and os.access(MEMORY_FILES, os.W_OK)

    def submit(self, fn, *args, small: bool = False) -> None:
        if self.pool is None:
            fn(*args)
            return
        while len(self.pending) >= self.backlog:
            done, self.pending = wait(self.pending, return_when=FIRST_COMPLETED)
            for future in done:
                future.result()
        if small and self.memory:
            self.pending.add(self.pool.submit(in_memory_files, fn, *args))
        else:
            self.pending.add(self.pool.submit(fn, *args))

    def __enter__(self) -> Workshop:
        return self

    def __exit__(self, *error) -> None:
        if self.pool is None:
            return
        try:
            if error[0] is None:
                for future in self.pending:
                    future.result()
        finally:
            self.pool.shutdown(cancel_futures=True)


@dataclass(frozen=True)
class MunicipalityFiles:
    """A chunk of municipalities' rows: each table's rows of all of them (as Arrow, grouped by
    municipality in the order each one's files list them), for their CSVs and workbooks."""

    codes: list[str]
    out: Path
    previous: Path | None
    tables: list[tuple[str, pa.Table]]
    described: dict[str, list[tuple[str, str, str | None]]]  # table -> its column notes


def by_municipality(rows: pa.Table) -> dict[str, tuple[int, int]]:
    """A table's rows, ordered by municipality_code: each municipality's (offset, length)."""
    spans, at = {}, 0
    for count in pc.value_counts(rows.column("municipality_code")).to_pylist():
        spans[count["values"]] = (at, count["counts"])  # in the order first seen
        at += count["counts"]
    return spans


def write_municipalities(job: MunicipalityFiles) -> None:
    """Each municipality's CSV per table, and its workbook unless the previous publication's
    holds the same rows (then that one is linked in)."""
    tables_of: dict[str, list[tuple[str, pa.Table, pa.Table]]] = defaultdict(list)
    con = duckdb.connect(config={"threads": 1})  # a core per process
    for table, rows in job.tables:
        cells = csv_cells(con, rows)
        for code, span in by_municipality(rows).items():
            tables_of[code].append((table, rows.slice(*span), cells.slice(*span)))
    con.close()
    for code in job.codes:
        (job.out / f"kommune-{code}").mkdir(exist_ok=True)
        csvs = []
        for table, rows, cells in tables_of[code]:
            csvs.append(Downloads.municipality_csv(code, table))
            (job.out / csvs[-1]).write_bytes(csv_bytes(rows.column_names, cells))
        workbook = Downloads.municipality_workbook(code)
        if not _reused(job.previous, workbook, csvs, job.out):
            sheets = [(table.split(".")[1], rows) for table, rows, _ in tables_of[code]]
            described = [x for table, _, _ in tables_of[code] for x in job.described[table]]
            write_workbook(Workbook(job.out / workbook, sheets, described))


CHUNK = 100  # municipalities read, and handed to the workshop, at a time


def _quoted(name: str) -> str:
    """A column name as a quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def csv_select(columns: list[tuple[str, str]], bom: bool = True) -> str:
    """A select list that gives each column's cells as the CSVs have them, for DuckDB's own CSV
    writer (a whole table is written by DuckDB in its threads: at 10,000 municipalities, 5 s
    against 40 s cell by cell in Python) and for a municipality's rows (`csv_cells`). Numbers to
    10 significant digits with a decimal comma: far finer than any figure here is known (the
    accounts give 0.1 t), and free of the last bits a parallel sum leaves differently in each
    build; a moment in UTC; text that could run as a formula with a `'` before it. With `bom`
    the first column's name carries the BOM, so that a file written by DuckDB begins with it."""
    starts = ", ".join(f"chr({ord(c)})" for c in FORMULA_START)
    cells = []
    for name, data_type in columns:
        c = _quoted(name)
        if data_type in ("DOUBLE", "FLOAT", "REAL") or data_type.startswith("DECIMAL"):
            cell = f"replace(printf('%.10g', {c}::double), '.', ',')"
        elif data_type == "VARCHAR":
            cell = f"nullif(case when left({c}, 1) in ({starts}) then '''' || {c} else {c} end, '')"
        elif data_type == "TIMESTAMP WITH TIME ZONE":
            cell = f"strftime(timezone('UTC', {c}), '%Y-%m-%d %H:%M:%S.%f') || '+00:00'"
        elif data_type == "TIMESTAMP":
            cell = f"strftime({c}, '%Y-%m-%d %H:%M:%S.%f')"
        else:  # integers, booleans (true/false), dates (ISO)
            cell = f"{c}::varchar"
        cells.append(f"{cell} as {_quoted((BOM if bom and not cells else '') + name)}")
    return ", ".join(cells)


def _write_csv(
    con: duckdb.DuckDBPyConnection, table: str, types: list[tuple[str, str]], path: Path
) -> int:
    """The whole table as CSV in a fixed order (by its typed columns), written by DuckDB;
    returns the rows written."""
    order = ", ".join(f"{table}.{_quoted(c)}" for c, _ in types)
    (count,) = con.execute(
        f"copy (select {csv_select(types)} from {table} order by {order}) to '{path}' "
        "(format csv, delimiter ';', new_line '\r\n')"
    ).fetchone()
    return count


class DownloadWriter:
    """Writes a publication's downloads into `out`, a piece at a time, so that a caller can
    render its pages between the pieces while the workshop writes: on creation each table's CSV
    (by DuckDB) and the index of them; then `municipalities` for a chunk of municipalities, and
    `table_workbook` for one table's workbook; `finish` hands over what is left and returns the
    index. A workbook whose rows are those of the same workbook in `previous` (the folder of
    the last publication) is taken from there: a night that changed one plan rewrites few
    workbooks. A municipality's rows are read a chunk of municipalities at a time, never every
    table's rows at once."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        out: Path,
        previous: Path | None,
        workshop: Workshop,
    ):
        self.con, self.out, self.workshop = con, out, workshop
        out.mkdir(parents=True, exist_ok=True)
        readme = README.format(format=FORMAT)
        if previous is not None and (
            not (previous / "README.txt").exists()
            or (previous / "README.txt").read_text(encoding="utf-8") != readme
        ):
            previous = None  # written in another format: nothing of it is reused
        self.previous = previous
        (out / "README.txt").write_text(readme, encoding="utf-8")
        self.index = Downloads()
        self.workbooks: list[tuple[str, list]] = []  # tables whose workbook is still to write
        per_municipality = []
        # the dimensions first
        for d in sorted(described_tables(con), key=lambda d: (d.schema == "marts", d.table)):
            table = d.table
            columns = [c for c, _, _ in d.columns]
            described = [(table, c, n) for c, _, n in d.columns]
            # in a fixed order (a table's rows have none): the same rows give the same bytes
            types = [(c, t) for c, t, _ in d.columns]
            count = _write_csv(con, table, types, out / f"{table}.csv")
            xlsx = None
            if count <= EXCEL_ROWS:
                xlsx = f"{table}.xlsx"
                if not _reused(previous, xlsx, [f"{table}.csv"], out):
                    self.workbooks.append((table, described))
            self.index.tables.append(Download(table, count, f"{table}.csv", xlsx, d.comment))
            if "municipality_code" in columns:
                per_municipality.append((table, columns, described))
        self.per_municipality = per_municipality
        self.described_of = {table: described for table, _, described in per_municipality}
        self.codes = {
            code
            for (code,) in con.execute(
                " union ".join(
                    f"select municipality_code from {t} where municipality_code is not null"
                    for t, _, _ in per_municipality
                )
                or "select null where false"
            ).fetchall()
        }

    def table_workbook(self) -> None:
        """Hands the next table's workbook to the workshop, if one is left."""
        if self.workbooks:
            table, described = self.workbooks.pop(0)
            rows = self.con.sql(f"select * from {table} order by all").to_arrow_table()
            sheet = (table.split(".")[1], rows)
            book = Workbook(self.out / f"{table}.xlsx", [sheet], described)
            self.workshop.submit(write_workbook, book)

    def municipalities(self, codes: list[str]) -> None:
        """Hands the files of the municipalities `codes` (those that have rows) to the workshop
        and notes their rows in the index."""
        chunk = [code for code in codes if code in self.codes]
        if not chunk:
            return
        tables = []
        self.index.municipalities.update({code: {} for code in chunk})
        for table, columns, _ in self.per_municipality:
            # by municipality, each one's rows in the order of all their columns
            order = ", ".join(_quoted(c) for c in ["municipality_code", *columns])
            rows = self.con.sql(
                f"select * from {table} where municipality_code in (select unnest(?)) "
                f"order by {order}",
                params=[chunk],
            ).to_arrow_table()
            tables.append((table, rows))
            for code, (_, count) in by_municipality(rows).items():
                self.index.municipalities[code][table] = count
        self.workshop.submit(
            write_municipalities,
            MunicipalityFiles(chunk, self.out, self.previous, tables, self.described_of),
            small=True,
        )

    def finish(self) -> Downloads:
        """Hands over what is still to write (the tables' workbooks, the municipalities not yet
        handed over); the index of every download."""
        while self.workbooks:
            self.table_workbook()
        rest = sorted(self.codes - self.index.municipalities.keys())
        for at in range(0, len(rest), CHUNK):
            self.municipalities(rest[at : at + CHUNK])
        return self.index


def write_downloads(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    previous: Path | None = None,
    workshop: Workshop | None = None,
) -> Downloads:
    """Writes every table's and every municipality's downloads into `out`; returns the index.
    The workbooks go to `workshop` (written before it closes; inline without one)."""
    return DownloadWriter(con, out, previous, workshop or Workshop(parallel=False)).finish()
