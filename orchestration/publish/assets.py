"""The publication: the last step of the nightly run, after every check on the mart.

Write, audit, publish: the run builds into the working warehouse; the blocking checks (declared
in expectations/gate.yml, and every dbt test of severity error) stop everything downstream of a
failing table, this asset included, so a failed check leaves the last good publication in place.
A publication that already holds this build with the same check results stands as it is.
"""

import dagster as dg

from ingestion.settings import published_dir, warehouse_path
from orchestration import unchanged
from orchestration.publish.publication import CheckResult, current_manifest, publish
from orchestration.resources import WAREHOUSE_POOL
from orchestration.transform.assets import klimamonitor_dbt_assets
from orchestration.translators import OWNER

PUBLISHED_KEY = dg.AssetKey(["published", "klimamonitor"])


def bi_asset_keys() -> list[dg.AssetKey]:
    """The dbt models BI tools read (`dim_*`, `mart_*`), as the dbt assets already key them."""
    return sorted(
        (k for k in klimamonitor_dbt_assets.keys if k.path[-1].startswith(("dim_", "mart_"))),
        key=lambda k: k.to_user_string(),
    )


def checks_of_run(instance: dg.DagsterInstance, run_id: str) -> list[CheckResult]:
    records = instance.get_records_for_run(
        run_id=run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=100_000
    ).records
    results = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        results.append(
            CheckResult(
                asset=evaluation.asset_key.to_user_string(),
                check=evaluation.check_name,
                passed=evaluation.passed,
                severity=evaluation.severity.value,
            )
        )
    return results


def _outcomes(results: list[dict]) -> list[tuple]:
    return sorted((r["asset"], r["check"], r["passed"], r["severity"]) for r in results)


@dg.asset(
    key=PUBLISHED_KEY,
    deps=bi_asset_keys(),
    group_name="published",
    owners=[OWNER],
    kinds={"duckdb", "parquet"},
    pool=WAREHOUSE_POOL,
    description="The audited mart for BI tools and the report: warehouse/published/"
    "klimamonitor.duckdb (read-only, swapped in by rename), Parquet files in "
    "warehouse/published/parquet/, and manifest.json (run, time, source vintages, checks).",
)
def published_mart(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    checks = checks_of_run(context.instance, context.run_id)
    holding = [c for c in checks if not c.passed and c.severity == "ERROR"]
    if holding:
        previous = current_manifest(published_dir())
        raise dg.Failure(
            description="publication held back by failed checks: "
            + ", ".join(f"{c.asset} {c.check}" for c in holding),
            metadata={
                "last_good_publication": (previous or {}).get("run_id", "none"),
            },
        )
    build = (unchanged.read("dbt_build") or {}).get("run_id")
    previous = current_manifest(published_dir())
    if (
        previous
        and build
        and previous.get("build_run_id") == build
        and _outcomes(previous["checks"]["results"]) == _outcomes([c.__dict__ for c in checks])
    ):
        context.log.info(f"the publication of run {previous['run_id'][:8]} stands: same build")
        return dg.MaterializeResult(
            metadata={"republished": False, "publication_of_run": previous["run_id"]}
        )
    manifest = publish(warehouse_path(), published_dir(), context.run_id, checks, build)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(published_dir() / "klimamonitor.duckdb")),
            "tables": len(manifest["tables"]),
            "rows": sum(manifest["tables"].values()),
            "checks_passed": manifest["checks"]["passed"],
            "checks_failed_warning": len(manifest["checks"]["failed"]),
            "source_vintages": dg.MetadataValue.json(manifest["source_vintages"]),
        }
    )


ASSETS = [published_mart]
