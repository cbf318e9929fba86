"""Freshness: each source table's cadence is declared once, in the dbt sources
(`transform/models/staging/*/_*__sources.yml`: `freshness`, `loaded_at_query` or
`loaded_at_field`, `meta.cadence`), and surfaced twice from there:

- `dbt source freshness` measures it as dbt does;
- a Dagster freshness check on the raw table's asset fails (severity WARN) once the newest data is
  older than `warn_after`. The newest data's time is the same SQL run after each load and recorded
  on the materialization as `dagster/last_updated_timestamp`, which the check reads; a freshness
  sensor re-evaluates the checks hourly, so a source that stops arriving turns red even when no
  run happens.

What is measured is the source's own time (StatBank's `updated` of a table, the emissions
release), not when klimamonitor last loaded it: a nightly load of an unchanged table is no news.
"""

from __future__ import annotations

import functools
import json
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta

import dagster as dg
import duckdb

from orchestration.defs.resources import dbt_project
from orchestration.defs.translators import KlimamonitorDbtTranslator

_PERIODS = {"minute": "minutes", "hour": "hours", "day": "days"}


@dataclass(frozen=True)
class Freshness:
    key: dg.AssetKey
    cadence: str
    warn_after: timedelta
    newest_sql: str  # one row, one timestamp: how new the table's data is


def _delta(threshold: dict | None) -> timedelta | None:
    if not threshold or not threshold.get("count"):
        return None
    return timedelta(**{_PERIODS[threshold["period"]]: threshold["count"]})


@functools.cache
def declared() -> dict[dg.AssetKey, Freshness]:
    """The dbt sources with a freshness threshold, by the asset key of their raw table."""
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    translator = KlimamonitorDbtTranslator()
    found = {}
    for node in manifest["sources"].values():
        freshness = node.get("freshness") or {}
        warn_after = _delta(freshness.get("warn_after"))
        if warn_after is None:
            continue
        key = translator.get_asset_key(node)
        relation = f'"{node["schema"]}"."{node["identifier"]}"'
        sql = (
            node.get("loaded_at_query") or f"select max({node['loaded_at_field']}) from {relation}"
        )
        found[key] = Freshness(
            key=key,
            cadence=node.get("meta", {}).get("cadence", "unstated"),
            warn_after=warn_after,
            newest_sql=sql,
        )
    return found


def newest_data(con: duckdb.DuckDBPyConnection, key: dg.AssetKey) -> dict:
    """`dagster/last_updated_timestamp` for a raw table whose freshness is declared; nothing
    when it is not, or when the table holds nothing to date it by."""
    if (freshness := declared().get(key)) is None:
        return {}
    try:
        (value,) = con.execute(freshness.newest_sql).fetchone()
    except duckdb.CatalogException:  # the table is not there yet
        return {}
    if not isinstance(value, datetime):
        return {}
    return {
        "dagster/last_updated_timestamp": dg.MetadataValue.timestamp(value.timestamp()),
        "cadence": dg.MetadataValue.text(freshness.cadence),
    }


def _checks(keys: list[dg.AssetKey], warn_after: timedelta) -> list[dg.AssetChecksDefinition]:
    """One step checks every table of the same threshold (a step each cost the run time)."""
    with warnings.catch_warnings():
        # Dagster marks these checks superseded by FreshnessPolicy, which measures only when an
        # asset was materialized; the checks read `dagster/last_updated_timestamp`, the source's
        # own time, and a stale source shows as a failed check.
        warnings.simplefilter("ignore", dg.SupersessionWarning)
        return list(
            dg.build_last_update_freshness_checks(
                assets=keys, lower_bound_delta=warn_after, severity=dg.AssetCheckSeverity.WARN
            )
        )


def _by_threshold() -> dict[timedelta, list[dg.AssetKey]]:
    groups: dict[timedelta, list[dg.AssetKey]] = {}
    for key, freshness in sorted(declared().items(), key=lambda kv: kv[0].to_user_string()):
        groups.setdefault(freshness.warn_after, []).append(key)
    return groups


FRESHNESS_CHECKS = [
    check
    for warn_after, keys in sorted(_by_threshold().items())
    for check in _checks(keys, warn_after)
]

with warnings.catch_warnings():
    warnings.simplefilter("ignore", dg.SupersessionWarning)
    freshness_sensor = dg.build_sensor_for_freshness_checks(
        freshness_checks=FRESHNESS_CHECKS,
        minimum_interval_seconds=3600,
        name="freshness_checks_sensor",
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
