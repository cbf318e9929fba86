"""The Danish Energy Agency's Energi- og CO2-regnskab (klimaregnskabet.dk): the "Nøgletal".

The API answers one call per municipality and year,
`GET /api/municipality-data?municipality=101&year=2023&type=Nøgletal` with the key in the
`x-api-key` header, with `{"data": [{"sektor", "type", "enhed", "værdi"}, ...]}`.

Every release is kept (a later one restates earlier years), keyed by release, so the vintages stay
side by side. The unit a source delivers is one municipality's answer for one year in one release:
loading it again replaces those rows whole (dlt's delete-insert on that merge key, no per-row
deduplication; a figure twice in one answer fails the staging model's uniqueness test instead of
being dropped unseen):
- in a snapshot folder a release is one JSON-lines file of such answers,
  `klimaregnskab/<release>/noegletal.jsonl`, each line `{"municipality", "year", "response"}`, the
  release being the date the agency published it; a release file already loaded, unchanged since
  (by time and size), is not read again;
- live, the API does not say which release it answers from, so each answer's hash is kept in the
  resource's state: an answer that differs from the last one kept is a new vintage, released on the
  day it was first fetched; an unchanged answer loads nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import dlt
import duckdb
import pyarrow as pa
from dlt.sources.helpers.rest_client.auth import APIKeyAuth

from ingestion.readers import FolderReader, SourceInputError
from ingestion.services import ServiceClient

KLIMAREGNSKAB_URL = "https://klimaregnskabet.dk/api"
API_KEY_ENV = "KLIMAREGNSKAB_API_KEY"

LINE_COLUMNS = {
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
MERGE_KEY = ["municipality_code", "year", "release"]
FIGURE_KEY = ["sector", "measure", "unit", "category", "subcategory"]  # a figure within an answer


BATCH_ROWS = 500_000
CHUNK_BYTES = 128 * 2**20


@contextmanager
def _reader():
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")  # a big release takes seconds: no bar in logs
    try:
        yield con
    finally:
        con.close()


@contextmanager
def _named(where: str):
    """DuckDB's error in reading JSON lines, as an error that names where they come from."""
    try:
        yield
    except duckdb.Error as exc:
        raise SourceInputError(f"{where}: not readable: {exc}") from exc


def _answer_rows(
    con: duckdb.DuckDBPyConnection, lines: bytes | Path, release: str, origin: str
) -> duckdb.DuckDBPyRelation:
    """JSON lines of a release, in memory or in a file, as a relation of one row per
    municipality, year and figure of the answer."""
    source = str(lines) if isinstance(lines, Path) else io.BytesIO(lines)
    con.register("answers", con.read_json(source, format="newline_delimited", columns=LINE_COLUMNS))
    return con.sql(_ROWS, params={"release": release, "origin": origin})


def _keys_required(data: pa.Table | pa.RecordBatch) -> pa.Table | pa.RecordBatch:
    """The merge key is never null (dlt's merge-key hint says so): the Arrow schema says so too,
    so dlt finds the two agree."""
    return data.cast(
        pa.schema([f.with_nullable(False) if f.name in MERGE_KEY else f for f in data.schema])
    )


def _pieces(path: Path) -> Iterator[tuple[str, bytes | Path]]:
    """What DuckDB reads of a release file, each with what names it in an error: the file by its
    path, or, above CHUNK_BYTES, pieces of whole lines of about that size."""
    if path.stat().st_size <= CHUNK_BYTES:
        yield str(path), path
        return
    first = 1
    with path.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            chunk += f.readline()
            yield f"{path} (the part from line {first}: DuckDB counts its lines from there)", chunk
            first += chunk.count(b"\n")


def noegletal_batches(path: Path, release: str, origin: str) -> Iterator[pa.RecordBatch]:
    """A release file's rows in Arrow batches. DuckDB reads a file by its path fastest (in
    parallel), but unnesting the answers holds about 2.5 times the file in memory: a file larger
    than CHUNK_BYTES is read a piece of whole lines at a time (`make bench` at 10,000
    municipalities: the 1.2 GB release held 3.1 GB whole, about 1 GB in pieces of 128 MB; the
    pieces go through memory, 20% slower)."""
    with _reader() as con:
        for where, lines in _pieces(path):
            with _named(where):
                batches = _answer_rows(con, lines, release, origin).to_arrow_reader(BATCH_ROWS)
                yield from map(_keys_required, batches)


def parse_noegletal(lines: bytes, release: str, origin: str) -> pa.Table:
    """Answers in memory (the live API's) as one Arrow table."""
    with _reader() as con, _named(f"klimaregnskab release {release}"):
        return _keys_required(_answer_rows(con, lines, release, origin).to_arrow_table())


def api_key() -> str:
    """The key from the environment or dlt's secrets; never from the repository."""
    key = os.environ.get(API_KEY_ENV) or dlt.secrets.get("sources.klimaregnskab.api_key")
    if not key:
        raise SourceInputError(
            f"klimaregnskab: no API key: set {API_KEY_ENV} in the environment (or "
            "sources.klimaregnskab.api_key in .dlt/secrets.toml, which git ignores)"
        )
    return str(key)


class KlimaregnskabApi:
    """The live API: one `GET municipality-data` per municipality and year, `workers` at a time,
    through dlt's REST client (its session retries and honours `Retry-After`)."""

    def __init__(
        self, base_url: str, key: str, municipalities: list[str], years: list[int], workers: int
    ):
        self.service = ServiceClient(
            "klimaregnskab", base_url, APIKeyAuth(name="x-api-key", api_key=key)
        )
        self.municipalities, self.years, self.workers = municipalities, years, workers

    @staticmethod
    def params(municipality: str, year: int) -> dict:
        return {"municipality": municipality, "year": year, "type": "Nøgletal"}

    def request_text(self, municipality: str, year: int) -> str:
        return self.service.request_text(
            "GET", "municipality-data", self.params(municipality, year)
        )

    def answer(self, municipality: str, year: int) -> dict:
        body = self.service.get_json("municipality-data", self.params(municipality, year))
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise SourceInputError(
                f"{self.request_text(municipality, year)}: field data: expected a list of rows, "
                f"got {json.dumps(body, ensure_ascii=False)[:80]}"
            )
        return {"municipality": municipality, "year": year, "response": body}

    def answers(self):
        """The answer for every municipality and year, in that order."""
        tasks = [(m, y) for m in self.municipalities for y in self.years]
        pool = ThreadPoolExecutor(max_workers=self.workers)
        try:
            yield from pool.map(lambda t: self.answer(*t), tasks)
        finally:  # after an error, the requests not yet sent are not sent
            pool.shutdown(wait=True, cancel_futures=True)


def new_vintages(api: KlimaregnskabApi, state: dict, today: str, origin: str):
    """The answers that differ from the last one kept for their municipality and year, as rows
    released today; `state` maps "municipality-year" to the kept answer's hash.

    A year no municipality has figures for is not published yet and is left out; a year that
    some municipalities have and others do not is an error that names one that has not.
    """
    lines, hashes, empty, published = [], {}, {}, set()
    for answer in api.answers():
        key = f"{answer['municipality']}-{answer['year']}"
        if not answer["response"]["data"]:
            empty.setdefault(answer["year"], answer["municipality"])
            continue
        published.add(answer["year"])
        line = json.dumps(answer, ensure_ascii=False, sort_keys=True).encode()
        if state.get(key) != (digest := hashlib.sha256(line).hexdigest()):
            lines.append(line)
            hashes[key] = digest
        if len(lines) >= 200:
            yield parse_noegletal(b"\n".join(lines), today, origin)
            lines = []
    if gaps := sorted(published & set(empty)):
        raise SourceInputError(
            f"{api.request_text(empty[gaps[0]], gaps[0])}: field data: no rows, though other "
            "municipalities have the year (an unknown municipality code?)"
        )
    if lines:
        yield parse_noegletal(b"\n".join(lines), today, origin)
    state.update(hashes)


@dlt.source(name="klimaregnskab")
def klimaregnskab_source(
    reader: FolderReader | None = None,
    origin: str = "demo",
    api: Callable[[], KlimaregnskabApi] | None = None,
    today: str | None = None,
):
    @dlt.resource(
        name="noegletal",
        merge_key=MERGE_KEY,
        # no primary key: this clears the per-figure key that warehouses loaded before kept
        columns={c: {"primary_key": False} for c in [*MERGE_KEY, *FIGURE_KEY]},
        write_disposition={"disposition": "merge", "strategy": "delete-insert"},
    )
    def noegletal():
        if api is not None:
            state = dlt.current.resource_state().setdefault("answer_hashes", {})
            yield from new_vintages(api(), state, today or date.today().isoformat(), origin)
            return
        releases = reader.glob("klimaregnskab/*/noegletal.jsonl")
        if not releases:
            raise SourceInputError(
                f"klimaregnskab: no release file in {reader.root}: expected "
                "klimaregnskab/<release>/noegletal.jsonl"
            )
        # a release file loaded as it is now is not read again
        stamps = dlt.current.resource_state().setdefault("release_stamps", {})
        todo = [(p, s) for p in releases if stamps.get(p.parent.name) != (s := reader.stamp(p))]
        # A release never loaded has no rows to replace (dlt commits its stamp with its rows): a
        # load of only such releases appends, without a merge's staging table and delete (the
        # bench's ingest_dlt at 1,000 municipalities: 3.3 s -> 2.8 s, medians of three). A load
        # with a release changed since it was loaded merges, as the resource declares.
        append = not any(path.parent.name in stamps for path, _ in todo)
        for path, stamp in todo:
            for batch in noegletal_batches(path, path.parent.name, origin):
                hints = dlt.mark.make_hints(write_disposition="append") if append else None
                yield dlt.mark.with_hints(batch, hints) if hints else batch
            stamps[path.parent.name] = stamp

    return noegletal
