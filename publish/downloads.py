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
import io
import multiprocessing
import os
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

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

    def municipality_workbook(self, code: str) -> str:
        return f"kommune-{code}.xlsx"

    def municipality_csv(self, code: str, table: str) -> str:
        return f"kommune-{code}/{table}.csv"


def neutralised(value: str) -> str:
    """A text cell as a CSV reader can take it without running it."""
    return "'" + value if value.startswith(FORMULA_START) else value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # 10 significant digits: far finer than any figure here is known (the accounts give
        # 0.1 t), and free of the last bits a parallel sum leaves differently in each build
        return format(value, ".10g").replace(".", ",")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | int):
        return str(value)
    return neutralised(str(value))


def csv_bytes(columns: list[str], rows: list[tuple]) -> bytes:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_csv_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8")


class _Book:
    """An xlsxwriter workbook with the formats the sheets share."""

    def __init__(self, path: Path, rows: int):
        import xlsxwriter

        self.book = xlsxwriter.Workbook(
            str(path),
            {
                # a long table row by row through a temporary file, in little memory; a short
                # one in memory, which is faster
                "constant_memory": rows > 100_000,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "remove_timezone": True,
            },
        )
        self.header = self.book.add_format({"bold": True})
        self.decimal = self.book.add_format({"num_format": "#,##0.0"})
        self.integer = self.book.add_format({"num_format": "#,##0"})
        self.day = self.book.add_format({"num_format": "dd-mm-yyyy"})
        self.moment = self.book.add_format({"num_format": "dd-mm-yyyy hh:mm"})

    def sheet(self, name: str, columns: list[str], rows: list[tuple]) -> None:
        """A sheet of `rows` under a header of `columns`. Each column's number or date format is
        the column's own (Excel applies it to every cell in it): the rows are then written whole,
        and xlsxwriter writes each value as what it is, text as text."""
        sheet = self.book.add_worksheet(name[:31])
        for col, name in enumerate(columns):
            first = next((row[col] for row in rows if row[col] is not None), None)
            sheet.set_column(col, col, max(10, min(40, len(name) + 2)), self._format(first))
            sheet.write_string(0, col, name, self.header)
        for r, row in enumerate(rows, start=1):
            sheet.write_row(r, 0, row)
        sheet.freeze_panes(1, 0)
        if rows:
            sheet.autofilter(0, 0, len(rows), len(columns) - 1)

    def _format(self, value):
        """A column's format, from its first value (a column holds one type)."""
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return self.integer
        if isinstance(value, float):
            return self.decimal
        if isinstance(value, datetime):
            return self.moment
        if isinstance(value, date):
            return self.day
        return None

    def descriptions(self, described: list[tuple[str, str, str | None]]) -> None:
        """The sheet `kolonner`: table, column and what the column holds."""
        sheet = self.book.add_worksheet("kolonner")
        for col, (name, width) in enumerate([("tabel", 32), ("kolonne", 32), ("beskrivelse", 100)]):
            sheet.write_string(0, col, name, self.header)
            sheet.set_column(col, col, width)
        for r, (table, column, text) in enumerate(described, start=1):
            sheet.write_string(r, 0, table)
            sheet.write_string(r, 1, column)
            sheet.write_string(r, 2, text or "")

    def close(self) -> None:
        self.book.close()


README = """klimamonitor: downloads, format {format}

<table>.csv / <table>.xlsx: every table of the publication. kommune-<code>.xlsx and
kommune-<code>/<table>.csv: one municipality's rows of every table that has a municipality_code.
CSV: UTF-8 with a BOM, ';' between fields, decimal comma, ISO dates, as Danish Excel opens it;
a text value beginning with =, +, -, @, a tab or a carriage return has a ' put before it, so that
no program reads it as a formula. XLSX: numbers as numbers (shown in the reader's own locale),
dates as dates, text as text; the sheet 'kolonner' describes each column.
"""
FORMAT = 1  # raise when a file's layout changes: the previous publication's files are not reused


def _reused(previous: Path | None, name: str, csvs: dict[str, bytes], out: Path) -> bool:
    """Whether the workbook `name` of the previous publication holds the same rows as the CSVs
    just written (byte for byte; for a municipality, the same tables too): then it is linked in,
    not written again. `previous` is None unless its files are in this format."""
    if previous is None or not (previous / name).exists():
        return False
    folders = {Path(path).parent for path in csvs} - {Path(".")}
    before = {str(p.relative_to(previous)) for f in folders for p in (previous / f).glob("*.csv")}
    if folders and before != set(csvs):  # a municipality's folder: a table more or fewer
        return False
    for path, content in csvs.items():
        old = previous / path
        if not old.exists() or old.stat().st_size != len(content) or old.read_bytes() != content:
            return False
    try:
        (out / name).hardlink_to(previous / name)
    except OSError:
        (out / name).write_bytes((previous / name).read_bytes())
    return True


@dataclass(frozen=True)
class Workbook:
    """A workbook to write: its path, its sheets (name, columns, rows) and its column notes."""

    path: Path
    sheets: list[tuple[str, list[str], list[tuple]]]
    described: list[tuple[str, str, str | None]]

    @property
    def cells(self) -> int:
        return sum(len(columns) * len(rows) for _, columns, rows in self.sheets)


def write_workbook(book: Workbook) -> None:
    xlsx = _Book(book.path, sum(len(rows) for _, _, rows in book.sheets))
    for name, columns, rows in book.sheets:
        xlsx.sheet(name, columns, rows)
    xlsx.descriptions(book.described)
    xlsx.close()


PARALLEL_CELLS = 500_000  # below this, starting the processes costs more than it saves


def write_workbooks(books: list[Workbook]) -> None:
    """Writes the workbooks, in a process per core when there is enough to write: xlsxwriter
    writes about 100,000 cells a second, in Python, on one core."""
    cores = os.cpu_count() or 1
    if cores == 1 or len(books) < 2 or sum(b.cells for b in books) < PARALLEL_CELLS:
        for book in books:
            write_workbook(book)
        return
    biggest_first = sorted(books, key=lambda b: -b.cells)
    spawn = multiprocessing.get_context("spawn")  # no fork of a threaded run worker
    with ProcessPoolExecutor(max_workers=cores, mp_context=spawn) as pool:
        list(pool.map(write_workbook, biggest_first, chunksize=max(1, len(books) // (cores * 8))))


def write_downloads(
    con: duckdb.DuckDBPyConnection, out: Path, previous: Path | None = None
) -> Downloads:
    """Writes every table's and every municipality's downloads into `out`; returns the index. A
    workbook whose rows are those of the same workbook in `previous` (the folder of the last
    publication) is taken from there: a night that changed one plan rewrites few workbooks."""
    out.mkdir(parents=True, exist_ok=True)
    readme = README.format(format=FORMAT)
    if previous is not None and (
        not (previous / "README.txt").exists()
        or (previous / "README.txt").read_text(encoding="utf-8") != readme
    ):
        previous = None  # written in another format: nothing of it is reused
    (out / "README.txt").write_text(readme, encoding="utf-8")
    index = Downloads()
    by_municipality: dict[str, dict[str, list[tuple]]] = defaultdict(dict)
    columns_of: dict[str, list[str]] = {}
    described: dict[str, list] = {}
    books: list[Workbook] = []
    # the dimensions first
    for d in sorted(described_tables(con), key=lambda d: (d.schema == "marts", d.table)):
        table, comment = d.table, d.comment
        columns, pairs = [c for c, _, _ in d.columns], [(c, n) for c, _, n in d.columns]
        # in a fixed order (a table's rows have none): the same rows give the same bytes
        rows = con.execute(f"select * from {table} order by all").fetchall()
        columns_of[table], described[table] = columns, pairs
        content = csv_bytes(columns, rows)
        (out / f"{table}.csv").write_bytes(content)
        xlsx = None
        if len(rows) <= EXCEL_ROWS:
            xlsx = f"{table}.xlsx"
            if not _reused(previous, xlsx, {f"{table}.csv": content}, out):
                books.append(
                    Workbook(
                        out / xlsx,
                        [(table.split(".")[1], columns, rows)],
                        [(table, c, d) for c, d in pairs],
                    )
                )
        index.tables.append(Download(table, len(rows), f"{table}.csv", xlsx, comment))
        if "municipality_code" in columns:
            at = columns.index("municipality_code")
            grouped: dict[str, list[tuple]] = defaultdict(list)
            for row in rows:
                if row[at] is not None:
                    grouped[row[at]].append(row)
            for code, mine in grouped.items():
                by_municipality[code][table] = mine
    for code, tables in sorted(by_municipality.items()):
        (out / f"kommune-{code}").mkdir(exist_ok=True)
        csvs = {
            index.municipality_csv(code, table): csv_bytes(columns_of[table], rows)
            for table, rows in tables.items()
        }
        for path, content in csvs.items():
            (out / path).write_bytes(content)
        workbook = index.municipality_workbook(code)
        if not _reused(previous, workbook, csvs, out):
            books.append(
                Workbook(
                    out / workbook,
                    [(t.split(".")[1], columns_of[t], rows) for t, rows in tables.items()],
                    [(t, c, d) for t in tables for c, d in described[t]],
                )
            )
        index.municipalities[code] = {table: len(rows) for table, rows in tables.items()}
    write_workbooks(books)
    return index
