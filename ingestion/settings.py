"""Where the sources are read from and where the warehouse lives.

`KLIMAMONITOR_SOURCE` chooses the input:
- `demo` (default): the generated demo data set in `warehouse/demo_sources/` (made if missing);
- `live`: the real services;
- any other value: a folder of source files in the live formats (README, "Snapshot folders").
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WAREHOUSE_DIR = PROJECT_ROOT / "warehouse"
DEMO_SOURCES_DIR = WAREHOUSE_DIR / "demo_sources"


@dataclass(frozen=True)
class SourceSettings:
    """The input the run reads: its mode (demo, live, folder) and, for files, the folder."""

    mode: str
    folder: Path | None

    @property
    def origin(self) -> str:
        """The label put on every raw row: `demo`, `live` or `folder`. A folder of demo files (it
        holds the generator's DEMO.txt) is demo data wherever it is read from."""
        if (
            self.mode == "folder"
            and self.folder is not None
            and (self.folder / "DEMO.txt").exists()
        ):
            return "demo"
        return self.mode


def source_settings() -> SourceSettings:
    value = os.environ.get("KLIMAMONITOR_SOURCE", "demo").strip() or "demo"
    if value == "demo":
        return SourceSettings("demo", DEMO_SOURCES_DIR)
    if value == "live":
        return SourceSettings("live", None)
    folder = Path(value).expanduser().resolve()
    if not folder.is_dir():
        raise SystemExit(f"KLIMAMONITOR_SOURCE={value!r}: not 'demo', 'live' or an existing folder")
    return SourceSettings("folder", folder)


def warehouse_path() -> Path:
    """The working warehouse; `KLIMAMONITOR_WAREHOUSE` moves it (the tests use a temporary one)."""
    default = WAREHOUSE_DIR / "klimamonitor.duckdb"
    return Path(os.environ.get("KLIMAMONITOR_WAREHOUSE", default)).resolve()


def published_targets_path() -> Path:
    """The municipalities' published targets (reference data with a source on every row), read
    where ../shared/data keeps them; `KLIMAMONITOR_PUBLISHED_TARGETS` moves it. Where the file
    is absent, no municipality has a published target."""
    default = PROJECT_ROOT.parent / "shared" / "data" / "reference" / "plan_targets_published.csv"
    return Path(os.environ.get("KLIMAMONITOR_PUBLISHED_TARGETS", default)).resolve()


def pipelines_dir() -> Path:
    """dlt's pipeline state, kept beside the warehouse it belongs to."""
    return warehouse_path().parent / ".dlt_pipelines"


def published_dir() -> Path:
    """The published copy for BI tools and the report, beside the working warehouse."""
    return warehouse_path().parent / "published"


def expected_municipalities() -> int:
    """How many municipalities the area hierarchy must hold: Denmark's 98, unless
    `KLIMAMONITOR_MUNICIPALITIES` says otherwise (the benchmark's synthetic sources). The GX suites
    and the dbt tests (var `expected_municipalities`) read it from there."""
    return int(os.environ.get("KLIMAMONITOR_MUNICIPALITIES", "98"))


def duckdb_memory_limit() -> str:
    """DuckDB's memory in the warehouse writers, dlt's loads and dbt's build (DuckDB spills to disk
    beyond it; uncapped it takes up to 80% of the machine): `KLIMAMONITOR_DUCKDB_MEMORY_LIMIT`,
    1GB by default. transform/profiles.yml reads the same variable with the same default."""
    return os.environ.get("KLIMAMONITOR_DUCKDB_MEMORY_LIMIT", "1GB")
