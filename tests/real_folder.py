"""A snapshot folder in the live formats, built from the real data in ../shared/data.

What each file is made of:
- `statbank/tableinfo/<TABLE>.json`: the real `/v1/tableinfo` answer of ARE207 (its OMRÅDE
  hierarchy, Christiansø included), with the table's own id, fixed variables and the period of the
  figures below as its Tid; BOL102's area variable is AMT, as in the service.
- `statbank/data/FOLK1A.csv`: population 2026K1 (reference/indicators_by_kommune.csv, FOLK1A);
  `BIL54.csv`: cars by fuel 2026M01 (same file, BIL54), petrol `..` (not in the reference);
  `BIL53.csv`: new registrations 2026M01, every value `..` (no real BIL53 figures here);
  `BOL102.csv`: dwellings 2026, oil-fired, gas-fired and the rest of all heating.
  Regions and the country are the sums of their municipalities. Written as the service writes:
  BOM, `;`, CRLF, codes.
- `klimaregnskab/2025-12-31/noegletal.jsonl`: `api-samples/klimaregnskab_noegletal_2018_2023.jsonl`
  as it is (the sample does not date its release; the folder names it 2025-12-31).
- `plans/inbox/`: empty: there are no real plan submissions in ../shared/data.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from tests.fixtures.demo.generate import statbank_csv

RELEASE = "2025-12-31"
HEATING = {"1": "Centralvarme med olie", "2": "Centralvarme m naturgas", "9": "Anden opvarmning"}


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def build_real_folder(shared: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    are207 = json.loads((shared / "api-samples" / "dst_tableinfo_ARE207.json").read_bytes())
    omraade = next(v for v in are207["variables"] if v["id"] == "OMRÅDE")
    municipalities = {r["kommunekode"]: r for r in _rows(shared / "reference" / "kommuner.csv")}
    indicators = {
        r["kommunekode"]: r for r in _rows(shared / "reference" / "indicators_by_kommune.csv")
    }

    def areas(values: dict[str, float | None]):
        """Country, regions and municipalities in the hierarchy's order, sums for the first two."""
        for area in omraade["values"]:
            code = area["id"]
            if code == "000":
                members = list(values)
            elif code.startswith("08") and len(code) == 3:
                members = [m for m in values if municipalities[m]["regionskode_dst"] == code]
            elif code in values:
                members = [code]
            else:
                continue  # Christiansø: not in the reference figures
            figures = [values[m] for m in members]
            yield code, None if None in figures else round(sum(figures))

    def tableinfo(table: str, area: str, fixed: dict[str, dict[str, str]], period: str) -> bytes:
        info = {**are207, "id": table, "text": f"{table} (hierarchy from the real ARE207 answer)"}
        variables = [{**omraade, "id": area}]
        variables += [
            {
                "id": code,
                "text": code.lower(),
                "elimination": True,
                "time": False,
                "values": [{"id": k, "text": v} for k, v in values.items()],
            }
            for code, values in fixed.items()
        ]
        variables.append(
            {
                "id": "Tid",
                "text": "tid",
                "elimination": False,
                "time": True,
                "values": [{"id": period, "text": period}],
            }
        )
        info["variables"] = variables
        return json.dumps(info, ensure_ascii=False, indent=2).encode("utf-8")

    def column(name: str) -> dict[str, float | None]:
        return {m: float(r[name]) if r[name] else None for m, r in indicators.items()}

    cars_fixed = {
        "BILTYPE": {"4000101002": "Personbiler i alt"},
        "BRUG": {"1000": "I alt"},
        "DRIV": {
            "20200": "Drivmidler i alt",
            "20205": "Benzin",
            "20210": "Diesel",
            "20225": "El",
            "20232": "Plug-in hybrid",
        },
    }
    files: dict[str, bytes] = {
        "statbank/tableinfo/FOLK1A.json": tableinfo(
            "FOLK1A",
            "OMRÅDE",
            {
                "KØN": {"TOT": "I alt"},
                "ALDER": {"IALT": "Alder i alt"},
                "CIVILSTAND": {"TOT": "I alt"},
            },
            "2026K1",
        ),
        "statbank/tableinfo/BIL54.json": tableinfo("BIL54", "OMRÅDE", cars_fixed, "2026M01"),
        "statbank/tableinfo/BIL53.json": tableinfo("BIL53", "OMRÅDE", cars_fixed, "2026M01"),
        "statbank/tableinfo/BOL102.json": tableinfo(
            "BOL102", "AMT", {"OPVARMNING": HEATING}, "2026"
        ),
        "statbank/data/FOLK1A.csv": statbank_csv(
            ["OMRÅDE", "KØN", "ALDER", "CIVILSTAND", "TID", "INDHOLD"],
            [[a, "TOT", "IALT", "TOT", "2026K1", v] for a, v in areas(column("folketal"))],
        ),
    }
    by_fuel = {
        "20200": column("biler"),
        "20205": dict.fromkeys(indicators),
        "20210": column("biler_diesel"),
        "20225": column("biler_el"),
        "20232": column("biler_plugin"),
    }
    files["statbank/data/BIL54.csv"] = statbank_csv(
        ["OMRÅDE", "BILTYPE", "BRUG", "DRIV", "TID", "INDHOLD"],
        [
            [a, "4000101002", "1000", fuel, "2026M01", ".." if v is None else v]
            for fuel, values in by_fuel.items()
            for a, v in areas(values)
        ],
    )
    files["statbank/data/BIL53.csv"] = statbank_csv(
        ["OMRÅDE", "BILTYPE", "BRUG", "DRIV", "TID", "INDHOLD"],
        [
            [a, "4000101002", "1000", fuel, "2026M01", ".."]
            for fuel in by_fuel
            for a, _ in areas(dict.fromkeys(indicators, 0.0))
        ],
    )
    total, oil, gas = column("opv_boliger_ialt"), column("opv_olie"), column("opv_naturgas")
    heating = {"1": oil, "2": gas, "9": {m: total[m] - oil[m] - gas[m] for m in total}}
    files["statbank/data/BOL102.csv"] = statbank_csv(
        ["AMT", "OPVARMNING", "TID", "INDHOLD"],
        [[a, code, "2026", v] for code, values in heating.items() for a, v in areas(values)],
    )
    files[f"klimaregnskab/{RELEASE}/noegletal.jsonl"] = (
        shared / "api-samples" / "klimaregnskab_noegletal_2018_2023.jsonl"
    ).read_bytes()
    for relative, content in files.items():
        path = dest / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    (dest / "plans" / "inbox").mkdir(parents=True, exist_ok=True)
    return dest
