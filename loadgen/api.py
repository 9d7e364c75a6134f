"""The Python API from the original request: ``LoadTester``, ``LoadTestSuite`` and profile helpers.

A thin layer over the same options and session as the CLI, so a test written against the API
measures exactly what ``python -m loadgen run`` would. It runs in the caller's event loop and
leaves its signal handlers alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from loadgen.options import RunInputs, resolve
from loadgen.session import RunResult, run_session
from perfstack.config import PerformanceConfig, load_config

__all__ = ["LoadTestConfig", "LoadTester", "LoadTestSuite", "create_basic_load_test", "create_stress_test",
           "create_spike_test", "create_endurance_test"]


@dataclass(frozen=True, kw_only=True)
class LoadTestConfig:
    """One load test: target, profile and optional overrides (durations in seconds)."""

    base_url: str | None = None
    profile: str = "basic"
    scenario: str | Path | None = None
    users: int | None = None
    rate: float | None = None
    duration: float | None = None
    ramp_up: float | None = None
    engine: str | None = None
    workers: int = 1
    thresholds: tuple[str, ...] = ()
    default_thresholds: bool = True
    metrics_listen: str | None = None
    json_path: Path | None = None
    html_path: Path | None = None
    junit_path: Path | None = None
    run_id: str | None = None
    config_path: str | Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # any other RunInputs field, e.g. connections


class LoadTester:
    """Run one :class:`LoadTestConfig`; ``await run_load_test()`` returns the report summary."""

    def __init__(self, config: LoadTestConfig, *, performance_config: PerformanceConfig | None = None) -> None:
        self.config = config
        self._perf = performance_config
        self.result: RunResult | None = None

    def _inputs(self) -> RunInputs:
        c = self.config
        return RunInputs(base_url=c.base_url, scenario=c.scenario, profile=c.profile, users=c.users, rate=c.rate,
                         duration=c.duration, ramp_up=c.ramp_up, engine=c.engine, workers=c.workers,
                         thresholds=tuple(c.thresholds), default_thresholds=c.default_thresholds,
                         metrics_listen=c.metrics_listen, json_path=c.json_path, html_path=c.html_path,
                         junit_path=c.junit_path, run_id=c.run_id, **c.extra)

    async def run_load_test(self) -> dict[str, Any]:
        """Run the test and return ``summary`` (the full report is in ``self.result.report``)."""
        perf = self._perf or load_config(self.config.config_path)
        self.result = await run_session(resolve(self._inputs(), perf))
        return self.result.report["summary"]

    @property
    def report(self) -> dict[str, Any] | None:
        return self.result.report if self.result else None


class LoadTestSuite:
    """Run several load tests one after another."""

    def __init__(self) -> None:
        self.tests: list[LoadTestConfig] = []

    def add_test(self, config: LoadTestConfig) -> LoadTestSuite:
        """Queue ``config``; returns the suite so calls can be chained."""
        self.tests.append(config)
        return self

    async def run_suite(self) -> dict[str, dict[str, Any]]:
        """Run every queued test; return ``{name: {"summary", "thresholds", "exit_code"}}``."""
        results: dict[str, dict[str, Any]] = {}
        for config in self.tests:
            tester = LoadTester(config)
            summary = await tester.run_load_test()
            name, n = config.profile, 2
            while name in results:
                name, n = f"{config.profile}-{n}", n + 1
            assert tester.result is not None
            results[name] = {"summary": summary, "thresholds": tester.result.report["thresholds"],
                             "exit_code": tester.result.exit_code}
        return results


def _profile_test(profile: str, base_url: str, overrides: dict[str, Any]) -> LoadTestConfig:
    return replace(LoadTestConfig(base_url=base_url, profile=profile), **overrides)


def create_basic_load_test(base_url: str = "http://localhost:8000", **overrides: Any) -> LoadTestConfig:
    """Return the ``basic`` profile test (10 users, 60 s) against ``base_url``."""
    return _profile_test("basic", base_url, overrides)


def create_stress_test(base_url: str = "http://localhost:8000", **overrides: Any) -> LoadTestConfig:
    """Return the ``stress`` profile test (50 users, 5 min) against ``base_url``."""
    return _profile_test("stress", base_url, overrides)


def create_spike_test(base_url: str = "http://localhost:8000", **overrides: Any) -> LoadTestConfig:
    """Return the ``spike`` profile test (jump to 100 users and back) against ``base_url``."""
    return _profile_test("spike", base_url, overrides)


def create_endurance_test(base_url: str = "http://localhost:8000", **overrides: Any) -> LoadTestConfig:
    """Return the ``endurance`` profile test (20 users, 30 min) against ``base_url``."""
    return _profile_test("endurance", base_url, overrides)
