"""The plan template as the workbook a municipality fills in, built from the template's one
definition (`ingestion/plan_template.py`, the seed `plan_fields.csv` and the choice seeds), so the
workbook, the parser and the dbt checks cannot drift apart.

Per municipality it is prefilled: its code and the next plan version on every sheet, one target
row per sector for 2030, and a status sheet for this year with the actions of its plan in force.
Choice fields get drop-down lists, numbers, percentages and dates their formats and the seed's
ranges as data validation, and a sheet `vejledning` says in Danish how to fill it in, above a table
of every column. The parser notes `vejledning` as a sheet not read. Written by rust_xlsxwriter
(about a millisecond a workbook, against ten by openpyxl; at 10,000 municipalities the report
writes 10,000 of them).
"""

from __future__ import annotations

import functools
import io
from datetime import date

import rustpy_xlsxwriter as rx

from ingestion.plan_template import Field, choices, fields

FORMATS = {
    "whole": "0",
    "year": "0",
    "number": "#,##0.0",
    "percent": '0.0" %"',  # a number 0-100 shown with a % sign: never a 0-1 share
    "date": "yyyy-mm-dd",
}
ROWS = 200  # rows that get drop-downs and validation below the header
GUIDE_WIDTHS = {"del": 10, "kolonne": 28, "betegnelse": 30, "forklaring": 90}
TITLE = rx.Format().set_bold().set_font_size(14)


@functools.cache
def _format(number_format: str) -> rx.Format:
    return rx.Format().set_num_format(number_format)


def _instructions(name: str, code: str, version: int, status_year: int) -> list[str]:
    return [
        f"Klimaplan-skabelon for {name} (kommunekode {code})",
        "",
        f"Udfyld arkene plan, targets og actions for planversion {version}, og arket "
        f"status_{status_year} med status for handlingerne.",
        "Gem som Excel-projektmappe (.xlsx) med navnet "
        f"{code}_v{version}.xlsx, og læg den i alliancens indbakke.",
        "",
        "Sådan udfyldes cellerne:",
        "- Tal skrives som tal, uden tusindtalsseparator (54583, ikke 54.583).",
        "- Procent skrives 0-100 (70 for 70 %), ikke som andel (0,7).",
        "- Datoer skrives som datoer (ÅÅÅÅ-MM-DD).",
        "- Sektor, status, type og DK2020-hold vælges fra listen i cellen.",
        "- Kommunekode og planversion skal stå på hver række og passe med filnavnet.",
        "- Én række pr. mål (sektor og år) og pr. handling; handlings-id er entydigt i kommunen.",
        "- En fælles handling i et klimaudviklingsspor får sporets id i track_id.",
        "",
        "Efter indlæsningen får kommunen en kvittering: rækker modtaget, afvist og hvorfor.",
        "",
        "Kolonnerne:",
    ]


def _validation(f: Field, letter: str) -> dict | None:
    """The data validation of a field's column: a drop-down of its choices, the seed's range for a
    number, a date from 2000; its error message says in Danish what the cell takes."""
    if f.kind == "choice":  # inline: Excel takes up to 255 characters, the writer raises beyond
        rule = {"type": "list", "values": list(choices(f.name)), "ignore_blank": not f.required}
    elif f.kind in ("whole", "year") and f.low is not None:
        rule = {
            "type": "whole_number",
            "criteria": "between",
            "min": int(f.low),
            "max": int(f.high),
        }
    elif f.kind in ("number", "percent") and f.low is not None:
        rule = {"type": "decimal", "criteria": "between", "min": f.low, "max": f.high}
    elif f.kind == "date":
        first = f"{letter}2"
        rule = {"type": "custom", "formula": f"AND(ISNUMBER({first}),{first}>=DATE(2000,1,1))"}
    else:
        return None
    return {**rule, "error_title": f.label_da, "error_message": f"{f.label_da}: {f.help_da}"}


def template_workbook(
    code: str,
    name: str,
    version: int,
    status_year: int | None = None,
    actions: list[dict] | None = None,
) -> bytes:
    """The prefilled template for one municipality: `actions` are the actions of its plan in
    force (`plan_version`, `action_id`), listed on the status sheet."""
    from openpyxl.utils import get_column_letter

    status_year = status_year or date.today().year
    lines = _instructions(name, code, version, status_year)
    guide = [
        {"del": part, "kolonne": f.name, "betegnelse": f.label_da, "forklaring": f.help_da}
        for part in ("plan", "targets", "actions", "status")
        for f in fields()[part]
    ]
    prefill = {
        "plan": [{"municipality_code": code, "plan_version": version}],
        "targets": [
            {"municipality_code": code, "plan_version": version, "sector": s, "target_year": 2030}
            for s in choices("sector")
        ],
        "actions": [{"municipality_code": code, "plan_version": version}],
        "status": [
            {
                "municipality_code": code,
                "plan_version": a["plan_version"],
                "action_id": a["action_id"],
            }
            for a in actions or []
        ]
        or [{"municipality_code": code, "plan_version": version}],
    }
    sheets = [("vejledning", guide)]
    formats, widths, validations = {}, {"vejledning": GUIDE_WIDTHS}, {}
    for part, title in (
        ("plan", "plan"),
        ("targets", "targets"),
        ("actions", "actions"),
        ("status", f"status_{status_year}"),
    ):
        part_fields = fields()[part]
        rows = [{f.name: values.get(f.name) for f in part_fields} for values in prefill[part]]
        # empty rows down to ROWS: the validation covers the rows written
        rows += [dict.fromkeys(rows[0])] * max(0, ROWS - len(rows))
        sheets.append((title, rows))
        # each column's format, which Excel gives every cell typed into it; text for codes, so
        # that a code keeps its leading zero
        formats[title] = {f.name: _format(FORMATS.get(f.kind, "@")) for f in part_fields}
        widths[title] = {f.name: max(14, len(f.name) + 2) for f in part_fields}
        validations[title] = {
            f.name: rule
            for column, f in enumerate(part_fields)
            if (rule := _validation(f, get_column_letter(column + 1))) is not None
        }
    buf = io.BytesIO()
    rx.write_worksheets(
        sheets,
        buf,
        bold_headers=True,
        freeze_panes={title: {"row": 1, "col": 0} for title, _ in sheets[1:]},
        # the instructions above the table of columns, each line across its four columns
        header_row={"vejledning": len(lines) + 1},
        merge_ranges={
            "vejledning": [
                (row, 0, row, 3, line, TITLE) if row == 0 else (row, 0, row, 3, line)
                for row, line in enumerate(lines)
                if line
            ]
        },
        column_formats=formats,
        column_widths=widths,
        data_validations=validations,
    )
    return buf.getvalue()
