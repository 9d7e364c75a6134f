"""A thin Prometheus HTTP API client: ``/api/v1/query`` and ``/api/v1/query_range`` only.

Only those two endpoints, so it works against Prometheus, Thanos, Mimir and VictoriaMetrics.
The ``requests.Session`` is injected (tests swap the transport); auth is a bearer token or basic
auth; 5xx answers and connection errors are retried with exponential backoff. Sample values
come back as floats: "NaN" becomes None (no data), "+Inf"/"-Inf" stay infinite.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

__all__ = ["PromClient", "PromAuth", "PrometheusUnreachable", "PromQLError", "parse_sample"]


class PrometheusUnreachable(ConnectionError):
    """Prometheus did not answer (after retries) or answered with a server error."""


class PromQLError(ValueError):
    """Prometheus rejected a query (HTTP 4xx or ``status: error``)."""


@dataclass(frozen=True, kw_only=True)
class PromAuth:
    """Optional credentials: a bearer token, or a basic-auth user and password."""

    bearer_token: str | None = None
    username: str | None = None
    password: str | None = None


def parse_sample(raw: str) -> float | None:
    """Return a sample value as float; NaN → None so it is never mistaken for a number."""
    value = float(raw)
    return None if math.isnan(value) else value


class PromClient:
    """Run instant and range queries; counts queries sent so callers can prove they stay bounded."""

    def __init__(self, base_url: str, *, session: requests.Session | None = None, auth: PromAuth | None = None,
                 timeout: float = 10.0, retries: int = 2, backoff: float = 0.2,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.timeout, self.retries, self.backoff, self.sleep = timeout, retries, backoff, sleep
        self.queries_sent = 0
        self._headers: dict[str, str] = {}
        self._auth = None
        if auth and auth.bearer_token:
            self._headers["Authorization"] = f"Bearer {auth.bearer_token}"
        elif auth and auth.username is not None:
            self._auth = (auth.username, auth.password or "")

    def _get(self, path: str, params: dict[str, str]) -> dict:
        url = self.base_url + path
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            self.queries_sent += 1
            try:
                resp = self.session.get(url, params=params, headers=self._headers, auth=self._auth,
                                        timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                last = f"cannot reach Prometheus at {self.base_url} ({type(exc).__name__})"
                continue
            if resp.status_code >= 500:
                last = f"Prometheus at {self.base_url} answered HTTP {resp.status_code}"
                continue
            if resp.status_code in (401, 403):
                raise PromQLError(f"Prometheus at {self.base_url} answered HTTP {resp.status_code}: "
                                  "check --bearer-token-file or the basic-auth options")
            try:
                body = resp.json()
            except ValueError:
                raise PromQLError(f"{url} answered HTTP {resp.status_code} with a non-JSON body") from None
            if resp.status_code >= 400 or body.get("status") != "success":
                raise PromQLError(f"query rejected (HTTP {resp.status_code}): {body.get('error', 'unknown error')}")
            return body["data"]
        raise PrometheusUnreachable(f"{last} after {self.retries + 1} attempts")

    def query(self, promql: str, at: float) -> list[tuple[dict, float | None]]:
        """Return (labels, value) for an instant vector/scalar query at ``at``."""
        data = self._get("/api/v1/query", {"query": promql, "time": f"{at:.3f}"})
        kind, result = data.get("resultType"), data.get("result", [])
        if kind == "scalar":
            return [({}, parse_sample(result[1]))]
        if kind == "matrix":
            return [(r["metric"], parse_sample(r["values"][-1][1])) for r in result if r.get("values")]
        return [(r["metric"], parse_sample(r["value"][1])) for r in result]

    def query_samples(self, promql: str, at: float) -> list[tuple[dict, list[tuple[float, float | None]]]]:
        """Return raw samples of a range-vector selector (``metric[7d]``) evaluated at ``at``."""
        data = self._get("/api/v1/query", {"query": promql, "time": f"{at:.3f}"})
        return [(r["metric"], [(float(t), parse_sample(v)) for t, v in r.get("values", [])])
                for r in data.get("result", [])]

    def query_range(self, promql: str, start: float, end: float, step: float
                    ) -> list[tuple[dict, list[tuple[float, float | None]]]]:
        """Return (labels, [(t, value)]) per series of a range query."""
        data = self._get("/api/v1/query_range", {"query": promql, "start": f"{start:.3f}", "end": f"{end:.3f}",
                                                 "step": f"{step:g}"})
        return [(r["metric"], [(float(t), parse_sample(v)) for t, v in r.get("values", [])])
                for r in data.get("result", [])]

    def scalar(self, promql: str, at: float) -> float | None:
        """Return the single value of an aggregated query, None when empty or NaN."""
        rows = self.query(promql, at)
        return rows[0][1] if rows else None
