"""Drive one process's share of the load: the open-model pacer or closed-model virtual users.

The runner owns the engine and a :class:`~loadgen.stats.Recorder`; every ``interval`` seconds it
hands a finished record to ``sink``. Hot-path rules: no per-request task in the closed model, no
per-request allocation beyond the engine's, in-flight work cancelled at the end so a run stops on
time. A semaphore sized to the engine's connection cap marks the *actual send* (a connection is
free), which is what the uncorrected latency is measured from.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from loadgen.checks import judge
from loadgen.engines.base import Engine
from loadgen.profiles import LoadShape, worker_share
from loadgen.requests import RequestFactory
from loadgen.scenario import Scenario
from loadgen.stats import HistogramPool, Recorder

__all__ = ["RunPlan", "LoadRunner"]

_USER_CONTROL_PERIOD = 0.05  # seconds between closed-model user-count adjustments
_MIN_SLEEP = 0.001           # event-loop timer resolution


@dataclass(frozen=True, kw_only=True)
class RunPlan:
    """What one process runs: scenario, shape and its share (``worker_index`` of ``worker_count``)."""

    scenario: Scenario
    shape: LoadShape
    engine: str = "aiohttp"
    connections: int = 0            # 0 = automatic: peak users (closed) or max_in_flight (open)
    max_in_flight: int = 1000
    interval: float = 1.0
    worker_index: int = 0
    worker_count: int = 1
    seed: int | None = None

    def worker_connections(self) -> int:
        """Return the connection cap of this worker."""
        if self.connections > 0:
            total = self.connections
        elif self.shape.open_model:
            total = self.max_in_flight
        else:
            total = int(self.shape.peak)
        return max(1, int(worker_share(total, index=self.worker_index, count=self.worker_count, integral=True)))

    def worker_max_in_flight(self) -> int:
        return max(1, int(worker_share(self.max_in_flight, index=self.worker_index, count=self.worker_count,
                                       integral=True)))


class _User:
    __slots__ = ("active",)

    def __init__(self) -> None:
        self.active = True


class LoadRunner:
    """Run a :class:`RunPlan` against ``engine`` and emit one record per interval to ``sink``."""

    def __init__(self, plan: RunPlan, *, engine: Engine, sink: Callable[[dict[str, Any]], None],
                 cpu_clock: Callable[[], float] = time.process_time, histogram_pool: HistogramPool | None = None) -> None:
        self.plan = plan
        self._engine = engine
        self._sink = sink
        self._cpu_clock = cpu_clock
        scenario: Scenario = plan.scenario
        self._rng = random.Random(plan.seed)
        self._factory = RequestFactory(scenario, rng=self._rng.random, row_offset=plan.worker_index * 7919)
        self._expects = [ep.expect for ep in scenario.endpoints]
        self._recorder = Recorder([(ep.name, ep.method) for ep in scenario.endpoints], open_model=plan.shape.open_model,
                                  pool=histogram_pool)
        connections = plan.worker_connections()
        peak_users = worker_share(plan.shape.peak, index=plan.worker_index, count=plan.worker_count, integral=True)
        # A closed-model user holds at most one connection: with enough connections the gate never waits.
        self._gated = plan.shape.open_model or connections < peak_users
        self._slots = asyncio.Semaphore(connections)
        self._tasks: set[asyncio.Task] = set()
        self._users: list[_User] = []
        self.in_flight = 0
        self._think = scenario.think_time_seconds
        self._clock: Callable[[], float] = time.monotonic
        self._start = 0.0

    @property
    def users_running(self) -> int:
        """Closed-model virtual users currently active."""
        return len(self._users)

    def _share(self, t: float) -> float:
        plan = self.plan
        return worker_share(plan.shape.target(t), index=plan.worker_index, count=plan.worker_count,
                            integral=not plan.shape.open_model)

    async def run(self, stop: asyncio.Event) -> bool:
        """Run until the shape ends or ``stop`` is set; return True when it ran to the end."""
        loop = asyncio.get_running_loop()
        self._clock = clock = time.perf_counter  # loop.time() is millisecond-grained on uvloop
        plan = self.plan
        self._start = start = clock()
        end = start + plan.shape.duration
        driver = loop.create_task(self._pace(end) if plan.shape.open_model else self._control_users(end))
        stop_wait = loop.create_task(stop.wait())
        t, interval_start, cpu_mark, completed = 0, start, self._cpu_clock(), False
        try:
            while True:
                deadline = min(interval_start + plan.interval, end)
                await asyncio.wait({stop_wait}, timeout=max(0.0, deadline - clock()))
                now = clock()
                if stop.is_set():
                    break
                if now >= end:
                    completed = True
                    break
                if now >= interval_start + plan.interval:
                    cpu_mark = self._emit(t, interval_start, now, cpu_mark)
                    t, interval_start = t + 1, interval_start + plan.interval
            if completed:
                await self._drain(driver, stop_wait)
        finally:
            driver.cancel()
            stop_wait.cancel()
            tasks = [driver, *self._tasks]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._emit(t, interval_start, max(clock(), interval_start), cpu_mark)
            await self._engine.aclose()
        return completed

    async def _drain(self, driver: asyncio.Task, stop_wait: asyncio.Task) -> None:
        """Start nothing new, then let requests in flight finish (up to the longest timeout).

        Cancelling them instead would drop exactly the slowest requests of the run from the
        latency record: a survivorship bias at the tail the report exists to show.
        """
        driver.cancel()
        for user in self._users:
            user.active = False  # finishes the request in flight, then leaves
        pending = {task for task in self._tasks if not task.done()}
        if pending:
            scenario = self.plan.scenario
            limit = max([scenario.timeout_seconds] + [ep.timeout_seconds or 0.0 for ep in scenario.endpoints])
            everything = asyncio.gather(*pending, return_exceptions=True)
            await asyncio.wait({everything, stop_wait}, timeout=limit + 1.0, return_when=asyncio.FIRST_COMPLETED)
            everything.cancel()  # no-op when all finished; otherwise Ctrl-C or the limit ends the drain

    def _emit(self, t: int, interval_start: float, now: float, cpu_mark: float) -> float:
        cpu = self._cpu_clock()
        offset = interval_start - self._start
        shape = self.plan.shape
        self._sink(self._recorder.close_interval(
            t=t, start=offset, length=now - interval_start, users=len(self._users),
            target_rate=self._share(offset) if shape.open_model else 0.0, in_flight=self.in_flight,
            stage=shape.stage_index(offset) + 1, cpu_seconds=cpu - cpu_mark, encode=False,
        ))
        return cpu

    # ---- open model -------------------------------------------------------------------------

    async def _pace(self, end: float) -> None:
        """Start each request at its intended time; past the in-flight cap, count it as dropped."""
        loop = asyncio.get_running_loop()
        clock, start, cap = self._clock, self._start, self.plan.worker_max_in_flight()
        recorder, tasks, one = self._recorder, self._tasks, self._one_open
        next_arrival, scale = self.plan.shape.next_arrival, 1.0 / max(1, self.plan.worker_count)
        intended = start
        while intended < end:
            now = clock()
            while intended <= now and intended < end:
                if self.in_flight >= cap:
                    recorder.drop()
                else:
                    self.in_flight += 1
                    task = loop.create_task(one(intended))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
                intended = start + next_arrival(intended - start, scale)
            # Event-loop timers are millisecond-grained: shorter sleeps would spin; due requests go out in a batch.
            await asyncio.sleep(max(_MIN_SLEEP, min(intended, end) - clock()))

    async def _one_open(self, intended: float) -> None:
        clock = self._clock
        try:
            index, spec = self._factory.next()
            self._recorder.record_lag(clock() - intended)
            async with self._slots:
                sent = clock()
                response = await self._engine.send(spec)
            done = clock()
            self._recorder.record(index, response.status, judge(self._expects[index], response),
                                  response.error_class, done - intended, done - sent)
        finally:
            self.in_flight -= 1

    # ---- closed model -----------------------------------------------------------------------

    async def _control_users(self, end: float) -> None:
        """Keep the number of virtual users on the profile's target, adding or retiring users."""
        loop = asyncio.get_running_loop()
        while True:
            wanted = int(round(self._share(self._clock() - self._start)))
            while len(self._users) < wanted:
                user = _User()
                self._users.append(user)
                task = loop.create_task(self._user_loop(user))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            while len(self._users) > wanted:
                self._users.pop().active = False  # finishes its request, then leaves
            await asyncio.sleep(_USER_CONTROL_PERIOD)

    async def _user_loop(self, user: _User) -> None:
        clock, factory, engine, recorder, expects, slots = (
            self._clock, self._factory, self._engine, self._recorder, self._expects, self._slots)
        think_lo, think_hi = self._think
        uniform = self._rng.uniform
        gated = self._gated
        while user.active:
            index, spec = factory.next()
            wanted = clock()
            self.in_flight += 1
            try:
                if gated:
                    async with slots:
                        sent = clock()
                        response = await engine.send(spec)
                else:
                    sent = wanted
                    response = await engine.send(spec)
            finally:
                self.in_flight -= 1
            done = clock()
            recorder.record(index, response.status, judge(expects[index], response), response.error_class,
                            done - wanted, done - sent)
            if think_hi > 0:
                await asyncio.sleep(uniform(think_lo, think_hi))
            elif response.error_class is not None:
                await asyncio.sleep(0)  # let the loop breathe when failures are instantaneous (refused)
