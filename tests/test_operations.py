"""Operating klimamonitor in Dagster: the jobs' selections, the inbox sensor and its cursor,
freshness (Dagster's checks and
dbt's source freshness), the asset pages and the failure alert."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from ingestion.settings import Settings
from tests.conftest import (
    PROJECT_ROOT,
    assert_succeeded,
    instance_for,
    pipeline_env,
)
from tests.night import NEW_STATUS_FILE

POOL_STEPS = {"statbank", "klimaregnskab", "plans", "klimamonitor_dbt_assets"}


@pytest.fixture(scope="module")
def repo():
    from orchestration.definitions import defs

    return defs.get_repository_def()


def _selected(repo, job: str) -> set[str]:
    return {k.to_user_string() for k in repo.get_job(job).asset_layer.selected_asset_keys}


def test_each_job_takes_its_source_and_what_depends_on_it(repo):
    everything = {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()}
    assert _selected(repo, "nightly_refresh") == everything
    plans = _selected(repo, "plans_refresh")
    assert {"plans/plans", "staging/stg_plans__actions", "marts/mart_sector_gap"} <= plans
    assert {"published/klimamonitor", "published/report"} <= plans
    assert not {k for k in plans if k.startswith(("statbank/", "klimaregnskab/", "reference/"))}
    assert "staging/stg_statbank__population" not in plans  # upstream only: not rebuilt
    statbank = _selected(repo, "statbank_refresh")
    assert {
        "statbank/bil54",
        "staging/stg_statbank__car_stock",
        "marts/mart_indicators",
    } <= statbank
    assert not {k for k in statbank if k.startswith(("plans/", "klimaregnskab/"))}
    emissions = _selected(repo, "klimaregnskab_refresh")
    assert {"klimaregnskab/noegletal", "core/fct_emissions", "marts/mart_national_progress"} <= (
        emissions
    )
    assert not {k for k in emissions if k.startswith(("plans/", "statbank/"))}


def test_live_sources_retry_with_backoff_and_every_writer_takes_the_pool(repo):
    ops = {a.node_def.name: a.node_def for a in repo.assets_defs_by_key.values()}
    for name in ("statbank", "klimaregnskab"):
        policy = ops[name].retry_policy
        assert policy and policy.max_retries >= 3 and policy.backoff == dg.Backoff.EXPONENTIAL
    assert ops["plans"].retry_policy is None  # a file does not get better by waiting
    for name in POOL_STEPS | {"published__klimamonitor"}:
        assert ops[name].pool == "klimamonitor_warehouse", name
    mart = repo.asset_graph.get(dg.AssetKey(["marts", "mart_municipality_progress"]))
    assert mart.owners == ["team:data-engineering"]
    assert mart.description and "municipality" in mart.description.lower()
    checks = [
        c for c in repo.asset_checks_defs_by_key.values() if c.node_def.name.startswith("gx_")
    ]
    assert checks and all(c.node_def.pool == "klimamonitor_warehouse" for c in checks)


def test_duckdb_memory_is_capped_in_the_loads_and_the_build(tmp_path, monkeypatch):
    """One setting caps DuckDB in dlt's loads and in dbt's build (`make bench` at 10,000)."""
    import yaml

    from orchestration.defs.resources import DBT_PROJECT_DIR, dlt_pipeline

    settings = Settings(warehouse=tmp_path / "w.duckdb", duckdb_memory_limit="512MB")
    with dlt_pipeline(settings, "plans").sql_client() as client:
        (limit,) = client.execute_sql("select current_setting('memory_limit')")[0]
    assert limit == "488.2 MiB"  # DuckDB's way of saying 512 MB
    profile = yaml.safe_load((DBT_PROJECT_DIR / "profiles.yml").read_text(encoding="utf-8"))
    settings = profile["klimamonitor"]["outputs"]["warehouse"]["settings"]
    assert "env_var('KLIMAMONITOR_DUCKDB_MEMORY_LIMIT', '1GB')" in settings["memory_limit"]


# --- one demo warehouse, operated -----------------------------------------------------------


@pytest.fixture(scope="module")
def operated(demo_run, demo_folder, tmp_path_factory):
    """A copy of the demo folder in which StatBank updated BIL54 three days ago (FOLK1A still in
    February 2025) and the newest emissions release is a month old; a copy of the session's
    warehouse and instance, into which the sources are loaded again (their assets and checks,
    in-process): the models stay as the session's run built them."""
    from orchestration.definitions import build_defs

    root = tmp_path_factory.mktemp("operated")
    folder = shutil.copytree(demo_folder, root / "sources")
    now = datetime.now(UTC)
    info_path = folder / "statbank" / "tableinfo" / "BIL54.json"
    info = json.loads(info_path.read_text(encoding="utf-8"))
    info["updated"] = (now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S")
    info_path.write_text(json.dumps(info), encoding="utf-8")
    releases = sorted((folder / "klimaregnskab").iterdir())
    releases[-1].rename(releases[-1].with_name((now - timedelta(days=30)).date().isoformat()))
    workdir = shutil.copytree(demo_run[0], root / "work", symlinks=True)
    env = pipeline_env(folder, workdir)
    defs = build_defs(Settings(source=str(folder), warehouse=workdir / "klimamonitor.duckdb"))
    raw = [k for k in defs.resolve_all_asset_keys() if k.path[0] in RAW_DATASETS]
    with instance_for(workdir) as instance:
        loaded = defs.resolve_job_def("nightly_refresh").execute_in_process(
            instance=instance, asset_selection=raw, raise_on_error=False
        )
    assert_succeeded(loaded)
    return folder, workdir, env


RAW_DATASETS = ("statbank", "klimaregnskab", "plans")


@pytest.fixture
def operated_env(operated, monkeypatch):
    folder, workdir, env = operated
    for key in ("KLIMAMONITOR_SOURCE", "KLIMAMONITOR_WAREHOUSE", "DAGSTER_HOME"):
        monkeypatch.setenv(key, env[key])
    return operated


def _query(workdir: Path, sql: str):
    con = duckdb.connect(str(workdir / "klimamonitor.duckdb"), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def _tick(cursor: str | None):
    from orchestration.defs.ingest.sensors import inbox_sensor

    context = dg.build_sensor_context(cursor=cursor)
    result = inbox_sensor(Settings.from_env())(context)
    return result, context.cursor


def test_a_new_or_changed_plan_file_asks_for_the_plans_job(operated_env):
    """The sensor's ticks: before the first, what the nightly run loaded counts as seen; a new
    file asks for the plans job with the file in its tags, once; a changed file (its size
    differs) is news again. The run it asks for, beside the nightly run, is in the troubled
    night (tests/test_crash_safety.py)."""
    folder, _, _ = operated_env
    inbox = folder / "plans" / "inbox"
    result, cursor = _tick(None)
    assert isinstance(result, dg.SkipReason) and "none new or changed" in result.skip_message

    new = inbox / NEW_STATUS_FILE
    new.write_text(
        "municipality_code,plan_version,action_id,status,status_date,comment\n"
        "147,1,K147-TRA03,in_progress,2026-10-01,planned -> in_progress\n",
        encoding="utf-8",
    )
    try:
        request, cursor = _tick(cursor)
        assert isinstance(request, dg.RunRequest)
        assert request.tags["klimamonitor/plan_files"] == NEW_STATUS_FILE
        assert request.tags["klimamonitor/plan_file_count"] == "1"
        unchanged, cursor = _tick(cursor)
        assert isinstance(unchanged, dg.SkipReason)
        with new.open("a", encoding="utf-8") as f:
            f.write("147,1,K147-ENE05,done,2026-10-01,\n")
        changed, _ = _tick(cursor)
        assert isinstance(changed, dg.RunRequest)
        assert changed.tags["klimamonitor/plan_files"] == NEW_STATUS_FILE
    finally:
        new.unlink()


def _latest(instance: dg.DagsterInstance, key: list[str]) -> dict:
    event = instance.get_latest_materialization_event(dg.AssetKey(key))
    assert event is not None, key
    return event.asset_materialization.metadata


def test_the_plan_register_page_shows_the_files_of_the_load(operated_env):
    """The plans asset's register page in Dagster lists the files the load read or withdrew,
    each with what became of it: the receipt a data engineer sees."""
    instance = dg.DagsterInstance.get()
    register = _latest(instance, ["plans", "inbox_files"])
    receipts = register["receipts"].value
    files = register["files_this_load"].value
    assert files >= 0
    if files:
        assert receipts.splitlines()[0] == "| file | status | read as | rows | rejections |"
        assert len(receipts.splitlines()) == 2 + files
    else:
        assert "No file in the inbox is new, changed or withdrawn." in receipts


def test_asset_pages_show_rows_schema_preview_and_headlines(operated_env):
    folder, workdir, env = operated_env
    instance = dg.DagsterInstance.get()

    raw = _latest(instance, ["statbank", "bil54"])
    assert (
        raw["dagster/row_count"].value
        == _query(workdir, "select count(*) from statbank.bil54")[0][0]
    )
    assert "| omraade |" in raw["preview"].value.splitlines()[0]
    assert len(raw["preview"].value.splitlines()) == 2 + 5 + 2  # header, rule, 5 rows, note

    mart = _latest(instance, ["marts", "mart_municipality_progress"])
    manifest = json.loads((PROJECT_ROOT / "transform/target/manifest.json").read_text())
    node = manifest["nodes"]["model.klimamonitor.mart_municipality_progress"]
    columns = {c.name: c for c in mart["dagster/column_schema"].value.columns}
    assert set(columns) == set(node["columns"])
    for name, column in node["columns"].items():
        assert columns[name].description == column["description"]
    assert columns["year"].type == "INTEGER"
    assert (
        mart["dagster/row_count"].value
        == _query(workdir, "select count(*) from marts.mart_municipality_progress")[0][0]
    )

    (year, total, off_track) = _query(
        workdir,
        "select year, emissions_t, municipalities_off_track from marts.mart_national_progress "
        "where emissions_t is not null order by year desc limit 1",
    )[0]
    counted = _query(
        workdir,
        f"select count(*) from marts.mart_municipality_progress "
        f"where year = {year} and status = 'off_track'",
    )[0][0]
    assert counted == off_track
    for key in (["marts", "mart_municipality_progress"], ["marts", "mart_sector_gap"]):
        page = _latest(instance, key)
        assert page["headline_year"].value == year
        assert page["headline_municipalities_off_track"].value == counted
        assert abs(page["headline_national_emissions_t"].value - total) < 0.5
        assert f"{counted} are off track" in page["headline"].value
        assert "DEMO DATA" in page["headline"].value
    assert "headline" not in _latest(instance, ["core", "fct_emissions"])


def test_freshness_fails_a_stale_source_as_a_check_and_in_dbt(operated_env, tmp_path):
    folder, workdir, env = operated_env
    instance = dg.DagsterInstance.get()
    run = next(r for r in instance.get_runs(limit=10) if r.job_name == "nightly_refresh")
    outcomes = {
        (e.asset_key.to_user_string(), e.check_name): e
        for e in (
            r.event_log_entry.dagster_event.event_specific_data
            for r in instance.get_records_for_run(
                run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=10_000
            ).records
        )
    }
    freshness = {a: e for (a, name), e in outcomes.items() if name == "freshness_check"}
    assert set(freshness) == {
        "statbank/folk1a",
        "statbank/bil54",
        "statbank/bil53",
        "statbank/bol102",
        "klimaregnskab/noegletal",
    }
    assert freshness["statbank/bil54"].passed  # updated three days ago, monthly
    assert freshness["klimaregnskab/noegletal"].passed  # released a month ago, yearly
    for stale in ("statbank/folk1a", "statbank/bil53", "statbank/bol102"):
        assert (
            not freshness[stale].passed and freshness[stale].severity == dg.AssetCheckSeverity.WARN
        )
        # measured by StatBank's own update time (the demo's 2025-02-11 08:00 Copenhagen)
        updated = freshness[stale].metadata["dagster/last_updated_timestamp"].value
        assert updated == datetime(2025, 2, 11, 7, tzinfo=UTC).timestamp()

    dbt = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "source",
            "freshness",
            "--target-path",
            str(tmp_path / "target"),
        ],
        cwd=PROJECT_ROOT / "transform",
        env=env,
        capture_output=True,
        text=True,
    )
    results = json.loads((tmp_path / "target" / "sources.json").read_text())["results"]
    status = {r["unique_id"].split(".", 2)[2]: r["status"] for r in results}
    assert status == {
        "statbank.folk1a": "error",
        "statbank.bil54": "pass",
        "statbank.bil53": "error",
        "statbank.bol102": "error",
        "klimaregnskab.noegletal": "pass",
    }, dbt.stdout[-2000:]
    assert dbt.returncode != 0  # a stale source is not silence


# --- the failure alert ----------------------------------------------------------------------


class _Webhook(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - the name http.server calls
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append(
            {"content_type": self.headers["Content-Type"], "body": json.loads(body)}
        )
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def failed_plans_run(repo, tmp_path, monkeypatch):
    """The plans job run on a source folder without its inbox: its first step fails."""
    from orchestration.definitions import build_defs

    empty = tmp_path / "no-such-folder"
    empty.mkdir()
    settings = Settings(source=str(empty), warehouse=tmp_path / "klimamonitor.duckdb")
    instance = dg.DagsterInstance.ephemeral()
    result = (
        build_defs(settings)
        .resolve_job_def("plans_refresh")
        .execute_in_process(instance=instance, raise_on_error=False)
    )
    assert not result.success
    return instance, result


def _alert(repo, instance, result):
    from orchestration.defs.alerts import run_failure_alert

    run = instance.get_run_by_id(result.run_id)
    failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=run,
        repository_def=repo,
    ).for_run_failure()
    return run_failure_alert(context)


def test_a_failed_run_is_sent_to_the_webhook(repo, failed_plans_run, monkeypatch):
    instance, result = failed_plans_run
    _Webhook.received = []
    server = HTTPServer(("127.0.0.1", 0), _Webhook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv(
            "KLIMAMONITOR_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_port}/hook"
        )
        _alert(repo, instance, result)
    finally:
        server.shutdown()
        server.server_close()
    assert len(_Webhook.received) == 1
    received = _Webhook.received[0]
    assert received["content_type"].startswith("application/json")
    body = received["body"]
    assert body["job"] == "plans_refresh" and body["run_id"] == result.run_id
    (failure,) = body["failures"]
    assert failure["step"] == "plans"
    assert {"plans/plans", "plans/plan_actions", "plans/inbox_files"} <= set(failure["assets"])
    assert "no-such-folder" in failure["error"]
    # Slack's shape: a text, and blocks whose sections carry mrkdwn
    assert f"run {result.run_id[:8]} of job plans_refresh failed" in body["text"]
    assert "no-such-folder" in body["text"]
    assert body["blocks"][0]["type"] == "header"
    assert (
        body["blocks"][1]["text"]["type"] == "mrkdwn"
        and "`plans`" in body["blocks"][1]["text"]["text"]
    )


def test_without_a_webhook_the_alert_is_only_logged(repo, failed_plans_run, monkeypatch, caplog):
    instance, result = failed_plans_run
    monkeypatch.delenv("KLIMAMONITOR_ALERT_WEBHOOK", raising=False)
    with caplog.at_level("WARNING"):
        _alert(repo, instance, result)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "KLIMAMONITOR_ALERT_WEBHOOK is not set" in logged
    assert "plans_refresh" in logged and "no-such-folder" in logged
