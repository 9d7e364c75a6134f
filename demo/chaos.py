"""Side effects of faults that are not per-request: CPU burner processes and periodic stalls.

:class:`FaultController` owns the current :class:`~demo.faults.FaultSettings`; applying new
settings starts or stops the burners and the staller so a fault switched through the admin
endpoint takes effect at once and a cleared fault leaves nothing running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import time
from collections.abc import Callable

from demo.faults import FaultSettings

__all__ = ["FaultController", "burn_cpu"]

log = logging.getLogger("demo.chaos")


def burn_cpu(stop_after: float) -> None:
    """Spin for ``stop_after`` seconds (the body of one burner process)."""
    deadline = time.monotonic() + stop_after
    x = 0
    while time.monotonic() < deadline:
        for i in range(10_000):
            x = (x * 31 + i) & 0xFFFF


class FaultController:
    """Hold the active fault settings and run their background effects."""

    def __init__(self, settings: FaultSettings, *, on_change: Callable[[FaultSettings], None] | None = None,
                 burner_count: int | None = None, burner_max_seconds: float = 3600.0) -> None:
        self.settings = settings
        self._on_change = on_change
        self._burner_count = burner_count or os.cpu_count() or 1
        self._burner_max_seconds = burner_max_seconds
        self._burners: list[multiprocessing.Process] = []
        self._stall_task: asyncio.Task | None = None
        self._serving = asyncio.Event()
        self._serving.set()

    async def wait_unstalled(self) -> None:
        """Return at once, or when the current stall ends (API handlers call this first)."""
        if not self._serving.is_set():
            await self._serving.wait()

    async def start(self) -> None:
        """Start the background effects of the initial settings (call inside the event loop)."""
        self._reconcile()

    def apply(self, settings: FaultSettings) -> None:
        """Switch to ``settings`` now (a changed stall rhythm restarts the stall cycle)."""
        previous, self.settings = self.settings, settings
        stall_changed = (previous.stall_every_seconds, previous.stall_seconds) != (
            settings.stall_every_seconds, settings.stall_seconds)
        if stall_changed and self._stall_task is not None:
            self._stall_task.cancel()
            self._stall_task = None
            self._serving.set()
        if self._on_change is not None:
            self._on_change(settings)
        self._reconcile()
        log.warning("fault now: %s", ",".join(settings.names))

    async def close(self) -> None:
        """Stop every burner and the staller."""
        self._stop_burners()
        await self._stop_staller()

    def _reconcile(self) -> None:
        s = self.settings
        if s.cpu_burn and not self._burners:
            ctx = multiprocessing.get_context("spawn")
            for _ in range(self._burner_count):
                p = ctx.Process(target=burn_cpu, args=(self._burner_max_seconds,), daemon=True)
                p.start()
                self._burners.append(p)
        elif not s.cpu_burn:
            self._stop_burners()
        want_stall = s.stall_every_seconds > 0 and s.stall_seconds > 0
        if want_stall and self._stall_task is None:
            self._stall_task = asyncio.get_running_loop().create_task(self._stall_loop())
        elif not want_stall and self._stall_task is not None:
            self._stall_task.cancel()
            self._stall_task = None
            self._serving.set()

    def _stop_burners(self) -> None:
        for p in self._burners:
            p.terminate()
        for p in self._burners:
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
                p.join(timeout=5)
        self._burners = []

    async def _stop_staller(self) -> None:
        task, self._stall_task = self._stall_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._serving.set()

    async def _stall_loop(self) -> None:
        """Hold every API request for ``stall_seconds`` out of each ``stall_every_seconds``.

        Like a stop-the-world pause on a shared resource (a model worker, a global lock): requests
        that arrive meanwhile wait inside the handler, so the server's own latency histogram shows
        it. (A blocked event loop would not: requests waiting to be accepted are not timed yet.)
        """
        while True:
            s = self.settings
            await asyncio.sleep(max(0.0, s.stall_every_seconds - s.stall_seconds))
            self._serving.clear()
            try:
                await asyncio.sleep(s.stall_seconds)
            finally:
                self._serving.set()
