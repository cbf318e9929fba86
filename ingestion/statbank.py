"""Statistics Denmark's StatBank (api.statbank.dk/v1): areas, population, cars and dwellings.

- `areas`: the OMRÅDE variable of `POST /v1/tableinfo` (FOLK1A), in hierarchy order: the country
  (000), each region (081-085) and the municipalities under it.
- `folk1a`, `bil54`, `bil53`, `bol102`: `POST /v1/data` answers (format BULK: UTF-8 with BOM, `;`,
  CRLF, decimal commas, `..` for missing), one row per cell, columns named after the table's
  variables. DuckDB reads the CSV dialect; nothing here splits lines by hand.

Incremental: each data table keeps the last period it loaded (dlt state on `tid`); a run asks the
service only for that period (which StatBank may still revise) and the ones after it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import dlt
import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from ingestion.readers import FolderReader, SourceInputError
from ingestion.services import ServiceClient

STATBANK_URL = "https://api.statbank.dk/v1"
AREAS_TABLE = "FOLK1A"
_ASCII = str.maketrans({"å": "aa", "ø": "oe", "æ": "ae"})


def column_name(variable: str) -> str:
    """`OMRÅDE` -> `omraade`: StatBank's variable codes as plain column names."""
    return variable.strip().lower().translate(_ASCII)


@dataclass(frozen=True)
class DataTable:
    """A StatBank table as klimamonitor asks for it: every area, the fixed values of the other
    variables it splits by, and the periods from `first_period` on. Variables not named here are
    eliminated (StatBank then answers their total)."""

    table: str
    area_variable: str
    fixed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    first_period: str = "2018"
    cadence: str = "yearly"

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns of one answer besides INDHOLD, which key one cell."""
        return (column_name(self.area_variable), *map(column_name, self.fixed), "tid")

    def request(self, periods: list[str]) -> dict:
        """The `POST /v1/data` body for these periods."""
        variables = [{"code": self.area_variable, "values": ["*"]}]
        variables += [{"code": code, "values": list(values)} for code, values in self.fixed.items()]
        variables.append({"code": "Tid", "values": periods})
        return {
            "table": self.table,
            "format": "BULK",
            "lang": "da",
            "valuePresentation": "Code",
            "variables": variables,
        }


_CARS = {
    "BILTYPE": ("4000101002",),  # passenger cars
    "BRUG": ("1000",),  # all uses
    "DRIV": ("20200", "20205", "20210", "20225", "20232"),  # total, petrol, diesel, el, plug-in
}
DATA_TABLES = {
    "folk1a": DataTable(
        "FOLK1A",
        "OMRÅDE",
        {"KØN": ("TOT",), "ALDER": ("IALT",), "CIVILSTAND": ("TOT",)},
        "2018K1",
        "quarterly",
    ),
    "bil54": DataTable("BIL54", "OMRÅDE", _CARS, "2018M01", "monthly"),
    "bil53": DataTable("BIL53", "OMRÅDE", _CARS, "2018M01", "monthly"),
    "bol102": DataTable("BOL102", "AMT", {"OPVARMNING": ("*",)}, "2018", "yearly"),
}


@dataclass
class Answer:
    """One data answer: its bytes, the table's tableinfo (to check area codes against, where
    known) and the request, as errors name it."""

    payload: bytes
    info: bytes | None
    request: str


COPENHAGEN = ZoneInfo("Europe/Copenhagen")  # the time StatBank states its updates in


class StatBankApi:
    """The live service: `POST /v1/tableinfo` and `POST /v1/data` through dlt's REST client."""

    def __init__(self, base_url: str = STATBANK_URL):
        self.service = ServiceClient("statbank", base_url)
        self.infos: dict[str, bytes] = {}  # a table's tableinfo is asked for once a run

    def tableinfo(self, table: str) -> bytes:
        if table not in self.infos:
            body = {"table": table, "format": "JSON", "lang": "da"}
            self.infos[table] = self.service.post("tableinfo", body)
        return self.infos[table]

    def labels(self, table: str) -> bytes:
        return self.tableinfo(table)

    def stamp(self, spec: DataTable) -> None:
        """A live answer has no stamp: the periods from the last one loaded are asked again."""
        return None

    def info_stamp(self) -> None:
        return None

    def fetch(self, spec: DataTable, start: str) -> Answer | None:
        """The periods from `start` on that the table has, or None when it has none yet."""
        info = self.tableinfo(spec.table)
        periods = periods_to_ask(info, spec, start)
        if not periods:
            return None
        span = periods[0] if len(periods) == 1 else f"{periods[0]}..{periods[-1]}"
        request = f"POST /v1/data {spec.table} Tid {span}"
        return Answer(self.service.post("data", spec.request(periods)), info, request)


class StatBankFolder:
    """A snapshot folder: `statbank/tableinfo/<TABLE>.json` (FOLK1A's at least) and
    `statbank/data/<TABLE>.csv`, each the service's whole answer. What a live request leaves out
    by period, dlt's incremental leaves out here."""

    def __init__(self, reader: FolderReader):
        self.reader = reader

    def tableinfo(self, table: str) -> bytes:
        return self.reader.read(f"statbank/tableinfo/{table}.json")

    def labels(self, table: str) -> bytes | None:
        relative = f"statbank/tableinfo/{table}.json"
        return self.reader.read(relative) if self.reader.has(relative) else None

    def stamp(self, spec: DataTable) -> str:
        """The data file's time and size: a file loaded as it is now is not read again."""
        return self.reader.stamp(self.reader.root / f"statbank/data/{spec.table}.csv")

    def info_stamp(self) -> str:
        """The tableinfo files' times and sizes, together."""
        return ";".join(self.reader.stamp(p) for p in self.reader.glob("statbank/tableinfo/*.json"))

    def fetch(self, spec: DataTable, start: str) -> Answer:
        relative = f"statbank/data/{spec.table}.csv"
        return Answer(
            self.reader.read(relative), self.labels(spec.table), str(self.reader.root / relative)
        )


def _tableinfo(payload: bytes, table: str) -> tuple[dict, dict[str, dict]]:
    """A tableinfo answer and its variables by code."""
    try:
        info = json.loads(payload)
        return info, {v["id"]: v for v in info["variables"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise SourceInputError(
            f"statbank tableinfo {table}: not a tableinfo answer ({exc!r})"
        ) from exc


def _variables(payload: bytes, table: str) -> dict[str, dict]:
    return _tableinfo(payload, table)[1]


def parse_tableinfo_areas(payload: bytes, origin: str) -> list[dict]:
    """The OMRÅDE hierarchy: the country, then each region followed by its municipalities."""
    info, variables = _tableinfo(payload, AREAS_TABLE)
    if "OMRÅDE" not in variables:
        raise SourceInputError(f"statbank tableinfo {AREAS_TABLE}: no OMRÅDE variable")
    table_id = info.get("id")
    rows, region = [], None
    for order, value in enumerate(variables["OMRÅDE"]["values"]):
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
                "table_id": table_id,
                "data_origin": origin,
            }
        )
    return rows


def parse_value_labels(payload: bytes, spec: DataTable, origin: str) -> list[dict]:
    """The codes and Danish texts of the variables a table is asked by, other than area and
    time: what a code such as BOL102's OPVARMNING means, as the service says it."""
    variables = _variables(payload, spec.table)
    return [
        {
            "table_id": spec.table,
            "variable": code,
            "code": value["id"],
            "label": value["text"],
            "data_origin": origin,
        }
        for code in spec.fixed
        for value in variables.get(code, {}).get("values", [])
    ]


def parse_table_update(payload: bytes, spec: DataTable, origin: str) -> dict:
    """When StatBank last updated a table, as its tableinfo says (`updated`, Danish time): what the
    freshness of the table is measured by, rather than when klimamonitor last loaded it."""
    info, _ = _tableinfo(payload, spec.table)
    try:
        updated = datetime.fromisoformat(info["updated"]).replace(tzinfo=COPENHAGEN)
    except (KeyError, TypeError, ValueError) as exc:
        raise SourceInputError(
            f"statbank tableinfo {spec.table}: field updated: not a timestamp "
            f"({info.get('updated')!r})"
        ) from exc
    return {
        "table_id": spec.table,
        "title": info.get("text"),
        "unit": info.get("unit"),
        "updated": updated,
        "data_origin": origin,
    }


def periods_to_ask(payload: bytes, spec: DataTable, start: str) -> list[str]:
    """The table's periods from `start` on, as its tableinfo lists them; checks on the way that
    every variable the request leaves out can be eliminated."""
    variables = _variables(payload, spec.table)
    named = {spec.area_variable, "Tid", *spec.fixed}
    for code, variable in variables.items():
        if code not in named and not variable.get("elimination", False):
            raise SourceInputError(
                f"statbank tableinfo {spec.table}: variable {code} cannot be eliminated; fix its "
                "values in ingestion/statbank.py DATA_TABLES"
            )
    if "Tid" not in variables:
        raise SourceInputError(f"statbank tableinfo {spec.table}: no Tid variable")
    return [v["id"] for v in variables["Tid"]["values"] if v["id"] >= start]


# Rows per Arrow batch of a data answer: at 10,000 municipalities a BIL53 answer is 165 MB of
# CSV; read whole, its Arrow table and dlt's copies of it took the load to 2.7 GB.
BATCH_ROWS = 250_000


def data_csv_batches(
    payload: bytes, table: str, columns: tuple[str, ...], origin: str, request: str = ""
) -> Iterator[pa.RecordBatch]:
    """One StatBank CSV or BULK answer as Arrow batches of BATCH_ROWS rows: codes stay text,
    INDHOLD a number.

    `columns` (see `column_name`) are the variables the answer must have besides INDHOLD, and no
    others: a variable the request did not name would split cells the key does not tell apart.
    Checked on the header, before any row is read.
    """
    where = f"statbank {table}{' ' + request if request else ''}"
    con = duckdb.connect()
    try:
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
            names = [column_name(c) for c in rel.columns]
            expected = set(columns) | {"indhold"}
            if missing := expected - set(names):
                raise SourceInputError(f"{where}: columns missing from the CSV: {sorted(missing)}")
            if extra := [c for c in names if c not in expected]:
                raise SourceInputError(
                    f"{where}: unexpected columns in the CSV: {extra} (the answer splits by a "
                    "variable the request did not name)"
                )
            for batch in rel.to_arrow_reader(BATCH_ROWS):
                n = batch.num_rows
                yield pa.RecordBatch.from_arrays(
                    [*batch.columns, pa.array([table.upper()] * n), pa.array([origin] * n)],
                    names=[*names, "table_id", "data_origin"],
                )
        except duckdb.Error as exc:
            raise SourceInputError(f"{where}: CSV not readable: {exc}") from exc
    finally:
        con.close()


def parse_data_csv(
    payload: bytes, table: str, columns: tuple[str, ...], origin: str, request: str = ""
) -> pa.Table:
    """The whole answer as one Arrow table (see `data_csv_batches`)."""
    return pa.Table.from_batches(list(data_csv_batches(payload, table, columns, origin, request)))


def checked_area_codes(
    batches: Iterable[pa.RecordBatch], info: bytes | None, spec: DataTable, request: str
) -> Iterator[pa.RecordBatch]:
    """The batches, each once every area in it is one the table's tableinfo lists (when the
    tableinfo is known); the first unknown area stops the answer with its line in the CSV."""
    known = (
        {v["id"] for v in _variables(info, spec.table)[spec.area_variable]["values"]}
        if info is not None
        else None
    )
    area, line = column_name(spec.area_variable), 2  # the CSV's first data line
    for batch in batches:
        if known is not None and (
            unknown := sorted(set(pc.unique(batch[area]).to_pylist()) - known)
        ):
            at = line + batch[area].to_pylist().index(unknown[0])
            raise SourceInputError(
                f"statbank {spec.table} {request}: line {at}, field {spec.area_variable}: "
                f"unknown area code {unknown[0]!r} (not in the table's tableinfo; "
                f"{len(unknown)} unknown in its batch of {batch.num_rows:,} lines)"
            )
        line += batch.num_rows
        yield batch


@dlt.source(name="statbank")
def statbank_source(service: StatBankApi | StatBankFolder | None = None, origin: str = "demo"):
    """The StatBank tables klimamonitor uses, one dlt resource each."""

    def from_tableinfo(parse):
        """The rows `parse()` reads from the tableinfo answers; in a snapshot folder, nothing
        when the tableinfo files are as they were at the last load."""
        state, stamp = dlt.current.resource_state(), service.info_stamp()
        if stamp is not None and state.get("info_stamp") == stamp:
            return
        yield parse()
        if stamp is not None:
            state["info_stamp"] = stamp

    @dlt.resource(name="areas", primary_key="area_code", write_disposition="merge")
    def areas():
        yield from from_tableinfo(
            lambda: parse_tableinfo_areas(service.tableinfo(AREAS_TABLE), origin)
        )

    @dlt.resource(
        name="value_labels", primary_key=["table_id", "variable", "code"], write_disposition="merge"
    )
    def value_labels():
        yield from from_tableinfo(
            lambda: [
                row
                for spec in DATA_TABLES.values()
                if (info := service.labels(spec.table)) is not None
                for row in parse_value_labels(info, spec, origin)
            ]
        )

    @dlt.resource(name="tables", primary_key="table_id", write_disposition="merge")
    def tables():
        yield from from_tableinfo(
            lambda: [
                parse_table_update(info, spec, origin)
                for spec in DATA_TABLES.values()
                if (info := service.labels(spec.table)) is not None
            ]
        )

    def data_resource(name: str, spec: DataTable):
        @dlt.resource(name=name, primary_key=list(spec.columns), write_disposition="merge")
        def cells(
            # dlt's way to declare the cursor; primary_key=() keeps the rows of the last period
            # loaded, which StatBank may still revise, instead of dropping them as seen.
            tid=dlt.sources.incremental("tid", initial_value=spec.first_period, primary_key=()),  # noqa: B008
        ):
            state = dlt.current.resource_state()
            stamp = service.stamp(spec)
            if stamp is not None and state.get("file_stamp") == stamp:
                return  # a snapshot file loaded as it is now
            answer = service.fetch(spec, tid.last_value)
            if answer is None:
                return
            batches = data_csv_batches(
                answer.payload, spec.table, spec.columns, origin, answer.request
            )
            yield from checked_area_codes(batches, answer.info, spec, answer.request)
            if stamp is not None:
                state["file_stamp"] = stamp

        return cells

    return [
        areas,
        value_labels,
        tables,
        *(data_resource(name, spec) for name, spec in DATA_TABLES.items()),
    ]
