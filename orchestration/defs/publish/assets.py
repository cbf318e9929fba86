"""The publication: the last step of a run whose dbt build made new tables.

Write, audit, publish: the run builds into the working warehouse; a failed check of severity
ERROR (a blocking GX suite, a dbt test of severity error) holds the publication back, so the
last good publication stays in place. A run whose dbt build had nothing to do publishes nothing:
Dagster skips this step, since no table it reads was materialized.
"""

import dagster as dg

from ingestion.settings import Settings
from orchestration.defs.resources import WAREHOUSE_POOL
from orchestration.defs.translators import OWNER
from publish.publication import CheckResult, current_manifest, publish

PUBLISHED_KEY = dg.AssetKey(["published", "klimamonitor"])


def bi_asset_keys(dbt_assets: dg.AssetsDefinition) -> list[dg.AssetKey]:
    """The dbt models BI tools read (`dim_*`, `mart_*`), as the dbt assets key them."""
    return sorted(
        (k for k in dbt_assets.keys if k.path[-1].startswith(("dim_", "mart_"))),
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


def published_asset(settings: Settings, dbt_assets: dg.AssetsDefinition) -> dg.AssetsDefinition:
    marts = bi_asset_keys(dbt_assets)

    @dg.asset(
        key=PUBLISHED_KEY,
        deps=marts,
        group_name="published",
        owners=[OWNER],
        kinds={"duckdb", "parquet"},
        pool=WAREHOUSE_POOL,
        description="The audited mart for BI tools and the report: warehouse/published/"
        "klimamonitor.duckdb (read-only, swapped in by rename), Parquet files in "
        "warehouse/published/parquet/, and manifest.json (run, time, source vintages, checks).",
    )
    def published_mart(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        # The run whose build made the marts: this one, or, published on its own from the UI,
        # the last that built them; the checks are that run's.
        built = context.instance.get_latest_materialization_event(marts[0])
        build_run = built.run_id if built else context.run_id
        checks = checks_of_run(context.instance, build_run)
        holding = [c for c in checks if not c.passed and c.severity == "ERROR"]
        if holding:
            previous = current_manifest(settings.published_dir)
            raise dg.Failure(
                description="publication held back by failed checks: "
                + ", ".join(f"{c.asset} {c.check}" for c in holding),
                metadata={"last_good_publication": (previous or {}).get("run_id", "none")},
            )
        manifest = publish(
            settings.warehouse, settings.published_dir, context.run_id, checks, build_run
        )
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(settings.published_dir / "klimamonitor.duckdb")),
                "tables": len(manifest["tables"]),
                "rows": sum(manifest["tables"].values()),
                "checks_passed": manifest["checks"]["passed"],
                "checks_failed_warning": len(manifest["checks"]["failed"]),
                "source_vintages": dg.MetadataValue.json(manifest["source_vintages"]),
            }
        )

    return published_mart
