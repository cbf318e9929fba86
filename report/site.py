"""The monitoring report: a static site built from the published mart, one page for the nation,
each region and each municipality, a comparison of all municipalities, and one on where the
numbers come from; in Danish at the root and in English under `en/`, from the same build.

Works from the file system and from any static web server: relative links, one stylesheet, charts
as inline SVG, no script and nothing fetched from the network. The area tables are read once per
build and a municipality's rows a chunk of municipalities at a time; every page is rendered from
memory. Written to a new folder, then swapped in by rename, so a reader never sees half a site.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from publish.downloads import CHUNK, Downloads, DownloadWriter, Workshop
from report import charts, i18n, labels
from report.downloads import planned, receipts_job, template_job, write_planned

HERE = Path(__file__).parent
N_ = labels.N_
# Okabe and Ito's colour-blind-safe palette; where two colours are near for some readers, their
# lightness differs and the legend names them.
SECTOR_COLOURS = {
    "energi": "#0072b2",
    "transport": "#e69f00",
    "landbrug": "#009e73",
    "affald": "#cc79a7",
    "industri": "#56b4e9",
}
PROGRESS = [  # the groups an action's reduction counts in, and the manko, in drawing order
    ("done", N_("Gennemført"), "#08519c"),
    ("in_progress", N_("I gang"), "#4292c6"),
    ("planned", N_("Planlagt"), "#9ecae1"),
    ("late", N_("Forsinket"), "#e69f00"),
]
MANKO = (N_("Manko (ikke dækket)"), "#a50f15")
PATH, PLANS, YARDSTICK, BAND, TARGET = "#111111", "#555555", "#009e73", "#cc79a7", "#d55e00"


def first_year_at_or_below(series: dict[int, float | None], level: float | None, start: int):
    """The first year from `start` whose value is at or below `level`; None where there is none
    (or a year on the way is unknown, or the level is)."""
    if level is None:
        return None
    for year in sorted(y for y in series if y >= start):
        if series[year] is None:
            return None
        if series[year] <= level:
            return year
    return None


def _streamed(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> Iterator[dict]:
    """The rows of `sql` as dicts, fetched a batch at a time: a result summed as it is read is
    never held whole (at 10,000 municipalities the sector sums read 1.5 M rows, 1 GB held)."""
    result = con.execute(sql, params or [])
    names = [d[0] for d in result.description]
    while batch := result.fetchmany(100_000):
        for row in batch:
            yield dict(zip(names, row, strict=True))


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[dict]:
    return list(_streamed(con, sql, params))


def _grouped(rows: list[dict], key: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        out[row[key]].append(row)
    return out


# The tables a municipality's pages and workbooks read, by the name the rendering uses; read a
# chunk of municipalities at a time (`municipality_rows`), so that the build holds one chunk's
# rows and not every municipality's (at 10,000 municipalities, 1.7 M rows of the outlook alone).
MUNICIPALITY_ROWS = {
    "receipts": "select * from marts.mart_submission_receipts {chunk} order by source_file",
    "rejections": "select * from marts.mart_quarantine {chunk}"
    " order by source_file, sheet, source_row",
    "progress": "select * from marts.mart_municipality_progress {chunk} order by year",
    "targets": "select * from core.dim_municipal_targets {chunk}",
    "outlook": "select * from marts.mart_outlook {chunk}"
    " order by method_code = 'conservative', method_code",
    "outlook_years": "select municipality_code, method_code, year, emissions_t, projected_t,"
    " target_path_t, yardstick_t from marts.mart_outlook_years {chunk} and year <= 2030"
    " order by year, method_code",
    "gap": "select * from marts.mart_sector_gap {chunk} order by sector_code",
    "actions": "select * from marts.mart_actions {chunk}"
    " order by is_late desc, days_late desc nulls last, sector_code, action_id",
    "indicators": "select * from marts.mart_indicators {chunk}"
    " and year = (select max(year) from marts.mart_municipality_progress)",
    "quality": "select * from marts.mart_data_quality {chunk}",
}


def municipality_rows(con: duckdb.DuckDBPyConnection, codes: list[str]) -> dict[str, dict]:
    """code -> table name -> its rows, for the municipalities `codes` (a list for each table of
    MUNICIPALITY_ROWS, empty where the table has none)."""
    out = {code: {name: [] for name in MUNICIPALITY_ROWS} for code in codes}
    chunk = "where municipality_code in (select unnest($codes))"
    for name, sql in MUNICIPALITY_ROWS.items():
        for row in _rows(con, sql.format(chunk=chunk), {"codes": codes}):
            out[row["municipality_code"]][name].append(row)
    return out


class Site:
    """Reads the published mart's area tables once (a municipality's rows come a chunk at a
    time, `municipality_rows`); `in_language` renders its pages in one language."""

    def __init__(self, con: duckdb.DuckDBPyConnection, manifest: dict, data: Downloads):
        self.manifest = manifest
        self.data = data  # the downloads in data/, linked from the pages
        q = lambda sql, params=None: _rows(con, sql, params)  # noqa: E731
        by_municipality = lambda sql, params=None: _grouped(q(sql, params), "municipality_code")  # noqa: E731
        self.sectors = q("select * from core.dim_sector order by sort_order")
        self.regions = q("select * from core.dim_region order by hierarchy_order")
        self.municipalities = q("select * from core.dim_municipality order by hierarchy_order")
        self.latest_year = con.execute(
            "select max(year) from marts.mart_municipality_progress"
        ).fetchall()[0][0]
        self.national = q("select * from marts.mart_national_progress order by year")
        self.years = list(range(min(r["year"] for r in self.national), 2031))
        self.demo = "demo" in manifest["source_vintages"]["data_origin"]
        self.sector_years = self._sector_years(con)
        self.area_years = self._area_years(con)
        self.national_outlook = q(
            "select * from marts.mart_national_outlook order by method_code = 'conservative', "
            "method_code"
        )
        self.national_gap = q("select * from marts.mart_national_sector_gap order by sector_code")
        self.region_progress = _grouped(
            q("select * from marts.mart_region_progress order by year"), "region_code"
        )
        self.region_outlook = _grouped(
            q("select * from marts.mart_region_outlook order by method_code"), "region_code"
        )
        self.region_gap = _grouped(
            q("select * from marts.mart_region_sector_gap order by sector_code"), "region_code"
        )
        # the latest year of every municipality, for the nation's and the regions' lists
        self.latest_progress = by_municipality(
            "select * from marts.mart_municipality_progress where year = ?", [self.latest_year]
        )
        self.horizon = con.execute("select max(year) from marts.mart_outlook_years").fetchall()[0][
            0
        ]
        self.peers = q("select * from marts.mart_peers order by per_capita_rank nulls last")
        self.peers_of = {p["municipality_code"]: p for p in self.peers}
        # counted once, not on every municipality's page (at 10,000, 20 s of the build)
        self.ranked = sum(p["per_capita_rank"] is not None for p in self.peers)
        self.trended = sum(p["trend_rank"] is not None for p in self.peers)
        self.lang = "da"

    def _sector_years(self, con) -> dict:
        """(area, sector) -> {year: t}, for each municipality, region and the nation. Summed as
        decimals, and in a fixed order here: a sum of doubles in DuckDB's threads differs in its
        last bits from build to build, enough to turn a shown 1.755.760 t into 1.755.761 t."""
        out: dict = defaultdict(dict)
        for row in _streamed(
            con,
            """select v.municipality_code, m.region_code, v.sector_code, v.year,
                      sum(v.emissions_t::decimal(38, 6))::double as t
               from marts.mart_emission_vintages v
               join core.dim_municipality m using (municipality_code)
               where v.is_latest_release group by all order by all""",
        ):
            for area in (row["municipality_code"], "region:" + row["region_code"], "nation"):
                key = (area, row["sector_code"])
                out[key][row["year"]] = out[key].get(row["year"], 0) + row["t"]
        return out

    def _area_years(self, con) -> dict:
        """(area, method) -> {year: t}: the emissions, then the projection, summed over a region
        or the nation; a year where any municipality's figure is unknown is unknown."""
        out: dict = defaultdict(dict)
        for row in _streamed(
            con,
            """select coalesce('region:' || region_code, 'nation') as area, method_code, year,
                      case when count(coalesce(emissions_t, projected_t)) = count(*)
                           then sum(coalesce(emissions_t, projected_t)::decimal(38, 6))::double
                      end as t,
                      case when count(yardstick_t) = count(*)
                           then sum(yardstick_t::decimal(38, 6))::double end as yardstick_t
               from marts.mart_outlook_years where year <= 2030
               group by grouping sets ((region_code, method_code, year), (method_code, year))""",
        ):
            out[row["area"], row["method_code"]][row["year"]] = row["t"]
            out[row["area"], "yardstick"][row["year"]] = row["yardstick_t"]
        return out

    # -- one language --------------------------------------------------------------------------

    def in_language(self, lang: str) -> Site:
        """The same data, its pages written in `lang`."""
        pages = copy.copy(self)
        pages.lang = lang
        pages.style = charts.STYLES[lang]
        translation = i18n.translations(lang)
        pages._ = lambda message, **values: translation.gettext(message) % values  # noqa: E731
        pages.env = self._environment(lang, translation)
        pages.sector_names = {
            s["sector_code"]: s["sector_name_da" if lang == "da" else "sector_name_en"]
            for s in self.sectors
        }
        return pages

    def _environment(self, lang: str, translation) -> Environment:
        env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        )
        env.policies["ext.i18n.trimmed"] = True
        env.install_gettext_translations(translation, newstyle=True)
        style, _ = charts.STYLES[lang], translation.gettext

        def label(table: dict, unknown: str | None = None):
            """The words for a code; a code without words shows `unknown`, never itself."""
            return lambda code: (
                _(table[code]) if code in table else (_(unknown) if unknown else code)
            )

        env.filters.update(
            t=lambda v: style.number(v),
            dec1=lambda v: style.number(v, 1),
            pct=lambda v: "–" if v is None else style.number(v, 1) + " %",
            signed_pct=lambda v: (
                "–" if v is None else ("+" if v > 0 else "") + style.number(v, 1) + " %"
            ),
            status=label(labels.STATUS),
            status_explained=label(labels.STATUS_EXPLAINED),
            status_symbol=lambda s: labels.STATUS_SYMBOL.get(s, "–"),
            plan_status=label(labels.PLAN_STATUS),
            action_status=label(labels.ACTION_STATUS),
            cohort=label(labels.COHORT),
            group=label(labels.MUNICIPALITY_GROUPS),
            baseline_method=label(labels.BASELINE_METHOD),
            target_source=label(labels.TARGET_SOURCE),
            mark=label(labels.DELIMITERS),
            source_name=label(labels.SOURCES, labels.UNKNOWN_SOURCE),
            check_kind=label(labels.CHECK_KINDS, labels.UNKNOWN_CHECK),
            when=lambda v: i18n.when(v, lang),
            day=lambda v: i18n.day(v, lang),
            period=lambda v: i18n.period(v, lang),
            method=lambda o: o["method_name_da"] if lang == "da" else o["method_name_en"],
        )
        return env

    # -- charts --------------------------------------------------------------------------------

    def _sector_stacks(self, area: str) -> list:
        return [
            (
                self.sector_names[s["sector_code"]],
                SECTOR_COLOURS.get(s["sector_code"], "#999"),
                [self.sector_years[area, s["sector_code"]].get(y) for y in self.years],
            )
            for s in self.sectors
        ]

    def _band(self, by_method: list[dict[int, float | None]], latest: int) -> charts.Band:
        """The projections of every method as one band, from the latest year of the accounts."""
        low, high = [], []
        for year in self.years:
            values = [m.get(year) for m in by_method]
            known = year >= latest and values and all(v is not None for v in values)
            low.append(min(values) if known else None)
            high.append(max(values) if known else None)
        return charts.Band(
            self._("Fremskrivning på trenden (spænd mellem metoderne)"), BAND, low, high
        )

    def _yardstick(self, by_year: dict) -> tuple:
        """The carbon-law yardstick (emissions halved every decade), as every chart draws it."""
        return self._line(self._("Kulstofloven: halvering pr. årti"), YARDSTICK, "dot", by_year)

    def _line(self, label: str, colour: str, kind: str, by_year: dict) -> tuple:
        return (label, colour, kind, [by_year.get(y) for y in self.years])

    def _chart(self, title: str, area: str, lines: list, band, marker) -> str:
        return charts.pair(
            charts.bars_and_paths,
            title,
            self.years,
            self._sector_stacks(area),
            lines,
            band=band,
            marker=marker,
            style=self.style,
        )

    def _gap_chart(self, title: str, rows: list[dict]) -> str:
        rows = [r for r in rows if r["needed_reduction_t"] is not None]
        if not rows:
            return ""
        _ = self._
        segments = [
            (_(label), colour, [r[f"reduction_{key}_t"] or 0 for r in rows])
            for key, label, colour in PROGRESS
        ]
        segments.append((_(MANKO[0]), MANKO[1], [max(r["manko_t"] or 0, 0) for r in rows]))
        return charts.pair(
            charts.stacked_rows,
            title,
            [self.sector_names[r["sector_code"]].split(" ")[0] for r in rows],  # short names fit
            segments,
            markers=[r["needed_reduction_t"] for r in rows],
            marker_label=_("Nødvendig reduktion"),
            style=self.style,
        )

    # -- pages ---------------------------------------------------------------------------------

    def _render(self, template: str, path: str, **context) -> str:
        depth = path.count("/") + (1 if self.lang != "da" else 0)
        root = "../" * depth
        other = "en" if self.lang == "da" else "da"
        return self.env.get_template(template).render(
            lang=self.lang,
            root=root,  # the site's root: the stylesheet and the downloads, shared by languages
            home=root + i18n.LANGUAGES[self.lang],  # this language's pages
            switch=(root + i18n.LANGUAGES[other] + path, i18n.NAMES[other], other),
            demo=self.demo,
            manifest=self.manifest,
            latest_year=self.latest_year,
            regions=self.regions,
            data=self.data,
            sector_names=self.sector_names,
            **context,
        )

    def nation(self) -> str:
        _ = self._
        progress = self.national
        latest = progress[-1]
        outlook = self.national_outlook
        first = outlook[0] if outlook else None
        # The national target on the accounts' scope (estimated), not the national inventory's:
        # the bars are the municipal accounts, which leave out what no municipality emits.
        path, marker, reaching = {}, None, []
        if first and first["accounts_scope_target_2030_t"] is not None:
            start, end = first["reference_year"], 2030
            base, goal = (
                first["accounts_reference_year_estimated_t"],
                first["accounts_scope_target_2030_t"],
            )
            path = {y: base + (goal - base) * (y - start) / (end - start) for y in self.years}
            label = _("70 %%-målet i 2030, regnskabets område (estimeret)")
            marker = charts.Marker(label, TARGET, 2030, goal)
            reaching = [
                (
                    o,
                    first_year_at_or_below(
                        self.area_years["nation", o["method_code"]], goal, self.latest_year
                    ),
                )
                for o in outlook
            ]
        with_plan = sum(r["municipalities_with_plan"] for r in self.regions)
        plans_path = {  # only the years in which every plan has a path: the sum is comparable
            r["year"]: r["plans_path_t"]
            for r in progress
            if r["municipalities_with_path"] == with_plan
        }
        chart = self._chart(
            _("Danmark: udledning pr. sektor, fremskrivning og sti mod 70 %%-målet"),
            "nation",
            [
                self._line(
                    _("Sti mod 70 %%-målet (regnskabets område, estimeret)"), PATH, "line", path
                ),
                self._line(_("Kommunernes planer samlet"), PLANS, "dash", plans_path),
                self._yardstick(self.area_years.get(("nation", "yardstick"), {})),
            ],
            self._band(
                [self.area_years["nation", o["method_code"]] for o in outlook], self.latest_year
            ),
            marker,
        )
        region_rows = [
            next(
                (
                    r
                    for r in self.region_progress[g["region_code"]]
                    if r["year"] == self.latest_year
                ),
                None,
            )
            for g in self.regions
        ]
        region_rows = [r for r in region_rows if r]
        region_chart = charts.pair(
            charts.stacked_rows,
            _("Regionerne %(year)s: udledning og planernes sti", year=self.latest_year),
            [r["region_name"].removeprefix("Region ") for r in region_rows],
            [
                (
                    _("Udledning"),
                    SECTOR_COLOURS["energi"],
                    [r["emissions_with_path_t"] or 0 for r in region_rows],
                )
            ],
            markers=[r["target_path_t"] for r in region_rows],
            marker_label=_("Planernes sti"),
            style=self.style,
        )
        off_track = [
            r for rows in self.latest_progress.values() for r in rows if r["status"] == "off_track"
        ]
        off_track.sort(key=lambda r: -(r["distance_to_path_pct"] or 0))
        manko = sum(max(g["manko_uncovered_t"] or 0, 0) for g in self.national_gap)
        manko_offset = sum(g["manko_t"] or 0 for g in self.national_gap)
        return self._render(
            "nation.html",
            "index.html",
            title=_("Danmark"),
            latest=latest,
            outlook=outlook,
            reaching=reaching,
            chart=chart,
            region_chart=region_chart,
            region_rows=region_rows,
            off_track=off_track,
            gap=self.national_gap,
            manko=manko,
            manko_offset=manko_offset,
            gap_chart=self._gap_chart(_("Manko pr. sektor, alle planer"), self.national_gap),
            municipalities=self.municipalities,
        )

    def region(self, region: dict) -> str:
        _ = self._
        code = region["region_code"]
        ranked = [
            r
            for m in self.municipalities
            if m["region_code"] == code
            for r in self.latest_progress.get(m["municipality_code"], [])
        ]
        ranked.sort(
            key=lambda r: (r["distance_to_path_pct"] is None, -(r["distance_to_path_pct"] or 0))
        )
        progress = self.region_progress[code]
        outlook = self.region_outlook.get(code, [])
        gap = self.region_gap.get(code, [])
        marker = None
        if outlook and outlook[0]["municipalities_without_target"] == 0:
            marker = charts.Marker(
                _("Kommunernes 2030-mål samlet"), TARGET, 2030, outlook[0]["target_2030_t"]
            )
        area = "region:" + code
        chart = self._chart(
            _(
                "%(region)s: udledning pr. sektor, fremskrivning og planernes sti",
                region=region["region_name"],
            ),
            area,
            [
                self._line(
                    _("Kommunernes planer samlet"),
                    PATH,
                    "line",
                    {
                        r["year"]: r["target_path_t"]
                        for r in progress
                        if r["municipalities_with_path"] == region["municipalities_with_plan"]
                    },
                ),
                self._yardstick(self.area_years.get((area, "yardstick"), {})),
            ],
            self._band(
                [self.area_years.get((area, o["method_code"]), {}) for o in outlook],
                self.latest_year,
            ),
            marker,
        )
        widest = max((abs(r["distance_to_path_pct"] or 0) for r in ranked), default=1) or 1
        return self._render(
            "region.html",
            f"region/{code}.html",
            title=region["region_name"],
            region=region,
            ranked=ranked,
            peers=self.peers_of,
            widest=widest,
            outlook=outlook,
            chart=chart,
            gap_chart=self._gap_chart(
                _("Manko pr. sektor i %(region)s", region=region["region_name"]), gap
            ),
            gap=gap,
        )

    def municipality(self, m: dict, rows: dict[str, list[dict]]) -> str:
        """The municipality's page from its `rows` (table name -> rows, `municipality_rows`)."""
        _ = self._
        code = m["municipality_code"]
        progress = rows["progress"]
        latest = progress[-1] if progress else None
        target = (rows["targets"] or [None])[0]
        outlook = rows["outlook"]
        by_method: dict[str, dict[int, dict]] = defaultdict(dict)
        for row in rows["outlook_years"]:
            by_method[row["method_code"]][row["year"]] = row
        any_method = next(iter(by_method.values()), {})
        marker = None
        if target and target["target_2030_t"] is not None:
            marker = charts.Marker(_("Målet for 2030"), TARGET, 2030, target["target_2030_t"])
        chart = self._chart(
            _(
                "%(name)s: udledning pr. sektor, fremskrivning og målets sti",
                name=m["municipality_name"],
            ),
            code,
            [
                self._line(
                    _("Målets sti"),
                    PATH,
                    "line",
                    {y: r["target_path_t"] for y, r in any_method.items()},
                ),
                self._yardstick({y: r["yardstick_t"] for y, r in any_method.items()}),
            ],
            self._band(
                [
                    {
                        y: r["emissions_t"] if r["emissions_t"] is not None else r["projected_t"]
                        for y, r in by_year.items()
                    }
                    for by_year in by_method.values()
                ],
                outlook[0]["latest_year"] if outlook else self.latest_year,
            ),
            marker,
        )
        quarantine = sorted(
            rows["rejections"],
            key=lambda q: (q["source_file"], q["source_row"] is None, q["source_row"] or 0),
        )[:50]
        quality = (rows["quality"] or [None])[0]
        checks = [(name, quality[name]) for name in labels.QUALITY_CHECKS] if quality else []
        return self._render(
            "municipality.html",
            f"kommune/{code}.html",
            title=m["municipality_name"],
            m=m,
            latest=latest,
            target=target,
            outlook=outlook,
            chart=chart,
            gap_chart=self._gap_chart(
                _("Manko pr. sektor i %(name)s", name=m["municipality_name"]),
                rows["gap"],
            ),
            gap=rows["gap"],
            actions=rows["actions"],
            indicator=(rows["indicators"] or [None])[0],
            quality=quality,
            checks=checks,
            check_labels=labels.QUALITY_CHECKS,
            quarantine=quarantine,
            peer=self.peers_of.get(code),
            horizon=self.horizon,
            municipalities_ranked=self.ranked,
            municipalities_trended=self.trended,
        )

    def compare(self) -> str:
        """Every municipality by emissions per inhabitant and by trend, beside its group."""
        groups: dict[str, list[dict]] = defaultdict(list)
        for p in self.peers:
            groups[p["municipality_group"]].append(p)
        return self._render(
            "compare.html",
            "sammenligning.html",
            title=self._("Sammenlign kommunerne"),
            peers=self.peers,
            by_trend=sorted(
                self.peers, key=lambda p: (p["trend_rank"] is None, p["trend_rank"] or 0)
            ),
            groups=[
                (g, rows[0]) for g, rows in sorted(groups.items(), key=lambda kv: kv[0] or "~")
            ],
        )

    def receipts_page(self, m: dict, rows: dict[str, list[dict]]) -> str:
        """The receipts of every file the municipality has sent, with their rejections."""
        code = m["municipality_code"]
        receipts = rows["receipts"]
        rejections: dict[str, list[dict]] = defaultdict(list)
        for q in rows["rejections"]:
            rejections[q["source_file"]].append(q)
        current = [r for r in receipts if r["plan_version_now"] is not None or r["actions_now"]]
        return self._render(
            "receipts.html",
            f"kommune/{code}-kvitteringer.html",
            title=self._("Kvitteringer, %(name)s", name=m["municipality_name"]),
            m=m,
            receipts=receipts,
            rejections=rejections,
            figures=(current or receipts or [None])[0],
        )

    def download_jobs(
        self, m: dict, rows: dict[str, list[dict]], folder: Path, previous: Path | None
    ) -> list[tuple]:
        """The jobs that write the municipality's receipts workbook and its prefilled plan
        template into `folder`, from its `rows`; none for a file the previous build made from
        the same inputs (`previous`, its folder), which is linked in."""
        code = m["municipality_code"]
        actions = sorted(rows["actions"], key=lambda a: a["action_id"])
        jobs = [
            (
                f"{code}-kvitteringer.xlsx",
                receipts_job(rows["receipts"], rows["rejections"]),
            ),
            (f"{code}-skabelon.xlsx", template_job(m, m.get("current_plan_version"), actions)),
        ]
        return [j for name, job in jobs if (j := planned(folder / name, job, previous))]

    def sources(self) -> str:
        return self._render("sources.html", "kilder.html", title=self._("Om tallene"))

    def area_pages(self) -> dict[str, str]:
        """The pages of the nation, the regions, the comparison and the sources, by path."""
        pages = {
            "index.html": self.nation(),
            "kilder.html": self.sources(),
            "sammenligning.html": self.compare(),
        }
        for region in self.regions:
            pages[f"region/{region['region_code']}.html"] = self.region(region)
        return {i18n.LANGUAGES[self.lang] + path: html for path, html in pages.items()}

    def municipality_pages(self, m: dict, rows: dict[str, list[dict]]) -> dict[str, str]:
        """The municipality's page and its receipts page, by path, from its `rows`."""
        code, prefix = m["municipality_code"], i18n.LANGUAGES[self.lang]
        return {
            f"{prefix}kommune/{code}.html": self.municipality(m, rows),
            f"{prefix}kommune/{code}-kvitteringer.html": self.receipts_page(m, rows),
        }


# DuckDB's memory while the report reads (it spills to disk beyond it): the whole tables' CSVs
# are sorted by DuckDB, and at 10,000 municipalities a table of 1.7 M rows took the process up by
# 1 GB uncapped, by 0.5 GB at 512 MB, in the same time (publish.downloads._write_csv)
MEMORY = "512MB"

# from this many municipalities on, workbooks are written by a process per core while the pages
# render (below, starting the processes costs more than it saves)
PARALLEL_MUNICIPALITIES = 200


def _write_pages(folder: Path, parts: list[dict[str, str]]) -> int:
    written = 0
    for pages in parts:
        for name, html in pages.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(html, encoding="utf-8")
            written += 1
    return written


def build_site(
    published_db: Path, manifest: dict, out_dir: Path, parallel: bool | None = None
) -> int:
    """Writes the whole site to `out_dir` (replacing it whole); returns the number of pages. A
    workbook the last build made from the same inputs is linked from it, not written again."""
    staging = out_dir.with_name(f".{out_dir.name}.{manifest['run_id']}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    (staging / "kommune").mkdir()
    before = out_dir if (out_dir / "index.html").is_file() else None
    con = duckdb.connect(str(published_db), read_only=True, config={"memory_limit": MEMORY})
    try:
        if parallel is None:
            count = con.execute("select count(*) from core.dim_municipality").fetchone()[0]
            parallel = count >= PARALLEL_MUNICIPALITIES
        with Workshop(parallel) as workshop:
            downloads = DownloadWriter(con, staging / "data", before and before / "data", workshop)
            site = Site(con, manifest, downloads.index)
            languages = [site.in_language(lang) for lang in i18n.LANGUAGES]
            pages = _write_pages(staging, [p.area_pages() for p in languages])
            # a chunk's files (and a table's workbook) are handed over, then its pages rendered
            # while they are written: the pages and the files are done side by side
            for at in range(0, len(site.municipalities), CHUNK):
                chunk = site.municipalities[at : at + CHUNK]
                codes = [m["municipality_code"] for m in chunk]
                downloads.municipalities(codes)
                downloads.table_workbook()
                rows = municipality_rows(con, codes)
                previous = before and before / "kommune"
                jobs = [
                    j
                    for m in chunk
                    for j in site.download_jobs(
                        m, rows[m["municipality_code"]], staging / "kommune", previous
                    )
                ]
                if jobs:
                    workshop.submit(write_planned, jobs, small=True)
                pages += _write_pages(
                    staging,
                    [
                        p.municipality_pages(m, rows[m["municipality_code"]])
                        for p in languages
                        for m in chunk
                    ],
                )
            downloads.finish()
    finally:
        con.close()
    shutil.copy(HERE / "static" / "style.css", staging / "style.css")
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    old = out_dir.with_name(f".{out_dir.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    shutil.rmtree(old, ignore_errors=True)
    return pages
