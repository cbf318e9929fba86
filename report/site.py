"""The monitoring report: a static site built from the published mart, one page for the nation,
each region and each municipality, and one on where the numbers come from.

Works from the file system and from any static web server: relative links, one stylesheet, charts
as inline SVG, no script and nothing fetched from the network. Written to a new folder, then
swapped in by rename, so a reader never sees half a site.
"""

from __future__ import annotations

import json
import os
import shutil
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from publish.downloads import Downloads, write_downloads
from report import charts
from report.downloads import municipality_template, receipts_workbook

HERE = Path(__file__).parent
SECTOR_COLOURS = {
    "energi": "#1b6ca8",
    "transport": "#e08e0b",
    "landbrug": "#5a9e3a",
    "affald": "#8c6d62",
    "industri": "#7b5ea7",
}
PROGRESS = [  # the groups an action's reduction counts in, and the manko, in drawing order
    ("done", "Gennemført", "#2e7d32"),
    ("in_progress", "I gang", "#66bb6a"),
    ("planned", "Planlagt", "#a5d6a7"),
    ("late", "Forsinket", "#ef6c00"),
]
MANKO = ("Manko (ikke dækket)", "#c62828")
STATUS_DA = {
    "on_track": "på sporet",
    "at_risk": "i risiko",
    "off_track": "bagud",
    None: "ingen plan",
}
MONTHS_DA = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
]


MARKS_DA = {",": "komma", ";": "semikolon", "tab": "tabulator", ".": "punktum"}


MONTHS_DA = [
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
]  # fmt: skip


def period_da(period: str) -> str:
    """A StatBank period in words: 2024M12 -> december 2024, 2026K1 -> 1. kvartal 2026."""
    if len(period) == 7 and period[4] == "M":
        return f"{MONTHS_DA[int(period[5:]) - 1]} {period[:4]}"
    if len(period) == 6 and period[4] == "K":
        return f"{period[5]}. kvartal {period[:4]}"
    return period


def when_da(value) -> str:
    """A time as a Danish reader writes it, in Danish time: 3. december 2026 kl. 08.21."""
    if value is None:
        return "–"
    if getattr(value, "tzinfo", None) is not None:
        value = value.astimezone(ZoneInfo("Europe/Copenhagen"))
    return f"{value.day}. {MONTHS_DA[value.month - 1]} {value.year} kl. {value:%H.%M}"


COHORT_DA = {  # transform/seeds/plan_cohorts.csv, in words for the page
    "pilot_2019": "DK2020-pilot, 2019",
    "round1_2020": "DK2020, 1. runde, 2020",
    "round2_2021": "DK2020, 2. runde, 2021",
    "c40_own_plan": "egen plan gennem C40, uden for DK2020",
}
ACTION_STATUS_DA = {
    "planned": "planlagt",
    "in_progress": "i gang",
    "done": "gennemført",
    "cancelled": "opgivet",
}


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    result = con.execute(sql, params or [])
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["t"] = lambda v: charts.number(v)
    env.filters["dec1"] = lambda v: charts.number(v, 1)
    env.filters["pct"] = lambda v: "–" if v is None else charts.number(v, 1) + " %"
    env.filters["status_da"] = lambda s: STATUS_DA.get(s, s)
    env.filters["action_status_da"] = lambda s: ACTION_STATUS_DA.get(s, s)
    env.filters["cohort_da"] = lambda c: COHORT_DA.get(c, c)
    env.filters["when"] = when_da
    env.filters["period_da"] = period_da
    env.filters["mark_da"] = lambda m: MARKS_DA.get(m, m)
    return env


class Site:
    """Reads the published mart once and renders every page."""

    def __init__(self, con: duckdb.DuckDBPyConnection, manifest: dict, data: Downloads):
        self.con = con
        self.manifest = manifest
        self.data = data  # the downloads in data/, linked from the pages
        self.env = _environment()
        self.sectors = _rows(con, "select * from core.dim_sector order by sort_order")
        self.regions = _rows(con, "select * from core.dim_region order by hierarchy_order")
        self.municipalities = _rows(
            con, "select * from core.dim_municipality order by hierarchy_order"
        )
        self.latest_year = con.execute(
            "select max(year) from marts.mart_municipality_progress"
        ).fetchall()[0][0]
        self.years = list(range(min(self._data_years()), 2031))
        self.demo = "demo" in manifest["source_vintages"]["data_origin"]
        self.sector_years = self._sector_years()
        self.receipts = self._by_municipality(
            "select * from marts.mart_submission_receipts order by source_file"
        )
        self.rejections = self._by_municipality(
            "select * from marts.mart_quarantine order by source_file, sheet, source_row"
        )
        # each mart a municipality page shows, read once and grouped (not a query per page)
        self.progress = self._by_municipality(
            "select * from marts.mart_municipality_progress order by year"
        )
        self.targets = self._by_municipality("select * from core.dim_municipal_targets")
        self.outlook = self._by_municipality(
            "select * from marts.mart_outlook order by method_code = 'conservative', method_code"
        )
        self.gap = self._by_municipality("select * from marts.mart_sector_gap order by sector_code")
        self.actions = self._by_municipality(
            """select * from marts.mart_actions
               order by is_late desc, days_late desc nulls last, sector_code, action_id"""
        )
        self.indicators = self._by_municipality(
            "select * from marts.mart_indicators where year = ?", [self.latest_year]
        )
        self.quality = self._by_municipality("select * from marts.mart_data_quality")

    def _by_municipality(self, sql: str, params: list | None = None) -> dict[str, list[dict]]:
        """A mart's rows grouped by municipality, read once for every page."""
        out: dict[str, list[dict]] = defaultdict(list)
        for row in _rows(self.con, sql, params):
            out[row["municipality_code"]].append(row)
        return out

    def _data_years(self) -> list[int]:
        return [
            y
            for (y,) in self.con.execute(
                "select distinct year from marts.mart_national_progress"
            ).fetchall()
        ]

    def _sector_years(self) -> dict:
        """(area, sector) -> {year: t}, for each municipality, region and the nation."""
        out: dict = defaultdict(dict)
        for row in _rows(
            self.con,
            """select v.municipality_code, m.region_code, v.sector_code, v.year,
                      sum(v.emissions_t) as t
               from marts.mart_emission_vintages v
               join core.dim_municipality m using (municipality_code)
               where v.is_latest_release group by all""",
        ):
            for area in (row["municipality_code"], "region:" + row["region_code"], "nation"):
                key = (area, row["sector_code"])
                out[key][row["year"]] = out[key].get(row["year"], 0) + row["t"]
        return out

    # -- charts --------------------------------------------------------------------------------

    def _sector_stacks(self, area: str) -> list:
        return [
            (
                s["sector_name_da"],
                SECTOR_COLOURS.get(s["sector_code"], "#999"),
                [self.sector_years[area, s["sector_code"]].get(y) for y in self.years],
            )
            for s in self.sectors
        ]

    def _path_line(self, label: str, colour: str, kind: str, by_year: dict) -> tuple:
        return (label, colour, kind, [by_year.get(y) for y in self.years])

    def _gap_chart(self, title: str, rows: list[dict]) -> str:
        rows = [r for r in rows if r["needed_reduction_t"] is not None]
        if not rows:
            return ""
        segments = [
            (label, colour, [r[f"reduction_{key}_t"] or 0 for r in rows])
            for key, label, colour in PROGRESS
        ]
        segments.append((MANKO[0], MANKO[1], [max(r["manko_t"] or 0, 0) for r in rows]))
        return charts.stacked_rows(
            title,
            [r["sector_code"].capitalize() for r in rows],  # short names fit beside the bars
            segments,
            markers=[r["needed_reduction_t"] for r in rows],
            marker_label="Nødvendig reduktion",
        )

    # -- pages ---------------------------------------------------------------------------------

    def _render(self, template: str, depth: int, **context) -> str:
        return self.env.get_template(template).render(
            root="../" * depth,
            demo=self.demo,
            manifest=self.manifest,
            latest_year=self.latest_year,
            regions=self.regions,
            data=self.data,
            **context,
        )

    def nation(self) -> str:
        progress = _rows(self.con, "select * from marts.mart_national_progress order by year")
        # the path is straight to the target year: the mart's points and the target, joined
        path = {r["year"]: r["national_path_t"] for r in progress}
        path[progress[-1]["national_target_year"]] = progress[-1]["national_target_t"]
        with_plan = sum(r["municipalities_with_plan"] for r in self.regions)
        plans_path = {  # only the years in which every plan has a path: the sum is comparable
            r["year"]: r["plans_path_t"]
            for r in progress
            if r["municipalities_with_path"] == with_plan
        }
        chart = charts.bars_and_paths(
            "Landets udledning pr. sektor og sti mod 70 %-målet",
            self.years,
            self._sector_stacks("nation"),
            [
                self._path_line("Nationalt mål: 70 % under 1990 i 2030", "#111", "line", path),
                self._path_line("Kommunernes planer samlet", "#555", "dash", plans_path),
            ],
        )
        region_rows = _rows(
            self.con,
            "select * from marts.mart_region_progress where year = ? order by region_code",
            [self.latest_year],
        )
        region_chart = charts.stacked_rows(
            f"Regionerne {self.latest_year}: udledning og planernes sti",
            [r["region_name"].removeprefix("Region ") for r in region_rows],
            [("Udledning", "#1b6ca8", [r["emissions_with_path_t"] or 0 for r in region_rows])],
            markers=[r["target_path_t"] for r in region_rows],
            marker_label="Planernes sti",
        )
        off_track = _rows(
            self.con,
            """select * from marts.mart_municipality_progress
               where year = ? and status = 'off_track' order by distance_to_path_pct desc""",
            [self.latest_year],
        )
        gap = _rows(self.con, "select * from marts.mart_national_sector_gap order by sector_code")
        return self._render(
            "nation.html",
            0,
            title="Danmark",
            latest=progress[-1],
            chart=chart,
            region_chart=region_chart,
            region_rows=region_rows,
            off_track=off_track,
            gap_chart=self._gap_chart("Manko pr. sektor, alle planer", gap),
            municipalities=self.municipalities,
        )

    def region(self, region: dict) -> str:
        code = region["region_code"]
        ranked = _rows(
            self.con,
            """select * from marts.mart_municipality_progress where year = ? and region_code = ?
               order by distance_to_path_pct desc nulls last""",
            [self.latest_year, code],
        )
        progress = _rows(
            self.con,
            "select * from marts.mart_region_progress where region_code = ? order by year",
            [code],
        )
        gap = _rows(
            self.con,
            "select * from marts.mart_region_sector_gap where region_code = ? order by sector_code",
            [code],
        )
        chart = charts.bars_and_paths(
            f"{region['region_name']}: udledning pr. sektor og planernes sti",
            self.years,
            self._sector_stacks("region:" + code),
            [
                self._path_line(
                    "Kommunernes planer samlet",
                    "#111",
                    "line",
                    {
                        r["year"]: r["target_path_t"]
                        for r in progress
                        if r["municipalities_with_path"] == region["municipalities_with_plan"]
                    },
                )
            ],
        )
        widest = max((abs(r["distance_to_path_pct"] or 0) for r in ranked), default=1) or 1
        return self._render(
            "region.html",
            1,
            title=region["region_name"],
            region=region,
            ranked=ranked,
            widest=widest,
            chart=chart,
            gap_chart=self._gap_chart(f"Manko pr. sektor i {region['region_name']}", gap),
            gap=gap,
            sector_names={s["sector_code"]: s["sector_name_da"] for s in self.sectors},
        )

    def municipality(self, m: dict) -> str:
        code = m["municipality_code"]
        progress = self.progress.get(code, [])
        latest = progress[-1] if progress else None
        path = {}
        if latest and latest["target_2030_t"] is not None:
            # the path is straight to 2030: the mart's points and the 2030 target, joined
            path = {r["year"]: r["target_path_t"] for r in progress}
            path[2030] = latest["target_2030_t"]
        chart = charts.bars_and_paths(
            f"{m['municipality_name']}: udledning pr. sektor og målets sti",
            self.years,
            self._sector_stacks(code),
            [self._path_line("Målets sti mod 2030", "#111", "line", path)] if path else [],
        )
        target = self.targets.get(code, [])
        outlook = self.outlook.get(code, [])
        gap = self.gap.get(code, [])
        actions = self.actions.get(code, [])
        indicators = self.indicators.get(code, [])
        quality = self.quality.get(code, [])
        # the first 50 rejections by file and line (a file rejected whole, with no line, last)
        quarantine = sorted(
            self.rejections.get(code, []),
            key=lambda q: (q["source_file"], q["source_row"] is None, q["source_row"] or 0),
        )[:50]
        return self._render(
            "municipality.html",
            1,
            title=m["municipality_name"],
            m=m,
            latest=latest,
            target=target[0] if target else None,
            outlook=outlook,
            chart=chart,
            gap_chart=self._gap_chart(f"Manko pr. sektor i {m['municipality_name']}", gap),
            gap=gap,
            actions=actions,
            indicator=indicators[0] if indicators else None,
            quality=quality[0] if quality else None,
            quarantine=quarantine,
            sector_names={s["sector_code"]: s["sector_name_da"] for s in self.sectors},
        )

    def receipts_page(self, m: dict) -> str:
        """The receipts of every file the municipality has sent, with their rejections."""
        code = m["municipality_code"]
        receipts = self.receipts.get(code, [])
        rejections: dict[str, list[dict]] = defaultdict(list)
        for q in self.rejections.get(code, []):
            rejections[q["source_file"]].append(q)
        current = [r for r in receipts if r["plan_version_now"] is not None or r["actions_now"]]
        return self._render(
            "receipts.html",
            1,
            title=f"Kvitteringer, {m['municipality_name']}",
            m=m,
            receipts=receipts,
            rejections=rejections,
            figures=(current or receipts or [None])[0],
        )

    def downloads(self, m: dict) -> dict[str, bytes]:
        """The municipality's receipts workbook and its prefilled plan template."""
        code = m["municipality_code"]
        actions = sorted(self.actions.get(code, []), key=lambda a: a["action_id"])
        return {
            f"kommune/{code}-kvitteringer.xlsx": receipts_workbook(
                self.receipts.get(code, []), self.rejections.get(code, [])
            ),
            f"kommune/{code}-skabelon.xlsx": municipality_template(
                m, m.get("current_plan_version"), actions
            ),
        }

    def sources(self) -> str:
        return self._render("sources.html", 0, title="Om tallene")


def build_site(published_db: Path, manifest: dict, out_dir: Path) -> int:
    """Writes the whole site to `out_dir` (replacing it whole); returns the number of pages."""
    staging = out_dir.with_name(f".{out_dir.name}.{manifest['run_id']}")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "region").mkdir(parents=True)
    (staging / "kommune").mkdir()
    con = duckdb.connect(str(published_db), read_only=True)
    try:
        previous = out_dir / "data" if (out_dir / "data").is_dir() else None
        site = Site(con, manifest, write_downloads(con, staging / "data", previous))
        pages = {"index.html": site.nation(), "kilder.html": site.sources()}
        for region in site.regions:
            pages[f"region/{region['region_code']}.html"] = site.region(region)
        files: dict[str, bytes] = {}
        for m in site.municipalities:
            pages[f"kommune/{m['municipality_code']}.html"] = site.municipality(m)
            pages[f"kommune/{m['municipality_code']}-kvitteringer.html"] = site.receipts_page(m)
            files.update(site.downloads(m))
    finally:
        con.close()
    for name, html in pages.items():
        (staging / name).write_text(html, encoding="utf-8")
    for name, content in files.items():
        (staging / name).write_bytes(content)
    shutil.copy(HERE / "static" / "style.css", staging / "style.css")
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    old = out_dir.with_name(f".{out_dir.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    shutil.rmtree(old, ignore_errors=True)
    return len(pages)
