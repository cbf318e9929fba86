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
from publish.postgres import load, redacted
from publish.publication import PUBLISHED_FILE, CheckResult, current_manifest, publish

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


POSTGRES_KEY = dg.AssetKey(["published", "postgres"])
POSTGRES_POOL = "klimamonitor_postgres"
NO_SERVER = (
    "skipped: no PostgreSQL server (`make serve` starts the project's own; "
    "KLIMAMONITOR_POSTGRES_URL names another)"
)


def postgres_asset(settings: Settings) -> dg.AssetsDefinition:
    @dg.asset(
        key=POSTGRES_KEY,
        deps=[PUBLISHED_KEY],
        group_name="published",
        owners=[OWNER],
        kinds={"postgres"},
        pool=POSTGRES_POOL,
        output_required=False,
        description="The publication in PostgreSQL for BI tools (publish/postgres.py): schemas "
        "core, marts and klimamonitor, loaded beside the ones in use and swapped in by rename in "
        "one transaction; read-only role klimamonitor_reader. Skipped when no server is set "
        "(KLIMAMONITOR_POSTGRES_URL) or running (`make serve`).",
    )
    def postgres_mart(context: dg.AssetExecutionContext):
        url = settings.postgres()
        if url is None:
            context.log.info(NO_SERVER)
            return
        loaded = load(settings.published_dir / PUBLISHED_FILE, url)
        yield dg.MaterializeResult(
            metadata={
                "server": redacted(url),
                "run_id": loaded.run_id,
                "tables": loaded.tables,
                "rows": loaded.rows,
                "already_there": loaded.already_there,
                "seconds": round(loaded.seconds, 2),
            }
        )

    return postgres_mart
