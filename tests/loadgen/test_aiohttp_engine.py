"""The aiohttp engine's shared-timer timeouts: its own deadline is a timeout, a run stopping is not."""

import asyncio
import time

import pytest

from loadgen.engines.aiohttp_engine import AiohttpEngine
from loadgen.engines.base import RequestSpec


async def test_deadline_turns_into_a_timeout_response_on_time(target):
    engine = AiohttpEngine(max_connections=4)
    try:
        started = time.monotonic()
        results = await asyncio.gather(*[
            engine.send(RequestSpec(endpoint="hang", method="GET", url=f"{target.url}/hang", timeout_total=t))
            for t in (0.2, 0.4)])
        assert [r.error_class for r in results] == ["timeout", "timeout"]
        assert time.monotonic() - started == pytest.approx(0.4, abs=0.15)
        ok = await engine.send(RequestSpec(endpoint="ok", method="GET", url=f"{target.url}/ok", timeout_total=0.2))
        assert (ok.status, ok.error_class) == (200, None)
    finally:
        await engine.aclose()


async def test_outside_cancellation_still_propagates(target):
    engine = AiohttpEngine(max_connections=1)
    try:
        task = asyncio.ensure_future(engine.send(RequestSpec(endpoint="hang", method="GET", url=f"{target.url}/hang",
                                                             timeout_total=30)))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        await engine.aclose()
