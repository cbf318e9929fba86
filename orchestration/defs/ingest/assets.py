"""The dlt sources as Dagster assets: one multi-asset per source, one asset per raw table, built
from the same source factory, with the same settings, that the run loads.

Each load gives every raw table a data version (its rows and a hash of their content): a table a
load left as it was, or wrote again as it was, keeps its version, so nothing downstream is stale
on its account (the dbt assets build only when some version they read changed). The live
services' assets retry with backoff when a step fails after dlt's own HTTP retries (a service
down for minutes rather than seconds); every asset writes the warehouse, so all take the
warehouse pool's one slot.

`dagster_dlt.dlt_assets` is this same multi-asset over `build_dlt_asset_specs`, without a retry
policy; the specs are built here so the live sources can have one.
"""

import hashlib
import os

import dagster as dg
import duckdb
from dagster_dlt import DagsterDltResource, build_dlt_asset_specs

from ingestion.configured import SOURCES
from ingestion.services import is_transient
from ingestion.settings import Settings
from orchestration.defs.asset_pages import receipts_page, table_version, warehouse_pages
from orchestration.defs.freshness import newest_data
from orchestration.defs.resources import WAREHOUSE_POOL, dlt_pipeline
from orchestration.defs.translators import OWNER, KlimamonitorDltTranslator

TRANSLATOR = KlimamonitorDltTranslator()
PUBLISHED_TARGETS_KEY = dg.AssetKey(["reference", "plan_targets_published"])

# A service down for minutes rather than seconds: after dlt's own retries, the step is tried
# again 3 times, 60 s, 120 s and 240 s later (give or take), only for a ServiceUnavailable; a bad
# answer or a bad file fails at once. The tests shorten the delay through the environment.
LIVE_SERVICE_RETRIES = dg.RetryPolicy(
    max_retries=3,
    delay=float(os.environ.get("KLIMAMONITOR_SOURCE_RETRY_DELAY_S", "60")),
    backoff=dg.Backoff.EXPONENTIAL,
    jitter=dg.Jitter.PLUS_MINUS,
)


def source_assets(
    settings: Settings, dataset: str, retry_policy: dg.RetryPolicy | None = None
) -> dg.AssetsDefinition:
    """The dlt source `dataset`, as `settings` configure it, as one multi-asset."""
    make_source = SOURCES[dataset]

    @dg.multi_asset(
        name=dataset,
        specs=build_dlt_asset_specs(
            make_source(settings), dlt_pipeline(settings, dataset), TRANSLATOR
        ),
        can_subset=True,
        retry_policy=retry_policy,
        pool=WAREHOUSE_POOL,
    )
    def assets(context: dg.AssetExecutionContext, dlt: DagsterDltResource):
        try:  # a source is built afresh for each run: dlt's resources run once
            loaded = list(
                dlt.run(
                    context=context,
                    dlt_source=make_source(settings),
                    dlt_pipeline=dlt_pipeline(settings, dataset),
                    dagster_dlt_translator=TRANSLATOR,
                )
            )
        except Exception as exc:
            if is_transient(exc):
                raise  # the retry policy takes it
            raise dg.Failure(description=str(exc), allow_retries=False) from exc
        con = duckdb.connect(str(settings.warehouse), read_only=True)
        try:
            pages = warehouse_pages(
                con,
                {r.asset_key: {} for r in loaded},
                set(),
                also=lambda con, key: {**newest_data(con, key), **receipts_page(con, key)},
            )
            versions = {r.asset_key: table_version(con, r.asset_key) for r in loaded}
        finally:
            con.close()
        for result in loaded:
            yield dg.MaterializeResult(
                asset_key=result.asset_key,
                metadata={**result.metadata, **pages[result.asset_key]},
                data_version=versions[result.asset_key],
            )

    return assets


def published_targets_asset(settings: Settings) -> dg.AssetsDefinition:
    """The published targets' file, which dbt reads where it lies: stamped each run, so a changed
    file makes the models that read it stale."""

    @dg.asset(
        key=PUBLISHED_TARGETS_KEY,
        group_name="reference",
        owners=[OWNER],
        kinds={"csv"},
        description="The targets the municipalities have published, with their sources "
        f"({settings.published_targets}); read by dbt's stg_reference__published_targets. "
        "Absent, no municipality has a published target.",
    )
    def plan_targets_published() -> dg.MaterializeResult:
        path = settings.published_targets
        body = path.read_bytes() if path.is_file() else b""
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(path)),
                "present": path.is_file(),
                "lines": body.count(b"\n"),
            },
            data_version=dg.DataVersion(hashlib.sha256(body).hexdigest()[:20]),
        )

    return plan_targets_published


def assets(settings: Settings) -> list[dg.AssetsDefinition]:
    return [
        source_assets(settings, "statbank", LIVE_SERVICE_RETRIES),
        source_assets(settings, "klimaregnskab", LIVE_SERVICE_RETRIES),
        source_assets(settings, "plans"),
        published_targets_asset(settings),
    ]
