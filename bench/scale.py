"""The benchmark's synthetic sources: N municipalities in the live formats, as a snapshot folder.

- the emissions accounts: one release, 30 years (1995-2024) x 30 rows per municipality and year,
  as the Nøgletal answer has them: the 6 sector totals, the municipality's total and its total per
  inhabitant, and 22 sub-sector rows (`Resultat - udledning` by `kategori` and `undertype_3`)
  that add up to the sector totals; N x 900 emission rows in all (9 M at N = 10,000);
- StatBank's area hierarchy, FOLK1A, BIL54, BIL53 and BOL102 for the N municipalities, over the
  periods klimamonitor asks StatBank for (2018 on), written by the demo generator's code;
- plan submissions and status reports in the template, as many per municipality as the demo has.

The municipalities are invented (codes 10001, 10002, ...; five regions), and so is every figure:
the folder's DEMO.txt labels it, so every row it gives is `data_origin = 'demo'`.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from pathlib import Path

from tests.fixtures.demo.generate import (
    EMISSION_TYPE,
    EMISSION_UNIT,
    GROUP_RATES,
    REGIONS,
    SECTOR_TRENDS,
    Municipality,
    plan_files,
    sector_levels,
    statbank_files,
    total_rows,
    write_files,
)

YEARS = tuple(range(1995, 2025))
RELEASE = "2025-06-30"
BREAKDOWN_TYPE = "Resultat - udledning"
# Each plan sector as the accounts name it, and each source sector's sub-sectors
# (kategori, undertype_3) with their share of it: 6 totals and 22 sub-sectors.
SOURCE_SECTORS = {
    "energi": {
        "Energi": [
            ("Husholdninger", "Fjernvarme", 0.18),
            ("Husholdninger", "Naturgas", 0.12),
            ("Husholdninger", "Olie", 0.06),
            ("Husholdninger", "El", 0.14),
            ("Erhverv", "Fjernvarme", 0.12),
            ("Erhverv", "Naturgas", 0.16),
            ("Erhverv", "El", 0.14),
            ("Offentlig", "Fjernvarme", 0.08),
        ]
    },
    "transport": {
        "Transport": [
            ("Vejtransport", "Benzin", 0.38),
            ("Vejtransport", "Diesel", 0.47),
            ("Jernbane", "Diesel", 0.04),
            ("Søfart", "Diesel", 0.06),
            ("Luftfart", "Jetpetroleum", 0.05),
        ]
    },
    "landbrug": {
        "Landbrug": [
            ("Husdyr", "Fordøjelse", 0.35),
            ("Husdyr", "Gødningshåndtering", 0.2),
            ("Marker", "Handelsgødning", 0.15),
            ("Arealanvendelse", "Organiske jorde", 0.25),
            ("Arealanvendelse", "Skov", 0.05),
        ]
    },
    "affald": {
        "Affaldsdeponi": [("Deponi", "Metan", 1.0)],
        "Spildevand": [("Renseanlæg", "Lattergas", 1.0)],
    },
    "industri": {
        "Kemiske processer": [
            ("Industri", "Procesemissioner", 0.8),
            ("Industri", "F-gasser", 0.2),
        ]
    },
}
AFFALD_SPLIT = {"Affaldsdeponi": 0.7, "Spildevand": 0.3}


# The N municipalities share a nation of Denmark's size, so the national figures and their checks
# (no area above 10 M inhabitants, say) stay what they are for Denmark.
NATION = 5_950_000


def municipalities(n: int, rng: random.Random) -> list[Municipality]:
    """N invented municipalities, spread over the five regions, of every DST group."""
    groups = list(GROUP_RATES)
    regions = list(REGIONS)
    return [
        Municipality(
            code=str(10001 + i),
            name=f"Syntetisk kommune {10001 + i}",
            region_code=regions[i % len(regions)],
            group=rng.choices(groups, [3, 4, 30, 35, 28])[0],
            population=max(round(NATION / n * rng.lognormvariate(-0.15, 0.55)), 100),
        )
        for i in range(n)
    ]


def _trend(sector: str, year: int) -> float:
    """The sector's level against 2018: the demo's trend from 2018 on, before it a straight line
    from 1.5 times the 2018 level in 1995 (1.0 for waste, which grew)."""
    if year >= 2018:
        return SECTOR_TRENDS[sector][min(year - 2018, len(SECTOR_TRENDS[sector]) - 1)]
    start = 1.0 if sector == "affald" else 1.5
    return start + (1.0 - start) * (year - 1995) / (2018 - 1995)


def _answer(m: Municipality, year: int, level: dict[str, float], rng: random.Random):
    """One Nøgletal answer's data rows, and the municipality's plan-sector emissions that year."""
    data, by_sector, total = [], {}, 0.0
    for sector, source_sectors in SOURCE_SECTORS.items():
        value = level[sector] * _trend(sector, year) * rng.uniform(0.98, 1.02)
        by_sector[sector] = 0.0
        for name, parts in source_sectors.items():
            sector_value = value * AFFALD_SPLIT.get(name, 1.0)
            sub_values = [round(sector_value * share, 1) for _, _, share in parts]
            sector_total = round(sum(sub_values), 1)
            by_sector[sector] += sector_total
            total += sector_total
            data.append(
                {
                    "sektor": name,
                    "type": EMISSION_TYPE,
                    "enhed": EMISSION_UNIT,
                    "værdi": sector_total,
                }
            )
            data += [
                {
                    "sektor": name,
                    "type": BREAKDOWN_TYPE,
                    "enhed": EMISSION_UNIT,
                    "værdi": v,
                    "kategori": kategori,
                    "undertype_3": undertype,
                }
                for (kategori, undertype, _), v in zip(parts, sub_values, strict=True)
            ]
    data += total_rows(total, m.population)
    return data, by_sector


def write_emissions(path: Path, munis: list[Municipality], rng: random.Random) -> dict:
    """Writes the release's JSON lines, a municipality at a time; returns the plan-sector
    emissions of 2018 and 2019 (the plans' baselines)."""
    baselines = {}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for m in munis:
            level = sector_levels(m, rng)
            for year in YEARS:
                data, by_sector = _answer(m, year, level, rng)
                if year in (2018, 2019):
                    baselines.update({(m.code, year, s): v for s, v in by_sector.items()})
                answer = {"municipality": m.code, "year": year, "response": {"data": data}}
                f.write(json.dumps(answer, ensure_ascii=False) + "\n")
    return baselines


def fingerprint(n: int, seed: int) -> str:
    """Names this generator (and the demo code it reuses), N and the seed."""
    digest = hashlib.sha256(f"{n}-{seed}".encode())
    for path in [Path(__file__), *sorted((Path(__file__).parents[1] / "ingestion").rglob("*.py"))]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def generate_scale(out: Path, n: int, seed: int = 2020) -> bool:
    """Writes the folder for N municipalities unless it already holds this generator's; True
    when it wrote."""
    marker = out / "DEMO.txt"
    stamp = f"generator {fingerprint(n, seed)}"
    if marker.exists() and stamp in marker.read_text():
        return False
    if out.exists():
        shutil.rmtree(out)
    rng = random.Random(seed)
    munis = municipalities(n, rng)
    release = out / "klimaregnskab" / RELEASE / "noegletal.jsonl"
    baselines = write_emissions(release, munis, random.Random(f"{seed}-emissions"))
    files = {
        "DEMO.txt": (
            f"DEMO DATA: synthetic benchmark sources for {n} invented municipalities, written by "
            f"klimamonitor's bench (python -m bench, seed {seed}, {stamp}). Every figure is "
            "invented.\n"
        ).encode(),
        **statbank_files(munis, rng, seed),
        **plan_files(munis, baselines, random.Random(f"{seed}-plans")),
    }
    write_files(out, files)
    return True
