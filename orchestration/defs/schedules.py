"""The nightly refresh: every asset and check, at 02:00 Copenhagen time."""

from __future__ import annotations

import dagster as dg

from orchestration.defs.jobs import nightly_job

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_refresh_0200",
    job=nightly_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/Copenhagen",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

SCHEDULES = [nightly_schedule]
