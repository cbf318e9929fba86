"""A snapshot of every asset key (with its upstream keys), check, job and schedule, so lineage
cannot drift unnoticed; and the graph is connected from each dlt table to each mart.

After an intended change: `KLIMAMONITOR_UPDATE_SNAPSHOTS=1 make test`, and commit the snapshot.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import pytest

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.txt"


@pytest.fixture(scope="module")
def repo():
    from orchestration.definitions import defs

    return defs.get_repository_def()


def _describe(repo) -> str:
    graph = repo.asset_graph
    lines, seen_ops = [], set()
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        parents = sorted(p.to_user_string() for p in graph.get(key).parent_keys)
        lines.append(f"asset {key.to_user_string()} <- {', '.join(parents) or '(source)'}")
    for assets_def in sorted(repo.assets_defs_by_key.values(), key=lambda a: a.node_def.name):
        op = assets_def.node_def
        if op.name in seen_ops:
            continue
        seen_ops.add(op.name)
        retry = op.retry_policy
        lines.append(
            f"op {op.name} pool={op.pool or '-'} retry="
            + (
                f"{retry.max_retries}x{retry.backoff.value if retry.backoff else 'fixed'}"
                if retry
                else "-"
            )
        )
    check_ops = {c.node_def.name: c for c in repo.asset_checks_defs_by_key.values()}
    for name, checks_def in sorted(check_ops.items()):
        pool = checks_def.node_def.pool or "-"
        lines.append(f"check-op {name} pool={pool} checks={len(checks_def.check_keys)}")
    for check in sorted(
        graph.asset_check_keys, key=lambda c: (c.asset_key.to_user_string(), c.name)
    ):
        lines.append(f"check {check.asset_key.to_user_string()} : {check.name}")
    for job in sorted(repo.get_all_jobs(), key=lambda j: j.name):
        if not job.name.startswith("__"):
            lines.append(f"job {job.name}")
    for schedule in sorted(repo.schedule_defs, key=lambda s: s.name):
        lines.append(
            f"schedule {schedule.name} {schedule.cron_schedule} "
            f"{schedule.execution_timezone} -> {schedule.job_name}"
        )
    for sensor in sorted(repo.sensor_defs, key=lambda s: s.name):
        jobs = sorted(t.job_name for t in sensor.targets) if sensor.has_jobs else []
        lines.append(
            f"sensor {sensor.name} {sensor.default_status.value} -> {', '.join(jobs) or '-'}"
        )
    return "\n".join(lines) + "\n"


def test_snapshot(repo):
    current = _describe(repo)
    if os.environ.get("KLIMAMONITOR_UPDATE_SNAPSHOTS") or not SNAPSHOT.exists():
        SNAPSHOT.write_text(current)
    assert current == SNAPSHOT.read_text(), "lineage changed: review, then update the snapshot"


def test_no_dangling_keys(repo):
    graph = repo.asset_graph
    materializable = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    for key in graph.get_all_asset_keys():
        for parent in graph.get(key).parent_keys:
            assert parent in materializable, f"{key.to_user_string()} depends on {parent}"


def test_every_mart_reaches_every_source_it_reads(repo):
    graph = repo.asset_graph
    mart = dg.AssetKey(["marts", "mart_municipality_progress"])
    ancestors = graph.upstream_key_iterator(mart)
    ancestors = set(ancestors)
    for raw in (
        ["klimaregnskab", "noegletal"],
        ["statbank", "areas"],
        ["statbank", "folk1a"],
        ["plans", "plans"],
    ):
        assert dg.AssetKey(raw) in ancestors
        assert graph.get(dg.AssetKey(raw)).is_materializable  # a dlt asset, not a stub


def test_nightly_schedule(repo):
    schedule = repo.get_schedule_def("nightly_refresh_0200")
    assert (schedule.cron_schedule, schedule.execution_timezone) == (
        "0 2 * * *",
        "Europe/Copenhagen",
    )
    assert schedule.job_name == "nightly_refresh"
