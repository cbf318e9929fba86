"""The demo generator: deterministic, the real municipalities, the real formats and magnitudes."""

from __future__ import annotations

import csv
import json

import duckdb
import pytest

from tests.conftest import SHARED_DATA, requires_shared
from tests.fixtures.demo import DEMO_RELEASES, generate


def test_same_seed_same_bytes(tmp_path, demo_folder):
    generate(tmp_path / "again")
    for path in demo_folder.rglob("*"):
        if path.is_file():
            again = tmp_path / "again" / path.relative_to(demo_folder)
            assert again.read_bytes() == path.read_bytes(), path


def test_other_seed_other_figures(tmp_path, demo_folder):
    generate(tmp_path / "other", seed=7)
    rel = "klimaregnskab/2026-06-30/noegletal.jsonl"
    assert (tmp_path / "other" / rel).read_bytes() != (demo_folder / rel).read_bytes()


def test_everything_says_demo(demo_folder):
    assert "DEMO DATA" in (demo_folder / "DEMO.txt").read_text()
    info = json.loads((demo_folder / "statbank/tableinfo/FOLK1A.json").read_text())
    assert info["description"].startswith("DEMO DATA")


def test_statbank_csv_dialect(demo_folder):
    raw = (demo_folder / "statbank/data/BIL54.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfOMR\xc3\x85DE;BILTYPE;BRUG;DRIV;TID;INDHOLD\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")


@requires_shared
def test_real_municipalities(demo_folder):
    with (SHARED_DATA / "reference/kommuner.csv").open(encoding="utf-8") as f:
        real = {(r["kommunekode"], r["navn"], r["regionskode_dst"]) for r in csv.DictReader(f)}
    info = json.loads((demo_folder / "statbank/tableinfo/FOLK1A.json").read_text())
    demo, region = set(), None
    for value in info["variables"][0]["values"]:
        if value["id"].startswith("08"):
            region = value["id"]
        elif value["id"] not in ("000", "411"):
            demo.add((value["id"], value["text"], region))
    assert demo == real
    assert len(demo) == 98


def _national(demo_folder, release):
    con = duckdb.connect()
    return dict(
        con.execute(
            """select year, sum(d."værdi") from read_json(?), unnest(response.data) as t(d)
           where d.sektor = 'Samlet' and d.type = 'Samlet CO2-udledning' group by year""",
            [str(demo_folder / f"klimaregnskab/{release}/noegletal.jsonl")],
        ).fetchall()
    )


def test_magnitudes_like_the_real_accounts(demo_folder):
    totals = _national(demo_folder, "2026-06-30")
    assert totals[2018] == pytest.approx(45.5e6, rel=0.03)
    assert totals[2023] == pytest.approx(34.0e6, rel=0.03)
    assert sorted(totals) == list(range(2018, 2025))
    con = duckdb.connect()
    by_sector = dict(
        con.execute(
            """select d.sektor, sum(d."værdi") from read_json(?), unnest(response.data) as t(d)
           where year = 2018 and d.type = 'Samlet CO2-udledning' and d.sektor <> 'Samlet'
           group by 1""",
            [str(demo_folder / "klimaregnskab/2026-06-30/noegletal.jsonl")],
        ).fetchall()
    )
    big_three = sorted(by_sector, key=by_sector.get, reverse=True)[:3]
    assert set(big_three) == {"Energi", "Landbrug", "Transport"}
    negative = con.execute(
        """select count(distinct municipality) from read_json(?), unnest(response.data) as t(d)
           where d.sektor = 'Landbrug' and d."værdi" < 0""",
        [str(demo_folder / "klimaregnskab/2026-06-30/noegletal.jsonl")],
    ).fetchall()[0][0]
    assert 1 <= negative <= 12


def test_later_release_restates_earlier_years(demo_folder):
    first, second = (_national(demo_folder, r) for r in sorted(DEMO_RELEASES))
    assert first[2019] == pytest.approx(second[2019], abs=0.5)
    assert abs(first[2022] - second[2022]) > 1000
    assert 2024 in second and 2024 not in first


def test_plan_submissions(demo_folder):
    inbox = demo_folder / "plans/inbox"
    plans = sorted(inbox.glob("*_plan.csv"))
    municipalities = {p.name.split("_")[0] for p in plans}
    assert len(municipalities) == 96
    for plan in plans:
        stem = plan.name.removesuffix("_plan.csv")
        assert (inbox / f"{stem}_targets.csv").exists()
        assert (inbox / f"{stem}_actions.csv").exists()
