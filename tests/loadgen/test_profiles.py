"""Load shapes: ramps, overrides, spikes and worker shares."""

import pytest

from loadgen.profiles import LoadShape, apply_overrides, shape_from_profile, spike_window, worker_share
from perfstack.config import load_config


def test_basic_profile_ramps_linearly_then_holds():
    shape = shape_from_profile(load_config().profiles["basic"])
    assert not shape.open_model
    assert shape.duration == 60
    assert shape.target(0) == 0
    assert shape.target(5) == pytest.approx(5)
    assert shape.target(30) == 10
    assert shape.stage_index(3) == 0 and shape.stage_index(11) == 1 and shape.stage_index(600) == 1


def test_rate_override_switches_to_open_model_and_keeps_the_shape():
    spike = shape_from_profile(load_config().profiles["spike"])
    shape = apply_overrides(spike, rate=500, duration=12)
    assert shape.open_model
    assert shape.duration == pytest.approx(12)
    assert shape.peak == pytest.approx(500)
    assert shape.target(3) == pytest.approx(50)  # end of the first stage: 10 of 100 users → 10 % of the peak


def test_users_duration_and_ramp_up_overrides():
    basic = shape_from_profile(load_config().profiles["basic"])
    shape = apply_overrides(basic, users=4, duration=3, ramp_up=0)
    assert shape.stages[0] == (0.0, 4.0)
    assert shape.duration == pytest.approx(3)
    assert shape.target(0) == 4
    with pytest.raises(ValueError, match="ramp-up"):
        apply_overrides(basic, duration=3, ramp_up=5)


def test_spike_window_found_only_for_a_jump_and_drop():
    spike = shape_from_profile(load_config().profiles["spike"])
    assert spike_window(spike) == (30.0, 76.0)
    assert spike_window(shape_from_profile(load_config().profiles["basic"])) is None


def test_worker_share_splits_users_exactly_and_rates_evenly():
    assert [worker_share(7, index=i, count=3, integral=True) for i in range(3)] == [3, 2, 2]
    assert sum(worker_share(7, index=i, count=3, integral=True) for i in range(3)) == 7
    assert worker_share(90.0, index=1, count=3, integral=False) == pytest.approx(30.0)


def test_zero_length_stage_is_a_jump():
    shape = LoadShape(name="x", stages=((0.0, 5.0), (2.0, 5.0)), open_model=False)
    assert shape.target(0.0) == 5.0


def _arrivals(shape, until, scale=1.0):
    t, times = 0.0, []
    while t < until:
        times.append(t)
        t = shape.next_arrival(t, scale)
    return times


def test_next_arrival_integrates_a_ramp_from_zero():
    ramp = LoadShape(name="ramp", stages=((12.0, 30.0), (3.0, 30.0)), open_model=True)
    # 0→30 req/s over 12 s delivers 180 arrivals, then 90 more in 3 s at 30 req/s.
    assert len(_arrivals(ramp, 12.0)) == pytest.approx(180, abs=1)
    assert len(_arrivals(ramp, 15.0)) == pytest.approx(270, abs=1)
    # n arrivals by t: t = sqrt(2n / slope) on the ramp
    assert ramp.next_arrival(0.0) == pytest.approx((2 / 2.5) ** 0.5)
    # a worker with half the share sends half
    assert len(_arrivals(ramp, 15.0, scale=0.5)) == pytest.approx(135, abs=1)


def test_next_arrival_on_constant_and_falling_rates():
    flat = LoadShape(name="flat", stages=((0.0, 100.0), (10.0, 100.0)), open_model=True)
    assert flat.next_arrival(1.0) == pytest.approx(1.01)
    down = LoadShape(name="down", stages=((0.0, 20.0), (10.0, 0.0)), open_model=True)
    assert len(_arrivals(down, 10.0)) == pytest.approx(100, abs=1)
    assert down.next_arrival(9.99) == float("inf")


def test_open_model_run_ramping_from_zero_sends_the_integral(target, tmp_path):
    from tests.loadgen.conftest import read_json, run_loadgen

    res = run_loadgen("run", "--base-url", f"{target.url}/ok", "--rate", "40", "--duration", "4s", "--ramp-up", "3s",
                      "--metrics-listen", "", "--linger", "0s", "--quiet", "--no-default-thresholds",
                      "--json", str(tmp_path / "r.json"))
    assert res.returncode == 0, res.stderr
    # 0→40 req/s over 3 s (60) plus 1 s at 40 req/s (40)
    assert read_json(tmp_path / "r.json")["summary"]["requests"] == pytest.approx(100, abs=3)
