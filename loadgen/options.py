"""Resolve user inputs (CLI flags or API fields) into a validated :class:`~loadgen.session.RunOptions`.

Shared by ``run``, ``suite`` and the Python API so every entry point validates the same way and
fails with the same one-line errors.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path

from loadgen.engines import ENGINE_NAMES
from loadgen.profiles import apply_overrides, shape_from_profile
from loadgen.runner import RunPlan
from loadgen.scenario import Scenario, default_scenario, load_scenario
from loadgen.session import RunOptions, new_run_id
from loadgen.thresholds import Threshold, default_thresholds, parse_threshold
from perfstack import units
from perfstack.cli import UsageError
from perfstack.config import PerformanceConfig

__all__ = ["RunInputs", "resolve", "check_engine", "parse_workers", "parse_seconds"]


@dataclass(frozen=True, kw_only=True)
class RunInputs:
    """Raw user choices; ``None`` means "use the profile/scenario/config default"."""

    base_url: str | None = None
    scenario: str | Path | None = None
    profile: str = "basic"
    users: int | None = None
    rate: float | None = None
    duration: float | None = None
    ramp_up: float | None = None
    engine: str | None = None
    workers: int = 1
    connections: int = 0
    max_in_flight: int = 1000
    interval: float = 1.0
    thresholds: tuple[str, ...] = ()
    default_thresholds: bool = True
    abort_on_fail: bool = False
    abort_grace: float = 10.0
    metrics_listen: str | None = None
    linger: float = 0.0
    run_id: str | None = None
    json_path: Path | None = None
    html_path: Path | None = None
    junit_path: Path | None = None
    quiet: bool = True
    handle_signals: bool = False
    seed: int | None = None


def parse_seconds(raw: str, flag: str) -> float:
    """Return seconds from a CLI duration or raise a one-line :class:`UsageError`."""
    try:
        return units.parse_duration(raw)
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}, got {raw!r}") from None


def parse_workers(raw: str) -> int:
    """Return the worker count for ``N`` or ``auto`` (one per usable core)."""
    if raw == "auto":
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:
            return max(1, os.cpu_count() or 1)
    if not raw.isdigit() or int(raw) < 1:
        raise UsageError(f"--workers: expected a whole number >= 1 or 'auto', got {raw!r}")
    return int(raw)


def check_engine(name: str, scenario: Scenario) -> None:
    """Raise :class:`UsageError` if engine ``name`` is unknown, missing or cannot serve ``scenario``."""
    if name not in ENGINE_NAMES:
        raise UsageError(f"--engine: expected one of {', '.join(ENGINE_NAMES)}, got {name!r}")
    if name == "aiohttp":
        return
    try:
        module = importlib.import_module(f"loadgen.engines.{name}")
    except ImportError as exc:
        raise UsageError(f"engine {name!r} is not available ({exc}); use --engine aiohttp") from None
    unsupported = getattr(module, "unsupported_reason", None)
    reason = unsupported(scenario) if unsupported is not None else None
    if reason:
        raise UsageError(f"engine {name!r} cannot run this scenario: {reason} (use --engine aiohttp)")


def resolve(inputs: RunInputs, config: PerformanceConfig) -> RunOptions:
    """Return run options for ``inputs``, or raise a one-line ConfigError/UsageError."""
    if inputs.scenario is not None:
        scenario = load_scenario(inputs.scenario)
        if inputs.base_url:
            scenario = scenario.with_base_url(inputs.base_url)
    elif inputs.base_url:
        scenario = default_scenario(inputs.base_url)
    else:
        raise UsageError("expected --base-url URL or --scenario FILE")
    if not scenario.base_url:
        raise UsageError(f"{scenario.source}: base_url: missing (set it in the scenario or pass --base-url)")
    if inputs.profile not in config.profiles:
        known = ", ".join(sorted(config.profiles)) or "none"
        raise UsageError(f"--profile: unknown profile {inputs.profile!r} in {config.source} (known: {known})")
    if inputs.users is not None and inputs.rate is not None:
        raise UsageError("expected --users (closed model) or --rate (open model), not both")
    for flag, value in (("--users", inputs.users), ("--rate", inputs.rate)):
        if value is not None and value <= 0:
            raise UsageError(f"{flag}: expected a value greater than zero, got {value!r}")
    if inputs.duration is not None and inputs.duration <= 0:
        raise UsageError(f"--duration: expected a duration greater than zero, got {inputs.duration!r}")
    try:
        shape = apply_overrides(shape_from_profile(config.profiles[inputs.profile]), users=inputs.users,
                                rate=inputs.rate, duration=inputs.duration, ramp_up=inputs.ramp_up)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if shape.peak <= 0:
        raise UsageError(f"profile {inputs.profile!r} asks for no load (every stage targets 0)")
    engine = inputs.engine or scenario.engine or "aiohttp"
    check_engine(engine, scenario)
    try:
        thresholds: list[Threshold] = [parse_threshold(e) for e in inputs.thresholds]
    except ValueError as exc:
        raise UsageError(f"--threshold: {exc}") from None
    if inputs.default_thresholds:
        named = {(t.metric, t.endpoint, t.uncorrected) for t in thresholds}
        thresholds += [t for t in default_thresholds(config) if (t.metric, t.endpoint, t.uncorrected) not in named]
    if not 0.05 <= inputs.interval <= 60:
        raise UsageError(f"--interval: expected between 50ms and 60s, got {inputs.interval:g}s")
    if inputs.max_in_flight < 1 or inputs.connections < 0:
        raise UsageError("--max-in-flight must be >= 1 and --connections >= 0")
    plan = RunPlan(scenario=scenario, shape=shape, engine=engine, connections=inputs.connections,
                   max_in_flight=inputs.max_in_flight, interval=inputs.interval, seed=inputs.seed)
    return RunOptions(
        plan=plan, run_id=inputs.run_id or new_run_id(), profile=inputs.profile, workers=inputs.workers,
        thresholds=tuple(thresholds), lag_limit_seconds=config.generator.schedule_lag_p99_seconds,
        metrics_listen=inputs.metrics_listen or None, linger_seconds=inputs.linger,
        abort_on_fail=inputs.abort_on_fail, abort_grace_seconds=inputs.abort_grace,
        json_path=inputs.json_path, html_path=inputs.html_path, junit_path=inputs.junit_path,
        quiet=inputs.quiet, handle_signals=inputs.handle_signals,
    )
