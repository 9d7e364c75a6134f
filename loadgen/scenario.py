"""Scenario YAML (+ optional CSV/JSONL data file) → frozen, validated dataclasses.

Validation happens once, here, so the hot path never checks anything: every error names the file
and the dotted key in one line (a :class:`~perfstack.config.ConfigError`, exit code 2).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loadgen.engines import ENGINE_NAMES
from perfstack import units
from perfstack.config import ConfigError, read_yaml

__all__ = ["Expect", "Endpoint", "Scenario", "load_scenario", "parse_scenario", "default_scenario",
           "PLACEHOLDER", "placeholders_in"]

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}")
_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
_ENDPOINT_KEYS = {"name", "method", "path", "weight", "headers", "body", "json", "expect", "timeout"}
_TOP_KEYS = {"base_url", "headers", "endpoints", "data", "engine", "timeout", "connect_timeout", "think_time",
             "max_body_bytes"}
_NAME = re.compile(r"[A-Za-z0-9_.:/-]{1,64}")


def placeholders_in(text: str) -> list[str]:
    """Return the placeholder names used in ``text``."""
    return PLACEHOLDER.findall(text)


@dataclass(frozen=True, kw_only=True)
class Expect:
    """What makes a response a success: its status and optional body checks."""

    statuses: frozenset[int] | None = None       # None = any 2xx or 3xx
    body_contains: tuple[str, ...] = ()
    json_equals: tuple[tuple[str, Any], ...] = ()  # (dotted path, expected value)

    @property
    def needs_body(self) -> bool:
        return bool(self.body_contains or self.json_equals)


@dataclass(frozen=True, kw_only=True)
class Endpoint:
    """One weighted request template."""

    name: str
    method: str = "GET"
    path: str = "/"
    weight: float = 1.0
    headers: tuple[tuple[str, str], ...] = ()
    body: str | None = None
    body_is_json: bool = False
    expect: Expect = field(default_factory=Expect)
    timeout_seconds: float | None = None


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """Everything about *what* to request; *how much* comes from the profile."""

    base_url: str
    endpoints: tuple[Endpoint, ...]
    headers: tuple[tuple[str, str], ...] = ()
    data_rows: tuple[Mapping[str, str], ...] = ()
    engine: str | None = None
    timeout_seconds: float = 30.0
    connect_timeout_seconds: float = 5.0
    think_time_seconds: tuple[float, float] = (0.0, 0.0)
    max_body_bytes: int = 64 * 1024 * 1024
    source: str = "<memory>"

    def with_base_url(self, base_url: str) -> Scenario:
        from dataclasses import replace

        return replace(self, base_url=check_base_url(base_url, self.source, "base_url"))


def check_base_url(raw: Any, source: str, key: str) -> str:
    """Return ``raw`` without a trailing slash if it is an http(s) URL with a host."""
    if not isinstance(raw, str) or not re.fullmatch(r"https?://[^/\s]+(/\S*)?", raw.strip()):
        raise ConfigError(source, key, f"expected an http:// or https:// URL, got {raw!r}")
    return raw.strip().rstrip("/")


def default_scenario(base_url: str) -> Scenario:
    """Return the scenario used when only ``--base-url`` is given: ``GET /``."""
    url = check_base_url(base_url, "--base-url", "base_url")
    origin, sep, path = url.partition("://")[2].partition("/")
    scheme = url.partition("://")[0]
    return Scenario(base_url=f"{scheme}://{origin}", endpoints=(Endpoint(name="root", path="/" + path if sep else "/"),),
                    source="--base-url")


def _headers(raw: Any, source: str, key: str) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        raise ConfigError(source, key, f"expected a mapping of header names to values, got {raw!r}")
    return tuple((str(k), str(v)) for k, v in raw.items())


def _duration(raw: Any, source: str, key: str) -> float:
    try:
        value = units.parse_duration(raw)
    except ValueError as exc:
        raise ConfigError(source, key, f"{exc}, got {raw!r}") from None
    return value


def _statuses(raw: Any, source: str, key: str) -> frozenset[int]:
    items = raw if isinstance(raw, list) else [raw]
    out: set[int] = set()
    for item in items:
        text = str(item).strip().lower()
        if re.fullmatch(r"[1-5]xx", text):
            base = int(text[0]) * 100
            out.update(range(base, base + 100))
        elif re.fullmatch(r"[1-5][0-9][0-9]", text):
            out.add(int(text))
        else:
            raise ConfigError(source, key, f"expected a status code, '2xx' or a list of them, got {item!r}")
    return frozenset(out)


def _expect(raw: Any, source: str, key: str) -> Expect:
    if raw is None:
        return Expect()
    if not isinstance(raw, Mapping):
        raise ConfigError(source, key, f"expected a mapping with status/body_contains/json, got {raw!r}")
    unknown = set(raw) - {"status", "body_contains", "json"}
    if unknown:
        raise ConfigError(source, f"{key}.{sorted(unknown)[0]}", "unknown key (known: body_contains, json, status)")
    statuses = _statuses(raw["status"], source, f"{key}.status") if "status" in raw else None
    contains = raw.get("body_contains", ())
    contains = (contains,) if isinstance(contains, str) else tuple(contains)
    if not all(isinstance(c, str) for c in contains):
        raise ConfigError(source, f"{key}.body_contains", "expected text or a list of texts")
    json_raw = raw.get("json", {})
    if not isinstance(json_raw, Mapping):
        raise ConfigError(source, f"{key}.json", "expected a mapping of dotted field paths to expected values")
    return Expect(statuses=statuses, body_contains=contains, json_equals=tuple((str(k), v) for k, v in json_raw.items()))


def _endpoint(raw: Any, index: int, source: str) -> Endpoint:
    key = f"endpoints[{index}]"
    if not isinstance(raw, Mapping):
        raise ConfigError(source, key, f"expected a mapping with name/method/path, got {raw!r}")
    unknown = set(raw) - _ENDPOINT_KEYS
    if unknown:
        raise ConfigError(source, f"{key}.{sorted(unknown)[0]}", f"unknown key (known: {', '.join(sorted(_ENDPOINT_KEYS))})")
    name = raw.get("name", f"endpoint{index}")
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ConfigError(source, f"{key}.name", f"expected 1-64 characters of [A-Za-z0-9_.:/-], got {name!r}")
    method = str(raw.get("method", "GET")).upper()
    if method not in _METHODS:
        raise ConfigError(source, f"{key}.method", f"expected one of {', '.join(sorted(_METHODS))}, got {method!r}")
    path = raw.get("path", "/")
    if not isinstance(path, str) or not path.startswith("/"):
        raise ConfigError(source, f"{key}.path", f"expected a path starting with '/', got {path!r}")
    weight = raw.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
        raise ConfigError(source, f"{key}.weight", f"expected a number greater than zero, got {weight!r}")
    if "body" in raw and "json" in raw:
        raise ConfigError(source, key, "expected at most one of 'body' or 'json'")
    body, is_json = None, False
    if "json" in raw:
        body, is_json = json.dumps(raw["json"], separators=(",", ":")), True
    elif "body" in raw:
        if not isinstance(raw["body"], str):
            raise ConfigError(source, f"{key}.body", "expected text (use 'json:' for structured bodies)")
        body = raw["body"]
    timeout = _duration(raw["timeout"], source, f"{key}.timeout") if "timeout" in raw else None
    return Endpoint(
        name=name, method=method, path=path, weight=float(weight), headers=_headers(raw.get("headers"), source, f"{key}.headers"),
        body=body, body_is_json=is_json, expect=_expect(raw.get("expect"), source, f"{key}.expect"), timeout_seconds=timeout,
    )


def _load_rows(path: Path, source: str) -> tuple[dict[str, str], ...]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(source, "data", f"cannot read data file {path} ({exc.strerror or exc})") from None
    rows: list[dict[str, str]] = []
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ConfigError(str(path), f"line {n}", f"invalid JSON ({exc.msg})") from None
            if not isinstance(obj, dict):
                raise ConfigError(str(path), f"line {n}", "expected a JSON object per line")
            rows.append({str(k): v if isinstance(v, str) else json.dumps(v) for k, v in obj.items()})
    else:
        rows = [dict(r) for r in csv.DictReader(text.splitlines())]
    if not rows:
        raise ConfigError(str(path), "<file>", "expected at least one data row")
    return tuple(rows)


def parse_scenario(data: Any, source: str = "<memory>", base_dir: Path | None = None) -> Scenario:
    """Validate a parsed scenario document and return the frozen :class:`Scenario`."""
    if not isinstance(data, Mapping):
        raise ConfigError(source, "<top level>", "expected a mapping with base_url and endpoints")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise ConfigError(source, sorted(unknown)[0], f"unknown key (known: {', '.join(sorted(_TOP_KEYS))})")
    base_url = check_base_url(data["base_url"], source, "base_url") if "base_url" in data else ""
    raw_eps = data.get("endpoints", [{"name": "root", "path": "/"}])
    if not isinstance(raw_eps, list) or not raw_eps:
        raise ConfigError(source, "endpoints", "expected a non-empty list of endpoints")
    endpoints = tuple(_endpoint(raw, i, source) for i, raw in enumerate(raw_eps))
    names = [e.name for e in endpoints]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise ConfigError(source, f"endpoints[{i}].name", f"duplicate endpoint name {name!r}")
    engine = data.get("engine")
    if engine is not None and engine not in ENGINE_NAMES:
        raise ConfigError(source, "engine", f"expected one of {', '.join(ENGINE_NAMES)}, got {engine!r}")
    think = data.get("think_time", "0s")
    if isinstance(think, list):
        if len(think) != 2:
            raise ConfigError(source, "think_time", "expected a duration or [min, max]")
        think_range = (_duration(think[0], source, "think_time[0]"), _duration(think[1], source, "think_time[1]"))
        if think_range[1] < think_range[0]:
            raise ConfigError(source, "think_time", "expected [min, max] with min <= max")
    else:
        one = _duration(think, source, "think_time")
        think_range = (one, one)
    rows: tuple[dict[str, str], ...] = ()
    if data.get("data") is not None:
        path = Path(str(data["data"]))
        rows = _load_rows(path if path.is_absolute() else (base_dir or Path.cwd()) / path, source)
    columns = set(rows[0]) if rows else set()
    for i, ep in enumerate(endpoints):
        texts = [("path", ep.path), ("body" if not ep.body_is_json else "json", ep.body or "")]
        texts += [(f"headers.{k}", v) for k, v in ep.headers]
        for field_key, text in texts:
            for name in placeholders_in(text):
                if name not in columns:
                    have = f"data columns: {', '.join(sorted(columns))}" if columns else "no 'data' file given"
                    raise ConfigError(source, f"endpoints[{i}].{field_key}", f"placeholder {{{{{name}}}}} has no value ({have})")
    max_body = data.get("max_body_bytes", 64 * 1024 * 1024)
    try:
        max_body = int(units.parse_bytes(max_body))
    except ValueError as exc:
        raise ConfigError(source, "max_body_bytes", f"{exc}, got {max_body!r}") from None
    return Scenario(
        base_url=base_url, endpoints=endpoints, headers=_headers(data.get("headers"), source, "headers"),
        data_rows=rows, engine=engine,
        timeout_seconds=_duration(data["timeout"], source, "timeout") if "timeout" in data else 30.0,
        connect_timeout_seconds=_duration(data["connect_timeout"], source, "connect_timeout") if "connect_timeout" in data else 5.0,
        think_time_seconds=think_range, max_body_bytes=max_body, source=source,
    )


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario YAML file; relative data-file paths are resolved next to it."""
    p = Path(path)
    return parse_scenario(read_yaml(p), str(p), p.parent)
