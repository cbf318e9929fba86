"""The live services' HTTP side, one place for every source: dlt's REST client and its session.

dlt's session retries timeouts, dropped connections, `429` and `5xx` with exponential backoff, and
waits as long as a `Retry-After` header says; the limits are dlt's runtime settings
(`[runtime] request_timeout`, `request_max_attempts`, `request_backoff_factor`,
`request_max_retry_delay` in `.dlt/config.toml`, or `RUNTIME__...` in the environment). What is
left here: turning an answer that is still bad after the retries into one clear error that names
the source and the request, never the credentials.
"""

from __future__ import annotations

import json
from typing import Any

import requests
from dlt.sources.helpers.requests.retry import Client
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import AuthConfigBase

from ingestion.readers import SourceInputError


def _session() -> requests.Session:
    client = Client(raise_for_status=False)
    client.configure()  # the runtime settings: timeout, attempts, backoff
    return client.session


class ServiceUnavailable(SourceInputError):
    """The service did not answer, or answered 429 or 5xx, through all of dlt's retries: worth
    another try later (the Dagster asset's retry policy), unlike a bad answer."""


def is_transient(exc: BaseException) -> bool:
    """Whether `exc`, or what it was raised from (dlt wraps a step's error), is a
    ServiceUnavailable."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, ServiceUnavailable):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


class ServiceClient:
    """One live service: requests by path, answers as bytes, every failure a SourceInputError."""

    def __init__(self, source: str, base_url: str, auth: AuthConfigBase | None = None):
        self.source = source
        self.rest = RESTClient(base_url=base_url, auth=auth, session=_session())

    def request_text(self, method: str, path: str, params: dict[str, Any] | None = None) -> str:
        """A request as errors name it: source, method, URL and query, never the credentials."""
        query = "&".join(f"{k}={v}" for k, v in (params or {}).items())
        url = f"{self.rest.base_url.rstrip('/')}/{path.lstrip('/')}"
        return f"{self.source} {method} {url}{'?' + query if query else ''}"

    def get(self, path: str, params: dict[str, Any] | None = None) -> bytes:
        return self._answer("GET", path, params=params)

    def post(self, path: str, body: dict) -> bytes:
        return self._answer("POST", path, json=body)

    def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        payload = self.get(path, params)
        try:
            return json.loads(payload)
        except ValueError as exc:
            raise SourceInputError(
                f"{self.request_text('GET', path, params)}: the answer is not JSON "
                f"({exc}; it begins {payload[:60]!r})"
            ) from exc

    def _answer(self, method: str, path: str, **kwargs) -> bytes:
        request = self.request_text(method, path, kwargs.get("params"))
        try:
            response = self.rest.request(path, method=method, **kwargs)
        except requests.RequestException as exc:  # still failing after dlt's retries
            raise ServiceUnavailable(f"{request}: no answer after retries: {_reason(exc)}") from exc
        if response.status_code >= 400:
            transient = response.status_code == 429 or response.status_code >= 500
            raise (ServiceUnavailable if transient else SourceInputError)(
                f"{request}: HTTP {response.status_code} {response.reason}: "
                f"{_error_text(response.content)}"
            )
        if not response.content.strip():
            raise SourceInputError(f"{request}: the answer is empty (HTTP {response.status_code})")
        return response.content


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"


def _error_text(content: bytes) -> str:
    """The service's own error message where it gives one, else the start of the body."""
    try:
        body = json.loads(content)
    except ValueError:
        return content[:200].decode("utf-8", "replace") or "(no body)"
    if isinstance(body, dict):
        parts = [str(body[k]) for k in ("errorTypeCode", "message", "error") if k in body]
        if parts:
            return ": ".join(parts)
    return json.dumps(body)[:200]
