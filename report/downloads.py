"""What a municipality downloads from its page: its submission receipts as a workbook, and its
prefilled plan template (`ingestion/plan_workbook.py`).

Text from the submissions goes into the workbook as text, never as a formula: a value that begins
with `=`, `+`, `-` or `@` is written as a string cell (formula injection)."""

from __future__ import annotations

import io
from datetime import date

from ingestion.plan_workbook import template_workbook

RECEIPT_COLUMNS = [
    ("source_file", "Fil"),
    ("status_da", "Status"),
    ("read_at", "Læst (UTC)"),
    ("rows_in", "Rækker modtaget"),
    ("rows_accepted", "Godkendt"),
    ("rows_rejected", "Afvist"),
    ("sheets_rejected", "Ark afvist"),
    ("file_reason_da", "Hvorfor filen er afvist"),
    ("encoding", "Tegnsæt"),
    ("delimiter", "Skilletegn"),
    ("decimal_mark", "Decimaltegn"),
    ("ignored_sheets", "Ark ikke læst"),
    ("ignored_columns", "Kolonner ikke læst"),
    ("versions_received", "Versioner modtaget"),
    ("withdrawn_at", "Trukket tilbage (UTC)"),
    ("plan_version_before", "Planversion før"),
    ("plan_version_now", "Planversion nu"),
    ("target_2030_pct_before", "2030-mål før (%)"),
    ("target_2030_pct_now", "2030-mål nu (%)"),
    ("actions_before", "Handlinger før"),
    ("actions_now", "Handlinger nu"),
    ("expected_reduction_2030_t_before", "Forventet reduktion før (t)"),
    ("expected_reduction_2030_t_now", "Forventet reduktion nu (t)"),
]
REJECTION_COLUMNS = [
    ("source_file", "Fil"),
    ("sheet", "Ark"),
    ("source_row", "Linje"),
    ("field", "Felt"),
    ("value", "Værdi"),
    ("reason_da", "Hvorfor"),
]


def _put(sheet, row: int, col: int, value) -> None:
    cell = sheet.cell(row, col)
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"  # text stays text, whatever it begins with
    elif hasattr(value, "tzinfo") and value.tzinfo is not None:
        cell.value = value.replace(tzinfo=None)
    else:
        cell.value = value
    if isinstance(value, float):
        cell.number_format = "#,##0.0"


def _table(sheet, columns: list[tuple[str, str]], rows: list[dict]) -> None:
    from openpyxl.styles import Font

    for col, (_, label) in enumerate(columns, start=1):
        sheet.cell(1, col, label).font = Font(bold=True)
        sheet.column_dimensions[sheet.cell(1, col).column_letter].width = max(12, len(label) + 2)
    for r, row in enumerate(rows, start=2):
        for col, (key, _) in enumerate(columns, start=1):
            _put(sheet, r, col, row.get(key))
    sheet.freeze_panes = "A2"


def receipts_workbook(receipts: list[dict], rejections: list[dict]) -> bytes:
    """A municipality's receipts (one row per file) and the rejections behind them."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "kvitteringer"
    _table(book.active, RECEIPT_COLUMNS, receipts)
    _table(book.create_sheet("afviste"), REJECTION_COLUMNS, rejections)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def municipality_template(m: dict, plan_version: int | None, actions: list[dict]) -> bytes:
    """The template for the municipality's next plan version, its actions in force on the status
    sheet of this year."""
    return template_workbook(
        m["municipality_code"],
        m["municipality_name"],
        (plan_version or 0) + 1,
        date.today().year,
        actions,
    )
