"""The code location: `dagster dev` (`make dev`) and `make run` load `defs` from here, built
from the settings in the environment. Each integration's definitions live in `defs/`:
ingest (dlt) -> transform (dbt) -> quality (Great Expectations) -> publish -> report, with the
jobs, the schedule and the sensors beside them."""

from __future__ import annotations

import dagster as dg
from dagster_dlt import DagsterDltResource

from ingestion.settings import Settings
from orchestration.defs.alerts import SENSORS as ALERT_SENSORS
from orchestration.defs.freshness import FRESHNESS_CHECKS, freshness_sensor
from orchestration.defs.ingest.assets import assets as ingest_assets
from orchestration.defs.ingest.sensors import inbox_sensor
from orchestration.defs.jobs import JOBS
from orchestration.defs.publish.assets import postgres_asset, published_asset
from orchestration.defs.quality.checks import checks as gx_checks
from orchestration.defs.report.assets import report_asset
from orchestration.defs.resources import dbt_resource
from orchestration.defs.schedules import SCHEDULES
from orchestration.defs.transform.assets import dbt_models


def build_defs(settings: Settings) -> dg.Definitions:
    models = dbt_models(settings)
    return dg.Definitions(
        assets=[
            *ingest_assets(settings),
            models,
            published_asset(settings, models),
            postgres_asset(settings),
            report_asset(settings),
        ],
        asset_checks=[*gx_checks(settings), *FRESHNESS_CHECKS],
        jobs=JOBS,
        schedules=SCHEDULES,
        sensors=[inbox_sensor(settings), freshness_sensor, *ALERT_SENSORS],
        resources={"dlt": DagsterDltResource(), "dbt": dbt_resource()},
        executor=dg.in_process_executor,
    )


defs = build_defs(Settings.from_env())
