"""The report site, built by a full run, opened in headless Chromium (Debian's package, installed
here when missing): the charts and tables are there, no request leaves the site, no console error,
a municipality page fits a phone; screenshots go to test-artifacts/report/."""

from __future__ import annotations

import csv
import functools
import http.server
import re
import threading
from html import unescape
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "report"


@pytest.fixture(scope="module")
def site(demo_run) -> Path:
    workdir, _ = demo_run
    site = workdir / "published" / "report"
    assert (site / "index.html").exists()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return site


def _open(browser, url: str, site_prefix: str, width: int = 1100):
    """Opens `url`; returns the page, the requests that left the site, and the console errors."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    outside, errors = [], []
    page.on(
        "request",
        lambda r: None if r.url.startswith((site_prefix, "data:")) else outside.append(r.url),
    )
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_load_state("load")
    return page, outside, errors


# (path, screenshot name, charts drawn, heading in Danish, heading in English)
PAGES = [
    ("index.html", "danmark", 3, "Danmark", "Denmark"),
    ("region/085.html", "region-085", 2, "Region Sjælland", "Region Sjælland"),
    ("kommune/101.html", "koebenhavn", 2, "København Kommune", "København Municipality"),
    ("kommune/665.html", "lemvig-uden-plan", 1, "Lemvig Kommune", "Lemvig Municipality"),
    ("kommune/101-kvitteringer.html", "koebenhavn-kvitteringer", 0, "Kvitteringer", "Receipts"),
    ("sammenligning.html", "sammenligning", 0, "Sammenlign", "Compare"),
]
WIDTHS = {"phone": 390, "desktop": 1440}
LANGUAGES = {"da": "", "en": "en/"}

# What the browser measures on a page: the smallest chart text as drawn on the screen (its font
# size times the SVG's scale), the page's width, and each table that scrolls in its box with its
# first column's place once the box is scrolled to its end.
MEASURE = """() => {
  const charts = [...document.querySelectorAll('svg.chart')]
    .filter(s => s.getBoundingClientRect().width > 0);
  let smallest = Infinity;
  for (const svg of charts) {
    const scale = svg.getScreenCTM().a;
    for (const t of svg.querySelectorAll('text')) {
      smallest = Math.min(smallest, parseFloat(getComputedStyle(t).fontSize) * scale);
    }
  }
  const tables = [...document.querySelectorAll('table')].map(table => {
    const box = table.closest('.scroll');
    if (!box) return {boxed: false};
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    box.scrollLeft = box.scrollWidth;
    const cell = table.querySelector('tbody tr td, tbody tr th');
    const kept = !cell || cell.getBoundingClientRect().left >= box.getBoundingClientRect().left - 1;
    box.scrollLeft = 0;
    return {boxed: true, scrolls, kept};
  });
  return {charts: charts.length, smallest, width: document.documentElement.scrollWidth, tables};
}"""


@pytest.mark.e2e
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("device", WIDTHS)
@pytest.mark.parametrize(
    "path, shot, charts, heading_da, heading_en", PAGES, ids=[p[1] for p in PAGES]
)
def test_page_on_a_phone_and_a_desktop(browser, site, path, shot, charts, heading_da, heading_en,
                                       device, lang):  # fmt: skip
    """Each page in each language at 390 and 1440 px: drawn offline with no error, chart text at
    least 11 px as drawn, nothing wider than the screen, every table in a box of its own that keeps
    its key column in view when it scrolls; a screenshot of each in test-artifacts/report/."""
    width = WIDTHS[device]
    prefix = site.as_uri() + "/"
    page, outside, errors = _open(browser, prefix + LANGUAGES[lang] + path, prefix, width)
    page.screenshot(path=str(ARTIFACTS / f"{lang}-{device}-{shot}.png"), full_page=True)
    assert outside == [], f"requests outside the site: {outside}"
    assert errors == [], f"console errors: {errors}"
    assert page.locator("html").get_attribute("lang") == lang
    assert (heading_da if lang == "da" else heading_en) in page.locator("h1").inner_text()
    demo = "DEMODATA" if lang == "da" else "DEMO DATA"
    assert demo in page.locator(".demo").inner_text().upper(), "demo data is marked"
    measured = page.evaluate(MEASURE)
    assert measured["charts"] >= charts, "each chart is drawn once for the screen's width"
    if measured["charts"]:
        assert measured["smallest"] >= 11, f"chart text drawn at {measured['smallest']:.1f} px"
    for svg in page.locator("svg.chart").all():
        if svg.is_visible():
            assert "t CO2e" in svg.inner_html(), "every chart names its unit"
            assert svg.get_attribute("aria-label"), "every chart says what it shows"
    assert measured["width"] <= width, f"the page is {measured['width']} px wide on {width}"
    assert measured["tables"], "the page has its tables"
    for table in measured["tables"]:
        assert table["boxed"], "a table scrolls in a box of its own, not the page"
        assert table["kept"] or not table["scrolls"], "a table that scrolls keeps its key column"
    page.close()


@pytest.mark.e2e
def test_site_from_a_static_web_server(browser, site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        page, outside, errors = _open(browser, base, base)
        page.locator("nav a", has_text="Sjælland").click()
        page.wait_for_load_state("load")
        assert page.url == base + "region/085.html"
        page.locator("table a").first.click()
        page.wait_for_load_state("load")
        assert "/kommune/" in page.url and page.locator("svg.chart").count() >= 1
        assert outside == [] and errors == []
        page.close()
    finally:
        server.shutdown()


def test_every_page_and_link(site):
    pages = sorted(site.rglob("*.html"))
    # the nation, the sources, the comparison, the regions, and a page and a receipts page per
    # municipality, in Danish and in English
    assert len(pages) == 2 * (3 + 5 + 98 + 98)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        # Nothing is loaded from outside; the one kind of outside link is a published target's
        # source, marked as such.
        assert not re.search(r"""src=["'](https?:)?//""", html), f"{page}: external resource"
        sources = re.findall(
            r'<a class="source" rel="external noopener" href="https?://[^"]+"', html
        )
        outside = re.findall(r"""href=["'](https?:)?//""", html)
        assert len(outside) == len(sources), f"{page}: an external link that is not a source"
        assert "<script" not in html, f"{page}: a script"
        for link in re.findall(r'href="(?!data:|https?:)([^"#]+)"', html):
            assert (page.parent / link).resolve().exists(), f"{page.name}: broken link {link}"


# Codes of the mart, and what a page must never show a reader instead of words: a period as
# StatBank writes it (2024M12), a timestamp as Python writes it, a code in snake_case. The BI
# tables' names (the downloads') and their catalogue descriptions, in English for BI users, are
# the exception.
CODE_LIKE = {
    "a code": r"\b(?!(?:dim|mart|fct)_)[a-z]+(?:_[a-z0-9]+)+\b",
    "a StatBank period": r"\b\d{4}[MKQ]\d{1,2}\b",
    "an ISO timestamp": r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}",
    "a time with fractions of a second": r"\d{2}:\d{2}:\d{2}\.\d",
}


def _visible_text(html: str) -> str:
    html = re.sub(r'<td[^>]*class="catalogue"[^>]*>.*?</td>', " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_no_code_on_a_public_page(site):
    """No page shows a code, a period code or a raw timestamp where words belong, and no Danish
    page shows the mart's English codes (no plan, on_track); a plan's cohort is named in words."""
    from report.labels import COHORT, PLAN_STATUS, STATUS

    with (PROJECT_ROOT / "transform" / "seeds" / "plan_cohorts.csv").open(encoding="utf-8") as f:
        assert {row["cohort_code"] for row in csv.DictReader(f)} == set(COHORT)
    found = []
    for page in site.rglob("*.html"):
        text = _visible_text(page.read_text(encoding="utf-8"))
        for what, pattern in CODE_LIKE.items():
            found += [(page.relative_to(site), what, m) for m in re.findall(pattern, text)]
        if "en" not in page.relative_to(site).parts:
            codes = [
                c for c in (*PLAN_STATUS, *STATUS, *COHORT) if c and re.search(rf"\b{c}\b", text)
            ]
            found += [(page.relative_to(site), "a code", c) for c in codes]
    assert found == []
    municipality = _visible_text((site / "kommune" / "101.html").read_text(encoding="utf-8"))
    assert "egen plan gennem C40" in municipality, "København's cohort, in words"


def test_every_code_in_the_mart_has_words(demo_run):
    """Each code the report shows (statuses, cohorts, methods, sources, groups) has a label, and
    the labels of the data-quality checks are exactly the checks of mart_data_quality."""
    import duckdb

    from report import labels

    workdir, _ = demo_run
    con = duckdb.connect(str(workdir / "published" / "klimamonitor.duckdb"), read_only=True)
    try:
        values = lambda sql: {row[0] for row in con.execute(sql).fetchall()}  # noqa: E731
        assert values("select distinct status from marts.mart_municipality_progress") <= set(
            labels.STATUS
        )
        assert values("select distinct plan_status from core.dim_municipality") <= set(
            labels.PLAN_STATUS
        )
        assert values("select distinct dk2020_cohort from core.dim_municipality") - {None} <= set(
            labels.COHORT
        )
        assert values("select distinct status from marts.mart_actions") <= set(labels.ACTION_STATUS)
        assert values("select distinct municipality_group from core.dim_municipality") - {
            None
        } <= set(labels.MUNICIPALITY_GROUPS)
        checks = values(
            "select column_name from information_schema.columns where table_schema = 'marts' "
            "and table_name = 'mart_data_quality' and data_type = 'BOOLEAN'"
        )
    finally:
        con.close()
    assert checks == set(labels.QUALITY_CHECKS)


def test_each_municipality_links_its_receipts_and_downloads(site):
    """Every municipality page links its receipts page, its receipts workbook and its prefilled
    template, and each of them is there; the receipts page lists every file named for it."""
    from openpyxl import load_workbook

    pages = sorted((site / "kommune").glob("[0-9]*[0-9].html"))
    pages += sorted((site / "en" / "kommune").glob("[0-9]*[0-9].html"))
    assert len(pages) == 2 * 98
    for page in pages:
        code = page.stem
        html = page.read_text(encoding="utf-8")
        linked = {(page.parent / href).resolve() for href in re.findall(r'href="([^"#]+)"', html)}
        for target in (
            page.parent / f"{code}-kvitteringer.html",  # in the page's language
            site / "kommune" / f"{code}-kvitteringer.xlsx",  # one workbook for both
            site / "kommune" / f"{code}-skabelon.xlsx",
        ):
            assert target.resolve() in linked, (page, target.name)
            assert target.is_file(), (code, target)
    receipts = (site / "kommune" / "101-kvitteringer.html").read_text(encoding="utf-8")
    inbox = load_workbook(site / "kommune" / "101-kvitteringer.xlsx")["kvitteringer"]
    files = [row[0].value for row in inbox.iter_rows(min_row=2)]
    assert files and all(name.startswith("101_") and name in receipts for name in files)


def test_a_rebuild_links_the_workbooks_made_from_the_same_inputs(site, tmp_path):
    """Built again from the same publication, by a process per core: each receipts workbook and
    template is the last build's file (the same inode), except one whose inputs differ, which is
    written again; the pages are the same, byte for byte."""
    import json
    import shutil

    from report.downloads import made_from
    from report.site import build_site

    published = site.parent
    manifest = json.loads((published / "manifest.json").read_text(encoding="utf-8"))
    out = tmp_path / "report"
    shutil.copytree(site, out)
    kommune = out / "kommune"
    shutil.copyfile(kommune / "147-skabelon.xlsx", kommune / "101-skabelon.xlsx")  # not 101's
    before = {p.name: p.stat().st_ino for p in kommune.glob("*.xlsx")}
    build_site(published / "klimamonitor.duckdb", {**manifest, "run_id": "again"}, out, True)
    after = {p.name: p.stat().st_ino for p in (out / "kommune").glob("*.xlsx")}
    assert after.keys() == before.keys() and len(after) == 2 * 98
    assert [name for name in after if after[name] != before[name]] == ["101-skabelon.xlsx"]
    assert made_from(out / "kommune" / "101-skabelon.xlsx") == made_from(
        site / "kommune" / "101-skabelon.xlsx"
    )
    for page in ("index.html", "kommune/101.html", "en/kommune/101-kvitteringer.html"):
        assert (out / page).read_bytes() == (site / page).read_bytes(), page


@pytest.mark.parametrize(
    ("low", "high", "count", "labels"),
    [
        (0, 10, 4, ["0,0", "2,5", "5,0", "7,5", "10,0"]),  # the regions chart's axis
        (0, 123_456, 5, ["0", "25.000", "50.000", "75.000", "100.000", "125.000"]),
        (0, 0.7, 5, ["0,0", "0,2", "0,4", "0,6", "0,8"]),
        (-3, 12, 5, ["-5", "0", "5", "10", "15"]),
    ],
)
def test_axis_ticks_are_nice_numbers_labelled_as_they_are(low, high, count, labels):
    from report.charts import _ticks, tick_labels

    ticks = _ticks(low, high, count)
    assert ticks[0] <= low and ticks[-1] >= high
    assert tick_labels(ticks) == labels


@pytest.mark.parametrize(
    "period, lang, words",
    [("2024M12", "da", "december 2024"), ("2024M01", "da", "januar 2024"),
     ("2026K1", "da", "1. kvartal 2026"), ("2024", "da", "2024"),
     ("2024M12", "en", "December 2024"), ("2026K1", "en", "1st quarter 2026"), (None, "da", "–")],
)  # fmt: skip
def test_statbank_periods_in_words(period, lang, words):
    from report.i18n import period as in_words

    assert in_words(period, lang) == words


@pytest.mark.parametrize(
    "value, lang, words",
    [("2026-12-03T06:21:07.123456+00:00", "da", "3. december 2026 kl. 07.21"),
     ("2026-07-03T06:21:07+00:00", "da", "3. juli 2026 kl. 08.21"),  # summer time
     ("2026-12-03T06:21:07.123456+00:00", "en", "3 December 2026, 07:21")],
)  # fmt: skip
def test_times_in_danish_time_and_words(value, lang, words):
    from report.i18n import when

    assert when(value, lang) == words


@pytest.mark.parametrize(
    ("series", "level", "start", "year"),
    [
        ({2024: 10, 2025: 9, 2026: 8}, 8.5, 2024, 2026),
        ({2024: 10, 2025: 9, 2026: 8}, 10, 2024, 2024),  # at the level counts
        ({2023: 5, 2024: 10, 2025: 9}, 6, 2024, None),  # years before the start do not count
        ({2024: 10, 2025: None, 2026: 1}, 5, 2024, None),  # an unknown year on the way
        ({2024: 10}, None, 2024, None),  # no target, no year
        ({2024: 10, 2025: 11}, 9, 2024, None),  # never
    ],
)
def test_first_year_at_or_below(series, level, start, year):
    from report.site import first_year_at_or_below

    assert first_year_at_or_below(series, level, start) == year


@pytest.mark.unit
def test_every_message_is_translated(tmp_path):
    """The messages of the templates and labels as pybabel extracts them today are exactly those of
    the English catalogue, each translated and none fuzzy (`make translations` merges new ones)."""
    import subprocess
    import sys

    from babel.messages.pofile import read_po

    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "-q", "extract", "-F", "report/babel.cfg", "-o", str(pot), "report"],
        cwd=PROJECT_ROOT,
        check=True,
    )
    with pot.open("rb") as f:
        extracted = {m.id for m in read_po(f) if m.id}
    with (PROJECT_ROOT / "report/locale/en/LC_MESSAGES/messages.po").open("rb") as f:
        catalogue = {m.id: m for m in read_po(f) if m.id}
    assert extracted - set(catalogue) == set(), "run `make translations`, then translate"
    assert [m for m in extracted if not catalogue[m].string or catalogue[m].fuzzy] == []


def test_the_sources_page_names_every_statbank_table_with_its_period_in_words(site):
    """Om tallene names the five StatBank tables the pipeline reads, each with its latest period
    in words; no page says a table is not fetched while showing its figures."""
    sources = (site / "kilder.html").read_text(encoding="utf-8")
    for table in ("FOLK1A", "BIL54", "BIL53", "BOL102"):
        assert re.search(rf"{table} \d{{4}}|{table} [a-zæø]+ \d{{4}}|{table} \d\. kvartal", sources)
        assert f"({table})" in sources
    assert "kommuneinddelingen" in sources
    assert not re.search(r"\d{4}[MK]\d", sources), "a period as a code"
    for page in site.rglob("*.html"):
        assert "hentes endnu ikke" not in page.read_text(encoding="utf-8"), page
