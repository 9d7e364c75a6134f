"""Load shapes: stages from ``performance_config.yaml`` plus CLI overrides → ``target(t)``.

A shape is a list of (duration, target) stages ramped linearly from the previous target (0 at
the start). Everything here is pure so the open-model pacer, the closed-model user controller
and the reports agree on what was asked for at any instant.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, replace
from itertools import accumulate

from perfstack.config import Profile

__all__ = ["LoadShape", "shape_from_profile", "apply_overrides", "spike_window", "worker_share"]


@dataclass(frozen=True, kw_only=True)
class LoadShape:
    """Stages of one run. ``open_model`` means targets are request rates, else virtual users."""

    name: str
    stages: tuple[tuple[float, float], ...]   # (duration seconds, target at the end of the stage)
    open_model: bool

    @property
    def duration(self) -> float:
        return sum(d for d, _ in self.stages)

    @property
    def boundaries(self) -> tuple[float, ...]:
        """Start time of each stage (seconds since the run started)."""
        return (0.0, *accumulate(d for d, _ in self.stages))[:-1] if self.stages else ()

    @property
    def peak(self) -> float:
        return max((target for _, target in self.stages), default=0.0)

    def stage_index(self, t: float) -> int:
        """Return the index of the stage running at ``t`` (the last one after the end)."""
        starts = self.boundaries
        return max(0, min(bisect_right(starts, t) - 1, len(self.stages) - 1))

    def next_arrival(self, t: float, scale: float = 1.0) -> float:
        """Return the time after ``t`` at which ``scale × target`` has delivered one more arrival.

        The open-model pacer integrates the rate instead of stepping by ``1/rate(t)``: on a ramp
        from 0 that naive step jumps far past the ramp and sends almost nothing. Returns
        ``math.inf`` when the rest of the shape never delivers another arrival.
        """
        need, start, previous = 1.0, 0.0, 0.0
        for duration, goal in self.stages:
            end = start + duration
            if t < end:
                begin = max(t, start)
                r0 = scale * (previous + (goal - previous) * ((begin - start) / duration))
                slope = scale * (goal - previous) / duration
                length = end - begin
                area = r0 * length + 0.5 * slope * length * length
                if area >= need:
                    # Root of slope/2·d² + r0·d = need, in the form that is stable when slope ≈ 0.
                    return begin + 2.0 * need / (r0 + math.sqrt(max(r0 * r0 + 2.0 * slope * need, 0.0)))
                need -= area
            start, previous = end, goal
        rate = scale * previous
        return max(t, start) + need / rate if rate > 0 else math.inf

    def target(self, t: float) -> float:
        """Return the users or rate asked for at ``t`` seconds, ramping linearly within a stage."""
        start, previous = 0.0, 0.0
        for duration, goal in self.stages:
            if t < start + duration:
                return previous + (goal - previous) * ((t - start) / duration)
            start, previous = start + duration, goal
        return previous


def shape_from_profile(profile: Profile) -> LoadShape:
    """Return the shape of a configured profile."""
    open_model = profile.stages[0].rate is not None
    stages = tuple((s.duration_seconds, float(s.rate if open_model else s.users)) for s in profile.stages)
    return LoadShape(name=profile.name, stages=stages, open_model=open_model)


def apply_overrides(shape: LoadShape, *, users: int | None = None, rate: float | None = None,
                    duration: float | None = None, ramp_up: float | None = None) -> LoadShape:
    """Return ``shape`` with CLI overrides applied, keeping its form (ramps, spikes) where it can.

    ``users``/``rate`` rescale every stage so the peak equals the new value (``rate`` also turns a
    closed profile into an open one); ``duration`` stretches stages proportionally; ``ramp_up``
    sets the first stage's length and the rest share what remains.
    """
    stages = list(shape.stages)
    open_model = shape.open_model
    peak = shape.peak or 1.0
    if rate is not None:
        stages = [(d, rate * target / peak) for d, target in stages]
        open_model = True
    elif users is not None:
        # a stage that had users keeps at least one, so a scaled-down spike still has a baseline
        stages = [(d, max(1, round(users * target / peak)) if target > 0 else 0) for d, target in stages]
        open_model = False
    total = sum(d for d, _ in stages)
    new_total = duration if duration is not None else total
    if ramp_up is not None:
        if ramp_up > new_total:
            raise ValueError(f"ramp-up ({ramp_up:g}s) is longer than the duration ({new_total:g}s)")
        rest = stages[1:] or [stages[0]]
        rest_total = sum(d for d, _ in rest)
        stages = [(ramp_up, stages[0][1]), *((d * (new_total - ramp_up) / rest_total, t) for d, t in rest)]
    elif duration is not None:
        stages = [(d * new_total / total, t) for d, t in stages]
    return replace(shape, stages=tuple((float(d), float(t)) for d, t in stages), open_model=open_model)


def worker_share(value: float, *, index: int, count: int, integral: bool) -> float:
    """Return worker ``index``'s share of ``value`` (users are split into whole numbers)."""
    if count <= 1:
        return value
    if not integral:
        return value / count
    whole = int(round(value))
    return whole // count + (1 if index < whole % count else 0)


def spike_window(shape: LoadShape) -> tuple[float, float] | None:
    """Return (start, end) of the first spike: the highest stage reached then left downward."""
    starts = shape.boundaries
    previous = 0.0
    peak_start = None
    for i, (duration, target) in enumerate(shape.stages):
        if peak_start is None and target > previous and i > 0 and target >= shape.peak and previous > 0:
            peak_start = starts[i]
        if peak_start is not None and target < previous:
            return peak_start, starts[i] + duration
        previous = target
    return None
