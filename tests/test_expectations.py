"""The emissions suite fails when it should: a missing municipality, a negative energy figure."""

from __future__ import annotations

import duckdb
import pytest

from expectations import validate
from tests.fixtures.demo.generate import municipalities

CODES = [m.code for m in municipalities()]


def _warehouse(rows):
    con = duckdb.connect()
    con.execute("create schema klimaregnskab")
    con.execute("""create table klimaregnskab.noegletal (municipality_code varchar, year integer,
        release varchar, sector varchar, measure varchar, unit varchar, category varchar,
        subcategory varchar, value double)""")
    con.executemany(
        "insert into klimaregnskab.noegletal values (?, ?, 'r1', ?, 'Samlet CO2-udledning', "
        "'Ton CO2e', '', '', ?)",
        rows,
    )
    return con


def _params():
    return {"municipality_codes": CODES, "n_municipalities": 98, "next_year": 2027}


def _complete(year=2023):
    return [(c, year, s, 10.0) for c in CODES for s in ("Energi", "Landbrug", "Samlet")]


def test_complete_source_passes():
    outcome = validate(_warehouse(_complete()), "klimaregnskab__noegletal", _params())
    assert outcome.success, outcome.failed
    assert outcome.rows_validated == 98 * 3


@pytest.mark.parametrize(
    "change, failing",
    [
        (lambda rows: [r for r in rows if r[0] != "101"], "expect_column_values_to_be_between"),
        (lambda rows: rows + [("999", 2023, "Energi", 1.0)], "expect_column_values_to_be_in_set"),
        (
            lambda rows: rows + [("101", 2023, "Transport", -5.0)],
            "expect_column_values_to_be_between",
        ),
        (
            lambda rows: rows + [(c, 1980, "Energi", 1.0) for c in CODES],
            "expect_column_values_to_be_between",
        ),
    ],
)
def test_bad_source_fails(change, failing):
    outcome = validate(_warehouse(change(_complete())), "klimaregnskab__noegletal", _params())
    assert not outcome.success
    assert failing in {o.expectation for o in outcome.failed}


def test_negative_agriculture_is_allowed():
    rows = _complete() + [("101", 2023, "Landbrug", -3.0)]
    rows = [r for r in rows if not (r[0] == "101" and r[2] == "Landbrug" and r[3] == 10.0)]
    assert validate(_warehouse(rows), "klimaregnskab__noegletal", _params()).success


# -- every suite passes on a good run, and fails when its table is broken ------------------------

CORRUPTIONS = [
    (
        "statbank__bil54",
        "update statbank.bil54 set indhold = 10000000 where omraade = '101' and driv = '20225' "
        "and tid = '2024M12'",
    ),
    (
        "plans__inbox_files",
        "update plans.inbox_files set rows = 0, rejections = 0 "
        "where source_file = '101_v1_plan.csv'",
    ),
]


@pytest.fixture(scope="module")
def run_warehouse(demo_run):
    return demo_run[0] / "klimamonitor.duckdb"


def test_every_suite_passes_on_a_good_run(run_warehouse):
    from expectations import SUITES_DIR
    from orchestration.defs.quality.checks import suite_parameters

    con = duckdb.connect(str(run_warehouse), read_only=True)
    params = suite_parameters(con, 98)
    for path in sorted(SUITES_DIR.glob("*.json")):
        outcome = validate(con, path.stem, params)
        assert outcome.success, (path.stem, outcome.failed)
    con.close()


@pytest.mark.parametrize("suite, corruption", CORRUPTIONS, ids=[c[0] for c in CORRUPTIONS])
def test_a_suite_fails_on_its_broken_table(run_warehouse, tmp_path, suite, corruption):
    from orchestration.defs.quality.checks import suite_parameters

    copy = tmp_path / "broken.duckdb"
    copy.write_bytes(run_warehouse.read_bytes())
    con = duckdb.connect(str(copy))
    params = suite_parameters(con, 98)
    con.execute(corruption)
    outcome = validate(con, suite, params)
    con.close()
    assert not outcome.success, suite


def test_every_suite_is_on_a_raw_table_and_says_whether_it_blocks():
    """GX checks the sources; the models are dbt's to test."""
    from expectations import SUITES_DIR, load_suite

    for path in SUITES_DIR.glob("*.json"):
        meta = load_suite(path.stem)["meta"]
        assert meta["table"].split(".")[0] in ("statbank", "klimaregnskab", "plans"), path.stem
        assert isinstance(meta["blocking"], bool), path.stem


# The marts are checked by dbt's tests: each corruption fails the test named (a warning where
# the test's severity is warn).
MART_CORRUPTIONS = [
    (
        "update marts.mart_national_progress set emissions_t = emissions_t + 1000 "
        "where year = 2023",
        "assert_progress_rolls_up",
    ),
    (
        "update marts.mart_sector_gap set manko_t = manko_t + 5 "
        "where municipality_code = '101' and sector_code = 'transport'",
        "assert_sector_gap_rolls_up",
    ),
    (
        "update marts.mart_municipality_progress set emissions_t = emissions_t * 2 "
        "where municipality_code = '147' and year = 2022",
        "assert_no_big_yearly_change",
    ),
]


def test_dbt_tests_fail_on_broken_marts(run_warehouse, dbt_scratch):
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import PROJECT_ROOT

    copy, target = dbt_scratch
    copy.write_bytes(run_warehouse.read_bytes())
    con = duckdb.connect(str(copy))
    for corruption, _ in MART_CORRUPTIONS:
        con.execute(corruption)
    con.close()
    tests = [name for _, name in MART_CORRUPTIONS]
    subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            *("test", "--quiet", "--select", " ".join(tests), "--target-path", str(target)),
        ],
        cwd=PROJECT_ROOT / "transform",
        env={**os.environ, "KLIMAMONITOR_WAREHOUSE": str(copy)},
        capture_output=True,
        timeout=600,
    )
    results = json.loads((target / "run_results.json").read_text())["results"]
    outcome = {r["unique_id"].split(".")[2]: r["status"] for r in results}
    assert outcome == {
        "assert_progress_rolls_up": "fail",
        "assert_sector_gap_rolls_up": "fail",
        "assert_no_big_yearly_change": "warn",
    }
