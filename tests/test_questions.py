"""The example questions in examples/questions/, each one SELECT against the mart, checked against
answers computed here from the demo source files with plain Python: the plan CSVs, the accounts'
JSON lines, the StatBank CSV and tableinfo, and the reference seeds (published targets, national
inventory). None of the mart's SQL is reused."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ingestion.settings import Settings
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.integration

QUESTIONS = PROJECT_ROOT / "examples" / "questions"


def _ask(workdir: Path, name: str) -> list[dict]:
    con = duckdb.connect(str(workdir / "klimamonitor.duckdb"), read_only=True)
    try:
        result = con.execute((QUESTIONS / name).read_text())
        columns = [d[0] for d in result.description]
        return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
    finally:
        con.close()


# -- the source files, read the simple way ------------------------------------------------------


def _releases(folder: Path) -> dict[str, dict[tuple[str, int], dict[str, float]]]:
    """release -> (municipality, year) -> source sector -> t CO2e, emission rows only."""
    out = {}
    for path in sorted((folder / "klimaregnskab").glob("*/noegletal.jsonl")):
        figures = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            figures[record["municipality"], record["year"]] = {
                row["sektor"]: row["værdi"]
                for row in record["response"]["data"]
                if row["type"] == "Samlet CO2-udledning" and row["enhed"] == "Ton CO2e"
            }
        out[path.parent.name] = figures
    return out


def _latest_figures(folder: Path) -> dict[tuple[str, int], dict[str, float]]:
    merged = {}
    for _, figures in sorted(_releases(folder).items()):
        merged.update(figures)  # a later release replaces the years it has
    return merged


SECTOR_OF = {
    "Energi": "energi",
    "Transport": "transport",
    "Landbrug": "landbrug",
    "Affaldsdeponi": "affald",
    "Spildevand": "affald",
    "Kemiske processer": "industri",
}


def _sector_t(figures: dict[str, float], sector: str) -> float:
    return sum(v for k, v in figures.items() if SECTOR_OF.get(k) == sector)


def _csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _current_plans(folder: Path) -> dict[str, dict]:
    plans = {}
    for path in (folder / "plans" / "inbox").glob("*_plan.csv"):
        for row in _csv(path):
            if row["municipality_code"] not in plans or int(row["plan_version"]) > int(
                plans[row["municipality_code"]]["plan_version"]
            ):
                plans[row["municipality_code"]] = row
    return plans


def _regions(folder: Path) -> dict[str, tuple[str, str]]:
    """municipality -> (region code, region name), from the OMRÅDE hierarchy's order."""
    info = json.loads((folder / "statbank/tableinfo/FOLK1A.json").read_text(encoding="utf-8"))
    out, region = {}, None
    for value in info["variables"][0]["values"]:
        if value["id"] in {"081", "082", "083", "084", "085"}:
            region = (value["id"], value["text"])
        elif value["id"] != "000":
            out[value["id"]] = region
    return out


def _current_actions(folder: Path, plans: dict[str, dict]) -> list[dict]:
    """The plan in force's actions, each with its latest reported status."""
    inbox = folder / "plans" / "inbox"
    actions = []
    for code, plan in plans.items():
        version = plan["plan_version"]
        rows = {r["action_id"]: r for r in _csv(inbox / f"{code}_v{version}_actions.csv")}
        for report in sorted(inbox.glob(f"{code}_v{version}_status_*.csv")):
            for r in _csv(report):
                action = rows.get(r["action_id"])
                if action and r["status_date"] >= action["status_date"]:
                    rows[r["action_id"]] = {**action, "status": r["status"]}
        actions.extend(rows.values())
    return actions


# -- the questions --------------------------------------------------------------------------------


SEEDS = PROJECT_ROOT / "transform" / "seeds"


def _targets(folder: Path) -> dict[str, tuple[int, float, float]]:
    """municipality -> (baseline year, baseline t, 2030 target t), where all are known: the plan
    in force, else the published target (seed); the baseline from the accounts where the year is
    in them, else as stated, else the accounts' first year per sector x the nation's ratio."""
    figures = _latest_figures(folder)
    inventory = {
        (r["sector_code"], int(r["year"])): float(r["emissions_t"])
        for r in _csv(SEEDS / "national_inventory.csv")
    }
    first_year = {}
    for code, year in figures:
        first_year[code] = min(year, first_year.get(code, year))
    published = Settings().published_targets
    sources = {r["kommunekode"]: r for r in _csv(published)} if published.is_file() else {}
    sources = {
        code: (r["baseline_year"], r["baseline_t_co2e"], r["target_2030_pct"])
        for code, r in sources.items()
    }
    for code, plan in _current_plans(folder).items():
        sources[code] = (
            plan["baseline_year"],
            plan["baseline_emissions_t"],
            plan["target_2030_pct"],
        )
    out = {}
    for code, (year, stated, pct) in sources.items():
        if not year or not pct or code not in first_year:
            continue
        year = int(year)
        if (code, year) in figures:
            base = _sector_total(figures[code, year])
        elif stated:
            base = float(stated)
        else:
            first = first_year[code]
            base = sum(
                _sector_t(figures[code, first], sector)
                * inventory[sector, year]
                / inventory[sector, first]
                for sector in set(SECTOR_OF.values())
            )
        out[code] = (year, base, base * (100 - float(pct)) / 100)
    return out


def test_off_track_in_2023(demo_run, demo_folder):
    workdir, _ = demo_run
    figures = _latest_figures(demo_folder)
    expected = {}
    for code, (base_year, base, target) in _targets(demo_folder).items():
        path = base + (target - base) * (2023 - base_year) / (2030 - base_year)
        emissions = _sector_total(figures[code, 2023])
        if (emissions - path) / path * 100 > 10:
            expected[code] = round(emissions - path)
    answer = _ask(workdir, "01_off_track_2023.sql")
    assert expected, "the demo data should have municipalities off track in 2023"
    assert {r["municipality_code"]: r["above_path_t"] for r in answer} == pytest.approx(
        expected, abs=1
    )
    assert [r["above_path_t"] for r in answer] == sorted(expected.values(), reverse=True)


def _sector_total(figures: dict[str, float]) -> float:
    return sum(v for k, v in figures.items() if k in SECTOR_OF)


def test_sjaelland_transport_manko(demo_run, demo_folder):
    workdir, _ = demo_run
    figures = _latest_figures(demo_folder)
    plans = _current_plans(demo_folder)
    regions = _regions(demo_folder)
    inbox = demo_folder / "plans" / "inbox"
    needed = covered = 0.0
    for code, plan in plans.items():
        if regions[code][1] != "Region Sjælland":
            continue
        targets = _csv(inbox / f"{code}_v{plan['plan_version']}_targets.csv")
        pct = next(
            (
                float(t["target_reduction_pct"])
                for t in targets
                if t["sector"] == "transport" and t["target_year"] == "2030"
            ),
            float(plan["target_2030_pct"]),
        )
        baseline = _sector_t(figures[code, int(plan["baseline_year"])], "transport")
        needed += baseline * pct / 100 if baseline >= 0 else 0
    for action in _current_actions(demo_folder, plans):
        if (
            regions[action["municipality_code"]][1] == "Region Sjælland"
            and action["sector"] == "transport"
            and action["action_type"] == "mitigation"
            and action["status"] != "cancelled"
        ):
            covered += float(action["expected_reduction_2030_t"])
    [answer] = _ask(workdir, "02_sjaelland_transport_manko.sql")
    assert answer["needed_reduction_t"] == pytest.approx(needed, abs=1)
    assert answer["reduction_covered_t"] == pytest.approx(covered, abs=1)
    assert answer["manko_t"] == pytest.approx(needed - covered, abs=1)


def test_lowest_electric_car_share(demo_run, demo_folder):
    workdir, _ = demo_run
    cars = defaultdict(dict)
    with (demo_folder / "statbank/data/BIL54.csv").open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f, delimiter=";"):
            if row["BILTYPE"] == "4000101002" and row["BRUG"] == "1000":
                cars[row["TID"], row["OMRÅDE"]][row["DRIV"]] = float(row["INDHOLD"])
    latest = max(month for month, _ in cars)
    regions = _regions(demo_folder)
    shares = {
        code: by_fuel["20225"] / by_fuel["20200"] * 100
        for (month, code), by_fuel in cars.items()
        if month == latest and code in regions and code != "411"
    }
    expected = sorted(shares, key=shares.get)[:5]
    answer = _ask(workdir, "03_lowest_electric_car_share.sql")
    assert [r["municipality_code"] for r in answer] == expected
    assert [r["electric_car_share_pct"] for r in answer] == pytest.approx(
        [round(shares[c], 2) for c in expected]
    )
    assert {r["car_stock_period"] for r in answer} == {latest}


def test_late_actions_by_region(demo_run, demo_folder):
    workdir, _ = demo_run
    plans = _current_plans(demo_folder)
    regions = _regions(demo_folder)
    today = date.today().isoformat()
    expected = {
        (regions[a["municipality_code"]][1], a["action_id"])
        for a in _current_actions(demo_folder, plans)
        if a["end_date"] < today and a["status"] not in ("done", "cancelled")
    }
    answer = _ask(workdir, "04_late_actions_by_region.sql")
    assert expected, "the demo data should have late actions"
    assert {(r["region_name"], r["action_id"]) for r in answer} == expected
    assert len(answer) == len(expected)
    assert [r["region_name"] for r in answer] == sorted(r["region_name"] for r in answer)


def test_national_2022_between_releases(demo_run, demo_folder):
    workdir, _ = demo_run
    totals = {
        release: sum(_sector_total(f) for (_, year), f in figures.items() if year == 2022)
        for release, figures in _releases(demo_folder).items()
    }
    answer = _ask(workdir, "05_national_2022_between_releases.sql")
    assert [str(r["release_date"]) for r in answer] == sorted(totals)
    assert [r["national_2022_t"] for r in answer] == pytest.approx(
        [totals[k] for k in sorted(totals)], abs=1
    )
    first, second = (totals[k] for k in sorted(totals))
    assert answer[0]["change_from_previous_release_t"] is None
    assert answer[1]["change_from_previous_release_t"] == pytest.approx(second - first, abs=1)
    assert abs(second - first) > 1000, "the later demo release restates 2022"


def _linear_2030(folder: Path) -> dict[str, float]:
    """Each municipality's 2030 on the least-squares line of each sector through every year,
    a sector that cannot be negative stopped at zero, summed: the linear method, by hand."""
    by_sector = defaultdict(list)
    for (code, year), figures in _latest_figures(folder).items():
        for sector in set(SECTOR_OF.values()):
            by_sector[code, sector].append((year, _sector_t(figures, sector)))
    out = defaultdict(float)
    for (code, sector), points in by_sector.items():
        n = len(points)
        mean_x = sum(x for x, _ in points) / n
        mean_y = sum(y for _, y in points) / n
        slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sum(
            (x - mean_x) ** 2 for x, _ in points
        )
        value = mean_y + slope * (2030 - mean_x)
        out[code] += value if sector == "landbrug" else max(value, 0.0)
    return out


def test_reach_target_on_trend(demo_run, demo_folder):
    workdir, _ = demo_run
    projected = _linear_2030(demo_folder)
    targets = {code: target for code, (_, _, target) in _targets(demo_folder).items()}
    expected = {c for c, t in targets.items() if projected[c] <= t}
    answer = _ask(workdir, "06_reach_target_on_trend.sql")
    answer = [r for r in answer if r["method_code"] == "linear"]
    assert {r["municipality_code"] for r in answer} == expected
    for r in answer:
        assert r["projected_2030_t"] == pytest.approx(projected[r["municipality_code"]], abs=1)
        assert r["first_year_on_target_path"] is not None and r["first_year_on_target_path"] <= 2030


def test_nation_against_the_plans(demo_run, demo_folder):
    workdir, _ = demo_run
    projected = _linear_2030(demo_folder)
    answer = {r["method_code"]: r for r in _ask(workdir, "07_nation_against_the_plans.sql")}
    assert set(answer) == {"linear", "log_linear", "conservative"}
    assert answer["linear"]["projected_2030_mt"] == pytest.approx(
        round(sum(projected.values()) / 1e6, 2), abs=0.011
    )
    # 70 % below 1990 in the seed national_targets
    assert answer["linear"]["national_target_2030_mt"] == pytest.approx(76.4 * 0.3, abs=0.01)
    assert answer["conservative"]["projected_2030_mt"] >= answer["linear"]["projected_2030_mt"]
