"""The plan file reader on files as municipalities make them: Excel's Danish CSV, UTF-16, hand
edits, workbooks with typed cells. Unit tier: no pipeline, each case in milliseconds."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest

from ingestion.plan_files import cell_text, parse
from ingestion.plan_template import TEMPLATE_COLUMNS, choices, fields, header_columns

PLAN = ",".join(TEMPLATE_COLUMNS["plan"])
TARGETS = ",".join(TEMPLATE_COLUMNS["targets"])


def _parse(name: str, text: str | bytes):
    content = text.encode("utf-8") if isinstance(text, str) else text
    return parse(name, "h", content)


def test_text_and_physical_lines_are_kept():
    parsed = _parse(
        "101_v1_targets.csv",
        f"{TARGETS}\n101,1,energi,2030,95\n0101,1,transport,2030,abc\n",
    )
    rows = parsed.parts["targets"]
    assert [r["municipality_code"] for r in rows] == ["101", "0101"]
    assert [r["target_reduction_pct"] for r in rows] == ["95", "abc"]
    assert [r["row_number"] for r in rows] == [2, 3]


def test_a_quoted_value_over_three_lines_moves_the_next_row_down():
    header = ",".join(TEMPLATE_COLUMNS["actions"])
    good = "transport,mitigation,10,planned,T,2024-01-01,2027-01-01,2024-06-01,"
    text = f'{header}\n101,1,A1,"Cykel-\nstier\ni byen",{good}\n101,1,A2,Busser,{good}\n'
    rows = _parse("101_v1_actions.csv", text).parts["actions"]
    assert [(r["action_id"], r["row_number"]) for r in rows] == [("A1", 2), ("A2", 5)]


def test_danish_excel_csv_semicolons_decimal_commas_bom_crlf():
    text = (
        "\ufeff" + PLAN.replace(",", ";") + "\r\n"
        "101;1;2023-01-01;2023-02-01;2019;54583,5;70;2045;round1_2020\r\n"
    )
    parsed = _parse("101_v1_plan.csv", text)
    assert (parsed.delimiter, parsed.decimal_mark, parsed.encoding) == (
        ";",
        ",",
        "UTF-8 with BOM",
    )
    assert parsed.parts["plan"][0]["baseline_emissions_t"] == "54583,5"


def test_utf16_is_read_and_said():
    text = (
        PLAN.replace(",", "\t") + "\r\n101\t1\t2023-01-01\t2023-02-01\t2019\t500000\t70\t2045\t\r\n"
    )
    parsed = _parse("101_v1_plan.csv", text.encode("utf-16"))
    assert (parsed.encoding, parsed.delimiter, parsed.rejections) == ("UTF-16", "\t", [])


def test_a_file_mixing_decimal_marks_is_rejected_naming_both():
    text = PLAN.replace(",", ";") + "\n101;1;2023-01-01;2023-02-01;2019;500000,5;70.5;2045;\n"
    (rejection,) = _parse("101_v1_plan.csv", text).rejections
    assert "500000,5 on line 2" in rejection["en"] and "70.5 on line 2" in rejection["en"]
    assert "decimalkomma" in rejection["da"]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"PK\x03\x04 zip", "Excel workbook (XLSX) with a .csv name"),
        (b"\xd0\xcf\x11\xe0 old", "old Excel file (.xls)"),
        ("municipality_code,x\n101,Køge\n".encode("latin-1"), "byte 0xF8 on line 2"),
        (b"", "the file is empty"),
        (PLAN.encode() + b"\n", "no data rows"),
        (b"municipality_code,plan_version\n101,1\n", "columns missing from the header"),
        (PLAN.encode() + b'\n101,"1,2023\n', 'a quote (") is opened and not closed'),
    ],
    ids=["xlsx named csv", "xls", "latin-1", "empty", "header only", "missing columns", "quote"],
)
def test_a_file_that_cannot_be_read_is_rejected_in_plain_words(content, words):
    (rejection,) = _parse("101_v1_plan.csv", content).rejections
    assert words in rejection["en"] and rejection["sheet"] is None
    assert "/tmp" not in rejection["en"] and "/work" not in rejection["en"]


def test_lines_with_too_many_or_too_few_values_are_marked_not_dropped():
    text = f"{TARGETS}\n101,1,energi,2030,95\n101,1,Energi, el,2030,95\n101,1,trans"
    rows = _parse("101_v1_targets.csv", text).parts["targets"]
    assert [r["read_error"] is None for r in rows] == [True, False, False]
    assert "6 values where the header has 5" in rows[1]["read_error"]
    assert "cut short" in rows[2]["read_error"] and rows[2]["row_number"] == 4


def _workbook(sheets: dict[str, list[list]], formats: dict | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for cell, number_format in (formats or {}).get(title, {}).items():
            sheet[cell].number_format = number_format
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_workbook_cells_are_read_by_their_type():
    plan = [
        list(TEMPLATE_COLUMNS["plan"]),
        [101, 2, datetime(2023, 1, 1), date(2023, 2, 1), 2019, 54583.5, 0.7, 2045, None],
    ]
    status = [list(TEMPLATE_COLUMNS["status"]), [101, 2, "A1", "done", date(2026, 1, 15), ""]]
    content = _workbook(
        {" Plan ": plan, "status_2025": status, "STATUS_2026": status, "Ark1": [["x"]]},
        {" Plan ": {"G2": "0%"}},
    )
    parsed = _parse("101_v2.xlsx", content)
    (row,) = parsed.parts["plan"]
    assert (row["adopted_date"], row["baseline_emissions_t"], row["target_2030_pct"]) == (
        "2023-01-01",
        "54583.5",
        "70",
    )
    assert row["sheet"] == " Plan " and row["row_number"] == 2
    assert [r["sheet"] for r in parsed.parts["status"]] == ["status_2025", "STATUS_2026"]
    assert parsed.ignored_sheets == ["Ark1"] and parsed.rejections == []


def test_a_workbook_with_no_template_sheet_is_rejected_naming_the_sheets():
    parsed = _parse("101_v2.xlsx", _workbook({"Ark1": [["a"]], "Ark2": [["b"]]}))
    (rejection,) = parsed.rejections
    assert "found Ark1, Ark2" in rejection["en"] and "fandt Ark1, Ark2" in rejection["da"]


def test_each_bad_sheet_is_rejected_on_its_own():
    bad = [["municipality_code"], [101]]
    parsed = _parse(
        "101_v2.xlsx",
        _workbook({"plan": bad, "targets": bad, "actions": bad}),
    )
    assert [r["sheet"] for r in parsed.rejections] == ["plan", "targets", "actions"]


@pytest.mark.parametrize(
    ("value", "number_format", "text"),
    [
        (0.7, "0%", "70"),
        (0.125, "0.0%", "12.5"),
        (70, '0.0" %"', "70"),
        (70, "0.0\\%", "70"),
        (2.0, "General", "2"),
        (2.1, "General", "2.1"),
    ],
)
def test_cell_text(value, number_format, text):
    assert cell_text(value, number_format) == text


def test_the_template_definition_is_the_seed_dbt_reads():
    assert header_columns("actions") == TEMPLATE_COLUMNS["actions"][:-1]  # track_id optional
    assert choices("status") == ("planned", "in_progress", "done", "cancelled")
    assert "landbrug" in choices("sector")
    pct = {f.name: f for f in fields()["plan"]}["target_2030_pct"]
    assert (pct.kind, pct.low, pct.high) == ("percent", 0, 100)


def test_the_documented_fields_are_the_parsers():
    from ingestion.plan_docs import DOC, rendered

    text = DOC.read_text(encoding="utf-8")
    assert rendered(text) == text, "run: python -m ingestion.plan_docs"


def test_the_template_workbook_reads_back_as_filled_in():
    """The prefilled template, filled in as a municipality would (numbers as numbers, a date as a
    date, choices from the lists), reads back with no rejection and every value as typed."""
    from openpyxl import load_workbook

    from ingestion.plan_workbook import template_workbook

    content = template_workbook(
        "101", "København", 3, 2026, [{"plan_version": 2, "action_id": "A1"}]
    )
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["vejledning", "plan", "targets", "actions", "status_2026"]
    plan = book["plan"]
    assert [c.value for c in plan[2]][:2] == ["101", 3]
    for column, value in zip(
        "CDEFGHI",
        [date(2025, 3, 1), date(2025, 4, 1), 2019, 1234567.5, 70, 2045, "round1_2020"],
        strict=True,
    ):
        plan[f"{column}2"] = value
    assert plan.column_dimensions["G"].number_format == '0.0" %"'  # 70 shows as 70 %, not 7000 %
    (sectors,) = [dv for dv in book["targets"].data_validations.dataValidation if dv.type == "list"]
    listed = '"' + ",".join(choices("sector")) + '"'
    assert (sectors.formula1, str(sectors.sqref)) == (listed, "C2:C201")  # a drop-down to row 201
    for row in book["targets"].iter_rows(min_row=2):
        row[4].value = 55
    buf = io.BytesIO()
    book.save(buf)
    parsed = parse("101_v3.xlsx", "h", buf.getvalue())
    assert parsed.rejections == [] and parsed.ignored_sheets == ["vejledning"]
    (row,) = parsed.parts["plan"]
    assert (row["adopted_date"], row["baseline_emissions_t"], row["target_2030_pct"]) == (
        "2025-03-01",
        "1234567.5",
        "70",
    )
    assert [r["sector"] for r in parsed.parts["targets"]] == list(choices("sector"))
    assert [(r["plan_version"], r["action_id"]) for r in parsed.parts["status"]] == [("2", "A1")]


def test_submission_text_goes_into_a_workbook_as_text_never_a_formula():
    from openpyxl import load_workbook

    from report.downloads import receipts_workbook

    content = receipts_workbook(
        [{"source_file": "101_v1_actions.csv", "status_da": "modtaget"}],
        [{"source_file": "101_v1_actions.csv", "value": "=cmd|' /C calc'!A0", "reason_da": "x"}],
    )
    cell = load_workbook(io.BytesIO(content))["afviste"]["E2"]
    assert (cell.value, cell.data_type) == ("=cmd|' /C calc'!A0", "s")


def test_a_receipt_keeps_its_moment_in_utc_and_its_numbers_as_numbers(tmp_path):
    """A file read at 08:21:00.5 Danish time is 07:21:00.5 UTC in the receipts workbook (the
    column says UTC), a count is a number, a figure not known is an empty cell; the digest a
    rebuild links by is the archive's comment, and a workbook without one has none."""
    from datetime import UTC, datetime, timedelta, timezone
    from decimal import Decimal

    from openpyxl import load_workbook

    from report.downloads import made_from, receipts_workbook, stamped

    read_at = datetime(2026, 3, 1, 8, 21, 0, 500_000, tzinfo=timezone(timedelta(hours=1)))
    content = receipts_workbook(
        [
            {
                "source_file": "101_v1.xlsx",
                "read_at": read_at,
                "rows_in": 12,
                "target_2030_pct_now": Decimal("70.5"),
                "target_2030_pct_before": None,
            }
        ],
        [],
    )
    sheet = load_workbook(io.BytesIO(content))["kvitteringer"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["Læst (UTC)"] == read_at.astimezone(UTC).replace(tzinfo=None)
    assert (row["Rækker modtaget"], row["2030-mål nu (%)"]) == (12, 70.5)
    assert row["2030-mål før (%)"] is None
    (tmp_path / "a.xlsx").write_bytes(content)
    (tmp_path / "b.xlsx").write_bytes(stamped(content, "ab" * 32))
    assert (made_from(tmp_path / "a.xlsx"), made_from(tmp_path / "b.xlsx")) == (None, "ab" * 32)
    assert load_workbook(tmp_path / "b.xlsx").sheetnames == ["kvitteringer", "afviste"]
