"""The resources every run uses: the warehouse, dlt pipelines, the dbt project."""

from __future__ import annotations

import os
from functools import cached_property
from importlib import metadata
from pathlib import Path

import dlt
from dagster_dbt import DbtCliResource, DbtProject
from dlt.destinations.impl.duckdb.configuration import DuckDbCredentials
from packaging import version

from ingestion.settings import (
    PROJECT_ROOT,
    duckdb_memory_limit,
    pipelines_dir,
    published_targets_path,
    warehouse_path,
)

DBT_PROJECT_DIR = PROJECT_ROOT / "transform"
# dbt reads the warehouse path and the published targets' file from the environment; the
# definitions set them once.
os.environ.setdefault("KLIMAMONITOR_WAREHOUSE", str(warehouse_path()))
os.environ.setdefault("KLIMAMONITOR_PUBLISHED_TARGETS", str(published_targets_path()))

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class KlimamonitorDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without two costs it pays on every `dbt build` (4 s of a 12 s build
    at 1,000 municipalities, measured by `make bench`):

    - it asks the dbt executable its version in a subprocess (`dbt --version`, 2 s): the
      executable is the venv's own, so the version is that of the installed dbt-core package;
    - it opens a dbt adapter in-process (2.4 s of macro parsing), which serves only its metadata
      fetchers (`fetch_row_counts`, `fetch_column_metadata`); the asset pages read DuckDB itself
      (orchestration/asset_pages.py). dagster-dbt runs dbt without an adapter when it has none.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):
        return None


def dbt_resource() -> DbtCliResource:
    venv_dbt = Path(os.sys.executable).parent / "dbt"
    return KlimamonitorDbtCliResource(
        project_dir=dbt_project,
        dbt_executable=str(venv_dbt) if venv_dbt.exists() else "dbt",
    )


def dlt_pipeline(dataset: str) -> dlt.Pipeline:
    """The pipeline of one source into its own dataset (schema) of the working warehouse."""
    path = warehouse_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return dlt.pipeline(
        pipeline_name=f"klimamonitor_{dataset}",
        destination=dlt.destinations.duckdb(
            credentials=DuckDbCredentials(
                str(path), global_config={"memory_limit": duckdb_memory_limit()}
            )
        ),
        dataset_name=dataset,
        pipelines_dir=str(pipelines_dir()),
        progress="log" if os.environ.get("KLIMAMONITOR_DLT_PROGRESS") else None,
    )


# Every step that writes or reads the working warehouse takes this pool's one slot (the instance's
# dagster.yaml sets `concurrency: pools: default_limit: 1`), so two runs, say the inbox sensor's
# and the nightly one, take turns at the DuckDB file instead of failing on its lock.
WAREHOUSE_POOL = "klimamonitor_warehouse"
