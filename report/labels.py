"""The words a reader sees for each code the mart holds, in Danish, the report's source language.

Each label is marked with `N_` so that `make translations` (pybabel) extracts it for the English
catalogue; the pages translate it when they show it. A code without a label is a test failure
(tests/test_report.py), never a code on a public page.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark for translation, later"
    return message


STATUS = {
    "on_track": N_("på sporet"),
    "at_risk": N_("i risiko"),
    "off_track": N_("bagud"),
    None: N_("ingen sti"),
}
STATUS_EXPLAINED = {
    "on_track": N_("ved eller under stien"),
    "at_risk": N_("op til 10 % over stien"),
    "off_track": N_("mere end 10 % over stien"),
    None: N_("ingen kendt sti at måle på"),
}
STATUS_SYMBOL = {"on_track": "✓", "at_risk": "!", "off_track": "✕", None: "–"}

PLAN_STATUS = {
    "adopted": N_("plan vedtaget"),
    "rejected": N_("planen er indsendt, men afvist"),
    "no plan": N_("ingen plan indsendt"),
}
COHORT = {  # transform/seeds/plan_cohorts.csv
    "pilot_2019": N_("DK2020-pilot, 2019"),
    "round1_2020": N_("DK2020, 1. runde, 2020"),
    "round2_2021": N_("DK2020, 2. runde, 2021"),
    "c40_own_plan": N_("egen plan gennem C40, uden for DK2020"),
}
ACTION_STATUS = {
    "planned": N_("planlagt"),
    "in_progress": N_("i gang"),
    "done": N_("gennemført"),
    "cancelled": N_("opgivet"),
}
BASELINE_METHOD = {
    "accounts": N_("fra regnskabet"),
    "stated": N_("som oplyst"),
    "estimated": N_("estimeret ud fra den nationale opgørelse"),
}
TARGET_SOURCE = {  # the kinds of source in plan_targets_published.csv
    "primary_municipality": N_("kommunens egen plan eller side"),
    "primary_municipality_preplan": N_("kommunens egen udmelding før planen"),
    "primary_municipal_press_release": N_("kommunens pressemeddelelse"),
    "primary_realdania_dk2020_partner": N_("Realdania, DK2020-partner"),
    "secondary_news": N_("nyhedsartikel"),
    "secondary_consultant": N_("rådgivers rapport"),
    "secondary_blog_politician": N_("politikers blog"),
}
QUALITY_CHECKS = {  # the boolean columns of marts.mart_data_quality
    "emissions_complete": N_("Klimaregnskabet har tal for alle sektorer"),
    "emissions_current": N_("Klimaregnskabet har det seneste år"),
    "population_current": N_("Befolkningstallet er fra den seneste periode"),
    "car_stock_current": N_("Bilbestanden er fra den seneste periode"),
    "plan_in_force": N_("Der er en gældende plan"),
    "sector_targets_complete": N_("Planen har et 2030-mål for hver sektor"),
    "plan_baseline_matches_accounts": N_("Planens basisår stemmer med regnskabet"),
    "status_reported_this_year": N_("Status på indsatserne er meldt i år"),
    "no_rejected_rows": N_("Ingen rækker afvist"),
}
SOURCES = {  # the source assets, as their checks name them
    "statbank/areas": N_("Kommuneinddelingen (Danmarks Statistik)"),
    "statbank/folk1a": N_("Befolkningen (FOLK1A)"),
    "statbank/bil54": N_("Bilbestanden (BIL54)"),
    "statbank/bil53": N_("Nye biler (BIL53)"),
    "statbank/bol102": N_("Boligernes opvarmning (BOL102)"),
    "klimaregnskab/noegletal": N_("Energi- og CO2-regnskabet"),
}
UNKNOWN_SOURCE = N_("Kommunernes indsendelser")  # plans/*: the inbox and what is read from it
CHECK_KINDS = {
    "freshness_check": N_("ikke opdateret så tit som ventet"),
}
UNKNOWN_CHECK = N_("indholdet var ikke som ventet (se kørslens tjek i Dagster)")
DELIMITERS = {",": N_("komma"), ";": N_("semikolon"), "tab": N_("tabulator"), ".": N_("punktum")}
MUNICIPALITY_GROUPS = {  # transform/seeds/municipality_groups.csv: DST's names, and in English
    "Hovedstadskommuner": N_("Hovedstadskommuner"),
    "Storbykommuner": N_("Storbykommuner"),
    "Provinsbykommuner": N_("Provinsbykommuner"),
    "Oplandskommuner": N_("Oplandskommuner"),
    "Landkommuner": N_("Landkommuner"),
}
