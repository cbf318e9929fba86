"""A stand-in for the live services on 127.0.0.1, serving a snapshot folder at their paths.

- StatBank: `POST /v1/tableinfo` answers the folder's `statbank/tableinfo/<TABLE>.json` (its Tid
  values cut at `published_until[TABLE]` where set); `POST /v1/data` answers the folder's CSV, the
  rows of the periods asked for only, as the service does. Unknown tables answer StatBank's
  `EXTRACT-NOTFOUND`.
- Energi- og CO2-regnskab: `GET /api/municipality-data?municipality=&year=&type=Nøgletal` answers
  `{"data": [...]}` from the folder's `klimaregnskab/<release>/noegletal.jsonl` (`release` chooses
  which), and 401 without the right `x-api-key`.

`faults` is a list of (path prefix, fault) taken in order, each by the first request it matches:
timeout, 500, 429 (Retry-After: 1), malformed JSON, empty body, extra CSV column, unknown area
code. Every request is logged (method, path, query, body, headers less the key's value).
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

API_KEY = "replay-test-key-5f2c9a"


@dataclass
class Replay:
    folder: Path
    release: str | None = None
    published_until: dict[str, str] = field(default_factory=dict)
    faults: list[tuple[str, str]] = field(default_factory=list)
    log: list[dict] = field(default_factory=list)
    slow_seconds: float = 3.0

    def __post_init__(self):
        self.lock = threading.Lock()
        self._answers: dict[str, dict] = {}
        releases = sorted((self.folder / "klimaregnskab").glob("*/noegletal.jsonl"))
        self.release = self.release or (releases[-1].parent.name if releases else None)

    # -- the services' answers -------------------------------------------------------------
    def tableinfo(self, table: str) -> tuple[int, bytes]:
        path = self.folder / "statbank" / "tableinfo" / f"{table}.json"
        if not path.is_file():
            return 400, _not_found(table)
        info = json.loads(path.read_bytes())
        if until := self.published_until.get(table):
            for variable in info["variables"]:
                if variable["id"] == "Tid":
                    variable["values"] = [v for v in variable["values"] if v["id"] <= until]
        return 200, json.dumps(info, ensure_ascii=False).encode()

    def data(self, body: dict) -> tuple[int, bytes]:
        table = body.get("table", "")
        path = self.folder / "statbank" / "data" / f"{table}.csv"
        if not path.is_file():
            return 400, _not_found(table)
        periods = next(set(v["values"]) for v in body["variables"] if v["code"] == "Tid")
        text = path.read_bytes().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(rows[0])
        tid = [c.upper() for c in rows[0]].index("TID")
        writer.writerows(r for r in rows[1:] if r[tid] in periods)
        return 200, b"\xef\xbb\xbf" + out.getvalue().encode()

    def noegletal(self, query: dict, key: str | None) -> tuple[int, bytes]:
        if key != API_KEY:
            return 401, b'{"message": "Unauthorized: missing or invalid x-api-key"}'
        municipality, year = query.get("municipality", [""])[0], query.get("year", [""])[0]
        return 200, self.answers().get((municipality, year), b'{"data": []}')

    def answers(self) -> dict[tuple[str, str], bytes]:
        """The chosen release's answers by municipality and year, read once per release."""
        with self.lock:
            if self.release not in self._answers:
                path = self.folder / "klimaregnskab" / self.release / "noegletal.jsonl"
                self._answers[self.release] = {
                    (a["municipality"], str(a["year"])): json.dumps(
                        a["response"], ensure_ascii=False
                    ).encode()
                    for a in map(json.loads, path.read_text(encoding="utf-8").splitlines())
                }
            return self._answers[self.release]

    # -- faults ----------------------------------------------------------------------------
    def take_fault(self, path: str) -> str | None:
        with self.lock:
            for i, (prefix, fault) in enumerate(self.faults):
                if path.startswith(prefix):
                    del self.faults[i]
                    return fault
        return None


def _not_found(table: str) -> bytes:
    return json.dumps(
        {"errorTypeCode": "EXTRACT-NOTFOUND", "message": f"Tabellen {table} findes ikke"}
    ).encode()


def _handler(replay: Replay):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # the test reads replay.log instead
            pass

        def _send(self, status: int, body: bytes, content_type: str, headers=None):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _serve(self, method: str):
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else {}
            key = self.headers.get("x-api-key")
            with replay.lock:
                replay.log.append(
                    {
                        "method": method,
                        "path": url.path,
                        "query": parse_qs(url.query),
                        "body": body,
                        "has_key": key is not None,
                        "headers": {k: v for k, v in self.headers.items() if v != API_KEY},
                        "at": time.monotonic(),
                    }
                )
            fault = replay.take_fault(url.path)
            if fault == "timeout":
                time.sleep(replay.slow_seconds)
            elif fault == "500":
                return self._send(500, b"Internal Server Error", "text/plain")
            elif fault == "429":
                return self._send(429, b"Too Many Requests", "text/plain", {"Retry-After": "1"})
            elif fault == "empty":
                return self._send(200, b"", "application/json")
            if url.path == "/v1/tableinfo":
                status, answer = replay.tableinfo(body.get("table", ""))
                kind = "application/json"
            elif url.path == "/v1/data":
                status, answer = replay.data(body)
                kind = "text/csv; charset=utf-8"
            elif url.path == "/api/municipality-data":
                status, answer = replay.noegletal(parse_qs(url.query), key)
                kind = "application/json"
            else:
                return self._send(404, b"Not Found", "text/plain")
            if fault == "malformed":
                answer = answer[: len(answer) // 2]
            elif fault == "extra_column":
                lines = answer.decode("utf-8-sig").split("\r\n")
                lines = [f"{line};EKSTRA" if line else line for line in lines]
                answer = b"\xef\xbb\xbf" + "\r\n".join(lines).encode()
            elif fault == "unknown_code":
                lines = answer.decode("utf-8-sig").split("\r\n")
                first = lines[1].split(";")
                lines.insert(2, ";".join(["999", *first[1:]]))
                answer = b"\xef\xbb\xbf" + "\r\n".join(lines).encode()
            return self._send(status, answer, kind)

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

    return Handler


class ReplayServer:
    """`with ReplayServer(replay) as server:` serves on `server.url` until the block ends."""

    def __init__(self, replay: Replay):
        self.replay = replay
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(replay))
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def env(self) -> dict[str, str]:
        """The environment that points klimamonitor's live sources here, retries made quick."""
        return {
            "KLIMAMONITOR_SOURCE": "live",
            "SOURCES__STATBANK__BASE_URL": f"{self.url}/v1",
            "SOURCES__KLIMAREGNSKAB__BASE_URL": f"{self.url}/api",
            "KLIMAREGNSKAB_API_KEY": API_KEY,
            "RUNTIME__REQUEST_TIMEOUT": "1.5",
            "RUNTIME__REQUEST_MAX_ATTEMPTS": "3",
            "RUNTIME__REQUEST_BACKOFF_FACTOR": "0.1",
            "RUNTIME__REQUEST_MAX_RETRY_DELAY": "5",
        }

    def __enter__(self) -> ReplayServer:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
