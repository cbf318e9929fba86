"""The data-quality checks as Dagster asset checks: a Great Expectations suite per raw and mart
table, and the quarantine per municipality. Which of them block the publication is declared in
expectations/gate.yml."""

from __future__ import annotations

import csv
import functools
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import yaml

from expectations import SUITES_DIR, SuiteOutcome, load_suite, validate
from ingestion.settings import expected_municipalities, warehouse_path
from orchestration import unchanged
from orchestration.asset_pages import markdown_table
from orchestration.resources import DBT_PROJECT_DIR, WAREHOUSE_POOL

OUTSIDE_SEED = DBT_PROJECT_DIR / "seeds" / "areas_outside_municipal_division.csv"
GATE = yaml.safe_load((SUITES_DIR.parent / "gate.yml").read_text(encoding="utf-8"))
AREAS = dg.AssetKey(["statbank", "areas"])
N_SECTORS = 5


@functools.cache
def _outside_municipal_division() -> frozenset[str]:
    """The seed's areas, read once per process rather than once per check."""
    with OUTSIDE_SEED.open(encoding="utf-8") as f:
        return frozenset(row["area_code"] for row in csv.DictReader(f))


def municipality_codes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The municipalities StatBank lists, less the areas outside the municipal division."""
    outside = _outside_municipal_division()
    rows = con.execute(
        "select area_code from statbank.areas where area_level = 'municipality'"
    ).fetchall()
    return sorted(code for (code,) in rows if code not in outside)


def suite_parameters(con: duckdb.DuckDBPyConnection) -> dict:
    codes = municipality_codes(con)
    outside_areas = _outside_municipal_division()
    return {
        "municipality_codes": codes,
        "n_municipalities": len(codes),
        "n_municipality_sectors": len(codes) * N_SECTORS,
        "next_year": date.today().year + 1,
        "expected_municipalities": expected_municipalities(),
        # the municipal level also lists the areas outside the division (Christiansø)
        "expected_areas_in_municipal_level": expected_municipalities() + len(outside_areas),
    }


def _result(
    key: dg.AssetCheckKey, outcome: SuiteOutcome, blocking: bool, reused: dict | None = None
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
            **(reused or {}),  # the last outcome on the same tables, not validated again
        },
    )


def _spec(name: str, gate: str) -> dg.AssetCheckSpec:
    """The suite `name` as a check on the table its `meta.table` names."""
    suite = load_suite(name)
    blocking = gate == "block"
    return dg.AssetCheckSpec(
        name=f"gx_{name}",
        asset=dg.AssetKey(suite["meta"]["table"].split(".")),
        additional_deps=[] if suite["meta"]["table"] == "statbank.areas" else [AREAS],
        blocking=blocking,
        description=f"Great Expectations suite expectations/suites/{name}.json "
        f"({'blocks the publication' if blocking else 'warns'}): {suite['meta']['notes']}",
    )


def gx_checks(schema: str, gates: dict[str, str]) -> dg.AssetChecksDefinition:
    """The suites on one schema's tables as one step: one read-only connection and one reading
    of the parameters for all of them (a step each cost the run 0.3 s apiece, `make bench`).
    A run that selects some of the checks (a source's own job) runs only those."""
    names = {f"gx_{name}": name for name in gates}

    @dg.multi_asset_check(
        name=f"gx_{schema}",
        specs=[_spec(name, gate) for name, gate in gates.items()],
        can_subset=True,
        pool=WAREHOUSE_POOL,
        description=f"The Great Expectations suites on the {schema} tables.",
    )
    def checks(context):  # an AssetCheckExecutionContext
        selected = sorted(context.selected_asset_check_keys, key=lambda k: k.name)
        con = duckdb.connect(str(warehouse_path()), read_only=True)
        try:
            parameters = suite_parameters(con)
            raw = unchanged.raw_state(con)
            for key in selected:
                yield _checked(
                    context, con, key, names[key.name], gates[names[key.name]], parameters, raw
                )
        finally:
            con.close()

    return checks


def _checked(
    context, con, key: dg.AssetCheckKey, name: str, gate: str, parameters: dict, raw: str
) -> dg.AssetCheckResult:
    """One suite's result: validated now, or its last outcome on the same tables."""
    blocking = gate == "block"
    memo = unchanged.suite_key(load_suite(name), parameters, raw)
    last = unchanged.read(f"gx {name}")
    if last and last["key"] == memo:  # the same tables, suite and parameters
        outcome = SuiteOutcome.from_dict(last["outcome"])
        return _result(key, outcome, blocking, {"validated_in_run": last["run_id"]})
    outcome = validate(con, name, parameters)
    run_id = context.op_execution_context.run_id
    unchanged.write(f"gx {name}", {"key": memo, "run_id": run_id, "outcome": outcome.to_dict()})
    return _result(key, outcome, blocking)


@dg.asset_check(
    asset=dg.AssetKey(["marts", "mart_quarantine"]),
    name="quarantine_by_municipality",
    blocking=GATE["dagster"]["quarantine_by_municipality"] == "block",
    pool=WAREHOUSE_POOL,
    description="What of each municipality's plan submissions was rejected (rows and whole files), "
    "with the first reasons: passes when nothing is in quarantine.",
)
def quarantine_by_municipality() -> dg.AssetCheckResult:
    con = duckdb.connect(str(warehouse_path()), read_only=True)
    try:
        rows = con.execute(
            """select coalesce(municipality_code, '(none)'), count(*) filter (where source_row > 0),
                      count(*) filter (where source_row = 0),
                      string_agg(distinct source_file, ', ' order by source_file),
                      first(rejection order by source_file, source_row)
               from marts.mart_quarantine group by 1 order by 1"""
        ).fetchall()
    finally:
        con.close()
    table = markdown_table(["municipality", "rows", "files", "in", "first reason"], rows)
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"{sum(r[1] for r in rows)} rows and {sum(r[2] for r in rows)} files in "
        f"quarantine, from {len(rows)} municipalities",
        metadata={"by_municipality": dg.MetadataValue.md(table)},
    )


def _suites_on_file() -> set[str]:
    return {Path(p).stem for p in SUITES_DIR.glob("*.json")}


if missing := _suites_on_file() ^ set(GATE["great_expectations"]):
    raise RuntimeError(f"expectations/gate.yml and the suites on file disagree: {sorted(missing)}")


def _by_schema(gates: dict[str, str]) -> dict[str, dict[str, str]]:
    """The suites grouped by the schema of the table each validates."""
    groups: dict[str, dict[str, str]] = {}
    for name, gate in sorted(gates.items()):
        groups.setdefault(load_suite(name)["meta"]["table"].split(".")[0], {})[name] = gate
    return groups


CHECKS = [
    *(gx_checks(schema, gates) for schema, gates in _by_schema(GATE["great_expectations"]).items()),
    quarantine_by_municipality,
]
