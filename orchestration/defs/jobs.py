"""The jobs: the nightly refresh of everything, the plans job that the inbox sensor starts, and a
job per live source, each with what depends on it, so a source can be refreshed on its own.

All run their steps in-process, one at a time (the executor the definitions give every job);
across runs, the warehouse pool (orchestration/resources.py) keeps the writers apart.
"""

from __future__ import annotations

import dagster as dg

SOURCE_GROUPS = {"statbank": "raw_statbank", "klimaregnskab": "raw_klimaregnskab"}


def _from_source(group: str) -> dg.AssetSelection:
    """A source's raw tables, everything downstream of them, and those assets' checks."""
    return dg.AssetSelection.groups(group).downstream()


nightly_job = dg.define_asset_job(
    "nightly_refresh",
    selection=dg.AssetSelection.all(),
    description="Every source, model and check, once: the unattended nightly refresh.",
)

plans_job = dg.define_asset_job(
    "plans_refresh",
    selection=_from_source("raw_plans"),
    description="The plan inbox and only what depends on it: started by the inbox sensor when a "
    "plan file arrives or changes, so it need not wait for the night.",
)

source_jobs = [
    dg.define_asset_job(
        f"{source}_refresh",
        selection=_from_source(group),
        description=f"The {source} source and everything that depends on it.",
    )
    for source, group in SOURCE_GROUPS.items()
]

JOBS = [nightly_job, plans_job, *source_jobs]
