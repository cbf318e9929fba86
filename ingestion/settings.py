"""The settings of a run, as one typed object: read once from the environment by the entry
points (`make run`, the Dagster code location, the benchmark, the tests) and passed to what needs
it.

`KLIMAMONITOR_SOURCE` chooses the input:
- `demo` (default): the generated demo data set in `warehouse/demo_sources/` (`make demo-data`);
- `live`: the real services;
- any other value: a folder of source files in the live formats (README, "Snapshot folders").
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, field_validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WAREHOUSE_DIR = PROJECT_ROOT / "warehouse"
DEMO_SOURCES_DIR = WAREHOUSE_DIR / "demo_sources"
PUBLISHED_TARGETS = PROJECT_ROOT.parent / "shared/data/reference/plan_targets_published.csv"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    source: str = "demo"
    """`demo`, `live` or a folder of source files."""
    warehouse: Path = WAREHOUSE_DIR / "klimamonitor.duckdb"
    """The working warehouse; the published copy, dlt's state and the logs are kept beside it."""
    published_targets: Path = PUBLISHED_TARGETS
    """The municipalities' published targets, read where ../shared/data keeps them; where the
    file is absent, no municipality has a published target."""
    municipalities: int = 98
    """How many municipalities the area hierarchy must hold (the benchmark's sources have more)."""
    duckdb_memory_limit: str = "1GB"
    """DuckDB's memory in dlt's loads and dbt's build; it spills to disk beyond it."""
    postgres_url: str | None = None
    """A PostgreSQL server to load each publication into (publish/postgres.py); without it, the
    project's own cluster under the warehouse's folder when it runs (`make serve`), else none."""

    @field_validator("warehouse", "published_targets")
    @classmethod
    def _absolute(cls, path: Path) -> Path:
        return path.expanduser().resolve()

    @field_validator("source")
    @classmethod
    def _known_source(cls, value: str) -> str:
        value = value.strip() or "demo"
        if value not in ("demo", "live") and not Path(value).expanduser().is_dir():
            raise ValueError(
                f"KLIMAMONITOR_SOURCE={value!r}: not 'demo', 'live' or an existing folder"
            )
        return value

    ENV: ClassVar[dict[str, str]] = {
        "source": "KLIMAMONITOR_SOURCE",
        "warehouse": "KLIMAMONITOR_WAREHOUSE",
        "published_targets": "KLIMAMONITOR_PUBLISHED_TARGETS",
        "municipalities": "KLIMAMONITOR_MUNICIPALITIES",
        "duckdb_memory_limit": "KLIMAMONITOR_DUCKDB_MEMORY_LIMIT",
        "postgres_url": "KLIMAMONITOR_POSTGRES_URL",
    }

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        return cls(**{field: environ[var] for field, var in cls.ENV.items() if environ.get(var)})

    def environment(self) -> dict[str, str]:
        """The settings as the environment variables dbt's project and profile read
        (`env_var(...)` in transform/)."""
        return {
            var: str(getattr(self, field))
            for field, var in self.ENV.items()
            if getattr(self, field) is not None
        }

    @property
    def mode(self) -> Literal["demo", "live", "folder"]:
        return self.source if self.source in ("demo", "live") else "folder"

    @property
    def folder(self) -> Path | None:
        """The folder of source files, or None for the live services."""
        if self.mode == "live":
            return None
        return DEMO_SOURCES_DIR if self.mode == "demo" else Path(self.source).expanduser().resolve()

    @property
    def origin(self) -> str:
        """The label put on every raw row: `demo`, `live` or `folder`. A folder of demo files (it
        holds the generator's DEMO.txt) is demo data wherever it is read from."""
        if self.mode == "folder" and (self.folder / "DEMO.txt").exists():
            return "demo"
        return self.mode

    @property
    def pipelines_dir(self) -> Path:
        """dlt's pipeline state, kept beside the warehouse it belongs to."""
        return self.warehouse.parent / ".dlt_pipelines"

    @property
    def published_dir(self) -> Path:
        """The published copy for BI tools and the report, beside the working warehouse."""
        return self.warehouse.parent / "published"

    @property
    def postgres_dir(self) -> Path:
        """The project's own PostgreSQL cluster (`make serve`), beside the working warehouse."""
        return self.warehouse.parent / "postgres"

    def postgres(self) -> str | None:
        """Where publications are loaded in PostgreSQL: the URL set, else the project's own
        cluster if it runs, else None (the step is skipped)."""
        from publish.postgres_server import url

        return self.postgres_url or url(self.postgres_dir)

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's target folder for the builds of this warehouse: its run results, its log and the
        partial-parse state of this warehouse's profile."""
        return self.warehouse.parent / "dbt-target"

    @property
    def logs_dir(self) -> Path:
        """dbt's and dlt's logs of each run, named in the run's summary."""
        return self.warehouse.parent / "logs"
