"""Resolving inputs into run options: engine choice and the fast engine's veto."""

import sys
import types

import pytest

from loadgen.options import RunInputs, check_engine, resolve
from loadgen.scenario import default_scenario
from perfstack.cli import UsageError
from perfstack.config import load_config


def test_engine_that_cannot_serve_the_scenario_is_refused_with_its_reason(monkeypatch):
    fake = types.ModuleType("loadgen.engines.fast")
    fake.unsupported_reason = lambda scenario: f"{scenario.base_url} needs cookies"
    monkeypatch.setitem(sys.modules, "loadgen.engines.fast", fake)
    with pytest.raises(UsageError, match="engine 'fast' cannot run this scenario: http://h:1 needs cookies"):
        check_engine("fast", default_scenario("http://h:1"))
    fake.unsupported_reason = lambda scenario: None
    check_engine("fast", default_scenario("http://h:1"))


def test_resolve_defaults_and_overrides():
    opts = resolve(RunInputs(base_url="http://h:1/health", rate=50, duration=4.0), load_config())
    assert opts.plan.shape.open_model and opts.plan.shape.peak == 50
    assert opts.plan.engine == "aiohttp" and opts.profile == "basic"
    assert [t.expr for t in opts.thresholds] == ["p95<1000ms", "error_rate<5%", "timeout_rate<1%"]
    assert opts.run_id[:8].isdigit() and opts.lag_limit_seconds == 0.010
    own = resolve(RunInputs(base_url="http://h:1", thresholds=("p95<50ms",)), load_config())
    assert [t.expr for t in own.thresholds] == ["p95<50ms", "error_rate<5%", "timeout_rate<1%"]


@pytest.mark.parametrize(("inputs", "message"), [
    (RunInputs(), "expected --base-url"),
    (RunInputs(base_url="http://h:1", profile="nope"), "unknown profile"),
    (RunInputs(base_url="http://h:1", users=0), "--users"),
    (RunInputs(base_url="http://h:1", users=5, rate=10.0), "not both"),
    (RunInputs(base_url="http://h:1", duration=2.0, ramp_up=5.0), "ramp-up"),
])
def test_bad_inputs_are_one_line_usage_errors(inputs, message):
    with pytest.raises(UsageError, match=message):
        resolve(inputs, load_config())
