"""How dlt resources and dbt nodes become Dagster assets, in one place.

The lineage meets because both sides key a raw table the same way: `[dataset, table]` for a dlt
resource, `[source_name, table]` for the dbt source over it (the dbt source is named after the
dlt dataset). dbt models are keyed `[schema, model]`, schema being the layer (staging, core, ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject
from dagster_dlt import DagsterDltTranslator
from dagster_dlt.translator import DltResourceTranslatorData

OWNER = "team:data-engineering"


class KlimamonitorDltTranslator(DagsterDltTranslator):
    def get_asset_spec(self, data: DltResourceTranslatorData) -> dg.AssetSpec:
        spec = super().get_asset_spec(data)
        dataset = data.resource.source_name
        return spec.replace_attributes(
            key=dg.AssetKey([dataset, data.resource.table_name]),
            deps=[],
            group_name=f"raw_{dataset}",
            owners=[OWNER],
            description=f"Raw `{dataset}.{data.resource.table_name}`, loaded by dlt "
            f"(ingestion/{dataset}.py).",
        )


class KlimamonitorDbtTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> dg.AssetSpec:
        """dbt's lineage, and the files a model reads outside dbt's sources (`meta:
        dagster_reads`, asset keys as `schema/name`) as its upstream assets."""
        spec = super().get_asset_spec(manifest, unique_id, project)
        reads = self.get_resource_props(manifest, unique_id).get("meta", {}).get("dagster_reads")
        if not reads:
            return spec
        return spec.replace_attributes(
            deps=[*spec.deps, *(dg.AssetKey.from_user_string(key) for key in reads)]
        )

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["schema"]

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return [OWNER]
