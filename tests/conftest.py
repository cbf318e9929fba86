from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"

requires_shared = pytest.mark.skipif(
    not SHARED_DATA.is_dir(),
    reason=f"the real data in {SHARED_DATA} is absent (it ships beside the project in CI only)",
)


@pytest.fixture(scope="session", autouse=True)
def worker_warehouse(tmp_path_factory) -> Iterator[Path]:
    """Each worker's own default warehouse, set before any test's fixtures: the definitions a
    test loads (the snapshot, the operations' jobs) make dlt's pipeline folders beside the
    default warehouse, and dlt wipes a pipeline folder it finds without state; two workers making
    the checkout's `warehouse/.dlt_pipelines` at once on a fresh clone wiped each other's. Tests
    never touch the checkout's warehouse (`make` sets it for `make run`)."""
    warehouse = tmp_path_factory.mktemp("default_warehouse") / "klimamonitor.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KLIMAMONITOR_WAREHOUSE", str(warehouse))
        yield warehouse


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory, worker_id) -> Path:
    """The session's folder that every pytest-xdist worker sees (each has its own below it)."""
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


def made_once(path: Path, make) -> Path:
    """`path`, made by `make(path)` by the first worker that asks for it; the others wait on a
    file lock and take what it made."""
    from filelock import FileLock

    with FileLock(f"{path}.lock"):
        if not path.with_name(f"{path.name}.made").exists():
            shutil.rmtree(path, ignore_errors=True)
            path.mkdir(parents=True)
            make(path)
            path.with_name(f"{path.name}.made").touch()
    return path


@pytest.fixture(scope="session")
def demo_folder(shared_dir) -> Path:
    """The demo sources, generated once per session; tests that change sources change a copy."""
    from tests.fixtures.demo import generate

    return made_once(shared_dir / "demo_sources", generate)


RUN_COMMAND = [sys.executable, "-m", "orchestration.run"]


def instance_for(workdir: Path):
    """The Dagster instance of a run into `workdir`, configured as `make` configures it."""
    import dagster as dg

    home = workdir / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "orchestration" / "dagster.yaml", home)
    return dg.DagsterInstance.from_config(str(home))


def run_in_process(
    source: Path | str,
    workdir: Path,
    extra_env: dict[str, str] | None = None,
    rebuild: bool = False,
    **settings,
):
    """The nightly job in this process, on `source` into the warehouse in `workdir`, with the
    Dagster instance kept there (so a second run on the same workdir sees the first's data
    versions); `extra_env` holds dlt's configuration (the replay server), restored after."""
    from ingestion.settings import Settings
    from orchestration.defs.resources import environment
    from orchestration.run import execute_in_process

    config = Settings(source=str(source), warehouse=workdir / "klimamonitor.duckdb", **settings)
    with environment(extra_env or {}), instance_for(workdir) as instance:
        return execute_in_process(config, instance, rebuild)


def pipeline_env(source: Path | str, workdir: Path) -> dict[str, str]:
    """The environment of `make run` on `source`, into the warehouse in `workdir`, with the
    Dagster instance configured as `make` configures it."""
    instance_for(workdir).dispose()
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
        timeout=900,
    )


def assert_succeeded(result) -> None:
    """An in-process run succeeded; else the failed steps' errors."""
    if not result.success:
        errors = [
            f"{e.step_key}: {e.step_failure_data.error.message[:2000]}"
            for e in result.all_events
            if e.is_step_failure
        ]
        raise AssertionError("the run failed:\n" + "\n".join(errors))


RUN_ID_FILE = "run_id"


@pytest.fixture(scope="session")
def demo_run(demo_folder, shared_dir, tmp_path_factory) -> tuple[Path, str]:
    """One run of the pipeline on the demo folder, in-process, made once per session; each worker
    reads (and may change) its own copy of the workdir: warehouse, publication, Dagster instance.
    Returns the copy and the run's id."""

    def run(workdir: Path) -> None:
        result = run_in_process(demo_folder, workdir)
        assert_succeeded(result)
        (workdir / RUN_ID_FILE).write_text(result.run_id)

    made = made_once(shared_dir / "demo_run", run)
    workdir = shutil.copytree(made, tmp_path_factory.mktemp("run"), dirs_exist_ok=True)
    return workdir, (workdir / RUN_ID_FILE).read_text()


@pytest.fixture(scope="session")
def dbt_scratch(tmp_path_factory) -> tuple[Path, Path]:
    """One warehouse path and one dbt target folder for the tests that run dbt on a copy of the
    session's warehouse, each in turn (they run in one worker, one after another): dbt parses the
    whole project for a warehouse path it has not seen (the path is part of its profile), and only
    what changed after that, from the target folder's partial-parse file."""
    root = tmp_path_factory.mktemp("dbt_scratch")
    return root / "klimamonitor.duckdb", root / "target"


@pytest.fixture(scope="session")
def troubled_night(demo_run, demo_folder, tmp_path_factory):
    """Killed runs, then the nightly run beside the inbox sensor's run (tests/night.py), on a
    copy of the session's run."""
    from tests.night import live_through

    return live_through(demo_run[0], demo_folder, tmp_path_factory.mktemp("night"))


# `make test` runs two pytest-xdist workers, one lane each, every module in one lane: the night
# (killed runs, then the UI over that night's instance) with most readers of the session's run, and
# the sources (the live replay, the bad-input corpus, the scaled sources: runs of their own) with
# the rest. The session's run is made once, by the first lane that asks for it (`demo_run`); the
# lanes take about as long on this 2-core machine (`make test PYTEST_ADDOPTS=--durations=0 -v`),
# and a new module joins the lane with room.
NIGHT = "the night"
SOURCES = "the sources"
LANES = {
    "test_crash_safety": NIGHT,
    "test_ui": NIGHT,
    "test_dbt_unit_tests": NIGHT,
    "test_pipeline": NIGHT,
    "test_publication": NIGHT,
    "test_questions": NIGHT,
    "test_report": NIGHT,
    "test_expectations": NIGHT,
    "test_sources": NIGHT,
    "test_live_sources": SOURCES,
    "test_bad_inputs": SOURCES,
    "test_bench": SOURCES,
    "test_operations": SOURCES,
}


def pytest_xdist_make_scheduler(config, log):
    """One scope per lane (LANES; a module named nowhere joins the night's), so each worker takes
    one lane whole."""
    from xdist.scheduler import LoadScopeScheduling

    class ByLane(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return LANES.get(Path(nodeid.split("::", 1)[0]).stem, NIGHT)

    return ByLane(config, log)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """The tiers: as a test or its module is marked; else `integration` where a test reads the
    session's pipeline run, `unit` the rest. The unit tier runs first, the e2e tier last."""
    tiers = {"unit": 0, "integration": 1, "e2e": 2}
    for item in items:
        if any(item.get_closest_marker(t) for t in tiers):
            continue
        tier = "integration" if "demo_run" in item.fixturenames else "unit"
        item.add_marker(getattr(pytest.mark, tier))
    items.sort(key=lambda i: tiers[next(t for t in tiers if i.get_closest_marker(t))])


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
