"""Turn scenario endpoints into ready :class:`RequestSpec` objects, cheaply, many times a second.

Endpoints without placeholders get one immutable spec built once and reused for every request;
templated ones are pre-split into literal/placeholder parts so filling a row is one ``join``.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Callable, Mapping
from itertools import accumulate

from loadgen.engines.base import RequestSpec
from loadgen.scenario import PLACEHOLDER, Endpoint, Scenario

__all__ = ["Template", "RequestFactory"]


class Template:
    """A string with ``{{column}}`` placeholders, split once so rendering is a join."""

    __slots__ = ("_parts", "_names", "static", "_escape")

    def __init__(self, text: str, *, json_escape: bool = False) -> None:
        pieces = PLACEHOLDER.split(text)  # literal, name, literal, name, ..., literal
        self._parts = pieces
        self._names = [(i, pieces[i]) for i in range(1, len(pieces), 2)]
        self.static = not self._names
        self._escape: Callable[[str], str] = (lambda v: json.dumps(v)[1:-1]) if json_escape else str

    def render(self, row: Mapping[str, str]) -> str:
        if self.static:
            return self._parts[0]
        parts = list(self._parts)
        for i, name in self._names:
            parts[i] = self._escape(str(row[name]))
        return "".join(parts)


class _EndpointFactory:
    __slots__ = ("static_spec", "_url", "_body", "_headers", "_kwargs")

    def __init__(self, scenario: Scenario, ep: Endpoint) -> None:
        timeout = ep.timeout_seconds if ep.timeout_seconds is not None else scenario.timeout_seconds
        headers = dict(scenario.headers)
        headers.update(ep.headers)
        if ep.body_is_json:
            headers.setdefault("Content-Type", "application/json")
        self._kwargs = dict(endpoint=ep.name, method=ep.method, timeout_total=timeout,
                            timeout_connect=min(scenario.connect_timeout_seconds, timeout),
                            max_body_bytes=scenario.max_body_bytes, keep_body=ep.expect.needs_body)
        self._url = Template(scenario.base_url + ep.path)
        self._body = Template(ep.body, json_escape=ep.body_is_json) if ep.body is not None else None
        self._headers = [(k, Template(v)) for k, v in headers.items()]
        static = self._url.static and (self._body is None or self._body.static) and all(t.static for _, t in self._headers)
        self.static_spec = self.build({}) if static else None

    def build(self, row: Mapping[str, str]) -> RequestSpec:
        body = self._body.render(row).encode() if self._body is not None else None
        return RequestSpec(url=self._url.render(row), headers=tuple((k, t.render(row)) for k, t in self._headers),
                           body=body, **self._kwargs)


class RequestFactory:
    """Pick an endpoint by weight and return ``(endpoint_index, RequestSpec)``.

    Data rows are used round-robin starting at ``row_offset`` so workers spread over the file.
    """

    def __init__(self, scenario: Scenario, *, rng: Callable[[], float], row_offset: int = 0) -> None:
        self._factories = [_EndpointFactory(scenario, ep) for ep in scenario.endpoints]
        self._cumulative = list(accumulate(ep.weight for ep in scenario.endpoints))
        self._total = self._cumulative[-1]
        self._rng = rng
        self._rows = scenario.data_rows
        self._row = row_offset % len(self._rows) if self._rows else 0
        self._single = len(self._factories) == 1

    def next(self) -> tuple[int, RequestSpec]:
        index = 0 if self._single else min(bisect_right(self._cumulative, self._rng() * self._total),
                                           len(self._cumulative) - 1)
        factory = self._factories[index]
        spec = factory.static_spec
        if spec is None:
            row = self._rows[self._row] if self._rows else {}
            if self._rows:
                self._row = (self._row + 1) % len(self._rows)
            spec = factory.build(row)
        return index, spec
