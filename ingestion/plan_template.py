"""The plan submission template: which files (or XLSX sheets) a submission has, and their columns.

Documented for the municipalities in `docs/plan-template.md`. A submission for municipality
`101`, plan version 2, is three CSV files in the inbox, `101_v2_plan.csv`, `101_v2_targets.csv`
and `101_v2_actions.csv`, or one workbook `101_v2.xlsx` with the sheets `plan`, `targets` and
`actions`. Each yearly status report on the actions of that version is one more file,
`101_v2_status_2025.csv`. Every row names its municipality and plan version, so a row is never
read out of its context.
"""

from __future__ import annotations

import re

TEMPLATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "plan": (
        "municipality_code",
        "plan_version",
        "adopted_date",
        "submitted_date",
        "baseline_year",
        "baseline_emissions_t",
        "target_2030_pct",
        "neutrality_year",
        "dk2020_cohort",
    ),
    "targets": (
        "municipality_code",
        "plan_version",
        "sector",
        "target_year",
        "target_reduction_pct",
    ),
    "actions": (
        "municipality_code",
        "plan_version",
        "action_id",
        "title",
        "sector",
        "action_type",
        "expected_reduction_2030_t",
        "status",
        "responsible_unit",
        "start_date",
        "end_date",
        "status_date",
    ),
    "status": (
        "municipality_code",
        "plan_version",
        "action_id",
        "status",
        "status_date",
        "comment",
    ),
}

# A municipality code: Denmark's are 3 digits; up to 5 leaves room for other countries'
# municipalities and the benchmark's synthetic ones (dbt's var municipality_code_pattern agrees).
MUNICIPALITY_CODE = r"\d{3,5}"
_CSV_NAME = re.compile(
    rf"^(?P<code>{MUNICIPALITY_CODE})_v(?P<version>\d+)_(?:(?P<kind>plan|targets|actions)|(?P<status>status)_\d{{4}})\.csv$"
)


def csv_kind(file_name: str) -> str | None:
    """The template part a CSV file holds, from its name, or None when the name is not one."""
    match = _CSV_NAME.match(file_name.rsplit("/", 1)[-1])
    return (match["kind"] or match["status"]) if match else None


def csv_file_name(code: str, version: int, kind: str, year: int | None = None) -> str:
    """The file name of a template part; a status report carries the year it reports on."""
    return f"{code}_v{version}_{kind}{f'_{year}' if year else ''}.csv"


_WORKBOOK_NAME = re.compile(rf"^(?P<code>{MUNICIPALITY_CODE})_v(?P<version>\d+)\.xlsx$")
_SHEET_NAME = re.compile(r"^(?:(?P<kind>plan|targets|actions)|(?P<status>status)_\d{4})$")


def workbook_match(file_name: str) -> re.Match | None:
    """A workbook submission's name, `<code>_v<n>.xlsx`, or None."""
    return _WORKBOOK_NAME.match(file_name.rsplit("/", 1)[-1])


def sheet_kind(sheet_name: str) -> str | None:
    """The template part a workbook sheet holds, from its name, or None for another sheet."""
    match = _SHEET_NAME.match(sheet_name.strip().lower())
    return (match["kind"] or match["status"]) if match else None
