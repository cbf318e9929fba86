"""The troubled night (tests/night.py): runs of `make run` killed with SIGKILL during the dlt load
and during the dbt build leave the published mart untouched; the inbox sensor's run of the plans
job and the next nightly run, beside it on the same warehouse, never write at the same time: the
nightly run marks the killed runs failed, and the two build and publish what they left undone."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from orchestration.defs.publish.assets import NO_SERVER
from publish.publication import current_manifest
from tests.conftest import assert_succeeded, instance_for
from tests.night import NEW_STATUS_FILE

pytestmark = pytest.mark.e2e

POOL_STEPS = {"statbank", "klimaregnskab", "plans", "klimamonitor_dbt_assets"}


def test_a_killed_run_leaves_the_publication_as_it_was(troubled_night):
    night = troubled_night
    assert [moment for moment, *_ in night.after_kills] == ["during_dlt_load", "during_dbt_build"]
    for moment, manifest, same_file, run_ids in night.after_kills:
        assert manifest == night.before, moment
        assert same_file, moment
        assert run_ids == [(night.before["run_id"],)], moment


def test_the_next_runs_mark_the_killed_runs_failed_build_and_publish(troubled_night):
    night = troubled_night
    result = night.nightly
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    # the first killed run was marked so by the second, the second by this one
    assert result.stdout.count("was left unfinished by processes that are gone") == 1
    # no PostgreSQL server in the tests' runs: the step says so in its line, if it got to run
    lines = result.stdout.splitlines()
    (postgres,) = [x for x in lines if x.split()[:1] == ["published__postgres"]]
    assert postgres.endswith(NO_SERVER) or postgres.rstrip().endswith("skipped"), postgres
    after = current_manifest(night.published)
    # the last publication is the nightly run's or the plans run's, whichever built last
    assert after["run_id"] in {night.nightly_run_id, _run_id(night, "plans_refresh")}
    assert after["build_run_id"] == after["run_id"]
    assert after["tables"]["marts.mart_actions"] == night.before["tables"]["marts.mart_actions"]
    with instance_for(night.workdir) as instance:
        killed = instance.get_runs(
            filters=dg.RunsFilter(
                job_name="nightly_refresh", statuses=[dg.DagsterRunStatus.FAILURE]
            )
        )
    assert len(killed) == 2


def _run_id(night, job: str) -> str:
    with instance_for(night.workdir) as instance:
        return instance.get_runs(filters=dg.RunsFilter(job_name=job), limit=1)[0].run_id


def _step_windows(instance: dg.DagsterInstance, run_id: str) -> dict[str, tuple[float, float]]:
    windows = {}
    for record in instance.get_records_for_run(run_id, limit=100_000).records:
        entry = record.event_log_entry
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            windows[event.step_key] = (entry.timestamp, float("inf"))
        elif event.event_type in (
            dg.DagsterEventType.STEP_SUCCESS,
            dg.DagsterEventType.STEP_FAILURE,
        ):
            windows[event.step_key] = (windows[event.step_key][0], entry.timestamp)
    return windows


def test_the_sensors_run_beside_the_nightly_run_never_writes_at_the_same_time(troubled_night):
    """The new status file starts the plans job (its files in the run's tags); that run and the
    nightly run overlap in time, yet no two writers of the warehouse run at once (the pool)."""
    night = troubled_night
    assert isinstance(night.request, dg.RunRequest), night.request
    assert night.request.tags["klimamonitor/plan_files"] == NEW_STATUS_FILE
    assert_succeeded(night.plans)
    with instance_for(night.workdir) as instance:
        runs = {
            job: instance.get_runs(filters=dg.RunsFilter(job_name=job), limit=1)[0]
            for job in ("plans_refresh", "nightly_refresh")
        }
        assert runs["plans_refresh"].tags["klimamonitor/plan_files"] == NEW_STATUS_FILE
        assert runs["nightly_refresh"].run_id == night.nightly_run_id
        windows = {job: _step_windows(instance, run.run_id) for job, run in runs.items()}
        spans = [
            (r.start_time, r.end_time)
            for r in instance.get_run_records(
                dg.RunsFilter(run_ids=[run.run_id for run in runs.values()])
            )
        ]
    assert spans[0][0] < spans[1][1] and spans[1][0] < spans[0][1], (
        "the two runs did not overlap in time: the test proves nothing"
    )
    for a_key, (a_start, a_end) in windows["plans_refresh"].items():
        for b_key, (b_start, b_end) in windows["nightly_refresh"].items():
            if a_key in POOL_STEPS and b_key in POOL_STEPS:
                assert a_end <= b_start or b_end <= a_start, f"{a_key} and {b_key} overlapped"
    con = duckdb.connect(str(night.workdir / "klimamonitor.duckdb"), read_only=True)
    loaded = con.execute(
        "select count(*) from plans.plan_status_updates where source_file = ?", [NEW_STATUS_FILE]
    ).fetchall()
    con.close()
    assert loaded == [(1,)]
