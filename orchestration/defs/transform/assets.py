"""The dbt project as Dagster assets; dbt's data tests become asset checks.

A build runs only when something it reads changed, judged by what Dagster keeps of the last build
of each model (its provenance): a model whose code version (dbt's checksum of it) or any input's
data version is not what it was at its last materialization is stale, and so is every model last
built before today (lateness counts from the day). Then the whole project builds, and every
model and test reports what it did in this run; when nothing is stale, nothing runs and nothing
is reported, so the asset pages, the checks and the publication keep their last real results.
The run config `rebuild: true` builds whatever the provenance says.

dbt holds the warehouse open for the whole `dbt build`, so the events are kept until it ends and
then given out with each table's page (rows, schema with dbt's column descriptions, preview, and
on the marts the headline figures), read on one read-only connection; a failed build's error
comes after the models it did build.
"""

from datetime import date, datetime

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, dbt_assets
from pydantic import Field

from ingestion.settings import Settings
from orchestration.defs.asset_pages import warehouse_pages
from orchestration.defs.resources import WAREHOUSE_POOL, dbt_environment, dbt_project
from orchestration.defs.translators import KlimamonitorDbtTranslator

DATA_VERSION_TAG = "dagster/data_version"


class BuildConfig(dg.Config):
    rebuild: bool = Field(default=False, description="Build even when no model is stale.")


def _descriptions(spec: dg.AssetSpec) -> dict[str, str]:
    schema = spec.metadata.get("dagster/column_schema")
    return {c.name: c.description for c in (schema.columns if schema else []) if c.description}


def why_stale(context: dg.AssetExecutionContext) -> str | None:
    """Why the models must be built, or None when every one is as it was last built today."""
    keys = sorted(context.selected_asset_keys, key=lambda k: k.to_user_string())
    upstream = {dep for key in keys for dep in context.assets_def.asset_deps[key]}
    # one query for the latest materialization of every model and of everything they read
    latest = context.instance.get_latest_materialization_events([*keys, *upstream])
    today = date.today()
    for key in keys:
        name, event = key.to_user_string(), latest.get(key)
        if event is None:
            return f"{name} was never built"
        if (built := datetime.fromtimestamp(event.timestamp).date()) != today:
            return f"{name} was last built on {built}, and lateness counts from today"
        provenance = dg.DataProvenance.from_tags(event.tags)
        code_version = context.assets_def.code_versions_by_key.get(key)
        if provenance is None or provenance.code_version != code_version:
            return f"{name}: its code changed"
        if set(provenance.input_data_versions) != set(context.assets_def.asset_deps[key]):
            return f"{name}: its inputs changed"
        for dep, version in provenance.input_data_versions.items():
            now = latest.get(dep)
            if now is None or now.tags.get(DATA_VERSION_TAG) != version.value:
                return f"{name}: {dep.to_user_string()} changed"
    return None


def dbt_models(settings: Settings) -> dg.AssetsDefinition:
    @dbt_assets(
        manifest=dbt_project.manifest_path,
        dagster_dbt_translator=KlimamonitorDbtTranslator(),
        pool=WAREHOUSE_POOL,
    )
    def klimamonitor_dbt_assets(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, config: BuildConfig
    ):
        reason = "a rebuild was asked for" if config.rebuild or context.is_subset else None
        if not (reason := reason or why_stale(context)):
            context.log.info("dbt build not needed: every model is as its inputs and code were")
            return
        context.log.info(f"dbt build: {reason}")
        # The unit tests check the models' logic on fixed rows, not the night's data: they run
        # in the test suite (tests/test_dbt_unit_tests.py), not every night.
        with dbt_environment(settings):
            invocation = dbt.cli(
                ["build", "--exclude-resource-type", "unit_test"],
                context=context,
                raise_on_error=False,
                # one target folder per warehouse (the pool keeps its builds apart): dbt's
                # partial-parse state stays with the warehouse it was parsed for, so only the
                # first build of a new warehouse parses the whole project
                target_path=settings.dbt_target_dir,
            )
            events = list(invocation.stream())
        specs = context.assets_def.specs_by_key
        keys = {
            e.output_name: context.asset_key_for_output(e.output_name)
            for e in events
            if isinstance(e, dg.Output)
        }
        con = duckdb.connect(str(settings.warehouse), read_only=True)
        try:
            pages = warehouse_pages(
                con,
                {key: _descriptions(specs[key]) for key in keys.values()},
                {key for key in keys.values() if key.path[0] == "marts"},
            )
        finally:
            con.close()
        for event in events:
            if isinstance(event, dg.Output):
                yield event.with_metadata({**event.metadata, **pages[keys[event.output_name]]})
            else:
                yield event
        if (error := invocation.get_error()) is not None:  # after what did build, as dbt would
            raise error

    return klimamonitor_dbt_assets
