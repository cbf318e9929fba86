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
