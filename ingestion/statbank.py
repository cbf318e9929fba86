"""Statistics Denmark's StatBank (api.statbank.dk/v1): areas, population and cars by fuel.

- `areas`: the OMRÅDE variable of `/v1/tableinfo` (FOLK1A), in hierarchy order: the country
  (000), each region (081-085) and the municipalities under it.
- `folk1a`, `bil54`: `/v1/data` answers in CSV (UTF-8 with BOM, `;`, CRLF, decimal commas, `..`
  for missing), one row per cell, columns named after the table's variables. DuckDB reads the CSV
  dialect; nothing here splits lines by hand.
"""

from __future__ import annotations

import io
import json

import dlt
import duckdb
import pyarrow as pa

from ingestion.readers import FolderReader, SourceInputError

# The tables read from /v1/data, with the variables that key one cell.
DATA_TABLES = {
    "folk1a": ("omraade", "koen", "alder", "civilstand", "tid"),
    "bil54": ("omraade", "biltype", "brug", "driv", "tid"),
}
_ASCII = str.maketrans({"å": "aa", "ø": "oe", "æ": "ae"})


def column_name(variable: str) -> str:
    """`OMRÅDE` -> `omraade`: StatBank's variable codes as plain column names."""
    return variable.strip().lower().translate(_ASCII)


def parse_tableinfo_areas(payload: bytes, origin: str) -> list[dict]:
    """The OMRÅDE hierarchy: the country, then each region followed by its municipalities."""
    try:
        info = json.loads(payload)
        values = next(v for v in info["variables"] if v["id"] == "OMRÅDE")["values"]
    except (ValueError, KeyError, StopIteration) as exc:
        raise SourceInputError(f"statbank tableinfo: no OMRÅDE variable ({exc!r})") from exc
    rows, region = [], None
    for order, value in enumerate(values):
        code = value["id"]
        if code == "000":
            level, parent = "country", None
        elif len(code) == 3 and code.startswith("08"):
            level, parent, region = "region", "000", code
        else:
            level, parent = "municipality", region
        rows.append(
            {
                "area_code": code,
                "area_name": value["text"],
                "area_level": level,
                "parent_code": parent,
                "hierarchy_order": order,
                "table_id": info.get("id"),
                "data_origin": origin,
            }
        )
    return rows


def parse_data_csv(payload: bytes, table: str, variables: tuple[str, ...], origin: str) -> pa.Table:
    """One StatBank CSV answer as an Arrow table: codes stay text, INDHOLD becomes a number.

    `variables` are the column names (see `column_name`) the answer must have besides INDHOLD.
    """
    con = duckdb.connect()
    try:
        rel = con.read_csv(
            io.BytesIO(payload),
            sep=";",
            decimal=",",
            header=True,
            na_values="..",
            auto_type_candidates=["VARCHAR"],
            dtype={"INDHOLD": "DOUBLE"},
        )
        data = rel.to_arrow_table()
    except duckdb.Error as exc:
        raise SourceInputError(f"statbank {table}: CSV not readable: {exc}") from exc
    finally:
        con.close()
    data = data.rename_columns([column_name(c) for c in data.column_names])
    expected = set(variables) | {"indhold"}
    if missing := expected - set(data.column_names):
        raise SourceInputError(f"statbank {table}: columns missing from the CSV: {sorted(missing)}")
    n = data.num_rows
    return data.append_column("table_id", pa.array([table.upper()] * n)).append_column(
        "data_origin", pa.array([origin] * n)
    )


@dlt.source(name="statbank")
def statbank_source(reader: FolderReader | None = None, origin: str = "demo"):
    """The StatBank tables klimamonitor uses, one dlt resource each."""

    @dlt.resource(name="areas", primary_key="area_code", write_disposition="merge")
    def areas():
        yield parse_tableinfo_areas(reader.read("statbank/tableinfo/FOLK1A.json"), origin)

    def data_resource(table: str, keys: tuple[str, ...]):
        @dlt.resource(name=table, primary_key=list(keys), write_disposition="merge")
        def cells():
            payload = reader.read(f"statbank/data/{table.upper()}.csv")
            yield parse_data_csv(payload, table, keys, origin)

        return cells

    return [areas, *(data_resource(t, k) for t, k in DATA_TABLES.items())]
