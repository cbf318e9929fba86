"""The Danish Energy Agency's Energi- og CO2-regnskab (klimaregnskabet.dk): the "Nøgletal".

The API answers one call per municipality and year with `{"data": [{"sektor", "type", "enhed",
"værdi"}, ...]}`. A release of the accounts is kept as one JSON-lines file of such answers,
`klimaregnskab/<release>/noegletal.jsonl`, each line `{"municipality", "year", "response"}`;
the release is the date the agency published it. Every release is loaded and kept (a later one
restates earlier years), keyed by release, so the vintages stay side by side.
"""

from __future__ import annotations

import io

import dlt
import duckdb
import pyarrow as pa

from ingestion.readers import FolderReader, SourceInputError

_LINE_COLUMNS = {
    "municipality": "VARCHAR",
    "year": "INTEGER",
    "response": 'STRUCT(data STRUCT(sektor VARCHAR, type VARCHAR, enhed VARCHAR, "værdi" DOUBLE, '
    "kategori VARCHAR, undertype_3 VARCHAR)[])",
}
_ROWS = """
    select municipality as municipality_code, year, $release as release,
           d.sektor as sector, d.type as measure, d.enhed as unit,
           coalesce(d.kategori, '') as category, coalesce(d.undertype_3, '') as subcategory,
           d."værdi" as value, $origin as data_origin
    from answers, unnest(response.data) as t(d)
"""
PRIMARY_KEY = [
    "municipality_code",
    "year",
    "release",
    "sector",
    "measure",
    "unit",
    "category",
    "subcategory",
]


def parse_noegletal(payload: bytes, release: str, origin: str) -> pa.Table:
    """A release's JSON lines as one row per municipality, year and figure of the answer."""
    con = duckdb.connect()
    try:
        answers = con.read_json(
            io.BytesIO(payload), format="newline_delimited", columns=_LINE_COLUMNS
        )
        con.register("answers", answers)
        return con.sql(_ROWS, params={"release": release, "origin": origin}).to_arrow_table()
    except duckdb.Error as exc:
        raise SourceInputError(f"klimaregnskab release {release}: not readable: {exc}") from exc
    finally:
        con.close()


@dlt.source(name="klimaregnskab")
def klimaregnskab_source(reader: FolderReader | None = None, origin: str = "demo"):
    @dlt.resource(name="noegletal", primary_key=PRIMARY_KEY, write_disposition="merge")
    def noegletal():
        releases = reader.glob("klimaregnskab/*/noegletal.jsonl")
        if not releases:
            raise SourceInputError(
                f"klimaregnskab: no release file in {reader.root}: expected "
                "klimaregnskab/<release>/noegletal.jsonl"
            )
        for path in releases:
            release = path.parent.name
            yield parse_noegletal(path.read_bytes(), release, origin)

    return noegletal
