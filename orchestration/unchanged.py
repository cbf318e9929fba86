"""What a run need not do again: a step whose inputs are what they were when it last succeeded.

The nightly run loads the sources first; a source that has not changed loads nothing (the dlt
sources skip what they already hold). Then:
- the dbt build is skipped when the raw tables (rows and dlt load ids), the dbt project (every
  node's checksum and the vars), the day (lateness counts from today) and the expected number of
  municipalities are what they were at the last successful build; its models and tests are
  reported with the figures of that build, marked as such;
- a GX suite is not run again on the same tables (same raw inputs, same build) with the same
  parameters: its last outcome is reported, marked as such;
- the publication and the report stand when they already hold that build with the same check
  results.

What the last successful steps saw is kept beside the warehouse (`<warehouse>.steps.json`); an
entry is removed before its step starts and written when it succeeds, so a step that was killed
or failed runs again. `KLIMAMONITOR_REBUILD=1` runs every step whatever the memo says.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import date
from pathlib import Path

import duckdb

from ingestion.settings import expected_municipalities, warehouse_path

RAW_SCHEMAS = ("statbank", "klimaregnskab", "plans")


def _digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:20]


def raw_state(con: duckdb.DuckDBPyConnection) -> str:
    """The raw tables as the loads left them: each one's rows and newest dlt load id."""
    tables = con.execute(
        "select table_schema, table_name, bool_or(column_name = '_dlt_load_id') "
        "from information_schema.columns where table_schema in ? and table_name not like '_dlt%' "
        "group by all order by all",
        [list(RAW_SCHEMAS)],
    ).fetchall()
    state = {
        f"{schema}.{table}": con.execute(
            f"select count(*){', max(_dlt_load_id)' if has_load_id else ''} "
            f'from "{schema}"."{table}"'
        ).fetchall()[0]
        for schema, table, has_load_id in tables
    }
    return _digest(state)


def project_state(manifest_path: Path) -> str:
    """The dbt project as dbt parsed it: every node's checksum, and the vars."""
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    checksums = {
        uid: node.get("checksum")  # {"name": "sha256", "checksum": ...}
        for uid, node in {**manifest["nodes"], **manifest.get("unit_tests", {})}.items()
    }
    return _digest([checksums, manifest["metadata"].get("project_id"), os.environ.get("DBT_VARS")])


def build_inputs(manifest_path: Path) -> str:
    """Everything a dbt build's result depends on, as one digest."""
    con = duckdb.connect(str(warehouse_path()), read_only=True)
    try:
        raw = raw_state(con)
    finally:
        con.close()
    return _digest(
        [raw, project_state(manifest_path), date.today().isoformat(), expected_municipalities()]
    )


def memo_path() -> Path:
    path = warehouse_path()
    return path.with_name(f"{path.stem}.steps.json")


def rebuild_forced() -> bool:
    return os.environ.get("KLIMAMONITOR_REBUILD", "").strip() not in ("", "0")


def read(step: str) -> dict | None:
    """What the step's last successful run saw, or None (none, or a rebuild is forced)."""
    if rebuild_forced() or not memo_path().exists():
        return None
    return json.loads(memo_path().read_text(encoding="utf-8")).get(step)


def write(step: str, entry: dict | None) -> None:
    """Records (or, with None, forgets) what the step saw; the file is replaced whole."""
    path = memo_path()
    memo = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if entry is None:
        memo.pop(step, None)
    else:
        memo[step] = entry
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(memo, indent=1, sort_keys=True, default=str), encoding="utf-8")
    os.replace(tmp, path)


def suite_key(suite: dict, parameters: dict, raw: str) -> str:
    """A GX suite's inputs: the suite, its parameters, the raw tables (`raw_state`) and, for a
    table dbt builds, the build that built it."""
    built = suite["meta"]["table"].split(".")[0] not in RAW_SCHEMAS
    build = (read("dbt_build") or {}).get("run_id") if built else None
    return _digest([suite, parameters, raw, build])
