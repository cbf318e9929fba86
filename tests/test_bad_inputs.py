"""The bad-input corpus: submissions that break the template in every way we know of, dropped in the
demo inbox beside the good ones, then one full run. Each case must end in a clear rejection that
names the file, the line and the field; nothing received may be lost; the other municipalities'
data must go through and be published."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from ingestion.plan_template import TEMPLATE_COLUMNS
from tests.conftest import run_pipeline

pytestmark = pytest.mark.slow


def _row(kind: str, code: str = "101", version: int = 9, **values) -> list[str]:
    good = {
        "plan": [code, version, "2023-01-01", "2023-02-01", 2019, 500000, 70, 2045, "round1_2020"],
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
            sheet.append(row)
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
        "decimal comma",
        {
            "155_v9_actions.csv": _csv(
                "actions", [_row("actions", "155", expected_reduction_2030_t="12,5")]
            )
        },
        (("155_v9_actions.csv", 2, "expected_reduction_2030_t"),),
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
        (("230_v9.xlsx", 2, "target_2030_pct"),),
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


@pytest.fixture(scope="module")
def corpus_run(demo_folder, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad_inputs")
    inbox = folder / "plans" / "inbox"
    import shutil

    shutil.copytree(demo_folder, folder, dirs_exist_ok=True)
    for case in CASES:
        for name, content in case.files.items():
            (inbox / name).parent.mkdir(exist_ok=True)
            (inbox / name).write_bytes(content)
    workdir = tmp_path_factory.mktemp("bad_inputs_run")
    result = run_pipeline(folder, workdir)
    con = duckdb.connect(str(workdir / "klimamonitor.duckdb"), read_only=True)
    yield folder, workdir, result, con
    con.close()


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert len({n for c in CASES for n in c.files}) == sum(len(c.files) for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_bad_input_is_rejected_by_file_line_and_field(corpus_run, case):
    _, _, _, con = corpus_run
    names = list(case.files)
    got = con.execute(
        f"""select source_file, source_row, field, rejection from marts.mart_quarantine
            where source_file in ({", ".join("?" * len(names))}) order by 1, 2""",
        names,
    ).fetchall()
    assert [(f, r, fld) for f, r, fld, _ in got] == list(case.rejected), got
    for _, _, field, message in got:
        assert message.startswith(f"{field}: ") and len(message) > len(field) + 8, message


def test_the_run_goes_on_and_publishes(corpus_run):
    _, workdir, result, con = corpus_run
    assert result.returncode == 0, result.stdout[-4000:]
    assert "warning marts/mart_quarantine quarantine_by_municipality" in result.stdout
    assert "published:" in result.stdout
    assert con.execute("""select count(distinct municipality_code) from
        marts.mart_municipality_progress""").fetchall() == [(98,)]
    assert con.execute("""select count(*) from core.dim_municipality
        where plan_status = 'adopted'""").fetchall() == [(96,)]
    published = duckdb.connect(str(workdir / "published" / "klimamonitor.duckdb"), read_only=True)
    assert published.execute("select count(*) from marts.mart_quarantine").fetchall()[0][0] > 30


def test_nothing_is_lost(corpus_run):
    folder, _, _, con = corpus_run
    inbox = folder / "plans" / "inbox"
    on_disk = {str(p.relative_to(inbox)) for p in inbox.rglob("*") if p.is_file()}
    registered = {n for (n,) in con.execute("select source_file from plans.inbox_files").fetchall()}
    assert registered == on_disk
    # every data row of a file read row by row is in staging, good or with its reason
    for table in ("plans", "targets", "actions", "status_updates"):
        raw = (
            "plan_status_updates"
            if table == "status_updates"
            else ("plans" if table == "plans" else f"plan_{table}")
        )
        assert (
            con.execute(f"select count(*) from plans.{raw}").fetchall()
            == con.execute(f"select count(*) from staging.stg_plans__{table}").fetchall()
        ), table
    # a file rejected whole is kept byte for byte
    for name, content in con.execute(
        "select source_file, content from plans.rejected_files"
    ).fetchall():
        assert (content or b"") == (inbox / name).read_bytes(), name
    large = con.execute("""select count(*), count(rejection_reason) from staging.stg_plans__actions
        where source_file = '316_v9_actions.csv'""").fetchall()
    assert large == [(60_000, 0)]


def test_the_workbook_notes_its_extra_sheets(corpus_run):
    _, _, _, con = corpus_run
    assert con.execute("""select ignored_sheets, rows from plans.inbox_files
        where source_file = '230_v9.xlsx'""").fetchall() == [("Noter, Pivot", 2)]
    assert con.execute("""select count(*) from staging.stg_plans__actions
        where source_file = '230_v9.xlsx' and rejection_reason is null""").fetchall() == [(1,)]


def test_nothing_written_outside_the_warehouse(corpus_run, tmp_path):
    folder, workdir, _, _ = corpus_run
    assert not (folder.parent / "etc").exists()
    assert not Path("/etc/101_v1_plan.csv").exists()
