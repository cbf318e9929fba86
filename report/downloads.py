"""What a municipality downloads from its page: its submission receipts as a workbook, and its
prefilled plan template (`ingestion/plan_workbook.py`).

Text from the submissions goes into the workbook as text, never as a formula: a value that begins
with `=`, `+`, `-` or `@` is written as a string cell (formula injection)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import date
from functools import cache
from pathlib import Path

import pyarrow as pa

from ingestion.plan_template import choices, fields
from ingestion.plan_workbook import template_workbook
from publish.downloads import link, write_sheets

# Raise when a workbook's layout changes in code: a workbook made by another format is not reused.
FORMAT = 2

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


def _sheet(columns: list[tuple[str, str]], rows: list[dict]) -> pa.Table:
    """Rows as a sheet under Danish headings, each column typed by its values (a column with no
    values is empty cells)."""
    return pa.table({label: pa.array([row.get(key) for row in rows]) for key, label in columns})


def receipts_workbook(receipts: list[dict], rejections: list[dict]) -> bytes:
    """A municipality's receipts (one row per file) and the rejections behind them, by the data
    workbooks' writer: numbers as numbers, moments in UTC, text as text, never a formula."""
    buf = io.BytesIO()
    write_sheets(
        [
            ("kvitteringer", _sheet(RECEIPT_COLUMNS, receipts)),
            ("afviste", _sheet(REJECTION_COLUMNS, rejections)),
        ],
        buf,
    )
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


# -- made once, linked after: a workbook carries a digest of what it was made from --------------
# The digest is the workbook's archive comment (an XLSX file is a ZIP archive), which Excel does
# not show and the writer leaves free.


@cache
def template_definition() -> str:
    """The template's fields and their choices, which shape every template workbook."""
    defined = fields()
    return repr((defined, {f.name: choices(f.name) for part in defined.values() for f in part}))


def inputs_key(kind: str, *inputs) -> str:
    """The digest of everything a workbook is made from (its rows, this year for a template, the
    template's definition, the layout's FORMAT): the same key, the same workbook."""
    return hashlib.sha256(repr((FORMAT, kind, inputs)).encode("utf-8")).hexdigest()


def made_from(path: Path) -> str | None:
    """The key a workbook was made from (its archive comment), None if it has none."""
    try:
        with zipfile.ZipFile(path) as z:
            return z.comment.decode("ascii") or None
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError):
        return None


def stamped(content: bytes, key: str) -> bytes:
    """The workbook with `key` as its archive comment; its parts are not rewritten."""
    buf = io.BytesIO(content)
    with zipfile.ZipFile(buf, "a") as z:
        z.comment = key.encode("ascii")
    return buf.getvalue()


def receipts_job(receipts: list[dict], rejections: list[dict]) -> tuple:
    return (receipts_workbook, (receipts, rejections), inputs_key("receipts", receipts, rejections))


def template_job(m: dict, plan_version: int | None, actions: list[dict]) -> tuple:
    m = {k: m[k] for k in ("municipality_code", "municipality_name")}
    key = inputs_key("template", m, plan_version, actions, date.today().year, template_definition())
    return (municipality_template, (m, plan_version, actions), key)


def planned(path: Path, job: tuple, previous: Path | None) -> tuple | None:
    """The job that writes `path`, or None where the previous build's file was made from the same
    inputs and is linked in instead."""
    old = previous / path.name if previous is not None else None
    if old is not None and old.exists() and made_from(old) == job[2]:
        link(old, path)
        return None
    return (path, *job)


def write_planned(jobs: list[tuple]) -> None:
    """Writes each (path, make, args, key): make(*args), stamped with key, into path."""
    for path, make, args, key in jobs:
        path.write_bytes(stamped(make(*args), key))
