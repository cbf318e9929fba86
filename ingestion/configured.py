"""The dlt sources as the settings configure them: which service or folder each reads, from
`Settings.source` and dlt's configuration (`[sources.<name>]` in `.dlt/config.toml`, or
`SOURCES__<NAME>__...` in the environment, which is how the tests point the sources at the replay
server). Building a source makes no request: the live services are asked when it runs."""

from __future__ import annotations

import csv
from datetime import date

import dlt
from dlt.extract.source import DltSource

from ingestion.klimaregnskab import (
    KLIMAREGNSKAB_URL,
    KlimaregnskabApi,
    api_key,
    klimaregnskab_source,
)
from ingestion.plans import plans_source
from ingestion.readers import folder_reader
from ingestion.settings import PROJECT_ROOT, WAREHOUSE_DIR, Settings
from ingestion.statbank import (
    AREAS_TABLE,
    STATBANK_URL,
    StatBankApi,
    StatBankFolder,
    parse_tableinfo_areas,
    statbank_source,
)

OUTSIDE_DIVISION = PROJECT_ROOT / "transform" / "seeds" / "areas_outside_municipal_division.csv"


def statbank_service(settings: Settings) -> StatBankApi | StatBankFolder:
    if settings.mode == "live":
        return StatBankApi(dlt.config.get("sources.statbank.base_url") or STATBANK_URL)
    return StatBankFolder(folder_reader(settings, "statbank"))


def municipality_codes(statbank: StatBankApi) -> list[str]:
    """The municipalities of StatBank's area hierarchy, less the areas outside the municipal
    division (the dbt seed lists them), which have no emissions accounts."""
    with OUTSIDE_DIVISION.open(encoding="utf-8") as f:
        outside = {row["area_code"] for row in csv.DictReader(f)}
    areas = parse_tableinfo_areas(statbank.tableinfo(AREAS_TABLE), "live")
    return [
        a["area_code"]
        for a in areas
        if a["area_level"] == "municipality" and a["area_code"] not in outside
    ]


def klimaregnskab_api(settings: Settings) -> KlimaregnskabApi:
    """The live emissions API; the key is checked first, before any request is made."""
    key = api_key()
    first_year = int(dlt.config.get("sources.klimaregnskab.first_year") or 2018)
    return KlimaregnskabApi(
        base_url=dlt.config.get("sources.klimaregnskab.base_url") or KLIMAREGNSKAB_URL,
        key=key,
        municipalities=municipality_codes(statbank_service(settings)),
        years=list(range(first_year, date.today().year)),
        workers=int(dlt.config.get("sources.klimaregnskab.workers") or 8),
    )


def plan_inbox_url(settings: Settings) -> str:
    """The plan inbox: the folder's `plans/inbox`, or live a local path or any fsspec URL
    (`s3://...`, `az://...`; credentials as dlt's filesystem source reads them)."""
    if settings.mode != "live":
        return (folder_reader(settings, "plans").root / "plans" / "inbox").as_uri()
    configured = dlt.config.get("sources.plans.inbox_url")
    if configured and "://" in str(configured):
        return str(configured)
    inbox = (WAREHOUSE_DIR / "inbox") if not configured else PROJECT_ROOT / str(configured)
    inbox.mkdir(parents=True, exist_ok=True)
    return inbox.resolve().as_uri()


def statbank(settings: Settings) -> DltSource:
    return statbank_source(statbank_service(settings), origin=settings.origin)


def klimaregnskab(settings: Settings, today: str | None = None) -> DltSource:
    """`today` dates a new live vintage (default: the day of the run)."""
    if settings.mode == "live":
        return klimaregnskab_source(
            api=lambda: klimaregnskab_api(settings), origin=settings.origin, today=today
        )
    return klimaregnskab_source(folder_reader(settings, "klimaregnskab"), origin=settings.origin)


def plans(settings: Settings) -> DltSource:
    return plans_source(inbox_url=plan_inbox_url(settings), origin=settings.origin)


SOURCES = {"statbank": statbank, "klimaregnskab": klimaregnskab, "plans": plans}
