from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"

requires_shared = pytest.mark.skipif(
    not SHARED_DATA.is_dir(),
    reason=f"the real data in {SHARED_DATA} is absent (it ships beside the project in CI only)",
)


@pytest.fixture(scope="session")
def demo_folder(tmp_path_factory) -> Path:
    from ingestion.demo import generate

    folder = tmp_path_factory.mktemp("demo_sources")
    generate(folder)
    return folder


RUN_COMMAND = [sys.executable, "-m", "orchestration.run"]


def pipeline_env(source: Path | str, workdir: Path) -> dict[str, str]:
    """The environment of `make run` on `source`, into the warehouse in `workdir`, with the
    Dagster instance configured as `make` configures it."""
    (workdir / "dagster").mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "orchestration" / "dagster.yaml", workdir / "dagster")
    return {
        **os.environ,
        "KLIMAMONITOR_SOURCE": str(source),
        "KLIMAMONITOR_WAREHOUSE": str(workdir / "klimamonitor.duckdb"),
        "DAGSTER_HOME": str(workdir / "dagster"),
        "DBT_PROFILES_DIR": str(PROJECT_ROOT / "transform"),
    }


def run_pipeline(
    source: Path | str, workdir: Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`make run`'s entry point in a fresh process, on `source` (a folder, or `live` with
    `extra_env` pointing at the replay server), into `workdir`."""
    return subprocess.run(
        RUN_COMMAND,
        cwd=PROJECT_ROOT,
        env={**pipeline_env(source, workdir), **(extra_env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="session")
def demo_run(demo_folder, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """One full pipeline run on the demo folder, shared by the tests that read its warehouse."""
    workdir = tmp_path_factory.mktemp("run")
    result = run_pipeline(demo_folder, workdir)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return workdir, result


CHROMIUM = Path("/usr/bin/chromium")


def _install_chromium() -> None:
    """Debian's chromium, as the test setup's own step: nothing to install by hand."""
    apt = shutil.which("apt-get")
    if apt is None:
        pytest.fail(f"{CHROMIUM} is missing and there is no apt-get to install Debian's chromium")
    for command in ([apt, "install", "-y", "-qq", "chromium"], [apt, "update", "-qq"]):
        if subprocess.run(command, capture_output=True).returncode == 0 and CHROMIUM.exists():
            return
    result = subprocess.run([apt, "install", "-y", "-qq", "chromium"], capture_output=True)
    if result.returncode != 0 or not CHROMIUM.exists():
        pytest.fail(f"could not install chromium: {result.stderr.decode()[-500:]}")


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium through Playwright, Debian's package installed first when missing."""
    if not CHROMIUM.exists():
        _install_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()
