"""Build the demo service in-process with a seeded RNG and a recording sleep."""

from __future__ import annotations

import random

import pytest
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from demo.build import ServiceOptions, build_service
from demo.faults import parse_faults


class RecordingSleep:
    """Stand-in for asyncio.sleep: remembers each simulated wait instead of waiting."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def sample(metrics_text: str, name: str, **labels: str) -> float:
    """Return the value of one sample in exposition text (0.0 when absent)."""
    for family in text_string_to_metric_families(metrics_text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


@pytest.fixture
async def demo_client(tmp_path):
    """Factory: ``await demo_client(fault="slow-db", seed=1)`` → (TestClient, service, sleep)."""
    made = []

    async def make(fault: str = "none", seed: int = 1, real_sleep: bool = False, **opts):
        sleep = RecordingSleep()
        service = build_service(ServiceOptions(faults=parse_faults(fault), seed=seed, db_path=tmp_path / f"u{len(made)}.db",
                                               **opts),
                                registry=CollectorRegistry(), rng=random.Random(seed),
                                sleep=None if real_sleep else sleep)
        await service.start()
        client = TestClient(TestServer(service.app))
        await client.start_server()
        made.append((client, service))
        return client, service, sleep

    yield make
    for client, service in made:
        await client.close()
        await service.close()
