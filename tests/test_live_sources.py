"""The live paths against a replay of the services on 127.0.0.1.

- The live mode, pointed at a replay of the real answers in ../shared/data (a snapshot folder
  built by tests/real_folder.py), runs the whole pipeline to the real totals, with the API key
  sent but never written anywhere, and publishes the 2030 outlook with the municipalities'
  published targets and their sources.
- Against a replay of the demo folder, source by source: incremental periods, live vintages,
  and each injected fault, which ends in a recovered load or a clear error that names the source,
  the request and the field while the warehouse keeps what it had; in Dagster, the StatBank
  step is retried when waiting can mend it (a service down), not when it cannot (a bad answer).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion.configured import SOURCES
from ingestion.settings import Settings
from orchestration.defs.resources import dlt_pipeline
from tests.conftest import (
    PROJECT_ROOT,
    SHARED_DATA,
    assert_succeeded,
    pipeline_env,
    requires_shared,
    run_in_process,
)
from tests.real_folder import build_real_folder
from tests.replay import API_KEY, Replay, ReplayServer

pytestmark = pytest.mark.e2e

NATIONAL_2023_T = 34_039_454  # to the tonne: the figures' exact sum is 34,039,453.5
KOBENHAVN_2023_T = 867_436.9


def _totals(warehouse: Path) -> tuple[float, float]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        national = con.sql(
            "select emissions_t from marts.mart_national_progress where year = 2023"
        ).fetchall()[0][0]
        kbh = con.sql(
            "select emissions_t from marts.mart_municipality_progress "
            "where municipality_code = '101' and year = 2023"
        ).fetchall()[0][0]
    finally:
        con.close()
    return national, kbh


@pytest.fixture(scope="module")
def real_folder(tmp_path_factory) -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"the real data in {SHARED_DATA} is absent")
    return build_real_folder(SHARED_DATA, tmp_path_factory.mktemp("real") / "sources")


def _assert_outlook_on_real_targets(published: Path) -> None:
    """The published marts carry the outlook of every municipality, the published target and its
    source where there is one, and the reason where there is none; a 2030 target in tonnes exactly
    where the source gives a % and a baseline year."""
    with (SHARED_DATA / "reference" / "plan_targets_published.csv").open(encoding="utf-8") as f:
        sourced = {r["kommunekode"]: r for r in csv.DictReader(f)}
    with_tonnes = {c for c, r in sourced.items() if r["target_2030_pct"] and r["baseline_year"]}
    con = duckdb.connect(str(published), read_only=True)
    try:
        rows = con.sql(
            """select municipality_code, method_code, target_origin, source_url, target_2030_t,
                      target_missing_reason_da, projected_2030_t, point_source_2030_t, method_note
               from marts.mart_outlook"""
        ).fetchall()
        national = dict(
            con.sql(
                "select method_code, projected_2030_t from marts.mart_national_outlook"
            ).fetchall()
        )
    finally:
        con.close()
    assert len(rows) == 98 * 3
    for code, method, origin, url, target_t, reason_da, projected, point_source, note in rows:
        assert projected is not None, (code, method)
        if code in sourced:
            assert origin == "published" and url and url in sourced[code]["source_url"], code
        else:
            assert origin is None and reason_da == "ingen offentliggjort målsætning", code
        assert (target_t is not None) == (code in with_tonnes), code
        assert (point_source is not None) == (code == "851"), code  # Aalborg's cement only
        if code == "825" and method == "log_linear":  # Læsø: land use below zero
            assert note and "linear" in note
    # Per sector, the conservative trend is the higher of two lines, each at least the linear.
    assert national["conservative"] >= national["linear"]


@requires_shared
@pytest.mark.e2e
def test_live_run_against_a_replay_of_the_real_answers(real_folder, tmp_path, capfd):
    replay = Replay(real_folder)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with ReplayServer(replay) as server:
        env = {**server.env(), "SOURCES__PLANS__INBOX_URL": str(inbox)}
        assert_succeeded(run_in_process("live", tmp_path, env))
        asked_first = len(replay.log)
        # the next night the services answer as they did: nothing new is built
        second = run_in_process("live", tmp_path, env)
        assert_succeeded(second)
    built = {e.asset_key.path[0] for e in second.get_asset_materialization_events()}
    assert not built & {"staging", "intermediate", "core", "marts", "published"}, built
    output = capfd.readouterr()
    warehouse = tmp_path / "klimamonitor.duckdb"
    national, kbh = _totals(warehouse)
    assert national == pytest.approx(NATIONAL_2023_T, abs=0.5 + 1e-6)
    assert kbh == pytest.approx(KOBENHAVN_2023_T, abs=0.05)
    con = duckdb.connect(str(warehouse), read_only=True)
    assert con.sql(
        "select distinct data_origin from marts.mart_municipality_progress"
    ).fetchall() == [("live",)]
    con.close()

    emissions = [r for r in replay.log if r["path"] == "/api/municipality-data"]
    statbank = [r for r in replay.log if r["path"].startswith("/v1/")]
    assert emissions and all(r["has_key"] for r in emissions)
    assert not any(r["has_key"] for r in statbank)
    assert {r["query"]["type"][0] for r in emissions} == {"Nøgletal"}
    asked = {(r["query"]["municipality"][0], r["query"]["year"][0]) for r in emissions}
    assert len({m for m, _ in asked}) == 98 and "411" not in {m for m, _ in asked}
    # the second night asks StatBank for the last period loaded only
    for request in [r for r in replay.log[asked_first:] if r["path"] == "/v1/data"]:
        tid = next(v["values"] for v in request["body"]["variables"] if v["code"] == "Tid")
        assert len(tid) == 1, request["body"]

    _assert_outlook_on_real_targets(tmp_path / "published" / "klimamonitor.duckdb")

    # the key is sent, and written nowhere: not in the output, the warehouse or dlt's state
    assert API_KEY not in output.out + output.err
    for path in [p for p in tmp_path.rglob("*") if p.is_file() and p.parent != inbox]:
        assert API_KEY.encode() not in path.read_bytes(), path


# -- against a replay of the demo folder, one source at a time --------------------------------


@pytest.fixture
def live(monkeypatch, tmp_path, demo_folder):
    """A replay of a copy of the demo folder, the environment pointed at it, and `ingest(name)`,
    which loads one source into this test's warehouse and returns the load info."""
    folder = shutil.copytree(demo_folder, tmp_path / "service")
    replay = Replay(folder, release="2025-06-30")
    with ReplayServer(replay) as server:
        for key, value in server.env().items():
            monkeypatch.setenv(key, value)
        settings = Settings(source="live", warehouse=tmp_path / "klimamonitor.duckdb")

        def ingest(name: str, **kwargs):
            return dlt_pipeline(settings, name).run(SOURCES[name](settings, **kwargs))

        yield replay, ingest, tmp_path / "klimamonitor.duckdb"


def _query(warehouse: Path, sql: str):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def _content(warehouse: Path, table: str) -> tuple:
    """A table's row count and a hash of its rows, to see that a failed run changed nothing."""
    columns = [
        c
        for (c,) in _query(
            warehouse,
            f"select column_name from information_schema.columns where table_schema || '.' || "
            f"table_name = '{table}' and column_name not like '_dlt%'",
        )
    ]
    return _query(warehouse, f"select count(*), sum(hash({', '.join(columns)})) from {table}")[0]


def _tid(request: dict) -> list[str]:
    return next(v["values"] for v in request["body"]["variables"] if v["code"] == "Tid")


def test_statbank_asks_only_for_periods_it_does_not_have(live):
    replay, ingest, warehouse = live
    replay.published_until = {
        "FOLK1A": "2023K4",
        "BIL54": "2023M12",
        "BIL53": "2023M12",
        "BOL102": "2023",
    }
    ingest("statbank")
    first = [r for r in replay.log if r["path"] == "/v1/data"]
    assert {r["body"]["table"] for r in first} == {"FOLK1A", "BIL54", "BIL53", "BOL102"}
    bil54 = next(r for r in first if r["body"]["table"] == "BIL54")
    assert _tid(bil54)[0] == "2018M01" and _tid(bil54)[-1] == "2023M12"
    assert bil54["body"]["format"] == "BULK" and bil54["body"]["valuePresentation"] == "Code"
    assert _query(warehouse, "select max(tid) from statbank.bil54") == [("2023M12",)]

    replay.published_until = {}  # StatBank publishes 2024
    replay.log.clear()
    ingest("statbank")
    second = {r["body"]["table"]: _tid(r) for r in replay.log if r["path"] == "/v1/data"}
    assert second["BIL54"] == ["2023M12"] + [f"2024M{m:02d}" for m in range(1, 13)]
    assert second["FOLK1A"] == ["2023K4", "2024K1", "2024K2", "2024K3", "2024K4"]
    assert second["BOL102"] == ["2023", "2024"]
    assert _query(warehouse, "select count(distinct tid), max(tid) from statbank.bil54") == [
        (84, "2024M12")
    ]


def test_emissions_answers_that_change_are_new_vintages(live):
    replay, ingest, warehouse = live
    ingest("klimaregnskab", today="2025-07-01")
    first = _query(
        warehouse,
        "select count(distinct municipality_code || year), min(release), max(release) "
        "from klimaregnskab.noegletal",
    )
    assert first == [(98 * 6, "2025-07-01", "2025-07-01")]  # 2018-2023; 2024 not published

    replay.release = "2026-06-30"  # the agency restates 2021-2023 and adds 2024
    ingest("klimaregnskab", today="2026-07-01")
    per_year = dict(
        _query(
            warehouse,
            "select year, count(distinct municipality_code) from klimaregnskab.noegletal "
            "where release = '2026-07-01' group by year",
        )
    )
    assert set(per_year) == {2021, 2022, 2023, 2024}  # 2018-2020 unchanged: no new vintage
    assert per_year[2024] == 98

    replay.log.clear()
    info = ingest("klimaregnskab", today="2026-07-02")  # asked again, nothing changed
    assert len([r for r in replay.log if r["path"] == "/api/municipality-data"]) == 98 * 8
    assert _query(
        warehouse, "select count(*) from klimaregnskab.noegletal where release = '2026-07-02'"
    ) == [(0,)]
    assert info.has_failed_jobs is False


@pytest.mark.parametrize(
    ("source", "fault_path", "faults", "recovers"),
    [
        ("statbank", "/v1/tableinfo", ["timeout"], True),
        ("statbank", "/v1/data", ["500", "500"], True),
        ("klimaregnskab", "/api/municipality-data", ["429"], True),
        ("statbank", "/v1/data", ["timeout", "timeout", "timeout"], False),
    ],
    ids=["timeout-then-answer", "500-twice", "429-retry-after", "timeout-every-attempt"],
)
def test_transient_faults_are_retried(live, source, fault_path, faults, recovers):
    replay, ingest, warehouse = live
    replay.faults = [(fault_path, f) for f in faults]
    if recovers:
        ingest(source, **({"today": "2025-07-01"} if source == "klimaregnskab" else {}))
        assert not replay.faults  # every fault was met, and the load went through
        table = "statbank.bil54" if source == "statbank" else "klimaregnskab.noegletal"
        assert _query(warehouse, f"select count(*) > 0 from {table}") == [(True,)]
        if faults == ["429"]:
            hit = [r for r in replay.log if r["path"] == fault_path]
            first, retry = hit[0], next(r for r in hit[1:] if r["query"] == hit[0]["query"])
            assert retry["at"] - first["at"] >= 1.0  # waited as Retry-After: 1 said
    else:
        with pytest.raises(PipelineStepFailed) as failed:
            ingest(source)
        message = str(failed.value)
        assert "statbank POST http://127.0.0.1" in message and "/v1/data" in message
        assert "no answer after retries" in message and "Timeout" in message


@pytest.mark.parametrize(
    ("source", "fault_path", "fault", "expected"),
    [
        (
            "klimaregnskab",
            "/api/municipality-data",
            "malformed",
            r"klimaregnskab GET http://127\.0\.0\.1:\d+/api/municipality-data\?municipality=\d+"
            r"&year=\d+&type=Nøgletal: the answer is not JSON",
        ),
        (
            "statbank",
            "/v1/tableinfo",
            "empty",
            r"statbank POST http://127\.0\.0\.1:\d+/v1/tableinfo: the answer is empty",
        ),
        (
            "statbank",
            "/v1/data",
            "extra_column",
            r"statbank (\w+) POST /v1/data \1 Tid [\w.]+: unexpected columns in the CSV: "
            r"\['ekstra'\]",
        ),
        (
            "statbank",
            "/v1/data",
            "unknown_code",
            r"statbank (\w+) POST /v1/data \1 Tid [\w.]+: line 3, field (OMRÅDE|AMT): "
            r"unknown area code '999'",
        ),
    ],
    ids=["malformed-json", "empty-body", "extra-csv-column", "unknown-area-code"],
)
def test_bad_answers_are_clear_errors_and_the_warehouse_keeps_its_content(
    live, source, fault_path, fault, expected
):
    replay, ingest, warehouse = live
    kwargs = {"today": "2025-07-01"} if source == "klimaregnskab" else {}
    ingest(source, **kwargs)  # a good night first
    tables = (
        ["statbank.folk1a", "statbank.bil54", "statbank.bil53", "statbank.bol102"]
        if source == "statbank"
        else ["klimaregnskab.noegletal"]
    )
    before = [_content(warehouse, t) for t in tables]
    replay.faults = [(fault_path, fault)]
    with pytest.raises(PipelineStepFailed, match=expected):
        ingest(source, **({"today": "2026-07-01"} if kwargs else {}))
    assert [_content(warehouse, t) for t in tables] == before


def test_a_missing_api_key_stops_before_any_request(live, monkeypatch):
    replay, ingest, warehouse = live
    monkeypatch.delenv("KLIMAREGNSKAB_API_KEY")
    with pytest.raises(Exception, match="klimaregnskab: no API key: set KLIMAREGNSKAB_API_KEY"):
        ingest("klimaregnskab")
    assert not [r for r in replay.log if r["path"] == "/api/municipality-data"]


def test_a_wrong_api_key_names_the_request_and_the_answer(live, monkeypatch):
    replay, ingest, warehouse = live
    monkeypatch.setenv("KLIMAREGNSKAB_API_KEY", "not-the-key")
    with pytest.raises(PipelineStepFailed, match=r"HTTP 401 Unauthorized: Unauthorized") as err:
        ingest("klimaregnskab")
    assert "not-the-key" not in str(err.value)


def test_plan_inbox_reads_only_new_or_changed_files(live, tmp_path, monkeypatch, demo_folder):
    replay, ingest, warehouse = live
    inbox = tmp_path / "inbox"
    shutil.copytree(demo_folder / "plans" / "inbox", inbox)
    monkeypatch.setenv("SOURCES__PLANS__INBOX_URL", str(inbox))
    ingest("plans")
    files = _query(warehouse, "select count(*) from plans.inbox_files")[0][0]
    assert files == len(list(inbox.iterdir()))

    def loads():
        return _query(warehouse, "select _dlt_load_id, count(*) from plans.inbox_files group by 1")

    ingest("plans")  # nothing new: no file is read again
    assert len(loads()) == 1

    time.sleep(0.01)
    changed = sorted(inbox.glob("*_targets.csv"))[0]
    changed.write_bytes(changed.read_bytes() + b"\n")
    ingest("plans")
    latest = max(loads())
    assert latest[1] == 1  # the changed file, and only it
    assert _query(
        warehouse,
        f"select source_file from plans.inbox_files where _dlt_load_id = '{latest[0]}'",
    ) == [(changed.name,)]


# --- the live StatBank step's retries in Dagster -----------------------------------------------

_MATERIALIZE_STATBANK = """
import dagster as dg
from orchestration.definitions import defs
keys = [k for k in defs.resolve_all_asset_keys() if k.path[0] == "statbank"]
job = defs.resolve_implicit_global_asset_job_def()
result = job.execute_in_process(asset_selection=keys, instance=dg.DagsterInstance.get(),
                                raise_on_error=False)
events = [e.event_type_value for e in result.all_events]
print("RESULT", result.success, events.count("STEP_UP_FOR_RETRY"))
"""


@pytest.mark.parametrize(
    ("faults", "success", "retries"),
    [
        (["timeout"] * 3, True, 1),  # dlt's three attempts fail; Dagster's first retry answers
        (["extra_column"], False, 0),  # a bad answer: an error at once, no retry
    ],
    ids=["service-down-then-back", "bad-answer"],
)
def test_live_statbank_step_retries_only_what_waiting_can_mend(
    demo_folder, tmp_path, faults, success, retries
):
    folder = shutil.copytree(demo_folder, tmp_path / "service")
    replay = Replay(folder, release="2025-06-30")
    replay.faults = [("/v1/tableinfo" if f == "timeout" else "/v1/data", f) for f in faults]
    with ReplayServer(replay) as server:
        env = {
            **pipeline_env("live", tmp_path),
            **server.env(),
            "KLIMAMONITOR_SOURCE_RETRY_DELAY_S": "0.5",
        }
        done = subprocess.run(
            [sys.executable, "-c", _MATERIALIZE_STATBANK],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT")), "")
    assert line == f"RESULT {success} {retries}", done.stdout[-2000:] + done.stderr[-3000:]
    assert not replay.faults
