"""The dlt sources as Dagster assets: one multi-asset per source, one asset per raw table.

Each run builds a fresh source and pipeline from the current settings (KLIMAMONITOR_SOURCE, the
warehouse path); the objects given to the decorator only describe the assets.
"""

import dagster as dg
from dagster_dlt import DagsterDltResource, dlt_assets

from ingestion.configured import SOURCES
from ingestion.klimaregnskab import klimaregnskab_source
from ingestion.plans import plans_source
from ingestion.statbank import statbank_source
from orchestration.resources import dlt_pipeline
from orchestration.translators import KlimamonitorDltTranslator

TRANSLATOR = KlimamonitorDltTranslator()


def _source_assets(dataset: str, make_source, describe_source) -> dg.AssetsDefinition:
    """One dlt source as a multi-asset; `make_source` builds it from the current settings."""

    @dlt_assets(
        dlt_source=describe_source,
        dlt_pipeline=dlt_pipeline(dataset),
        name=dataset,
        dagster_dlt_translator=TRANSLATOR,
    )
    def assets(context: dg.AssetExecutionContext, dlt: DagsterDltResource):
        yield from dlt.run(
            context=context, dlt_source=make_source(), dlt_pipeline=dlt_pipeline(dataset)
        )

    return assets


ASSETS = [
    _source_assets("statbank", SOURCES["statbank"], statbank_source()),
    _source_assets("klimaregnskab", SOURCES["klimaregnskab"], klimaregnskab_source()),
    _source_assets("plans", SOURCES["plans"], plans_source(inbox_url="file:///nonexistent")),
]
