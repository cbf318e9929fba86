"""The nightly refresh: every asset and check, at 02:00 Copenhagen time."""

from __future__ import annotations

import dagster as dg

nightly_job = dg.define_asset_job(
    "nightly_refresh",
    selection=dg.AssetSelection.all(),
    description="Every source, model and check, once: the unattended nightly refresh.",
    executor_def=dg.in_process_executor,  # DuckDB takes one writer at a time
)

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_refresh_0200",
    job=nightly_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/Copenhagen",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

JOBS = [nightly_job]
SCHEDULES = [nightly_schedule]
