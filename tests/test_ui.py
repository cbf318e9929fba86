"""The Dagster UI in a real browser: `dagster dev` on 127.0.0.1 over the warehouse and instance
of the troubled night (tests/night.py), opened in headless Chromium. Every asset of the
definitions snapshot is drawn in the global lineage, a dbt mart's lineage reaches back to the dlt
tables, and the schedule and sensors are listed; the night's run of `make run` shows under the
code location, in the job's history, and re-executes from there. Screenshots go to
test-artifacts/ui/; the server is stopped by its process id.

Every wait is on a condition (a page element, a run's status), with deadlines of minutes, for a
busy machine."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import dagster as dg
import pytest

from tests.conftest import PROJECT_ROOT, pipeline_env

pytestmark = pytest.mark.e2e

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "ui"
SNAPSHOT = PROJECT_ROOT / "tests" / "snapshots" / "definitions.txt"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dagster_ui(troubled_night, tmp_path_factory):
    """`dagster dev` over a copy of the troubled night's warehouse and instance (so the daemon's
    sensors touch nothing another test reads); yields its URL and the night, stops it by its
    process id."""
    workdir = tmp_path_factory.mktemp("ui")
    shutil.copytree(
        troubled_night.workdir,
        workdir,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("*.wal"),
    )
    port = _free_port()
    log = (workdir / "dagster-dev.log").open("w")
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster"),
            "dev",
            "-m",
            "orchestration.definitions",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=PROJECT_ROOT,
        env=pipeline_env(troubled_night.sources, workdir),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the webserver, daemon and code server
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{url}/server_info", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dagster dev did not come up:\n{_tail(workdir / 'dagster-dev.log')}")
            time.sleep(1)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        yield url, troubled_night
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    assert server.returncode is not None


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:]


def _snapshot_assets() -> list[str]:
    return [
        line.split(" ", 2)[1]
        for line in SNAPSHOT.read_text().splitlines()
        if line.startswith("asset ")
    ]


def _drawn(label: str, name: str) -> bool:
    """Whether a node's label shows the asset `name`: whole, or cut in the middle with `…`."""
    if "…" not in label:
        return label == name
    head, tail = label.split("…", 1)
    return name.startswith(head) and name.endswith(tail) and len(name) >= len(head) + len(tail)


def _node_labels(page) -> list[str]:
    """Each drawn node's name: the full name its tooltip holds, or, drawn small, its text."""
    return [
        (text or "").strip()
        for text in page.locator("foreignObject").evaluate_all(
            "ns => ns.map(n => { const t = n.querySelector('[data-tooltip]');"
            " return t ? t.getAttribute('data-tooltip') : n.textContent; })"
        )
    ]


def _missing(labels: list[str], names: list[str]) -> list[str]:
    """The names no drawn node shows, each node standing for one name."""
    labels, missing = list(labels), []
    for name in names:
        match = next((label for label in labels if _drawn(label, name)), None)
        if match is None:
            missing.append(name)
        else:
            labels.remove(match)
    return missing


def _wait_until_drawn(page, names: list[str], timeout_s: float = 600) -> list[str]:
    """Polls the drawn nodes every half second until every name shows, or the time is up;
    returns what is still missing. The graph lays out in steps and draws only what is in view:
    while the drawing changes, it waits; when the drawing holds still with names missing, it
    zooms out a step, but never past the step that drew the most names (further out, the graph
    draws fewer nodes or none): a zoom-out that draws fewer is taken back, and zooming ends."""
    deadline = time.monotonic() + timeout_s
    previous: list[str] | None = None
    most_drawn, zooming = -1, True
    while True:
        labels = sorted(_node_labels(page))
        missing = _missing(labels, names)
        if not missing or time.monotonic() > deadline:
            return missing
        if zooming and labels == previous:
            drawn = len(names) - len(missing)
            if drawn >= most_drawn:
                most_drawn = drawn
                _zoom(page, "zoom_out")
            else:
                _zoom(page, "zoom_in")
                zooming = False
        previous = labels
        page.wait_for_timeout(500)


def _open_graph(browser, url: str):
    page = browser.new_page(viewport={"width": 4000, "height": 5400})
    _dismiss_the_first_visit_dialog(page)
    page.goto(url)  # the UI polls the server for ever: its network is never idle
    page.locator("foreignObject").first.wait_for()
    return page


def _dismiss_the_first_visit_dialog(page) -> None:
    """Long waits for a busy machine (the conditions, not the clock, end them), and the first
    visit's newsletter dialog skipped whenever it appears: on a busy machine it can come after
    the graph, and its backdrop then takes the clicks meant for the page."""
    page.set_default_timeout(600_000)
    page.add_locator_handler(
        page.get_by_role("button", name="Skip"), lambda skip: skip.click(), no_wait_after=True
    )


def _zoom(page, button: str) -> None:
    """One step of the graph's zoom_out or zoom_in button."""
    page.locator(f'[aria-label="{button}"]').last.click()


def test_every_asset_of_the_snapshot_is_drawn(browser, dagster_ui):
    url, _ = dagster_ui
    page = _open_graph(browser, f"{url}/asset-groups")
    page.locator('[aria-label="settings"]').last.click()
    page.get_by_role("menuitem", name="Expand all groups").click()
    page.keyboard.press("Escape")
    expected = _snapshot_assets()
    assert len(expected) > 50
    missing = _wait_until_drawn(page, [key.split("/")[-1] for key in expected])
    page.screenshot(path=str(ARTIFACTS / "global-lineage.png"))
    assert not missing, f"not drawn: {missing}"
    page.close()


def test_a_dbt_mart_shows_its_dlt_ancestors(browser, dagster_ui):
    url, _ = dagster_ui
    page = _open_graph(
        browser,
        f"{url}/assets/marts/mart_municipality_progress"
        "?view=lineage&lineageScope=upstream&lineageDepth=10",
    )
    from orchestration.definitions import defs

    graph = defs.get_repository_def().asset_graph
    mart = dg.AssetKey(["marts", "mart_municipality_progress"])
    dlt_ancestors = sorted(
        key.path[-1]
        for key in graph.upstream_key_iterator(mart)
        if (graph.get(key).group_name or "").startswith("raw_")
    )
    assert {"noegletal", "folk1a", "areas", "plans", "inbox_files"} <= set(dlt_ancestors)
    missing = _wait_until_drawn(page, ["mart_municipality_progress", *dlt_ancestors])
    page.screenshot(path=str(ARTIFACTS / "mart-lineage.png"))
    assert not missing, f"not drawn upstream of the mart: {missing}"
    page.close()


def test_the_schedule_and_the_sensors_are_listed(browser, dagster_ui):
    url, _ = dagster_ui
    page = browser.new_page(viewport={"width": 1600, "height": 1200})
    _dismiss_the_first_visit_dialog(page)
    page.goto(f"{url}/automation")
    for name in (
        "nightly_refresh_0200",
        "plan_inbox_sensor",
        "run_failure_alert",
        "freshness_checks_sensor",
    ):
        page.get_by_text(name, exact=True).first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "automation.png"), full_page=True)
    page.close()


RUN = """
query Run($runId: ID!) {
  runOrError(runId: $runId) {
    ... on Run { runId status jobName repositoryOrigin { repositoryLocationName repositoryName } }
  }
}
"""
JOB_RUNS = """
query JobRuns($location: String!, $repository: String!) {
  pipelineOrError(params: {pipelineName: "nightly_refresh", repositoryName: $repository,
                           repositoryLocationName: $location}) {
    ... on Pipeline { runs(limit: 20) { runId } }
  }
}
"""
REEXECUTE = """
mutation ReExecute($parentRunId: String!) {
  launchPipelineReexecution(reexecutionParams: {parentRunId: $parentRunId,
                                                strategy: ALL_STEPS}) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
  }
}
"""


def _graphql(url: str, query: str, **variables) -> dict:
    body = json.dumps({"query": query, "variables": variables}).encode()
    request = urllib.request.Request(
        f"{url}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=120) as answer:
        return json.loads(answer.read())["data"]


def _finished(url: str, run_id: str, deadline_s: float = 900) -> dict:
    deadline = time.monotonic() + deadline_s
    while (run := _graphql(url, RUN, runId=run_id)["runOrError"]).get("status") not in (
        "SUCCESS",
        "FAILURE",
        "CANCELED",
    ):
        assert "status" in run, f"no run {run_id} in the UI: {run}"
        assert time.monotonic() < deadline, run
        time.sleep(1)
    return run


def test_a_run_of_make_run_is_in_the_ui_and_re_executes(dagster_ui):
    """The night's run of `make run`, in the instance `dagster dev` shows: it belongs to the code
    location, is in the job's history, and its re-execution from there succeeds."""
    url, night = dagster_ui
    assert night.nightly.returncode == 0, night.nightly.stdout[-3000:]
    run_id = night.nightly_run_id
    run = _finished(url, run_id)
    origin = run["repositoryOrigin"]
    assert run["status"] == "SUCCESS" and origin, run
    history = _graphql(
        url,
        JOB_RUNS,
        location=origin["repositoryLocationName"],
        repository=origin["repositoryName"],
    )["pipelineOrError"]["runs"]
    assert run_id in {r["runId"] for r in history}
    launched = _graphql(url, REEXECUTE, parentRunId=run_id)["launchPipelineReexecution"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    assert _finished(url, launched["run"]["runId"])["status"] == "SUCCESS"
