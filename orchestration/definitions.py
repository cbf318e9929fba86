"""The code location: `dagster dev` and `make run` load `defs` from here."""

from __future__ import annotations

import dagster as dg
from dagster_dlt import DagsterDltResource

from orchestration.alerts import SENSORS as ALERT_SENSORS
from orchestration.freshness import FRESHNESS_CHECKS, freshness_sensor
from orchestration.ingest.assets import ASSETS as INGEST_ASSETS
from orchestration.ingest.sensors import SENSORS as INGEST_SENSORS
from orchestration.jobs import JOBS
from orchestration.publish.assets import ASSETS as PUBLISH_ASSETS
from orchestration.quality.checks import CHECKS
from orchestration.report.assets import ASSETS as REPORT_ASSETS
from orchestration.resources import dbt_resource
from orchestration.schedules import SCHEDULES
from orchestration.transform.assets import ASSETS as TRANSFORM_ASSETS

defs = dg.Definitions(
    assets=[*INGEST_ASSETS, *TRANSFORM_ASSETS, *PUBLISH_ASSETS, *REPORT_ASSETS],
    asset_checks=[*CHECKS, *FRESHNESS_CHECKS],
    jobs=JOBS,
    schedules=SCHEDULES,
    sensors=[*INGEST_SENSORS, freshness_sensor, *ALERT_SENSORS],
    resources={"dlt": DagsterDltResource(), "dbt": dbt_resource()},
    executor=dg.in_process_executor,
)
