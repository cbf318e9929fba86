"""The bad-input corpus: submissions that break the template in every way we know of, dropped in the
demo inbox beside the good ones, then one full run. Each case must end in a clear rejection that
names the file, the line and the field; nothing received may be lost; the other municipalities'
data must go through and be published."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from ingestion.plan_template import TEMPLATE_COLUMNS
from tests.conftest import assert_succeeded, run_in_process

pytestmark = pytest.mark.integration


def _row(kind: str, code: str = "101", version: int = 9, **values) -> list[str]:
    good = {
        "plan": [code, version, "2023-01-01", "2023-02-01", 1990, 500000, 70, 2045, "round1_2020"],
        "targets": [code, version, "transport", 2030, 50],
        "actions": [
            code,
            version,
            "A1",
            "Cykelstier",
            "transport",
            "mitigation",
            1000,
            "planned",
            "Teknik",
            "2024-01-01",
            "2027-01-01",
            "2024-06-01",
            "",
        ],
        "status": [code, version, "A1", "done", "2025-06-01", ""],
    }[kind]
    row = dict(zip(TEMPLATE_COLUMNS[kind], map(str, good), strict=True))
    row.update({k: str(v) for k, v in values.items()})
    return list(row.values())


def _csv(kind: str, rows: list[list[str]], header=None, sep=",", encoding="utf-8") -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\n")
    writer.writerow(header or TEMPLATE_COLUMNS[kind])
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def _xlsx(sheets: dict[str, list[list]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append([v[0] if isinstance(v, tuple) else v for v in row])
            for cell, v in zip(sheet[sheet.max_row], row, strict=False):
                if isinstance(v, tuple):  # (value, Excel number format)
                    cell.number_format = v[1]
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, bytes]
    rejected: tuple[tuple[str, int, str], ...]  # (file, line, field); line 0 = the whole file


def _without(kind: str, column: str) -> bytes:
    header = [c for c in TEMPLATE_COLUMNS[kind] if c != column]
    row = [v for c, v in zip(TEMPLATE_COLUMNS[kind], _row(kind, "151"), strict=True) if c != column]
    return _csv(kind, [row], header=header)


ACTIONS = TEMPLATE_COLUMNS["actions"]


def _plan_csv(code: str, version: int = 9, **values) -> bytes:
    return _csv("plan", [_row("plan", code, version, **values)])


def _semicolons(kind: str, rows: list[list[str]]) -> bytes:
    """Excel's 'CSV (semikolonsepareret)' on Danish Windows: BOM, semicolons, CRLF."""
    return b"\xef\xbb\xbf" + _csv(kind, rows, sep=";").replace(b"\n", b"\r\n")


def _sheet(kind: str, *rows: list) -> list[list]:
    return [list(TEMPLATE_COLUMNS[kind]), *rows]


def _typed(kind: str, code: str, version: int = 9, **values) -> list:
    """A template row with the cells a workbook types: numbers as numbers, dates as dates."""
    row = _row(kind, code, version)
    out = []
    for column, value in zip(TEMPLATE_COLUMNS[kind], row, strict=True):
        if column in values:
            out.append(values[column])
        elif column.endswith("_date"):
            out.append(date.fromisoformat(value))
        elif value.lstrip("-").isdigit():
            out.append(int(value))
        else:
            out.append(value or None)
    return out


_GOOD_TAIL = "transport,mitigation,100,planned,T,2024-01-01,2027-01-01"
MULTILINE = (
    ",".join(ACTIONS)
    + f'\n330,9,A1,"Cykelstier\nlangs\nåen",{_GOOD_TAIL},2024-06-01,'
    + f"\n330,9,A2,Busser,{_GOOD_TAIL},2024-13-45,\n"
).encode()
NEW_CASES = [
    Case(
        "a workbook with Excel's Danish default sheet names",
        {"400_v9.xlsx": _xlsx({"Ark1": [["a", "b"]], "Ark2": [[1]], "Ark3": []})},
        (("400_v9.xlsx", 0, "file"),),
    ),
    Case(
        "a valid workbook with two status sheets",
        {
            "410_v9.xlsx": _xlsx(
                {
                    "plan": _sheet("plan", _typed("plan", "410")),
                    "targets": _sheet("targets", _typed("targets", "410")),
                    "actions": _sheet("actions", _typed("actions", "410")),
                    "status_2025": _sheet("status", _typed("status", "410", status="in_progress")),
                    "Status_2026 ": _sheet(
                        "status", _typed("status", "410", status_date=date(2026, 1, 15))
                    ),
                }
            )
        },
        (),
    ),
    Case(
        "a Danish thousands dot in the baseline",
        {"420_v9_plan.csv": _plan_csv("420", baseline_emissions_t="54.583")},
        (("420_v9_plan.csv", 2, "baseline_emissions_t"),),
    ),
    Case(
        "12.500 t: a thousands separator or three decimals",
        {
            "420_v9_actions.csv": _csv(
                "actions", [_row("actions", "420", expected_reduction_2030_t="12.500")]
            )
        },
        (("420_v9_actions.csv", 2, "expected_reduction_2030_t"),),
    ),
    Case(
        "a percent cell 70 % in a workbook",
        {
            "430_v9.xlsx": _xlsx(
                {"plan": _sheet("plan", _typed("plan", "430", target_2030_pct=(0.7, "0%")))}
            )
        },
        (),
    ),
    Case(
        "plan version 2.1",
        {"440_v9_plan.csv": _plan_csv("440", plan_version="2.1")},
        (("440_v9_plan.csv", 2, "plan_version"),),
    ),
    Case(
        "an action larger than its sector's emissions",
        {
            "450_v9_actions.csv": _csv(
                "actions", [_row("actions", "450", expected_reduction_2030_t=4_500_000)]
            )
        },
        (("450_v9_actions.csv", 2, "expected_reduction_2030_t"),),
    ),
    Case(
        "a target year before the baseline year",
        {
            "461_v9_plan.csv": _plan_csv("461", baseline_year=2022),
            "461_v9_targets.csv": _csv("targets", [_row("targets", "461", target_year=2021)]),
        },
        (("461_v9_plan.csv", 2, "baseline_emissions_t"), ("461_v9_targets.csv", 2, "plan_version")),
    ),
    Case(
        "a target year before the baseline year, the accounts lacking the year",
        {
            "479_v9_plan.csv": _plan_csv("479", baseline_year=2029),
            "479_v9_targets.csv": _csv("targets", [_row("targets", "479", target_year=2028)]),
        },
        (("479_v9_targets.csv", 2, "target_year"),),
    ),
    Case(
        "actions and a status report of a version with no plan",
        {
            "480_v8_actions.csv": _csv("actions", [_row("actions", "480", 8)]),
            "480_v8_status_2025.csv": _csv("status", [_row("status", "480", 8)]),
        },
        (("480_v8_actions.csv", 2, "plan_version"), ("480_v8_status_2025.csv", 2, "action_id")),
    ),
    Case(
        "a bad date after a quoted title over three lines",
        {"330_v9_actions.csv": MULTILINE},
        (("330_v9_actions.csv", 5, "status_date"),),
    ),
    Case(
        "a truncated last line",
        {"480_v9_targets.csv": _csv("targets", [_row("targets", "480")]) + b"480,9,landbrug,20"},
        (("480_v9_targets.csv", 3, "line"),),
    ),
    Case(
        "an unquoted comma in a title",
        {
            "482_v9_actions.csv": _csv("actions", [_row("actions", "482")])
            + f"482,9,A2,Busser, el og brint,{_GOOD_TAIL},2024-06-01,\n".encode()
        },
        (("482_v9_actions.csv", 3, "line"),),
    ),
    Case(
        "a UTF-16 file (Excel's Unicode text)",
        {
            "492_v9_targets.csv": _csv("targets", [_row("targets", "492")], sep="\t")
            .decode()
            .encode("utf-16")
        },
        (),
    ),
    Case(
        "a workbook named .csv",
        {"492_v9_actions.csv": _xlsx({"actions": _sheet("actions", _typed("actions", "492"))})},
        (("492_v9_actions.csv", 0, "file"),),
    ),
    Case(
        "three bad sheets of one workbook",
        {
            "510_v9.xlsx": _xlsx(
                {
                    "plan": [["municipality_code"], ["510"]],
                    "targets": [["sector"], ["energi"]],
                    "actions": [["title"], ["x"]],
                }
            )
        },
        (("510_v9.xlsx", 0, "sheet"),) * 3,
    ),
    Case(
        "Excel's Danish CSV with decimal commas, read as meant",
        {
            "530_v9_plan.csv": _semicolons(
                "plan",
                [_row("plan", "530", baseline_emissions_t="412345,5", target_2030_pct="72,5")],
            ),
            "530_v9_actions.csv": _semicolons(
                "actions", [_row("actions", "530", expected_reduction_2030_t="1234,5")]
            ),
        },
        (),
    ),
    Case(
        "a file mixing decimal commas and points",
        {
            "540_v9_plan.csv": _semicolons(
                "plan",
                [_row("plan", "540", baseline_emissions_t="412345,5", target_2030_pct="72.5")],
            )
        },
        (("540_v9_plan.csv", 0, "file"),),
    ),
    Case(
        "a percentage written as a share (0,7)",
        {
            "550_v9_targets.csv": _semicolons(
                "targets", [_row("targets", "550", target_reduction_pct="0,7")]
            )
        },
        (("550_v9_targets.csv", 2, "target_reduction_pct"),),
    ),
    Case(
        "a percentage with its sign, 70 %",
        {
            "561_v9_targets.csv": _csv(
                "targets", [_row("targets", "561", target_reduction_pct="70 %")]
            )
        },
        (),
    ),
    Case(
        "a Danish date 01-06-2024",
        {"563_v9_actions.csv": _csv("actions", [_row("actions", "563", start_date="01-06-2024")])},
        (("563_v9_actions.csv", 2, "start_date"),),
    ),
    Case(
        "a baseline far above the accounts' figure",
        {"573_v9_plan.csv": _plan_csv("573", baseline_year=2019, baseline_emissions_t=19_000_000)},
        (("573_v9_plan.csv", 2, "baseline_emissions_t"),),
    ),
    Case(
        "a joint action of a track that does not exist",
        {
            "575_v9_actions.csv": _csv(
                "actions", [_row("actions", "575", track_id="SPOR-FINDES-IKKE")]
            )
        },
        (("575_v9_actions.csv", 2, "track_id"),),
    ),
    Case(
        "a joint action of a track the municipality is not in",
        {"580_v9_actions.csv": _csv("actions", [_row("actions", "580", track_id="SPOR-ENERGI-1")])},
        (("580_v9_actions.csv", 2, "track_id"),),
    ),
    Case(
        "blank lines and a column outside the template",
        {
            "607_v9_targets.csv": _csv(
                "targets",
                [
                    _row("targets", "607") + ["note"],
                    [""] * 6,
                    _row("targets", "607", sector="affald") + [""],
                ],
                header=[*TEMPLATE_COLUMNS["targets"], "bemaerkning"],
            )
        },
        (),
    ),
    Case(
        "a header in capitals with spaces",
        {
            "615_v9_targets.csv": _csv(
                "targets",
                [_row("targets", "615")],
                header=[c.upper().replace("_", " ") for c in TEMPLATE_COLUMNS["targets"]],
            )
        },
        (),
    ),
    Case(
        "a number stored as text with a comma in a workbook",
        {
            "621_v9.xlsx": _xlsx(
                {
                    "actions": _sheet(
                        "actions", _typed("actions", "621", expected_reduction_2030_t="12,5")
                    )
                }
            )
        },
        (("621_v9.xlsx", 2, "expected_reduction_2030_t"),),
    ),
    Case(
        "two plan rows in one plan file",
        {
            "630_v9_plan.csv": _csv(
                "plan", [_row("plan", "630"), _row("plan", "630", target_2030_pct=60)]
            )
        },
        (("630_v9_plan.csv", 3, "municipality_code"),),
    ),
    Case(
        "a number in scientific notation",
        {
            "665_v9_actions.csv": _csv(
                "actions", [_row("actions", "665", expected_reduction_2030_t="1e5")]
            )
        },
        (("665_v9_actions.csv", 2, "expected_reduction_2030_t"),),
    ),
    Case(
        "a date cell with a time",
        {
            "671_v9.xlsx": _xlsx(
                {
                    "plan": _sheet(
                        "plan", _typed("plan", "671", adopted_date=datetime(2023, 1, 1, 13, 5))
                    )
                }
            )
        },
        (("671_v9.xlsx", 2, "adopted_date"),),
    ),
    Case(
        "an old Excel file named .csv",
        {"673_v9_plan.csv": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200)},
        (("673_v9_plan.csv", 0, "file"),),
    ),
    Case(
        "a status report on an action that was rejected",
        {
            "657_v9_actions.csv": _csv("actions", [_row("actions", "657", sector="skibsfart")]),
            "657_v9_status_2025.csv": _csv("status", [_row("status", "657")]),
        },
        (("657_v9_actions.csv", 2, "sector"), ("657_v9_status_2025.csv", 2, "action_id")),
    ),
]


CASES = [
    Case(
        "missing column",
        {"151_v9_plan.csv": _without("plan", "baseline_year")},
        (("151_v9_plan.csv", 0, "file"),),
    ),
    Case(
        "renamed column",
        {
            "151_v9_targets.csv": _csv(
                "targets",
                [_row("targets", "151")],
                header=[
                    "municipality_code",
                    "plan_version",
                    "sektor",
                    "target_year",
                    "target_reduction_pct",
                ],
            )
        },
        (("151_v9_targets.csv", 0, "file"),),
    ),
    Case(
        "wrong type",
        {"153_v9_plan.csv": _csv("plan", [_row("plan", "153", baseline_emissions_t="lots")])},
        (("153_v9_plan.csv", 2, "baseline_emissions_t"),),
    ),
    Case(
        "decimal comma in a comma-separated file, quoted: read as 12.5",
        {
            "155_v9_actions.csv": _csv(
                "actions", [_row("actions", "155", expected_reduction_2030_t="12,5")]
            )
        },
        (),
    ),
    Case(
        "Latin-1 file",
        {
            "157_v9_actions.csv": _csv(
                "actions", [_row("actions", "157", title="Ladestandere i Køge")], encoding="latin-1"
            )
        },
        (("157_v9_actions.csv", 0, "file"),),
    ),
    Case(
        "BOM, otherwise good",
        {"159_v9_targets.csv": b"\xef\xbb\xbf" + _csv("targets", [_row("targets", "159")])},
        (),
    ),
    Case("empty file", {"161_v9_plan.csv": b""}, (("161_v9_plan.csv", 0, "file"),)),
    Case(
        "header only",
        {"163_v9_actions.csv": _csv("actions", [])},
        (("163_v9_actions.csv", 0, "file"),),
    ),
    Case(
        "duplicate action ids",
        {
            "165_v9_actions.csv": _csv(
                "actions", [_row("actions", "165"), _row("actions", "165", title="Samme id igen")]
            )
        },
        (("165_v9_actions.csv", 3, "action_id"),),
    ),
    Case(
        "unknown municipality code",
        {"999_v1_plan.csv": _csv("plan", [_row("plan", "999", 1)])},
        (("999_v1_plan.csv", 2, "municipality_code"),),
    ),
    Case(
        "another municipality's code",
        {"167_v9_actions.csv": _csv("actions", [_row("actions", "101")])},
        (("167_v9_actions.csv", 2, "municipality_code"),),
    ),
    Case(
        "malformed code",
        {"169_v9_targets.csv": _csv("targets", [_row("targets", "1x9")])},
        (("169_v9_targets.csv", 2, "municipality_code"),),
    ),
    Case(
        "negative reduction",
        {
            "173_v9_actions.csv": _csv(
                "actions", [_row("actions", "173", expected_reduction_2030_t=-500)]
            )
        },
        (("173_v9_actions.csv", 2, "expected_reduction_2030_t"),),
    ),
    Case(
        "absurd reduction",
        {
            "175_v9_actions.csv": _csv(
                "actions", [_row("actions", "175", expected_reduction_2030_t=90000000)]
            )
        },
        (("175_v9_actions.csv", 2, "expected_reduction_2030_t"),),
    ),
    Case(
        "target above 100%",
        {"183_v9_targets.csv": _csv("targets", [_row("targets", "183", target_reduction_pct=120)])},
        (("183_v9_targets.csv", 2, "target_reduction_pct"),),
    ),
    Case(
        "target below 0%",
        {"185_v9_targets.csv": _csv("targets", [_row("targets", "185", target_reduction_pct=-5)])},
        (("185_v9_targets.csv", 2, "target_reduction_pct"),),
    ),
    Case(
        "date far in the past",
        {"187_v9_actions.csv": _csv("actions", [_row("actions", "187", start_date="1899-01-01")])},
        (("187_v9_actions.csv", 2, "start_date"),),
    ),
    Case(
        "date far in the future",
        {"190_v9_actions.csv": _csv("actions", [_row("actions", "190", end_date="2999-01-01")])},
        (("190_v9_actions.csv", 2, "end_date"),),
    ),
    Case(
        "status reported in the future",
        {
            "201_v9_status_2099.csv": _csv(
                "status", [_row("status", "201", status_date="2099-01-01")]
            )
        },
        (("201_v9_status_2099.csv", 2, "status_date"),),
    ),
    Case(
        "unknown sector",
        {"210_v9_actions.csv": _csv("actions", [_row("actions", "210", sector="skibsfart")])},
        (("210_v9_actions.csv", 2, "sector"),),
    ),
    Case(
        "unknown status",
        {"217_v9_actions.csv": _csv("actions", [_row("actions", "217", status="paused")])},
        (("217_v9_actions.csv", 2, "status"),),
    ),
    Case(
        "formula in a title",
        {
            "219_v9_actions.csv": _csv(
                "actions", [_row("actions", "219", title="=cmd|' /C calc'!A0")]
            )
        },
        (("219_v9_actions.csv", 2, "title"),),
    ),
    Case(
        "formula in a comment",
        {
            "223_v9_status_2025.csv": _csv(
                "status", [_row("status", "223", comment="@SUM(1+1)*cmd|' /C calc'!A0")]
            )
        },
        (("223_v9_status_2025.csv", 2, "comment"),),
    ),
    Case(
        "path traversal in the name",
        {"..%2F..%2Fetc%2F101_v1_plan.csv": _csv("plan", [_row("plan", "101", 1)])},
        (("..%2F..%2Fetc%2F101_v1_plan.csv", 0, "file"),),
    ),
    Case(
        "not a template name",
        {"notes from the council.txt": b"see attached\n"},
        (("notes from the council.txt", 0, "file"),),
    ),
    Case(
        "in a subfolder",
        {"mails/270_v1_plan.csv": _csv("plan", [_row("plan", "270", 1)])},
        (("mails/270_v1_plan.csv", 0, "file"),),
    ),
    Case(
        "XLSX with extra sheets",
        {
            "230_v9.xlsx": _xlsx(
                {
                    "plan": [
                        list(TEMPLATE_COLUMNS["plan"]),
                        _row("plan", "230", target_2030_pct=150),
                    ],
                    "actions": [list(ACTIONS), _row("actions", "230")],
                    "Noter": [["Vedtaget i byrådet"]],
                    "Pivot": [[1, 2, 3]],
                }
            )
        },
        (("230_v9.xlsx", 2, "plan_version"), ("230_v9.xlsx", 2, "target_2030_pct")),
    ),
    Case(
        "not a workbook",
        {"240_v9.xlsx": b"PK\x03\x04 this is not a workbook"},
        (("240_v9.xlsx", 0, "file"),),
    ),
    Case(
        "plan version not a number",
        {"250_v9_targets.csv": _csv("targets", [_row("targets", "250", plan_version="two")])},
        (("250_v9_targets.csv", 2, "plan_version"),),
    ),
    Case(
        "version differs from the name",
        {"253_v9_targets.csv": _csv("targets", [_row("targets", "253", plan_version=3)])},
        (("253_v9_targets.csv", 2, "plan_version"),),
    ),
    Case(
        "end before start",
        {
            "259_v9_actions.csv": _csv(
                "actions", [_row("actions", "259", start_date="2026-01-01", end_date="2025-01-01")]
            )
        },
        (("259_v9_actions.csv", 2, "end_date"),),
    ),
    Case(
        "unknown cohort",
        {"260_v9_plan.csv": _csv("plan", [_row("plan", "260", dk2020_cohort="round9")])},
        (("260_v9_plan.csv", 2, "dk2020_cohort"),),
    ),
    Case(
        "neutrality year out of range",
        {"265_v9_plan.csv": _csv("plan", [_row("plan", "265", neutrality_year=2200)])},
        (("265_v9_plan.csv", 2, "neutrality_year"),),
    ),
    Case(
        "unknown action type",
        {"269_v9_actions.csv": _csv("actions", [_row("actions", "269", action_type="hope")])},
        (("269_v9_actions.csv", 2, "action_type"),),
    ),
    Case(
        "status report on an unknown action",
        {"270_v9_status_2025.csv": _csv("status", [_row("status", "270", action_id="NOPE")])},
        (("270_v9_status_2025.csv", 2, "action_id"),),
    ),
    Case(
        "semicolons, otherwise good",
        {"306_v9_targets.csv": _csv("targets", [_row("targets", "306")], sep=";")},
        (),
    ),
    *NEW_CASES,
    Case(
        "a very large file",
        {
            "316_v9_actions.csv": _csv(
                "actions", [_row("actions", "316", action_id=f"B{i}") for i in range(60_000)]
            )
        },
        (),
    ),
]


CASE_FILES = {name: content for case in CASES for name, content in case.files.items()}
WITHDRAWN = "159_v9_targets.csv"  # in the first run, gone from the inbox before the second
REPLACED = "561_v9_targets.csv"  # sent again under the same name, with another target


def _support_plans() -> dict[str, bytes]:
    """A valid v9 plan for each municipality whose v9 parts the corpus has without one, so that
    a good targets or actions file is not an orphan."""
    with_plan = {n[:3] for n in CASE_FILES if n.endswith("_v9_plan.csv") or n.endswith("_v9.xlsx")}
    codes = {n.split("_")[0] for n in CASE_FILES if "_v9_" in n and n[:3].isdigit()}
    return {f"{code}_v9_plan.csv": _plan_csv(code) for code in sorted(codes - with_plan)}


@pytest.fixture(scope="module")
def corpus_run(demo_folder, tmp_path_factory):
    """Into a warehouse of its own: the corpus beside the demo's files, loaded by the plans
    source; then the same inbox with one file withdrawn and one replaced, and the whole pipeline.
    The tests read the warehouse after it."""
    import shutil

    from ingestion.configured import SOURCES
    from ingestion.settings import Settings
    from orchestration.defs.resources import dlt_pipeline

    folder = tmp_path_factory.mktemp("bad_inputs")
    inbox = folder / "plans" / "inbox"
    shutil.copytree(demo_folder, folder, dirs_exist_ok=True)
    for name, content in {**CASE_FILES, **_support_plans()}.items():
        (inbox / name).parent.mkdir(exist_ok=True)
        (inbox / name).write_bytes(content)
    workdir = tmp_path_factory.mktemp("bad_inputs_run")
    settings = Settings(source=str(folder), warehouse=workdir / "klimamonitor.duckdb")
    dlt_pipeline(settings, "plans").run(SOURCES["plans"](settings))
    (inbox / WITHDRAWN).unlink()
    (inbox / REPLACED).write_bytes(
        _csv("targets", [_row("targets", "561", target_reduction_pct=65)])
    )
    result = run_in_process(folder, workdir)
    con = duckdb.connect(str(workdir / "klimamonitor.duckdb"), read_only=True)
    yield folder, workdir, result, con
    con.close()


def test_the_corpus_is_large_enough():
    assert len(CASE_FILES) >= 60
    assert len({n for c in CASES for n in c.files}) == sum(len(c.files) for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_bad_input_is_rejected_by_file_line_and_field(corpus_run, case):
    _, _, _, con = corpus_run
    names = [n for n in case.files if n != WITHDRAWN]
    got = con.execute(
        f"""select source_file, source_row, field, rejection, rejection_da
            from marts.mart_quarantine
            where source_file in ({", ".join("?" * len(names))}) order by 1, 2, 3""",
        names,
    ).fetchall()
    expected = sorted(r for r in case.rejected if r[0] != WITHDRAWN)
    assert [(f, r, fld) for f, r, fld, _, _ in got] == expected, got
    for _, _, field, message, message_da in got:
        assert message.startswith(f"{field}: ") and len(message) > len(field) + 8, message
        assert message_da and "/tmp" not in message and "/work" not in message, message


def test_the_run_goes_on_and_publishes(corpus_run):
    _, workdir, result, con = corpus_run
    assert_succeeded(result)
    published_in = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "published/klimamonitor" in published_in
    assert con.execute("""select count(distinct municipality_code) from
        marts.mart_municipality_progress""").fetchall() == [(98,)]
    assert (
        con.execute("""select count(*) from core.dim_municipality
        where plan_status = 'adopted'""").fetchall()[0][0]
        >= 96
    )
    published = duckdb.connect(str(workdir / "published" / "klimamonitor.duckdb"), read_only=True)
    assert published.execute("select count(*) from marts.mart_quarantine").fetchall()[0][0] > 40
    assert published.execute("select count(*) from marts.mart_submission_receipts").fetchall()[0][
        0
    ] > len(CASE_FILES)


def test_every_row_is_accounted_for(corpus_run):
    """Per file: rows in = accepted + rejected with a reason; a file rejected whole has no rows
    in force and its reason; every file in the inbox has a receipt."""
    folder, _, _, con = corpus_run
    inbox = folder / "plans" / "inbox"
    on_disk = {str(p.relative_to(inbox)) for p in inbox.rglob("*") if p.is_file()}
    receipts = {
        r[0]: r[1:]
        for r in con.execute(
            """select source_file, status, rows_in, rows_accepted, rows_rejected, file_reason
               from marts.mart_submission_receipts where status <> 'withdrawn'"""
        ).fetchall()
    }
    assert set(receipts) == on_disk
    raw = dict(
        con.execute(
            """select source_file, count(*) from (
                 select source_file, file_hash from plans.plans union all
                 select source_file, file_hash from plans.plan_targets union all
                 select source_file, file_hash from plans.plan_actions union all
                 select source_file, file_hash from plans.plan_status_updates union all
                 select source_file, file_hash from plans.plan_tracks) as r
               inner join plans.inbox_files as i using (source_file, file_hash)
               where i.status = 'read' group by 1"""
        ).fetchall()
    )
    for name, (status, rows_in, accepted, rejected, reason) in receipts.items():
        if status == "rejected":
            assert rows_in is None and reason and name not in raw, name
        else:
            assert rows_in == accepted + rejected == raw.get(name, 0), (
                name,
                rows_in,
                raw.get(name),
            )
    totals = con.execute(
        """select sum(rows_in), sum(rows_accepted), sum(rows_rejected),
                  count(*) filter (where status = 'rejected')
           from marts.mart_submission_receipts"""
    ).fetchall()[0]
    print("corpus balance: rows in, accepted, rejected, files rejected whole:", totals)
    assert totals[0] == totals[1] + totals[2]


def test_nothing_is_misread(corpus_run):
    """The values that are read are read as they were meant; the ambiguous ones are nowhere."""
    _, _, _, con = corpus_run

    def one(sql: str):
        return con.execute(sql).fetchall()

    assert one("""select baseline_emissions_t, target_2030_pct from intermediate.int_plans__current
        where municipality_code = '530'""") == [(412345.5, 72.5)]
    assert one("""select expected_reduction_2030_t from core.fct_actions
        where municipality_code = '530'""") == [(1234.5,)]
    assert one("""select expected_reduction_2030_t from core.fct_actions
        where municipality_code = '155'""") == [(12.5,)]
    assert one("""select target_2030_pct from intermediate.int_plans__current
        where municipality_code = '430'""") == [(70.0,)]
    assert one("""select target_reduction_pct from core.fct_plan_targets
        where municipality_code = '492' and plan_version = 9""") == [(50.0,)]
    assert one("""select status from core.fct_actions where municipality_code = '410'""") == [
        ("done",)
    ]
    assert one("""select count(*) from staging.stg_plans__status_updates
        where source_file = '410_v9.xlsx' and rejection is null""") == [(2,)]
    for code in ("420", "440", "540", "573", "630"):
        version = one(f"""select plan_version, target_2030_pct from intermediate.int_plans__current
            where municipality_code = '{code}'""")
        assert version and version[0][0] != 9 or version[0][1] != 60, (code, version)
    assert one("""select count(*) from core.fct_actions where expected_reduction_2030_t in
        (12.5, 4500000, 100000) and municipality_code in ('420', '450', '621', '665')""") == [(0,)]


def test_withdrawal_and_resubmission(corpus_run):
    _, _, _, con = corpus_run
    assert con.execute(f"""select status, status_da, rows_withdrawn from
        marts.mart_submission_receipts where source_file = '{WITHDRAWN}'""").fetchall() == [
        ("withdrawn", "trukket tilbage", 1)
    ]
    assert con.execute(f"""select count(*) from staging.stg_plans__targets
        where source_file = '{WITHDRAWN}'""").fetchall() == [(0,)]
    assert con.execute(f"""select count(*) from plans.plan_targets
        where source_file = '{WITHDRAWN}'""").fetchall() == [(1,)]  # kept as history
    assert con.execute(f"""select versions_received, replaced_earlier_version from
        marts.mart_submission_receipts where source_file = '{REPLACED}'""").fetchall() == [
        (2, True)
    ]
    assert con.execute("""select target_reduction_pct from core.fct_plan_targets
        where municipality_code = '561' and plan_version = 9""").fetchall() == [(65.0,)]
    assert con.execute("""select plan_files_withdrawn, plan_files_replaced
        from marts.mart_data_quality where municipality_code in ('159', '561')
        order by municipality_code""").fetchall() == [(1, 0), (0, 1)]


def test_nothing_written_outside_the_warehouse(corpus_run, tmp_path):
    folder, workdir, _, _ = corpus_run
    assert not (folder.parent / "etc").exists()
    assert not Path("/etc/101_v1_plan.csv").exists()
