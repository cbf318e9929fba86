"""Great Expectations suites on the raw sources, kept as JSON in `suites/`, and their runner.

GX checks what the sources deliver before dbt reads them: formats, ranges and distributions of
the raw tables. The models are checked by dbt's own tests (transform/). A suite's
`meta.blocking` says whether its failure holds the publication back.

A suite's `meta.query` is the batch it validates: DuckDB reads it from the warehouse into a
DataFrame that GX's pandas data source checks (GX's SQL path through duckdb-engine returns wrong
results with GX 1.x). `{"$PARAMETER": ...}` values are filled from the warehouse at run time.
"""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

SUITES_DIR = Path(__file__).parent / "suites"
COLLECTED_FRAME_BYTES = 64 * 2**20  # a frame at least this large is freed as its suite ends


@dataclass(frozen=True)
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int | None
    partial_unexpected: list


@dataclass(frozen=True)
class SuiteOutcome:
    suite: str
    rows_validated: int
    outcomes: list[ExpectationOutcome]

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]


def load_suite(name: str) -> dict:
    return json.loads((SUITES_DIR / f"{name}.json").read_text(encoding="utf-8"))


def _batch(con: duckdb.DuckDBPyConnection, spec: dict):
    """The suite's batch as a pandas frame, with only the columns its expectations name (a name
    found anywhere in their text, row conditions included), converted through Arrow: at 10,000
    municipalities DuckDB's own `.df()` peaked at 4.7 GB for BIL54's 0.6 GB frame, Arrow at 1.5."""
    batch = con.sql(spec["meta"]["query"])
    text = json.dumps(spec["expectations"], ensure_ascii=False)
    named = [c for c in batch.columns if c in text] or batch.columns[:1]
    columns = ", ".join('"' + c.replace('"', '""') + '"' for c in named)
    return batch.project(columns).to_arrow_table().to_pandas()


def validate(con: duckdb.DuckDBPyConnection, name: str, parameters: dict) -> SuiteOutcome:
    """Runs the suite `name` on its batch query against `con`."""
    import great_expectations as gx  # costs ~3 s: only where a suite runs
    from great_expectations.core import ExpectationSuite
    from great_expectations.data_context.types.base import ProgressBarsConfig

    spec = load_suite(name)
    frame = _batch(con, spec)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch = (
        context.data_sources.add_pandas("warehouse")
        .add_dataframe_asset(name)
        .add_batch_definition_whole_dataframe("whole")
        .get_batch(batch_parameters={"dataframe": frame})
    )
    suite = ExpectationSuite(name=name, expectations=spec["expectations"], meta=spec["meta"])
    result = batch.validate(suite, expectation_parameters=parameters)
    rows, large = len(frame), frame.memory_usage(deep=False).sum() >= COLLECTED_FRAME_BYTES
    # GX keeps the last context it made, and with it the data source's frame, held in reference
    # cycles: the source is dropped here, and a large frame's cycles collected, so it is freed
    # before the next suite reads its own (at 10,000 municipalities the StatBank suites peaked at
    # 2,550 MB with BIL53's frame alive while BIL54's was read, 1,953 MB without). A full
    # collection costs about 0.5 s in a process with the orchestration loaded: small frames are
    # left to Python's collector.
    context.data_sources.delete("warehouse")
    del frame, batch
    if large:
        gc.collect()
    outcomes = [
        ExpectationOutcome(
            expectation=r.expectation_config.type,
            column=r.expectation_config.kwargs.get("column"),
            success=bool(r.success),
            unexpected_count=r.result.get("unexpected_count"),
            partial_unexpected=list(r.result.get("partial_unexpected_list") or [])[:10],
        )
        for r in result.results
    ]
    return SuiteOutcome(suite=name, rows_validated=rows, outcomes=outcomes)
