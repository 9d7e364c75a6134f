"""The PromQL adapter against a fake transport: retries, backoff, auth, NaN/+Inf, rejected queries."""

from __future__ import annotations

import math

import pytest
import requests

from analyzer.promql import PromAuth, PromClient, PrometheusUnreachable, PromQLError


class FakeResponse:
    def __init__(self, status: int, body: object) -> None:
        self.status_code, self._body = status, body

    def json(self):
        if isinstance(self._body, Exception):
            raise self._body
        return self._body


class FakeSession:
    """Answers from a script; records every call."""

    def __init__(self, script: list) -> None:
        self.script, self.calls = list(script), []

    def get(self, url, params=None, headers=None, auth=None, timeout=None):
        self.calls.append({"url": url, "params": params, "headers": headers, "auth": auth, "timeout": timeout})
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


def _vector(*values: str) -> FakeResponse:
    return FakeResponse(200, {"status": "success", "data": {"resultType": "vector", "result": [
        {"metric": {"route": f"/r{i}"}, "value": [1.0, v]} for i, v in enumerate(values)]}})


def test_retries_5xx_and_connection_errors_with_exponential_backoff():
    sleeps: list[float] = []
    session = FakeSession([FakeResponse(503, {}), requests.ConnectionError("refused"), _vector("0.25")])
    client = PromClient("http://prom:9090/", session=session, retries=2, backoff=0.5, sleep=sleeps.append, timeout=3)
    assert client.scalar("up", at=100.0) == 0.25
    assert sleeps == [0.5, 1.0]
    assert client.queries_sent == 3
    assert session.calls[0]["url"] == "http://prom:9090/api/v1/query"
    assert session.calls[0]["params"] == {"query": "up", "time": "100.000"}
    assert session.calls[0]["timeout"] == 3


def test_gives_up_after_retries_with_one_line_message():
    session = FakeSession([requests.Timeout("slow")] * 3)
    client = PromClient("http://prom:9090", session=session, retries=2, sleep=lambda s: None)
    with pytest.raises(PrometheusUnreachable, match=r"cannot reach Prometheus at http://prom:9090 .*3 attempts"):
        client.query("up", at=1.0)


def test_bad_query_is_not_retried():
    session = FakeSession([FakeResponse(400, {"status": "error", "errorType": "bad_data", "error": "parse error"})])
    client = PromClient("http://prom:9090", session=session, sleep=lambda s: None)
    with pytest.raises(PromQLError, match="parse error"):
        client.query("up{", at=1.0)
    assert len(session.calls) == 1


def test_nan_is_none_and_infinities_are_kept():
    client = PromClient("http://p", session=FakeSession([_vector("NaN", "+Inf", "-Inf", "1e3")]))
    values = [v for _, v in client.query("x", at=1.0)]
    assert values[0] is None
    assert values[1] == math.inf and values[2] == -math.inf and values[3] == 1000.0


def test_empty_result_is_none():
    client = PromClient("http://p", session=FakeSession([_vector()]))
    assert client.scalar("absent_metric", at=1.0) is None


def test_range_query_parameters_and_values():
    body = {"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": {}, "values": [[10, "1"], [25, "NaN"], [40, "+Inf"]]}]}}
    session = FakeSession([FakeResponse(200, body)])
    rows = PromClient("http://p", session=session).query_range("x", 10, 40, 15)
    assert rows == [({}, [(10.0, 1.0), (25.0, None), (40.0, math.inf)])]
    assert session.calls[0]["url"].endswith("/api/v1/query_range")
    assert session.calls[0]["params"] == {"query": "x", "start": "10.000", "end": "40.000", "step": "15"}


def test_bearer_token_and_basic_auth():
    s1 = FakeSession([_vector("1")])
    PromClient("http://p", session=s1, auth=PromAuth(bearer_token="tok")).query("x", at=1.0)
    assert s1.calls[0]["headers"] == {"Authorization": "Bearer tok"} and s1.calls[0]["auth"] is None
    s2 = FakeSession([_vector("1")])
    PromClient("http://p", session=s2, auth=PromAuth(username="u", password="pw")).query("x", at=1.0)
    assert s2.calls[0]["auth"] == ("u", "pw") and "Authorization" not in s2.calls[0]["headers"]


def test_refused_credentials_say_so():
    client = PromClient("http://p", session=FakeSession([FakeResponse(401, ValueError("not json"))]))
    with pytest.raises(PromQLError, match="HTTP 401: check --bearer-token-file"):
        client.query("up", at=1.0)
