"""The dbt project as Dagster assets; dbt tests (data and unit) become asset checks.

dbt holds the warehouse open for the whole `dbt build`, so the events are kept until it ends and
then given out with each table's page (rows, schema with dbt's column descriptions, preview, and
on the marts the headline figures), read on one read-only connection; a failed build's error
comes after the models it did build.
"""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from ingestion.settings import warehouse_path
from orchestration.asset_pages import warehouse_pages
from orchestration.resources import WAREHOUSE_POOL, dbt_project
from orchestration.translators import KlimamonitorDbtTranslator


def _descriptions(spec: dg.AssetSpec) -> dict[str, str]:
    schema = spec.metadata.get("dagster/column_schema")
    return {c.name: c.description for c in (schema.columns if schema else []) if c.description}


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=KlimamonitorDbtTranslator(),
    pool=WAREHOUSE_POOL,
)
def klimamonitor_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    # The unit tests check the models' logic on fixed rows, not the night's data: they run in the
    # test suite (tests/test_dbt_unit_tests.py), not every night.
    invocation = dbt.cli(
        ["build", "--exclude-resource-type", "unit_test"], context=context, raise_on_error=False
    )
    events = list(invocation.stream())
    keys = {
        e.output_name: context.asset_key_for_output(e.output_name)
        for e in events
        if isinstance(e, dg.Output)
    }
    specs = context.assets_def.specs_by_key
    pages = warehouse_pages(
        warehouse_path(),
        {key: _descriptions(specs[key]) for key in keys.values()},
        {key for key in keys.values() if key.path[0] == "marts"},
    )
    for event in events:
        if isinstance(event, dg.Output):
            yield dg.Output(
                value=event.value,
                output_name=event.output_name,
                metadata={**event.metadata, **pages[keys[event.output_name]]},
                data_version=event.data_version,
                tags=event.tags,
            )
        else:
            yield event
    if (error := invocation.get_error()) is not None:  # after what did build, as dbt would
        raise error


ASSETS = [klimamonitor_dbt_assets]
