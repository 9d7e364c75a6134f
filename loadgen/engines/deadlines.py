"""One timer for every in-flight request's total timeout, instead of one timer per request.

A per-request timeout costs a timer handle and its cancellation on every request (~10 % of
aiohttp's per-request CPU). Here a single periodic check cancels the tasks whose deadline has
passed; ``expired`` tells the engine that a ``CancelledError`` was its own timeout (it then
``uncancel()``s and reports ``error_class="timeout"``) rather than the run stopping. Timeouts fire
within one check period (1/20 of the shortest timeout, 5-50 ms) after the deadline.
"""

from __future__ import annotations

import asyncio

__all__ = ["Deadlines"]

_MIN_PERIOD = 0.005
_MAX_PERIOD = 0.05


class Deadlines:
    """Track ``task → deadline`` and cancel tasks that outlive theirs."""

    def __init__(self) -> None:
        self._due: dict[asyncio.Task, float] = {}
        self._expired: set[asyncio.Task] = set()
        self._period = _MAX_PERIOD
        self._handle: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self, timeout: float) -> asyncio.Task:
        """Register the current task with a deadline ``timeout`` seconds from now and return it."""
        task = asyncio.current_task()
        assert task is not None, "send() must run in a task"
        loop = self._loop
        if loop is None:
            loop = self._loop = asyncio.get_running_loop()
        self._due[task] = loop.time() + timeout
        period = timeout / 20
        if period < self._period:
            self._period = period if period > _MIN_PERIOD else _MIN_PERIOD
        if self._handle is None:
            self._handle = loop.call_later(self._period, self._check)
        return task

    def finish(self, task: asyncio.Task) -> None:
        """Forget ``task`` (its request ended, one way or another)."""
        self._due.pop(task, None)

    def expired(self, task: asyncio.Task) -> bool:
        """Return True (once) if ``task`` was cancelled because its deadline passed."""
        if task in self._expired:
            self._expired.discard(task)
            return True
        return False

    def _check(self) -> None:
        loop = self._loop
        assert loop is not None
        now = loop.time()
        late = [task for task, deadline in self._due.items() if deadline <= now]
        for task in late:
            del self._due[task]
            self._expired.add(task)
            task.cancel()
        self._handle = loop.call_later(self._period, self._check) if self._due else None

    def close(self) -> None:
        """Stop the periodic check."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
