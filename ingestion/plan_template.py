"""The plan submission template: which files (or workbook sheets) a submission has, their fields.

One definition serves the parser, the dbt staging models and `docs/plan-template.md`: the fields,
their kinds and ranges are the dbt seed `transform/seeds/plan_fields.csv`, the choices of a choice
field the seeds `sectors.csv`, `plan_cohorts.csv` and `plan_choices.csv`. A submission for
municipality `101`, plan version 2, is `101_v2_plan.csv`, `101_v2_targets.csv` and
`101_v2_actions.csv`, or one workbook `101_v2.xlsx` with the sheets `plan`, `targets` and `actions`;
each yearly status report is `101_v2_status_2025.csv` or a sheet `status_2025`. The alliance's
register of development tracks is `tracks.csv` (or a sheet `tracks` of `tracks.xlsx`).
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "transform" / "seeds"
PARTS = ("plan", "targets", "actions", "status", "tracks")


@dataclass(frozen=True)
class Field:
    part: str
    name: str
    kind: str  # municipality, participant, whole, year, number, percent, date, text, choice
    in_header: bool  # the column must be in the header (else it may be left out)
    required: bool  # a value must be given
    low: float | None
    high: float | None
    label_da: str
    help_da: str

    @property
    def numeric(self) -> bool:
        return self.kind in ("whole", "year", "number", "percent")


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@functools.cache
def fields() -> dict[str, tuple[Field, ...]]:
    """Each part's fields in template order."""
    rows = sorted(_seed("plan_fields.csv"), key=lambda r: (r["part"], int(r["position"])))
    out: dict[str, list[Field]] = {p: [] for p in PARTS}
    for r in rows:
        out[r["part"]].append(
            Field(
                part=r["part"],
                name=r["field"],
                kind=r["kind"],
                in_header=r["in_header"] == "required",
                required=r["value_required"] == "required",
                low=float(r["low"]) if r["low"] else None,
                high=float(r["high"]) if r["high"] else None,
                label_da=r["label_da"],
                help_da=r["help_da"],
            )
        )
    return {p: tuple(fs) for p, fs in out.items()}


@functools.cache
def choices(field_name: str) -> tuple[str, ...]:
    """The values a choice field takes, from the seeds dbt validates against."""
    if field_name == "sector":
        return tuple(r["sector_code"] for r in _seed("sectors.csv"))
    if field_name == "dk2020_cohort":
        return tuple(r["cohort_code"] for r in _seed("plan_cohorts.csv"))
    rows = [r for r in _seed("plan_choices.csv") if r["field"] == field_name]
    return tuple(r["value"] for r in sorted(rows, key=lambda r: int(r["sort_order"])))


# Each part's column names in template order.
TEMPLATE_COLUMNS: dict[str, tuple[str, ...]] = {
    part: tuple(f.name for f in part_fields) for part, part_fields in fields().items()
}


def header_columns(part: str) -> tuple[str, ...]:
    """The columns a part's header must have."""
    return tuple(f.name for f in fields()[part] if f.in_header)


# A municipality code: Denmark's are 3 digits; up to 5 leaves room for other countries'
# municipalities and the benchmark's synthetic ones (dbt's var municipality_code_pattern agrees).
MUNICIPALITY_CODE = r"\d{3,5}"
_CSV_NAME = re.compile(
    rf"^(?:(?P<code>{MUNICIPALITY_CODE})_v(?P<version>\d+)_"
    rf"(?:(?P<kind>plan|targets|actions)|(?P<status>status)_\d{{4}})|(?P<tracks>tracks))\.csv$"
)
_WORKBOOK_NAME = re.compile(
    rf"^(?:(?P<code>{MUNICIPALITY_CODE})_v(?P<version>\d+)|(?P<tracks>tracks))\.xlsx$"
)
_SHEET_NAME = re.compile(r"^(?:(?P<kind>plan|targets|actions|tracks)|(?P<status>status)_\d{4})$")
TEMPLATE_NAMES = (
    "<kode>_v<n>_plan.csv, <kode>_v<n>_targets.csv, <kode>_v<n>_actions.csv, "
    "<kode>_v<n>_status_<år>.csv, tracks.csv, or a workbook <kode>_v<n>.xlsx / tracks.xlsx"
)
SHEET_NAMES = "plan, targets, actions, status_<år> (and tracks in tracks.xlsx)"


def csv_kind(file_name: str) -> str | None:
    """The template part a CSV file holds, from its name, or None when the name is not one."""
    match = _CSV_NAME.match(file_name.rsplit("/", 1)[-1])
    if not match:
        return None
    return match["kind"] or match["status"] or match["tracks"]


def csv_file_name(code: str, version: int, kind: str, year: int | None = None) -> str:
    """The file name of a template part; a status report carries the year it reports on."""
    return f"{code}_v{version}_{kind}{f'_{year}' if year else ''}.csv"


def workbook_match(file_name: str) -> re.Match | None:
    """A workbook submission's name, `<code>_v<n>.xlsx` or `tracks.xlsx`, or None."""
    return _WORKBOOK_NAME.match(file_name.rsplit("/", 1)[-1])


def sheet_kind(sheet_name: str) -> str | None:
    """The template part a workbook sheet holds, from its name (case and spaces aside)."""
    match = _SHEET_NAME.match(re.sub(r"\s+", "", sheet_name).lower())
    return (match["kind"] or match["status"]) if match else None
