"""The downloads (publish/downloads.py): every BI table, and each municipality's rows, as CSV in
the Danish convention and as XLSX with number formats; text that could run as a formula is
neutralised; an unchanged workbook of the previous publication is reused, a changed one rewritten.
On a small warehouse of the tests' own, and on the session's report."""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from openpyxl import load_workbook

from publish.downloads import (
    BOM,
    MEMORY_FILES,
    Workshop,
    csv_bytes,
    csv_cells,
    in_memory_files,
    write_downloads,
)

DANGEROUS = ["=1+1", "+45 12 34 56 78", "-2+3", "@SUM(A1)", "\t=cmd", "\r=cmd"]


def _warehouse(with_rows: int = 3) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema core; create schema marts")
    con.execute(
        """create table core.dim_municipality as
           select * from (values ('101', 'København'), ('147', 'Frederiksberg'))
             t(municipality_code, municipality_name)"""
    )
    con.execute("comment on table core.dim_municipality is 'The municipalities.'")
    con.execute("comment on column core.dim_municipality.municipality_name is 'Its name.'")
    con.execute(
        f"""create table marts.mart_actions as
            select * from (values
              ('101', 'K101-1', -1234.5, 7, date '2026-03-01', true, '=1+1'),
              ('101', 'K101-2', 0.25, null, null, false, 'plain'),
              ('147', 'K147-1', 1e6, 3, date '2025-12-31', null, '@SUM(A1)')
            ) t(municipality_code, action_id, expected_reduction_t, n, end_date, late, comment)
            limit {with_rows}"""
    )
    con.execute("create table marts.mart_national_progress as select 2024 as year, 1.5 as t")
    con.execute("create table marts.not_bi as select 1 as x")  # not a BI table: not offered
    return con


def _csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(BOM.encode("utf-8")), path
    return list(csv.reader(io.StringIO(raw.decode("utf-8")[1:]), delimiter=";"))


def test_csv_cells_that_could_run_are_neutralised_and_numbers_are_not():
    rows = pa.table(
        {
            "a": [*DANGEROUS, "plain -1"],
            "b": [-1.5] * (len(DANGEROUS) + 1),
            "c": [-2] * (len(DANGEROUS) + 1),
        }
    )
    content = csv_bytes(["a", "b", "c"], csv_cells(duckdb.connect(), rows))
    rows = list(csv.reader(io.StringIO(content.decode("utf-8")[1:]), delimiter=";"))
    assert [r[0] for r in rows[1:]] == ["'" + v for v in DANGEROUS] + ["plain -1"]
    assert {(r[1], r[2]) for r in rows[1:]} == {("-1,5", "-2")}  # negative numbers stay numbers
    # a sum's last bits, which differ from build to build, are not written
    noisy = pa.table({"t": [2153417.4000000004, 2153417.4, 0.729333755731686]})
    content = csv_bytes(["t"], csv_cells(duckdb.connect(), noisy))
    assert content.decode("utf-8").split("\r\n")[1:4] == ["2153417,4", "2153417,4", "0,7293337557"]


def test_every_table_and_every_municipality_as_csv_and_xlsx(tmp_path):
    con = _warehouse()
    index = write_downloads(con, tmp_path)
    assert [d.table for d in index.tables] == [
        "core.dim_municipality",
        "marts.mart_actions",
        "marts.mart_national_progress",
    ]
    rows = _csv(tmp_path / "marts.mart_actions.csv")
    assert rows[0] == [
        "municipality_code",
        "action_id",
        "expected_reduction_t",
        "n",
        "end_date",
        "late",
        "comment",
    ]
    assert rows[1] == ["101", "K101-1", "-1234,5", "7", "2026-03-01", "true", "'=1+1"]
    assert rows[2] == ["101", "K101-2", "0,25", "", "", "false", "plain"]
    assert rows[3][2] == "1000000" and rows[3][6] == "'@SUM(A1)"

    book = load_workbook(tmp_path / "marts.mart_actions.xlsx")
    sheet = book["mart_actions"]
    assert [c.value for c in sheet[1]] == rows[0]
    first = sheet[2]
    assert first[2].value == -1234.5 and first[2].number_format == "#,##0.0"
    assert first[3].value == 7 and first[3].number_format == "#,##0"
    assert first[4].value.date() == date(2026, 3, 1) and first[4].number_format == "dd-mm-yyyy"
    assert first[5].value is True
    assert first[6].value == "=1+1" and first[6].data_type == "s"  # text, not a formula
    assert sheet[4][6].value == "@SUM(A1)" and sheet[4][6].data_type == "s"
    kolonner = book["kolonner"].iter_rows(min_row=2, values_only=True)
    described = {(r[0], r[1]): r[2] for r in kolonner}
    assert len(described) == 7

    # each municipality: its rows of every table with a municipality_code
    assert index.municipalities == {
        "101": {"core.dim_municipality": 1, "marts.mart_actions": 2},
        "147": {"core.dim_municipality": 1, "marts.mart_actions": 1},
    }
    mine = load_workbook(tmp_path / "kommune-147.xlsx")
    assert mine.sheetnames == ["dim_municipality", "mart_actions", "kolonner"]
    assert [c.value for c in mine["mart_actions"][2]][:2] == ["147", "K147-1"]
    assert _csv(tmp_path / "kommune-147" / "marts.mart_actions.csv")[1][:2] == ["147", "K147-1"]
    assert (mine["kolonner"]["C2"].value or "") == ""  # municipality_code: no description
    assert any(r[2] == "Its name." for r in mine["kolonner"].iter_rows(values_only=True))


def test_an_unchanged_workbook_is_reused_a_changed_one_rewritten(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    write_downloads(_warehouse(), first)
    write_downloads(_warehouse(with_rows=2), second, previous=first)  # 147's action is gone

    def same_file(name: str) -> bool:
        return (first / name).stat().st_ino == (second / name).stat().st_ino

    assert same_file("core.dim_municipality.xlsx")  # unchanged: linked in
    assert same_file("kommune-101.xlsx")
    assert not same_file("marts.mart_actions.xlsx")  # changed: written again
    assert not same_file("kommune-147.xlsx")
    assert load_workbook(second / "kommune-147.xlsx").sheetnames == ["dim_municipality", "kolonner"]


def _cells(path: Path) -> dict[str, list[tuple]]:
    book = load_workbook(path)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}


def test_a_process_per_core_writes_what_one_process_writes(tmp_path, monkeypatch):
    """The workbooks written by the workshop's processes, a chunk of one municipality at a time,
    hold the cells the inline run writes; the CSVs are the same bytes."""
    monkeypatch.setattr("publish.downloads.CHUNK", 1)
    inline, pooled = tmp_path / "inline", tmp_path / "pooled"
    write_downloads(_warehouse(), inline)
    with Workshop(parallel=True) as workshop:
        index = write_downloads(_warehouse(), pooled, workshop=workshop)
    assert set(index.municipalities) == {"101", "147"}
    names = sorted(str(p.relative_to(inline)) for p in inline.rglob("*.*"))
    assert names == sorted(str(p.relative_to(pooled)) for p in pooled.rglob("*.*"))
    for name in names:
        if name.endswith(".xlsx"):
            assert _cells(inline / name) == _cells(pooled / name), name
        else:
            assert (inline / name).read_bytes() == (pooled / name).read_bytes(), name


def _note_tmpdir(path: str) -> None:
    Path(path).write_text(os.environ.get("TMPDIR", "(unset)"), encoding="utf-8")


@pytest.mark.skipif(not Workshop(parallel=False).memory, reason=f"no {MEMORY_FILES} here")
def test_small_workbooks_keep_their_temporary_files_in_memory(tmp_path, monkeypatch):
    """A job of one municipality's workbooks runs in a writing process with TMPDIR in memory,
    where rust_xlsxwriter puts each sheet before zipping it; any other job, and a job run inline
    in the caller's process, sees TMPDIR as it was, and it is as it was after the job."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    with Workshop(parallel=True) as workshop:
        workshop.submit(_note_tmpdir, str(tmp_path / "small"), small=True)
        for n in range(3):
            workshop.submit(_note_tmpdir, str(tmp_path / f"table-{n}"))
    assert (tmp_path / "small").read_text(encoding="utf-8") == str(MEMORY_FILES)
    for n in range(3):
        assert (tmp_path / f"table-{n}").read_text(encoding="utf-8") == str(tmp_path)
    with Workshop(parallel=False) as workshop:
        workshop.submit(_note_tmpdir, str(tmp_path / "inline"), small=True)
    assert (tmp_path / "inline").read_text(encoding="utf-8") == str(tmp_path)
    in_memory_files(_note_tmpdir, str(tmp_path / "here"))
    assert (tmp_path / "here").read_text(encoding="utf-8") == str(MEMORY_FILES)
    assert os.environ["TMPDIR"] == str(tmp_path)


def test_the_report_links_every_download_it_has(demo_run):
    """On the session's run: every BI table's files, and each municipality's, exist and are linked
    from the pages; the counts are the published tables'."""
    report = demo_run[0] / "published" / "report"
    data = report / "data"
    con = duckdb.connect(str(demo_run[0] / "published" / "klimamonitor.duckdb"), read_only=True)
    try:
        counts = {
            f"{s}.{t}": con.execute(f'select count(*) from "{s}"."{t}"').fetchone()[0]
            for s, t in con.execute(
                """select schema_name, table_name from duckdb_tables()
                   where schema_name in ('core', 'marts')"""
            ).fetchall()
        }
        actions_101 = con.execute(
            "select count(*) from marts.mart_actions where municipality_code = '101'"
        ).fetchone()[0]
    finally:
        con.close()
    sources = (report / "kilder.html").read_text(encoding="utf-8")
    for table, rows in counts.items():
        assert len(_csv(data / f"{table}.csv")) == rows + 1, table
        assert f'href="data/{table}.csv"' in sources and f'href="data/{table}.xlsx"' in sources
    page = (report / "kommune" / "101.html").read_text(encoding="utf-8")
    links = re.findall(r'href="\.\./(data/[^"]+)"', page)
    assert "data/kommune-101.xlsx" in links and "data/kommune-101/marts.mart_actions.csv" in links
    assert all((report / link).exists() for link in links), links
    sheet = load_workbook(data / "kommune-101.xlsx", read_only=True)["mart_actions"]
    assert sheet.max_row == actions_101 + 1


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_dangerous_value_is_text_in_every_format(tmp_path, value):
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.mart_x as select '101' municipality_code, ? comment", [value])
    write_downloads(con, tmp_path)
    assert _csv(tmp_path / "marts.mart_x.csv")[1][1] == "'" + value
    cell = load_workbook(tmp_path / "kommune-101.xlsx")["mart_x"]["B2"]
    # a carriage return is stored as Excel's escape _x000D_, which openpyxl leaves as it is
    assert cell.value.replace("_x000D_", "\r") == value and cell.data_type == "s"


def test_duckdb_writes_a_whole_table_as_python_writes_a_municipality(tmp_path):
    """The whole table's CSV (written by DuckDB) and each municipality's (`csv_bytes`) agree
    cell for cell, in every type the mart has: a reader may put them side by side."""
    con = duckdb.connect()
    con.execute("create schema marts; set TimeZone = 'Europe/Copenhagen'")
    con.execute(
        """create table marts.mart_x as select * from (values
             ('101', 2153417.4000000004::double, 1e-7::double, 12::bigint, true, date '2024-12-31',
              timestamptz '2026-12-03 08:21:00.5+01', 'a;b"c', ''),
             ('101', -0.25, null, null, null, null, timestamptz '2026-06-01 00:00:00+02',
              '-2+3', null),
             ('147', 1e16, 3.0, -4::bigint, false, date '2025-01-01', null, 'line
break', 'plain')
           ) t(municipality_code, t, small, n, late, day, received_at, note, other)"""
    )
    write_downloads(con, tmp_path)
    whole = _csv(tmp_path / "marts.mart_x.csv")
    mine = {
        code: _csv(tmp_path / f"kommune-{code}" / "marts.mart_x.csv") for code in ("101", "147")
    }
    assert whole[0] == mine["101"][0] == mine["147"][0]
    assert whole[1:] == mine["101"][1:] + mine["147"][1:]
    assert whole[1][:3] == ["101", "-0,25", ""]  # in the order of the typed values
    assert whole[2] == [
        "101",
        "2153417,4",
        "1e-07",
        "12",
        "true",
        "2024-12-31",
        "2026-12-03 07:21:00.500000+00:00",
        'a;b"c',
        "",
    ]
    assert whole[1][7] == "'-2+3" and whole[3][7] == "line\nbreak"
    # the workbooks hold the same cells as what they are: the moment in UTC, as in the CSV
    book = _cells(tmp_path / "marts.mart_x.xlsx")["mart_x"]
    assert book[0] == tuple(whole[0])
    assert book[2][:7] == (
        "101",
        2153417.4000000004,
        1e-7,
        12,
        True,
        datetime(2024, 12, 31),
        datetime(2026, 12, 3, 7, 21, 0, 500000),
    )
    assert book[1][7] == "-2+3" and book[3][7] == "line\nbreak"
    assert _cells(tmp_path / "kommune-147.xlsx")["mart_x"][1] == book[3]


def test_a_column_a_workbook_cannot_hold_is_an_error_not_empty_cells(tmp_path):
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("create table marts.mart_x as select '101' municipality_code, [1, 2] sectors")
    with pytest.raises(TypeError, match="no XLSX cell for a column of type list"):
        write_downloads(con, tmp_path)
