"""Reading one plan submission file: a CSV as Excel on Danish Windows writes it, or a workbook.

Every row is kept with the place a person finds it at: the physical line of a CSV as a text editor
counts it (a quoted value over three lines moves the next row down by three), or the sheet and row
of a workbook. Every cell is kept as text: a workbook's number cells as the number they hold (a
percent cell 0.7 as 70, a date cell as its date), the text cells as they are. The dbt staging
models type and validate the rows; here a row is only marked when it cannot be mapped onto the
header at all (`read_error`), and a file is rejected whole, with a reason in words a municipal
employee understands, when it cannot be read row by row. Never a server path in a message.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from ingestion.plan_template import (
    SHEET_NAMES,
    TEMPLATE_COLUMNS,
    TEMPLATE_NAMES,
    csv_kind,
    fields,
    header_columns,
    sheet_kind,
    workbook_match,
)

DELIMITERS = {
    ",": ("comma (,)", "komma (,)"),
    ";": ("semicolon (;)", "semikolon (;)"),
    "\t": ("tab", "tabulator"),
}
_COMMA_DECIMAL = re.compile(r"^\s*-?\d+,\d+\s*%?\s*$")
_POINT_DECIMAL = re.compile(r"^\s*-?\d+\.\d+\s*%?\s*$")
_THOUSANDS = re.compile(r"^\s*-?\d{1,3}([.,]\d{3})+\s*$")


@dataclass(frozen=True)
class Problem:
    """Why a file, sheet or row cannot be taken, in English and in Danish."""

    en: str
    da: str


class Rejected(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.en)
        self.problem = problem


@dataclass
class ParsedFile:
    """What one inbox file gives: rows per template part, or why it cannot be read."""

    name: str
    digest: str
    content: bytes
    file_kind: str = "csv"  # csv or workbook
    encoding: str | None = None
    delimiter: str | None = None
    decimal_mark: str | None = None
    sheets: list[str] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    blank_rows: int = 0
    parts: dict[str, list[dict]] = field(default_factory=dict)
    rejections: list[dict] = field(default_factory=list)  # {part, sheet, en, da}

    def reject(self, part: str | None, sheet: str | None, problem: Problem) -> None:
        self.rejections.append({"part": part, "sheet": sheet, "en": problem.en, "da": problem.da})

    @property
    def rows(self) -> int:
        return sum(len(rows) for rows in self.parts.values())


def parse(name: str, digest: str, content: bytes) -> ParsedFile:
    """One inbox file, read once: its rows per template part, or why it cannot be."""
    parsed = ParsedFile(name, digest, content)
    part = csv_kind(name)
    try:
        if "/" in name:
            raise Rejected(
                Problem(
                    "in a subfolder of the inbox: submissions go in the inbox itself",
                    "ligger i en undermappe: filer skal lægges direkte i indbakken",
                )
            )
        if part is None and workbook_match(name) is None:
            raise Rejected(
                Problem(
                    f"the file name is not one of the template's: {TEMPLATE_NAMES}",
                    f"filnavnet følger ikke skabelonen: {TEMPLATE_NAMES}",
                )
            )
        if not content.strip():
            raise Rejected(Problem("the file is empty", "filen er tom"))
        if part is None:
            parsed.file_kind = "workbook"
            read_workbook(parsed, tracks=workbook_match(name)["tracks"] is not None)
        else:
            read_csv(parsed, part)
    except Rejected as exc:
        parsed.parts.clear()
        parsed.reject(part, None, exc.problem)
    return parsed


# -- CSV ---------------------------------------------------------------------------------------


def decode(content: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read in; only what is unambiguous."""
    if content.startswith(b"PK\x03\x04"):
        raise Rejected(
            Problem(
                "this is an Excel workbook (XLSX) with a .csv name: save it as 'CSV UTF-8', or "
                "send the workbook named <code>_v<n>.xlsx",
                "filen er en Excel-projektmappe (XLSX) med navnet .csv: gem den som 'CSV UTF-8', "
                "eller send projektmappen med navnet <kode>_v<n>.xlsx",
            )
        )
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise Rejected(
            Problem(
                "this is an old Excel file (.xls) with a .csv name: save it as 'CSV UTF-8'",
                "filen er en gammel Excel-fil (.xls) med navnet .csv: gem den som 'CSV UTF-8'",
            )
        )
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError as exc:
            raise Rejected(
                Problem(
                    "marked as UTF-16 but not readable as UTF-16: save it as 'CSV UTF-8'",
                    "filen er mærket som UTF-16, men kan ikke læses som UTF-16: gem den som "
                    "'CSV UTF-8'",
                )
            ) from exc
    encoding = "UTF-8 with BOM" if content.startswith(b"\xef\xbb\xbf") else "UTF-8"
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        byte = content[exc.start : exc.start + 1].hex().upper()
        raise Rejected(
            Problem(
                f"not UTF-8 text: byte 0x{byte} on line {line} is from another encoding (e.g. "
                "Windows-1252 / Latin-1): save it as 'CSV UTF-8'",
                f"filen er ikke UTF-8: tegnet (byte 0x{byte}) på linje {line} er i en anden "
                "tegnkodning (fx Windows-1252): gem den som 'CSV UTF-8 (kommasepareret)'",
            )
        ) from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise Rejected(
            Problem(
                f"not a text file: a NUL byte on line {line}",
                f"filen er ikke en tekstfil: et NUL-tegn på linje {line}",
            )
        )
    return text, encoding


def _normal(name: str) -> str:
    return re.sub(r"\s+", "_", str(name).strip().lower())


def _header_with(text: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
    except csv.Error:
        return []


def _delimiter(text: str, part: str) -> str:
    """The delimiter whose header has the most template columns (ties: the most columns)."""
    wanted = set(TEMPLATE_COLUMNS[part])

    def score(d: str) -> tuple[int, int]:
        header = [_normal(h) for h in _header_with(text, d)]
        return len(wanted & set(header)), len(header)

    return max(DELIMITERS, key=score)


def read_csv(parsed: ParsedFile, part: str) -> None:
    text, parsed.encoding = decode(parsed.content)
    delimiter = parsed.delimiter = _delimiter(text, part)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    last = 0
    try:
        for record in reader:
            records.append((last + 1, record))
            last = reader.line_num
    except csv.Error as exc:
        raise Rejected(
            Problem(
                f'line {last + 1}: a quote (") is opened and not closed, or stands inside a '
                f"value ({exc})",
                f'linje {last + 1}: et anførselstegn (") åbnes uden at blive lukket, eller står '
                "inde i en værdi",
            )
        ) from exc
    if not records:
        raise Rejected(Problem("the file is empty", "filen er tom"))
    (_, header), *body = records
    rows = _rows_from_records(parsed, part, header, body, sheet=None)
    parsed.decimal_mark = _decimal_mark(part, rows, delimiter)
    for row in rows:
        row["decimal_mark"] = parsed.decimal_mark
    parsed.parts[part] = rows


def _decimal_mark(part: str, rows: list[dict], delimiter: str) -> str:
    """The file's decimal mark, from its numbers: a comma or a point, or the file is rejected for
    having both. With no decimals at all: a comma in a file separated by semicolons or tabs
    (Excel's Danish 'CSV (semikolonsepareret)'), else a point."""
    numeric = [f.name for f in fields()[part] if f.numeric]
    comma = point = None
    for row in rows:
        for name in numeric:
            value = row.get(name) or ""
            if _THOUSANDS.match(value):
                continue  # ambiguous by itself; staging rejects it, naming the value
            if comma is None and _COMMA_DECIMAL.match(value):
                comma = (row["row_number"], name, value)
            if point is None and _POINT_DECIMAL.match(value):
                point = (row["row_number"], name, value)
    if comma and point:
        raise Rejected(
            Problem(
                f"the file mixes decimal commas ({comma[2]} on line {comma[0]}, {comma[1]}) and "
                f"decimal points ({point[2]} on line {point[0]}, {point[1]}): use one of them",
                f"filen blander decimalkomma ({comma[2]} på linje {comma[0]}, {comma[1]}) og "
                f"decimalpunktum ({point[2]} på linje {point[0]}, {point[1]}): brug kun det ene",
            )
        )
    if comma:
        return ","
    if point:
        return "."
    return "," if delimiter in (";", "\t") else "."


def _rows_from_records(
    parsed: ParsedFile,
    part: str,
    header: list,
    body: list[tuple[int, list]],
    sheet: str | None,
) -> list[dict]:
    """The data rows, each with its line (or sheet row) and the template columns as text."""
    names = [_normal(h) if h is not None else "" for h in header]
    where = f"sheet {sheet}: " if sheet else ""
    where_da = f"arket {sheet}: " if sheet else ""
    delimiter, delimiter_da = DELIMITERS.get(parsed.delimiter or "", ("", ""))
    found = ", ".join(n or "(blank)" for n in names)
    if missing := [c for c in header_columns(part) if c not in names]:
        read_as = f"; read with the delimiter {delimiter}" if delimiter else ""
        read_as_da = f"; læst med skilletegnet {delimiter_da}" if delimiter else ""
        raise Rejected(
            Problem(
                f"{where}columns missing from the header: {', '.join(missing)} (found: {found}"
                f"{read_as})",
                f"{where_da}kolonner mangler i overskriften: {', '.join(missing)} (fundet: "
                f"{found}{read_as_da})",
            )
        )
    if doubled := sorted({n for n in names if n and names.count(n) > 1}):
        raise Rejected(
            Problem(
                f"{where}a column is in the header twice: {', '.join(doubled)}",
                f"{where_da}en kolonne står to gange i overskriften: {', '.join(doubled)}",
            )
        )
    columns = TEMPLATE_COLUMNS[part]
    position = {n: i for i, n in enumerate(names) if n in columns}
    parsed.ignored_columns += [
        f"{sheet}!{n}" if sheet else n for n in names if n and n not in columns
    ]
    rows = []
    for line, record in body:
        cells = [c if c is None else str(c) for c in record]
        if all(c is None or not c.strip() for c in cells):
            parsed.blank_rows += 1
            continue
        row = {c: _cell(cells, position.get(c)) for c in columns}
        row.update(sheet=sheet, row_number=line, read_error=None, read_error_da=None)
        if len(cells) > len(names) and (
            sheet is None or any(c is not None and c.strip() for c in cells[len(names) :])
        ):
            mark = "comma" if parsed.delimiter == "," else "delimiter"
            mark_da = "komma" if parsed.delimiter == "," else "skilletegn"
            row["read_error"] = (
                f"{len(cells)} values where the header has {len(names)} columns (a {mark} in a "
                "value not in quotes?)"
            )
            row["read_error_da"] = (
                f"{len(cells)} værdier, men overskriften har {len(names)} kolonner (et {mark_da} "
                "i en værdi uden anførselstegn?)"
            )
        elif len(cells) < len(names) and sheet is None:
            row["read_error"] = (
                f"{len(cells)} values where the header has {len(names)} columns (the line is cut "
                "short)"
            )
            row["read_error_da"] = (
                f"{len(cells)} værdier, men overskriften har {len(names)} kolonner (linjen er "
                "afkortet)"
            )
        rows.append(row)
    if not rows:
        raise Rejected(
            Problem(
                f"{where}no data rows: only the header",
                f"{where_da}ingen rækker med data: kun overskriften",
            )
        )
    return rows


def _cell(cells: list, index: int | None) -> str | None:
    if index is None or index >= len(cells):
        return None
    value = cells[index]
    return None if value is None or not value.strip() else value


# -- Workbooks ---------------------------------------------------------------------------------


def is_percent_format(number_format: str | None) -> bool:
    """Excel shows a cell in this format as its value times 100 with a % sign: a % outside
    quotes and not escaped. `0.0" %"` shows 70 as "70.0 %" and is no percent format."""
    if not number_format:
        return False
    return "%" in re.sub(r'"[^"]*"|\\.', "", number_format)


def cell_text(value, number_format: str | None) -> str | None:
    """A workbook cell as text, read by its type: a percent cell 0.7 is '70', a date cell its
    date, a whole number without '.0', any other number as Python writes it (a point)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        if is_percent_format(number_format):
            value = round(value * 100, 10)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return repr(value) if isinstance(value, float) else str(value)
    text = str(value)
    return text if text.strip() else None


def read_workbook(parsed: ParsedFile, tracks: bool) -> None:
    """The template sheets of a workbook; sheets outside the template are noted, not read."""
    from openpyxl import load_workbook  # only when a workbook arrives

    parsed.encoding, parsed.decimal_mark = "XLSX", "."
    try:
        book = load_workbook(io.BytesIO(parsed.content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is no workbook
        raise Rejected(
            Problem(
                "not readable as an Excel workbook (XLSX): save it again from Excel as "
                "'Excel-projektmappe (*.xlsx)'",
                "kan ikke læses som en Excel-projektmappe (XLSX): gem den igen fra Excel som "
                "'Excel-projektmappe (*.xlsx)'",
            )
        ) from exc
    allowed = {"tracks"} if tracks else {"plan", "targets", "actions", "status"}
    try:
        parsed.sheets = [s.title for s in book.worksheets]
        seen: dict[str, str] = {}
        for sheet in book.worksheets:
            part = sheet_kind(sheet.title)
            if part not in allowed:
                parsed.ignored_sheets.append(sheet.title)
                continue
            key = part + re.sub(r"\D", "", sheet.title)
            if key in seen:
                parsed.reject(
                    part,
                    sheet.title,
                    Problem(
                        f"sheet {sheet.title}: a second sheet for {part} (the first is "
                        f"{seen[key]}): not read",
                        f"arket {sheet.title}: endnu et ark for {part} (det første er "
                        f"{seen[key]}): ikke læst",
                    ),
                )
                continue
            seen[key] = sheet.title
            _read_sheet(parsed, sheet, part)
    finally:
        book.close()
    if not seen:
        found = ", ".join(parsed.sheets) or "(none)"
        raise Rejected(
            Problem(
                f"no sheet of the template: found {found}; expected {SHEET_NAMES}",
                f"ingen ark fra skabelonen: fandt {found}; forventede {SHEET_NAMES}",
            )
        )


def _read_sheet(parsed: ParsedFile, sheet, part: str) -> None:
    records = []
    for number, row in enumerate(sheet.iter_rows(min_row=1), start=1):
        records.append(
            (number, [cell_text(c.value, getattr(c, "number_format", None)) for c in row])
        )
    while records and all(v is None for v in records[-1][1]):
        records.pop()
    try:
        if not records:
            raise Rejected(Problem(f"sheet {sheet.title}: empty", f"arket {sheet.title}: tomt"))
        (_, header), *body = records
        rows = _rows_from_records(parsed, part, header, body, sheet=sheet.title)
    except Rejected as exc:
        parsed.reject(part, sheet.title, exc.problem)
        return
    for row in rows:
        row["decimal_mark"] = "."
    parsed.parts.setdefault(part, []).extend(rows)
