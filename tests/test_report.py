"""The report site, built by a full run, opened in headless Chromium (Debian's package, installed
here when missing): the charts and tables are there, no request leaves the site, no console error,
a municipality page fits a phone; screenshots go to test-artifacts/report/."""

from __future__ import annotations

import csv
import functools
import http.server
import re
import threading
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


PAGES = [
    ("index.html", "index", 3, "Danmark"),
    ("region/085.html", "region-085", 2, "Region Sjælland"),
    ("kommune/101.html", "kommune-101", 2, "København Kommune"),
    ("kommune/101-kvitteringer.html", "kommune-101-kvitteringer", 0, "Kvitteringer"),
]


@pytest.mark.e2e
@pytest.mark.parametrize("path, shot, charts, heading", PAGES, ids=[p[1] for p in PAGES])
def test_page_renders_offline(browser, site, path, shot, charts, heading):
    prefix = site.as_uri() + "/"
    page, outside, errors = _open(browser, prefix + path, prefix)
    page.screenshot(path=str(ARTIFACTS / f"{shot}.png"), full_page=True)
    assert outside == [], f"requests outside the site: {outside}"
    assert errors == [], f"console errors: {errors}"
    assert heading in page.locator("h1").inner_text()
    assert page.locator("svg.chart").count() >= charts
    for svg in page.locator("svg.chart").all():
        text = svg.inner_html()
        assert "t CO2e" in text, "every chart names its unit"
        assert svg.bounding_box()["height"] > 100, "the chart is drawn"
    assert page.locator("table tbody tr").count() > 0
    assert "DEMODATA" in page.locator(".demo").inner_text(), "demo data is marked on every page"
    page.close()


@pytest.mark.e2e
def test_municipality_page_fits_a_phone(browser, site):
    prefix = site.as_uri() + "/"
    page, outside, errors = _open(browser, prefix + "kommune/101.html", prefix, width=390)
    page.screenshot(path=str(ARTIFACTS / "kommune-101-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert outside == [] and errors == []
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
    assert len(pages) == 1 + 1 + 5 + 98 + 98  # a page and a receipts page per municipality
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


def test_no_code_of_the_plan_template_is_shown_as_it_is(site):
    """A plan's DK2020 cohort is named in words, not by its code in the template."""
    from report.site import COHORT_DA

    with (PROJECT_ROOT / "transform" / "seeds" / "plan_cohorts.csv").open(encoding="utf-8") as f:
        cohorts = [row["cohort_code"] for row in csv.DictReader(f)]
    assert set(cohorts) == set(COHORT_DA)
    shown = 0
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not [c for c in cohorts if c in html], page
        shown += sum(label in html for label in COHORT_DA.values())
    assert shown > 0


def test_each_municipality_links_its_receipts_and_downloads(site):
    """Every municipality page links its receipts page, its receipts workbook and its prefilled
    template, and each of them is there; the receipts page lists every file named for it."""
    from openpyxl import load_workbook

    pages = sorted((site / "kommune").glob("[0-9]*[0-9].html"))
    assert len(pages) == 98
    for page in pages:
        code = page.stem
        html = page.read_text(encoding="utf-8")
        for target in (
            f"{code}-kvitteringer.html",
            f"{code}-kvitteringer.xlsx",
            f"{code}-skabelon.xlsx",
        ):
            assert f'href="{target}"' in html, (code, target)
            assert (site / "kommune" / target).is_file(), (code, target)
    receipts = (site / "kommune" / "101-kvitteringer.html").read_text(encoding="utf-8")
    inbox = load_workbook(site / "kommune" / "101-kvitteringer.xlsx")["kvitteringer"]
    files = [row[0].value for row in inbox.iter_rows(min_row=2)]
    assert files and all(name.startswith("101_") and name in receipts for name in files)


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
    "period, words",
    [("2024M12", "december 2024"), ("2024M01", "januar 2024"), ("2026K1", "1. kvartal 2026"),
     ("2024", "2024")],
)  # fmt: skip
def test_statbank_periods_in_words(period, words):
    from report.site import period_da

    assert period_da(period) == words


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
