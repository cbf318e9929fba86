"""The plan inbox sensor: a new or changed plan file starts the plans job at once, not at night.

The sensor's cursor is the inbox as last seen, each file's stamp ("<modified> <size>", the same
stamp the plans source compares); a tick that finds every stamp unchanged starts nothing. Before
its first tick the sensor takes as seen what the plans pipeline has already loaded (dlt's state),
so starting `dagster dev` on a loaded warehouse does not start a run for files already in it.
"""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from ingestion.configured import plan_inbox_url
from ingestion.plans import inbox_stamps
from ingestion.settings import Settings
from orchestration.defs.jobs import plans_job
from orchestration.defs.resources import dlt_pipeline

FILES_TAG = "klimamonitor/plan_files"
COUNT_TAG = "klimamonitor/plan_file_count"
TAG_LIMIT = 4000  # characters of file names in the tag; the count tag says how many in all


def loaded_stamps(settings: Settings) -> dict[str, str]:
    """What the plans pipeline listed at its last load, from its local dlt state (empty before
    its first load)."""
    resources = (
        dlt_pipeline(settings, "plans")
        .state.get("sources", {})
        .get("plans", {})
        .get("resources", {})
    )
    return dict(resources.get("inbox_listing", {}).get("listed", {}))


def changed_files(seen: dict[str, str], now: dict[str, str]) -> list[str]:
    return sorted(path for path, stamp in now.items() if seen.get(path) != stamp)


def _files_tag(files: list[str]) -> str:
    text = ", ".join(files)
    return text if len(text) <= TAG_LIMIT else text[: TAG_LIMIT - 4] + " ..."


def inbox_sensor(settings: Settings) -> dg.SensorDefinition:
    @dg.sensor(
        name="plan_inbox_sensor",
        job=plans_job,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Starts the plans job when a plan file arrives in the inbox or changes there; "
        "the files are named in the run's tags (klimamonitor/plan_files).",
    )
    def plan_inbox_sensor(context: dg.SensorEvaluationContext):
        now = {
            item["relative_path"]: stamp for item, stamp in inbox_stamps(plan_inbox_url(settings))
        }
        seen = json.loads(context.cursor) if context.cursor else loaded_stamps(settings)
        files = changed_files(seen, now)
        context.update_cursor(json.dumps(now, sort_keys=True))
        if not files:
            return dg.SkipReason(f"inbox unchanged: {len(now)} files, none new or changed")
        run_key = hashlib.sha256(
            json.dumps({f: now[f] for f in files}, sort_keys=True).encode()
        ).hexdigest()[:16]
        return dg.RunRequest(
            run_key=run_key,
            tags={FILES_TAG: _files_tag(files), COUNT_TAG: str(len(files))},
        )

    return plan_inbox_sensor
