"""The Dagster UI in a real browser: `dagster dev` on 127.0.0.1 over a warehouse after one run,
opened in headless Chromium. Every asset of the definitions snapshot is drawn in the global
lineage, a dbt mart's lineage reaches back to the dlt tables, and the schedule and sensors are
listed. Screenshots go to test-artifacts/ui/; the server is stopped by its process id."""

from __future__ import annotations

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

pytestmark = pytest.mark.slow

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "ui"
SNAPSHOT = PROJECT_ROOT / "tests" / "snapshots" / "definitions.txt"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dagster_ui(demo_run, demo_folder, tmp_path_factory):
    """`dagster dev` over a copy of the demo run's warehouse and instance (so the daemon's
    sensors touch nothing another test reads); yields its URL, stops it by its process id."""
    source, _ = demo_run
    workdir = tmp_path_factory.mktemp("ui")
    shutil.copytree(source, workdir, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.wal"))
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
        env=pipeline_env(demo_folder, workdir),
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
        yield url
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


def _wait_until_drawn(page, names: list[str], timeout_s: float = 90) -> list[str]:
    """Zooms out until every name is drawn (the graph draws only what is in view, and lays out
    in steps), or the time is up; returns what is still missing."""
    deadline = time.monotonic() + timeout_s
    _zoom_out(page)
    while (missing := _missing(_node_labels(page), names)) and time.monotonic() < deadline:
        _zoom_out(page, times=1)
    return missing


def _open_graph(browser, url: str):
    page = browser.new_page(viewport={"width": 6000, "height": 8000})
    page.goto(url, wait_until="networkidle", timeout=120_000)
    skip = page.get_by_role("button", name="Skip")  # the first visit's newsletter dialog
    if skip.count():
        skip.click()
    page.locator("foreignObject").first.wait_for(timeout=60_000)
    return page


def _zoom_out(page, times: int = 8) -> None:
    """Far enough out that the graph draws every node (it draws only what is in view)."""
    for _ in range(times):
        page.locator('[aria-label="zoom_out"]').last.click()
        page.wait_for_timeout(250)
    page.wait_for_timeout(1500)


def test_every_asset_of_the_snapshot_is_drawn(browser, dagster_ui):
    page = _open_graph(browser, f"{dagster_ui}/asset-groups")
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
    page = _open_graph(
        browser,
        f"{dagster_ui}/assets/marts/mart_municipality_progress"
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
    page = browser.new_page(viewport={"width": 1600, "height": 1200})
    page.goto(f"{dagster_ui}/automation", wait_until="networkidle", timeout=120_000)
    for name in (
        "nightly_refresh_0200",
        "plan_inbox_sensor",
        "run_failure_alert",
        "freshness_checks_sensor",
    ):
        page.get_by_text(name, exact=True).first.wait_for(timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "automation.png"), full_page=True)
    page.close()
