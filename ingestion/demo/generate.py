"""Writes the demo source folder, byte for byte in the formats of the live services.

The 98 municipalities are the real ones (codes, names, regions, rounded population, from
`geography.csv`); every figure is invented, with magnitudes like the real ones: national emissions
about 45.5 Mt CO2e in 2018 falling to about 34 Mt in 2023, energy, agriculture and transport the
big sectors, agriculture (with land use) negative in a few urban municipalities.

Layout written (the same as a snapshot folder of the live services):
    DEMO.txt                                   says that all of it is demo data
    statbank/tableinfo/<TABLE>.json            POST /v1/tableinfo (FOLK1A's: the OMRÅDE hierarchy)
    statbank/data/<TABLE>.csv                  POST /v1/data format=BULK valuePresentation=Code,
                                               for FOLK1A, BIL54, BIL53 and BOL102
    klimaregnskab/<release>/noegletal.jsonl    one line per municipality and year:
                                               {"municipality", "year", "response": {"data": [...]}}
    plans/inbox/<code>_v<n>_<part>.csv         plan submissions in the template
    plans/inbox/<code>_v<n>_status_<year>.csv  yearly status reports on the actions
    plans/inbox/tracks.csv                     the alliance's development tracks and their
                                               participants; joint actions in the lead's plan
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import random
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ingestion.plan_template import TEMPLATE_COLUMNS, csv_file_name

DEMO_YEARS = tuple(range(2018, 2025))
# Two releases of the emissions accounts: the later one adds 2024 and restates 2021-2023.
DEMO_RELEASES = {"2025-06-30": DEMO_YEARS[:-1], "2026-06-30": DEMO_YEARS}

REGIONS = {
    "084": "Region Hovedstaden",
    "085": "Region Sjælland",
    "083": "Region Syddanmark",
    "082": "Region Midtjylland",
    "081": "Region Nordjylland",
}
# National totals in 2018 (Mt CO2e) by sector, and each sector's level relative to 2018.
SECTOR_TOTALS_2018 = {
    "energi": 20.86,
    "transport": 9.02,
    "landbrug": 12.83,
    "affald": 0.81,
    "industri": 2.01,
}
SECTOR_TRENDS = {
    "energi": (1.0, 0.843, 0.764, 0.773, 0.659, 0.571, 0.52),
    "transport": (1.0, 1.003, 0.952, 0.951, 0.935, 0.936, 0.92),
    "landbrug": (1.0, 0.977, 0.974, 0.962, 0.931, 0.877, 0.86),
    "affald": (1.0, 1.04, 1.10, 1.17, 1.21, 1.26, 1.28),
    "industri": (1.0, 0.90, 0.92, 0.93, 0.80, 0.71, 0.68),
}
# Tonnes per inhabitant in 2018 by DST municipality group (shape of the real accounts).
GROUP_RATES = {
    "Hovedstadskommuner": {
        "energi": 2.4,
        "transport": 0.9,
        "landbrug": 0.02,
        "affald": 0.1,
        "industri": 0.1,
    },
    "Storbykommuner": {
        "energi": 4.6,
        "transport": 1.2,
        "landbrug": 0.7,
        "affald": 0.12,
        "industri": 1.5,
    },
    "Provinsbykommuner": {
        "energi": 3.4,
        "transport": 1.8,
        "landbrug": 1.9,
        "affald": 0.13,
        "industri": 0.13,
    },
    "Oplandskommuner": {
        "energi": 3.4,
        "transport": 2.2,
        "landbrug": 2.5,
        "affald": 0.14,
        "industri": 0.17,
    },
    "Landkommuner": {
        "energi": 4.3,
        "transport": 1.7,
        "landbrug": 6.2,
        "affald": 0.2,
        "industri": 0.18,
    },
}
# How the accounts name each sector; waste comes as landfill and waste water.
SOURCE_SECTORS = {
    "energi": [("Energi", 1.0)],
    "transport": [("Transport", 1.0)],
    "landbrug": [("Landbrug", 1.0)],
    "affald": [("Affaldsdeponi", 0.7), ("Spildevand", 0.3)],
    "industri": [("Kemiske processer", 1.0)],
}
EMISSION_TYPE, EMISSION_UNIT = "Samlet CO2-udledning", "Ton CO2e"
FUELS = {
    "20200": "Drivmidler i alt",
    "20205": "Benzin",
    "20210": "Diesel",
    "20225": "El",
    "20232": "Plug-in hybrid",
}
# BOL102's heating of dwellings: demo codes with texts worded as StatBank's; the share of the
# dwellings each had in 2018 and the yearly change of that share.
HEATING = {
    "1": ("Fjernvarme/blokvarme", 0.64, 0.006),
    "2": ("Centralvarme med olie", 0.055, -0.004),
    "3": ("Centralvarme m naturgas", 0.14, -0.007),
    "4": ("Elvarme", 0.06, -0.001),
    "5": ("Varmepumpe", 0.06, 0.007),
    "6": ("Andet/uoplyst", 0.045, -0.001),
}


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    region_code: str
    group: str
    population: int


def municipalities() -> list[Municipality]:
    with (Path(__file__).parent / "geography.csv").open(encoding="utf-8") as f:
        return [
            Municipality(
                r["code"], r["name"], r["region_code"], r["group"], int(r["population_approx"])
            )
            for r in csv.DictReader(f)
        ]


def fingerprint(seed: int = 2020) -> str:
    """Names the generator's code, its geography and the seed: a demo folder written by another
    version of the generator is written again rather than read stale."""
    digest = hashlib.sha256(str(seed).encode())
    for path in sorted(Path(__file__).parent.glob("*.py")) + [
        Path(__file__).parent / "geography.csv"
    ]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def is_current(out: Path, seed: int = 2020) -> bool:
    marker = out / "DEMO.txt"
    return marker.exists() and f"generator {fingerprint(seed)}" in marker.read_text()


def generate(out: Path, seed: int = 2020) -> int:
    """Writes the whole demo folder afresh; returns the number of files written."""
    rng = random.Random(seed)
    munis = municipalities()
    if out.exists():
        shutil.rmtree(out)
    files: dict[str, bytes] = {
        "DEMO.txt": (
            "DEMO DATA generated by klimamonitor (python -m ingestion.demo, seed "
            f"{seed}, generator {fingerprint(seed)}). The municipalities are real; every figure "
            "is invented.\n"
        ).encode(),
        **statbank_files(munis, rng, seed),
    }
    emissions = _emissions(munis, rng)
    for release, years in DEMO_RELEASES.items():
        restated = release != min(DEMO_RELEASES)
        files[f"klimaregnskab/{release}/noegletal.jsonl"] = _noegletal(
            munis, emissions, years, restated, random.Random(f"{seed}-{release}")
        )
    files.update(plan_files(munis, emissions, rng, DEMO_TRACKS))
    return write_files(out, files)


def write_files(out: Path, files: dict[str, bytes]) -> int:
    for rel, content in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return len(files)


def statbank_files(munis: list[Municipality], rng: random.Random, seed: int) -> dict[str, bytes]:
    """The StatBank answers (tableinfo and data) for these municipalities, 2018-2024."""
    return {
        **_tableinfos(munis),
        "statbank/data/FOLK1A.csv": statbank_csv(
            ["OMRÅDE", "KØN", "ALDER", "CIVILSTAND", "TID", "INDHOLD"], _population_rows(munis)
        ),
        "statbank/data/BIL54.csv": statbank_csv(
            ["OMRÅDE", "BILTYPE", "BRUG", "DRIV", "TID", "INDHOLD"], _car_rows(munis, rng)
        ),
        "statbank/data/BIL53.csv": statbank_csv(
            ["OMRÅDE", "BILTYPE", "BRUG", "DRIV", "TID", "INDHOLD"],
            _registration_rows(munis, random.Random(f"{seed}-bil53")),
        ),
        "statbank/data/BOL102.csv": statbank_csv(
            ["AMT", "OPVARMNING", "TID", "INDHOLD"],
            _dwelling_rows(munis, random.Random(f"{seed}-bol102")),
        ),
    }


def _tableinfos(munis: list[Municipality]) -> dict[str, bytes]:
    """The /v1/tableinfo answers: the area variable in hierarchy order (Christiansø included),
    the variables klimamonitor fixes with their values, and the periods."""
    areas = [{"id": "000", "text": "Hele landet"}]
    for region_code, region_name in REGIONS.items():
        areas.append({"id": region_code, "text": region_name})
        for m in munis:
            if m.region_code == region_code:
                areas.append({"id": m.code, "text": m.name})
                if m.code == "400":
                    areas.append({"id": "411", "text": "Christiansø"})
    months = [f"{y}M{m:02d}" for y in DEMO_YEARS for m in range(1, 13)]
    cars = [
        ("BILTYPE", "biltype", {"4000101002": "Personbiler i alt"}),
        ("BRUG", "brug", {"1000": "I alt"}),
        ("DRIV", "drivmiddel", FUELS),
    ]
    tables = {
        "FOLK1A": (
            "Befolkningen den 1. i kvartalet",
            "OMRÅDE",
            [
                ("KØN", "køn", {"TOT": "I alt"}),
                ("ALDER", "alder", {"IALT": "Alder i alt"}),
                ("CIVILSTAND", "civilstand", {"TOT": "I alt"}),
            ],
            [f"{y}K{q}" for y in DEMO_YEARS for q in range(1, 5)],
        ),
        "BIL54": ("Bestanden af køretøjer ultimo måneden", "OMRÅDE", cars, months),
        "BIL53": ("Nyregistrerede køretøjer", "OMRÅDE", cars, months),
        "BOL102": (
            "Boliger efter område, opvarmning og tid",
            "AMT",
            [("OPVARMNING", "opvarmning", {c: h[0] for c, h in HEATING.items()})],
            [str(y) for y in DEMO_YEARS],
        ),
    }
    infos = {}
    for table, (text, area, fixed, periods) in tables.items():
        variables = [
            {"id": area, "text": area.lower(), "elimination": True, "time": False, "values": areas}
        ]
        variables += [
            {
                "id": code,
                "text": name,
                "elimination": True,
                "time": False,
                "values": [{"id": k, "text": v} for k, v in values.items()],
            }
            for code, name, values in fixed
        ]
        variables.append(
            {
                "id": "Tid",
                "text": "tid",
                "elimination": False,
                "time": True,
                "values": [{"id": p, "text": p} for p in periods],
            }
        )
        info = {
            "id": table,
            "text": text,
            "description": f"DEMO DATA: {text}",
            "unit": "Antal",
            "updated": "2025-02-11T08:00:00",
            "active": True,
            "variables": variables,
        }
        infos[f"statbank/tableinfo/{table}.json"] = json.dumps(
            info, ensure_ascii=False, indent=2
        ).encode("utf-8")
    return infos


def statbank_csv(header: list[str], rows: list[list]) -> bytes:
    """StatBank's CSV: UTF-8 with BOM, semicolons, CRLF, decimal commas."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


def _areas(munis: list[Municipality], values: dict[str, float]):
    """Country, regions and municipalities with their summed values, as the API lists them."""
    regions = dict.fromkeys(REGIONS, 0)
    for m in munis:
        regions[m.region_code] += values[m.code]
    yield "000", sum(values.values())
    yield from regions.items()
    for m in munis:
        yield m.code, values[m.code]


def _population_rows(munis: list[Municipality]) -> list[list]:
    rows = []
    for i, year in enumerate(DEMO_YEARS):
        for q in range(1, 5):
            t = i + (q - 1) / 4
            pop = {m.code: round(m.population * (0.95 + 0.0075 * t)) for m in munis}
            rows += [
                [area, "TOT", "IALT", "TOT", f"{year}K{q}", value]
                for area, value in _areas(munis, pop)
            ]
    return rows


def _car_table_rows(munis: list[Municipality], figures) -> list[list]:
    """BIL54's or BIL53's rows: `figures(t, municipality)` gives one month's cars by DRIV code,
    t being the years since January 2018."""
    rows = []
    for i, year in enumerate(DEMO_YEARS):
        for month in range(1, 13):
            t = i + (month - 1) / 12
            by_fuel: dict[str, dict[str, float]] = {f: {} for f in FUELS}
            for m in munis:
                for fuel, v in figures(t, m).items():
                    by_fuel[fuel][m.code] = round(v)
            for fuel, values in by_fuel.items():
                rows += [
                    [area, "4000101002", "1000", fuel, f"{year}M{month:02d}", value]
                    for area, value in _areas(munis, values)
                ]
    return rows


def _car_rows(munis: list[Municipality], rng: random.Random) -> list[list]:
    ev_bias = {m.code: rng.uniform(0.6, 1.5) for m in munis}

    def stock(t: float, m: Municipality) -> dict[str, float]:
        ev, phev = 0.003 * math.exp(0.62 * t), 0.002 * math.exp(0.5 * t)
        cars = m.population * (0.40 if m.group == "Hovedstadskommuner" else 0.50)
        el, pl = cars * ev * ev_bias[m.code], cars * phev * ev_bias[m.code]
        diesel = (cars - el - pl) * 0.33
        return {
            "20200": cars,
            "20205": cars - el - pl - diesel,
            "20210": diesel,
            "20225": el,
            "20232": pl,
        }

    return _car_table_rows(munis, stock)


def _registration_rows(munis: list[Municipality], rng: random.Random) -> list[list]:
    """New passenger cars a month by fuel: about 4.5% of the stock a year, the electric share
    of them rising from 2% in 2018 to about 55% in 2024."""
    bias = {m.code: rng.uniform(0.7, 1.3) for m in munis}

    def registered(t: float, m: Municipality) -> dict[str, float]:
        el = min(0.02 * math.exp(0.55 * t), 0.8)
        pl = 0.03 + 0.02 * min(t, 4) - 0.01 * max(t - 4, 0)
        new = m.population * 0.45 * 0.045 / 12 * rng.uniform(0.8, 1.2)
        e, p = new * min(el * bias[m.code], 0.9), new * pl
        diesel = (new - e - p) * 0.25
        petrol = new - e - p - diesel
        return {"20200": new, "20205": petrol, "20210": diesel, "20225": e, "20232": p}

    return _car_table_rows(munis, registered)


def _dwelling_rows(munis: list[Municipality], rng: random.Random) -> list[list]:
    """Dwellings by heating, the 1st of January each year: oil and gas giving way to heat pumps
    and district heating, by municipality a little differently."""
    bias = {m.code: {c: rng.uniform(0.4, 1.8) for c in HEATING} for m in munis}
    rows = []
    for i, year in enumerate(DEMO_YEARS):
        by_code: dict[str, dict[str, float]] = {c: {} for c in HEATING}
        for m in munis:
            weights = {
                c: max(share + trend * i, 0.002) * bias[m.code][c]
                for c, (_, share, trend) in HEATING.items()
            }
            dwellings = m.population * 0.48
            for c, w in weights.items():
                by_code[c][m.code] = round(dwellings * w / sum(weights.values()))
        for code, values in by_code.items():
            rows += [[area, code, str(year), value] for area, value in _areas(munis, values)]
    return rows


def total_rows(total: float, population: int) -> list[dict]:
    """The answer's two "Samlet" rows: the municipality's total, and per inhabitant."""
    return [
        {
            "sektor": "Samlet",
            "type": EMISSION_TYPE,
            "enhed": EMISSION_UNIT,
            "værdi": round(total, 1),
        },
        {
            "sektor": "Samlet",
            "type": "CO2-udledning pr. indbygger",
            "enhed": "Ton CO2e pr. indbygger",
            "værdi": round(total / population, 2),
        },
    ]


def sector_levels(m: Municipality, rng: random.Random) -> dict[str, float]:
    """A municipality's 2018 emissions per plan sector, before scaling: its group's rate per
    inhabitant, with some spread."""
    level = {}
    for sector, rate in GROUP_RATES[m.group].items():
        if sector == "landbrug" and m.group == "Hovedstadskommuner":
            rate = rng.uniform(-0.03, 0.06)  # land use outweighs farming in some
        level[sector] = m.population * rate * rng.lognormvariate(0, 0.25)
    return level


def _emissions(munis: list[Municipality], rng: random.Random) -> dict:
    """{(code, year, sector): tonnes} for every municipality, year and plan sector."""
    level = {
        (m.code, sector): value for m in munis for sector, value in sector_levels(m, rng).items()
    }
    out = {}
    for sector, total in SECTOR_TOTALS_2018.items():
        scale = total * 1e6 / sum(v for (c, s), v in level.items() if s == sector)
        for m in munis:
            for i, year in enumerate(DEMO_YEARS):
                noise = rng.uniform(0.98, 1.02)
                out[m.code, year, sector] = (
                    level[m.code, sector] * scale * noise * (SECTOR_TRENDS[sector][i])
                )
    return out


def _noegletal(munis, emissions, years, restated: bool, rng: random.Random) -> bytes:
    """One JSON line per municipality and year, `response` in the API's Nøgletal shape."""
    lines = []
    for m in munis:
        for year in years:
            data, total = [], 0.0
            for sector, parts in SOURCE_SECTORS.items():
                value = emissions[m.code, year, sector]
                if restated and sector == "energi" and year in (2021, 2022, 2023):
                    value *= rng.uniform(0.96, 1.05)  # a new data source revises the figures
                for name, share in parts:
                    v = round(value * share, 1)
                    total += v
                    data.append(
                        {"sektor": name, "type": EMISSION_TYPE, "enhed": EMISSION_UNIT, "værdi": v}
                    )
            data += total_rows(total, m.population)
            line = {"municipality": m.code, "year": year, "response": {"data": data}}
            lines.append(json.dumps(line, ensure_ascii=False))
    return ("\n".join(lines) + "\n").encode("utf-8")


SECTOR_TARGET_PCT = {
    "energi": (85, 98),
    "transport": (35, 65),
    "landbrug": (20, 45),
    "affald": (30, 60),
    "industri": (40, 75),
}
SECTOR_COVERAGE = {
    "energi": (0.8, 1.1),
    "transport": (0.3, 0.75),
    "landbrug": (0.1, 0.5),
    "affald": (0.6, 1.0),
    "industri": (0.5, 0.9),
}
ACTION_TITLES = {
    "energi": [
        "Udfasning af oliefyr",
        "Fjernvarme til nye områder",
        "Solceller på kommunale tage",
        "Energirenovering af kommunale bygninger",
        "Havvind- og landvindprojekt",
    ],
    "transport": [
        "Elbusser i den kollektive trafik",
        "Ladestandere i boligområder",
        "Cykelsuperstier",
        "Grøn kommunal bilpark",
        "Samkørselsordning",
    ],
    "landbrug": [
        "Udtagning af lavbundsjorde",
        "Skovrejsning",
        "Biogas fra husdyrgødning",
        "Klimarådgivning til landmænd",
    ],
    "affald": [
        "Bedre sortering af plast",
        "Metanfangst på lossepladsen",
        "Renseanlæg med lattergasreduktion",
    ],
    "industri": [
        "Energisyn i virksomheder",
        "Grøn omstilling af procesvarme",
        "CO2-fangst på industrianlæg",
    ],
}
ADAPTATION_TITLES = ["Skybrudssikring af bymidten", "Kystbeskyttelse", "Grønne tage og regnbede"]
UNITS = ["Teknik og Miljø", "Plan og Byg", "Klimasekretariatet", "Forsyningen", "Erhverv"]
# DK2020 cohorts and the window in which a cohort's first plans were adopted. København planned
# through C40 on its own; the split 20 / 46 / rest is the programme's.
COHORT_ADOPTION = {
    "pilot_2019": (date(2020, 6, 1), 400),
    "round1_2020": (date(2021, 3, 1), 450),
    "round2_2021": (date(2022, 3, 1), 500),
    "c40_own_plan": (date(2020, 9, 1), 60),
}
# A status report moves an action on, from the status it had, with these weights.
STATUS_MOVES = {
    "planned": (["planned", "in_progress", "cancelled"], [55, 40, 5]),
    "in_progress": (["in_progress", "done", "cancelled"], [60, 35, 5]),
    "done": (["done"], [1]),
    "cancelled": (["cancelled"], [1]),
}


def _cohorts(munis: list[Municipality], rng: random.Random) -> dict[str, str]:
    others = [m.code for m in munis if m.code != "101"]
    rng.shuffle(others)
    cohorts = {"101": "c40_own_plan"}
    for i, code in enumerate(others):
        cohorts[code] = "pilot_2019" if i < 20 else "round1_2020" if i < 66 else "round2_2021"
    return cohorts


# The alliance's development tracks (klimaudviklingsspor): id, name, sector, region, how many of
# the region's municipalities take part, their explicit shares (None: equal split), and the joint
# actions (title, share of the participants' sector emissions in 2018 they are to cut).
DEMO_TRACKS = (
    (
        "SPOR-TRANSPORT-1",
        "Fælles elbusdrift i Østjylland",
        "transport",
        "082",
        6,
        None,
        [("Fælles udbud af elbusser", 0.02), ("Ladeinfrastruktur til tung transport", 0.01)],
    ),
    (
        "SPOR-TRANSPORT-2",
        "Cykelsuperstier i hovedstadsområdet",
        "transport",
        "084",
        8,
        None,
        [("Cykelsupersti-netværket, etape 3", 0.008)],
    ),
    (
        "SPOR-LANDBRUG-1",
        "Udtagning af lavbundsjorder ved Limfjorden",
        "landbrug",
        "081",
        4,
        [40, 25, 20, 15],
        [("Fælles udtagningsprojekt for lavbundsjorder", 0.03)],
    ),
    (
        "SPOR-LANDBRUG-2",
        "Biogas og gyllehåndtering i Sønderjylland",
        "landbrug",
        "083",
        4,
        None,
        [("Fælles biogasanlæg", 0.025), ("Forsuring af gylle", 0.01)],
    ),
    (
        "SPOR-ENERGI-1",
        "Fælles varmeplan for Midt- og Vestsjælland",
        "energi",
        "085",
        5,
        None,
        [("Overskudsvarme fra industri til fjernvarme", 0.015)],
    ),
)


def _tracks(munis, with_plan: set[str], emissions, tracks, rng: random.Random):
    """The tracks register's rows, and the joint actions by lead municipality (the first
    participant), each action as (track_id, title, sector, tonnes)."""
    rows, joint = [], {}
    for track_id, name, sector, region, n, shares, actions in tracks:
        members = sorted(
            rng.sample(
                sorted(m.code for m in munis if m.region_code == region and m.code in with_plan), n
            )
        )
        start = date(2023, 1, 1) + timedelta(days=rng.randint(0, 365))
        end = start + timedelta(days=rng.randint(3 * 365, 6 * 365))
        for i, code in enumerate(members):
            share = shares[i] if shares else ""
            rows.append([track_id, name, sector, code, share, start, end])
        rows.append([track_id, name, sector, region, "", start, end])  # the region coordinates
        base = sum(max(emissions[code, 2018, sector], 0) for code in members)
        joint.setdefault(members[0], []).extend(
            (track_id, title, sector, round(base * cut)) for title, cut in actions
        )
    return rows, joint


def plan_files(munis, emissions, rng: random.Random, tracks=()) -> dict[str, bytes]:
    """Plan submissions: 96 municipalities with adopted plans, a fifth of them revised, most with
    a status report for 2025 on the actions of the plan in force; with `tracks`, the register of
    development tracks and their joint actions in the lead municipalities' plans."""
    without_plan = set(rng.sample([m.code for m in munis if m.code != "101"], 2))
    cohorts = _cohorts(munis, rng)
    track_rows, joint = _tracks(
        munis,
        {m.code for m in munis} - without_plan,
        emissions,
        tracks,
        random.Random(f"{rng.random()}-tracks"),
    )
    files = {}
    if track_rows:
        files["plans/inbox/tracks.csv"] = _template_csv("tracks", track_rows)
    for m in munis:
        if m.code in without_plan:
            continue
        versions = [1, 2] if rng.random() < 0.2 else [1]
        baseline_year = 2018 if rng.random() < 0.8 else 2019
        first, spread = COHORT_ADOPTION[cohorts[m.code]]
        for version in versions:
            adopted = first + timedelta(days=rng.randint(0, spread))
            if version == 2:
                adopted = date(2024, 3, 1) + timedelta(days=rng.randint(0, 500))
            submitted = adopted + timedelta(days=rng.randint(14, 120))
            parts = _plan_parts(
                m, version, baseline_year, adopted, submitted, cohorts[m.code], emissions, rng
            )
            if version == versions[-1]:
                parts["actions"] += _joint_actions(m.code, version, submitted, joint, rng)
            for kind, rows in parts.items():
                files[f"plans/inbox/{csv_file_name(m.code, version, kind)}"] = _template_csv(
                    kind, rows
                )
        if rng.random() < 0.75:
            report = _status_report(parts["actions"], date(2026, 1, 15), rng)
            name = csv_file_name(m.code, versions[-1], "status", 2025)
            files[f"plans/inbox/{name}"] = _template_csv("status", report)
    return files


def _joint_actions(code, version, submitted, joint, rng: random.Random) -> list[list]:
    """The joint actions a lead municipality reports for its tracks."""
    rows = []
    for i, (track_id, title, sector, tonnes) in enumerate(joint.get(code, []), start=1):
        start = date(2023, 6, 1) + timedelta(days=rng.randint(0, 700))
        end = start + timedelta(days=rng.randint(365, 5 * 365))
        status = "planned" if start > submitted else rng.choice(["planned", "in_progress"])
        rows.append(
            [
                code,
                version,
                f"K{code}-SPOR{i:02d}",
                title,
                sector,
                "mitigation",
                tonnes,
                status,
                "Klimasekretariatet",
                start,
                end,
                submitted,
                track_id,
            ]
        )
    return rows


def _status_report(actions: list[list], reported: date, rng: random.Random) -> list[list]:
    """Each action of the plan in force, with the status it has moved on to since the plan."""
    report_date = reported + timedelta(days=rng.randint(0, 75))
    rows = []
    for code, version, action_id, _, _, _, _, status, *_ in actions:
        choices, weights = STATUS_MOVES[status]
        new = rng.choices(choices, weights)[0]
        comment = "" if new == status else f"{status} -> {new}"
        rows.append([code, version, action_id, new, report_date, comment])
    return rows


def _plan_parts(m, version, baseline_year, adopted, submitted, cohort, emissions, rng) -> dict:
    baseline = {s: emissions[m.code, baseline_year, s] for s in SECTOR_TARGET_PCT}
    baseline_total = sum(baseline.values())
    target_pct = rng.choice([55, 60, 65, 70, 70, 70, 75, 80])
    plan = [
        [
            m.code,
            version,
            adopted,
            submitted,
            baseline_year,
            round(baseline_total * rng.uniform(0.98, 1.02)),
            target_pct,
            rng.choice([2035, 2040, 2045, 2050, 2050, 2050]),
            cohort,
        ]
    ]
    targets, actions = [], []
    for sector, (lo, hi) in SECTOR_TARGET_PCT.items():
        pct = rng.randint(lo, hi)
        targets.append([m.code, version, sector, 2030, pct])
        needed = max(baseline[sector], 0) * pct / 100
        planned = needed * rng.uniform(*SECTOR_COVERAGE[sector])
        titles = rng.sample(ACTION_TITLES[sector], rng.randint(1, len(ACTION_TITLES[sector])))
        weights = [rng.random() + 0.2 for _ in titles]
        for title, w in zip(titles, weights, strict=True):
            # no action plans to cut more than nine tenths of its sector (the plausibility seed)
            tonnes = min(planned * w / sum(weights), 0.9 * max(baseline[sector], 0))
            actions.append((sector, title, "mitigation", round(tonnes)))
    for title in rng.sample(ADAPTATION_TITLES, rng.randint(1, 2)):
        actions.append(("energi" if "tage" in title else "affald", title, "adaptation", 0))
    action_rows = []
    for sector, title, kind, reduction in actions:
        # The id stays with the action from one plan version to the next.
        titles = ADAPTATION_TITLES if kind == "adaptation" else ACTION_TITLES[sector]
        prefix = "KLI" if kind == "adaptation" else sector[:3].upper()
        action_id = f"K{m.code}-{prefix}{titles.index(title) + 1:02d}"
        start = date(2020, 1, 1) + timedelta(days=rng.randint(0, 6 * 365))
        end = start + timedelta(days=rng.randint(365, 6 * 365))
        status = rng.choices(["planned", "in_progress", "done", "cancelled"], [35, 35, 20, 10])[0]
        if start > submitted and status in ("in_progress", "done"):
            status = "planned"  # not begun when the plan was submitted
        action_rows.append(
            [
                m.code,
                version,
                action_id,
                title,
                sector,
                kind,
                reduction,
                status,
                rng.choice(UNITS),
                start,
                end,
                submitted,
                "",
            ]
        )
    return {"plan": plan, "targets": targets, "actions": action_rows}


def _template_csv(kind: str, rows: list[list]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(TEMPLATE_COLUMNS[kind])
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")
