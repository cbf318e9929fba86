"""Great Expectations suites run as Dagster asset checks on the raw tables."""

from __future__ import annotations

import csv
from datetime import date

import dagster as dg
import duckdb

from expectations import SuiteOutcome, validate
from ingestion.settings import warehouse_path
from orchestration.resources import DBT_PROJECT_DIR

OUTSIDE_SEED = DBT_PROJECT_DIR / "seeds" / "areas_outside_municipal_division.csv"


def municipality_codes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The municipalities StatBank lists, less the areas outside the municipal division."""
    with OUTSIDE_SEED.open(encoding="utf-8") as f:
        outside = {row["area_code"] for row in csv.DictReader(f)}
    rows = con.execute(
        "select area_code from statbank.areas where area_level = 'municipality'"
    ).fetchall()
    return sorted(code for (code,) in rows if code not in outside)


def _result(outcome: SuiteOutcome) -> dg.AssetCheckResult:
    table = "\n".join(
        ["| expectation | column | passed | unexpected | examples |", "|---|---|---|---|---|"]
        + [
            f"| {o.expectation} | {o.column or ''} | {'yes' if o.success else 'NO'} | "
            f"{o.unexpected_count if o.unexpected_count is not None else ''} | "
            f"{', '.join(map(str, o.partial_unexpected[:5]))} |"
            for o in outcome.outcomes
        ]
    )
    return dg.AssetCheckResult(
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"GX suite {outcome.suite}: {len(outcome.failed)} of "
        f"{len(outcome.outcomes)} expectations failed",
        metadata={
            "rows_validated": outcome.rows_validated,
            "expectations": dg.MetadataValue.md(table),
        },
    )


@dg.asset_check(
    asset=dg.AssetKey(["klimaregnskab", "noegletal"]),
    name="gx_klimaregnskab__noegletal",
    additional_deps=[dg.AssetKey(["statbank", "areas"])],
    blocking=True,
    description="Great Expectations suite expectations/suites/klimaregnskab__noegletal.json: "
    "every municipality in every year of every release, years in range, no negative "
    "emissions outside agriculture and land use.",
)
def gx_klimaregnskab_noegletal() -> dg.AssetCheckResult:
    con = duckdb.connect(str(warehouse_path()))
    try:
        codes = municipality_codes(con)
        outcome = validate(
            con,
            "klimaregnskab__noegletal",
            {
                "municipality_codes": codes,
                "n_municipalities": len(codes),
                "next_year": date.today().year + 1,
            },
        )
    finally:
        con.close()
    return _result(outcome)


CHECKS = [gx_klimaregnskab_noegletal]
