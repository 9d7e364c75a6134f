"""Load ``performance_config.yaml`` into frozen, validated dataclasses.

Configuration flows one way: YAML → :func:`parse_config` (pure, validates every key) →
:class:`PerformanceConfig` → constructors. Every error names the file, the dotted key and
what was expected, in one line, so CLIs can print it and exit 2.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from perfstack import units

__all__ = [
    "ConfigError", "ApiThresholds", "SystemThresholds", "DatabaseThresholds", "CacheThresholds",
    "AlertLevels", "GeneratorLimits", "ExporterSettings", "Stage", "Profile", "PerformanceConfig",
    "load_config", "parse_config", "default_config_path", "read_yaml",
]


class ConfigError(ValueError):
    """A configuration value is missing, unknown or out of range; ``str()`` is one line."""

    def __init__(self, source: str, key: str, expected: str) -> None:
        self.source, self.key, self.expected = source, key, expected
        super().__init__(f"{source}: {key}: {expected}")


@dataclass(frozen=True, kw_only=True)
class ApiThresholds:
    """Service-level objectives for HTTP APIs."""

    latency_p95_seconds: float
    timeout_ratio: float
    error_ratio: float
    availability_ratio_min: float = 0.999


@dataclass(frozen=True, kw_only=True)
class SystemThresholds:
    """Host resource limits; ratios are 0-1, I/O in bytes per second."""

    cpu_ratio: float
    memory_ratio: float
    disk_io_bytes_per_second: float
    network_io_bytes_per_second: float


@dataclass(frozen=True, kw_only=True)
class DatabaseThresholds:
    """Database operation latency objective."""

    query_p95_seconds: float


@dataclass(frozen=True, kw_only=True)
class CacheThresholds:
    """Minimum acceptable cache hit ratio."""

    hit_ratio_min: float


@dataclass(frozen=True, kw_only=True)
class AlertLevels:
    """Critical levels and guards used by alerting rules and trend analysis."""

    latency_degradation_ratio: float
    cpu_critical_ratio: float
    memory_critical_ratio: float
    error_critical_ratio: float
    availability_critical_ratio: float = 0.99
    min_request_rate: float
    capacity_horizon_seconds: float
    baseline_offset_seconds: float


@dataclass(frozen=True, kw_only=True)
class GeneratorLimits:
    """Limits on the load generator itself."""

    schedule_lag_p99_seconds: float


@dataclass(frozen=True, kw_only=True)
class ExporterSettings:
    """Defaults of the standalone exporter; its command-line flags override each of them."""

    collectors: Mapping[str, bool] = field(default_factory=lambda: MappingProxyType({}))
    include_loopback: bool = False
    processes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Stage:
    """One stage of a load profile: ramp linearly to ``users`` (closed) or ``rate`` (open)."""

    duration_seconds: float
    users: int | None = None
    rate: float | None = None


@dataclass(frozen=True, kw_only=True)
class Profile:
    """A named load shape: a list of stages run back to back."""

    name: str
    description: str
    stages: tuple[Stage, ...]

    @property
    def duration_seconds(self) -> float:
        return sum(s.duration_seconds for s in self.stages)

    @property
    def peak_users(self) -> int:
        return max((s.users or 0) for s in self.stages)


@dataclass(frozen=True, kw_only=True)
class PerformanceConfig:
    """Everything in ``performance_config.yaml``, in base units."""

    api: ApiThresholds
    system: SystemThresholds
    database: DatabaseThresholds
    cache: CacheThresholds
    alerts: AlertLevels
    generator: GeneratorLimits
    exporter: ExporterSettings = field(default_factory=ExporterSettings)
    profiles: Mapping[str, Profile] = field(default_factory=dict)
    source: str = "<memory>"


def default_config_path() -> Path:
    """Return the repository's ``performance_config.yaml``."""
    return Path(__file__).resolve().parent.parent / "performance_config.yaml"


class _Reader:
    """Walk a mapping, converting values and remembering which keys were used."""

    def __init__(self, source: str, data: Any, key: str) -> None:
        self.source, self.key = source, key
        if not isinstance(data, Mapping):
            raise ConfigError(source, key or "<top level>", f"expected a mapping, got {type(data).__name__}")
        self.data = data
        self.used: set[str] = set()

    def _path(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def child(self, name: str) -> _Reader:
        self.used.add(name)
        if name not in self.data:
            raise ConfigError(self.source, self._path(name), "missing required section")
        return _Reader(self.source, self.data[name], self._path(name))

    def get(self, name: str, parse: Callable[[Any], Any], default: Any = ...) -> Any:
        self.used.add(name)
        if name not in self.data:
            if default is ...:
                raise ConfigError(self.source, self._path(name), "missing required key")
            return default
        try:
            return parse(self.data[name])
        except ValueError as exc:
            raise ConfigError(self.source, self._path(name), f"{exc}, got {self.data[name]!r}") from None

    def done(self) -> None:
        unknown = sorted(str(k) for k in self.data if k not in self.used)
        if unknown:
            raise ConfigError(self.source, self._path(unknown[0]),
                              f"unknown key (known: {', '.join(sorted(self.used))})")


def _positive(parse: Callable[[Any], float]) -> Callable[[Any], float]:
    def wrapped(raw: Any) -> float:
        value = parse(raw)
        if value <= 0:
            raise ValueError("expected a value greater than zero")
        return value
    return wrapped


def _users(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
        raise ValueError("expected a whole number of users >= 0")
    return raw


def _bool(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise ValueError("expected true or false")
    return raw


def _names(raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) and x for x in raw):
        raise ValueError("expected a list of process names")
    return tuple(raw)


def _switches(raw: Any) -> Mapping[str, bool]:
    if not isinstance(raw, Mapping) or not all(isinstance(k, str) and isinstance(v, bool) for k, v in raw.items()):
        raise ValueError("expected a mapping of collector name to true/false, e.g. {disk: false}")
    return MappingProxyType(dict(raw))


def _text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise ValueError("expected text")
    return raw


def _parse_stage(source: str, raw: Any, key: str) -> Stage:
    r = _Reader(source, raw, key)
    stage = Stage(
        duration_seconds=r.get("duration", _positive(units.parse_duration)),
        users=r.get("users", _users, None),
        rate=r.get("rate", units.parse_rate, None),
    )
    r.done()
    if (stage.users is None) == (stage.rate is None):
        raise ConfigError(source, key, "expected exactly one of 'users' or 'rate'")
    return stage


def _parse_profile(source: str, name: str, raw: Any, key: str) -> Profile:
    r = _Reader(source, raw, key)
    description = r.get("description", _text, "")
    r.used.add("stages")
    stages_raw = r.data.get("stages")
    if not isinstance(stages_raw, list) or not stages_raw:
        raise ConfigError(source, f"{key}.stages", f"expected a non-empty list of stages, got {stages_raw!r}")
    stages = tuple(_parse_stage(source, s, f"{key}.stages[{i}]") for i, s in enumerate(stages_raw))
    r.done()
    kinds = {s.users is None for s in stages}
    if len(kinds) > 1:
        raise ConfigError(source, f"{key}.stages", "expected all stages to use 'users' or all to use 'rate'")
    return Profile(name=name, description=description, stages=stages)


def parse_config(data: Any, source: str = "<memory>") -> PerformanceConfig:
    """Validate a parsed YAML document and return the frozen config."""
    top = _Reader(source, data, "")
    th = top.child("thresholds")
    api_r, sys_r, db_r, cache_r = th.child("api"), th.child("system"), th.child("database"), th.child("cache")
    api = ApiThresholds(
        latency_p95_seconds=api_r.get("latency_p95", _positive(units.parse_duration)),
        timeout_ratio=api_r.get("timeout_rate", units.parse_ratio),
        error_ratio=api_r.get("error_rate", units.parse_ratio),
        availability_ratio_min=api_r.get("availability", _positive(units.parse_ratio), 0.999),
    )
    system = SystemThresholds(
        cpu_ratio=sys_r.get("cpu", _positive(units.parse_ratio)),
        memory_ratio=sys_r.get("memory", _positive(units.parse_ratio)),
        disk_io_bytes_per_second=sys_r.get("disk_io", _positive(units.parse_byte_rate)),
        network_io_bytes_per_second=sys_r.get("network_io", _positive(units.parse_byte_rate)),
    )
    database = DatabaseThresholds(query_p95_seconds=db_r.get("query_p95", _positive(units.parse_duration)))
    cache = CacheThresholds(hit_ratio_min=cache_r.get("hit_rate", units.parse_ratio))
    for r in (api_r, sys_r, db_r, cache_r, th):
        r.done()

    al = top.child("alerts")
    alerts = AlertLevels(
        latency_degradation_ratio=al.get("latency_degradation", _positive(units.parse_ratio)),
        cpu_critical_ratio=al.get("cpu_critical", _positive(units.parse_ratio)),
        memory_critical_ratio=al.get("memory_critical", _positive(units.parse_ratio)),
        error_critical_ratio=al.get("error_rate_critical", _positive(units.parse_ratio)),
        availability_critical_ratio=al.get("availability_critical", _positive(units.parse_ratio), 0.99),
        min_request_rate=al.get("min_request_rate", units.parse_rate, 0.0),
        capacity_horizon_seconds=al.get("capacity_horizon", _positive(units.parse_duration), 4 * 3600.0),
        baseline_offset_seconds=al.get("baseline_offset", _positive(units.parse_duration), 86400.0),
    )
    al.done()
    for warn, crit, key in (
        (system.cpu_ratio, alerts.cpu_critical_ratio, "alerts.cpu_critical"),
        (system.memory_ratio, alerts.memory_critical_ratio, "alerts.memory_critical"),
        (api.error_ratio, alerts.error_critical_ratio, "alerts.error_rate_critical"),
    ):
        if crit < warn:
            raise ConfigError(source, key, f"expected a critical level >= the warning threshold ({warn:.0%}), got {crit:.0%}")
    if alerts.availability_critical_ratio > api.availability_ratio_min:
        raise ConfigError(source, "alerts.availability_critical",
                          f"expected a critical level <= the availability objective ({api.availability_ratio_min * 100:g}%), "
                          f"got {alerts.availability_critical_ratio * 100:g}%")

    gen = GeneratorLimits(schedule_lag_p99_seconds=0.010)
    if "generator" in top.data:
        g = top.child("generator")
        gen = GeneratorLimits(schedule_lag_p99_seconds=g.get("schedule_lag_p99", _positive(units.parse_duration), 0.010))
        g.done()

    exporter = ExporterSettings()
    if "exporter" in top.data:
        ex = top.child("exporter")
        exporter = ExporterSettings(collectors=ex.get("collectors", _switches, MappingProxyType({})),
                                    include_loopback=ex.get("include_loopback", _bool, False),
                                    processes=ex.get("processes", _names, ()))
        ex.done()

    profiles: dict[str, Profile] = {}
    if "profiles" in top.data:
        pr = top.child("profiles")
        for name, raw in pr.data.items():
            pr.used.add(name)
            profiles[str(name)] = _parse_profile(source, str(name), raw, f"profiles.{name}")
    top.done()
    return PerformanceConfig(
        api=api, system=system, database=database, cache=cache, alerts=alerts, generator=gen, exporter=exporter,
        profiles=MappingProxyType(profiles), source=source,
    )


def read_yaml(path: str | Path) -> Any:
    """Read one YAML document; an unreadable file or bad YAML is a one-line :class:`ConfigError`.

    Shared by every loader of user-written YAML (thresholds, scenarios, web configs) so they all
    report problems the same way: file, line, what went wrong.
    """
    p = Path(path)
    source = str(p)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(source, "<file>", f"cannot read file ({exc.strerror or exc})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "<file>"
        raise ConfigError(source, where, f"invalid YAML ({getattr(exc, 'problem', None) or exc})") from None


def load_config(path: str | Path | None = None) -> PerformanceConfig:
    """Read and validate a YAML config file (the repository default when ``path`` is None)."""
    p = Path(path) if path is not None else default_config_path()
    return parse_config(read_yaml(p), str(p))
