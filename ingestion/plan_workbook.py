"""The plan template as the workbook a municipality fills in, built from the template's one
definition (`ingestion/plan_template.py`, the seed `plan_fields.csv` and the choice seeds), so the
workbook, the parser and the dbt checks cannot drift apart.

Per municipality it is prefilled: its code and the next plan version on every sheet, one target
row per sector for 2030, and a status sheet for this year with the actions of its plan in force.
Choice fields get drop-down lists, numbers, percentages and dates their formats and the seed's
ranges as data validation, and a sheet `vejledning` says in Danish how to fill it in. The parser
notes `vejledning` and `lister` as sheets not read.
"""

from __future__ import annotations

import io
from datetime import date

from ingestion.plan_template import Field, choices, fields

FORMATS = {
    "whole": "0",
    "year": "0",
    "number": "#,##0.0",
    "percent": '0.0" %"',  # a number 0-100 shown with a % sign: never a 0-1 share
    "date": "yyyy-mm-dd",
}
LISTS = "lister"
ROWS = 200  # rows that get drop-downs and validation below the header


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


def _header_notes(part: str) -> list[list]:
    return [[f.name, f.label_da, f.help_da] for f in fields()[part]]


def _validation(f: Field, lists: dict[str, str]):
    from openpyxl.worksheet.datavalidation import DataValidation

    if f.kind == "choice":
        dv = DataValidation(type="list", formula1=lists[f.name], allow_blank=not f.required)
    elif f.kind in ("whole", "year") and f.low is not None:
        dv = DataValidation(
            type="whole", operator="between", formula1=str(int(f.low)), formula2=str(int(f.high))
        )
    elif f.kind in ("number", "percent") and f.low is not None:
        dv = DataValidation(
            type="decimal", operator="between", formula1=str(f.low), formula2=str(f.high)
        )
    elif f.kind == "date":
        dv = DataValidation(type="date", operator="greaterThan", formula1="DATE(2000,1,1)")
    else:
        return None
    dv.error = f"{f.label_da}: {f.help_da}"
    dv.errorTitle = f.label_da
    dv.showErrorMessage = True
    return dv


def template_workbook(
    code: str,
    name: str,
    version: int,
    status_year: int | None = None,
    actions: list[dict] | None = None,
    identifier: str | None = None,
) -> bytes:
    """The prefilled template for one municipality: `actions` are the actions of its plan in
    force (`plan_version`, `action_id`), listed on the status sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter, quote_sheetname

    status_year = status_year or date.today().year
    book = Workbook()
    book.properties.identifier = identifier  # what it was made from (report/downloads.py)
    guide = book.active
    guide.title = "vejledning"
    for line in _instructions(name, code, version, status_year):
        guide.append([line])
    guide["A1"].font = Font(bold=True, size=14)
    for part in ("plan", "targets", "actions", "status"):
        guide.append([])
        guide.append([part])
        guide.append(["kolonne", "betegnelse", "forklaring"])
        for row in _header_notes(part):
            guide.append(row)
    guide.column_dimensions["A"].width = 28
    guide.column_dimensions["B"].width = 30
    guide.column_dimensions["C"].width = 90

    lister = book.create_sheet(LISTS)
    lists = {}
    choice_fields = sorted({f.name for fs in fields().values() for f in fs if f.kind == "choice"})
    for col, field_name in enumerate(choice_fields, start=1):
        values = choices(field_name)
        lister.cell(1, col, field_name)
        for row, value in enumerate(values, start=2):
            lister.cell(row, col, value)
        letter = get_column_letter(col)
        lists[field_name] = f"{quote_sheetname(LISTS)}!${letter}$2:${letter}${len(values) + 1}"
    lister.sheet_state = "hidden"

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
    for part, title in (
        ("plan", "plan"),
        ("targets", "targets"),
        ("actions", "actions"),
        ("status", f"status_{status_year}"),
    ):
        sheet = book.create_sheet(title)
        part_fields = fields()[part]
        sheet.append([f.name for f in part_fields])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for values in prefill[part]:
            sheet.append([values.get(f.name) for f in part_fields])
        for col, f in enumerate(part_fields, start=1):
            letter = get_column_letter(col)
            column = sheet.column_dimensions[letter]
            column.width = max(14, len(f.name) + 2)
            # the column's own format, which Excel gives every cell typed into it; text for codes,
            # so a code keeps its leading zero
            column.number_format = FORMATS.get(f.kind, "@")
            for (cell,) in sheet.iter_rows(min_row=2, min_col=col, max_col=col):
                cell.number_format = column.number_format  # the prefilled rows
            if (dv := _validation(f, lists)) is not None:
                dv.add(f"{letter}2:{letter}{ROWS + 1}")
                sheet.add_data_validation(dv)
        sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
