"""The dlt sources as Dagster assets: one multi-asset per source, one asset per raw table.

Each run builds a fresh source and pipeline from the current settings (KLIMAMONITOR_SOURCE, the
warehouse path); the objects given to the spec builder only describe the assets. The live
services' assets retry with backoff when a step fails after dlt's own HTTP retries (a service
down for minutes rather than seconds); every asset writes the warehouse, so all take the
warehouse pool's one slot.
"""

import os

import dagster as dg
from dagster_dlt import DagsterDltResource, build_dlt_asset_specs

from ingestion.configured import SOURCES
from ingestion.klimaregnskab import klimaregnskab_source
from ingestion.plans import plans_source
from ingestion.services import is_transient
from ingestion.settings import warehouse_path
from ingestion.statbank import statbank_source
from orchestration.asset_pages import receipts_page, warehouse_pages
from orchestration.freshness import newest_data
from orchestration.resources import WAREHOUSE_POOL, dlt_pipeline
from orchestration.translators import KlimamonitorDltTranslator

TRANSLATOR = KlimamonitorDltTranslator()

# A service down for minutes rather than seconds: after dlt's own retries, the step is tried
# again 3 times, 60 s, 120 s and 240 s later (give or take), only for a ServiceUnavailable; a bad
# answer or a bad file fails at once. The tests shorten the delay through the environment.
LIVE_SERVICE_RETRIES = dg.RetryPolicy(
    max_retries=3,
    delay=float(os.environ.get("KLIMAMONITOR_SOURCE_RETRY_DELAY_S", "60")),
    backoff=dg.Backoff.EXPONENTIAL,
    jitter=dg.Jitter.PLUS_MINUS,
)


def _load(context, dlt: DagsterDltResource, dataset: str, make_source) -> list:
    try:
        return list(
            dlt.run(context=context, dlt_source=make_source(), dlt_pipeline=dlt_pipeline(dataset))
        )
    except Exception as exc:
        if is_transient(exc):
            raise  # the retry policy takes it
        raise dg.Failure(description=str(exc), allow_retries=False) from exc


def _source_assets(
    dataset: str, make_source, describe_source, retry_policy: dg.RetryPolicy | None = None
) -> dg.AssetsDefinition:
    """One dlt source as a multi-asset; `make_source` builds it from the current settings."""

    @dg.multi_asset(
        name=dataset,
        specs=build_dlt_asset_specs(describe_source, dlt_pipeline(dataset), TRANSLATOR),
        can_subset=True,
        retry_policy=retry_policy,
        pool=WAREHOUSE_POOL,
    )
    def assets(context: dg.AssetExecutionContext, dlt: DagsterDltResource):
        loaded = _load(context, dlt, dataset, make_source)
        pages = warehouse_pages(
            warehouse_path(),
            {r.asset_key: {} for r in loaded},
            set(),
            also=lambda con, key: {**newest_data(con, key), **receipts_page(con, key)},
        )
        for result in loaded:
            yield dg.MaterializeResult(
                asset_key=result.asset_key,
                metadata={**result.metadata, **pages[result.asset_key]},
            )

    return assets


ASSETS = [
    _source_assets("statbank", SOURCES["statbank"], statbank_source(), LIVE_SERVICE_RETRIES),
    _source_assets(
        "klimaregnskab", SOURCES["klimaregnskab"], klimaregnskab_source(), LIVE_SERVICE_RETRIES
    ),
    _source_assets("plans", SOURCES["plans"], plans_source(inbox_url="file:///nonexistent")),
]
