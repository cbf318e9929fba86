"""The dbt project as Dagster assets; dbt tests (data and unit) become asset checks."""

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.resources import dbt_project
from orchestration.translators import KlimamonitorDbtTranslator


@dbt_assets(manifest=dbt_project.manifest_path, dagster_dbt_translator=KlimamonitorDbtTranslator())
def klimamonitor_dbt_assets(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(["build"], context=context).stream()


ASSETS = [klimamonitor_dbt_assets]
