"""The emissions suite fails when it should: a missing municipality, a negative energy figure."""

from __future__ import annotations

import duckdb
import pytest

from expectations import validate
from ingestion.demo.generate import municipalities

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
        "marts__mart_national_progress",
        "update marts.mart_national_progress set emissions_t = emissions_t + 1000 "
        "where year = 2023",
    ),
    (
        "marts__mart_sector_gap",
        "update marts.mart_sector_gap set manko_t = manko_t + 5 "
        "where municipality_code = '101' and sector_code = 'transport'",
    ),
    (
        "marts__mart_municipality_progress",
        "delete from marts.mart_municipality_progress where municipality_code = '101' "
        "and year = 2020",
    ),
    (
        "marts__mart_municipality_progress__yoy",
        "update marts.mart_municipality_progress set emissions_t = emissions_t * 2 "
        "where municipality_code = '147' and year = 2022",
    ),
    (
        "marts__mart_region_sector_gap",
        "update marts.mart_region_sector_gap set manko_t = manko_t - 10 where region_code = '085'",
    ),
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
    ("core__dim_region", "delete from core.dim_region where region_code = '081'"),
]


@pytest.fixture(scope="module")
def run_warehouse(demo_run):
    return demo_run[0] / "klimamonitor.duckdb"


@pytest.mark.slow
def test_every_suite_passes_on_a_good_run(run_warehouse):
    from orchestration.quality.checks import GATE, suite_parameters

    con = duckdb.connect(str(run_warehouse), read_only=True)
    params = suite_parameters(con)
    for name in GATE["great_expectations"]:
        outcome = validate(con, name, params)
        assert outcome.success, (name, outcome.failed)
    con.close()


@pytest.mark.slow
@pytest.mark.parametrize("suite, corruption", CORRUPTIONS, ids=[c[0] for c in CORRUPTIONS])
def test_a_suite_fails_on_its_broken_table(run_warehouse, tmp_path, suite, corruption):
    from orchestration.quality.checks import suite_parameters

    copy = tmp_path / "broken.duckdb"
    copy.write_bytes(run_warehouse.read_bytes())
    con = duckdb.connect(str(copy))
    params = suite_parameters(con)
    con.execute(corruption)
    outcome = validate(con, suite, params)
    con.close()
    assert not outcome.success, suite


def test_the_gate_names_every_suite_once():
    import yaml

    from expectations import SUITES_DIR

    gate = yaml.safe_load((SUITES_DIR.parent / "gate.yml").read_text(encoding="utf-8"))
    assert set(gate["great_expectations"]) == {p.stem for p in SUITES_DIR.glob("*.json")}
    assert set(gate["great_expectations"].values()) <= {"block", "warn"}
