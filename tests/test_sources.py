"""Each source parser, on demo files and on the real service answers in ../shared/data."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ingestion.klimaregnskab import noegletal_batches, parse_noegletal
from ingestion.readers import FolderReader, SourceInputError
from ingestion.statbank import DATA_TABLES, parse_data_csv, parse_tableinfo_areas
from tests.conftest import SHARED_DATA, requires_shared

SAMPLES = SHARED_DATA / "api-samples"


@requires_shared
def test_tableinfo_hierarchy_real_sample():
    rows = parse_tableinfo_areas((SAMPLES / "dst_tableinfo_ARE207.json").read_bytes(), "folder")
    by_level = {}
    for row in rows:
        by_level.setdefault(row["area_level"], []).append(row)
    assert [r["area_code"] for r in by_level["country"]] == ["000"]
    assert sorted(r["area_code"] for r in by_level["region"]) == ["081", "082", "083", "084", "085"]
    municipalities = {r["area_code"]: r for r in by_level["municipality"]}
    assert len(municipalities) == 99  # the 98 and Christiansø, which dbt leaves out
    assert municipalities["101"]["parent_code"] == "084"
    assert municipalities["851"]["parent_code"] == "081"  # Aalborg
    assert municipalities["411"]["parent_code"] == "084"


def test_tableinfo_without_area_variable_is_a_clear_error():
    with pytest.raises(SourceInputError, match="no OMRÅDE variable"):
        parse_tableinfo_areas(b'{"variables": [{"id": "Tid", "values": []}]}', "demo")


@requires_shared
def test_statbank_csv_real_sample():
    payload = (SAMPLES / "dst_folk1am_2026M02_raw_en.csv").read_bytes()
    table = parse_data_csv(payload, "folk1am", ("omraade", "koen", "alder", "tid"), "folder")
    values = dict(zip(table["omraade"].to_pylist(), table["indhold"].to_pylist(), strict=True))
    assert values["All Denmark"] == 6028459
    assert values["Copenhagen"] == 673391
    assert set(table["tid"].to_pylist()) == {"2026M02"}


def test_statbank_csv_decimal_comma_and_missing():
    payload = (
        b"\xef\xbb\xbfOMR\xc3\x85DE;K\xc3\x98N;ALDER;CIVILSTAND;TID;INDHOLD\r\n"
        b"000;TOT;IALT;TOT;2024K1;5,5\r\n084;TOT;IALT;TOT;2024K1;..\r\n"
    )
    table = parse_data_csv(payload, "folk1a", DATA_TABLES["folk1a"].columns, "demo")
    assert table["omraade"].to_pylist() == ["000", "084"]  # codes keep their leading zeros
    assert table["indhold"].to_pylist() == [5.5, None]


def test_statbank_csv_missing_column_names_table_and_column():
    payload = b"\xef\xbb\xbfOMR\xc3\x85DE;TID;INDHOLD\r\n000;2024K1;1\r\n"
    with pytest.raises(SourceInputError, match=r"statbank folk1a: columns missing.*koen"):
        parse_data_csv(payload, "folk1a", DATA_TABLES["folk1a"].columns, "demo")


def test_statbank_demo_files(demo_folder):
    reader = FolderReader(demo_folder)
    cars = parse_data_csv(
        reader.read("statbank/data/BIL54.csv"), "bil54", DATA_TABLES["bil54"].columns, "demo"
    )
    assert cars.num_rows == (1 + 5 + 98) * 5 * 7 * 12
    assert set(cars["driv"].to_pylist()) == {"20200", "20205", "20210", "20225", "20232"}


@requires_shared
def test_noegletal_real_sample():
    table = parse_noegletal(
        (SAMPLES / "klimaregnskab_noegletal_2018_2023.jsonl").read_bytes(), "sample", "folder"
    )
    total_2023 = pc.and_(pc.equal(table["sector"], "Samlet"), pc.equal(table["year"], 2023))
    assert round(pc.sum(table.filter(total_2023)["value"]).as_py()) == 34_039_454
    kbh = table.filter(pc.and_(total_2023, pc.equal(table["municipality_code"], "101")))
    assert kbh["value"].to_pylist() == [867436.9]
    assert len(set(table["municipality_code"].to_pylist())) == 98


def test_noegletal_broken_json_names_the_release():
    with pytest.raises(SourceInputError, match="klimaregnskab release 2026-06-30"):
        parse_noegletal(b'{"municipality": "101", "year": 20', "2026-06-30", "demo")


def test_noegletal_broken_release_file_names_the_file_and_line(tmp_path):
    path = tmp_path / "klimaregnskab" / "2026-06-30" / "noegletal.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text('{"municipality": "101", "year": 2024, "response": {"data": []}}\n{"munic')
    message = f"{path}: not readable: .*Malformed JSON.* line"
    with pytest.raises(SourceInputError, match=message):
        list(noegletal_batches(path, "2026-06-30", "demo"))


def test_a_release_file_read_in_pieces_loses_no_line(tmp_path, monkeypatch):
    """A release file larger than one piece gives the same rows as the whole file at once."""
    import ingestion.klimaregnskab as klimaregnskab

    path = tmp_path / "noegletal.jsonl"
    lines = [
        json.dumps(
            {
                "municipality": str(100 + m),
                "year": 2000 + y,
                "response": {
                    "data": [
                        {
                            "sektor": "Energi",
                            "type": "Samlet CO2-udledning",
                            "enhed": "Ton CO2e",
                            "værdi": m * 100 + y,
                        }
                    ]
                },
            }
        )
        for m in range(40)
        for y in range(20)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole = parse_noegletal(path.read_bytes(), "r", "demo")
    monkeypatch.setattr(klimaregnskab, "CHUNK_BYTES", 1000)  # about 8 lines a piece
    assert len(list(klimaregnskab._pieces(path))) > 50
    pieces = pa.Table.from_batches(list(noegletal_batches(path, "r", "demo")))
    assert pieces.sort_by("value").equals(whole.sort_by("value"))

    path.write_text("\n".join(lines[:300]) + '\n{"munic', encoding="utf-8")
    with pytest.raises(
        SourceInputError, match=f"{path} \\(the part from line 2\\d\\d: .*Malformed"
    ):
        list(noegletal_batches(path, "r", "demo"))


def test_snapshot_files_loaded_as_they_are_are_not_read_again(demo_folder, tmp_path, monkeypatch):
    """A second load of an unchanged snapshot folder reads no emissions release and no StatBank
    data file; a file that changes (time or size) is read again, and only that one."""
    import os
    import shutil

    from ingestion.configured import SOURCES
    from ingestion.settings import Settings
    from orchestration.defs.resources import dlt_pipeline

    folder = shutil.copytree(demo_folder, tmp_path / "sources")
    settings = Settings(source=str(folder), warehouse=tmp_path / "klimamonitor.duckdb")

    def rows_loaded(name: str) -> dict[str, int]:
        pipeline = dlt_pipeline(settings, name)
        pipeline.run(SOURCES[name](settings))
        counts = pipeline.last_trace.last_normalize_info.row_counts
        return {t: n for t, n in counts.items() if not t.startswith("_dlt")}

    first = {**rows_loaded("klimaregnskab"), **rows_loaded("statbank")}
    assert first["noegletal"] > 0 and first["bil54"] > 0
    second = {**rows_loaded("klimaregnskab"), **rows_loaded("statbank")}
    for table in ("noegletal", "folk1a", "bil54", "bil53", "bol102"):
        assert second.get(table, 0) == 0, (table, second)

    bil54 = folder / "statbank" / "data" / "BIL54.csv"
    os.utime(bil54, ns=(bil54.stat().st_atime_ns, bil54.stat().st_mtime_ns + 10**9))
    release = sorted(folder.glob("klimaregnskab/*/noegletal.jsonl"))[-1]
    os.utime(release, ns=(release.stat().st_atime_ns, release.stat().st_mtime_ns + 10**9))
    third = {**rows_loaded("klimaregnskab"), **rows_loaded("statbank")}
    assert third["noegletal"] == 98 * 7 * 8  # the later release only: 98 x 7 years x 8 rows
    assert third["bil54"] > 0
    for table in ("folk1a", "bil53", "bol102"):
        assert third.get(table, 0) == 0, (table, third)


def test_a_restated_answer_replaces_its_rows_whole(demo_folder, tmp_path, monkeypatch):
    """A release file that changes is loaded again answer by answer: a figure the new answer no
    longer has is gone, a changed value is the new one, and the other release keeps its rows.
    The first load, of releases never loaded, appends; the second merges."""
    import json
    import shutil

    import duckdb

    from ingestion.configured import SOURCES
    from ingestion.settings import Settings
    from orchestration.defs.resources import dlt_pipeline

    folder = shutil.copytree(demo_folder, tmp_path / "sources")
    settings = Settings(source=str(folder), warehouse=tmp_path / "klimamonitor.duckdb")
    count_sql = """select release, count(*) from klimaregnskab.noegletal
                   group by all order by all"""

    def load() -> duckdb.DuckDBPyConnection:
        dlt_pipeline(settings, "klimaregnskab").run(SOURCES["klimaregnskab"](settings))
        return duckdb.connect(str(tmp_path / "klimamonitor.duckdb"), read_only=True)

    con = load()
    before = con.sql(count_sql).fetchall()
    schemas_sql = "select distinct schema_name from information_schema.schemata"
    # releases never loaded are appended: no staging table, no delete
    assert ("klimaregnskab_staging",) not in con.sql(schemas_sql).fetchall()
    con.close()

    release = sorted(folder.glob("klimaregnskab/*/noegletal.jsonl"))[-1]
    lines = [json.loads(line) for line in release.read_text(encoding="utf-8").splitlines()]
    restated = next(a for a in lines if a["municipality"] == "147" and a["year"] == 2023)
    dropped = restated["response"]["data"].pop()
    restated["response"]["data"][0]["værdi"] = 12345.6
    release.write_text(
        "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in lines), encoding="utf-8"
    )

    con = load()
    after = dict(con.sql(count_sql).fetchall())
    assert ("klimaregnskab_staging",) in con.sql(schemas_sql).fetchall()  # merged
    assert after == {r: n - (r == release.parent.name) for r, n in before}
    answer = con.sql(
        f"""select sector, measure, value from klimaregnskab.noegletal
            where municipality_code = '147' and year = 2023
              and release = '{release.parent.name}'"""
    ).fetchall()
    con.close()
    assert (dropped["sektor"], dropped["type"], dropped["værdi"]) not in answer
    first = restated["response"]["data"][0]
    assert (first["sektor"], first["type"], 12345.6) in answer
    assert len(answer) == len(restated["response"]["data"])
