"""The Great Expectations suites on the raw tables as Dagster asset checks, one step per source.

A suite runs when its table's data version, the suite or its parameters differ from those of its
last evaluation, or when that evaluation failed; otherwise it reports nothing, and the Dagster UI
keeps showing the last evaluation, from the run that made it. (A load that left a table as it was
leaves its data version as it was: orchestration/defs/ingest/assets.py.)

What blocks the publication is each check's severity: a GX suite's `meta.blocking`, a dbt test's
`severity` in its YAML (dagster-dbt carries it onto the check). The publication asset holds back
on any failed check of severity ERROR in its run (orchestration/defs/publish/assets.py).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import json
from datetime import date

import dagster as dg
import duckdb

from expectations import SUITES_DIR, SuiteOutcome, load_suite, validate
from ingestion.settings import Settings
from orchestration.defs.asset_pages import markdown_table
from orchestration.defs.resources import DBT_PROJECT_DIR, WAREHOUSE_POOL

OUTSIDE_SEED = DBT_PROJECT_DIR / "seeds" / "areas_outside_municipal_division.csv"
AREAS = dg.AssetKey(["statbank", "areas"])
N_SECTORS = 5


@functools.cache
def _outside_municipal_division() -> frozenset[str]:
    with OUTSIDE_SEED.open(encoding="utf-8") as f:
        return frozenset(row["area_code"] for row in csv.DictReader(f))


def municipality_codes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The municipalities StatBank lists, less the areas outside the municipal division."""
    outside = _outside_municipal_division()
    rows = con.execute(
        "select area_code from statbank.areas where area_level = 'municipality'"
    ).fetchall()
    return sorted(code for (code,) in rows if code not in outside)


def suite_parameters(con: duckdb.DuckDBPyConnection, expected_municipalities: int) -> dict:
    codes = municipality_codes(con)
    return {
        "municipality_codes": codes,
        "n_municipalities": len(codes),
        "n_municipality_sectors": len(codes) * N_SECTORS,
        "next_year": date.today().year + 1,
        "expected_municipalities": expected_municipalities,
        # the municipal level also lists the areas outside the division (Christiansø)
        "expected_areas_in_municipal_level": expected_municipalities
        + len(_outside_municipal_division()),
    }


def basis(instance: dg.DagsterInstance, key: dg.AssetCheckKey, parameters: dict) -> str:
    """What a suite's outcome depends on: its table's data version, the suite, its parameters."""
    table = instance.get_latest_materialization_event(key.asset_key)
    version = table.tags.get("dagster/data_version") if table else None
    suite = load_suite(key.name.removeprefix("gx_"))
    text = json.dumps([version, suite, parameters], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def passed_on(context, key: dg.AssetCheckKey, on: str) -> bool:
    """Whether the check's last evaluation before this run passed on the same basis."""
    history = context.instance.event_log_storage.get_asset_check_execution_history(key, 2)
    last = next(
        (r for r in history if r.run_id != context.op_execution_context.run_id and r.event), None
    )
    evaluation = last.event.asset_check_evaluation if last else None
    value = evaluation.metadata.get("basis") if evaluation else None
    return bool(evaluation and evaluation.passed and value and value.value == on)


def check_result(
    key: dg.AssetCheckKey, outcome: SuiteOutcome, blocking: bool, on: str
) -> dg.AssetCheckResult:
    table = markdown_table(
        ["expectation", "column", "passed", "unexpected", "examples"],
        [
            (
                o.expectation,
                o.column,
                "yes" if o.success else "NO",
                o.unexpected_count,
                ", ".join(map(str, o.partial_unexpected[:5])),
            )
            for o in outcome.outcomes
        ],
    )
    return dg.AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
        description=f"GX suite {outcome.suite}: {len(outcome.failed)} of "
        f"{len(outcome.outcomes)} expectations failed",
        metadata={
            "rows_validated": outcome.rows_validated,
            "expectations": dg.MetadataValue.md(table),
            "basis": dg.MetadataValue.text(on),
        },
    )


def _spec(name: str) -> dg.AssetCheckSpec:
    """The suite `name` as a check on the table its `meta.table` names."""
    meta = load_suite(name)["meta"]
    return dg.AssetCheckSpec(
        name=f"gx_{name}",
        asset=dg.AssetKey(meta["table"].split(".")),
        additional_deps=[] if meta["table"] == "statbank.areas" else [AREAS],
        blocking=meta["blocking"],
        description=f"Great Expectations suite expectations/suites/{name}.json "
        f"({'blocks the publication' if meta['blocking'] else 'warns'}): {meta['notes']}",
    )


def gx_checks(settings: Settings, schema: str, names: list[str]) -> dg.AssetChecksDefinition:
    """The suites on one source's tables as one step: one read-only connection and one reading
    of the parameters for all of them. A run that selects some of them runs only those."""

    @dg.multi_asset_check(
        name=f"gx_{schema}",
        specs=[_spec(name) for name in names],
        can_subset=True,
        pool=WAREHOUSE_POOL,
        description=f"The Great Expectations suites on the raw {schema} tables.",
    )
    def checks(context):  # an AssetCheckExecutionContext
        con = duckdb.connect(str(settings.warehouse), read_only=True)
        try:
            parameters = suite_parameters(con, settings.municipalities)
            for key in sorted(context.selected_asset_check_keys, key=lambda k: k.name):
                on = basis(context.instance, key, parameters)
                if passed_on(context, key, on):
                    context.log.info(f"{key.name}: passed on this table as it is; not run again")
                    continue
                name = key.name.removeprefix("gx_")
                outcome = validate(con, name, parameters)
                yield check_result(key, outcome, load_suite(name)["meta"]["blocking"], on)
        finally:
            con.close()

    return checks


def _by_schema() -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for path in sorted(SUITES_DIR.glob("*.json")):
        groups.setdefault(load_suite(path.stem)["meta"]["table"].split(".")[0], []).append(
            path.stem
        )
    return groups


def checks(settings: Settings) -> list[dg.AssetChecksDefinition]:
    return [gx_checks(settings, schema, names) for schema, names in _by_schema().items()]
