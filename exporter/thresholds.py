"""Fire a callback once when a metric crosses a limit and once when it recovers.

A :class:`Threshold` is a two-state machine (``ok`` → ``crossed`` → ``ok``) with hysteresis:
it crosses when the value goes beyond ``limit`` and recovers only when it comes back past
``clear``. Between those it stays silent, so a value hovering at the limit causes no storm.
Callbacks may be plain functions or coroutines; one that raises is logged, never propagated,
because a broken alert hook must not break the request that recorded the metric.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Threshold", "ThresholdEvent", "ThresholdCallback", "dispatch_callback"]

STATISTICS = ("value", "mean", "min", "max", "p50", "p90", "p95", "p99")


@dataclass(frozen=True, kw_only=True)
class ThresholdEvent:
    """What a threshold callback receives: ``state`` is ``crossed`` or ``recovered``."""

    metric: str
    state: str
    value: float
    limit: float
    clear: float
    statistic: str


ThresholdCallback = Callable[[ThresholdEvent], Awaitable[Any] | Any]


class Threshold:
    """A limit on one metric statistic with cross/recover hysteresis."""

    def __init__(self, *, metric: str, limit: float, callback: ThresholdCallback, direction: str = "above",
                 clear: float | None = None, statistic: str = "value", window_seconds: float | None = None) -> None:
        if direction not in ("above", "below"):
            raise ValueError(f"direction must be 'above' or 'below', got {direction!r}")
        if statistic not in STATISTICS:
            raise ValueError(f"statistic must be one of {', '.join(STATISTICS)}, got {statistic!r}")
        clear = limit if clear is None else clear
        if (direction == "above" and clear > limit) or (direction == "below" and clear < limit):
            raise ValueError(f"clear level {clear} must be on the healthy side of limit {limit}")
        self.metric, self.limit, self.clear, self.direction = metric, limit, clear, direction
        self.statistic, self.window_seconds, self.callback = statistic, window_seconds, callback
        self.crossed = False

    def evaluate(self, value: float) -> ThresholdEvent | None:
        """Advance the state machine with ``value``; return an event only on a transition."""
        above = self.direction == "above"
        if not self.crossed:
            beyond = value > self.limit if above else value < self.limit
            if not beyond:
                return None
            self.crossed = True
            state = "crossed"
        else:
            back = value <= self.clear if above else value >= self.clear
            if not back:
                return None
            self.crossed = False
            state = "recovered"
        return ThresholdEvent(metric=self.metric, state=state, value=value, limit=self.limit,
                              clear=self.clear, statistic=self.statistic)


def dispatch_callback(callback: ThresholdCallback, event: ThresholdEvent, *, logger: logging.Logger,
                      pending: set[asyncio.Task]) -> None:
    """Call ``callback``; run a returned coroutine on the current loop (or a fresh one); log failures."""
    try:
        result = callback(event)
    except Exception:
        logger.exception("threshold callback %r failed for %s %s", callback, event.metric, event.state)
        return
    if not inspect.isawaitable(result):
        return

    async def guarded() -> None:
        try:
            await result
        except Exception:
            logger.exception("threshold callback %r failed for %s %s", callback, event.metric, event.state)

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(guarded())
        return
    task = loop.create_task(guarded())
    pending.add(task)
    task.add_done_callback(pending.discard)
