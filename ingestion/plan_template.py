"""The plan submission template: which files (or XLSX sheets) a submission has, and their columns.

Documented for the municipalities in `docs/plan-template.md`. A submission for municipality
`101`, plan version 2, is three CSV files in the inbox, `101_v2_plan.csv`, `101_v2_targets.csv`
and `101_v2_actions.csv`, or one workbook `101_v2.xlsx` with the sheets `plan`, `targets` and
`actions`. Every row names its municipality and plan version, so a row is never read out of its
context.
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
}

_CSV_NAME = re.compile(r"^(?P<code>\d{3})_v(?P<version>\d+)_(?P<kind>plan|targets|actions)\.csv$")


def csv_kind(file_name: str) -> str | None:
    """The template part a CSV file holds, from its name, or None when the name is not one."""
    match = _CSV_NAME.match(file_name.rsplit("/", 1)[-1])
    return match["kind"] if match else None


def csv_file_name(code: str, version: int, kind: str) -> str:
    return f"{code}_v{version}_{kind}.csv"
