"""The resources every run uses: the dlt pipelines into the warehouse, and the dbt project."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dlt
from dagster_dbt import DbtCliResource, DbtProject
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials

from ingestion.settings import PROJECT_ROOT, Settings

DBT_PROJECT_DIR = PROJECT_ROOT / "transform"
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_resource() -> DbtCliResource:
    """dagster-dbt's own resource, on the venv's dbt."""
    venv_dbt = Path(sys.executable).parent / "dbt"
    return DbtCliResource(
        project_dir=dbt_project, dbt_executable=str(venv_dbt) if venv_dbt.exists() else "dbt"
    )


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """`values` set in the environment for what runs inside, the environment restored after."""
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def dbt_environment(settings: Settings):
    """The settings where dbt reads them, in the environment (`env_var` in transform/), for the
    dbt commands started inside: as a data engineer would set them to run dbt by hand."""
    return environment(settings.environment())


def dlt_pipeline(settings: Settings, dataset: str) -> dlt.Pipeline:
    """The pipeline of one source into its own dataset (schema) of the working warehouse."""
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    return dlt.pipeline(
        pipeline_name=f"klimamonitor_{dataset}",
        destination=dlt.destinations.duckdb(
            credentials=DuckDbCredentials(
                str(settings.warehouse),
                global_config={"memory_limit": settings.duckdb_memory_limit},
            )
        ),
        dataset_name=dataset,
        pipelines_dir=str(settings.pipelines_dir),
    )


# Every step that writes or reads the working warehouse takes this pool's one slot (the instance's
# dagster.yaml sets `concurrency: pools: default_limit: 1`), so two runs, say the inbox sensor's
# and the nightly one, take turns at the DuckDB file instead of failing on its lock.
WAREHOUSE_POOL = "klimamonitor_warehouse"
